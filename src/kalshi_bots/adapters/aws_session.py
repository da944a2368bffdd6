"""One botocore session per process, for the DynamoDB store and the Lambda handlers' SSM reads.

botocore rather than boto3: the clients are the same, but importing boto3 also imports s3transfer
and multiprocessing, about 0.1 s of every Lambda cold start spent on nothing we call. One shared
session (as ``boto3.client`` shares its default one) means credentials and endpoint data are
loaded once, and whoever needs to observe the clients' calls (the IAM coverage test) can register
an event handler on it before the clients are created.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.session import Session


@functools.cache
def aws_session() -> Session:
    import botocore.session

    return botocore.session.get_session()


def aws_client(service: str, *, region: str | None = None, endpoint_url: str | None = None) -> Any:
    """A low-level client; ``None`` region/endpoint fall back to botocore's configuration chain
    (``AWS_REGION``/``AWS_DEFAULT_REGION``, ``AWS_ENDPOINT_URL_<SERVICE>``)."""
    return aws_session().create_client(service, region_name=region, endpoint_url=endpoint_url)
