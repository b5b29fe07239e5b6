"""Section "reminders": TagTime's schedule and the planner, beside TagTime's own walk.

TagTime finds the ping after a moment by walking the generator from the 2007 ur-ping
(`begin(t)` in its reference implementations): ~200k steps for a moment in 2026. Ours keeps
checkpoints, so the baseline is that walk, measured in the same run on the same moments:

- next ping in 2026, first question (a fresh schedule, nothing cached yet), median;
- next ping in 2026 once warm (random moments in the same year), p95;
- planner ticks in random mode over a simulated working week (a tick every 30 s, the
  driver's rhythm) with our schedule and with the walking one: the p95 of the ticks that
  fire a ping (they look up the ping before and the next one) and the slowest tick.

Run alone with: scripts/bench --only reminders
"""

from __future__ import annotations

import gc
import math
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchlib import Figure, percentile, progress

from sec_desktop.reminders.schedule import Planner
from sec_desktop.reminders.tagtime import (
    LCG_MODULUS,
    LCG_MULTIPLIER,
    TAGTIME_MEAN_GAP_S,
    TAGTIME_SEED,
    TAGTIME_UR_PING,
    TagTimeSchedule,
)
from sec_desktop.settings import Settings

SECTION = "reminders"
DESCRIPTION = "TagTime pings in 2026 and planner ticks, beside TagTime's walk from 2007"

SEED = 20261123
YEAR_START = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
YEAR_END = int(datetime(2027, 1, 1, tzinfo=UTC).timestamp())
ZONE = ZoneInfo("Europe/Berlin")
WEEK_START = datetime(2026, 11, 23, 7, 0, tzinfo=ZONE).astimezone(UTC)  # a Monday
TICK = timedelta(seconds=30)

WARM_TARGET_MS = 1.0
TICK_TARGET_MS = 1.0


class WalkingSchedule(TagTimeSchedule):
    """TagTime's own way: every question walks the generator from the ur-ping."""

    def _walk_to(self, unix_time: int) -> tuple[int, int, int]:
        """The last ping at or before `unix_time`, its state and the ping after it."""
        ping, state, gap = self.ur_ping, self.seed, self.mean_gap_s
        while True:
            next_state = LCG_MULTIPLIER * state % LCG_MODULUS
            following = max(
                ping + 1, math.floor(ping - gap * math.log(next_state / LCG_MODULUS) + 0.5)
            )
            if following > unix_time:
                return ping, state, following
            ping, state = following, next_state

    def next_ping(self, after_unix: int) -> int:
        if after_unix < self.ur_ping:
            return self.ur_ping
        return self._walk_to(after_unix)[2]

    def previous_ping(self, at_or_before: int) -> int | None:
        if at_or_before < self.ur_ping:
            return None
        return self._walk_to(at_or_before)[0]


def timed_ms(call: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def first_question(moments: list[int]) -> tuple[list[float], list[float]]:
    ours, walk = [], []
    for moment in moments:
        gc.collect()
        ours_ms, ours_ping = timed_ms(lambda m=moment: TagTimeSchedule().next_ping(m))
        walk_ms, walk_ping = timed_ms(lambda m=moment: WalkingSchedule().next_ping(m))
        assert ours_ping == walk_ping, f"schedules disagree after {moment}"
        ours.append(ours_ms)
        walk.append(walk_ms)
    return ours, walk


def warm_questions(moments: list[int], walk_count: int) -> tuple[list[float], list[float]]:
    ours_schedule, walking = TagTimeSchedule(), WalkingSchedule()
    ours_schedule.next_ping(YEAR_END)  # warm: the year's checkpoints exist
    ours, walk = [], []
    gc.collect()
    for i, moment in enumerate(moments):
        ours_ms, ours_ping = timed_ms(lambda m=moment: ours_schedule.next_ping(m))
        ours.append(ours_ms)
        if i < walk_count:
            walk_ms, walk_ping = timed_ms(lambda m=moment: walking.next_ping(m))
            assert ours_ping == walk_ping
            walk.append(walk_ms)
    return ours, walk


def week_of_ticks(schedule: TagTimeSchedule | None, days: int) -> tuple[list[float], list[float]]:
    """Tick a random-mode planner every 30 s for `days`, answering every prompt; the times
    of all ticks and of the ticks that fired a ping (those look the schedule up)."""
    now = [WEEK_START]
    mono = [0.0]
    planner = Planner(Settings(prompt_mode="random"), ZONE, lambda: now[0])
    if schedule is not None:
        planner.schedule = schedule  # same pings, found by walking from 2007 each time
    samples, firing = [], []
    end = WEEK_START + timedelta(days=days)
    gc.collect()
    while now[0] < end:
        now[0] += TICK
        mono[0] += TICK.total_seconds()
        started = time.perf_counter()
        request = planner.on_tick(now[0], mono[0])
        samples.append((time.perf_counter() - started) * 1000)
        if request is not None:
            firing.append(samples[-1])
            planner.on_answered([])
    return samples, firing


def run(root: Path, quick: bool, data: dict[str, Any]) -> list[Figure]:
    rng = random.Random(SEED)
    first_n, warm_n, walk_n = (3, 300, 5) if quick else (7, 3000, 20)
    days = 1 if quick else 5
    data["schedule"] = {
        "seed": TAGTIME_SEED,
        "mean_gap_s": TAGTIME_MEAN_GAP_S,
        "ur_ping": TAGTIME_UR_PING,
    }

    progress(f"first question in 2026: {first_n} fresh schedules each")
    moments = [rng.randrange(YEAR_START, YEAR_END) for _ in range(first_n)]
    ours_first, walk_first = first_question(moments)

    progress(f"warm questions in 2026: {warm_n} ours, {walk_n} walking")
    moments = [rng.randrange(YEAR_START, YEAR_END) for _ in range(warm_n)]
    ours_warm, walk_warm = warm_questions(moments, walk_n)

    progress(f"planner ticks, random mode, {days} day(s) every 30 s: ours")
    ours_ticks, ours_firing = week_of_ticks(None, days)
    progress("planner ticks: with the walking schedule")
    walk_ticks, walk_firing = week_of_ticks(WalkingSchedule(), days)
    assert len(ours_firing) == len(walk_firing), "the two schedules pinged differently"
    data["prompts_in_simulation"] = len(ours_firing)
    data["ticks_in_simulation"] = len(ours_ticks)

    warm_p95 = percentile(ours_warm, 95)
    tick_p95 = percentile(ours_firing, 95)
    return [
        Figure(
            "next ping 2026, first question (median)",
            "ms",
            statistics.median(ours_first),
            statistics.median(walk_first),
        ),
        Figure(
            "next ping 2026, warm (p95)",
            "ms",
            warm_p95,
            percentile(walk_warm, 95),
            target=f"< {WARM_TARGET_MS:g} ms",
            met=warm_p95 < WARM_TARGET_MS,
        ),
        Figure(
            "planner tick that pings (p95)",
            "ms",
            tick_p95,
            percentile(walk_firing, 95),
            target=f"< {TICK_TARGET_MS:g} ms",
            met=tick_p95 < TICK_TARGET_MS,
        ),
        Figure(
            "planner tick, any (max)",
            "ms",
            max(ours_ticks),
            max(walk_ticks),
        ),
    ]
