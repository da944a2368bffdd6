"""Cold-start imports of every Lambda handler, measured from the unzipped artifact, and its size.

What a cold container pays before its first invocation does any work: importing the handler module
(Lambda's init phase) plus everything the first invocation imports (settings, the store's boto3
client, the adapters the job uses, the job's own modules). Each figure is the CPU time
(user + sys: what a 256 MB Lambda's fraction of a vCPU has to work through, and a figure that other
load on a shared machine does not inflate) of the imports, median over fresh ``python3.12``
processes whose only paths are the unzipped artifact and a copy of what the Lambda
runtime provides (boto3), once with the artifact's precompiled bytecode and once with its
``__pycache__`` folders removed (what every cold start paid before ``make package`` compiled them;
``python -B`` stands in for Lambda's read-only ``/var/task``).

The Lambda artifact is arm64; this machine may not be, so the bench builds the same lock for the
host platform (``build/bench/``) with ``kalshi_bots.entrypoints.package`` (needs PyPI the first time).
Target: every handler under 0.5 s with bytecode, on this machine.

Run: ``.venv/bin/python bench/bench_cold_import.py [--runs N] [--baseline GIT_REF]``; ``--baseline``
also measures our package as of an older commit (same dependencies, no bytecode), interleaved.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "build" / "bench"
TARGET_MS = 500.0
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil", "six")

# Handler attribute -> (the function's environment: the template's, parameters at their defaults;
# the adapters its job calls, which the handler builds on first use; the modules its first call
# imports on use: the job's own module (the runner imports each job's module when it first runs it;
# a trading run, weather included, ends with a reconcile pass), the Kalshi client behind the paper
# exchange's market data, the alert watcher built after each watched run). Reconcile counts the
# Kalshi client too: with anything open it asks for market results. Collectors and cleanup are not
# watched on DynamoDB, so they never load the alert watcher; webhooks are off by default
# (AlertWebhooks empty). The API's SSM token read is left out: it is a network call, not an import.
PAPER = {"KALSHI_BOTS_MODE": "paper"}
KALSHI = "kalshi_bots.adapters.kalshi.client"
ALERTS = "kalshi_bots.app.alerts"
COLLECT = "kalshi_bots.app.collect_prices"
RECONCILE = "kalshi_bots.app.reconcile"
TRADE = ("kalshi_bots.app.trade_hourly", RECONCILE, KALSHI, ALERTS)
HANDLERS: dict[str, tuple[dict[str, str], tuple[str, ...], tuple[str, ...]]] = {
    "collect_prices_btc": (PAPER, ("prices",), (COLLECT,)),
    "collect_prices_eth": (PAPER, ("prices",), (COLLECT,)),
    "trade_hourly_btc": (PAPER, ("exchange", "prices"), TRADE),
    "trade_hourly_eth": (PAPER | {"KALSHI_BOTS_TRADE_ETH": "yes"}, ("exchange", "prices"), TRADE),
    "cleanup": (PAPER, (), ("kalshi_bots.app.cleanup",)),
    "weather": (
        PAPER | {"KALSHI_BOTS_NWS_CONTACT": "bench@example.com"},
        ("exchange", "weather"),
        ("kalshi_bots.app.weather_job", RECONCILE, KALSHI, ALERTS),
    ),
    "reconcile": (PAPER, ("exchange",), (RECONCILE, KALSHI, ALERTS)),
    "volatility_api": (PAPER, (), ("kalshi_bots.entrypoints.volatility_view",)),
}

# Runs in the fresh process: the init phase, then what the first invocation imports before it talks
# to anything (the runner and its jobs, the adapters and modules listed above).
PROBE = """
import importlib, importlib.util, json, sys, time
sys.path[:0] = sys.argv[2:4]  # /var/task, then the runtime's own packages (as on Lambda)
wall, cpu = time.perf_counter(), time.process_time()
import kalshi_bots.entrypoints.aws_lambda as handlers
handler = getattr(handlers, sys.argv[1])
init_cpu = time.process_time()
deps = handlers.CONTAINER.deps()
for name in filter(None, sys.argv[4].split(",")):
    adapter = getattr(deps, name)  # a deferred adapter, built as the job's first call would
    getattr(adapter, "resolve", lambda: None)()  # (--baseline: built already)
import kalshi_bots.app.runner
for module in filter(None, sys.argv[5].split(",")):
    if sys.argv[6] == "strict" or importlib.util.find_spec(module) is not None:
        importlib.import_module(module)  # (a --baseline may predate a module: it then costs nothing)
done_cpu, done_wall = time.process_time(), time.perf_counter()
heavy = sorted(m for m in ("pydantic", "httpx", "cryptography", "boto3", "sqlite3") if m in sys.modules)
print(json.dumps({"init_ms": (init_cpu - cpu) * 1e3, "total_ms": (done_cpu - cpu) * 1e3,
                  "wall_ms": (done_wall - wall) * 1e3, "loaded": heavy}))
