"""Cold-start import cost of the Lambda handlers, and the artifact size.

Each figure is the median over fresh interpreters (``python -X importtime``; the cumulative time of
the top-level imports, plus wall time of the whole process minus ``python -c pass``):

* the handler module alone (what Lambda's init phase imports);
* everything the first invocation imports: the job runner, settings, bootstrap (adapters, httpx,
  pydantic, cryptography) and boto3, plus creating one DynamoDB client (target <= 0.6 s).

Then the unzipped size of ``build/lambda.zip`` if ``make package`` has been run (target <= 20 MB;
boto3 is not in it, the runtime provides it).

Run: ``.venv/bin/python bench/bench_cold_import.py``
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

RUNS = 5
ROOT = Path(__file__).resolve().parent.parent

HANDLER = "import kalshi_bots.entrypoints.aws_lambda"
RUNNER = HANDLER + ", kalshi_bots.app.runner"
# What build_deps imports on the first invocation (it imports adapters lazily, so name them here).
ADAPTERS = (
    RUNNER + ", kalshi_bots.config, kalshi_bots.bootstrap, kalshi_bots.entrypoints.logs,"
    " kalshi_bots.adapters.store.dynamodb, kalshi_bots.adapters.kalshi.client,"
    " kalshi_bots.adapters.kalshi.auth, kalshi_bots.adapters.coinbase.client,"
    " kalshi_bots.adapters.nws, kalshi_bots.adapters.paper,"
    " kalshi_bots.app.alerts, kalshi_bots.adapters.webhook"  # the after-run watcher and its notifier
)
CASES: dict[str, str] = {
    "handler module (init phase)": HANDLER,
    "+ job runner and every job": RUNNER,
    "+ settings, bootstrap, adapters (httpx, pydantic, cryptography)": ADAPTERS,
    "+ boto3 and a DynamoDB client (= first invocation)": ADAPTERS
    + "; import boto3; boto3.client('dynamodb')",
}


def importtime_ms(stderr: str) -> float:
    """Sum of the cumulative times of top-level imports (``-X importtime`` lines at depth 0)."""
    total_us = 0
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self_us, cumulative, name = line.split("|")
        if name.startswith("  "):
            continue  # nested import, already counted in its parent's cumulative time
        total_us += int(cumulative.strip())
    return total_us / 1000


def run(code: str) -> tuple[float, float]:
    env = dict(os.environ, AWS_DEFAULT_REGION="us-east-1", PYTHONDONTWRITEBYTECODE="1")
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, env=env, check=False
    )
    wall = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        raise SystemExit(f"failed: {code}\n{done.stderr[-2000:]}")
    return importtime_ms(done.stderr), wall


def main() -> None:
    baseline = [run("pass") for _ in range(RUNS)]
    base_imp = statistics.median(s[0] for s in baseline)
    base = statistics.median(s[1] for s in baseline)
    print(f"python {sys.version.split()[0]}, median of {RUNS} fresh interpreters")
    print(f"baseline `python -c pass`: {base:.0f} ms wall, {base_imp:.0f} ms of startup imports (subtracted)")
    print(f"{'what is imported':62} {'importtime ms':>14} {'wall - base ms':>15}")
    for label, code in CASES.items():
        samples = [run(code) for _ in range(RUNS)]
        imp = statistics.median(s[0] for s in samples) - base_imp
        wall = statistics.median(s[1] for s in samples) - base
        print(f"{label:62} {imp:14.0f} {wall:15.0f}")
    artifact = ROOT / "build" / "lambda.zip"
    if artifact.is_file():
        with zipfile.ZipFile(artifact) as archive:
            infos = archive.infolist()
        unzipped = sum(i.file_size for i in infos)
        by_top: dict[str, int] = {}
        for info in infos:
            top = info.filename.split("/", 1)[0]
            by_top[top] = by_top.get(top, 0) + info.file_size
        print(
            f"\n{artifact.relative_to(ROOT)}: {unzipped / 1e6:.1f} MB unzipped, "
            f"{artifact.stat().st_size / 1e6:.1f} MB zipped, {len(infos)} files (no boto3)"
        )
        for top, size in sorted(by_top.items(), key=lambda kv: -kv[1])[:6]:
            print(f"  {top:48} {size / 1e6:6.1f} MB")
    else:
        print("\nbuild/lambda.zip not found: run `make package` to measure the artifact size")


if __name__ == "__main__":
    main()
