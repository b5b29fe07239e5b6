"""The one overlap rule: a span among saved entries is refused, or trimmed at the end that may
give way, and what it keeps never shares time with another entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sec_desktop.store import Entry
from sec_desktop.store.overlap import OverlapRefused, Trim, clashes_with, place

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _entry(start: int, end: int, entry_id: str | None = None) -> Entry:
    return Entry.new(
        start=_at(start),
        end=_at(end),
        tz="Europe/Berlin",
        activity="strategy",
        source="manual",
        device="test-laptop",
        now=_at(end),
    ).edited(_at(end), **({"id": entry_id} if entry_id else {}))


# Two saved entries, 09:00-10:00 and 11:00-12:00 (minutes 60-120 and 180-240).
SAVED = [_entry(60, 120, "a"), _entry(180, 240, "b")]


def test_a_free_span_is_placed_as_asked() -> None:
    placed = place(_at(120), _at(180), SAVED)
    assert (placed.start, placed.end, placed.trimmed) == (_at(120), _at(180), False)


def test_an_overlap_is_refused_without_trim_and_names_the_clashes() -> None:
    with pytest.raises(OverlapRefused) as refused:
        place(_at(30), _at(200), SAVED)
    assert [e.id for e in refused.value.clashes] == ["a", "b"]


def test_the_entry_being_edited_does_not_clash_with_itself() -> None:
    placed = place(_at(70), _at(130), SAVED, ignore_id="a")
    assert (placed.start, placed.end) == (_at(70), _at(130))


def test_the_end_gives_way_at_the_next_entry() -> None:
    placed = place(_at(130), _at(200), SAVED, trim=Trim.END)
    assert (placed.start, placed.end) == (_at(130), _at(180))
    assert [e.id for e in placed.trimmed_by] == ["b"]


def test_the_start_gives_way_at_the_previous_entry() -> None:
    placed = place(_at(100), _at(170), SAVED, trim=Trim.START)
    assert (placed.start, placed.end) == (_at(120), _at(170))


def test_a_clash_over_the_fixed_end_is_refused_even_with_trim() -> None:
    with pytest.raises(OverlapRefused):
        place(_at(90), _at(150), SAVED, trim=Trim.END)  # starts inside "a"
    with pytest.raises(OverlapRefused):
        place(_at(150), _at(200), SAVED, trim=Trim.START)  # ends inside "b"


def test_touching_ends_do_not_overlap() -> None:
    assert clashes_with(_at(120), _at(180), SAVED) == []


spans = st.tuples(st.integers(0, 400), st.integers(1, 120)).map(lambda t: (t[0], t[0] + t[1]))


@given(st.lists(spans, max_size=12), st.sampled_from(list(Trim)))
def test_placed_spans_never_share_time(asked: list[tuple[int, int]], trim: Trim) -> None:
    """Placing span after span (as drags do), whatever is kept is disjoint, and each kept span
    lies within what was asked."""
    kept: list[Entry] = []
    for index, (lo, hi) in enumerate(asked):
        try:
            placed = place(_at(lo), _at(hi), kept, trim=trim)
        except OverlapRefused:
            continue
        assert _at(lo) <= placed.start < placed.end <= _at(hi)
        assert clashes_with(placed.start, placed.end, kept) == []
        start = int((placed.start - T0).total_seconds() // 60)
        end = int((placed.end - T0).total_seconds() // 60)
        kept.append(_entry(start, end, f"e{index}"))
    for i, a in enumerate(kept):
        for b in kept[i + 1 :]:
            assert not a.overlaps(b.start, b.end)
