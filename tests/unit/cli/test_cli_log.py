"""`sec-desktop log`: what it accepts, what it refuses, and what it stores."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers.ids import INCIDENT, OKR, PERSONAL, SECURITY, SECURITY_TOOLING, STANDUP


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Finding the activity --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (OKR, OKR),
        ("OKR management", OKR),
        ("okr MANAGEMENT", OKR),
        ("okr", OKR),
        ("sec inc", INCIDENT),
        ("Incident response", INCIDENT),
        ("strategy", "strategy"),
        ("Personal Development", PERSONAL),
    ],
)
def test_activity_by_id_label_or_fragment(cli, stored, query: str, expected: str) -> None:
    result = cli("log", query, "--start", "2026-11-23T09:00", "--end", "2026-11-23T10:00")
    assert result.code == 0, result.err
    assert result.err == ""
    (entry,) = stored()
    assert entry.activity == expected
    assert entry.id == result.entry_id
    assert entry.source == "manual"
    assert entry.tz == "Europe/Berlin"
    assert entry.created == entry.updated == utc(2026, 11, 23, 17, 0)


def test_log_output_names_the_path_and_duration(cli) -> None:
    result = cli("log", "okr", "--start", "2026-11-23T09:00", "--end", "2026-11-23T10:30")
    assert result.out.startswith(
        "Logged 2026-11-23 09:00 to 10:30 (1 h 30 min): "
        "Strategy > Technology Planning > OKR management [id "
    )


def test_an_ambiguous_activity_exits_2_and_writes_nothing(cli, shard_files) -> None:
    result = cli("log", "security", "--minutes", "30")
    assert result.code == 2
    assert result.out == ""
    assert len(result.err_lines) == 1
    assert "'security' is ambiguous" in result.err
    for candidate in (SECURITY, SECURITY_TOOLING):
        assert f"[{candidate}]" in result.err
    assert shard_files() == []


def test_no_match_offers_the_closest_and_the_focus_areas_and_writes_nothing(
    cli, shard_files
) -> None:
    result = cli("log", "zandup", "--minutes", "30")
    assert result.code == 2
    assert result.out == ""
    assert result.err_lines[0] == "sec-desktop: no activity matches 'zandup'; nothing was logged"
    assert "Closest activities:" in result.err_lines
    assert f"[{STANDUP}]" in result.err_lines[2]
    assert "Focus areas:" in result.err_lines
    assert f"[{SECURITY}]" in result.err
    assert "`sec-desktop alias add zandup ID`" in result.err_lines[-1]
    assert shard_files() == []
    export = cli("export", "--format", "json")
    assert json.loads(export.out)["entries"] == []


def test_a_typo_still_finds_the_activity(cli, stored) -> None:
    result = cli("log", "incidnet response", "--minutes", "30")
    assert result.code == 0, result.err
    assert [e.activity for e in stored()] == [INCIDENT]


# When ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "start", "end"),
    [
        (["--start", "2026-11-23T09:00", "--end", "2026-11-23T10:30"], (8, 0), (9, 30)),
        (["--start", "2026-11-23T09:00", "--minutes", "45"], (8, 0), (8, 45)),
        (["--start", "2026-11-23T09:00", "--minutes", "0.5"], (8, 0, 0), (8, 0, 30)),
        (["--minutes", "30"], (16, 30), (17, 0)),
        (["--start", "09:15", "--end", "11:00"], (8, 15), (10, 0)),
        (["--start", "9:15", "--minutes", "15"], (8, 15), (8, 30)),
        # No end: now.
        (["--start", "17:00"], (16, 0), (17, 0)),
        (["--start", "2026-11-23T08:00Z", "--end", "2026-11-23T09:00+00:00"], (8, 0), (9, 0)),
        (["--start", "2026-11-22T23:30", "--end", "2026-11-23T00:30"], None, None),
    ],
)
def test_interval_forms(cli, stored, args: list[str], start, end) -> None:
    result = cli("log", "okr", *args)
    assert result.code == 0, result.err
    (entry,) = stored()
    if start is None:
        assert (entry.start, entry.end) == (utc(2026, 11, 22, 22, 30), utc(2026, 11, 22, 23, 30))
    else:
        assert entry.start == utc(2026, 11, 23, *start)
        assert entry.end == utc(2026, 11, 23, *end)


def test_clock_time_is_today_in_the_given_zone(cli, stored) -> None:
    """At 00:30 in Berlin it is still the 23rd in UTC; "00:10" means the 24th, local."""
    late = utc(2026, 11, 23, 23, 30)
    result = cli("log", "okr", "--start", "00:10", "--end", "00:20", now=late)
    assert result.code == 0, result.err
    (entry,) = stored()
    assert entry.start == utc(2026, 11, 23, 23, 10)
    assert entry.end == utc(2026, 11, 23, 23, 20)


def test_end_within_a_minute_of_now_is_allowed(cli, stored) -> None:
    result = cli("log", "okr", "--start", "17:30", "--end", "18:01")
    assert result.code == 0, result.err
    assert stored()[0].end == utc(2026, 11, 23, 17, 1)


BAD_INTERVALS = {
    "end before start": ["--start", "2026-11-23T10:00", "--end", "2026-11-23T09:00"],
    "zero minutes": ["--start", "2026-11-23T10:00", "--minutes", "0"],
    "negative minutes": ["--start", "2026-11-23T10:00", "--minutes=-5"],
    "nan minutes": ["--minutes", "nan"],
    "infinite minutes": ["--minutes", "inf"],
    "huge minutes": ["--minutes", "1e12"],
    "start equals end": ["--start", "2026-11-23T10:00", "--end", "2026-11-23T10:00"],
    "more than 24 h": ["--start", "2026-11-21T09:00", "--end", "2026-11-22T09:01"],
    "24 h and a minute by --minutes": ["--start", "2026-11-21T09:00", "--minutes", "1441"],
    "end in the future": ["--start", "2026-11-23T18:30", "--minutes", "10"],
    "end two minutes ahead": ["--start", "17:30", "--end", "18:02"],
    "start in the future, no end": ["--start", "19:00"],
    "DST gap": ["--start", "2026-03-29T02:30", "--minutes", "10"],
    "DST gap end": ["--start", "2026-03-29T01:30", "--end", "2026-03-29T02:15"],
    "unparsable": ["--start", "yesterday-ish", "--minutes", "10"],
    "unparsable clock": ["--start", "24:00", "--minutes", "10"],
    "unparsable end": ["--start", "09:00", "--end", "10h30"],
    "no time at all": [],
    "year 1": ["--start", "0001-01-01T00:00", "--minutes", "5"],
    "year 1 in UTC": ["--start", "0001-01-01T00:30Z", "--end", "0001-01-01T01:00Z"],
    "year 9999": ["--start", "9999-12-31T23:30Z", "--minutes", "60"],
}


@pytest.mark.parametrize("case", list(BAD_INTERVALS))
def test_bad_interval_exits_2_with_one_line_and_writes_nothing(
    cli, shard_files, isolated_dirs, case: str
) -> None:
    result = cli("log", "okr", *BAD_INTERVALS[case])
    assert result.code == 2, result.err
    assert result.out == ""
    assert len(result.err_lines) == 1, result.err
    assert result.err.startswith("sec-desktop: ")
    assert "unexpected" not in result.err
    assert "Traceback" not in result.err
    assert shard_files() == []
    # Bad input is not a crash: no crash log was written.
    assert not (isolated_dirs["config"] / "logs").exists()


def test_bad_interval_messages_say_what_is_wrong(cli) -> None:
    def err(*args: str) -> str:
        return cli("log", "okr", *args).err

    assert "before it starts" in err("--start", "10:00", "--end", "09:00")
    assert "zero length" in err("--start", "10:00", "--end", "10:00")
    assert "more than 0" in err("--start", "10:00", "--minutes", "0")
    assert "24 hours" in err("--start", "2026-11-21T09:00", "--end", "2026-11-22T09:01")
    assert "in the future" in err("--start", "18:30", "--minutes", "10")
    gap = err("--start", "2026-03-29T02:30", "--minutes", "10")
    assert "2026-03-29T02:30 does not exist in Europe/Berlin" in gap
    assert "'yesterday' is not a time" in err("--start", "yesterday", "--minutes", "10")


def test_exactly_24_hours_is_allowed(cli, stored) -> None:
    result = cli("log", "okr", "--start", "2026-11-21T09:00", "--end", "2026-11-22T09:00")
    assert result.code == 0, result.err
    assert stored()[0].duration.total_seconds() == 24 * 3600


# Overlaps --------------------------------------------------------------------------------


def test_overlap_is_refused_naming_the_existing_entry(cli, log, stored) -> None:
    first = log("okr", "--start", "10:00", "--end", "11:30")
    result = cli("log", "sec inc", "--start", "11:00", "--end", "12:00")
    assert result.code == 2
    assert len(result.err_lines) == 1
    assert first in result.err
    assert "--allow-overlap" in result.err
    assert "OKR management" in result.err
    assert [e.id for e in stored()] == [first]


def test_overlap_inside_and_around(cli, log) -> None:
    first = log("okr", "--start", "10:00", "--end", "11:30")
    inside = cli("log", "okr", "--start", "10:15", "--end", "10:45")
    around = cli("log", "okr", "--start", "09:00", "--end", "12:00")
    assert inside.code == around.code == 2
    assert first in inside.err
    assert first in around.err


def test_allow_overlap_logs_anyway(cli, log, stored) -> None:
    first = log("okr", "--start", "10:00", "--end", "11:30")
    second = log("sec inc", "--start", "11:00", "--end", "12:00", "--allow-overlap")
    assert {e.id for e in stored()} == {first, second}


def test_adjacent_entries_do_not_overlap(log, stored) -> None:
    first = log("okr", "--start", "10:00", "--end", "11:30")
    second = log("sec inc", "--start", "11:30", "--end", "12:00")
    before = log("okr", "--start", "09:00", "--end", "10:00")
    assert [e.id for e in stored()] == [before, first, second]


def test_overlap_with_an_entry_of_the_previous_month(cli, log) -> None:
    first = log("okr", "--start", "2026-10-31T23:00", "--end", "2026-11-01T01:00")
    result = cli("log", "okr", "--start", "2026-11-01T00:30", "--end", "2026-11-01T02:00")
    assert result.code == 2
    assert first in result.err


# What is stored --------------------------------------------------------------------------


def test_labels_and_note_are_stored(log, stored) -> None:
    entry_id = log(
        "okr",
        "--minutes",
        "20",
        "--label",
        "board",
        "--label",
        "  q4 ",
        "--label",
        "board",
        "--label",
        "   ",
        "--note",
        "Prepared the Q4 OKRs — für das Board",
    )
    (entry,) = stored()
    assert entry.id == entry_id
    assert entry.labels == ("board", "q4")
    assert entry.note == "Prepared the Q4 OKRs — für das Board"


def test_without_labels_and_note(log, stored) -> None:
    log("okr", "--minutes", "20")
    (entry,) = stored()
    assert entry.labels == ()
    assert entry.note is None


def test_entries_go_to_the_shard_of_their_utc_month(log, shard_files, device) -> None:
    log("okr", "--start", "2026-11-01T00:30", "--end", "2026-11-01T01:00")  # Oct 31 in UTC
    log("okr", "--start", "2026-11-02T10:00", "--end", "2026-11-02T11:00")
    names = [(p.parent.name, p.name) for p in shard_files()]
    assert names == [(device, "2026-10.json"), (device, "2026-11.json")]


def test_fall_back_hour_takes_the_first_occurrence(log, stored) -> None:
    log("okr", "--start", "2026-10-25T02:30", "--minutes", "10")
    (entry,) = stored()
    assert entry.start == utc(2026, 10, 25, 0, 30)
    assert entry.end == utc(2026, 10, 25, 0, 40)


def test_fall_back_hour_with_an_explicit_offset(log, stored) -> None:
    log("okr", "--start", "2026-10-25T02:30+01:00", "--minutes", "10")
    (entry,) = stored()
    assert entry.start == utc(2026, 10, 25, 1, 30)


def test_both_fall_back_occurrences_do_not_overlap(log, stored) -> None:
    first = log("okr", "--start", "2026-10-25T02:00", "--end", "2026-10-25T02:59")
    second = log("okr", "--start", "2026-10-25T02:00+01:00", "--end", "2026-10-25T02:59+01:00")
    assert [e.id for e in stored()] == [first, second]


def test_an_entry_across_the_fall_back_change_lasts_its_real_time(log, stored) -> None:
    log("okr", "--start", "2026-10-25T01:30", "--end", "2026-10-25T03:30")
    (entry,) = stored()
    assert entry.duration.total_seconds() == 3 * 3600


# Anything typed: logged, or refused in one line --------------------------------------------

_TYPED_TIMES = st.one_of(
    st.datetimes().map(lambda moment: moment.isoformat(timespec="minutes")),
    st.builds(
        lambda moment, minutes: moment.replace(
            tzinfo=timezone(timedelta(minutes=minutes))
        ).isoformat(),
        st.datetimes(),
        st.integers(-1439, 1439),
    ),
    st.datetimes(
        min_value=datetime(2026, 3, 28),
        max_value=datetime(2026, 11, 24),
    ).map(lambda moment: moment.isoformat(timespec="minutes")),
    st.from_regex(r"\A[0-9]{1,2}:[0-9]{2}\Z"),
    st.text(max_size=12),
)
_WHEN = st.one_of(
    st.tuples(st.just("--end"), _TYPED_TIMES),
    st.tuples(st.just("--minutes"), st.floats().map(repr)),
    st.tuples(st.just("--minutes"), st.integers(-10, 2000).map(str)),
)


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    start=st.one_of(st.none(), _TYPED_TIMES),
    when=st.one_of(st.none(), _WHEN),
    tz=st.sampled_from(["Europe/Berlin", "UTC", "Pacific/Kiritimati", "America/St_Johns"]),
)
def test_any_typed_time_is_logged_or_refused_in_one_line(
    cli, isolated_dirs, start: str | None, when: tuple[str, str] | None, tz: str
) -> None:
    args = [f"--start={start}"] if start is not None else []
    if when is not None:
        args.append(f"{when[0]}={when[1]}")
    result = cli("log", "okr", "--allow-overlap", *args, tz=tz)
    if result.code == 0:
        assert result.out.startswith("Logged ")
    else:
        assert result.code == 2, result.err
        assert len(result.err_lines) == 1, result.err
    assert not (isolated_dirs["config"] / "logs").exists(), result.err
