"""Month summaries give exactly the figures the entries give, and a summary whose sources
changed, or whose cache file is damaged, is made again rather than trusted."""

from __future__ import annotations

import io
import itertools
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sec_desktop.analytics import Period, month_summaries, named_period
from sec_desktop.analytics import coverage as coverage_module
from sec_desktop.analytics.coverage import default_working_intervals
from sec_desktop.analytics.dashboard import (
    EntryFigures,
    dashboard_data,
    dashboard_from,
    dashboard_span,
    summary_json,
)
from sec_desktop.analytics.month_summaries import (
    NeedsEntries,
    SummaryCache,
    period_figures,
    summary_figures,
)
from sec_desktop.cli.main import main
from sec_desktop.demo import generate_demo_year
from sec_desktop.framework import Level, load_framework
from sec_desktop.store import Entry, EntryStore, device_id
from sec_desktop.store.paths import month_summaries_dir
from tests.helpers.clocks import FakeClock

FW = load_framework()
PROFILE = FW.profiles["default"]
ACTIVITIES = [
    *[n.id for n in FW.of_level(Level.ACTIVITY)][:6],
    FW.of_level(Level.FOCUS_AREA)[0].id,
    FW.of_level(Level.DOMAIN)[1].id,
    "custom.unknown.one",
]
ZONES = [ZoneInfo(z) for z in ("Europe/Berlin", "America/New_York", "Australia/Lord_Howe")]
DEVICES = ("dev-a", "dev-b")
# Around the 2026 DST changes in Europe (29 March, 25 October) and the US (8 March, 1 Nov).
BASE = datetime(2026, 2, 20, tzinfo=UTC)


def summary_doc(figures: Any, period: Period, now: datetime | None = None) -> dict[str, Any]:
    data = dashboard_from(figures, FW, period, PROFILE, default_working_intervals(period), now=now)
    return summary_json(data)


def full_scan_doc(store: EntryStore, period: Period, now: datetime | None = None) -> dict[str, Any]:
    entries = store.entries(*dashboard_span(period))
    data = dashboard_data(entries, FW, period, PROFILE, default_working_intervals(period), now=now)
    return summary_json(data)


def from_summaries(store: EntryStore, period: Period, folder: Path | None) -> Any:
    return summary_figures(store, FW, dashboard_span(period), period.tz, folder)


# One booked stretch: its start in half hours from an anchor, so that starts and ends fall on
# local midnights (Lord Howe's too), its length in half hours (up to two days, so it crosses
# midnights), activity, whether it is a ping answer, and which device books it.
def spans(anchor_steps: int) -> st.SearchStrategy[tuple[int, int, str, bool, str]]:
    return st.tuples(
        st.integers(-anchor_steps, anchor_steps),
        st.integers(1, 96),
        st.sampled_from(ACTIVITIES),
        st.booleans(),
        st.sampled_from(DEVICES),
    )


# An edit from the other device: which booked entry, how far its times move in half hours
# (often into another month), its new activity, and whether it is deleted.
edits = st.tuples(
    st.integers(0, 10_000),
    st.integers(-60 * 48, 60 * 48),
    st.sampled_from(ACTIVITIES),
    st.booleans(),
)


def fill(
    root: Path,
    anchor: datetime,
    booked: list[tuple[int, int, str, bool, str]],
    changes: list[tuple[int, int, str, bool]],
) -> EntryStore:
    clock = FakeClock(datetime(2027, 6, 1, tzinfo=UTC), tick=timedelta(seconds=1))
    stores = {d: EntryStore(root, d, clock=clock) for d in DEVICES}
    saved: list[Entry] = []
    half_hour = timedelta(minutes=30)
    for steps, length, activity, ping, device in booked:
        start = anchor + steps * half_hour
        entry = Entry.new(
            start=start,
            end=start + length * half_hour,
            tz="UTC",
            activity=activity,
            source="ping" if ping else "prompt",
            device=device,
            now=clock(),
        )
        saved.append(stores[device].add(entry))
    for which, shift, activity, delete in changes:
        if not saved:
            break
        original = saved[which % len(saved)]
        other = stores[DEVICES[1] if original.device == DEVICES[0] else DEVICES[0]]
        current = other.get(original.id)
        if current is None:
            continue
        other.update(
            current.edited(
                clock(),
                start=current.start + shift * half_hour,
                end=current.end + shift * half_hour,
                activity=activity,
                deleted=clock() if delete else None,
            )
        )
    return stores[DEVICES[0]]


