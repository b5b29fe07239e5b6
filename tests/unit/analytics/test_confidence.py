"""Ping estimates: Wilson intervals against published values, counting, and band verdicts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sec_desktop.analytics import Period
from sec_desktop.analytics.confidence import (
    SampleEstimate,
    _wilson,
    interval_verdict,
    more_pings_needed,
    sampled_estimates,
    wilson_interval,
)
from sec_desktop.framework import Band, load_framework
from sec_desktop.store import Entry
from tests.helpers.entries import make_entry
from tests.helpers.ids import OKR, ROADMAP, SECURITY, TECH_PLANNING

FW = load_framework()
PROFILE = FW.profiles["default"]
BERLIN = ZoneInfo("Europe/Berlin")
PERIOD = Period(date(2026, 11, 16), date(2026, 11, 22), BERLIN)
STRATEGY_BAND = PROFILE.bands["strategy"]  # 20-35%


def ping(at: datetime, activity: str, source: str = "ping") -> Entry:
    """A ping answered at `at`; it stands for the 45 minutes before it."""
    return make_entry(end=at, minutes=45, activity=activity, source=source)


def pings(count: int, activity: str, first: datetime | None = None) -> list[Entry]:
    start = first or datetime(2026, 11, 16, 9, tzinfo=BERLIN)
    return [ping(start + timedelta(minutes=50 * i), activity) for i in range(count)]


# Wilson -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hits", "n", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (score).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        # 0 of 10: the upper bound is z^2 / (n + z^2) = 3.8416 / 13.8416.
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
    ],
)
def test_wilson_matches_published_values(hits: int, n: int, low: float, high: float) -> None:
    lo, hi = wilson_interval(hits, n)
    assert lo == pytest.approx(low, abs=5e-5)
    assert hi == pytest.approx(high, abs=5e-5)


def test_wilson_without_samples_is_the_whole_range_and_bad_counts_are_refused() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    for hits, n in ((3, 2), (-1, 5), (0, -1)):
        with pytest.raises(ValueError, match="hits"):
            wilson_interval(hits, n)


def test_wilson_narrows_as_samples_grow() -> None:
    widths = [wilson_interval(n // 4, n) for n in (8, 40, 400, 4000)]
    spans = [hi - lo for lo, hi in widths]
    assert spans == sorted(spans, reverse=True)


# Verdicts ---------------------------------------------------------------------------------


def test_a_verdict_needs_the_whole_interval_on_one_side() -> None:
    band = Band(0.20, 0.35, "test")
    assert interval_verdict(0.05, 0.19, band) == "below"
    assert interval_verdict(0.36, 0.50, band) == "above"
    assert interval_verdict(0.21, 0.34, band) == "within"
    assert interval_verdict(0.20, 0.35, band) == "within"  # the edges belong to the band
    assert interval_verdict(0.15, 0.25, band) == "not_enough_data"
    assert interval_verdict(0.30, 0.40, band) == "not_enough_data"
    assert interval_verdict(0.10, 0.50, band) == "not_enough_data"


def test_more_pings_needed_is_the_first_count_that_decides() -> None:
    # 1 in 10 pings against a 20-35% band: undecided now.
    needed = more_pings_needed(1, 10, STRATEGY_BAND)
    assert needed is not None and needed > 0
    total = 10 + needed
    assert interval_verdict(*_wilson(0.1, total, 1.96), STRATEGY_BAND) == "below"
    assert interval_verdict(*_wilson(0.1, total - 1, 1.96), STRATEGY_BAND) == "not_enough_data"


def test_a_share_on_the_band_edge_needs_many_more() -> None:
    # 20 of 100 is exactly the band's low edge: no number of pings at that share decides.
    assert more_pings_needed(20, 100, STRATEGY_BAND) is None
    assert more_pings_needed(0, 0, STRATEGY_BAND) is None


# Estimates from entries ---------------------------------------------------------------------


def test_pings_count_for_the_node_and_its_ancestors_only_from_ping_entries() -> None:
    entries = [
        *pings(3, OKR),
        ping(datetime(2026, 11, 17, 9, tzinfo=BERLIN), TECH_PLANNING),
        ping(datetime(2026, 11, 17, 10, tzinfo=BERLIN), "strategy"),
        *pings(5, ROADMAP, datetime(2026, 11, 18, 9, tzinfo=BERLIN)),
        # Not samples: other sources.
        ping(datetime(2026, 11, 19, 9, tzinfo=BERLIN), OKR, source="timer"),
        ping(datetime(2026, 11, 19, 10, tzinfo=BERLIN), OKR, source="calendar"),
    ]
    estimates = sampled_estimates(entries, FW, PERIOD, PROFILE)
    assert set(estimates) == set(PROFILE.bands)
    strategy = estimates["strategy"]
    assert (strategy.pings, strategy.hits) == (10, 5)
    assert strategy.share == 0.5
    assert (strategy.low, strategy.high) == wilson_interval(5, 10)
    assert estimates["execution"].hits == 5
    assert estimates["culture"].hits == 0
    assert estimates[SECURITY].hits == 0


def test_a_ping_belongs_to_the_period_it_rang_in() -> None:
    monday_0000 = datetime(2026, 11, 16, 0, 0, tzinfo=BERLIN)
    entries = [
        ping(monday_0000, OKR),  # rang at the period's first instant: it covers Sunday
        ping(monday_0000 + timedelta(minutes=20), OKR),  # started Sunday, rang Monday: in
        ping(datetime(2026, 11, 23, 0, 0, tzinfo=BERLIN), OKR),  # rang at the end: in
        ping(datetime(2026, 11, 23, 0, 10, tzinfo=BERLIN), OKR),  # rang after: out
    ]
    deleted = ping(datetime(2026, 11, 18, 12, tzinfo=BERLIN), OKR)
    entries.append(deleted.edited(deleted.updated, deleted=deleted.updated))
    assert sampled_estimates(entries, FW, PERIOD, PROFILE)["strategy"].pings == 2


def test_a_ping_with_an_unknown_activity_is_a_sample_that_hits_nothing() -> None:
    entries = [*pings(3, OKR), ping(datetime(2026, 11, 20, 9, tzinfo=BERLIN), "custom.thing")]
    strategy = sampled_estimates(entries, FW, PERIOD, PROFILE)["strategy"]
    assert (strategy.pings, strategy.hits) == (4, 3)


def test_no_pings_means_no_verdict_and_no_count() -> None:
    estimate = sampled_estimates([], FW, PERIOD, PROFILE)["strategy"]
    assert estimate.verdict == "not_enough_data"
    assert (estimate.low, estimate.high) == (0.0, 1.0)
    assert estimate.more_pings_needed is None
    assert not estimate.many_more_needed
    assert estimate.describe() == "not enough data yet (no random prompts answered in this period)"
    assert estimate.interval_text() == "no pings"


def test_not_enough_data_turns_into_a_verdict_after_the_predicted_pings() -> None:
    """10% Strategy: undecided at 10 pings; at the predicted count, a clear "below"."""
    first = pings(1, OKR) + pings(9, ROADMAP, datetime(2026, 11, 17, 8, tzinfo=BERLIN))
    early = sampled_estimates(first, FW, PERIOD, PROFILE)["strategy"]
    assert early.verdict == "not_enough_data"
    assert early.more_pings_needed is not None
    assert early.describe() == f"not enough data yet (about {early.more_pings_needed} more prompts)"
    # Grow the sample at the same 10% to the first multiple of ten that reaches the prediction.
    total = -(-(10 + early.more_pings_needed) // 10) * 10
    rounds = total // 10
    grown = []
    for r in range(rounds):
        day = datetime(2026, 11, 16, 8, tzinfo=BERLIN) + timedelta(minutes=10 * r)
        grown += [ping(day, OKR)]
        grown += [ping(day + timedelta(days=1 + i % 5, seconds=r), ROADMAP) for i in range(9)]
    later = sampled_estimates(grown, FW, PERIOD, PROFILE)["strategy"]
    assert (later.pings, later.hits) == (total, rounds)
    assert later.verdict == "below"
    assert later.more_pings_needed is None
    assert later.describe() == "below the band"


def test_within_is_given_once_the_interval_fits_the_band() -> None:
    # 27 of 100 pings on Strategy (band 20-35%): Wilson 19.3-36.4% is not inside yet;
    # 270 of 1000 (25.3-28.8%) is.
    assert interval_verdict(*wilson_interval(27, 100), STRATEGY_BAND) == "not_enough_data"
    assert interval_verdict(*wilson_interval(270, 1000), STRATEGY_BAND) == "within"


def test_many_more_is_flagged_when_the_share_sits_on_an_edge() -> None:
    entries = pings(2, OKR) + pings(8, ROADMAP, datetime(2026, 11, 17, 8, tzinfo=BERLIN))
    estimate = sampled_estimates(entries, FW, PERIOD, PROFILE)["strategy"]  # exactly 20%
    assert estimate.verdict == "not_enough_data"
    assert estimate.more_pings_needed is None
    assert estimate.many_more_needed
    assert "many more prompts" in estimate.describe()


def test_interval_text_reads_plainly() -> None:
    estimate = SampleEstimate("strategy", 80, 20, 0.25, 0.17, 0.355, "not_enough_data", 40)
    assert estimate.interval_text() == "25% (95% interval 17-36%, 80 pings)"
