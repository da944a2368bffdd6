"""CSV loaders for backtests: minute bars, recorded Kalshi quotes, NWS/weather.com highs.

Every loader reads a local file, validates each row and raises :class:`BacktestDataError` naming the
file and line on bad input (never a silent default). Formats accepted for minute bars, recognised by
header name (case-insensitive), in any row order:

- Bitstamp / Kaggle: ``timestamp,open,high,low,close,volume`` with Unix seconds;
- Coinbase candle exports: ``time,low,high,open,close,volume`` (Unix seconds or ISO), newest first;
- ISO or millisecond exports such as Binance's ``open_time,open,high,low,close,...``.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from pathlib import Path

from kalshi_bots.app.backtest.bars import MINUTE_S, MinuteBars
from kalshi_bots.app.backtest.records import (
    BookTop,
    BotlogCandidate,
    ForecastPair,
    LateBandQuote,
    TradePrint,
)
from kalshi_bots.domain.models import Asset, PriceTick

TIME_COLUMNS = ("timestamp", "time", "open_time", "opentime", "start", "date", "datetime", "unix")
_MS_THRESHOLD = 100_000_000_000  # a Unix time above this is in milliseconds (year 5138 in seconds)
# The KXHIGHNY book logger wrote US/Pacific wall-clock time; these files are all winter (PST, UTC-8).
PST_TO_UTC = timedelta(hours=8)


class BacktestDataError(ValueError):
    """A backtest input file is missing, malformed or inconsistent; the message says where."""


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise BacktestDataError(f"{path}: no such file")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None:
            raise BacktestDataError(f"{path}: empty file (expected a header row)")
        for line, row in enumerate(reader, start=2):
            yield line, {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}


def parse_time(raw: str, where: str) -> int:
    """Unix seconds from Unix seconds, milliseconds or an ISO-8601 string (naive means UTC)."""
    text = raw.strip()
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is not None:
        seconds = number / 1000.0 if abs(number) >= _MS_THRESHOLD else number
        return round(seconds)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BacktestDataError(f"{where}: cannot read time {raw!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp())


def _time_column(header: list[str], path: Path) -> str:
    for name in TIME_COLUMNS:
        if name in header:
            return name
    raise BacktestDataError(f"{path}: no time column (looked for one of {', '.join(TIME_COLUMNS)})")


def load_minute_bars(path: Path, asset: Asset = Asset.BTC) -> MinuteBars:
    """Read 1-minute bars; sort them, drop exact duplicates, and record gaps (``bars.gaps``).

    Raises on a bar not aligned to the minute, a duplicate minute with different prices, a
    non-positive price or a bar whose low/high do not bracket its open and close.
    """
    if not path.is_file():
        raise BacktestDataError(f"{path}: no such file")
    columns: tuple[list[int], list[float], list[float], list[float], list[float]] = ([], [], [], [], [])
    ts, opens, highs, lows, closes = columns
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = [h.strip().lower() for h in next(reader, [])]
        if not header:
            raise BacktestDataError(f"{path}: empty file (expected a header row)")
        time_col = header.index(_time_column(header, path))
        missing = [c for c in ("open", "high", "low", "close") if c not in header]
        if missing:
            raise BacktestDataError(f"{path}: missing column(s) {', '.join(missing)}")
        io, ih, il, ic = (header.index(c) for c in ("open", "high", "low", "close"))
        # One tight loop: this parses a year of bars (525,600 rows) in a few seconds.
        for line, raw in enumerate(reader, start=2):
            if not raw:
                continue
            try:
                stamp = raw[time_col]
                o, h, lo, c = float(raw[io]), float(raw[ih]), float(raw[il]), float(raw[ic])
            except (IndexError, ValueError) as exc:
                raise BacktestDataError(f"{path}:{line}: missing or non-numeric field ({exc})") from exc
            t = int(stamp) if stamp.isdigit() and len(stamp) <= 10 else parse_time(stamp, f"{path}:{line}")
            if t % MINUTE_S:
                raise BacktestDataError(f"{path}:{line}: time {stamp!r} is not on a minute boundary")
            if not (0 < lo <= o <= h and lo <= c <= h < math.inf):
                raise BacktestDataError(
                    f"{path}:{line}: prices must be positive with low <= open, close <= high "
                    f"({o}, {h}, {lo}, {c})"
                )
            ts.append(t)
            opens.append(o)
            highs.append(h)
            lows.append(lo)
            closes.append(c)
    if not ts:
        raise BacktestDataError(f"{path}: no bars")
    if any(b <= a for a, b in pairwise(ts)):
        ts, opens, highs, lows, closes = _sorted_unique(columns, path)
    return MinuteBars(asset=asset, ts=ts, open=opens, high=highs, low=lows, close=closes, source=str(path))


def _sorted_unique(
    columns: tuple[list[int], list[float], list[float], list[float], list[float]], path: Path
) -> tuple[list[int], list[float], list[float], list[float], list[float]]:
    """Sort by time (Coinbase exports are newest first) and drop exact duplicate bars."""
    rows: dict[int, tuple[float, float, float, float]] = {}
    for t, o, h, lo, c in zip(*columns, strict=True):
        bar = (o, h, lo, c)
        previous = rows.get(t)
        if previous is not None and previous != bar:
            stamp = datetime.fromtimestamp(t, UTC).isoformat()
            raise BacktestDataError(f"{path}: duplicate minute {stamp} with different prices")
        rows[t] = bar
    ordered = sorted(rows)
    return (
        ordered,
        [rows[t][0] for t in ordered],
        [rows[t][1] for t in ordered],
        [rows[t][2] for t in ordered],
        [rows[t][3] for t in ordered],
    )


def _decimal(raw: str, where: str, column: str) -> Decimal:
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise BacktestDataError(f"{where}: column {column!r} is not a number: {raw!r}") from exc
    if not value.is_finite():
        raise BacktestDataError(f"{where}: column {column!r} is not finite: {raw!r}")
    return value


def _bool(raw: str, where: str) -> bool:
    lowered = raw.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise BacktestDataError(f"{where}: expected True/False, got {raw!r}")


def load_late_band_quotes(path: Path) -> list[LateBandQuote]:
    """Read ``hourly_KXBTCD.csv`` / ``hourly_KXETHD.csv`` (asks in cents become dollars)."""
    quotes: list[LateBandQuote] = []
    for line, row in _rows(path):
        where = f"{path}:{line}"
        side = row.get("side", "")
        if side not in ("yes", "no"):
            raise BacktestDataError(f"{where}: side must be yes/no, got {side!r}")
        ask_cents = _decimal(row.get("ask", ""), where, "ask")
        if not 0 < ask_cents < 100:
            raise BacktestDataError(f"{where}: ask {ask_cents} outside 1..99 cents")
        quotes.append(
            LateBandQuote(
                series=row.get("series", ""),
                ticker=row.get("ticker", ""),
                close_time=datetime.fromtimestamp(parse_time(row.get("close_ts", ""), where), UTC),
                side=side,
                ask=ask_cents / 100,
                secs_left=int(_decimal(row.get("secs_left", ""), where, "secs_left")),
                won=_bool(row.get("won", ""), where),
                floor_strike=_decimal(row.get("floor_strike", ""), where, "floor_strike"),
            )
        )
    return quotes


def _date(raw: str, where: str) -> date:
    try:
        return date.fromisoformat(raw.strip()[:10])
    except ValueError as exc:
        raise BacktestDataError(f"{where}: cannot read date {raw!r}") from exc


def load_cli_highs(path: Path) -> dict[date, int]:
    """NWS CLI daily highs (``date,cli_high_f,...``): the KXHIGHNY settlement values."""
    highs: dict[date, int] = {}
    for line, row in _rows(path):
        where = f"{path}:{line}"
        raw = row.get("cli_high_f", "")
        try:
            highs[_date(row.get("date", ""), where)] = int(raw)
        except ValueError as exc:
            raise BacktestDataError(f"{where}: cli_high_f is not an integer: {raw!r}") from exc
    return highs


def _optional_float(raw: str) -> float | None:
    try:
        return float(raw) if raw.strip() else None
    except ValueError:
        return None


def load_nws_point_forecasts(path: Path, lead_days: int | None = 1) -> list[ForecastPair]:
    """NWS point forecast highs vs the Open-Meteo reanalysis high; rows missing either are skipped.

    ``lead_days`` None keeps every lead."""
    pairs: list[ForecastPair] = []
    for line, row in _rows(path):
        where = f"{path}:{line}"
        lead = int(_decimal(row.get("lead_time_days", ""), where, "lead_time_days"))
        if lead_days is not None and lead != lead_days:
            continue
        forecast = _optional_float(row.get("nws_forecast_high_f", ""))
        actual = _optional_float(row.get("openmeteo_archive_actual_high_f", ""))
        if forecast is None or actual is None:
            continue
        pairs.append(
            ForecastPair(
                source=f"nws:{row.get('station', '')}",
                forecast_date=_date(row.get("forecast_date", ""), where),
                target_date=_date(row.get("target_date", ""), where),
                lead_days=lead,
                forecast_high_f=forecast,
                actual_high_f=actual,
            )
        )
    return pairs


def load_weathercom_pairs(path: Path, lead_days: int | None = 1) -> list[ForecastPair]:
    """weather.com NYC forecast highs vs observed highs at ``lead_days`` (None = every lead from 1);
    incomplete rows skipped."""
    pairs: list[ForecastPair] = []
    for line, row in _rows(path):
        where = f"{path}:{line}"
        forecast = _optional_float(row.get("high_temp", ""))
        actual = _optional_float(row.get("actual_high", ""))
        if forecast is None or actual is None:
            continue
        made, target = _date(row.get("forecast_date", ""), where), _date(row.get("date", ""), where)
        lead = (target - made).days
        if lead < 1 or (lead_days is not None and lead != lead_days):
            continue
        pairs.append(ForecastPair("weathercom:NYC", made, target, lead, forecast, actual))
    return pairs


def load_ghcnd_tmax(path: Path, city: str = "NYC") -> dict[date, int]:
    """NOAA GHCN-Daily TMAX at a settlement station (``city,...,date,nws_settlement_temp``), °F."""
    highs: dict[date, int] = {}
    for line, row in _rows(path):
        if row.get("city", "").upper() != city.upper():
            continue
        where = f"{path}:{line}"
        raw = row.get("nws_settlement_temp", "")
        try:
            highs[_date(row.get("date", ""), where)] = int(raw)
        except ValueError as exc:
            raise BacktestDataError(f"{where}: nws_settlement_temp is not an integer: {raw!r}") from exc
    if not highs:
        raise BacktestDataError(f"{path}: no rows for city {city!r}")
    return highs


def _cents_or_none(raw: str, where: str, column: str) -> Decimal | None:
    value = _decimal(raw, where, column)
    if not 0 <= value <= 100:
        raise BacktestDataError(f"{where}: {column} {value} outside 0..100 cents")
    return None if value == 0 else value / 100  # a 0 bid means "no bid"


def load_kxhighny_book(path: Path) -> list[BookTop]:
    """One ``market_data_KXHIGHNY-<date>.csv`` book log; local PST stamps become UTC."""
    tops: list[BookTop] = []
    for line, row in _rows(path):
        where = f"{path}:{line}"
        try:
            local = datetime.fromisoformat(row.get("timestamp", ""))
        except ValueError as exc:
            raise BacktestDataError(f"{where}: cannot read timestamp {row.get('timestamp')!r}") from exc
        tops.append(
            BookTop(
                at=(local + PST_TO_UTC).replace(tzinfo=UTC),
                ticker=row.get("market_ticker", ""),
                yes_bid=_cents_or_none(row.get("best_yes_bid", ""), where, "best_yes_bid"),
                no_bid=_cents_or_none(row.get("best_no_bid", ""), where, "best_no_bid"),
            )
        )
    return tops


def load_kxhighny_trades(path: Path) -> list[TradePrint]:
    """``KXHIGHNY_trades_last100_per_market.csv``: YES trade prices in cents become dollars."""
    prints: list[TradePrint] = []
    for line, row in _rows(path):
        where = f"{path}:{line}"
        ts = parse_time(row.get("ts_utc", ""), where)
        price = _decimal(row.get("price_cents", ""), where, "price_cents") / 100
        prints.append(TradePrint(datetime.fromtimestamp(ts, UTC), row.get("market_ticker", ""), price))
    return prints


def _positive_price(raw: str, where: str, column: str) -> Decimal:
    value = _decimal(raw, where, column)
    if value <= 0:
        raise BacktestDataError(f"{where}: {column} must be a positive price, got {raw!r}")
    return value


def load_price_points(
    path: Path, asset: Asset, *, price_column: str = "close", stamp_offset_s: int = 0
) -> list[PriceTick]:
    """Prices with a time column (:data:`TIME_COLUMNS`, or ``ts_utc``), in time order.

    ``stamp_offset_s`` moves each stamp to when the price was observed: Coinbase candles are keyed by
    their **start** and their close is the last trade before start + 60 s, so pass 60 for them. Rows
    whose ``pair``/``asset`` column names another asset are skipped.
    """
    points: dict[int, PriceTick] = {}
    for line, row in _rows(path):
        where = f"{path}:{line}"
        named = (row.get("pair") or row.get("asset") or asset.value).upper()
        if not named.startswith(asset.value):
            continue
        stamp = row.get("ts_utc") or next((row[c] for c in TIME_COLUMNS if row.get(c)), "")
        t = parse_time(stamp, where) + stamp_offset_s
        price = _positive_price(row.get(price_column, ""), where, price_column)
        points[t] = PriceTick(asset, datetime.fromtimestamp(t, UTC), price)
    if not points:
        raise BacktestDataError(f"{path}: no {asset.value} prices")
    return [points[t] for t in sorted(points)]


def load_official_results(path: Path) -> dict[str, str]:
    """``fills_with_settlement_*.csv``: market ticker -> Kalshi's ``market_result`` (yes/no)."""
    results: dict[str, str] = {}
    for line, row in _rows(path):
        result = row.get("market_result", "").lower()
        if result not in ("yes", "no"):
            raise BacktestDataError(f"{path}:{line}: market_result must be yes/no, got {result!r}")
        results[row.get("market_ticker", "")] = result
    return results


