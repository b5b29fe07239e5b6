from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from sec_desktop.reminders.booking import entries_for_answers, uncovered
from sec_desktop.reminders.prompts import Disposition, PromptSlot, SlotAnswer, SlotKind
from tests.helpers.entries import make_entry
from tests.helpers.ids import INCIDENT, OKR

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def slot(start_min: float, end_min: float, kind: SlotKind = SlotKind.INTERVAL) -> PromptSlot:
    return PromptSlot(start=at(start_min), end=at(end_min), kind=kind, due=at(end_min))


def test_uncovered_cuts_out_covered_spans() -> None:
    pieces = uncovered(at(0), at(60), [(at(10), at(20)), (at(15), at(30)), (at(50), at(70))])
    assert pieces == [(at(0), at(10)), (at(30), at(50))]


def test_uncovered_drops_slivers() -> None:
    assert uncovered(at(0), at(30), [(at(0.2), at(30))]) == []


def test_tagged_answer_becomes_entry_with_kind_source() -> None:
    answers = [SlotAnswer(slot(0, 30, SlotKind.PING), Disposition.TAGGED, OKR, note="q3 okrs")]
    made = entries_for_answers(answers, [], tz="Europe/Berlin", device="laptop", now=at(31))
    assert [(e.start, e.end, e.activity, e.source, e.note) for e in made] == [
        (at(0), at(30), OKR, "ping", "q3 okrs")
    ]


def test_existing_entries_are_not_double_booked() -> None:
    answers = [SlotAnswer(slot(0, 60), Disposition.TAGGED, OKR)]
    made = entries_for_answers(
        answers,
        [make_entry(at(20), end=at(40), activity=INCIDENT)],
        tz="Europe/Berlin",
        device="laptop",
        now=at(61),
    )
    assert [(e.start, e.end) for e in made] == [(at(0), at(20)), (at(40), at(60))]
    assert {e.source for e in made} == {"prompt"}


def test_deleted_entries_do_not_cover_time() -> None:
    gone = make_entry(at(0), end=at(30), activity=INCIDENT).edited(at(35), deleted=at(35))
    answers = [SlotAnswer(slot(0, 30), Disposition.TAGGED, OKR)]
    made = entries_for_answers(answers, [gone], tz="UTC", device="laptop", now=at(40))
    assert [(e.start, e.end) for e in made] == [(at(0), at(30))]


def test_away_and_off_work_book_nothing() -> None:
    answers = [
        SlotAnswer(slot(0, 30), Disposition.AWAY),
        SlotAnswer(slot(30, 60), Disposition.OFF_WORK),
    ]
    assert entries_for_answers(answers, [], tz="UTC", device="laptop", now=at(61)) == []


@given(
    st.lists(st.tuples(st.integers(0, 300), st.integers(1, 120)), max_size=6),
    st.lists(st.tuples(st.integers(0, 300), st.integers(1, 120)), min_size=1, max_size=6),
)
def test_no_minute_is_booked_twice(
    covered: list[tuple[int, int]], asked: list[tuple[int, int]]
) -> None:
    olds = [make_entry(at(s), end=at(s + d), activity=INCIDENT) for s, d in covered]
    answers = [SlotAnswer(slot(s, s + d), Disposition.TAGGED, OKR) for s, d in asked]
    made = entries_for_answers(answers, olds, tz="UTC", device="laptop", now=at(500))
    spans = sorted([(e.start, e.end) for e in made] + [(e.start, e.end) for e in olds])
    booked_new = sorted((e.start, e.end) for e in made)
    for (_, a_end), (b_start, _) in itertools.pairwise(booked_new):
        assert a_end <= b_start
    for new in made:
        for old in olds:
            assert not old.overlaps(new.start, new.end)
    # Every asked minute is booked by someone unless it is a sliver.
    for s, d in asked:
        for minute in range(s, s + d):
            inside = any(a <= at(minute + 0.5) < b for a, b in spans)
            assert inside
