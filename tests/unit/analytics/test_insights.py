"""Insights: each rule fires on weeks built for it, stays silent where it must, in plain words."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sec_desktop.analytics.insights import Insight, insight_entries, insights
from sec_desktop.framework import load_framework
from sec_desktop.store import Entry
from tests.helpers.entries import make_entry
from tests.helpers.ids import MENTORSHIP, OKR, PERSONAL, RISK, ROADMAP, SECURITY, SKILLS

FW = load_framework()
PROFILE = FW.profiles["default"]
BERLIN = ZoneInfo("Europe/Berlin")
LAST_DAY = date(2026, 11, 22)  # a Sunday; twelve weeks from Monday 2026-08-31
FIRST_MONDAY = date(2026, 8, 31)

ALLIANCES = "strategy.partnership-strategy.strategic-alliances"
PARTNERSHIP = "strategy.partnership-strategy"

# 50 h: Strategy 26%, Execution 54% (Security & Compliance 20%), Culture 20% (Personal
# Development 8%): inside every band of the default profile.
BASE = {OKR: 13, ROADMAP: 17, RISK: 10, MENTORSHIP: 6, SKILLS: 4}
# 49 h: Strategy 16% (below 20%); Execution 59%, Culture 24.5%, S&C 20%, PD 10%: within.
LOW_STRATEGY = {OKR: 8, ROADMAP: 19, RISK: 10, MENTORSHIP: 7, SKILLS: 5}
# 50 h: Personal Development 4% (below 7%); Culture 20%, the rest as in BASE.
LOW_PERSONAL = {OKR: 13, ROADMAP: 17, RISK: 10, MENTORSHIP: 8, SKILLS: 2}


def week_entries(monday: date, hours: Mapping[str, float]) -> list[Entry]:
    """Back-to-back entries from Monday 01:00 local, at most ten hours each."""
    cursor = datetime.combine(monday, time(1), tzinfo=BERLIN).astimezone(UTC)
    out = []
    for activity, total in hours.items():
        left = total * 60
        while left > 0:
            chunk = min(left, 600)
            out.append(make_entry(cursor, chunk, activity))
            cursor += timedelta(minutes=chunk)
            left -= chunk
    return out


def run(weeks: Sequence[Mapping[str, float]]) -> list[Insight]:
    """Insights over the twelve weeks ending LAST_DAY; `weeks` are the newest ones."""
    assert len(weeks) <= 12
    first = FIRST_MONDAY + timedelta(weeks=12 - len(weeks))
    entries = [
        e for i, hours in enumerate(weeks) for e in week_entries(first + timedelta(weeks=i), hours)
    ]
    return insights(entries, FW, PROFILE, LAST_DAY, BERLIN)


def about(found: list[Insight], node_id: str) -> list[Insight]:
    return [i for i in found if i.node_id == node_id]


def texts(found: list[Insight]) -> list[str]:
    return [i.text for i in found]


def test_below_in_four_of_the_last_six_weeks() -> None:
    last_six = [LOW_STRATEGY, LOW_STRATEGY, BASE, LOW_STRATEGY, BASE, LOW_STRATEGY]
    found = run([BASE] * 6 + last_six)
    strategy = about(found, "strategy")
    assert texts(strategy) == ["Strategy below 20% in 4 of the last 6 weeks"]
    (insight,) = strategy
    assert insight.kind == "out_of_band_often"
    assert insight.severity == "warning"
    assert insight.weeks == tuple(FIRST_MONDAY + timedelta(weeks=w) for w in range(6, 12))
    # Nothing else is out of its band in these weeks.
    assert [i for i in found if i.kind.startswith("out_of_band") and i.node_id != "strategy"] == []


def test_three_of_six_below_is_not_enough() -> None:
    last_six = [BASE, LOW_STRATEGY, BASE, LOW_STRATEGY, BASE, LOW_STRATEGY]
    assert about(run([BASE] * 6 + last_six), "strategy") == []


def test_under_for_a_month_and_for_longer() -> None:
    month = run([BASE] * 8 + [LOW_PERSONAL] * 4)
    assert texts(about(month, PERSONAL)) == ["Personal Development under 7% for a month"]
    assert about(month, PERSONAL)[0].kind == "out_of_band_streak"
    longer = run([BASE] * 6 + [LOW_PERSONAL] * 6)
    # The streak says it; "below 7% in 6 of the last 6 weeks" would say the same again.
    assert texts(about(longer, PERSONAL)) == ["Personal Development under 7% for 6 weeks running"]


def test_a_streak_skips_a_holiday_week_and_says_so() -> None:
    found = run([BASE] * 6 + [LOW_PERSONAL, LOW_PERSONAL, {}, LOW_PERSONAL, LOW_PERSONAL, {}])
    assert texts(about(found, PERSONAL)) == [
        "Personal Development under 7% in each of the last 4 tracked weeks"
    ]


def test_within_its_band_for_eight_weeks_running() -> None:
    heavy_security = {OKR: 13, ROADMAP: 7, RISK: 20, MENTORSHIP: 6, SKILLS: 4}  # S&C 40%
    found = run([heavy_security] * 4 + [BASE] * 8)
    security = about(found, SECURITY)
    assert "Security & Compliance within its band for 8 weeks running" in texts(security)
    assert next(i for i in security if i.kind == "in_band").severity == "info"
    # Seven weeks are not enough.
    found = run([heavy_security] * 5 + [BASE] * 7)
    assert [i for i in about(found, SECURITY) if i.kind == "in_band"] == []


def test_no_time_on_a_focus_area_for_six_weeks() -> None:
    with_partners = {**BASE, ALLIANCES: 3}
    found = run([with_partners] * 6 + [BASE] * 6)
    (insight,) = about(found, PARTNERSHIP)
    assert insight.text == "No time on Partnership Strategy in 6 weeks"
    assert insight.kind == "no_time"
    assert insight.severity == "info"  # no band asks for Partnership Strategy time
    # Five weeks without it: nothing to say yet.
    assert about(run([with_partners] * 7 + [BASE] * 5), PARTNERSHIP) == []


def test_a_focus_area_never_tracked_is_news_only_when_its_band_wants_time() -> None:
    no_personal = {OKR: 13, ROADMAP: 17, RISK: 10, MENTORSHIP: 10}
    found = run([no_personal] * 12)
    # Partnership Strategy has no band and was never tracked: not listed.
    assert about(found, PARTNERSHIP) == []
    # Personal Development's band asks for 7-12%: "no time" says it, and only that.
    assert texts(about(found, PERSONAL)) == ["No time on Personal Development in the last 12 weeks"]
    assert about(found, PERSONAL)[0].severity == "warning"


def test_a_rising_trend_is_described_with_its_ends() -> None:
    rest = {ROADMAP: 22, RISK: 8, MENTORSHIP: 5, SKILLS: 5}  # 40 h
    # Strategy share s needs OKR hours 40 s / (1 - s): 15%, 18%, ... 30%.
    rising = [{OKR: 40 * s / (1 - s), **rest} for s in (0.15, 0.18, 0.21, 0.24, 0.27, 0.30)]
    found = run([BASE] * 6 + rising)
    trend = [i for i in about(found, "strategy") if i.kind == "trend"]
    assert texts(trend) == [
        "Strategy rising: about 15 points over the last 6 weeks (from 15% to 30%)"
    ]
    assert trend[0].severity == "info"  # rising into the band, not out of it


def test_a_trend_out_of_the_band_is_a_warning_and_a_flat_one_says_nothing() -> None:
    rest = {OKR: 13, ROADMAP: 17, RISK: 10, MENTORSHIP: 6}  # 46 h
    # Personal Development from 12% down to 2%: ends below its 7-12% band.
    falling = [{**rest, SKILLS: 46 * s / (1 - s)} for s in (0.12, 0.10, 0.08, 0.06, 0.04, 0.02)]
    trend = [i for i in about(run([BASE] * 6 + falling), PERSONAL) if i.kind == "trend"]
    assert len(trend) == 1
    assert trend[0].text.startswith("Personal Development falling: about 10 points")
    assert trend[0].severity == "warning"
    assert [i for i in run([BASE] * 12) if i.kind == "trend"] == []


def test_weeks_with_little_tracked_time_say_nothing() -> None:
    # Twelve weeks of three hours, all on execution: far out of every band, but too thin.
    assert run([{ROADMAP: 3}] * 12) == []


def test_warnings_come_first_and_nothing_is_said_twice() -> None:
    with_partners = {**BASE, ALLIANCES: 3}
    weeks = [with_partners] * 6 + [LOW_STRATEGY, LOW_PERSONAL, LOW_STRATEGY] + [LOW_PERSONAL] * 3
    found = run(weeks)
    severities = [i.severity for i in found]
    assert severities == sorted(severities, key=lambda s: s != "warning")
    assert len(texts(found)) == len(set(texts(found)))
    assert "warning" in severities
    assert "info" in severities


def test_an_insight_names_the_entries_it_is_about() -> None:
    """Its spans are its weeks (a skipped holiday week left out), and `insight_entries` gives
    the node's entries in them, whose hours are the ones the finding reads."""
    weeks = [BASE] * 6 + [LOW_PERSONAL, LOW_PERSONAL, {}, LOW_PERSONAL, LOW_PERSONAL, {}]
    first = FIRST_MONDAY
    entries = [
        e for i, hours in enumerate(weeks) for e in week_entries(first + timedelta(weeks=i), hours)
    ]
    (insight,) = about(insights(entries, FW, PROFILE, LAST_DAY, BERLIN), PERSONAL)
    mondays = [first + timedelta(weeks=w) for w in (6, 7, 9, 10)]
    assert insight.weeks == tuple(mondays)
    assert insight.spans == tuple(
        (
            datetime.combine(monday, time(0), tzinfo=BERLIN).astimezone(UTC),
            datetime.combine(monday + timedelta(days=7), time(0), tzinfo=BERLIN).astimezone(UTC),
        )
        for monday in mondays
    )
    behind = insight_entries(insight, entries, FW)
    assert behind
    assert {e.activity for e in behind} == {SKILLS}  # Personal Development's one activity here
    hours = sum(e.duration.total_seconds() for e in behind) / 3600
    assert hours == 4 * LOW_PERSONAL[SKILLS]
