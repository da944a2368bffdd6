"""The recorder's round trip, over real HTTP against the sandbox fakes on a fixed clock:
record an hour (the :45 decision and every minute :45-:59) -> the event settles -> the recorder stores
the result -> ``kalshi-bots export snapshots`` -> ``kalshi-bots backtest quotes --recorder`` scores it.
Then the scorecard and the edge gate read the same records."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kalshi_bots.adapters.clock import ManualClock
from kalshi_bots.adapters.snapshot_csv import read_snapshot_csv
from kalshi_bots.adapters.store.sqlite import SqliteStore
from kalshi_bots.app.results import Outcome
from kalshi_bots.app.runner import run_job
from kalshi_bots.app.schedule import JobName
from kalshi_bots.app.scorecard import scorecard
from kalshi_bots.bootstrap import build_deps
from kalshi_bots.config import Settings
from kalshi_bots.domain.market_snapshot import Trigger
from kalshi_bots.domain.markets import hourly_target
from kalshi_bots.domain.models import Asset, Bot
from kalshi_bots.entrypoints.cli import main
from kalshi_bots.sandbox.launch import Sandbox

pytestmark = pytest.mark.slow

HOUR = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # 09:00 EST; the :45 decision targets KXBTCD-26NOV2410
TARGET = hourly_target(Asset.BTC, HOUR + timedelta(minutes=45))
STEP = timedelta(seconds=5)  # each minute's jobs run 5 s in, as the scheduler's would


def env_for(sandbox: Sandbox, db: Path) -> dict[str, str]:
    urls = sandbox.urls
    return {
        "KALSHI_BOTS_SQLITE_PATH": str(db),
        "KALSHI_BOTS_KALSHI_BASE_URL": urls.kalshi,
        "KALSHI_BOTS_COINBASE_BASE_URL": urls.coinbase,
        "KALSHI_BOTS_NWS_BASE_URL": urls.nws,
        "KALSHI_BOTS_LOG_LEVEL": "WARNING",
    }


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One recorded hour and the next hour's :45 (which settles it), then the export file."""
    folder = tmp_path_factory.mktemp("roundtrip")
    db, csv_path = folder / "rec.db", folder / "snapshots.csv"
    clock = ManualClock(HOUR + timedelta(minutes=44))
    with Sandbox(clock=clock.now) as world:
        env = env_for(world, db)
        deps = build_deps(Settings.from_env(env), clock=clock)
        results = []

        def minute(at: datetime, *jobs: JobName) -> None:
            clock.set(at + STEP)
            world.advance(clock.now())
            for job in jobs:
                results.append(run_job(deps, job, at))

        minute(HOUR + timedelta(minutes=44), JobName.COLLECT_BTC)
        for m in range(45, 60):
            jobs = [JobName.COLLECT_BTC, JobName.RECORD_MARKET]
            if m == 45:
                jobs.append(JobName.TRADE_BTC)
            minute(HOUR + timedelta(minutes=m), *jobs)
        for m in range(60, 105):  # the close at 15:00 (the fake settles at the spot), then the next :45
            minute(HOUR + timedelta(minutes=m), JobName.COLLECT_BTC)
        minute(HOUR + timedelta(minutes=105), JobName.COLLECT_BTC, JobName.RECORD_MARKET)
        code = main(
            ["export", "snapshots", "--since", "2026-11-24", "--until", "2026-11-25", "--out", str(csv_path)],
            environ=env,
        )
        assert code == 0
    return {"env": env, "db": db, "csv": csv_path, "results": results, "clock": clock}


def test_every_run_succeeded_and_the_recorder_settled_the_hour(recorded: dict[str, object]) -> None:
    results = recorded["results"]
    assert isinstance(results, list)
    bad = [
        (r.job, r.scheduled_for, r.outcome, r.reason, r.detail) for r in results if r.outcome is Outcome.ERROR
    ]
    assert bad == []
    last = results[-1]
    assert last.job == "record-market" and TARGET.event_ticker in last.data["settled"]


