"""Defect 7: key material is never echoed, and a key file others can read never signs live orders.

Keys are generated at test time (never committed). Through the CLI as a user meets it, and through
the signer the composition root builds."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from kalshi_bots.adapters.kalshi.auth import KalshiSigner
from kalshi_bots.bootstrap import kalshi_client
from kalshi_bots.config import ConfigError, Settings
from kalshi_bots.entrypoints.cli import main
from kalshi_bots.ports.errors import AuthError

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


@pytest.fixture(scope="module")
def pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def key_file(tmp_path: Path, pem: str, mode: int) -> Path:
    path = tmp_path / "kalshi.pem"
    path.write_text(pem)
    path.chmod(mode)
    return path


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {"KALSHI_BOTS_SQLITE_PATH": str(tmp_path / "s.db"), "KALSHI_BOTS_LOG_LEVEL": "WARNING"}
    return env | {f"KALSHI_BOTS_{k}": v for k, v in extra.items()}


def assert_no_key_material(text: str, pem: str) -> None:
    assert "BEGIN" not in text and "PRIVATE KEY" not in text, text
    for line in pem.splitlines()[1:-1]:
        assert line not in text, "a line of the key body was echoed"


@pytest.mark.parametrize(
    "variable", ["KALSHI_PRIVATE_KEY_PATH", "KALSHI_API_KEY_ID", "NWS_CONTACT", "API_HOST"]
)
def test_pem_pasted_into_a_setting_is_refused_without_being_echoed(tmp_path, pem, variable, capsys):
    env = base_env(tmp_path, MODE="demo", KALSHI_API_KEY_ID="kid", KALSHI_PRIVATE_KEY_PATH=str(tmp_path))
    env[f"KALSHI_BOTS_{variable}"] = pem
    assert main(["settings"], env) == 2
    err = capsys.readouterr().err
    assert f"KALSHI_BOTS_{variable}=" in err and "looks like" in err
    assert_no_key_material(err, pem)


def test_a_key_body_without_its_armour_is_not_echoed_either(tmp_path, pem, capsys):
    body = "".join(pem.splitlines()[1:-1])
    env = base_env(tmp_path, MODE="demo", KALSHI_API_KEY_ID="kid", KALSHI_PRIVATE_KEY_PATH=body)
    assert main(["status"], env) == 2
    assert_no_key_material(capsys.readouterr().err, pem)


def test_the_path_hint_says_where_the_key_belongs(tmp_path, pem):
    with pytest.raises(ConfigError) as failed:
        Settings.from_env(
            base_env(tmp_path, MODE="demo", KALSHI_API_KEY_ID="kid", KALSHI_PRIVATE_KEY_PATH=pem)
        )
    assert "KALSHI_BOTS_KALSHI_PRIVATE_KEY_PEM" in str(failed.value)
    assert_no_key_material(str(failed.value), pem)


@posix_only
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_live_mode_refuses_a_key_file_others_can_access(tmp_path, pem, mode, capsys):
    path = key_file(tmp_path, pem, mode)
    env = base_env(tmp_path, MODE="live", LIVE_CONFIRM="yes", KALSHI_API_KEY_ID="kid")
    env["KALSHI_BOTS_KALSHI_PRIVATE_KEY_PATH"] = str(path)
    assert main(["status"], env) == 2
    err = capsys.readouterr().err
    assert f"mode {mode:04o}" in err and f"chmod 600 {path}" in err
    path.chmod(0o600)
    assert Settings.from_env(env).kalshi_private_key_path == path


@posix_only
def test_the_signer_for_live_money_refuses_a_shared_key_file_too(tmp_path, pem):
    # Settings can be built by hand (tests, tools): the composition root checks again when it loads the key.
    path = key_file(tmp_path, pem, 0o644)
    settings = Settings(mode="live", live_confirm=True, kalshi_api_key_id="kid", kalshi_private_key_path=path)
    with pytest.raises(AuthError, match="chmod 600"):
        kalshi_client(settings, signed=True)
    with pytest.raises(AuthError, match="group or others"):
        KalshiSigner.from_file("kid", path, refuse_shared=True)


@posix_only
def test_demo_mode_accepts_a_shared_key_file_with_a_warning(tmp_path, pem, caplog):
    path = key_file(tmp_path, pem, 0o644)
    env = base_env(tmp_path, MODE="demo", KALSHI_API_KEY_ID="kid", KALSHI_PRIVATE_KEY_PATH=str(path))
    settings = Settings.from_env(env)
    with caplog.at_level(logging.WARNING):
        client = kalshi_client(settings, signed=True)
    client.close()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "chmod 600" in str(r.__dict__)]
    assert warnings, caplog.records
    caplog.clear()
    path.chmod(0o600)
    with caplog.at_level(logging.WARNING):
        kalshi_client(settings, signed=True).close()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_pasted_key_never_reaches_the_signer_error_either(tmp_path, pem):
    with pytest.raises(AuthError) as failed:
        KalshiSigner.from_file("kid", pem)
    assert_no_key_material(str(failed.value), pem)
