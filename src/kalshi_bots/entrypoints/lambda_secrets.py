"""The secrets a Lambda function reads from SSM Parameter Store: the Kalshi key (only in the modes that
sign requests) and the volatility API's token, turned into the settings variables they stand for.

Values never appear in errors or logs. botocore is imported on the first read, not at module import.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

# Environment variables the template sets that are NOT settings: names of the SSM SecureString
# parameters. Kept outside the KALSHI_BOTS_ prefix so the settings' typo check ignores them.
CREDENTIALS_PARAMETER_ENV = "SSM_KALSHI_CREDENTIALS"
API_TOKEN_PARAMETER_ENV = "SSM_API_TOKEN"  # noqa: S105 (a variable name, not a secret)

_SIGNING_MODES = frozenset({"demo", "live"})


def read_ssm_secure_string(name: str) -> str:
    """One decrypted SecureString. botocore is imported here, not at module import."""
    from kalshi_bots.adapters.aws_session import aws_client

    client = aws_client("ssm")
    try:
        response = client.get_parameter(Name=name, WithDecryption=True)
    except client.exceptions.ParameterNotFound:
        raise RuntimeError(f"SSM parameter {name} does not exist: create it (docs/aws.md)") from None
    value = response["Parameter"]["Value"]
    if not isinstance(value, str):
        raise RuntimeError(f"SSM parameter {name} has no string value")
    return value


def secret_environ(environ: Mapping[str, str], read: Callable[[str], str]) -> dict[str, str]:
    """Settings variables filled from SSM: the Kalshi key (only where the mode signs requests) and
    the API token. Values never appear in errors."""
    extra: dict[str, str] = {}
    credentials = environ.get(CREDENTIALS_PARAMETER_ENV, "")
    mode = environ.get("KALSHI_BOTS_MODE", "paper").strip().lower()
    if credentials and mode in _SIGNING_MODES:
        try:
            doc = json.loads(read(credentials))
            key_id, pem = doc["key_id"], doc["private_key_pem"]
        except (ValueError, KeyError, TypeError):
            raise RuntimeError(
                f"SSM parameter {credentials} must be JSON with 'key_id' and 'private_key_pem' (docs/aws.md)"
            ) from None
        extra["KALSHI_BOTS_KALSHI_API_KEY_ID"] = str(key_id)
        extra["KALSHI_BOTS_KALSHI_PRIVATE_KEY_PEM"] = str(pem)
    token_parameter = environ.get(API_TOKEN_PARAMETER_ENV, "")
    if token_parameter:
        extra["KALSHI_BOTS_API_TOKEN"] = read(token_parameter).strip()
    return extra
