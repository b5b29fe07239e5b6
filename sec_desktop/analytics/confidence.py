"""Estimates from random pings: each ping is one sample, so a share carries a 95% interval.

A band verdict is given only once the whole Wilson interval lies below, within or above the
band; until then the estimate says how many more pings, at the share seen so far, would decide.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from sec_desktop.analytics.periods import Period
from sec_desktop.framework import Band, BenchmarkProfile, Framework
from sec_desktop.store import Entry

SampleVerdict = Literal["below", "within", "above", "not_enough_data"]

PING_SOURCE = "ping"
Z_95 = 1.96
# Past this many further pings (over two years at a 45-minute mean gap and 9-hour days) a
# count means nothing to the user: the share sits at the band's edge. Say "many" instead.
MAX_MORE_PINGS = 10_000


def _wilson(p: float, n: float, z: float) -> tuple[float, float]:
    denominator = 1.0 + z * z / n
    centre = (p + z * z / (2.0 * n)) / denominator
    half = z * math.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def wilson_interval(hits: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for `hits` successes in `n` trials; (0, 1) when n is 0."""
    if n < 0 or hits < 0 or hits > n:
        raise ValueError(f"need 0 <= hits <= n, got hits={hits}, n={n}")
    if n == 0:
        return 0.0, 1.0
    return _wilson(hits / n, n, z)


def interval_verdict(low: float, high: float, band: Band) -> SampleVerdict:
    """Below, within or above only when the whole interval is; otherwise not decided."""
    if high < band.low:
        return "below"
    if low > band.high:
        return "above"
    if band.contains(low) and band.contains(high):
        return "within"
    return "not_enough_data"


def more_pings_needed(hits: int, n: int, band: Band, z: float = Z_95) -> int | None:
    """How many more pings at the current share would let the interval decide the verdict.

    None when there is no share yet (no pings) or when it would take more than
    `MAX_MORE_PINGS` (the share is at or very near a band edge). Assumes the share stays where
    it is; the interval narrows as n grows, so the search bisects between powers of two.
    """
    if n <= 0:
        return None
    p = hits / n

    def decided(total: int) -> bool:
        return interval_verdict(*_wilson(p, total, z), band) != "not_enough_data"

    if decided(n):
        return 0
    undecided, step = n, 1
    while not decided(n + step):
        undecided = n + step
        if step >= MAX_MORE_PINGS:
            return None
        step = min(step * 2, MAX_MORE_PINGS)
    decided_at = n + step
    while decided_at - undecided > 1:
        middle = (undecided + decided_at) // 2
        if decided(middle):
            decided_at = middle
        else:
            undecided = middle
    return decided_at - n


@dataclass(frozen=True)
class SampleEstimate:
    """A node's share of the pings in a period, its 95% interval and the band verdict.

    `more_pings_needed` is set only while the verdict is "not_enough_data" and a count makes
    sense; when it would exceed `MAX_MORE_PINGS` it is None and `many_more_needed` is True.
    With no pings at all both are unset and the interval is the whole 0-1.
    """

    node_id: str
    pings: int
    hits: int
    share: float
    low: float
    high: float
    verdict: SampleVerdict
    more_pings_needed: int | None
    many_more_needed: bool = False
    band: Band | None = None

    def interval_text(self) -> str:
        """E.g. "24% (95% interval 17-32%, 80 pings)"."""
        if self.pings == 0:
            return "no pings"
        return (
            f"{self.share * 100:.0f}% (95% interval {self.low * 100:.0f}-{self.high * 100:.0f}%, "
            f"{self.pings} ping{'s' if self.pings != 1 else ''})"
        )

    def describe(self) -> str:
        """The verdict in plain words, e.g. "not enough data yet (about 40 more prompts)"."""
        if self.verdict == "within":
            return "within the band"
        if self.verdict in ("below", "above"):
            return f"{self.verdict} the band"
        if self.pings == 0:
            return "not enough data yet (no random prompts answered in this period)"
        if self.many_more_needed:
            return "not enough data yet (many more prompts: the share is close to the band's edge)"
        count = self.more_pings_needed or 0
        return f"not enough data yet (about {count} more prompt{'s' if count != 1 else ''})"


def ping_samples(entries: Iterable[Entry], period: Period) -> list[Entry]:
    """The ping answers of the period: a ping belongs where it rang, at its entry's end."""
    start, end = period.start, period.end
    return [
        e for e in entries if e.source == PING_SOURCE and not e.is_deleted and start < e.end <= end
    ]


def sampled_estimates(
    entries: Iterable[Entry],
    framework: Framework,
    period: Period,
    profile: BenchmarkProfile,
    z: float = Z_95,
) -> dict[str, SampleEstimate]:
    """An estimate for every banded node of `profile`, from the pings that rang in `period`.

    A ping tagged at an activity is a hit for its focus area and domain too; a ping tagged
    with an id this framework doesn't know counts as a sample and a hit for nothing.
    """
    return estimates_from_pings(
        Counter(ping.activity for ping in ping_samples(entries, period)), framework, profile, z
    )


def estimates_from_pings(
    pings: Mapping[str, int],
    framework: Framework,
    profile: BenchmarkProfile,
    z: float = Z_95,
) -> dict[str, SampleEstimate]:
    """`sampled_estimates()` from the number of pings per activity id in the period."""
    hits: Counter[str] = Counter()
    for activity, count in pings.items():
        if activity in framework:
            for node in framework.ancestors(activity):
                hits[node.id] += count
    n = sum(pings.values())
    out: dict[str, SampleEstimate] = {}
    for node_id, band in profile.bands.items():
        if node_id not in framework:
            continue
        k = hits.get(node_id, 0)
        low, high = wilson_interval(k, n, z)
        verdict = interval_verdict(low, high, band) if n else "not_enough_data"
        more = more_pings_needed(k, n, band, z) if verdict == "not_enough_data" else None
        out[node_id] = SampleEstimate(
            node_id=node_id,
            pings=n,
            hits=k,
            share=k / n if n else 0.0,
            low=low,
            high=high,
            verdict=verdict,
            more_pings_needed=more,
            many_more_needed=verdict == "not_enough_data" and n > 0 and more is None,
            band=band,
        )
    return out


__all__ = [
    "MAX_MORE_PINGS",
    "PING_SOURCE",
    "Z_95",
    "SampleEstimate",
    "SampleVerdict",
    "estimates_from_pings",
    "interval_verdict",
    "more_pings_needed",
    "ping_samples",
    "sampled_estimates",
    "wilson_interval",
]