def test_the_export_is_schema_v1_with_every_strike_of_every_snapshot_and_the_results(
    recorded: dict[str, object],
) -> None:
    path = recorded["csv"]
    assert isinstance(path, Path)
    rows = read_snapshot_csv(path)  # the quotes backtest's own reader: every cell valid
    hour = [r for r in rows if r.event_ticker == TARGET.event_ticker]
    times = sorted({(r.trigger, r.snapshot_time) for r in hour})
    assert (
        len([t for t in times if t[0] == "minute"]) == 15
        and len([t for t in times if t[0] == "decision"]) == 1
    )
    strikes = {r.market_ticker for r in hour}
    assert len(strikes) == 21 and all(
        len([r for r in hour if (r.trigger, r.snapshot_time) == key]) == 21 for key in times
    )
    assert {r.result for r in hour} <= {"yes", "no"} and {"yes", "no"} <= {r.result for r in hour}
    for r in hour:
        assert r.spot is not None and r.spot_time is not None
        assert 0 <= (r.snapshot_time - r.spot_time).total_seconds() <= 60
        assert r.model_p_no is not None and r.vol_model == "ewma-t" and r.yes_ask.price is not None
        assert 0 < r.seconds_left <= 15 * 60
    with path.open(newline="") as handle:
        assert next(csv.reader(handle))[0] == "schema_version"


def test_backtest_quotes_scores_the_export(recorded: dict[str, object], tmp_path: Path) -> None:
    out = tmp_path / "quotes"
    code = main(["backtest", "quotes", "--recorder", str(recorded["csv"]), "--out", str(out), "--no-report"])
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text())
    source = next(iter(metrics["rows_read"]))
    assert source == "recorder"
    # 16 snapshots x 21 strikes of the settled hour are scored; the next hour's one has no result yet.
    assert metrics["rows_scored"] == 16 * 21
    assert metrics["dropped"][source] == {"outcome_unknown": 21}
    comparison = metrics["model_vs_market_ask"]
    assert comparison["model"]["n"] == 16 * 21 and comparison["market"]["n"] == 16 * 21
    scored = list(csv.DictReader((out / "quotes.csv").open()))
    exported = {
        (r.market_ticker, r.snapshot_time.isoformat()): r
        for r in read_snapshot_csv(recorded["csv"])  # type: ignore[arg-type]
    }
    for row in scored[:40]:  # the recorder's own P(NO) is what is scored
        source_row = exported[(row["ticker"], row["time"])]
        p_no = source_row.model_p_no
        assert p_no is not None
        expected = p_no if row["side"] == "no" else 1 - p_no
        assert float(row["model_p"]) == pytest.approx(expected, abs=1e-6)


def test_the_scorecard_reads_the_recorded_decision(recorded: dict[str, object]) -> None:
    store = SqliteStore(str(recorded["db"]))
    clock = recorded["clock"]
    assert isinstance(clock, ManualClock)
    card = scorecard(store, store, now=clock.now(), days=7)
    btc = card.bot(Bot.BTC_HOURLY)
    assert btc is not None
    [decision] = store.snapshots_between(HOUR, HOUR + timedelta(hours=1), Trigger.DECISION)
    assert decision.mode == "paper" and len(decision.looked_at) == 1
    assert btc.total.decisions_recorded == 1 and btc.total.decisions == 1 and btc.total.contracts == 1
    assert btc.total.model_log_loss is not None and btc.total.market_log_loss is not None


def test_the_scorecard_command_prints_and_the_gate_line_explains_the_mode(
    recorded: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    env = recorded["env"]
    assert isinstance(env, dict)
    assert main(["scorecard", "--json", "--days", "3650"], environ=env) == 0
    payload = json.loads(capsys.readouterr().out)
    [btc] = [b for b in payload["bots"] if b["bot"] == "btc-hourly"]
    assert btc["total"]["decisions"] == 1 and btc["weeks"][0]["week"] == "2026-W48"
    assert main(["scorecard", "--days", "3650", "--bot", "btc-hourly"], environ=env) == 0
    text = capsys.readouterr().out
    assert "btc-hourly:" in text and "2026-W48" in text and "edge gate: not applied in paper mode" in text
