"""The app with prompts as notifications: a due prompt shows as one instead of the picker, a
button's answer is saved as the picker's would be, Other… opens the picker, dismissing books
nothing, and the questions after an absence still come in the picker."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sec_desktop.platform.notifications import ActionInvoked, CloseReason, NotificationClosed
from sec_desktop.reminders import PromptRequest
from sec_desktop.reminders.prompts import RequestReason
from sec_desktop.ui import prompt_notice
from sec_desktop.ui.app import SecDesktopApp
from tests.helpers.clocks import FakeClock
from tests.helpers.entries import make_entry, save_entries
from tests.helpers.ids import OKR
from tests.ui.test_app import start_app
from tests.ui.test_prompt_notice import MADE, FakeServer


@pytest.fixture
def clock() -> FakeClock:
    # Monday 23 Nov 2026, 10:00 in Berlin: inside the default working hours.
    return FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    made = FakeServer()
    monkeypatch.setattr(prompt_notice, "open_desktop_server", lambda: made)
    return made


@pytest.fixture
def app(
    qtbot, isolated_dirs: dict[str, Path], clock: FakeClock, server: FakeServer
) -> Iterator[SecDesktopApp]:
    # An answer of an hour ago: "same as before" is OKR management.
    save_entries(
        isolated_dirs["data"], "laptop", [make_entry(clock.now - timedelta(hours=1), 30, OKR)]
    )
    application = start_app(isolated_dirs, clock, prompt_surface="notification")
    yield application
    application.shutdown()
    MADE.remove(server)
    server.close()


def due_prompt(app: SecDesktopApp, qtbot, clock: FakeClock) -> PromptRequest:
    clock.advance(minutes=31)
    with qtbot.waitSignal(app.driver.promptDue, timeout=2000) as blocker:
        app.driver.tick()
    request = blocker.args[0]
    assert isinstance(request, PromptRequest)
    assert request.reason is RequestReason.DUE
    return request


def test_same_as_before_from_the_notification_is_saved_like_the_pickers_answer(
    app: SecDesktopApp, qtbot, clock: FakeClock, server: FakeServer
) -> None:
    request = due_prompt(app, qtbot, clock)
    assert server.labels()[0] == "Same as before: OKR management"
    assert not app.picker_visible()
    assert app.driver.prompt_open  # no other prompt comes while it waits
    server.pending.append(
        ActionInvoked(app.prompt_notice.notification_id, server.key_of(server.labels()[0]))
    )
    app.prompt_notice.read_events()
    (slot,) = request.slots
    saved = [e for e in app.store.entries(slot.start, slot.end) if e.end > slot.start]
    assert [(e.activity, e.source, e.start, e.end) for e in saved] == [
        (OKR, "prompt", slot.start, slot.end)
    ]
    assert not app.driver.prompt_open
    assert not app.picker_visible()


def test_other_opens_the_picker_for_the_same_slot(
    app: SecDesktopApp, qtbot, clock: FakeClock, server: FakeServer
) -> None:
    request = due_prompt(app, qtbot, clock)
    server.pending.append(ActionInvoked(app.prompt_notice.notification_id, "other"))
    app.prompt_notice.read_events()
    assert app.picker_visible()
    assert app.picker.request == request


def test_dismissed_books_nothing_and_the_slot_waits_for_the_next_prompt(
    app: SecDesktopApp, qtbot, clock: FakeClock, server: FakeServer
) -> None:
    request = due_prompt(app, qtbot, clock)
    before = app.store.entries(request.slots[0].start, clock.now)
    server.pending.append(
        NotificationClosed(app.prompt_notice.notification_id, CloseReason.DISMISSED)
    )
    app.prompt_notice.read_events()
    assert app.store.entries(request.slots[0].start, clock.now) == before
    assert not app.driver.prompt_open
    assert not app.picker_visible()
    # The next prompt asks about that time too, as after a picker closed unanswered.
    following = due_prompt(app, qtbot, clock)
    assert following.slots[0].start <= request.slots[0].start


def test_after_an_absence_the_picker_asks(
    app: SecDesktopApp, qtbot, clock: FakeClock, server: FakeServer
) -> None:
    app.driver.away_started("locked")
    clock.advance(minutes=50)
    with qtbot.waitSignal(app.driver.promptDue, timeout=2000):
        app.driver.away_ended()
    assert server.shown == []
    assert app.picker_visible()