def _cents(raw: object, where: str, field: str) -> Decimal | None:
    if raw is None:
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation as exc:
        raise BacktestDataError(f"{where}: {field} is not a number: {raw!r}") from exc
    if not 0 <= value <= 100:
        raise BacktestDataError(f"{where}: {field} {value} outside 0..100 cents")
    return None if value == 0 else value / 100


def _aware_time(raw: object, where: str) -> datetime:
    try:
        value = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError as exc:
        raise BacktestDataError(f"{where}: cannot read time {raw!r}") from exc
    if value.tzinfo is None:
        raise BacktestDataError(f"{where}: time {raw!r} has no UTC offset")
    return value.astimezone(UTC)


def load_botlog(path: Path, asset: Asset = Asset.BTC) -> tuple[list[BotlogCandidate], list[PriceTick]]:
    """The Feb 2026 KXBTCD bot log (JSON lines): its ``candidate`` quotes and every spot print.

    Spot prints come from ``tick_summary`` and ``candidate`` lines (Deribit index). The close time is
    the print time plus ``minutes_left``, rounded to the minute (KXBTCD closes on the hour).
    """
    if not path.is_file():
        raise BacktestDataError(f"{path}: no such file")
    candidates: list[BotlogCandidate] = []
    spots: dict[datetime, PriceTick] = {}
    with path.open(encoding="utf-8") as handle:
        for line, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            where = f"{path}:{line}"
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                raise BacktestDataError(f"{where}: not JSON ({exc.msg})") from exc
            kind = record.get("event")
            if kind not in ("tick_summary", "candidate") or record.get("spot") is None:
                continue
            at = _aware_time(record.get("ts_utc"), where)
            spot = _positive_price(str(record["spot"]), where, "spot")
            spots[at] = PriceTick(asset, at, spot)
            if kind != "candidate":
                continue
            left = float(record.get("minutes_left", "nan"))
            if not math.isfinite(left):
                raise BacktestDataError(f"{where}: minutes_left missing")
            close = (at + timedelta(minutes=left) + timedelta(seconds=30)).replace(second=0, microsecond=0)
            side = str(record.get("side", ""))
            if side not in ("yes", "no"):
                raise BacktestDataError(f"{where}: side must be yes/no, got {side!r}")
            size = record.get("top_size")
            candidates.append(
                BotlogCandidate(
                    at=at,
                    event_ticker=str(record.get("event_ticker", "")),
                    ticker=str(record.get("market_ticker", "")),
                    side=side,
                    bid=_cents(record.get("bid_cents"), where, "bid_cents"),
                    ask=_cents(record.get("ask_proxy_cents"), where, "ask_proxy_cents"),
                    ask_size=None if size is None else int(float(size)),
                    spot=spot,
                    close_time=close,
                )
            )
    return candidates, [spots[t] for t in sorted(spots)]
