"""The planner with a hand-moved clock: intervals, caps, working hours, snooze, pause, away
(sleep, lock, idle), timers, Log now, and never two prompts at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sec_desktop.reminders import (
    Disposition,
    PromptRequest,
    PromptSlot,
    RequestReason,
    SlotAnswer,
    SlotKind,
)
from sec_desktop.reminders.schedule import MAX_QUEUE_SLOTS, Planner
from sec_desktop.reminders.tagtime import shared_schedule
from sec_desktop.settings import Settings

BERLIN = ZoneInfo("Europe/Berlin")
TICK = timedelta(seconds=30)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A moment in November 2026 in Berlin (CET), as UTC. The 23rd is a Monday."""
    return datetime(2026, 11, day, hour, minute, second, tzinfo=BERLIN).astimezone(UTC)


def hm(moment: datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%d %H:%M")


def spans(request: PromptRequest | None) -> list[tuple[str, str, str]]:
    assert request is not None
    return [(hm(s.start), hm(s.end), s.kind.value) for s in request.slots]


@dataclass
class Desk:
    """A fake machine: a wall clock, an awake clock, and the planner ticking on them."""

    now: datetime
    settings: Settings = field(default_factory=Settings)
    last_answer_end: datetime | None = None
    mono: float = 1000.0
    planner: Planner = field(init=False)

    def __post_init__(self) -> None:
        self.planner = Planner(
            self.settings, BERLIN, lambda: self.now, last_answer_end=self.last_answer_end
        )
        self.tick()

    def tick(self) -> PromptRequest | None:
        return self.planner.on_tick(self.now, self.mono)

    def run_until(self, end: datetime) -> list[tuple[datetime, PromptRequest]]:
        """Tick every 30 s (and at the exact due times) until `end`, collecting requests."""
        seen = []
        while self.now < end:
            due = self.planner.next_due()
            step = TICK if due is None or due <= self.now else min(TICK, due - self.now)
            step = min(step, end - self.now)
            self.now += step
            self.mono += step.total_seconds()
            request = self.tick()
            if request is not None:
                seen.append((self.now, request))
        return seen

    def first_request(self, end: datetime) -> tuple[datetime, PromptRequest]:
        seen = self.run_until_request(end)
        assert seen is not None, f"no prompt before {hm(end)}"
        return seen

    def run_until_request(self, end: datetime) -> tuple[datetime, PromptRequest] | None:
        while self.now < end:
            due = self.planner.next_due()
            step = TICK if due is None or due <= self.now else min(TICK, due - self.now)
            step = min(step, end - self.now)
            self.now += step
            self.mono += step.total_seconds()
            request = self.tick()
            if request is not None:
                return self.now, request
        return None

    def sleep(self, length: timedelta) -> PromptRequest | None:
        """Suspend: the wall clock jumps, the awake clock does not."""
        self.now += length
        return self.tick()

    def answer(self, request: PromptRequest, activity: str = "strategy") -> list[SlotAnswer]:
        answers = [SlotAnswer(s, Disposition.TAGGED, activity) for s in request.slots]
        self.planner.on_answered(answers)
        return answers


def tag_all(slots: Iterable[PromptSlot], activity: str = "strategy") -> list[SlotAnswer]:
    return [SlotAnswer(s, Disposition.TAGGED, activity) for s in slots]


# Interval mode -------------------------------------------------------------------------------


def test_first_prompt_comes_an_interval_into_the_day() -> None:
    desk = Desk(at(23, 9))
    when, request = desk.first_request(at(23, 12))
    assert when == at(23, 9, 30)
    assert request.reason is RequestReason.DUE
    assert spans(request) == [("23 09:00", "23 09:30", "interval")]
    assert request.slots[0].due == at(23, 9, 30)


def test_no_prompt_before_working_hours() -> None:
    desk = Desk(at(23, 7))
    when, request = desk.first_request(at(23, 12))
    assert when == at(23, 9, 30)
    assert spans(request) == [("23 09:00", "23 09:30", "interval")]


def test_answers_keep_the_interval_grid() -> None:
    desk = Desk(at(23, 9))
    _, first = desk.first_request(at(23, 10))
    desk.run_until(at(23, 9, 37))  # a late answer does not shift the grid
    desk.answer(first)
    when, second = desk.first_request(at(23, 11))
    assert when == at(23, 10)
    assert spans(second) == [("23 09:30", "23 10:00", "interval")]


def test_slot_is_capped_at_the_interval() -> None:
    yesterday = at(20, 17)
    desk = Desk(at(23, 9), last_answer_end=yesterday)
    _, request = desk.first_request(at(23, 10))
    assert spans(request) == [("23 09:00", "23 09:30", "interval")]


def test_a_restart_soon_after_an_answer_follows_on_from_it() -> None:
    desk = Desk(at(23, 9, 30), last_answer_end=at(23, 9, 20))
    when, request = desk.first_request(at(23, 11))
    assert when == at(23, 9, 50)
    assert spans(request) == [("23 09:20", "23 09:50", "interval")]


def test_a_working_day_of_prompts_ends_at_closing_time_then_skips_the_weekend() -> None:
    desk = Desk(at(27, 9), settings=Settings(interval_minutes=40))  # a Friday
    times = []
    while True:
        found = desk.run_until_request(at(30, 12))
        if found is None:
            break
        when, request = found
        times.append(hm(when))
        desk.answer(request)
    assert times[:2] == ["27 09:40", "27 10:20"]
    assert times[12:] == ["27 17:40", "27 18:00", "30 09:40", "30 10:20", "30 11:00", "30 11:40"]


def test_only_working_days() -> None:
    desk = Desk(at(28, 8), settings=Settings(work_days=frozenset({0})))  # Saturday; Mondays only
    when, _ = desk.first_request(at(30, 12))
    assert when == at(30, 9, 30)


# Never two prompts -------------------------------------------------------------------------


def test_due_slots_wait_while_a_prompt_is_open() -> None:
    desk = Desk(at(23, 9))
    _, first = desk.first_request(at(23, 10))
    assert desk.run_until(at(23, 10, 40)) == []  # 10:00 and 10:30 fell due meanwhile
    desk.answer(first)
    request = desk.tick()
    assert spans(request) == [
        ("23 09:30", "23 10:00", "interval"),
        ("23 10:00", "23 10:30", "interval"),
    ]


def test_closing_without_answers_keeps_the_slots_for_the_next_prompt() -> None:
    desk = Desk(at(23, 9))
    _, _first = desk.first_request(at(23, 10))
    desk.planner.set_prompt_open(False)
    assert desk.tick() is None  # not straight back
    _, second = desk.first_request(at(23, 11))
    assert spans(second) == [
        ("23 09:00", "23 09:30", "interval"),
        ("23 09:30", "23 10:00", "interval"),
    ]


def test_partly_answered_queue_keeps_the_rest() -> None:
    desk = Desk(at(23, 9))
    _, first = desk.first_request(at(23, 10))
    desk.run_until(at(23, 10, 5))
    desk.answer(first)
    second = desk.tick()
    assert second is not None
    desk.planner.on_answered(tag_all(second.slots[:0]))
    assert desk.planner.queued == second.slots


def test_a_long_ignored_prompt_gives_a_short_queue() -> None:
    desk = Desk(at(23, 9), settings=Settings(interval_minutes=5))
    _, _first = desk.first_request(at(23, 10))
    desk.run_until(at(23, 12))  # 24 more slots fall due
    desk.planner.set_prompt_open(False)
    _, request = desk.first_request(at(23, 13))
    assert len(request.slots) <= MAX_QUEUE_SLOTS
    # Contiguous interval slots were merged: one slot from 09:00 to 12:05.
    assert spans(request) == [("23 09:00", "23 12:05", "interval")]
    assert desk.planner.dropped_slots == 0


# Snooze and pause ---------------------------------------------------------------------------


def test_snooze_shows_the_same_slot_later() -> None:
    desk = Desk(at(23, 9))
    _, first = desk.first_request(at(23, 10))
    desk.planner.snooze(15)
    assert desk.planner.snoozed_until == at(23, 9, 45)
    when, again = desk.first_request(at(23, 11))
    assert when == at(23, 9, 45)
    assert again.slots == first.slots


def test_slots_due_during_a_snooze_come_together_after_it() -> None:
    desk = Desk(at(23, 9))
    desk.first_request(at(23, 10))
    desk.planner.snooze(60)
    assert desk.planner.next_prompt_at == at(23, 10, 30)
    when, request = desk.first_request(at(23, 12))
    assert when == at(23, 10, 30)
    assert spans(request) == [
        ("23 09:00", "23 09:30", "interval"),
        ("23 09:30", "23 10:00", "interval"),
        ("23 10:00", "23 10:30", "interval"),
    ]


def test_snooze_without_a_prompt_delays_the_next() -> None:
    desk = Desk(at(23, 9))
    desk.planner.snooze(60)
    when, request = desk.first_request(at(23, 12))
    assert when == at(23, 10)
    assert [s for _, s, _ in spans(request)] == ["23 09:30", "23 10:00"]


def test_pause_until_tomorrow() -> None:
    desk = Desk(at(23, 9))
    _, first = desk.first_request(at(23, 10))
    desk.answer(first)
    desk.run_until(at(23, 9, 35))
    desk.planner.snooze(None)
    assert desk.planner.paused
    assert desk.planner.snoozed_until == at(24, 9)
    assert desk.planner.next_prompt_at == at(24, 9, 30)
    when, request = desk.first_request(at(25, 9))
    assert when == at(24, 9, 30)
    assert spans(request) == [("24 09:00", "24 09:30", "interval")]
    assert not desk.planner.paused


def test_pause_keeps_a_queue_for_tomorrow() -> None:
    desk = Desk(at(23, 9))
    desk.first_request(at(23, 10))  # 09:00-09:30 on screen, not answered
    desk.planner.snooze(None)
    _, request = desk.first_request(at(25, 9))
    assert spans(request) == [
        ("23 09:00", "23 09:30", "interval"),
        ("24 09:00", "24 09:30", "interval"),
    ]


def test_pause_on_friday_lasts_until_monday() -> None:
    desk = Desk(at(27, 15))
    desk.planner.snooze(None)
    assert desk.planner.snoozed_until == at(30, 9)


def test_resume_ends_a_pause() -> None:
    desk = Desk(at(23, 9))
    _, first = desk.first_request(at(23, 10))
    desk.answer(first)
    desk.run_until(at(23, 9, 35))
    desk.planner.snooze(None)
    desk.run_until(at(23, 9, 45))
    desk.planner.resume()
    assert desk.planner.snoozed_until is None
    when, request = desk.first_request(at(23, 13))
    assert when == at(23, 10, 15)
    assert spans(request) == [("23 09:45", "23 10:15", "interval")]


def test_resume_ends_a_snooze_and_shows_the_queue() -> None:
    desk = Desk(at(23, 9))
    desk.first_request(at(23, 10))
    desk.planner.snooze(60)
    desk.run_until(at(23, 9, 35))
    desk.planner.resume()
    request = desk.tick()
    assert spans(request) == [("23 09:00", "23 09:30", "interval")]


@pytest.mark.parametrize("minutes", [0, -5, 24 * 60 + 1])
def test_bad_snooze_length_is_refused(minutes: int) -> None:
    desk = Desk(at(23, 9))
    with pytest.raises(ValueError, match="snooze"):
        desk.planner.snooze(minutes)


# Away ----------------------------------------------------------------------------------------


def test_three_hour_sleep_is_asked_about_once_on_the_return() -> None:
    desk = Desk(at(23, 9))
    _, first = desk.first_request(at(23, 10))
    desk.answer(first)  # 09:00-09:30 answered
    _, open_prompt = desk.first_request(at(23, 10, 1))  # 09:30-10:00 on screen, ignored
    desk.run_until(at(23, 10, 20))
    request = desk.sleep(timedelta(hours=3))  # back at 13:20
    assert desk.planner.take_withdrawn()  # the stale picker goes away
    assert request is not None
    assert request.reason is RequestReason.RETURN
    # The slots due while asleep ask about the time before it; the sleep is one question.
    assert spans(request) == [
        ("23 09:30", "23 10:00", "interval"),
        ("23 10:00", "23 10:20", "interval"),
        ("23 10:20", "23 13:20", "away"),
    ]
    assert open_prompt.slots[0] == request.slots[0]
    assert desk.planner.unanswered_away == (request.slots[2],)
    desk.answer(request)
    assert desk.planner.unanswered_away == ()
    when, after = desk.first_request(at(23, 15))
    assert when == at(23, 13, 50)
    assert spans(after) == [("23 13:20", "23 13:50", "interval")]


def test_a_sleep_with_nothing_due_is_asked_about_at_once() -> None:
    desk = Desk(at(23, 9))
    _, first = desk.first_request(at(23, 10))
    desk.answer(first)
    desk.run_until(at(23, 9, 31))
    request = desk.sleep(timedelta(minutes=20))  # back at 09:51, 10:00 not due yet
    # The minute before leaving comes along: once answered, no later prompt would ask it.
    assert spans(request) == [
        ("23 09:30", "23 09:31", "interval"),
        ("23 09:31", "23 09:51", "away"),
    ]
    desk.answer(request, "culture")
    when, after = desk.first_request(at(23, 11))
    assert when == at(23, 10, 21)  # an interval after the answer
    assert spans(after) == [("23 09:51", "23 10:21", "interval")]


def test_sleep_outside_working_hours_is_asked_only_for_its_working_part() -> None:
    desk = Desk(at(23, 17, 30))
    _, request = desk.first_request(at(23, 18))
    desk.answer(request)  # 17:30-18:00
    desk.now = at(23, 17, 50)
    desk.planner.on_answered([])
    desk = Desk(at(23, 17, 40), last_answer_end=at(23, 17, 40))
    returned = desk.sleep(timedelta(hours=15, minutes=30))  # lid closed until 09:10 tomorrow
    assert spans(returned) == [("23 17:40", "23 18:00", "away"), ("24 09:00", "24 09:10", "away")]


def test_sleep_wholly_outside_working_hours_asks_nothing() -> None:
    desk = Desk(at(23, 19))
    assert desk.sleep(timedelta(hours=12)) is None  # 19:00 to 07:00
    assert desk.planner.unanswered_away == ()


def test_short_clock_jitter_is_not_sleep() -> None:
    desk = Desk(at(23, 9))
    desk.now += timedelta(seconds=50)  # wall ahead of the awake clock by 50 s
    desk.tick()
    assert desk.planner.away_reasons == frozenset()
    _, request = desk.first_request(at(23, 10))
    assert spans(request) == [("23 09:00", "23 09:30", "interval")]


def test_lock_queues_the_time_before_it_and_asks_about_the_lock() -> None:
    desk = Desk(at(23, 9))
    _, first = desk.first_request(at(23, 10))
    desk.answer(first)
    desk.run_until(at(23, 10, 10))
    desk.planner.on_away_started("lock")
    assert desk.planner.away_reasons == {"lock"}
    assert desk.run_until(at(23, 10, 50)) == []  # 10:00 and 10:30 fall due while locked
    request = desk.planner.on_away_ended()
    assert request is not None and request.reason is RequestReason.RETURN
    # One question for the whole absence, not one per missed interval.
    assert spans(request) == [
        ("23 09:30", "23 10:00", "interval"),
        ("23 10:00", "23 10:10", "interval"),
        ("23 10:10", "23 10:50", "away"),
    ]
    desk.answer(request)
    when, after = desk.first_request(at(23, 12))
    assert when == at(23, 11, 20)
    assert spans(after) == [("23 10:50", "23 11:20", "interval")]


def test_a_lock_shorter_than_the_idle_threshold_is_no_absence() -> None:
    desk = Desk(at(23, 9))
    desk.run_until(at(23, 9, 5))
    desk.planner.on_away_started("lock")
    desk.run_until(at(23, 9, 12))  # 7 minutes, under the 10 of the idle setting
    assert desk.planner.on_away_ended() is None
    _, request = desk.first_request(at(23, 10))
    assert spans(request) == [("23 09:00", "23 09:30", "interval")]


def test_idle_is_backdated_and_withdraws_the_open_prompt() -> None:
    desk = Desk(at(23, 9))
    _, first = desk.first_request(at(23, 10))
    desk.answer(first)
    _, open_prompt = desk.first_request(at(23, 10, 1))  # 09:30-10:00
    desk.run_until(at(23, 10, 15))
    desk.planner.on_away_started("idle", since=at(23, 10, 5))
    assert desk.planner.take_withdrawn()
    assert not desk.planner.prompt_open
    assert desk.planner.away_since == at(23, 10, 5)
    desk.run_until(at(23, 11))
    request = desk.planner.on_away_ended()
    assert spans(request) == [
        ("23 09:30", "23 10:00", "interval"),
        ("23 10:00", "23 10:05", "interval"),
        ("23 10:05", "23 11:00", "away"),
    ]
    assert request is not None and request.slots[0] == open_prompt.slots[0]


def test_a_split_away_span_keeps_the_unanswered_part() -> None:
    desk = Desk(at(23, 9))
    desk.run_until(at(23, 9, 10))
    desk.planner.on_away_started("idle", since=at(23, 9, 10))
    desk.run_until(at(23, 10, 40))
    request = desk.planner.on_away_ended()
    assert request is not None
    away = request.slots[-1]
    assert (hm(away.start), hm(away.end)) == ("23 09:10", "23 10:40")
    meeting = PromptSlot(away.start, at(23, 9, 40), SlotKind.AWAY, away.due)
    answers = [SlotAnswer(s, Disposition.TAGGED, "strategy") for s in request.slots[:-1]]
    desk.planner.on_answered([*answers, SlotAnswer(meeting, Disposition.TAGGED, "culture")])
    # The lunch after the meeting is still a question.
    assert [(hm(s.start), hm(s.end)) for s in desk.planner.unanswered_away] == [
        ("23 09:40", "23 10:40")
    ]


def test_an_absence_is_asked_about_only_from_when_the_app_started() -> None:
    desk = Desk(at(23, 10))  # idle since 09:30, before the app started at 10:00
    desk.planner.on_away_started("idle", since=at(23, 9, 30))
    desk.run_until(at(23, 10, 20))
    request = desk.planner.on_away_ended()
    assert spans(request) == [("23 10:00", "23 10:20", "away")]


def test_lock_then_sleep_is_one_absence() -> None:
    desk = Desk(at(23, 9))
    desk.run_until(at(23, 9, 20))
    desk.planner.on_away_started("lock")
    desk.run_until(at(23, 9, 25))
    assert desk.sleep(timedelta(hours=2)) is None  # still locked after the wake
    request = desk.planner.on_away_ended()
    assert spans(request) == [
        ("23 09:00", "23 09:20", "interval"),
        ("23 09:20", "23 11:25", "away"),
    ]
    assert desk.planner.away_reasons == frozenset()


def test_away_questions_survive_a_restart() -> None:
    desk = Desk(at(23, 9))
    desk.run_until(at(23, 9, 10))
    desk.planner.on_away_started("lock")
    desk.run_until(at(23, 9, 40))
    request = desk.planner.on_away_ended()
    assert request is not None
    desk.planner.set_prompt_open(False)  # closed unanswered, then the app stops
    kept = desk.planner.questions
    assert [s.kind for s in kept] == [SlotKind.INTERVAL, SlotKind.AWAY]
    later = Desk(at(23, 11))
    later.planner.restore_questions(kept)
    assert later.planner.unanswered_away == (kept[1],)
    returned = later.tick()
    assert returned is not None and returned.slots == kept


def test_away_slots_are_never_dropped_from_a_long_queue() -> None:
    desk = Desk(at(23, 9), settings=Settings(interval_minutes=5))
    desk.run_until(at(23, 9, 6))
    desk.planner.on_away_started("lock")
    desk.run_until(at(23, 9, 30))
    desk.planner.on_away_ended()
    desk.planner.set_prompt_open(False)
    desk.first_request(at(23, 12))
    desk.planner.set_prompt_open(False)
    _, later = desk.first_request(at(23, 18))  # a day of ignored prompts
    assert len(later.slots) <= MAX_QUEUE_SLOTS + 1
    assert any(s.kind is SlotKind.AWAY for s in later.slots)


def test_timer_only_mode_asks_about_an_absence_only_while_a_timer_ran() -> None:
    desk = Desk(at(23, 9), settings=Settings(prompt_mode="timer-only"))
    desk.planner.on_away_started("lock")
    desk.run_until(at(23, 9, 30))
    assert desk.planner.on_away_ended() is None
    desk.planner.start_timer("execution")
    desk.run_until(at(23, 9, 35))
    desk.planner.on_away_started("lock")
    desk.run_until(at(23, 10, 5))
    request = desk.planner.on_away_ended()
    assert spans(request)[-1] == ("23 09:35", "23 10:05", "away")


def test_away_ended_without_away_does_nothing() -> None:
    desk = Desk(at(23, 9))
    assert desk.planner.on_away_ended() is None


def test_clock_set_back_restarts_the_schedule() -> None:
    desk = Desk(at(23, 11))
    desk.now = at(23, 9)
    desk.mono += 30
    desk.tick()
    when, _ = desk.first_request(at(23, 12))
    assert when == at(23, 9, 30)


# Timer ---------------------------------------------------------------------------------------


def test_timer_turns_prompts_into_checks() -> None:
    desk = Desk(at(23, 9))
    _, first = desk.first_request(at(23, 10))
    desk.answer(first)
    desk.run_until(at(23, 9, 40))
    assert desk.planner.start_timer("execution.delivery") is None
    _, request = desk.first_request(at(23, 11))
    assert request.timer_activity == "execution.delivery"
    assert spans(request) == [
        ("23 09:30", "23 09:40", "interval"),  # before the timer: still asked
        ("23 09:40", "23 10:00", "timer-check"),
    ]
    desk.answer(request, "execution.delivery")  # "yes, still on it"
    assert desk.planner.timer is not None
    assert desk.planner.timer.since == at(23, 10)
    _, check = desk.first_request(at(23, 11))
    assert spans(check) == [("23 10:00", "23 10:30", "timer-check")]
    desk.answer(check, "culture.hiring")  # "no": the timer stops
    assert desk.planner.timer is None


def test_stop_timer_returns_its_segment_and_later_slots_start_after_it() -> None:
    desk = Desk(at(23, 9, 30), last_answer_end=at(23, 9, 30))
    desk.planner.start_timer("x")
    desk.run_until(at(23, 9, 50))
    segment = desk.planner.stop_timer()
    assert segment == ("x", at(23, 9, 30), at(23, 9, 50))
    assert desk.planner.stop_timer() is None
    _, request = desk.first_request(at(23, 11))
    assert spans(request) == [("23 09:50", "23 10:00", "interval")]


def test_timer_pauses_while_away() -> None:
    desk = Desk(at(23, 9, 30), last_answer_end=at(23, 9, 30))
    desk.planner.start_timer("x")
    desk.run_until(at(23, 9, 45))
    desk.planner.on_away_started("lock")
    assert desk.planner.timer is not None and desk.planner.timer.since is None
    desk.run_until(at(23, 10, 10))
    desk.planner.on_away_ended()
    assert desk.planner.timer is not None and desk.planner.timer.since == at(23, 10, 10)


def test_a_timer_runs_on_through_an_absence_too_short_to_ask_about() -> None:
    desk = Desk(at(23, 9, 30), last_answer_end=at(23, 9, 30))
    desk.planner.start_timer("x")
    desk.run_until(at(23, 9, 45))
    desk.planner.on_away_started("lock")  # the caller books 09:30-09:45 as it leaves
    desk.run_until(at(23, 9, 48))
    desk.planner.on_away_ended()
    # Three minutes are no absence: the timer goes on from 09:45, with no gap and no overlap.
    assert desk.planner.timer is not None and desk.planner.timer.since == at(23, 9, 45)
    assert desk.planner.unanswered_away == ()


def test_timer_restored_from_an_earlier_run() -> None:
    desk = Desk(at(23, 10), last_answer_end=at(23, 9))
    desk.planner.start_timer("x", since=at(23, 9, 10))
    _, request = desk.first_request(at(23, 11))
    assert spans(request) == [("23 09:10", "23 10:30", "timer-check")]


def test_timer_only_mode_asks_only_while_a_timer_runs() -> None:
    desk = Desk(at(23, 9), settings=Settings(prompt_mode="timer-only"))
    assert desk.run_until(at(23, 12)) == []
    assert desk.planner.next_prompt_at is None
    desk.planner.start_timer("x")
    when, request = desk.first_request(at(23, 13))
    assert when == at(23, 12, 30)
    assert spans(request) == [("23 12:00", "23 12:30", "timer-check")]
    desk.answer(request, "x")
    desk.planner.stop_timer()
    assert desk.run_until(at(23, 17)) == []


# Log now -------------------------------------------------------------------------------------


def test_log_now_covers_the_time_since_the_last_answer() -> None:
    desk = Desk(at(23, 9))
    _, first = desk.first_request(at(23, 10))
    desk.answer(first)
    desk.run_until(at(23, 9, 42))
    request = desk.planner.request_now()
    assert request is not None and request.reason is RequestReason.LOG_NOW
    assert spans(request) == [("23 09:30", "23 09:42", "log-now")]
    desk.answer(request)
    when, after = desk.first_request(at(23, 11))
    assert when == at(23, 10, 12)  # the interval restarts at the answer
    assert spans(after) == [("23 09:42", "23 10:12", "interval")]


def test_log_now_with_a_prompt_open_makes_one_prompt() -> None:
    desk = Desk(at(23, 9))
    _, _first = desk.first_request(at(23, 10))
    desk.run_until(at(23, 9, 40))
    request = desk.planner.request_now()
    assert desk.planner.take_withdrawn()
    assert spans(request) == [
        ("23 09:00", "23 09:30", "interval"),
        ("23 09:30", "23 09:40", "log-now"),
    ]
    assert desk.planner.prompt_open


def test_log_now_is_capped_and_outside_working_hours_too() -> None:
    desk = Desk(at(23, 20))
    request = desk.planner.request_now()
    assert spans(request) == [("23 19:30", "23 20:00", "log-now")]


def test_log_now_with_a_timer_asks_about_the_timer() -> None:
    desk = Desk(at(23, 9), last_answer_end=at(23, 9))
    desk.planner.start_timer("x")
    desk.run_until(at(23, 9, 20))
    request = desk.planner.request_now()
    assert request is not None and request.timer_activity == "x"
    assert spans(request) == [("23 09:00", "23 09:20", "timer-check")]


# Random mode -------------------------------------------------------------------------------


def test_random_mode_pings_on_tagtimes_schedule_within_working_hours() -> None:
    desk = Desk(at(23, 0), settings=Settings(prompt_mode="random"))
    seen = []
    while True:
        found = desk.run_until_request(at(25, 0))
        if found is None:
            break
        when, request = found
        seen.append((when, request))
        desk.answer(request)
    schedule = shared_schedule()
    pings = [
        datetime.fromtimestamp(p, UTC)
        for p in schedule.pings_between(int(at(23, 0).timestamp()), int(at(25, 0).timestamp()))
    ]
    in_hours = [p for p in pings if desk.planner.hours.contains(p)]
    assert len(in_hours) < len(pings)  # some pings fell at night and were skipped
    assert [when for when, _ in seen] == in_hours
    for when, request in seen:
        (slot,) = request.slots
        assert slot.kind is SlotKind.PING and slot.end == when == slot.due
        previous = datetime.fromtimestamp(schedule.previous_ping(int(when.timestamp()) - 1), UTC)
        day_start = desk.planner.hours.span_at(when)[0]  # type: ignore[index]
        assert slot.start == max(previous, day_start)


def test_random_pings_during_a_lock_are_asked_on_the_return() -> None:
    desk = Desk(at(23, 9), settings=Settings(prompt_mode="random"))
    first_ping, _ = desk.first_request(at(23, 18))
    desk.planner.on_answered([])
    desk.planner.set_prompt_open(False)
    desk.planner.on_away_started("lock")
    desk.run_until(first_ping + timedelta(hours=3))
    request = desk.planner.on_away_ended()
    # TagTime's retro pings: every ping that fell in the absence, and no AWAY question.
    assert request is not None
    ends = [s.end for s in request.slots]
    assert ends[0] == first_ping and len(ends) > 1
    assert all(s.kind is SlotKind.PING for s in request.slots)
    assert all(first_ping < e <= first_ping + timedelta(hours=3) for e in ends[1:])


# Settings ------------------------------------------------------------------------------------


def test_applying_a_longer_interval_moves_the_next_prompt() -> None:
    desk = Desk(at(23, 9))
    _, first = desk.first_request(at(23, 10))
    desk.answer(first)
    desk.run_until(at(23, 9, 40))
    desk.planner.apply(Settings(interval_minutes=60))
    when, request = desk.first_request(at(23, 12))
    assert when == at(23, 10, 30)
    assert spans(request) == [("23 09:30", "23 10:30", "interval")]


def test_applying_a_shorter_interval_never_prompts_in_the_past() -> None:
    desk = Desk(at(23, 9), settings=Settings(interval_minutes=120))
    desk.run_until(at(23, 10, 30))
    desk.planner.apply(Settings(interval_minutes=30))
    when, _ = desk.first_request(at(23, 12))
    assert when == at(23, 11)


def test_switching_to_random_mode() -> None:
    desk = Desk(at(23, 9))
    desk.planner.apply(Settings(prompt_mode="random"))
    when, request = desk.first_request(at(23, 18))
    assert request.slots[0].kind is SlotKind.PING
    assert int(when.timestamp()) == shared_schedule().next_ping(int(at(23, 9).timestamp()))
