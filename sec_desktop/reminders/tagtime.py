"""TagTime's universal ping schedule: Poisson pings from a Park-Miller generator.

Every TagTime client that starts from the ur-ping with the same seed and mean gap pings at the
same instants, so a schedule shared by all devices needs no synchronisation. Each ping is
`max(prev + 1, floor(prev + gap * -ln(U) + 0.5))`, with U the generator's next state over
2^31 - 1, drawn once per ping. Walking from 2007 to today is ~200k steps, so the schedule keeps
checkpoints of (ping, generator state) and walks at most one checkpoint stride per question.
"""

from __future__ import annotations

import bisect
import math
from functools import lru_cache

# Park-Miller "minimal standard" generator (ran0 in Numerical Recipes): state' = IA*state % IM.
LCG_MULTIPLIER = 16807  # 7^5
LCG_MODULUS = 2147483647  # 2^31 - 1
TAGTIME_UR_PING = 1184097393  # unix time of the first ping on the universal schedule (2007)
TAGTIME_SEED = 11193462
TAGTIME_MEAN_GAP_S = 45 * 60
# A later (ping, state) pair on the default schedule published beside the reference
# implementation; starting there gives the same pings as starting at the ur-ping (tested).
TAGTIME_2018_PING = 1532992625
TAGTIME_2018_STATE = 75570
CHECKPOINT_STRIDE = 64  # pings between stored checkpoints: ~2 days at the default gap


def lcg_next(state: int) -> int:
    """The generator's next state, an integer in [1, 2^31 - 2]."""
    return LCG_MULTIPLIER * state % LCG_MODULUS


def ping_after(prev_ping: int, next_state: int, mean_gap_s: float) -> int:
    """The ping that follows `prev_ping` once the generator has moved to `next_state`."""
    gap_s = -mean_gap_s * math.log(next_state / LCG_MODULUS)
    return max(prev_ping + 1, math.floor(prev_ping + gap_s + 0.5))


class TagTimeSchedule:
    """The pings of one (seed, mean gap, ur-ping) schedule, as integer unix times.

    The ur-ping itself is on the schedule; nothing is before it.
    """

    def __init__(
        self,
        seed: int = TAGTIME_SEED,
        mean_gap_s: float = TAGTIME_MEAN_GAP_S,
        ur_ping: int = TAGTIME_UR_PING,
    ) -> None:
        if not 1 <= seed < LCG_MODULUS:
            raise ValueError(f"TagTime seed must be between 1 and {LCG_MODULUS - 1}, got {seed}")
        if not mean_gap_s > 0:
            raise ValueError(f"TagTime mean gap must be positive, got {mean_gap_s}")
        self.seed = seed
        self.mean_gap_s = mean_gap_s
        self.ur_ping = ur_ping
        # Checkpoint i is a ping on the schedule and the generator state that produced it.
        self._pings = [ur_ping]
        self._states = [seed]
        if (seed, mean_gap_s, ur_ping) == (TAGTIME_SEED, TAGTIME_MEAN_GAP_S, TAGTIME_UR_PING):
            self._pings.append(TAGTIME_2018_PING)
            self._states.append(TAGTIME_2018_STATE)

    def _checkpoint_at_or_before(self, unix_time: int) -> tuple[int, int]:
        """The last (ping, state) checkpoint at or before `unix_time`, adding checkpoints
        every CHECKPOINT_STRIDE pings on the way so no later question walks further."""
        index = bisect.bisect_right(self._pings, unix_time) - 1
        ping, state = self._pings[index], self._states[index]
        following = self._pings[index + 1] if index + 1 < len(self._pings) else None
        gap = self.mean_gap_s
        while True:
            walked_ping, walked_state = ping, state
            for _ in range(CHECKPOINT_STRIDE):
                walked_state = LCG_MULTIPLIER * walked_state % LCG_MODULUS
                walked_ping = max(
                    walked_ping + 1,
                    math.floor(walked_ping - gap * math.log(walked_state / LCG_MODULUS) + 0.5),
                )
            if walked_ping > unix_time or (following is not None and walked_ping >= following):
                return ping, state
            index += 1
            self._pings.insert(index, walked_ping)
            self._states.insert(index, walked_state)
            ping, state = walked_ping, walked_state

    def next_ping(self, after_unix: int) -> int:
        """The first ping strictly after `after_unix`."""
        if after_unix < self.ur_ping:
            return self.ur_ping
        ping, state = self._checkpoint_at_or_before(after_unix)
        while ping <= after_unix:
            state = lcg_next(state)
            ping = ping_after(ping, state, self.mean_gap_s)
        return ping

    def previous_ping(self, at_or_before: int) -> int | None:
        """The last ping at or before `at_or_before`; None before the ur-ping."""
        if at_or_before < self.ur_ping:
            return None
        ping, state = self._checkpoint_at_or_before(at_or_before)
        while True:
            state = lcg_next(state)
            following = ping_after(ping, state, self.mean_gap_s)
            if following > at_or_before:
                return ping
            ping = following

    def pings_between(self, start: int, end: int) -> list[int]:
        """The pings p with start < p <= end, in order."""
        if end < self.ur_ping or end <= start:
            return []
        if start < self.ur_ping:
            ping, state = self.ur_ping, self.seed
        else:
            ping, state = self._checkpoint_at_or_before(start)
        pings = [ping] if start < ping <= end else []
        while ping <= end:
            state = lcg_next(state)
            ping = ping_after(ping, state, self.mean_gap_s)
            if start < ping <= end:
                pings.append(ping)
        return pings


@lru_cache(maxsize=8)
def shared_schedule(
    seed: int = TAGTIME_SEED,
    mean_gap_s: float = TAGTIME_MEAN_GAP_S,
    ur_ping: int = TAGTIME_UR_PING,
) -> TagTimeSchedule:
    """One schedule per parameter set, so its checkpoints survive a settings change."""
    return TagTimeSchedule(seed, mean_gap_s, ur_ping)
