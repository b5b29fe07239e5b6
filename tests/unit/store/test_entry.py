"""Entry: validation (each message names the field), JSON round trip, overlaps and merges."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sec_desktop.store.entry import (
    MAX_ENTRY_SPAN,
    Entry,
    EntryError,
    format_utc,
    newest,
    parse_utc,
)

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def make(**changes: Any) -> Entry:
    fields: dict[str, Any] = {
        "id": "e-1",
        "start": T0,
        "end": T0 + timedelta(hours=1),
        "tz": "Europe/Berlin",
        "activity": "s.hiring",
        "source": "manual",
        "device": "laptop-1a2b3c",
        "created": T0,
        "updated": T0,
    }
    fields.update(changes)
    return Entry(**fields)


# Validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "pattern"),
    [
        ({"end": T0}, r"^end .*must be after start"),
        ({"end": T0 - timedelta(minutes=1)}, r"^end .*must be after start"),
        ({"end": T0 - timedelta(microseconds=1)}, r"^end .*must be after start"),
        ({"start": T0.replace(tzinfo=None)}, r"^start must be a time with a UTC offset"),
        (
            {"end": (T0 + timedelta(hours=1)).replace(tzinfo=None)},
            r"^end must be a time with a UTC offset",
        ),
        ({"created": T0.replace(tzinfo=None)}, r"^created must be a time with a UTC offset"),
        ({"updated": T0.replace(tzinfo=None)}, r"^updated must be a time with a UTC offset"),
        ({"start": "2026-03-10T09:00:00Z"}, r"^start must be a time"),
        ({"tz": "Mars/Olympus_Mons"}, r"time zone 'Mars/Olympus_Mons' is not an IANA zone"),
        ({"tz": ""}, r"time zone '' is not an IANA zone"),
        ({"tz": "../../etc/passwd"}, r"time zone '\.\./\.\./etc/passwd' is not an IANA zone"),
        ({"source": "email"}, r"^source 'email' is not one of"),
        ({"source": "import:"}, r"^source 'import:' is not one of"),
        ({"source": "import:Toggl"}, r"^source 'import:Toggl' is not one of"),
        ({"device": "My Laptop"}, r"^device 'My Laptop' is not a lowercase slug"),
        ({"device": "Laptop"}, r"^device 'Laptop' is not a lowercase slug"),
        ({"device": "-laptop"}, r"^device '-laptop' is not a lowercase slug"),
        ({"device": ""}, r"^device '' is not a lowercase slug"),
        ({"device": "a" * 65}, r"^device 'a{65}' is not a lowercase slug"),
        ({"id": ""}, r"^id is empty"),
        ({"activity": ""}, r"^activity is empty"),
    ],
    ids=lambda v: repr(v)[:60] if isinstance(v, dict) else None,
)
def test_invalid_entry_raises_entry_error_naming_the_field(
    changes: dict[str, Any], pattern: str
) -> None:
    with pytest.raises(EntryError, match=pattern):
        make(**changes)


def test_span_over_31_days_is_refused_and_says_so() -> None:
    make(end=T0 + MAX_ENTRY_SPAN)  # exactly 31 days is allowed
    with pytest.raises(EntryError, match=r"more than the 31 days an entry may cover") as info:
        make(end=T0 + MAX_ENTRY_SPAN + timedelta(seconds=1))
    assert "31 days, 0:00:01" in str(info.value)


def test_a_directory_of_the_zone_database_is_not_a_zone() -> None:
    # "America" is a folder in the IANA database; opening it raised IsADirectoryError,
    # which escaped every reader's `except EntryError` and made the whole store unreadable.
    with pytest.raises(EntryError, match=r"time zone 'America' is not an IANA zone"):
        make(tz="America")


def test_entry_error_is_a_value_error() -> None:
    assert issubclass(EntryError, ValueError)


@pytest.mark.parametrize(
    "source", ["ping", "timer", "manual", "calendar", "import:toggl", "import:clockify_v2.1"]
)
def test_valid_sources_are_accepted(source: str) -> None:
    assert make(source=source).source == source


def test_non_utc_offsets_are_accepted_and_compare_equal_in_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    entry = make(start=T0.astimezone(plus_two), end=(T0 + timedelta(hours=1)).astimezone(plus_two))
    assert entry.duration == timedelta(hours=1)
    assert entry.to_json()["start"] == "2026-03-10T09:00:00Z"


def test_new_normalises_to_utc_and_stamps_created_and_updated() -> None:
    plus_two = timezone(timedelta(hours=2))
    now = datetime(2026, 3, 10, 12, 0, 0, 5, tzinfo=plus_two)
    entry = Entry.new(
        start=datetime(2026, 3, 10, 11, 0, tzinfo=plus_two),
        end=datetime(2026, 3, 10, 12, 0, tzinfo=plus_two),
        tz="Europe/Berlin",
        activity="e.delivery",
        source="timer",
        device="laptop-1a2b3c",
        labels=("focus",),
        note="",
        now=now,
    )
    assert entry.start == T0 and entry.start.tzinfo is UTC
    assert entry.end.tzinfo is UTC
    assert entry.created == entry.updated == now and entry.created.tzinfo is UTC
    assert entry.note is None  # an empty note is no note
    assert entry.labels == ("focus",)
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", entry.id)
    other = Entry.new(
        start=T0,
        end=T0 + timedelta(hours=1),
        tz="UTC",
        activity="a",
        source="manual",
        device="d",
    )
    assert other.id != entry.id


def test_edited_moves_updated_and_keeps_created() -> None:
    entry = make()
    later = T0 + timedelta(days=1)
    edited = entry.edited(later.astimezone(timezone(timedelta(hours=-5))), note="moved")
    assert edited.note == "moved"
    assert edited.updated == later and edited.updated.tzinfo is UTC
    assert edited.created == entry.created
    with pytest.raises(EntryError, match="end"):
        entry.edited(later, end=entry.start)


# JSON form ----------------------------------------------------------------------------------


def test_to_json_shape() -> None:
    entry = make(labels=("a", "b"), note="hello", start=T0.replace(microsecond=120))
    assert entry.to_json() == {
        "id": "e-1",
        "start": "2026-03-10T09:00:00.000120Z",
        "end": "2026-03-10T10:00:00Z",
        "tz": "Europe/Berlin",
        "activity": "s.hiring",
        "labels": ["a", "b"],
        "note": "hello",
        "source": "manual",
        "device": "laptop-1a2b3c",
        "created": "2026-03-10T09:00:00Z",
        "updated": "2026-03-10T09:00:00Z",
        "deleted": None,
    }


def test_unknown_fields_survive_a_round_trip_but_cannot_shadow_known_ones() -> None:
    doc = make().to_json()
    doc["x-future"] = {"nested": [1, 2, None]}
    doc["color"] = "teal"
    entry = Entry.from_json(doc)
    assert dict(entry.extra) == {"x-future": {"nested": [1, 2, None]}, "color": "teal"}
    assert entry.to_json() == doc
    # Editing keeps them too.
    assert entry.edited(T0 + timedelta(hours=3), note="n").to_json()["color"] == "teal"


@pytest.mark.parametrize(
    ("mutate", "pattern"),
    [
        (lambda d: d.pop("start"), r"lacks start"),
        (lambda d: (d.pop("tz"), d.pop("device")), r"lacks tz, device"),
        (lambda d: d.update(start="yesterday"), r"^start is not an ISO 8601 time"),
        (lambda d: d.update(end=1234), r"^end is not an ISO 8601 time"),
        (lambda d: d.update(updated="2026-03-10T09:00:00"), r"^updated has no UTC offset"),
        (lambda d: d.update(created="0001-01-01T00:00:00+01:00"), r"^created is out of range"),
        (lambda d: d.update(deleted="9999-12-31T23:30:00-01:00"), r"^deleted is out of range"),
        (lambda d: d.update(labels="focus"), r"labels must be a list of strings"),
        (lambda d: d.update(labels=["ok", 3]), r"labels must be a list of strings"),
        (lambda d: d.update(note=5), r"note must be text"),
        (lambda d: d.update(tz=None), r"tz must be text"),
        (lambda d: d.update(device=7), r"device must be text"),
        (lambda d: d.update(tz="America"), r"time zone 'America'"),
    ],
)
def test_from_json_rejects_bad_documents_with_entry_error(mutate: Any, pattern: str) -> None:
    doc = make().to_json()
    mutate(doc)
    with pytest.raises(EntryError, match=pattern):
        Entry.from_json(doc)


def test_from_json_rejects_non_objects() -> None:
    with pytest.raises(EntryError, match="must be a JSON object"):
        Entry.from_json(["not", "a", "dict"])  # type: ignore[arg-type]


def test_from_json_accepts_missing_optional_fields() -> None:
    doc = make().to_json()
    for key in ("labels", "note", "deleted"):
        del doc[key]
    entry = Entry.from_json(doc)
    assert entry.labels == () and entry.note is None and entry.deleted is None


def test_format_utc_trailing_z_and_precision() -> None:
    assert format_utc(T0) == "2026-03-10T09:00:00Z"
    assert format_utc(T0.replace(microsecond=7)) == "2026-03-10T09:00:00.000007Z"
    plus_5_30 = timezone(timedelta(hours=5, minutes=30))
    assert format_utc(datetime(2026, 1, 1, 5, 30, tzinfo=plus_5_30)) == "2026-01-01T00:00:00Z"
    assert parse_utc("2026-03-10T09:00:00Z", "start") == T0
    assert parse_utc("2026-03-10T11:00:00+02:00", "start").tzinfo is UTC


_aware = st.datetimes(
    min_value=datetime(1971, 1, 1),
    max_value=datetime(2199, 12, 31),
    timezones=st.just(UTC),
)
_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
_extra_keys = st.text(min_size=1, max_size=12).filter(lambda k: k not in {*make().to_json().keys()})
_json_leaf = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | _text
_json = st.recursive(
    _json_leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=6,
)


@st.composite
def entries(draw: st.DrawFn) -> Entry:
    start = draw(_aware)
    span = draw(st.timedeltas(min_value=timedelta(microseconds=1), max_value=MAX_ENTRY_SPAN))
    created = draw(_aware)
    updated = draw(_aware)
    deleted = draw(st.none() | _aware)
    return Entry(
        id=draw(st.uuids()).hex if draw(st.booleans()) else draw(_text.filter(bool)),
        start=start,
        end=start + span,
        tz=draw(st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"])),
        activity=draw(_text.filter(bool)),
        source=draw(st.sampled_from(["ping", "timer", "manual", "calendar", "import:toggl"])),
        device=draw(st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,20}\Z")),
        created=created,
        updated=updated,
        labels=tuple(draw(st.lists(_text, max_size=4))),
        note=draw(st.none() | _text),
        deleted=deleted,
        extra=draw(st.dictionaries(_extra_keys, _json, max_size=3)),
    )


@settings(
    max_examples=200,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(entries())
def test_json_round_trip_is_lossless(entry: Entry) -> None:
    doc = entry.to_json()
    back = Entry.from_json(doc)
    assert back == entry
    assert dict(back.extra) == dict(entry.extra)  # extra is not part of ==
    assert back.start.microsecond == entry.start.microsecond
    assert back.is_deleted == entry.is_deleted
    assert back.to_json() == doc
    for key in ("start", "end", "created", "updated"):
        assert doc[key].endswith("Z")


# Overlaps and merges ------------------------------------------------------------------------


def test_overlaps_is_half_open() -> None:
    entry = make(start=T0.replace(hour=10), end=T0.replace(hour=11, minute=30))
    assert not entry.overlaps(T0.replace(hour=11, minute=30), T0.replace(hour=12))
    assert not entry.overlaps(T0.replace(hour=9), T0.replace(hour=10))
    assert entry.overlaps(T0.replace(hour=11, minute=29, second=59), T0.replace(hour=12))
    assert entry.overlaps(T0.replace(hour=9), T0.replace(hour=10, microsecond=1))
    assert entry.overlaps(T0.replace(hour=10, minute=15), T0.replace(hour=10, minute=20))
    assert entry.overlaps(T0.replace(hour=8), T0.replace(hour=13))


def test_newest_takes_the_latest_update_whatever_the_order() -> None:
    old = make(note="old")
    new = replace(old, note="new", updated=T0 + timedelta(seconds=1))
    assert newest(old, new) is new
    assert newest(new, old) is new
    # A newer live edit beats an older tombstone.
    tomb = replace(old, deleted=T0, updated=T0 + timedelta(microseconds=1))
    newer_live = replace(old, updated=T0 + timedelta(microseconds=2))
    assert newest(tomb, newer_live) is newer_live
    assert newest(newer_live, tomb) is newer_live


def test_newest_prefers_the_tombstone_on_a_tie() -> None:
    live = make(device="aaa", updated=T0 + timedelta(minutes=5))
    tomb = replace(live, device="zzz", deleted=T0)
    assert newest(live, tomb) is tomb
    assert newest(tomb, live) is tomb
    # Tombstone wins even over the device tie-break pointing the other way.
    tomb_a = replace(live, device="aaa", deleted=T0)
    live_z = replace(live, device="zzz")
    assert newest(tomb_a, live_z) is tomb_a
    assert newest(live_z, tomb_a) is tomb_a


def test_newest_on_a_full_tie_is_decided_by_device_not_by_order() -> None:
    a = make(device="aaa", note="from a")
    b = make(device="bbb", note="from b")
    assert newest(a, b) is b
    assert newest(b, a) is b


# Bounds: 1970-01-01 to 2999-12-31 -------------------------------------------------------------

BEFORE_1970 = datetime(1969, 12, 31, 23, 0, tzinfo=UTC)
AFTER_2999 = datetime(3000, 1, 1, 0, 0, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start": BEFORE_1970, "created": T0}, "start"),
        ({"start": AFTER_2999 - timedelta(hours=1), "end": AFTER_2999}, "end"),
        ({"updated": datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)}, "updated"),
        ({"created": BEFORE_1970}, "created"),
        ({"deleted": AFTER_2999}, "deleted"),
    ],
)
def test_times_outside_1970_to_2999_are_refused(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(EntryError, match=rf"^{field} .*1970-01-01.*2999-12-31"):
        make(**changes)
    with pytest.raises(EntryError, match=field):
        Entry.from_json({**make().to_json(), **{k: format_utc(v) for k, v in changes.items()}})


def test_times_at_the_bounds_are_kept_and_can_still_be_edited(tmp_path) -> None:
    from sec_desktop.store import EntryStore

    first = datetime(1970, 1, 1, tzinfo=UTC)
    last = datetime(3000, 1, 1, tzinfo=UTC) - timedelta(microseconds=1)
    store = EntryStore(tmp_path, "laptop-1a2b3c", clock=lambda: T0)
    early = store.add(make(id="early", start=first, end=first + timedelta(hours=1), created=first))
    late = store.add(make(id="late", start=last - timedelta(hours=1), end=last, updated=last))
    assert Entry.from_json(early.to_json()) == early
    # An edit stamps later than the version it replaces: that must fit too.
    edited = store.update(replace(late, activity="s.strategy"))
    assert edited.updated == datetime(3000, 1, 1, tzinfo=UTC) - timedelta(microseconds=1)
    store.delete(edited.id)
    assert store.get(edited.id) is None
