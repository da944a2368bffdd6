"""`kalshi-bots export snapshots` and `kalshi-bots scorecard`: arguments, output, one-line errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from kalshi_bots.adapters.snapshot_csv import read_snapshot_csv
from kalshi_bots.adapters.store.sqlite import SqliteStore
from kalshi_bots.domain.market_snapshot import EventResult, MarketSnapshot, StrikeQuote, Trigger
from kalshi_bots.domain.models import Bot
from kalshi_bots.entrypoints.cli import main
from kalshi_bots.entrypoints.cli_edge import parse_when

D = Decimal
AT = datetime(2026, 11, 24, 14, 45, tzinfo=UTC)
EVENT = "KXBTCD-26NOV2410"


@pytest.fixture
def environ(tmp_path: Path) -> dict[str, str]:
    return {"KALSHI_BOTS_SQLITE_PATH": str(tmp_path / "k.db"), "KALSHI_BOTS_LOG_LEVEL": "WARNING"}


def record(environ: dict[str, str]) -> None:
    store = SqliteStore(environ["KALSHI_BOTS_SQLITE_PATH"])
    quote = StrikeQuote(
        f"{EVENT}-T100249.99",
        "greater",
        D("100249.99"),
        None,
        D("0.18"),
        D("0.20"),
        D("0.80"),
        D("0.82"),
        D(3),
        D(4),
        0.9,
        True,
    )
    for trigger in Trigger:
        store.put_snapshot(
            MarketSnapshot(
                AT,
                AT,
                trigger,
                Bot.BTC_HOURLY,
                "paper",
                "KXBTCD",
                EVENT,
                AT + timedelta(minutes=15),
                (quote,),
                spot=D(100000),
                spot_time=AT,
            )
        )
    store.put_event_result(EventResult(EVENT, "KXBTCD", AT + timedelta(minutes=15), ((quote.ticker, "no"),)))
    store.close()


def test_both_commands_have_help(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["export", "--help"], ["export", "snapshots", "--help"], ["scorecard", "--help"]):
        assert main(argv) == 0
    assert "--since" in capsys.readouterr().out


def test_export_writes_the_v1_csv_to_a_file_or_stdout(
    environ: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record(environ)
    out = tmp_path / "snap.csv"
    argv = ["export", "snapshots", "--since", "2026-11-24", "--until", "2026-11-25T00:00Z", "--out", str(out)]
    assert main(argv, environ) == 0
    rows = read_snapshot_csv(out)
    assert [(r.trigger, r.result, r.no_ask.size) for r in rows] == [
        ("decision", "no", 3),
        ("minute", "no", 3),
    ]
    assert main([*argv[:6], "--trigger", "minute"], environ) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("schema_version,snapshot_time,trigger") and len(printed) == 2


def test_export_refuses_bad_times_in_one_line(
    environ: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "snapshots", "--since", "yesterday"], environ) == 2
    assert "--since 'yesterday' is not a date or time" in capsys.readouterr().err
    assert main(["export", "snapshots", "--since", "2026-11-24T10:00"], environ) == 2
    assert "has no UTC offset" in capsys.readouterr().err
    assert main(["export", "snapshots", "--since", "2026-11-24", "--until", "2026-11-23"], environ) == 2
    assert "must be after --since" in capsys.readouterr().err
    assert main(["export", "snapshots", "--since", "2026-11-24", "--format", "parquet"], environ) == 2


def test_parse_when_reads_dates_as_utc_midnight_and_times_in_any_offset() -> None:
    assert parse_when("2026-11-24", "--since") == datetime(2026, 11, 24, tzinfo=UTC)
    assert parse_when("2026-11-24T09:45-05:00", "--since") == AT.replace(minute=45)


def test_scorecard_prints_lines_and_json(environ: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    record(environ)
    assert main(["scorecard", "--json", "--days", "3650"], environ) == 0
    payload = json.loads(capsys.readouterr().out)
    assert [b["bot"] for b in payload["bots"]] == ["btc-hourly", "eth-hourly", "weather"]
    total = payload["bots"][0]["total"]
    assert total["decisions"] == 1 and total["contracts"] == 1 and total["decisions_recorded"] == 1
    assert main(["scorecard", "--days", "3650", "--bot", "weather"], environ) == 0
    text = capsys.readouterr().out
    assert "weather:" in text and "(nothing recorded)" in text and "btc-hourly" not in text
    assert "edge gate: not applied in paper mode" in text


def test_scorecard_refuses_a_period_of_no_days(
    environ: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scorecard", "--days", "0"], environ) == 2
    assert "--days must be at least 1" in capsys.readouterr().err


def test_the_recorder_runs_as_a_job(environ: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    # At :30 the recorder has nothing to do: no network is touched, the run is claimed and recorded.
    assert main(["job", "record-market", "--at", "2026-11-24T14:30:00Z"], environ) == 0
    assert "record-market @ 2026-11-24 14:30Z: ok (nothing_to_record)" in capsys.readouterr().out
