"""Render a Daily Climate Report (CLI) in the real NWS text layout, for the fake NWS.

The layout follows the real CLINYC/CLIDSM products (pyIEM examples, tests/fixtures/feeds/cli/),
including the trap a parser must survive: a "CLIMATE NORMALS FOR TODAY" section whose
``MAXIMUM TEMPERATURE (F)`` line carries the *normal*, not the observation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone


@dataclass(frozen=True, slots=True)
class CliContent:
    pil_location: str  # "NYC"
    office: str  # issuing office, "KOKX"
    office_name: str  # "NEW YORK NY"
    station_name: str  # headline name, "CENTRAL PARK NY"
    climate_date: date
    max_f: int | None  # None prints MM
    max_time: time | None  # LST
    min_f: int
    final: bool  # YESTERDAY (next-morning) vs TODAY ... VALID TODAY AS OF
    issued_at: datetime  # aware UTC
    standard_offset_hours: int
    normal_max_f: int = 39  # deliberately different from max_f in tests


def _clock(moment: time | None) -> str:
    if moment is None:
        return "MM"
    hour = moment.hour % 12 or 12
    return f"{hour}{moment.minute:02d} {'PM' if moment.hour >= 12 else 'AM'}"


def render_cli(content: CliContent) -> str:
    """api.weather.gov ``productText`` (starts with ``\\n000\\n`` and the WMO header)."""
    lst = content.issued_at.astimezone(timezone(timedelta(hours=content.standard_offset_hours)))
    zone = {-5: "EST", -6: "CST", -7: "MST", -8: "PST"}.get(content.standard_offset_hours, "LST")
    issue_line = f"{_clock(lst.time())} {zone} {lst.strftime('%a %b %d %Y').upper()}"
    day = content.climate_date
    month = day.strftime("%B").upper()
    headline = f"...THE {content.station_name} CLIMATE SUMMARY FOR {month} {day.day} {day.year}..."
    max_time, normal = _clock(content.max_time), content.normal_max_f
    period = "YESTERDAY" if content.final else "TODAY"
    valid = "" if content.final else "VALID TODAY AS OF 0500 PM LOCAL TIME.\n"
    max_value = "MM" if content.max_f is None else str(content.max_f)
    average = "MM" if content.max_f is None else str(round((content.max_f + content.min_f) / 2))
    lines = [
        "",
        "000",
        f"CDUS4{-content.standard_offset_hours - 4} {content.office} {content.issued_at:%d%H%M}",
        f"CLI{content.pil_location}",
        "",
        "CLIMATE REPORT",
        f"NATIONAL WEATHER SERVICE {content.office_name}",
        issue_line,
        "",
        "...................................",
        "",
        headline,
        valid + "CLIMATE NORMAL PERIOD 1991 TO 2020",
        f"CLIMATE RECORD PERIOD 1869 TO {day.year}",
        "",
        "WEATHER ITEM   OBSERVED TIME   RECORD YEAR NORMAL DEPARTURE LAST",
        "                VALUE   (LST)  VALUE       VALUE  FROM      YEAR",
        "                                                  NORMAL",
        "..................................................................",
        "TEMPERATURE (F)",
        f" {period}",
        f"  MAXIMUM       {max_value:>3}   {max_time:>7}  68    1876  {normal:>3}     -6       50",
        f"  MINIMUM       {content.min_f:>3}    743 AM   2    1918  28     -6       33",
        f"  AVERAGE       {average:>3}                        33     -5       42",
        "",
        "PRECIPITATION (IN)",
        f"  {period:<14} 0.00          1.92 1925   0.12  -0.12     0.00",
        "  MONTH TO DATE    0.00                      0.24  -0.24     0.05",
        "",
        "..................................................................",
        "",
        f"THE {content.station_name} CLIMATE NORMALS FOR TODAY",
        "                         NORMAL    RECORD    YEAR",
        f" MAXIMUM TEMPERATURE (F)   {content.normal_max_f:>2}        64      2000",
        " MINIMUM TEMPERATURE (F)   28        -4      1879",
        "",
        "-  INDICATES NEGATIVE NUMBERS.",
        "R  INDICATES RECORD WAS SET OR TIED.",
        "MM INDICATES DATA IS MISSING.",
        "T  INDICATES TRACE AMOUNT.",
        "",
        "$$",
        "",
    ]
    return "\n".join(lines)
