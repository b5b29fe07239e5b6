"""`sec-desktop report`: shares and verdicts computed by hand for known entries."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.helpers.ids import (
    INCIDENT,
    MARKET_POSITIONING,
    OKR,
    PERSONAL,
    SECURITY,
    SKILLS,
    TECH_PLANNING,
)


@pytest.fixture
def day(log) -> dict[str, str]:
    """Monday 2026-11-23: 60 min Strategy, 120 min Execution, 20 min Culture = 200 min."""
    return {
        OKR: log(OKR, "--start", "09:00", "--end", "10:00"),
        INCIDENT: log(INCIDENT, "--start", "10:00", "--end", "12:00"),
        SKILLS: log(SKILLS, "--start", "13:00", "--end", "13:20"),
    }


def report_json(cli, *args: str) -> dict:
    result = cli("report", "--format", "json", *args)
    assert result.code == 0, result.err
    assert result.err == ""
    return json.loads(result.out)


def by_id(rows: list[dict]) -> dict[str, dict]:
    return {row["id"]: row for row in rows}


def test_json_fields_and_hand_computed_values(cli, day) -> None:
    doc = report_json(cli, "--period", "today")
    assert {"from", "to", "total_minutes", "domains", "focus_areas", "activities"} <= set(doc)
    assert doc["from"] == doc["to"] == "2026-11-23"
    assert doc["total_minutes"] == 200
    assert doc["entry_count"] == 3

    domains = by_id(doc["domains"])
    assert list(domains) == ["strategy", "execution", "culture"]
    for row in doc["domains"]:
        assert {"id", "label", "minutes", "share", "band", "status"} <= set(row)
        assert {"low", "high"} <= set(row["band"])
    assert [(r["label"], r["minutes"], r["share"]) for r in doc["domains"]] == [
        ("Strategy", 60, 0.3),
        ("Execution", 120, 0.6),
        ("Culture", 20, 0.1),
    ]
    # 30% in 20-35%; 60% is the top edge of 40-60% and still within; 10% is below 15-25%.
    assert domains["strategy"]["band"]["low"] == pytest.approx(0.20)
    assert domains["strategy"]["band"]["high"] == pytest.approx(0.35)
    assert domains["strategy"]["status"] == "within"
    assert domains["execution"]["status"] == "within"
    assert domains["culture"]["status"] == "below"
    assert domains["culture"]["distance"] == pytest.approx(0.05)
    assert domains["strategy"]["distance"] == 0


def test_focus_areas_banded_and_unbanded(cli, day) -> None:
    doc = report_json(cli, "--period", "today")
    focus = by_id(doc["focus_areas"])
    assert len(focus) == 10
    # Security & Compliance: 120 of 200 min = 60%, against 15-25%: 35 points above.
    assert focus[SECURITY]["minutes"] == 120
    assert focus[SECURITY]["share"] == 0.6
    assert (focus[SECURITY]["band"]["low"], focus[SECURITY]["band"]["high"]) == pytest.approx(
        (0.15, 0.25)
    )
    assert focus[SECURITY]["status"] == "above"
    assert focus[SECURITY]["distance"] == pytest.approx(0.35)
    # Personal Development: 20 of 200 min = 10%, within 7-12%.
    assert focus[PERSONAL]["share"] == 0.1
    assert focus[PERSONAL]["status"] == "within"
    # Focus areas with no stated range have neither band nor verdict.
    assert focus[TECH_PLANNING]["minutes"] == 60
    assert focus[TECH_PLANNING]["share"] == 0.3
    assert focus[TECH_PLANNING]["band"] is None
    assert focus[TECH_PLANNING]["status"] is None
    assert focus[MARKET_POSITIONING]["minutes"] == 0
    assert focus[MARKET_POSITIONING]["band"] is None
    assert focus[MARKET_POSITIONING]["status"] is None


def test_activities_sorted_by_time(cli, day) -> None:
    doc = report_json(cli, "--period", "today")
    assert doc["activities"] == [
        {"id": INCIDENT, "label": "Incident response", "minutes": 120, "share": 0.6},
        {"id": OKR, "label": "OKR management", "minutes": 60, "share": 0.3},
        {"id": SKILLS, "label": "Skill development", "minutes": 20, "share": 0.1},
    ]


def test_time_tagged_at_a_domain_counts_there_only(cli, log) -> None:
    log("strategy", "--start", "09:00", "--end", "10:00")
    log(OKR, "--start", "10:00", "--end", "11:00")
    doc = report_json(cli, "--period", "today")
    assert by_id(doc["domains"])["strategy"]["minutes"] == 120
    assert by_id(doc["focus_areas"])[TECH_PLANNING]["minutes"] == 60
    assert [a["id"] for a in doc["activities"]] == [OKR]
    assert doc["tagged_minutes_by_level"] == {"domain": 60, "focus_area": 0, "activity": 60}


def test_empty_period(cli) -> None:
    doc = report_json(cli, "--period", "today")
    assert doc["total_minutes"] == 0
    assert doc["activities"] == []
    assert {d["status"] for d in doc["domains"]} == {"no_data"}
    table = cli("report", "--period", "today").out
    assert "No time tracked in this period." in table


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("today", ("2026-11-23", "2026-11-23", 200)),
        ("week", ("2026-11-23", "2026-11-29", 200)),
        ("last-week", ("2026-11-16", "2026-11-22", 0)),
        ("month", ("2026-11-01", "2026-11-30", 200)),
        ("quarter", ("2026-10-01", "2026-12-31", 200)),
        ("year", ("2026-01-01", "2026-12-31", 200)),
    ],
)
def test_named_periods(cli, day, period: str, expected: tuple[str, str, int]) -> None:
    doc = report_json(cli, "--period", period)
    assert (doc["from"], doc["to"], doc["total_minutes"]) == expected


def test_default_period_is_this_week(cli, day) -> None:
    doc = report_json(cli)
    assert (doc["from"], doc["to"]) == ("2026-11-23", "2026-11-29")


def test_last_week_holds_last_weeks_entries(cli, day, log) -> None:
    log(OKR, "--start", "2026-11-22T23:00", "--end", "2026-11-22T23:45")
    assert report_json(cli, "--period", "last-week")["total_minutes"] == 45
    assert report_json(cli, "--period", "week")["total_minutes"] == 200


def test_from_to_is_inclusive(cli, day, log) -> None:
    log(OKR, "--start", "2026-11-20T10:00", "--end", "2026-11-20T10:30")
    doc = report_json(cli, "--from", "2026-11-20", "--to", "2026-11-23")
    assert (doc["from"], doc["to"]) == ("2026-11-20", "2026-11-23")
    assert doc["total_minutes"] == 230
    assert report_json(cli, "--from", "2026-11-20", "--to", "2026-11-22")["total_minutes"] == 30
    assert report_json(cli, "--from", "2026-11-21", "--to", "2026-11-22")["total_minutes"] == 0
    # --from alone runs to today.
    doc = report_json(cli, "--from", "2026-11-21")
    assert (doc["to"], doc["total_minutes"]) == ("2026-11-23", 200)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--from", "2026-11-23", "--to", "2026-11-22"], "before --from"),
        (["--to", "2026-11-22"], "--to needs --from"),
        (["--period", "week", "--from", "2026-11-01"], "not both"),
        (["--from", "23.11.2026"], "is not a date"),
        (["--from", "0001-01-01", "--to", "0001-01-02"], "out of range"),
        (["--from", "2026-01-01", "--to", "9999-12-31"], "out of range"),
    ],
)
def test_bad_range_exits_2(cli, isolated_dirs, args: list[str], says: str) -> None:
    result = cli("report", *args)
    assert result.code == 2
    assert result.out == ""
    assert len(result.err_lines) == 1
    assert says in result.err
    assert not (isolated_dirs["config"] / "logs").exists()


def test_unknown_profile_exits_2_listing_the_profiles(cli, day) -> None:
    result = cli("report", "--profile", "unicorn")
    assert result.code == 2
    assert result.out == ""
    assert result.err_lines == [
        "sec-desktop: unknown profile 'unicorn'; choose one of: default, early-stage, mature."
    ]


def test_profiles_change_verdicts(cli, day) -> None:
    def verdicts(profile: str) -> dict[str, str]:
        doc = report_json(cli, "--period", "today", "--profile", profile)
        assert doc["profile"] == profile
        return {d["id"]: d["status"] for d in doc["domains"]}

    # Shares: Strategy 30%, Execution 60%, Culture 10%.
    assert verdicts("default") == {"strategy": "within", "execution": "within", "culture": "below"}
    # Early stage: Strategy 20-27.5% (above), Execution 50-60%, Culture 15-20%.
    assert verdicts("early-stage") == {
        "strategy": "above",
        "execution": "within",
        "culture": "below",
    }
    # Growth stage: Strategy 27.5-35%, Execution 40-50% (above), Culture 20-25%.
    assert verdicts("mature") == {"strategy": "within", "execution": "above", "culture": "below"}
    early = by_id(report_json(cli, "--period", "today", "--profile", "early-stage")["domains"])
    assert early["strategy"]["distance"] == pytest.approx(0.025)
    assert (early["execution"]["band"]["low"], early["execution"]["band"]["high"]) == (
        pytest.approx((0.5, 0.6))
    )


def test_csv_format_parses(cli, day) -> None:
    result = cli("report", "--period", "today", "--format", "csv")
    assert result.code == 0
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert list(rows[0]) == [
        "level",
        "id",
        "label",
        "minutes",
        "share",
        "band_low",
        "band_high",
        "status",
        "distance",
        "plan",
        "plan_status",
        "plan_distance",
    ]
    rows_by_id = {r["id"]: r for r in rows}
    assert len(rows) == 3 + 10 + 3
    strategy = rows_by_id["strategy"]
    assert strategy["level"] == "domain"
    assert float(strategy["minutes"]) == 60
    assert float(strategy["share"]) == pytest.approx(0.3)
    assert float(strategy["band_low"]) == pytest.approx(0.2)
    assert float(strategy["band_high"]) == pytest.approx(0.35)
    assert strategy["status"] == "within"
    assert rows_by_id["culture"]["status"] == "below"
    assert float(rows_by_id["culture"]["distance"]) == pytest.approx(0.05)
    assert rows_by_id[TECH_PLANNING]["band_low"] == rows_by_id[TECH_PLANNING]["status"] == ""
    assert rows_by_id[INCIDENT]["level"] == "activity"
    assert float(rows_by_id[INCIDENT]["minutes"]) == 120


def test_table_format(cli, day) -> None:
    result = cli("report", "--period", "today")
    assert result.code == 0
    text = result.out
    assert "SEC allocation 2026-11-23 to 2026-11-23 (Europe/Berlin), profile: Full range" in text
    assert "Tracked: 3 h 20 min in 3 entries" in text
    lines = text.splitlines()

    def line_of(label: str) -> str:
        (found,) = [line for line in lines if line.startswith(label + " ")]
        return found

    assert line_of("Strategy").split()[-1] == "within"
    assert "30.0%" in line_of("Strategy")
    assert "20-35%" in line_of("Strategy")
    assert line_of("Execution").endswith("within")
    assert line_of("Culture").endswith("below by 5.0 pts")
    assert line_of("Security & Compliance").endswith("above by 35.0 pts")
    assert line_of("Personal Development").endswith("within")
    # Unbanded focus areas show time and share only.
    assert line_of("Technology Planning").endswith("30.0%")
    assert "Incident response" in text


def test_entry_across_midnight_is_split_between_days(cli, log) -> None:
    log(OKR, "--start", "2026-11-21T23:00", "--end", "2026-11-22T01:30")
    assert report_json(cli, "--from", "2026-11-21", "--to", "2026-11-21")["total_minutes"] == 60
    assert report_json(cli, "--from", "2026-11-22", "--to", "2026-11-22")["total_minutes"] == 90
    assert report_json(cli, "--from", "2026-11-21", "--to", "2026-11-22")["total_minutes"] == 150


def test_entry_across_midnight_into_today(cli, log) -> None:
    log(OKR, "--start", "2026-11-22T23:15", "--end", "2026-11-23T00:45")
    doc = report_json(cli, "--period", "today")
    assert doc["total_minutes"] == 45
    assert doc["entry_count"] == 1
    assert report_json(cli, "--period", "last-week")["total_minutes"] == 45


def test_entry_across_the_dst_fall_back_counts_five_hours(cli, log) -> None:
    """23:00 CEST to 03:00 CET is 5 real hours, though the wall clock says 4."""
    log(OKR, "--start", "2026-10-24T23:00", "--end", "2026-10-25T03:00")
    doc = report_json(cli, "--from", "2026-10-24", "--to", "2026-10-25")
    assert doc["total_minutes"] == 300
    assert by_id(doc["activities"])[OKR]["minutes"] == 300
    # The 25th has 25 hours: 00:00 CEST to 03:00 CET is 4 of them.
    assert report_json(cli, "--from", "2026-10-25", "--to", "2026-10-25")["total_minutes"] == 240
    assert report_json(cli, "--from", "2026-10-24", "--to", "2026-10-24")["total_minutes"] == 60


def test_entry_across_the_dst_spring_forward(cli, log) -> None:
    """01:00 CET to 04:00 CEST is 2 real hours; the 29th of March has 23."""
    log(OKR, "--start", "2026-03-29T01:00", "--end", "2026-03-29T04:00")
    assert report_json(cli, "--from", "2026-03-29", "--to", "2026-03-29")["total_minutes"] == 120


def test_report_in_another_zone_moves_day_edges(cli, log) -> None:
    log(OKR, "--start", "2026-11-23T00:30", "--end", "2026-11-23T01:30")  # 23:30-00:30 UTC
    assert report_json(cli, "--from", "2026-11-22", "--to", "2026-11-22")["total_minutes"] == 0
    result = cli(
        "report", "--format", "json", "--from", "2026-11-22", "--to", "2026-11-22", tz="UTC"
    )
    assert json.loads(result.out)["total_minutes"] == 30
    assert json.loads(result.out)["time_zone"] == "UTC"


def test_the_saved_career_stage_is_the_default_profile(cli, day, isolated_dirs) -> None:
    from sec_desktop.settings import load_settings, save_settings

    config = isolated_dirs["config"]
    save_settings(config, load_settings(config).settings.replace(benchmark_profile="early-stage"))
    assert report_json(cli, "--period", "today")["profile"] == "early-stage"
    text = cli("report", "--period", "today").out
    assert "profile: Early stage" in text.splitlines()[0]
    # Named on the command line, a profile still wins over the saved one.
    assert report_json(cli, "--period", "today", "--profile", "default")["profile"] == "default"


def test_a_saved_profile_that_no_longer_exists_falls_back_to_the_full_range(
    cli, day, isolated_dirs
) -> None:
    from sec_desktop.settings import load_settings, save_settings

    config = isolated_dirs["config"]
    save_settings(config, load_settings(config).settings.replace(benchmark_profile="custom"))
    assert report_json(cli, "--period", "today")["profile"] == "default"


def test_csv_neutralises_a_renamed_label(cli, log, isolated_dirs) -> None:
    from sec_desktop.framework import load_framework
    from sec_desktop.framework.customization import Customization, save_customization

    hyperlink = '=HYPERLINK("http://evil.example","x")'
    base = load_framework()
    save_customization(
        isolated_dirs["data"],
        Customization().rename(base, OKR, hyperlink),
        base,
        device_id="elsewhere",
    )
    log(OKR, "--start", "09:00", "--end", "10:00")
    result = cli("report", "--period", "today", "--format", "csv")
    assert result.code == 0, result.err
    cells = [cell for row in csv.reader(io.StringIO(result.out)) for cell in row]
    assert "'" + hyperlink in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


@pytest.mark.parametrize("command", ["report", "export"])
@pytest.mark.parametrize(
    ("first", "last", "words"),
    [
        ("0002-01-01", "9998-12-31", "1970-01-01"),
        ("1969-12-31", "2026-11-23", "1970-01-01"),
        ("2026-01-01", "3000-01-01", "2999-12-31"),
        ("1970-01-01", "2999-12-31", "100 years"),
    ],
)
def test_periods_outside_the_bounds_are_refused_at_once(cli, day, *, command, first, last, words):
    result = cli(command, "--format", "json", "--from", first, "--to", last)
    assert result.code == 2, result.err
    assert words in result.err and result.out == "", result.err


def test_a_period_of_100_years_is_reported(cli, day) -> None:
    doc = report_json(cli, "--from", "1970-01-01", "--to", "2069-12-31")
    assert doc["total_minutes"] == 200


def test_entries_before_1970_are_refused_with_the_bounds(cli) -> None:
    result = cli("log", OKR, "--start", "1969-12-31T22:00", "--end", "1969-12-31T23:00")
    assert result.code == 2
    assert "1970-01-01" in result.err and "2999-12-31" in result.err, result.err
