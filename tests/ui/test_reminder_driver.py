"""The QTimer driver with injected clocks: how long it waits, what it emits, and that the
real timer fires at the due time (a few milliseconds of real waiting at most)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from sec_desktop.reminders import Disposition, PromptRequest, RequestReason, SlotAnswer, SlotKind
from sec_desktop.settings import Settings
from sec_desktop.ui.reminder_driver import (
    DUE_MARGIN_MS,
    MIN_TICK_MS,
    TICK_MS,
    ReminderDriver,
    awake_monotonic,
)
from tests.helpers.clocks import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")
QT_TIMER_LIMIT_MS = 2**31 - 1


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
def clocks(qapp: object) -> FakeClock:
    """The clock at Monday 09:00 in Berlin; asking for `qapp` gives the QTimers an event loop."""
    return FakeClock(at(23, 9))


def make_driver(clocks: FakeClock, settings: Settings | None = None) -> ReminderDriver:
    driver = ReminderDriver(
        settings or Settings(), tz=BERLIN, clock=clocks, monotonic=clocks.monotonic
    )
    driver.start()
    return driver


def collect(driver: ReminderDriver) -> list[PromptRequest]:
    seen: list[PromptRequest] = []
    driver.promptDue.connect(seen.append)
    return seen


def test_idle_driver_wakes_at_most_once_in_five_minutes(clocks: FakeClock) -> None:
    driver = make_driver(clocks)
    assert driver.tick_interval_ms == TICK_MS >= 5 * 60_000
    driver.stop()
    assert driver.tick_interval_ms is None


def test_waits_exactly_until_a_near_due_time(clocks: FakeClock) -> None:
    driver = make_driver(clocks)
    clocks.advance(minutes=29, seconds=57)
    driver.tick()
    interval = driver.tick_interval_ms
    assert interval is not None and 3000 <= interval <= 3000 + 10
    driver.stop()


def test_never_arms_more_than_the_tick_even_days_ahead(clocks: FakeClock) -> None:
    clocks.now = at(27, 19)  # Friday evening: the next prompt is on Monday
    driver = make_driver(clocks)
    assert driver.next_prompt_at == at(30, 9, 30)
    assert driver.tick_interval_ms == TICK_MS < QT_TIMER_LIMIT_MS
    driver.stop()


def test_timer_only_mode_without_timer_just_ticks(clocks: FakeClock) -> None:
    driver = make_driver(clocks, Settings(prompt_mode="timer-only"))
    assert driver.next_prompt_at is None
    assert driver.tick_interval_ms == TICK_MS
    driver.stop()


def test_prompt_due_is_emitted_at_the_due_tick(clocks: FakeClock, qtbot: QtBot) -> None:
    driver = make_driver(clocks)
    seen = collect(driver)
    clocks.advance(minutes=29)
    driver.tick()
    assert seen == []
    clocks.advance(minutes=1)
    with qtbot.waitSignal(driver.stateChanged, timeout=100):
        driver.tick()
    (request,) = seen
    assert request.reason is RequestReason.DUE
    assert request.slots[0].end == at(23, 9, 30)
    assert driver.prompt_open
    driver.stop()


def test_the_real_timer_fires_at_the_due_time(qtbot: QtBot) -> None:
    # The wall clock runs in real time. The driver is made at 09:00 (its first prompt is due
    # at 09:30); then, before the first tick, the clock is set to 15 ms before 09:30.
    due = at(23, 9, 30)
    started = time.monotonic()
    offset = [at(23, 9)]

    def wall() -> datetime:
        return offset[0] + timedelta(seconds=time.monotonic() - started)

    driver = ReminderDriver(Settings(), tz=BERLIN, clock=wall, monotonic=time.monotonic)
    offset[0] = due - timedelta(milliseconds=15) - timedelta(seconds=time.monotonic() - started)
    with qtbot.waitSignal(driver.promptDue, timeout=2000) as blocker:
        driver.start()
        interval = driver.tick_interval_ms
        assert interval is not None and interval <= 15 + 10
    (request,) = blocker.args
    assert request.slots[0].due == due
    assert wall() >= due
    driver.stop()


def test_sleep_withdraws_the_open_prompt_and_returns_one_queue(
    clocks: FakeClock, qtbot: QtBot
) -> None:
    driver = make_driver(clocks)
    seen = collect(driver)
    withdrawn: list[bool] = []
    driver.promptWithdrawn.connect(lambda: withdrawn.append(True))
    clocks.advance(minutes=30)
    driver.tick()  # 09:30 prompt, left open
    clocks.advance(minutes=10)
    driver.tick()
    clocks.now += timedelta(hours=3)  # suspended: the awake clock stood still
    driver.tick()
    assert withdrawn == [True]
    assert [r.reason for r in seen] == [RequestReason.DUE, RequestReason.RETURN]
    assert [(s.start, s.end, s.kind) for s in seen[1].slots] == [
        (at(23, 9), at(23, 9, 30), SlotKind.INTERVAL),
        (at(23, 9, 30), at(23, 9, 40), SlotKind.INTERVAL),
        (at(23, 9, 40), at(23, 12, 40), SlotKind.AWAY),
    ]
    driver.stop()


def test_idle_is_dated_back_by_the_idle_threshold(clocks: FakeClock) -> None:
    driver = make_driver(clocks, Settings(idle_minutes=12))
    clocks.advance(minutes=20)
    driver.tick()
    driver.away_started("idle")
    assert driver.away_since == at(23, 9, 8)
    driver.away_started("lock")  # a lock on top keeps the earlier start
    assert driver.away_since == at(23, 9, 8)
    clocks.advance(minutes=30)
    driver.tick()
    seen = collect(driver)
    driver.away_ended()
    assert driver.away_since is None
    (request,) = seen
    assert request.reason is RequestReason.RETURN
    assert [(s.start, s.end, s.kind) for s in request.slots] == [
        (at(23, 9), at(23, 9, 8), SlotKind.INTERVAL),
        (at(23, 9, 8), at(23, 9, 50), SlotKind.AWAY),
    ]
    driver.stop()


def test_slots_that_waited_come_right_after_the_answer(clocks: FakeClock, qtbot: QtBot) -> None:
    driver = make_driver(clocks)
    seen = collect(driver)
    clocks.advance(minutes=30)
    driver.tick()
    clocks.advance(minutes=35)
    driver.tick()  # 10:00 fell due while the 09:30 prompt was open: no second prompt
    assert len(seen) == 1
    answers = [SlotAnswer(s, Disposition.TAGGED, "strategy") for s in seen[0].slots]
    driver.answered(answers)
    assert driver.tick_interval_ms == 0  # a tick right after, outside the picker's signal
    with qtbot.waitSignal(driver.promptDue, timeout=1000):
        pass
    assert [(s.start, s.end) for s in seen[1].slots] == [(at(23, 9, 30), at(23, 10))]
    driver.stop()


def test_snooze_resume_and_pause_change_the_state(clocks: FakeClock, qtbot: QtBot) -> None:
    driver = make_driver(clocks)
    with qtbot.waitSignal(driver.stateChanged, timeout=100):
        driver.snooze(15)
    assert driver.snoozed_until == at(23, 9, 15)
    driver.snooze(None)
    assert driver.paused and driver.snoozed_until == at(24, 9)
    with qtbot.waitSignal(driver.stateChanged, timeout=100):
        driver.resume()
    assert not driver.paused and driver.snoozed_until is None
    driver.stop()


def test_log_now_replaces_an_open_prompt(clocks: FakeClock) -> None:
    driver = make_driver(clocks)
    seen = collect(driver)
    withdrawn: list[bool] = []
    driver.promptWithdrawn.connect(lambda: withdrawn.append(True))
    clocks.advance(minutes=30)
    driver.tick()
    clocks.advance(minutes=5)
    driver.request_now()
    assert withdrawn == [True]
    assert seen[-1].reason is RequestReason.LOG_NOW
    assert [(s.start, s.end) for s in seen[-1].slots] == [
        (at(23, 9), at(23, 9, 30)),
        (at(23, 9, 30), at(23, 9, 35)),
    ]
    driver.stop()


def test_timer_checks_and_settings_apply_without_restart(clocks: FakeClock) -> None:
    driver = make_driver(clocks, Settings(prompt_mode="timer-only"))
    seen = collect(driver)
    driver.start_timer("execution")
    assert driver.timer is not None and driver.timer.activity_id == "execution"
    assert driver.next_prompt_at == at(23, 9, 30)
    driver.apply_settings(Settings(prompt_mode="timer-only", interval_minutes=15))
    assert driver.next_prompt_at == at(23, 9, 15)
    clocks.advance(minutes=15)
    driver.tick()
    assert seen[-1].timer_activity == "execution"
    segment = driver.stop_timer()
    assert segment is not None and segment.activity_id == "execution"
    assert driver.timer is None
    driver.stop()


def test_awake_clock_moves_forward() -> None:
    first = awake_monotonic()
    assert awake_monotonic() >= first
    assert MIN_TICK_MS > 0


def test_half_an_hour_to_the_due_time_costs_six_ticks(clocks: FakeClock) -> None:
    """Driven by its own armed waits: from 09:00 the driver wakes every TICK_MS, the sixth
    wake is the 09:30 prompt itself; no tick per half minute in between."""
    driver = make_driver(clocks)
    clocks.advance(minutes=1)  # off the grid: the last wait is then the rest to the due time
    driver.tick()
    seen = collect(driver)
    waits: list[int] = []
    while not seen:
        interval = driver.tick_interval_ms
        assert interval is not None
        waits.append(interval)
        clocks.advance(milliseconds=interval)
        driver.tick()
    assert waits == [TICK_MS] * 5 + [4 * 60_000 + DUE_MARGIN_MS]
    assert seen[0].slots[-1].end == at(23, 9, 30)
    driver.stop()