# Derandomized, so a run is repeatable; SEC_DESKTOP_SUMMARY_EXAMPLES=1000 hunts longer.
@settings(
    max_examples=int(os.environ.get("SEC_DESKTOP_SUMMARY_EXAMPLES", "60")),
    derandomize="SEC_DESKTOP_SUMMARY_EXAMPLES" not in os.environ,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.data(),
    zone=st.sampled_from(ZONES),
    kind=st.sampled_from(["week", "month", "quarter", "year"]),
    day=st.integers(0, 330),
)
def test_summaries_give_every_number_the_entries_give(
    tmp_path: Path, data: st.DataObject, zone: ZoneInfo, kind: str, day: int
) -> None:
    """Entries around the period's first midnight (where carried-in time and pings at
    midnight matter) and anywhere in the trend, the comparison and the period; then moves,
    edits and deletions from the other device."""
    period = named_period(kind, (BASE + timedelta(days=day)).date(), zone)
    near_start = data.draw(st.lists(spans(6 * 48), max_size=12))
    anywhere = data.draw(st.lists(spans(120 * 48), max_size=15))
    changes = data.draw(st.lists(edits, max_size=6))
    root = tmp_path / f"data-{next(_examples)}"
    store = fill(root, period.start, near_start, [])
    fill(root, period.start - timedelta(days=90), anywhere, changes)
    now = period.start + timedelta(days=(period.last - period.first).days // 2, hours=15)
    expected = full_scan_doc(store, period, now)
    cache = root.parent / f"{root.name}-cache"
    for _ in range(2):  # built, then read back from the cache
        figures = from_summaries(EntryStore(root, DEVICES[0]), period, cache)
        assert summary_doc(figures, period, now) == expected


_examples = itertools.count()


@pytest.fixture(scope="module")
def demo_year() -> list[Entry]:
    entries = generate_demo_year(
        FW, date(2026, 11, 23), ZoneInfo("Europe/Berlin"), seed=5, device="test-dev"
    )
    return [e for e in entries if e.end <= datetime(2026, 11, 23, 17, tzinfo=UTC)]


def _run(argv: list[str], env: dict[str, str], now: datetime) -> str:
    out = io.StringIO()
    assert main(argv, now=lambda: now, env=env, out=out, err=io.StringIO()) == 0
    return out.getvalue()


def test_report_prints_the_same_numbers_as_the_full_scan(
    tmp_path: Path, demo_year: list[Entry], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The golden comparison: every format of `report`, summaries (built, then cached)
    against the old path that decodes every entry of the span."""
    data, config = tmp_path / "data", tmp_path / "config"
    env = {"SEC_DESKTOP_DATA_DIR": str(data), "SEC_DESKTOP_CONFIG_DIR": str(config)}
    device = device_id(config, data)
    EntryStore(data, device).add_many([_on_device(e, device) for e in demo_year])
    now = datetime(2026, 11, 23, 17, tzinfo=UTC)
    runs = [
        ["--tz", "Europe/Berlin", "report", "--period", p, "--format", f]
        for p in ("week", "month", "year")
        for f in ("table", "json", "csv")
    ]
    with_summaries = [[_run(argv, env, now) for argv in runs] for _ in range(2)]
    kept = SummaryCache(EntryStore(data, device), month_summaries_dir(config, data))
    summaries = kept.summaries("2025-01", "2026-12", ZoneInfo("Europe/Berlin"))
    assert len(summaries) >= 12
    assert all(s.exact for s in summaries)

    def full_scan(store: EntryStore, framework: Any, period: Period, folder: Any) -> EntryFigures:
        return EntryFigures(store.entries(*dashboard_span(period)), framework)

    monkeypatch.setattr(month_summaries, "period_figures", full_scan)
    expected = [_run(argv, env, now) for argv in runs]
    assert with_summaries == [expected, expected]
    assert "Tracked:" in expected[0]


def _on_device(entry: Entry, device: str) -> Entry:
    return Entry.new(
        start=entry.start,
        end=entry.end,
        tz=entry.tz,
        activity=entry.activity,
        source=entry.source,
        device=device,
        now=entry.created,
    )


# The cache ----------------------------------------------------------------------------------

PERIOD = Period(date(2026, 3, 1), date(2026, 3, 31), ZoneInfo("Europe/Berlin"))


def _booked(store: EntryStore, start: datetime, minutes: int, activity: str) -> Entry:
    return store.add(
        Entry.new(
            start=start,
            end=start + timedelta(minutes=minutes),
            tz="Europe/Berlin",
            activity=activity,
            source="prompt",
            device=store.device_id,
            now=datetime(2026, 12, 1, tzinfo=UTC),
        )
    )


@pytest.fixture
def store(tmp_path: Path) -> EntryStore:
    store = EntryStore(tmp_path / "data", "dev-a", clock=FakeClock(tick=timedelta(seconds=1)))
    for day in range(0, 70, 3):
        _booked(
            store,
            datetime(2026, 2, 1, 8, tzinfo=UTC) + timedelta(days=day),
            95,
            ACTIVITIES[day % 4],
        )
    return store


def _builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The months whose summary is made from the entries from now on."""
    built: list[str] = []
    real = EntryStore.read_month

    def counting(self: EntryStore, month: str) -> Any:
        built.append(month)
        return real(self, month)

    monkeypatch.setattr(EntryStore, "read_month", counting)
    return built


def _check(store: EntryStore, folder: Path) -> None:
    reader = EntryStore(store.data_dir, "dev-a")
    assert summary_doc(from_summaries(reader, PERIOD, folder), PERIOD) == full_scan_doc(
        reader, PERIOD
    )


def test_a_second_report_reads_the_summaries_only(
    store: EntryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    built = _builds(monkeypatch)
    _check(store, folder)
    assert built == ["2026-01", "2026-02", "2026-03", "2026-04"][1:]
    built.clear()
    _check(store, folder)
    assert built == []


def test_a_changed_month_file_is_summarised_again(
    store: EntryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    _check(store, folder)
    built = _builds(monkeypatch)
    _booked(store, datetime(2026, 3, 14, 22, 30, tzinfo=UTC), 120, ACTIVITIES[5])
    _check(store, folder)
    assert built == ["2026-03"]


def test_another_devices_new_file_is_seen(
    store: EntryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    _check(store, folder)
    built = _builds(monkeypatch)
    other = EntryStore(store.data_dir, "dev-b", clock=FakeClock(tick=timedelta(seconds=1)))
    _booked(other, datetime(2026, 3, 20, 9, tzinfo=UTC), 45, ACTIVITIES[2])
    _check(store, folder)
    # It has no moves log: only the month its file is in is made again.
    assert built == ["2026-03"]


def test_a_move_on_another_device_rebuilds_both_months(
    store: EntryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    _check(store, folder)
    other = EntryStore(store.data_dir, "dev-b", clock=FakeClock(tick=timedelta(seconds=1)))
    target = store.entries(datetime(2026, 2, 10, tzinfo=UTC), datetime(2026, 2, 20, tzinfo=UTC))[0]
    current = other.get(target.id)
    assert current is not None
    built = _builds(monkeypatch)
    other.update(
        current.edited(
            datetime(2026, 12, 2, tzinfo=UTC),
            start=current.start + timedelta(days=30),
            end=current.end + timedelta(days=30),
        )
    )
    _check(store, folder)
    # A moves log changed: every summary is made again, and the month it left now has a
    # version that is no longer its own.
    assert set(built) == {"2026-02", "2026-03", "2026-04"}


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: b"not json at all",
        lambda raw: raw[:-5],
        lambda raw: raw.replace(b'"exact":true', b'"exact":false'),
        lambda raw: raw.split(b"\n", 1)[0] + b"\n" + orjson.dumps({"format": 1}),
        lambda raw: b"",
    ],
    ids=["garbage", "cut", "edited", "wrong-digest", "empty"],
)
def test_a_damaged_cache_file_is_ignored_and_rewritten(
    store: EntryStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    damage: Callable[[bytes], bytes],
) -> None:
    folder = tmp_path / "cache"
    _check(store, folder)
    path = folder / "Europe~Berlin" / "2026-03.json"
    good = path.read_bytes()
    path.write_bytes(damage(good))
    built = _builds(monkeypatch)
    _check(store, folder)
    assert built == ["2026-03"]
    assert path.read_bytes() == good


def test_an_unreadable_file_is_not_summarised_into_the_cache(
    store: EntryStore, tmp_path: Path
) -> None:
    folder = tmp_path / "cache"
    foreign = store.data_dir / "entries" / "dev-b" / "2026-03.json"
    foreign.parent.mkdir()
    foreign.write_bytes(b"{half a file")
    _check(store, folder)
    assert not (folder / "Europe~Berlin" / "2026-03.json").exists()
    assert (folder / "Europe~Berlin" / "2026-02.json").exists()


def test_a_month_with_an_invalid_entry_is_read_again_and_warned_about(
    store: EntryStore, tmp_path: Path
) -> None:
    other = EntryStore(store.data_dir, "dev-b", clock=FakeClock(tick=timedelta(seconds=1)))
    _booked(other, datetime(2026, 3, 20, 9, tzinfo=UTC), 45, ACTIVITIES[2])
    path = store.data_dir / "entries" / "dev-b" / "2026-03.json"
    path.write_bytes(path.read_bytes().replace(b'"Europe/Berlin"', b'"Not/AZone"'))
    folder = tmp_path / "cache"
    for _ in range(2):
        reader = EntryStore(store.data_dir, "dev-a")
        assert summary_doc(from_summaries(reader, PERIOD, folder), PERIOD) == full_scan_doc(
            reader, PERIOD
        )
        assert [p.path.as_posix() for p in reader.problems] == ["entries/dev-b/2026-03.json"]
    assert not (folder / "Europe~Berlin" / "2026-03.json").exists()
    assert (folder / "Europe~Berlin" / "2026-02.json").exists()


def test_a_fraction_of_a_second_sends_the_report_to_the_entries(
    store: EntryStore, tmp_path: Path
) -> None:
    start = datetime(2026, 3, 3, 8, 0, 0, 250_000, tzinfo=UTC)
    _booked(store, start, 30, ACTIVITIES[0])
    with pytest.raises(NeedsEntries):
        from_summaries(EntryStore(store.data_dir, "dev-a"), PERIOD, tmp_path / "cache")
    # A year later the month is out of reach and the summaries serve again.
    later = Period(date(2027, 5, 1), date(2027, 5, 31), PERIOD.tz)
    assert from_summaries(EntryStore(store.data_dir, "dev-a"), later, tmp_path / "cache")


def test_without_a_cache_folder_nothing_is_written(store: EntryStore, tmp_path: Path) -> None:
    cache = SummaryCache(store, None)
    assert [s.month for s in cache.summaries("2026-01", "2026-12", PERIOD.tz)] == [
        "2026-02",
        "2026-03",
        "2026-04",
    ]


def test_midnight_edges_count_where_the_entries_put_them(tmp_path: Path) -> None:
    """A ping ending at the period's first local midnight rang the day before; an entry
    running over that midnight counts once in the period, with its time after midnight."""
    store = EntryStore(tmp_path / "data", "dev-a", clock=FakeClock(tick=timedelta(seconds=1)))
    midnight = PERIOD.start
    for start, end, source in [
        (midnight - timedelta(hours=1), midnight, "ping"),
        (midnight - timedelta(hours=2), midnight + timedelta(hours=3), "prompt"),
        (midnight + timedelta(hours=4), midnight + timedelta(hours=5), "ping"),
    ]:
        store.add(
            Entry.new(
                start=start,
                end=end,
                tz="Europe/Berlin",
                activity=ACTIVITIES[0],
                source=source,
                device="dev-a",
                now=datetime(2026, 12, 1, tzinfo=UTC),
            )
        )
    doc = summary_doc(from_summaries(store, PERIOD, tmp_path / "cache"), PERIOD)
    assert doc == full_scan_doc(store, PERIOD)
    assert doc["entry_count"] == 2
    assert doc["total_minutes"] == 4 * 60
    assert {e["pings"] for e in doc["estimates"]} == {1}


def test_an_entry_in_two_months_without_a_moves_log_goes_to_the_entries(
    store: EntryStore, tmp_path: Path
) -> None:
    """Another device's version in another month, its moves log not synced yet: a scan of
    both months merges them into one entry, so the summaries, which would count it in
    each, give way to the entries."""
    first = store.entries(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 10, tzinfo=UTC))[0]
    other = EntryStore(store.data_dir, "dev-b", clock=FakeClock(tick=timedelta(seconds=1)))
    other.add(
        replace(
            first,
            start=first.start + timedelta(days=35),
            end=first.end + timedelta(days=35),
            device="dev-b",
            stamps=None,
        )
    )
    assert not list(store.data_dir.glob("entries/*/moves.json"))
    with pytest.raises(NeedsEntries):
        from_summaries(EntryStore(store.data_dir, "dev-a"), PERIOD, tmp_path / "cache")


def test_unknown_activities_with_equal_time_go_to_the_entries(
    store: EntryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """allocate() lists unknown ids of equal time in the order the entries meet them, which
    per-day sums don't keep: that allocation comes from the entries, loaded once."""
    for hour, activity in ((8, "custom.b"), (10, "custom.a")):
        _booked(store, datetime(2026, 3, 10, hour, tzinfo=UTC), 30, activity)
    reads: list[int] = []
    real = EntryStore.entries

    def counting(self: EntryStore, *args: Any, **kwargs: Any) -> list[Entry]:
        reads.append(1)
        return real(self, *args, **kwargs)

    figures = period_figures(store, FW, PERIOD, tmp_path / "cache")
    with pytest.raises(NeedsEntries):
        from_summaries(store, PERIOD, tmp_path / "cache").allocate(PERIOD, PROFILE)
    monkeypatch.setattr(EntryStore, "entries", counting)
    doc = summary_doc(figures, PERIOD)
    monkeypatch.undo()
    assert doc == full_scan_doc(store, PERIOD)
    assert [u["id"] for u in doc["unknown_activities"]] == ["custom.b", "custom.a"]
    assert reads == [1]


def test_a_zone_without_a_name_is_summarised_but_not_cached(
    store: EntryStore, tmp_path: Path
) -> None:
    zone_file = Path("/usr/share/zoneinfo/Europe/Berlin")
    if not zone_file.is_file():
        pytest.skip("no system zone database to read a zone file from")
    with zone_file.open("rb") as tzfile:
        zone = ZoneInfo.from_file(tzfile)
    period = Period(PERIOD.first, PERIOD.last, zone)
    figures = from_summaries(store, period, tmp_path / "cache")
    named = from_summaries(store, PERIOD, None)
    assert summary_doc(figures, period)["domains"] == summary_doc(named, PERIOD)["domains"]
    assert not (tmp_path / "cache").exists()


def test_a_sync_conflict_copy_joins_its_month(
    store: EntryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A conflict copy of another device's month file joins the union like the file; its
    arrival makes that month's summary again, and only that month's."""
    folder = tmp_path / "cache"
    other = EntryStore(store.data_dir, "dev-b", clock=FakeClock(tick=timedelta(seconds=1)))
    booked = _booked(other, datetime(2026, 3, 20, 9, tzinfo=UTC), 45, ACTIVITIES[2])
    shard = store.data_dir / "entries" / "dev-b" / "2026-03.json"
    older = shard.read_bytes()
    other.update(booked.edited(datetime(2026, 12, 3, tzinfo=UTC), activity=ACTIVITIES[3]))
    _check(store, folder)
    built = _builds(monkeypatch)
    (shard.parent / "2026-03 (Laptop's conflicted copy 2026-03-21).json").write_bytes(older)
    _check(store, folder)
    assert built == ["2026-03"]
    built.clear()
    _check(store, folder)
    assert built == []


# Kept coverages -----------------------------------------------------------------------------

_SPAN = (PERIOD.start.astimezone(UTC), PERIOD.end.astimezone(UTC))
_AWAY = [(datetime(2026, 3, 4, 9, tzinfo=UTC), datetime(2026, 3, 4, 11, 30, tzinfo=UTC))]


def _coverage(store: EntryStore, folder: Path | None, *args: Any) -> Any:
    """The coverage of PERIOD's figures, from summaries kept in `folder` (None: nothing kept)."""
    working, span, away = args or (default_working_intervals(PERIOD), _SPAN, ())
    figures = from_summaries(EntryStore(store.data_dir, "dev-a"), PERIOD, folder)
    return figures.coverage(working, span, away)


def test_a_kept_coverage_is_read_back_as_computed(
    store: EntryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    computed = _coverage(store, folder)
    assert (folder / "Europe~Berlin" / "coverage.json").exists()

    def no_sweep(*args: Any) -> Any:
        raise AssertionError("the kept coverage should have been read")

    monkeypatch.setattr(month_summaries, "coverage_of_columns", no_sweep)
    assert _coverage(store, folder) == computed


@pytest.mark.parametrize(
    "change",
    ["working hours", "span", "away", "entry", "level", "damaged file"],
)
def test_a_kept_coverage_serves_only_the_same_question(
    store: EntryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """Whatever a coverage is computed from changes, it is computed again, and equals what
    a report keeping nothing computes."""
    folder = tmp_path / "cache"
    working, span, away = default_working_intervals(PERIOD), _SPAN, []
    kept = _coverage(store, folder, working, span, away)
    if change == "working hours":
        working = [(lo - timedelta(hours=2), hi) for lo, hi in working]
    elif change == "span":
        span = (span[0] + timedelta(days=3), span[1])
    elif change == "away":
        away = _AWAY
    elif change == "entry":
        _booked(store, datetime(2026, 3, 10, 7, tzinfo=UTC), 240, ACTIVITIES[0])
    elif change == "level":
        # As if the framework had changed: every activity counts at the domain level.
        def domain(activity: str, framework: Any) -> Level:
            return Level.DOMAIN

        monkeypatch.setattr(coverage_module, "level_of", domain)
        monkeypatch.setattr(month_summaries, "level_of", domain)
    else:
        path = folder / "Europe~Berlin" / "coverage.json"
        path.write_bytes(path.read_bytes().replace(b'"0x', b'"0x1', 1))
    fresh = _coverage(store, None, working, span, away)
    if change != "damaged file":
        assert fresh != kept
    assert _coverage(store, folder, working, span, away) == fresh
