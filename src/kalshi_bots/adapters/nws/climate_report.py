"""Parser for the NWS Daily Climate Report (CLI) text product: the day's observed maximum.

Only the observed-temperature block is read (feeds.md B.6):

    TEMPERATURE (F)
     YESTERDAY                       <- final report (issued the next morning); TODAY = intraday
      MAXIMUM         33    301 PM  68    1876  39     -6       50
                      ^obs  ^time (LST)  record / normal / departure columns are ignored

Traps this avoids on purpose: the "CLIMATE NORMALS FOR TODAY" section repeats
``MAXIMUM TEMPERATURE (F)   39`` (a normal, not an observation); a record is flagged ``33R``;
missing data is ``MM`` (an error, never a zero); times are ``301 PM``, ``1204 PM`` or ``11:29 PM``;
some offices use tabs. The report date comes from the headline, never from the issuance line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

_MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "JANUARY",
            "FEBRUARY",
            "MARCH",
            "APRIL",
            "MAY",
            "JUNE",
            "JULY",
            "AUGUST",
            "SEPTEMBER",
            "OCTOBER",
            "NOVEMBER",
            "DECEMBER",
        ),
        start=1,
    )
}
_HEADLINE = re.compile(
    r"^\s*\.\.\.\s*THE\s+(?P<station>.+?)\s+CLIMATE\s+SUMMARY\s+(?:FOR|FROM)\s+"
    r"(?P<month>[A-Z]+)\s+(?P<day>\d{1,2})\s*,?\s+(?P<year>\d{4})",
    re.MULTILINE,
)
# "VALID TODAY AS OF 0500 PM LOCAL TIME" / "VALID AS OF 0700 AM": an intraday, not-yet-final report.
_VALID_AS_OF = re.compile(r"^\s*VALID\b.*\bAS\s+OF\b", re.MULTILINE)
_BLOCK_START = re.compile(r"^\s*TEMPERATURE\s*\(F\)", re.MULTILINE)
# A section header that ends the temperature block (PRECIPITATION (IN), SNOWFALL (IN), ...).
_NEXT_SECTION = re.compile(r"^\s*[A-Z][A-Z ]+\((?:IN|F|MPH|PERCENT)\)\s*$|^\s*\.{10,}\s*$")
_PERIOD = re.compile(r"^\s*(?P<period>YESTERDAY|TODAY)\b")
_MAXIMUM = re.compile(
    r"^\s*MAXIMUM\s+(?P<value>-?\d+|MM)(?P<record>R)?"
    r"(?:\s+(?P<time>\d{1,2}:\d{2}\s*[AP]M|\d{3,4}\s*[AP]M|MM))?",
)
_TIME = re.compile(r"^(?P<hour>\d{1,2}):?(?P<minute>\d{2})\s*(?P<ampm>[AP]M)$")


class ClimateReportError(ValueError):
    """The text is not a CLI we can read, or its maximum is missing (``MM``)."""


@dataclass(frozen=True, slots=True)
class ClimateReport:
    report_date: date  # the climate day the numbers are for (headline date)
    max_f: int  # observed maximum, whole °F
    max_time: time | None  # local STANDARD time of the maximum; None if the report omits it
    final: bool  # True: the day is over (YESTERDAY, next-morning report); False: intraday (TODAY)
    station_name: str  # as in the headline, e.g. "CENTRAL PARK NY"
    record: bool = False  # the maximum set or tied a record ("R" flag)


def _clock_time(raw: str) -> time:
    """``301 PM`` / ``1204 PM`` / ``11:29 PM`` -> a time of day (LST, as the CLI prints it)."""
    match = _TIME.match(raw.strip())
    if match is None:
        raise ClimateReportError(f"unreadable time {raw!r} on the MAXIMUM line")
    hour, minute = int(match["hour"]), int(match["minute"])
    if not (1 <= hour <= 12 and 0 <= minute <= 59):
        raise ClimateReportError(f"impossible time {raw!r} on the MAXIMUM line")
    return time(hour % 12 + (12 if match["ampm"] == "PM" else 0), minute)


def _headline(text: str) -> tuple[str, date]:
    match = _HEADLINE.search(text)
    if match is None:
        raise ClimateReportError("no '...THE <STATION> CLIMATE SUMMARY FOR <MONTH> <D> <YYYY>...' headline")
    month = _MONTHS.get(match["month"])
    if month is None:
        raise ClimateReportError(f"unknown month {match['month']!r} in the headline")
    try:
        return match["station"].strip(), date(int(match["year"]), month, int(match["day"]))
    except ValueError as exc:
        raise ClimateReportError(f"impossible date in the headline: {match.group(0).strip()!r}") from exc


def _temperature_block(text: str) -> list[str]:
    start = _BLOCK_START.search(text)
    if start is None:
        raise ClimateReportError("no 'TEMPERATURE (F)' block")
    lines = text[start.end() :].splitlines()[1:]
    block: list[str] = []
    for line in lines:
        if _NEXT_SECTION.match(line):
            break
        block.append(line)
    return block


def parse_climate_report(text: str) -> ClimateReport:
    """Read the observed maximum of a CLI product (IEM archive text or api.weather.gov productText)."""
    text = text.expandtabs(8).upper()
    station, report_date = _headline(text)
    period: str | None = None
    for line in _temperature_block(text):
        if period is None:
            found = _PERIOD.match(line)
            if found:
                period = found["period"]
            continue
        maximum = _MAXIMUM.match(line)
        if maximum is None:
            continue
        if maximum["value"] == "MM":
            raise ClimateReportError(
                f"maximum temperature is missing (MM) in the {station} CLI for {report_date}"
            )
        raw_time = maximum["time"]
        max_time = None if raw_time in (None, "MM") else _clock_time(raw_time)
        intraday = period == "TODAY" or _VALID_AS_OF.search(text) is not None
        return ClimateReport(
            report_date=report_date,
            max_f=int(maximum["value"]),
            max_time=max_time,
            final=not intraday,
            station_name=station,
            record=maximum["record"] is not None,
        )
    where = "YESTERDAY/TODAY line" if period is None else f"MAXIMUM line under {period}"
    raise ClimateReportError(f"the TEMPERATURE (F) block of the {station} CLI has no {where}")
