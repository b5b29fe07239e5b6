"""Entry.from_json's fast path for well-formed documents gives exactly what the full check
gives: the same entry (every field, stamps included) or, for a bad document, the same error."""

from __future__ import annotations

from dataclasses import fields
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sec_desktop.store.entry import Entry, EntryError, _well_formed_entry

STAMP = "001796580000000.000009.laptop-1"
OTHER_STAMP = "001796580000500.000000.phone-2"
VALID: dict[str, Any] = {
    "id": "e-1",
    "start": "2026-11-01T05:20:00Z",
    "end": "2026-11-01T06:00:00Z",
    "tz": "Europe/Berlin",
    "activity": "strategy.okr",
    "labels": [],
    "note": None,
    "source": "manual",
    "device": "laptop-1",
    "created": "2026-11-01T06:26:00Z",
    "updated": "2026-11-01T06:26:00Z",
    "deleted": None,
    "stamps": STAMP,
}
TIMES = [
    "2026-11-01T05:20:00Z",
    "2026-11-01T07:20:00+02:00",  # an offset: converted to UTC
    "2026-11-01T05:20:00.250000Z",
    "2026-11-01T05:20:00+00:00",
    "2026-11-01T05:20:00",  # no offset
    "1970-01-01T00:00:00Z",  # the first time an entry may hold
    "1969-12-31T23:59:59Z",
    "2999-12-31T23:59:59.999999Z",  # the last
    "3000-01-01T00:00:00+01:00",  # the last, written with an offset
    "3000-01-01T00:00:00Z",
    "0001-01-01T00:00:00+01:00",  # before year 1 in UTC
    "2026-12-05T05:20:00Z",  # more than 31 days after the start
    "not a time",
    "",
    None,
    17,
]
# Values for each field, valid and not, that a stored document may hold.
VALUES: dict[str, list[Any]] = {
    "id": ["e-1", "", 5, None],
    "start": TIMES,
    "end": TIMES,
    "created": TIMES,
    "updated": TIMES,
    "deleted": [None, "", 0, False, *TIMES],
    "tz": ["Europe/Berlin", "UTC", "America", "Nope/Zone", "", "Europe/\0Berlin", 5],
    "activity": ["strategy.okr", "", None, 3],
    "source": ["manual", "ping", "import:timew", "Import:X", "bad", "", 4],
    "device": ["laptop-1", "Laptop", "", "-x", 7],
    "labels": [[], ["deep"], ["a", "b"], [1], "deep", "", None, 0, {}, {"a": 1}],
    "note": [None, "", "a note", 5, {"sealed": "x"}],
    "stamps": [
        STAMP,
        {"times": STAMP, "activity": OTHER_STAMP, "note": STAMP, "labels": STAMP},
        dict.fromkeys(("times", "activity", "note", "labels", "deleted"), STAMP),
        "not a stamp",
        5,
    ],
    "seen": [{"laptop-1": STAMP}, {"laptop-1": STAMP, "phone-2": OTHER_STAMP}, {"x": 5}, []],
    "conflicts": [
        [],
        [{"field": "activity", "stamp": OTHER_STAMP, "value": "culture"}],
        [{"field": "nope"}],
        "x",
    ],
    "custom_field": [1, {"kept": True}],
}


def decode_full(doc: dict[str, Any]) -> Entry | str:
    """The full check's answer: a MappingProxyType is a Mapping but not a dict, so it never
    takes the fast path."""
    try:
        return Entry.from_json(MappingProxyType(doc))
    except EntryError as exc:
        return f"EntryError: {exc}"


def decode(doc: dict[str, Any]) -> Entry | str:
    try:
        return Entry.from_json(doc)
    except EntryError as exc:
        return f"EntryError: {exc}"


def every_field(answer: Entry | str) -> Any:
    if isinstance(answer, str):
        return answer
    values = {f.name: getattr(answer, f.name) for f in fields(Entry)}
    # Times: the same instant and the same zone object (UTC), not only equal.
    values["tzinfos"] = [getattr(answer, n).tzinfo for n in ("start", "end", "created")]
    values["extra"] = dict(answer.extra)
    return values


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    doc = dict(VALID)
    for key, choices in VALUES.items():
        if draw(st.booleans()):
            doc[key] = draw(st.sampled_from(choices))
    for key in draw(st.lists(st.sampled_from(sorted(VALUES)), max_size=2)):
        doc.pop(key, None)
    return doc


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_the_fast_path_answers_as_the_full_check(doc: dict[str, Any]) -> None:
    assert every_field(decode(doc)) == every_field(decode_full(doc))


@pytest.mark.parametrize(
    ("key", "value"),
    [(key, value) for key, values in VALUES.items() for value in values],
)
def test_each_value_alone_answers_as_the_full_check(key: str, value: Any) -> None:
    doc = {**VALID, key: value}
    assert every_field(decode(doc)) == every_field(decode_full(doc))


def test_a_well_formed_document_takes_the_fast_path() -> None:
    """The reason the path exists: an entry as the store writes it is not checked twice."""
    doc = {**VALID, "labels": ["deep"], "note": "n", "custom_field": 1}
    fast = _well_formed_entry(doc)
    assert fast is not None
    assert fast.labels == ("deep",)
    assert fast.extra == {"custom_field": 1}
    assert fast.stamps is None  # from_json adds them, as for the full check


def test_a_bad_document_keeps_its_clear_message() -> None:
    with pytest.raises(EntryError, match=r"end \(2026-11-01T05:00:00Z\) must be after start"):
        Entry.from_json({**VALID, "end": "2026-11-01T05:00:00Z"})
    with pytest.raises(EntryError, match="source 'bad' is not one of"):
        Entry.from_json({**VALID, "source": "bad"})
