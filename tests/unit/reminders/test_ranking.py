"""Usage ranking: what the picker offers first, from the answers of the last four weeks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest

from sec_desktop.framework import Framework, Level, load_framework
from sec_desktop.reminders.ranking import (
    Answer,
    RankingWeights,
    UsageRanking,
    cold_start_order,
    recent_activities,
    time_of_day_closeness,
    usage_scores,
)
from tests.helpers.entries import make_entry
from tests.helpers.ids import BOARD, INCIDENT, OKR, STANDUP, TALENT, TRAINING

BERLIN = ZoneInfo("Europe/Berlin")
# A Wednesday, 10:00 in Berlin.
NOW = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
ONLY_FRECENCY = RankingWeights(time_of_day=0.0, same_weekday=0.0, recent=0.0)


@pytest.fixture(scope="module")
def framework() -> Framework:
    return load_framework()


def answer(activity: str, at: datetime, source: str = "prompt") -> Answer:
    return Answer.of(activity, at, BERLIN, source)


# An entry is an answer given at its end.
entry = partial(make_entry, source="prompt")


# usage_scores, the pure function --------------------------------------------------------------


def test_no_answers_no_scores() -> None:
    assert usage_scores([], NOW, BERLIN) == {}


def test_frequency_counts() -> None:
    answers = [answer(OKR, NOW - timedelta(hours=h)) for h in (1, 2, 3)]
    answers.append(answer(TALENT, NOW - timedelta(hours=2)))
    scores = usage_scores(answers, NOW, BERLIN, ONLY_FRECENCY)
    assert scores[OKR] > scores[TALENT] > 0
    assert sum(scores.values()) == pytest.approx(1.0)


def test_newer_answers_weigh_more() -> None:
    answers = [answer(OKR, NOW - timedelta(days=10)), answer(TALENT, NOW - timedelta(days=1))]
    scores = usage_scores(answers, NOW, BERLIN, ONLY_FRECENCY)
    assert scores[TALENT] > scores[OKR]
    # One half-life apart: exactly half the weight.
    halved = [answer(OKR, NOW - timedelta(days=7)), answer(TALENT, NOW)]
    scores = usage_scores(halved, NOW, BERLIN, ONLY_FRECENCY)
    assert scores[OKR] / scores[TALENT] == pytest.approx(0.5)


def test_the_same_time_of_day_counts_more() -> None:
    # The standup was answered at 10:00 yesterday; hiring at 16:00, more recently.
    answers = [
        answer(STANDUP, NOW - timedelta(days=1)),
        answer(TALENT, NOW - timedelta(hours=18)),
    ]
    plain = usage_scores(answers, NOW, BERLIN, ONLY_FRECENCY)
    assert plain[TALENT] > plain[STANDUP]
    timed = usage_scores(answers, NOW, BERLIN, RankingWeights(recent=0.0))
    assert timed[STANDUP] > timed[TALENT]


def test_the_same_weekday_counts_more_still() -> None:
    wednesday = answer(BOARD, NOW - timedelta(days=7))  # last Wednesday, 10:00
    thursday = answer(TALENT, NOW - timedelta(days=6))  # last Thursday, 10:00
    weights = RankingWeights(recent=0.0, half_life=timedelta(days=1000))
    scores = usage_scores([wednesday, thursday], NOW, BERLIN, weights)
    assert scores[BOARD] > scores[TALENT]


def test_the_latest_distinct_activities_get_a_bonus() -> None:
    old = [answer(OKR, NOW - timedelta(hours=h)) for h in range(3, 10)]
    latest = [answer(INCIDENT, NOW - timedelta(hours=1))]
    without = usage_scores(old + latest, NOW, BERLIN, ONLY_FRECENCY)
    weights = RankingWeights(time_of_day=0.0, same_weekday=0.0, recent=0.15)
    with_bonus = usage_scores(old + latest, NOW, BERLIN, weights)
    assert with_bonus[INCIDENT] == pytest.approx(without[INCIDENT] + 0.15)
    assert with_bonus[OKR] == pytest.approx(without[OKR] + 0.15 / 2)


def test_usage_scores_do_not_depend_on_input_order() -> None:
    answers = [answer(a, NOW - timedelta(hours=i)) for i, a in enumerate([OKR, TALENT, OKR, BOARD])]
    assert usage_scores(answers, NOW, BERLIN) == usage_scores(answers[::-1], NOW, BERLIN)


@pytest.mark.parametrize(
    ("a_min", "b_min", "expected"),
    [(600, 600, 1.0), (600, 630, 0.6), (600, 675, 0.0), (1430, 10, 1 - 20 / 75)],
)
def test_time_of_day_closeness_wraps_round_midnight(
    a_min: int, b_min: int, expected: float
) -> None:
    assert time_of_day_closeness(a_min, b_min, 75.0) == pytest.approx(expected)


def test_recent_activities_are_distinct_and_newest_first() -> None:
    answers = [
        answer(OKR, NOW - timedelta(hours=4)),
        answer(TALENT, NOW - timedelta(hours=3)),
        answer(OKR, NOW - timedelta(hours=2)),
        answer(BOARD, NOW - timedelta(hours=1)),
    ]
    assert recent_activities(answers, 2) == [BOARD, OKR]
    assert recent_activities(answers, 9) == [BOARD, OKR, TALENT]


def test_answer_times_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        Answer.of(OKR, datetime(2026, 3, 11, 10, 0), BERLIN)


def test_answer_reads_the_local_time_of_day() -> None:
    made = answer(OKR, NOW)
    assert (made.minute_of_day, made.weekday) == (10 * 60, 2)
    assert made.at.tzinfo is UTC


# UsageRanking ----------------------------------------------------------------------------------


def test_last_answer(framework: Framework) -> None:
    ranking = UsageRanking(framework, tz=BERLIN)
    assert ranking.last_answer() is None
    ranking.record_answer(OKR, NOW - timedelta(hours=1))
    ranking.record_answer(TALENT, NOW)
    assert ranking.last_answer() == TALENT


def test_last_answer_is_one_given_in_person(framework: Framework) -> None:
    entries = [
        entry(end=NOW - timedelta(hours=1), activity=OKR),
        entry(end=NOW, activity=BOARD, source="calendar"),
    ]
    ranking = UsageRanking(framework, entries, now=NOW, tz=BERLIN)
    assert ranking.last_answer() == OKR
    only_calendar = UsageRanking(framework, entries[1:], now=NOW, tz=BERLIN)
    assert only_calendar.last_answer() == BOARD


def test_unknown_activities_are_never_offered(framework: Framework) -> None:
    ranking = UsageRanking(framework, tz=BERLIN)
    ranking.record_answer(OKR, NOW - timedelta(hours=1))
    ranking.record_answer("custom.gone", NOW)
    assert ranking.last_answer() == OKR
    assert "custom.gone" not in ranking.top(9, at=NOW)


def test_entries_outside_the_window_and_deleted_ones_are_left_out(framework: Framework) -> None:
    old = entry(end=NOW - timedelta(days=40), activity=BOARD)
    gone = entry(end=NOW - timedelta(hours=2), activity=TALENT)
    gone = gone.edited(NOW, deleted=NOW)
    kept = entry(end=NOW - timedelta(hours=1), activity=OKR)
    ranking = UsageRanking(framework, [old, gone, kept], now=NOW, tz=BERLIN)
    assert [a.activity for a in ranking.answers] == [OKR]


def test_time_of_day_is_read_in_each_entrys_zone(framework: Framework) -> None:
    # 09:00 in New York is 15:00 in Berlin; the habit is the local 09:00.
    abroad = entry(
        end=datetime(2026, 3, 10, 13, 0, tzinfo=UTC), activity=STANDUP, tz="America/New_York"
    )
    ranking = UsageRanking(framework, [abroad], now=NOW, tz=BERLIN)
    assert ranking.answers[0].minute_of_day == 9 * 60


def test_record_takes_entries_and_keeps_time_order(framework: Framework) -> None:
    ranking = UsageRanking(framework, tz=BERLIN)
    ranking.record([entry(end=NOW, activity=OKR)])
    ranking.record(
        [
            entry(end=NOW - timedelta(hours=3), activity=TALENT),
            entry(end=NOW - timedelta(hours=1), activity=BOARD),
        ]
    )
    assert [a.activity for a in ranking.answers] == [TALENT, BOARD, OKR]
    assert ranking.last_answer() == OKR


def test_recording_forgets_what_falls_out_of_the_window(framework: Framework) -> None:
    ranking = UsageRanking(framework, tz=BERLIN, window=timedelta(days=28))
    ranking.record_answer(BOARD, NOW - timedelta(days=30))
    ranking.record_answer(OKR, NOW)
    assert [a.activity for a in ranking.answers] == [OKR]


def test_scores_follow_new_answers(framework: Framework) -> None:
    ranking = UsageRanking(framework, tz=BERLIN)
    ranking.record_answer(OKR, NOW - timedelta(hours=1))
    before = ranking.scores(NOW)
    ranking.record_answer(TALENT, NOW - timedelta(minutes=30))
    after = ranking.scores(NOW)
    assert TALENT not in before
    assert after[TALENT] > 0
    assert after[OKR] < before[OKR]


def test_top_puts_used_activities_first_and_fills_up(framework: Framework) -> None:
    ranking = UsageRanking(framework, tz=BERLIN, weights=ONLY_FRECENCY)
    for hours, activity in enumerate([OKR, OKR, OKR, TALENT, TALENT, BOARD]):
        ranking.record_answer(activity, NOW - timedelta(hours=10 - hours))
    top = ranking.top(9, at=NOW)
    assert top[:3] == [OKR, TALENT, BOARD]
    assert len(top) == len(set(top)) == 9
    assert all(framework[a].level is Level.ACTIVITY for a in top[3:])


def test_top_leaves_out_what_it_is_told_to(framework: Framework) -> None:
    ranking = UsageRanking(framework, tz=BERLIN)
    ranking.record_answer(OKR, NOW - timedelta(hours=1))
    ranking.record_answer(TALENT, NOW)
    top = ranking.top(9, at=NOW, exclude={TALENT})
    assert TALENT not in top
    assert top[0] == OKR
    assert len(top) == 9


def test_cold_start_spans_every_focus_area(framework: Framework) -> None:
    order = cold_start_order(framework)
    areas = framework.of_level(Level.FOCUS_AREA)
    first_round = order[: len(areas)]
    assert [framework[a].parent_id for a in first_round] == [f.id for f in areas]
    assert sorted(order) == sorted(n.id for n in framework.of_level(Level.ACTIVITY))
    assert UsageRanking(framework, tz=BERLIN).top(9) == order[:9]


def test_rank_blank_is_top_and_a_query_searches(framework: Framework) -> None:
    ranking = UsageRanking(framework, tz=BERLIN)
    ranking.record_answer(OKR, NOW)
    assert ranking.rank("  ", 9, at=NOW, exclude={OKR}) == ranking.top(9, at=NOW, exclude={OKR})
    assert ranking.rank("okr", 9, at=NOW, exclude={OKR}) == [OKR]
    assert ranking.rank("sec inc", at=NOW)[0] == INCIDENT


def test_rank_orders_equal_matches_by_usage(framework: Framework) -> None:
    ranking = UsageRanking(framework, tz=BERLIN)
    unused = ranking.rank("team", at=NOW)
    assert unused[0] != TRAINING
    ranking.record_answer(TRAINING, NOW - timedelta(hours=1))
    assert ranking.rank("team", at=NOW)[0] == TRAINING
