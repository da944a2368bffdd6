"""The composition root: settings -> job parameters and adapters, by mode and store, lazily."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from kalshi_bots.adapters.kalshi.client import KalshiClient
from kalshi_bots.adapters.paper import PaperExchange
from kalshi_bots.adapters.store.sqlite import SqliteStore
from kalshi_bots.app.alerts import RunWatcher
from kalshi_bots.bootstrap import Deferred, WeatherUnconfigured, build_deps, job_params
from kalshi_bots.config import ConfigError, Settings
from kalshi_bots.domain.models import Asset, Bot, Mode
from kalshi_bots.ports.errors import AuthError


def settings(tmp_path: Path, **values: str) -> Settings:
    env = {"KALSHI_BOTS_SQLITE_PATH": str(tmp_path / "k.db"), "KALSHI_BOTS_NWS_CONTACT": "t@example.com"}
    return Settings.from_env(env | {f"KALSHI_BOTS_{k}": v for k, v in values.items()})


def test_job_params_carry_every_trading_setting(tmp_path):
    params = job_params(
        settings(
            tmp_path,
            HOURLY_MIN_EDGE="0.04",
            HOURLY_STRIKE_DISTANCE_BPS="30",
            HOURLY_KELLY_MULTIPLIER="0.5",
            HOURLY_MAX_FRACTION="0.2",
            HOURLY_MAX_CONTRACTS="3",
            WEATHER_MIN_EDGE="0.06",
            WEATHER_MAX_CONTRACTS="2",
            WEATHER_CITIES="KXHIGHNY",
            BUDGET_GLOBAL="40",
            BUDGET_BTC_HOURLY="10",
            BUDGET_WEATHER="7.50",
            DAILY_LOSS_LIMIT="12",
            TRADE_ETH="yes",
            PRICE_RETENTION_MINUTES="240",
            MAX_PRICE_JUMP_PCT="5",
        )
    )
    assert params.mode is Mode.PAPER
    h = params.hourly
    assert (h.min_edge, h.strike_distance_bps, h.kelly_multiplier, h.max_fraction, h.max_contracts) == (
        0.04,
        30,
        0.5,
        0.2,
        3,
    )
    assert (params.weather.min_edge, params.weather.max_contracts, params.weather.cities) == (
        0.06,
        2,
        ("KXHIGHNY",),
    )
    assert params.budget.global_limit == Decimal(40)
    assert params.budget.limit_for(Bot.BTC_HOURLY) == Decimal(10)
    assert params.budget.limit_for(Bot.WEATHER) == Decimal("7.50")
    assert params.budget.daily_loss_limit == Decimal(12)
    assert params.trade_assets == (Asset.BTC, Asset.ETH)
    assert (params.price_retention_minutes, params.max_price_jump_pct) == (240, 5.0)


def test_tail_law_setting_reaches_the_hourly_bot(tmp_path):
    assert job_params(settings(tmp_path)).hourly.tail_nu == 5.0
    assert job_params(settings(tmp_path, HOURLY_TAIL_NU="8")).hourly.tail_nu == 8.0
    assert job_params(settings(tmp_path, HOURLY_TAIL_NU="0")).hourly.tail_nu is None  # spec's normal law
    with pytest.raises(ConfigError, match="KALSHI_BOTS_HOURLY_TAIL_NU"):
        settings(tmp_path, HOURLY_TAIL_NU="1.5")


def test_collector_run_claims_are_kept_locally_and_dropped_on_dynamodb(tmp_path):
    assert job_params(settings(tmp_path)).claim_collector_runs is True
    assert job_params(settings(tmp_path, STORE="dynamodb")).claim_collector_runs is False


def test_paper_mode_is_the_paper_exchange_over_sqlite(tmp_path):
    deps = build_deps(settings(tmp_path))
    assert isinstance(deps.store, SqliteStore)
    assert isinstance(deps.exchange, PaperExchange)
    assert (tmp_path / "k.db").exists()


def test_demo_mode_is_a_signed_kalshi_client_on_the_demo_host(tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path = tmp_path / "demo.pem"
    path.write_bytes(pem)
    deps = build_deps(
        settings(tmp_path, MODE="demo", KALSHI_API_KEY_ID="kid", KALSHI_PRIVATE_KEY_PATH=str(path))
    )
    assert isinstance(deps.exchange, KalshiClient)
    text = repr(deps.exchange)
    assert "external-api.demo.kalshi.co" in text and "kid" in text
    assert "PRIVATE" not in text
    from_pem = settings(tmp_path, MODE="demo", KALSHI_API_KEY_ID="kid", KALSHI_PRIVATE_KEY_PEM=pem.decode())
    assert isinstance(build_deps(from_pem).exchange, KalshiClient)


def test_each_process_gets_its_own_claim_owner(tmp_path):
    s = settings(tmp_path)
    assert build_deps(s).instance_id != build_deps(s).instance_id
    assert build_deps(s, instance_id="worker-1").instance_id == "worker-1"


def test_without_nws_contact_weather_fails_with_a_message_naming_the_variable(tmp_path):
    s = Settings.from_env({"KALSHI_BOTS_SQLITE_PATH": str(tmp_path / "k.db")})
    deps = build_deps(s)
    assert isinstance(deps.weather, WeatherUnconfigured)
    with pytest.raises(AuthError, match="KALSHI_BOTS_NWS_CONTACT"):
        deps.weather.forecast_high(40.7, -74.0, date(2026, 5, 4))


def test_the_sqlite_paper_path_never_imports_boto3(tmp_path):
    code = (
        "import sys\n"
        "from kalshi_bots.config import Settings\n"
        "from kalshi_bots.bootstrap import build_deps\n"
        f"build_deps(Settings.from_env({{'KALSHI_BOTS_SQLITE_PATH': {str(tmp_path / 'x.db')!r}}}))\n"
        "print(sorted(m for m in ('boto3', 'botocore') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_deferred_adapters_are_built_on_first_use_once(tmp_path):
    # The Lambda handlers defer: a collector's cold start never builds (nor imports) the exchange.
    deps = build_deps(settings(tmp_path), defer_adapters=True)
    for adapter in (deps.exchange, deps.prices, deps.weather):
        assert isinstance(adapter, Deferred) and not adapter.is_built
    assert "not built" in repr(deps.exchange)
    balance = deps.exchange.balance()  # any call builds it; the paper wallet answers
    assert isinstance(deps.exchange, Deferred) and deps.exchange.is_built
    assert isinstance(deps.exchange.resolve(), PaperExchange)
    assert deps.exchange.resolve() is deps.exchange.resolve()
    assert balance == deps.exchange.balance()
    assert not deps.prices.is_built  # untouched adapters stay unbuilt


def test_a_deferred_adapter_that_fails_to_build_fails_on_use_and_retries(tmp_path):
    attempts = []

    def build():
        attempts.append(1)
        if len(attempts) == 1:
            raise AuthError("kalshi", "bad key")
        return "built"

    deferred = Deferred(build)
    with pytest.raises(AuthError, match="bad key"):
        deferred.resolve()
    assert deferred.resolve() == "built" and len(attempts) == 2


def test_a_paper_cold_start_imports_neither_boto3_nor_the_signer(tmp_path):
    code = (
        "import sys\n"
        "from kalshi_bots.config import Settings\n"
        "from kalshi_bots.bootstrap import build_deps\n"
        f"s = Settings.from_env({{'KALSHI_BOTS_SQLITE_PATH': {str(tmp_path / 'x.db')!r}}})\n"
        "deps = build_deps(s, defer_adapters=True)\n"
        "deps.exchange.resolve(); deps.prices.resolve()\n"  # built, but no market data asked for yet
        "heavy = ('boto3', 'cryptography', 'kalshi_bots.adapters.nws', 'kalshi_bots.adapters.kalshi.wire')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_the_deferred_watcher_loads_alerts_only_for_a_run_it_watches(tmp_path):
    # On DynamoDB (Lambda) collectors and cleanup are not watched: their containers must never import
    # the alert watcher. A trading run builds it once and keeps its streaks as on every other path.
    code = (
        "import sys\n"
        "from datetime import datetime, UTC\n"
        "from kalshi_bots.adapters.store.sqlite import SqliteStore\n"
        "from kalshi_bots.app.results import JobResult, Outcome\n"
        "from kalshi_bots.domain.reasons import ErrorReason\n"
        "from kalshi_bots.config import Settings\n"
        "from kalshi_bots.bootstrap import build_deps\n"
        "from kalshi_bots.domain.reasons import ErrorReason\n"
        f"path = {str(tmp_path / 'k.db')!r}\n"
        "s = Settings.from_env({'KALSHI_BOTS_STORE': 'dynamodb', 'KALSHI_BOTS_SQLITE_PATH': path})\n"
        "store = SqliteStore(path)\n"
        "deps = build_deps(s, store=store, defer_adapters=True)\n"
        "at = datetime(2026, 3, 9, 14, 45, tzinfo=UTC)\n"
        "for job in ('collect-prices-btc', 'collect-prices-eth', 'cleanup'):\n"
        "    deps.after_run(JobResult(job, at, Outcome.ERROR, ErrorReason.UNEXPECTED_ERROR))\n"
        "print('kalshi_bots.app.alerts' in sys.modules, deps.after_run.is_built)\n"
        "deps.after_run(JobResult('trade-hourly-btc', at, Outcome.ERROR, ErrorReason.UNEXPECTED_ERROR))\n"
        "print('kalshi_bots.app.alerts' in sys.modules, deps.after_run.is_built)\n"
        "streak = lambda job: store.get_doc('alert-streak', job)\n"
        "print(streak('collect-prices-btc'), streak('trade-hourly-btc'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    before, after, streaks = out.stdout.strip().splitlines()
    assert before == "False False"
    assert after == "True True"
    assert streaks.startswith("None ") and '"kind": "error"' in streaks and '"count": 1' in streaks


def test_without_deferral_the_watcher_is_built_at_once_and_watches_every_job(tmp_path):
    deps = build_deps(settings(tmp_path), defer_adapters=False)
    assert isinstance(deps.after_run, RunWatcher) and deps.after_run.watch_housekeeping


# Modules a collector or cleanup cold start has no use for (issue 13: each costs its import, and
# each dataclass about a millisecond): other jobs', the scorecard's, the portfolio's, the weather
# rules', the snapshot export's.
NOT_FOR_HOUSEKEEPING = (
    "kalshi_bots.app.trade_hourly",
    "kalshi_bots.app.weather_job",
    "kalshi_bots.app.reconcile",
    "kalshi_bots.app.recorder",
    "kalshi_bots.app.edge",
    "kalshi_bots.domain.hourly_decision",
    "kalshi_bots.domain.scorecard",
    "kalshi_bots.domain.portfolio",
    "kalshi_bots.domain.weather_decision",
    "kalshi_bots.domain.cities",
    "kalshi_bots.domain.snapshot_export",
)


def test_a_housekeeping_run_imports_only_its_own_job(tmp_path):
    # The runner imports a job's module when that job runs: a cleanup run (and a collector's module)
    # must not pull in the trading jobs, the scorecard or the weather tables.
    code = (
        "import sys\n"
        "from datetime import datetime, UTC\n"
        "from kalshi_bots.config import Settings\n"
        "from kalshi_bots.bootstrap import build_deps\n"
        "from kalshi_bots.app.runner import run_job\n"
        "from kalshi_bots.app.schedule import JobName\n"
        f"s = Settings.from_env({{'KALSHI_BOTS_SQLITE_PATH': {str(tmp_path / 'x.db')!r}}})\n"
        "deps = build_deps(s, defer_adapters=True)\n"
        "result = run_job(deps, JobName.CLEANUP, datetime(2026, 3, 9, 14, 0, tzinfo=UTC))\n"
        "import kalshi_bots.app.collect_prices\n"
        "print(result.outcome.value, 'kalshi_bots.app.cleanup' in sys.modules)\n"
        f"print(sorted(m for m in {NOT_FOR_HOUSEKEEPING!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    ran, loaded = out.stdout.strip().splitlines()
    assert ran == "ok True"
    assert loaded == "[]"


SUMMARY_ONLY = (
    "kalshi_bots.app.alerts",  # loaded: the watcher itself
    "kalshi_bots.app.scorecard_view",
    "kalshi_bots.domain.scorecard",
    "kalshi_bots.domain.scoring",
    "kalshi_bots.domain.portfolio",
)


def test_a_watched_run_that_sends_no_summary_loads_neither_scorecard_nor_portfolio(tmp_path):
    # Every trading, weather and reconcile run goes through the alert watcher; only the daily summary
    # (and a live order's edge gate) reads the scorecard and the portfolio.
    code = (
        "import sys\n"
        "from datetime import datetime, UTC\n"
        "from kalshi_bots.app.results import JobResult, Outcome\n"
        "from kalshi_bots.config import Settings\n"
        "from kalshi_bots.bootstrap import build_deps\n"
        "from kalshi_bots.domain.reasons import ErrorReason\n"
        f"s = Settings.from_env({{'KALSHI_BOTS_SQLITE_PATH': {str(tmp_path / 'x.db')!r}}})\n"
        "deps = build_deps(s, defer_adapters=True)\n"
        "import kalshi_bots.app.trade_hourly\n"
        "at = datetime(2026, 3, 9, 14, 45, tzinfo=UTC)\n"  # 10:45 in New York: no summary due
        "deps.after_run(JobResult('trade-hourly-btc', at, Outcome.ERROR, ErrorReason.UNEXPECTED_ERROR))\n"
        f"print(sorted(m for m in {SUMMARY_ONLY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "['kalshi_bots.app.alerts']"
