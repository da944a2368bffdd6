"""AWS Lambda handlers: one per function in ``infra/template.yaml``, named there as
``kalshi_bots.entrypoints.aws_lambda.<name>``. Thin shells over the same job runner and API request core
the CLI and the local scheduler use; each concern has its own module:

- :mod:`.lambda_events`: the scheduled minute from an EventBridge event, the request of a function URL;
- :mod:`.lambda_secrets`: the Kalshi key and the API token from SSM;
- :mod:`.lambda_container`: what a container builds once (settings, dependencies) and reuses;
- :mod:`.lambda_jobs`: the scheduled handlers (run, report, fail the invocation when the run failed);
- :mod:`.lambda_metrics`: the CloudWatch Embedded Metric Format lines the alarms read;
- :mod:`.lambda_api`: the volatility API's function URL handler.

Module import stays cheap (standard library + small app modules): heavy imports happen on the first
invocation, measured by ``bench/bench_cold_import.py``.
"""

from __future__ import annotations

from kalshi_bots.app.schedule import JobName

# Re-exported: the API's handler is named here like the others, and tests and the cold-start bench reach
# the container and what a failed invocation raises through this module.
from kalshi_bots.entrypoints.lambda_api import volatility_api  # noqa: F401
from kalshi_bots.entrypoints.lambda_container import CONTAINER, reset_container  # noqa: F401
from kalshi_bots.entrypoints.lambda_events import EventError  # noqa: F401
from kalshi_bots.entrypoints.lambda_jobs import Handler, JobFailedError, scheduled_handler  # noqa: F401

collect_prices_btc = scheduled_handler(JobName.COLLECT_BTC)
collect_prices_eth = scheduled_handler(JobName.COLLECT_ETH)
trade_hourly_btc = scheduled_handler(JobName.TRADE_BTC)
trade_hourly_eth = scheduled_handler(JobName.TRADE_ETH)
cleanup = scheduled_handler(JobName.CLEANUP)
weather = scheduled_handler(JobName.WEATHER)
reconcile = scheduled_handler(JobName.RECONCILE)
record_market = scheduled_handler(JobName.RECORD_MARKET)

# The template's Handler names, by job (tests check the template against this).
HANDLERS: dict[JobName, Handler] = {
    JobName.COLLECT_BTC: collect_prices_btc,
    JobName.COLLECT_ETH: collect_prices_eth,
    JobName.TRADE_BTC: trade_hourly_btc,
    JobName.TRADE_ETH: trade_hourly_eth,
    JobName.CLEANUP: cleanup,
    JobName.WEATHER: weather,
    JobName.RECONCILE: reconcile,
    JobName.RECORD_MARKET: record_market,
}
