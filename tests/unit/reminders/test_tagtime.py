"""TagTime's universal schedule: the published pings, an independent walk, the cache."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sec_desktop.reminders.tagtime import (
    CHECKPOINT_STRIDE,
    TAGTIME_2018_PING,
    TAGTIME_2018_STATE,
    TAGTIME_UR_PING,
    TagTimeSchedule,
    shared_schedule,
)

UR_PING = 1184097393
SEED = 11193462
GAP_S = 2700


def reference_walk(seed: int, gap_s: int, count: int) -> list[tuple[int, int]]:
    """(ping, state) for the first `count` pings after the ur-ping, straight from TagTime's
    published steps: state = 16807 * state mod (2^31 - 1), then
    next = max(prev + 1, round1(prev - gap * ln(state / (2^31 - 1)))) with round1(x) =
    int(x + 0.5) for the positive x here."""
    ia, im = 7**5, 2**31 - 1
    state, ping = seed, UR_PING
    pings = []
    for _ in range(count):
        state = (ia * state) % im
        exprand = -gap_s * math.log(state / im)
        ping = max(ping + 1, int(ping + exprand + 0.5))
        pings.append((ping, state))
    return pings


# Published by other TagTime implementations for the universal schedule (seed 11193462 and
# seed 123456, both with the 45-minute gap): the first ping after the ur-ping, and the first
# ping after 2018-11-24T17:20:00Z.
PUBLISHED = [
    (SEED, UR_PING, 1184098754),
    (123456, UR_PING, 1184097486),
    (SEED, 1543080000, 1543081241),
    (123456, 1543080000, 1543080933),
]


@pytest.mark.parametrize(("seed", "after", "expected"), PUBLISHED)
def test_published_pings(seed: int, after: int, expected: int) -> None:
    assert TagTimeSchedule(seed=seed).next_ping(after) == expected


def test_ur_ping_is_on_the_schedule() -> None:
    schedule = TagTimeSchedule()
    assert schedule.next_ping(UR_PING - 1) == UR_PING
    assert schedule.previous_ping(UR_PING) == UR_PING
    assert schedule.previous_ping(UR_PING - 1) is None
    assert TAGTIME_UR_PING == UR_PING


def test_first_thousand_pings_match_an_independent_walk() -> None:
    expected = [p for p, _ in reference_walk(SEED, GAP_S, 1000)]
    schedule = TagTimeSchedule()
    assert schedule.pings_between(UR_PING, expected[-1]) == expected
    walked = []
    ping = UR_PING
    for _ in range(1000):
        ping = schedule.next_ping(ping)
        walked.append(ping)
    assert walked == expected


def test_the_2018_jump_point_is_on_the_default_schedule() -> None:
    # Walk from the ur-ping without the shortcut (a different gap object disables it) and
    # find the published (ping, state) pair exactly.
    ia, im = 7**5, 2**31 - 1
    state, ping = SEED, UR_PING
    while ping < TAGTIME_2018_PING:
        state = (ia * state) % im
        ping = max(ping + 1, int(ping - GAP_S * math.log(state / im) + 0.5))
    assert (ping, state) == (TAGTIME_2018_PING, TAGTIME_2018_STATE)


def test_schedule_with_the_shortcut_equals_one_without() -> None:
    with_shortcut = TagTimeSchedule()
    without = TagTimeSchedule()
    without._pings = [UR_PING]  # noqa: SLF001 - drop the published checkpoint on purpose
    without._states = [SEED]  # noqa: SLF001
    for after in (1300000000, 1500000000, TAGTIME_2018_PING, 1600000000, 1790000000):
        assert with_shortcut.next_ping(after) == without.next_ping(after)
        assert with_shortcut.previous_ping(after) == without.previous_ping(after)


def test_rounding_matches_exact_arithmetic_for_the_first_pings() -> None:
    # The float result of prev + gap must round like the exact value: compare against a
    # rational computation of the same step where the logarithm is the only float.
    ia, im = 7**5, 2**31 - 1
    state, ping = SEED, UR_PING
    schedule = TagTimeSchedule()
    for _ in range(200):
        state = (ia * state) % im
        gap = Fraction(-GAP_S * math.log(state / im))
        exact = max(ping + 1, math.floor(ping + gap + Fraction(1, 2)))
        assert schedule.next_ping(ping) == exact
        ping = exact


def test_other_gaps_and_seeds_follow_the_same_formula() -> None:
    for seed, gap in ((1, 60), (424242, 600), (2**31 - 2, 5400)):
        expected = [p for p, _ in reference_walk(seed, gap, 300)]
        schedule = TagTimeSchedule(seed=seed, mean_gap_s=gap)
        assert schedule.pings_between(UR_PING, expected[-1]) == expected


@pytest.mark.parametrize("seed", [0, -1, 2**31 - 1])
def test_bad_seed_is_refused(seed: int) -> None:
    with pytest.raises(ValueError, match="seed"):
        TagTimeSchedule(seed=seed)


def test_bad_gap_is_refused() -> None:
    with pytest.raises(ValueError, match="gap"):
        TagTimeSchedule(mean_gap_s=0)


def test_far_ahead_uses_checkpoints() -> None:
    schedule = TagTimeSchedule()
    in_2026 = 1780000000
    first = schedule.next_ping(in_2026)
    checkpoints = len(schedule._pings)  # noqa: SLF001
    # ~200k pings since 2007 are summarised by a few hundred checkpoints...
    assert 100 < checkpoints < 200_000 // CHECKPOINT_STRIDE + 10
    # ...and asking again adds none.
    assert schedule.next_ping(in_2026 + 5) >= first
    assert len(schedule._pings) == checkpoints  # noqa: SLF001


def test_shared_schedule_is_reused() -> None:
    assert shared_schedule() is shared_schedule()
    assert shared_schedule(SEED, 600) is not shared_schedule()


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=UR_PING - 10_000, max_value=1_900_000_000))
def test_next_and_previous_bracket_any_time(moment: int) -> None:
    schedule = shared_schedule()
    after = schedule.next_ping(moment)
    before = schedule.previous_ping(moment)
    assert after > moment
    if before is None:
        assert moment < UR_PING
        return
    assert before <= moment
    # Nothing on the schedule between them.
    assert schedule.next_ping(before) == after
    assert schedule.pings_between(before, after) == [after]


def test_pings_between_is_half_open() -> None:
    schedule = TagTimeSchedule()
    rng = random.Random(7)
    for _ in range(50):
        start = rng.randrange(1_700_000_000, 1_800_000_000)
        end = start + rng.randrange(0, 86_400)
        pings = schedule.pings_between(start, end)
        assert all(start < p <= end for p in pings)
        assert pings == sorted(set(pings))
        if pings:
            assert schedule.previous_ping(pings[0] - 1) is not None
            assert schedule.next_ping(start) == pings[0]
            assert schedule.next_ping(pings[-1]) > end
        else:
            assert schedule.next_ping(start) > end