"""


def host_platform() -> str:
    machine = platform.machine()
    return {"x86_64": "manylinux2014_x86_64", "aarch64": "manylinux2014_aarch64"}.get(machine, machine)


def lock_blocks(lock: Path, names: tuple[str, ...]) -> str:
    """The entries (pin and hashes) of ``names`` from a pip lock file."""
    wanted = {n.lower() for n in names}
    out, keep = [], False
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            keep = re.split(r"[=<>; ]", line, maxsplit=1)[0].lower() in wanted
        if keep:
            out.append(line)
    return "\n".join(out) + "\n"


def prepare(python: str, work: Path) -> tuple[Path, Path, Path]:
    """(task dir with bytecode, task dir without, runtime dir with boto3) for the host platform."""
    sys.path.insert(0, str(ROOT / "src"))
    from kalshi_bots.entrypoints import package

    artifact = BENCH_DIR / f"lambda-{platform.machine()}.zip"
    report = package.build(
        artifact,
        platform=host_platform(),
        python_version=package.DEFAULT_PYTHON,
        lock=ROOT / package.DEFAULT_LOCK,
        bytecode_python=python,
    )
    print(report.summary())
    runtime = BENCH_DIR / f"runtime-{platform.machine()}"
    if not (runtime / "boto3").is_dir():
        pins = work / "runtime.txt"
        pins.write_text(lock_blocks(ROOT / "requirements" / "dev.txt", RUNTIME_PROVIDED))
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--require-hashes", "--no-deps",
             "--only-binary=:all:", "--platform", host_platform(), "--python-version",
             package.DEFAULT_PYTHON, "--target", str(runtime), "-r", str(pins)],
            check=True,
        )  # fmt: skip
        subprocess.run([python, "-m", "compileall", "-q", str(runtime)], check=True)
    with_bytecode, without = work / "task", work / "task-no-bytecode"
    with zipfile.ZipFile(artifact) as archive:
        archive.extractall(with_bytecode)
    shutil.copytree(with_bytecode, without, ignore=shutil.ignore_patterns("__pycache__"))
    return with_bytecode, without, runtime


def measure(
    python: str, task: Path, runtime: Path, handler: str, *, strict: bool = True
) -> dict[str, object]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_LAMBDA_FUNCTION_NAME": handler,
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_EC2_METADATA_DISABLED": "true",
        "KALSHI_BOTS_STORE": "dynamodb",
        "PYDANTIC_DISABLE_PLUGINS": "__all__",  # as the template's Globals set it
        **HANDLERS[handler][0],
    }
    done = subprocess.run(
        # -B: /var/task is read-only, so nothing compiled in one run is cached for the next.
        [
            python,
            "-B",
            "-E",
            "-s",
            "-c",
            PROBE,
            handler,
            str(task),
            str(runtime),
            ",".join(HANDLERS[handler][1]),
            ",".join(HANDLERS[handler][2]),
            "strict" if strict else "lenient",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{handler} failed to import:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def baseline_task(ref: str, deps: Path, work: Path) -> Path:
    """The same dependencies with ``kalshi_bots`` as of git ``ref``, no bytecode: how a cold start
    looked before this artifact's changes (same machine, same moment: a fair ratio)."""
    task = work / f"task-{ref}"
    shutil.copytree(deps, task, ignore=shutil.ignore_patterns("__pycache__", "kalshi_bots"))
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "src/kalshi_bots"], capture_output=True, check=True
    ).stdout
    extracted = work / f"src-{ref}"
    extracted.mkdir()
    subprocess.run(["tar", "-x", "-C", str(extracted)], input=archive, check=True)
    shutil.move(str(extracted / "src" / "kalshi_bots"), str(task / "kalshi_bots"))
    return task


def summary(samples: list[dict[str, object]], key: str = "total_ms") -> tuple[float, float]:
    values = [float(str(s[key])) for s in samples]
    return min(values), statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--baseline", metavar="GIT_REF", help="also measure kalshi_bots as of this commit")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from kalshi_bots.entrypoints import package

    python = package.find_interpreter(package.DEFAULT_PYTHON)
    if python is None:
        raise SystemExit(f"needs a CPython {package.DEFAULT_PYTHON} interpreter (the Lambda runtime's)")
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
        task, task_plain, runtime = prepare(python, Path(tmp))
        variants = {"bytecode": task, "no bytecode": task_plain}
        if args.baseline:
            variants[args.baseline] = baseline_task(args.baseline, task_plain, Path(tmp))
        print(f"{python} ({platform.machine()}). CPU ms (user + sys) of the imports, best and median of")
        print(f"{args.runs} fresh processes per figure, variants interleaved so machine load hits all alike;")
        print("init = the handler module alone (Lambda's init phase); first call = everything before work")
        header = "".join(f" {name[:14]:>14}" for name in variants)
        print(f"{'handler':19} {'init':>5}{header}   (first call: best/median)  heavy modules loaded")
        worst = 0.0
        for handler in HANDLERS:
            samples: dict[str, list[dict[str, object]]] = {name: [] for name in variants}
            for _ in range(args.runs):
                for name, folder in variants.items():
                    samples[name].append(
                        measure(python, folder, runtime, handler, strict=name != args.baseline)
                    )
            init, _ = summary(samples["bytecode"], "init_ms")
            cells = ""
            for name in variants:
                best, median = summary(samples[name])
                cells += f" {best:6.0f}/{median:<7.0f}"
            worst = max(worst, summary(samples["bytecode"])[0])
            loaded = ", ".join(samples["bytecode"][0]["loaded"])  # type: ignore[arg-type]
            print(f"{handler:19} {init:5.0f}{cells}   {loaded}")
        verdict = "within" if worst < TARGET_MS else "OVER"
        print(
            f"slowest handler (best run, bytecode): {worst:.0f} ms, {verdict} the {TARGET_MS:.0f} ms target"
        )
    artifact = ROOT / "build" / "lambda.zip"
    if artifact.is_file():
        with zipfile.ZipFile(artifact) as archive:
            unzipped = sum(i.file_size for i in archive.infolist())
        print(
            f"{artifact.relative_to(ROOT)} (arm64): {unzipped / 1e6:.1f} MB unzipped, "
            f"{artifact.stat().st_size / 1e6:.1f} MB zipped"
        )
    else:
        print("build/lambda.zip not found: `make package` builds it (its size is reported there)")


if __name__ == "__main__":
    main()
