"""parse_climate_report on the real CLI texts (tests/fixtures/feeds/cli) and on the known traps."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from kalshi_bots.adapters.nws.climate_report import ClimateReportError, parse_climate_report
from kalshi_bots.domain.cities import city_for_series
from kalshi_bots.sandbox.cli_text import CliContent, render_cli

CLI = Path(__file__).resolve().parents[2] / "fixtures" / "feeds" / "cli"


def _text(name: str) -> str:
    return (CLI / name).read_text()


def test_clinyc_final_report_reads_the_observation_not_the_normal() -> None:
    report = parse_climate_report(_text("CLINYC_2013-01-02.txt"))
    assert report.report_date == date(2013, 1, 2)
    assert report.max_f == 33  # the normals section says "MAXIMUM TEMPERATURE (F)   39"
    assert report.max_time == time(15, 1)  # "301 PM"
    assert report.final is True
    assert report.station_name == "CENTRAL PARK NY"
    assert report.record is False


def test_clidsm_afternoon_report_is_intraday() -> None:
    report = parse_climate_report(_text("CLIDSM_afternoon_today_2014-10-12.txt"))
    assert (report.report_date, report.max_f, report.max_time) == (date(2014, 10, 12), 56, time(12, 4))
    assert report.final is False
    assert report.station_name == "DES MOINES IA"


def test_clicvg_colon_times() -> None:
    report = parse_climate_report(_text("CLICVG_colon_times_2021-02-04.txt"))
    assert (report.report_date, report.max_f, report.max_time) == (date(2021, 2, 4), 39, time(23, 29))
    assert report.final is True


def test_api_product_text_form_without_the_iem_sequence_line() -> None:
    lines = _text("CLINYC_2013-01-02.txt").splitlines()
    as_served = "\n000\n" + "\n".join(lines[1:])  # api.weather.gov productText starts like this
    assert parse_climate_report(as_served).max_f == 33


def test_tabs_record_flag_and_negative_values() -> None:
    text = _text("CLINYC_2013-01-02.txt").replace("  MAXIMUM         33    301 PM", "\tMAXIMUM\t-3R\t1201 AM")
    report = parse_climate_report(text)
    assert (report.max_f, report.max_time, report.record) == (-3, time(0, 1), True)


def test_missing_maximum_is_an_error_not_a_number() -> None:
    text = _text("CLINYC_2013-01-02.txt").replace(
        "MAXIMUM         33    301 PM", "MAXIMUM         MM        MM"
    )
    with pytest.raises(ClimateReportError, match="MM"):
        parse_climate_report(text)


def test_missing_time_is_none() -> None:
    text = _text("CLINYC_2013-01-02.txt").replace("33    301 PM  68", "33        MM  68")
    assert parse_climate_report(text).max_time is None


def test_the_normals_line_alone_is_never_taken() -> None:
    text = _text("CLINYC_2013-01-02.txt").replace(
        "  MAXIMUM         33    301 PM  68    1876  39     -6       50", ""
    )
    with pytest.raises(ClimateReportError, match="no MAXIMUM line under YESTERDAY"):
        parse_climate_report(text)


def test_a_valid_as_of_line_marks_even_a_yesterday_block_intraday() -> None:
    text = _text("CLINYC_2013-01-02.txt").replace(
        "...THE CENTRAL PARK NY CLIMATE SUMMARY FOR JANUARY 2 2013...",
        "...THE CENTRAL PARK NY CLIMATE SUMMARY FOR JANUARY 2 2013...\nVALID AS OF 0900 AM LOCAL TIME.",
    )
    assert parse_climate_report(text).final is False


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("CLIMATE SUMMARY FOR JANUARY 2 2013", "CLIMATE SUMMARY", "headline"),
        ("JANUARY 2 2013...", "JANUARX 2 2013...", "month"),
        ("JANUARY 2 2013...", "FEBRUARY 30 2013...", "impossible date"),
        ("TEMPERATURE (F)                ", "TEMP                           ", "TEMPERATURE"),
        ("301 PM  68", "371 PM  68", "impossible time"),
    ],
)
def test_unreadable_reports_say_why(old: str, new: str, message: str) -> None:
    text = _text("CLINYC_2013-01-02.txt").replace(old, new, 1)
    assert text != _text("CLINYC_2013-01-02.txt")
    with pytest.raises(ClimateReportError, match=message):
        parse_climate_report(text)


def test_an_afd_product_is_not_mistaken_for_a_cli() -> None:
    import json

    afd = json.loads((CLI.parent / "nws" / "product_detail_AFD.json").read_text())["productText"]
    with pytest.raises(ClimateReportError, match="headline"):
        parse_climate_report(afd)


@pytest.mark.shared_data
def test_fake_cli_text_round_trips_every_knyc_2025_value(shared_dir: Path) -> None:
    """The fake NWS renders CLIs in the real layout; every official KNYC high of the shared 2025
    extract (208 days) must come back out of the parser, normals line notwithstanding."""
    path = shared_dir / "data" / "nws_cli_knyc_central_park_2025" / "knyc_cli_daily_extract.csv"
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == 208
    city = city_for_series("KXHIGHNY")
    for row in rows:
        day, high, low = date.fromisoformat(row["date"]), int(row["cli_high_f"]), int(row["cli_low_f"])
        issued = datetime.strptime(row["iem_product_id_utc"], "%Y%m%d%H%M").replace(tzinfo=UTC)
        text = render_cli(
            CliContent(
                city.cli_location,
                "KOKX",
                "NEW YORK NY",
                "CENTRAL PARK NY",
                day,
                high,
                time(14, 56),
                low,
                True,
                issued,
                -5,
                normal_max_f=high + 7,
            )
        )
        report = parse_climate_report(text)
        assert (report.report_date, report.max_f, report.final) == (day, high, True), row
