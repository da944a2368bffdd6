"""Signing (reference §2) checked three ways: against the raw cryptography primitives, against the
fake's verifier directly, and end to end over HTTP where the fake rejects altered requests with 401."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from kalshi_bots.adapters.kalshi import (
    KalshiClient,
    KalshiSigner,
    load_private_key_file,
    load_private_key_pem,
)
from kalshi_bots.adapters.kalshi.auth import signing_message, verify_signature
from kalshi_bots.ports.errors import AuthError
from kalshi_bots.sandbox.kalshi import FakeKalshi

from .conftest import KEY_ID

BALANCE_PATH = "/trade-api/v2/portfolio/balance"


def _pem(key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def test_message_is_ms_timestamp_method_and_full_path_without_query() -> None:
    assert signing_message(1703123456789, "get", "/trade-api/v2/portfolio/orders?limit=5") == (
        b"1703123456789GET/trade-api/v2/portfolio/orders"
    )


def test_rsa_signature_is_pss_sha256_with_digest_length_salt(rsa_key: rsa.RSAPrivateKey) -> None:
    signer = KalshiSigner(KEY_ID, rsa_key, clock_ms=lambda: 1703123456789)
    headers = signer.headers("GET", BALANCE_PATH)
    assert headers["KALSHI-ACCESS-KEY"] == KEY_ID
    assert headers["KALSHI-ACCESS-TIMESTAMP"] == "1703123456789"
    raw = base64.b64decode(headers["KALSHI-ACCESS-SIGNATURE"], validate=True)
    # Verifying with salt_length=32 exactly (not AUTO) proves the salt is the SHA-256 digest length.
    rsa_key.public_key().verify(
        raw,
        b"1703123456789GET/trade-api/v2/portfolio/balance",
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
        hashes.SHA256(),
    )


def test_ed25519_signature_is_plain_over_the_same_message(ed_key: ed25519.Ed25519PrivateKey) -> None:
    signer = KalshiSigner.from_pem(KEY_ID, _pem(ed_key))
    headers = signer.headers("POST", "/trade-api/v2/portfolio/events/orders", timestamp_ms=42)
    ed_key.public_key().verify(
        base64.b64decode(headers["KALSHI-ACCESS-SIGNATURE"]), b"42POST/trade-api/v2/portfolio/events/orders"
    )
    assert signer.algorithm == "Ed25519"


@pytest.mark.parametrize("which", ["rsa", "ed25519"])
def test_verifier_accepts_the_signed_request_and_rejects_any_alteration(
    which: str, rsa_key: rsa.RSAPrivateKey, ed_key: ed25519.Ed25519PrivateKey
) -> None:
    key = rsa_key if which == "rsa" else ed_key
    signer = KalshiSigner(KEY_ID, key)
    public = key.public_key()
    h = signer.headers("GET", BALANCE_PATH, timestamp_ms=1000)
    sig = h["KALSHI-ACCESS-SIGNATURE"]
    assert verify_signature(public, "1000", "GET", BALANCE_PATH, sig)
    assert not verify_signature(public, "1000", "GET", "/trade-api/v2/portfolio/orders", sig)
    assert not verify_signature(public, "1000", "POST", BALANCE_PATH, sig)
    assert not verify_signature(public, "1001", "GET", BALANCE_PATH, sig)
    assert not verify_signature(public, "1000", "GET", "/portfolio/balance", sig)  # prefix left out
    assert not verify_signature(public, "1000", "GET", BALANCE_PATH, "not base64!")


def test_each_call_gets_a_fresh_timestamp(rsa_key: rsa.RSAPrivateKey) -> None:
    ticks = iter([1000, 2000])
    signer = KalshiSigner(KEY_ID, rsa_key, clock_ms=lambda: next(ticks))
    first, second = signer.headers("GET", BALANCE_PATH), signer.headers("GET", BALANCE_PATH)
    assert (first["KALSHI-ACCESS-TIMESTAMP"], second["KALSHI-ACCESS-TIMESTAMP"]) == ("1000", "2000")


def test_repr_and_errors_never_show_key_material(rsa_key: rsa.RSAPrivateKey, tmp_path: Path) -> None:
    pem = _pem(rsa_key).decode()
    signer = KalshiSigner.from_pem(KEY_ID, pem)
    body_line = pem.splitlines()[1]
    assert body_line not in repr(signer) and body_line not in str(signer)
    assert "RSA-PSS" in repr(signer)
    broken = pem.replace(body_line, body_line[::-1])
    with pytest.raises(AuthError) as caught:
        load_private_key_pem(broken, source="KALSHI_BOTS_KALSHI_PRIVATE_KEY_PEM")
    assert "KALSHI_BOTS_KALSHI_PRIVATE_KEY_PEM" in str(caught.value)
    assert body_line[::-1] not in str(caught.value) and body_line not in str(caught.value)
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(signer)


def test_key_file_errors_name_the_path_and_the_reason(tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    with pytest.raises(AuthError, match=rf"cannot read Kalshi private key file {missing}: No such file"):
        load_private_key_file(missing)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("-----BEGIN " + "PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    with pytest.raises(
        AuthError, match=rf"cannot read Kalshi private key file {garbage}: not an unencrypted PEM"
    ):
        load_private_key_file(garbage)
    ec_file = tmp_path / "ec.pem"
    ec_file.write_bytes(_pem(ec.generate_private_key(ec.SECP256R1())))
    with pytest.raises(AuthError, match=r"key type \w+ is not supported \(only RSA and Ed25519\)"):
        load_private_key_file(ec_file)


def test_key_file_round_trip_signs_accepted_requests(
    rsa_key: rsa.RSAPrivateKey, tmp_path: Path, fake: FakeKalshi, make_client: Callable[..., KalshiClient]
) -> None:
    path = tmp_path / "kalshi.pem"
    path.write_bytes(_pem(rsa_key))
    client = make_client(KalshiSigner.from_file(KEY_ID, path))
    assert client.balance() == 100


def test_fake_accepts_an_ed25519_key_end_to_end(
    ed_key: ed25519.Ed25519PrivateKey, fake: FakeKalshi, make_client: Callable[..., KalshiClient]
) -> None:
    fake.register_key("ed-key", ed_key.public_key())
    assert make_client(KalshiSigner("ed-key", ed_key)).balance() == 100


def _raw_get(fake: FakeKalshi, path: str, headers: dict[str, str], method: str = "GET") -> httpx.Response:
    return httpx.request(method, fake.server.url + path, headers=headers, timeout=5)


def test_fake_rejects_altered_path_method_and_stale_timestamp(fake: FakeKalshi, signer: KalshiSigner) -> None:
    good = signer.headers("GET", BALANCE_PATH)
    assert _raw_get(fake, BALANCE_PATH, good).status_code == 200
    assert _raw_get(fake, BALANCE_PATH + "?exchange_index=2", good).status_code == 200  # query not signed

    other_path = signer.headers("GET", "/trade-api/v2/portfolio/orders")
    reply = _raw_get(fake, BALANCE_PATH, other_path)
    assert reply.status_code == 401 and reply.json()["error"]["message"] == "invalid signature"

    signed_as_post = signer.headers("POST", "/trade-api/v2/portfolio/fills")
    assert _raw_get(fake, "/trade-api/v2/portfolio/fills", signed_as_post).status_code == 401

    stale = signer.headers("GET", BALANCE_PATH, timestamp_ms=time.time_ns() // 1_000_000 - 6000)
    reply = _raw_get(fake, BALANCE_PATH, stale)
    assert reply.status_code == 401 and "stale timestamp" in reply.json()["error"]["message"]

    retimed = dict(good, **{"KALSHI-ACCESS-TIMESTAMP": str(int(good["KALSHI-ACCESS-TIMESTAMP"]) + 1)})
    assert _raw_get(fake, BALANCE_PATH, retimed).status_code == 401

    assert _raw_get(fake, BALANCE_PATH, {}).status_code == 401
    unknown = dict(good, **{"KALSHI-ACCESS-KEY": "someone-else"})
    assert _raw_get(fake, BALANCE_PATH, unknown).status_code == 401


def test_client_with_a_key_the_exchange_does_not_know_gets_auth_error(
    make_client: Callable[..., KalshiClient],
) -> None:
    stranger = KalshiSigner(KEY_ID, rsa.generate_private_key(public_exponent=65537, key_size=2048))
    with pytest.raises(AuthError, match="HTTP 401 on GET /trade-api/v2/portfolio/balance"):
        make_client(stranger).balance()


def test_account_calls_without_a_signer_say_which_setting_to_configure(
    make_client: Callable[..., KalshiClient], fake: FakeKalshi
) -> None:
    client = make_client(None)
    for call in (client.balance, lambda: client.find_order("x", "T")):
        with pytest.raises(AuthError, match="KALSHI_BOTS_KALSHI_API_KEY_ID"):
            call()
    assert fake.server.requests == []  # nothing unsigned was sent


def test_fake_issues_keys_for_sandbox_clients(
    fake: FakeKalshi, make_client: Callable[..., KalshiClient]
) -> None:
    pem = fake.issue_key("sandbox-key")
    assert pem.startswith("-----BEGIN " + "PRIVATE KEY-----")
    assert make_client(KalshiSigner.from_pem("sandbox-key", pem)).balance() == 100
    other = KalshiSigner.from_pem("sandbox-key", FakeKalshi().issue_key("sandbox-key"))
    with pytest.raises(AuthError):
        make_client(other).balance()  # a key issued by another fake is not accepted here
