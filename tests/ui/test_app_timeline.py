"""The dashboard's timeline books a gap or an away span with the app's picker: the picker asks
about exactly that span, the answer is saved for exactly that span, and an answered away span
is no longer a question."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sec_desktop.reminders import Disposition, PromptSlot, SlotAnswer, SlotKind
from sec_desktop.reminders.questions import unanswered_away_spans
from sec_desktop.ui.app import SecDesktopApp
from tests.helpers.clocks import FakeClock
from tests.helpers.ids import INCIDENT, OKR
from tests.ui.test_app import BERLIN, start_app


def _local(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(_local(12))  # Monday 23 Nov 2026, 12:00 in Berlin


@pytest.fixture
def app(qtbot, isolated_dirs: dict[str, Path], clock: FakeClock) -> Iterator[SecDesktopApp]:
    application = start_app(isolated_dirs, clock)
    yield application
    application.shutdown()


def test_a_gap_is_asked_about_and_booked_exactly(app: SecDesktopApp) -> None:
    assert app.book_span(_local(10), _local(10, 45)) is None
    request = app.picker.request
    assert request is not None
    (slot,) = request.slots
    assert (slot.start, slot.end, slot.kind) == (_local(10), _local(10, 45), SlotKind.LOG_NOW)
    # A second request while the picker is open is refused in words, not stacked.
    assert "A prompt is open" in (app.book_span(_local(9), _local(9, 30)) or "")

    app.picker.answered.emit([SlotAnswer(slot, Disposition.TAGGED, OKR)])
    saved = app.store.entries(_local(0), _local(23))
    assert [(e.start, e.end, e.activity, e.source) for e in saved] == [
        (_local(10), _local(10, 45), OKR, "manual")
    ]


def test_an_away_span_answered_from_the_timeline_is_no_longer_a_question(
    app: SecDesktopApp,
) -> None:
    away = PromptSlot(_local(11), _local(11, 30), SlotKind.AWAY, _local(11, 30))
    app.driver.planner.restore_questions([away], ask=False)
    assert unanswered_away_spans(app.driver.planner.questions) == [(away.start, away.end)]
    assert app.book_span(away.start, away.end) is None
    (slot,) = app.picker.request.slots
    assert slot.kind is SlotKind.AWAY
    app.picker.answered.emit([SlotAnswer(slot, Disposition.TAGGED, INCIDENT)])
    assert unanswered_away_spans(app.driver.planner.questions) == []
    (entry,) = app.store.entries(_local(0), _local(23))
    assert (entry.start, entry.end, entry.activity) == (away.start, away.end, INCIDENT)


def test_escape_closes_the_span_question_without_snoozing_prompts(app: SecDesktopApp) -> None:
    assert app.book_span(_local(10), _local(11)) is None
    app.picker.snoozeRequested.emit()
    assert app.driver.planner.holds == (None, None)
    assert app.store.entries(_local(0), _local(23)) == []


def test_the_dashboard_timeline_books_through_the_picker(app: SecDesktopApp, qtbot) -> None:
    from sec_desktop.ui.dashboard import DashboardWindow

    app.open_dashboard()
    window = app.windows.get("dashboard")
    assert isinstance(window, DashboardWindow)
    assert window.timeline.span_booker == app.book_span
    window.tabs.setCurrentWidget(window.timeline)
    window.timeline.show_day(_local(12).astimezone(BERLIN).date(), week=False)
    (gap,) = window.timeline.canvas.open.gaps  # 09:00 to now
    window.timeline.book_span(*gap)
    assert app.picker.isVisible()
    (slot,) = app.picker.request.slots
    assert (slot.start, slot.end) == (_local(9), _local(12))
    with qtbot.waitSignal(window.viewShown, timeout=20_000):
        app.picker.answered.emit([SlotAnswer(slot, Disposition.TAGGED, OKR)])
    assert window.timeline.canvas.open.gaps == []
