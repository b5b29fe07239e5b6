"""A prompt as a notification with buttons: which prompts may come as one, its buttons (the
picker's own first choices), what each answer books, and the wait before the picker asks,
on a fake clock and a fake notification server."""

from __future__ import annotations

import socket
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget
from pytestqt.qtbot import QtBot

from sec_desktop.framework import Framework, load_framework
from sec_desktop.platform.notifications import (
    DEFAULT_ACTION,
    ActionInvoked,
    CloseReason,
    NotificationClosed,
    NotificationsUnavailable,
)
from sec_desktop.reminders.prompts import (
    Disposition,
    PromptRequest,
    PromptSlot,
    RequestReason,
    SlotAnswer,
    SlotKind,
)
from sec_desktop.reminders.ranking import UsageRanking
from sec_desktop.settings import Settings
from sec_desktop.ui.picker.choices import ROLE_ACTIVITY
from sec_desktop.ui.prompt_notice import OTHER_ACTION, TITLE, PromptNotice
from tests.helpers.clocks import FakeClock
from tests.helpers.ids import INCIDENT, OKR
from tests.ui.picker.support import BERLIN, HISTORY, NOW, Recorder, make_picker, open_picker

MADE: list[FakeServer | PromptNotice] = []


@pytest.fixture(autouse=True)
def _close_notices_and_servers() -> Iterator[None]:
    """Each notice stops watching its server before the fake server's socket closes."""
    yield
    for made in sorted(MADE, key=lambda m: isinstance(m, FakeServer)):
        made.close()
    MADE.clear()


@dataclass
class FakeServer:
    """Records what the notice asks of a notification server; tests feed it events."""

    shown: list[dict[str, object]] = field(default_factory=list)
    withdrawn: list[int] = field(default_factory=list)
    pending: list[ActionInvoked | NotificationClosed] = field(default_factory=list)
    fail_events: bool = False
    next_id: int = 41
    sockets: tuple[socket.socket, socket.socket] = field(default_factory=socket.socketpair)

    def __post_init__(self) -> None:
        MADE.append(self)

    def notify_actions(
        self,
        title: str,
        body: str,
        actions: Sequence[tuple[str, str]],
        *,
        replaces_id: int = 0,
        expire_ms: int = -1,
    ) -> int:
        if not replaces_id:
            self.next_id += 1
        shown = replaces_id or self.next_id
        self.shown.append(
            {
                "id": shown,
                "title": title,
                "body": body,
                "actions": list(actions),
                "replaces": replaces_id,
                "expire_ms": expire_ms,
            }
        )
        return shown

    def withdraw(self, notification_id: int) -> None:
        self.withdrawn.append(notification_id)

    def events(self) -> list[ActionInvoked | NotificationClosed]:
        if self.fail_events:
            raise NotificationsUnavailable("the connection closed")
        arrived, self.pending = self.pending, []
        return arrived

    def fileno(self) -> int:
        return self.sockets[0].fileno()  # never readable: the tests call read_events themselves

    def close(self) -> None:
        for end in self.sockets:
            end.close()

    def labels(self) -> list[str]:
        return [label for key, label in self.shown[-1]["actions"] if key != DEFAULT_ACTION]  # type: ignore[attr-defined]

    def key_of(self, label: str) -> str:
        keys = [key for key, shown in self.shown[-1]["actions"] if shown == label]  # type: ignore[attr-defined]
        assert len(keys) == 1, (label, self.shown[-1])
        return str(keys[0])


@dataclass
class Harness:
    notice: PromptNotice
    server: FakeServer
    clock: FakeClock
    settings: list[Settings]
    events: list[tuple[str, object]]

    def use(self, **changes: object) -> None:
        self.settings[0] = self.settings[0].replace(**changes)

    def press(self, label: str) -> None:
        self.server.pending.append(
            ActionInvoked(self.notice.notification_id, self.server.key_of(label))
        )
        self.notice.read_events()

    def close(self, reason: CloseReason) -> None:
        self.server.pending.append(NotificationClosed(self.notice.notification_id, reason))
        self.notice.read_events()


@pytest.fixture
def ranking(framework: Framework) -> UsageRanking:
    made = UsageRanking(framework, tz=BERLIN)
    for index, activity in enumerate(HISTORY):
        made.record_answer(activity, NOW - timedelta(hours=len(HISTORY) - index))
    return made


@pytest.fixture(scope="module")
def framework() -> Framework:
    return load_framework()


def build(
    qtbot: QtBot,
    framework: Framework,
    ranking: UsageRanking,
    server: FakeServer | None,
    surface: str = "notification",
) -> Harness:
    clock = FakeClock(NOW)
    settings = [Settings(prompt_surface=surface)]
    notice = PromptNotice(
        ranking=lambda: ranking,
        framework=lambda: framework,
        settings=lambda: settings[0],
        tz=BERLIN,
        clock=clock,
        open_server=lambda: server,
    )
    MADE.append(notice)
    events: list[tuple[str, object]] = []
    notice.answered.connect(lambda answers: events.append(("answered", answers)))
    notice.pickerWanted.connect(lambda request: events.append(("picker", request)))
    notice.unanswered.connect(lambda: events.append(("unanswered", None)))
    return Harness(notice, server or FakeServer(), clock, settings, events)


@pytest.fixture
def harness(qtbot: QtBot, framework: Framework, ranking: UsageRanking) -> Harness:
    return build(qtbot, framework, ranking, FakeServer())


def due(
    minutes: int = 25, end: datetime = NOW, kind: SlotKind = SlotKind.INTERVAL
) -> PromptRequest:
    slot = PromptSlot(end - timedelta(minutes=minutes), end, kind, end)
    return PromptRequest((slot,), RequestReason.DUE)


def test_the_buttons_are_the_pickers_first_three_choices_then_other(
    qtbot: QtBot, harness: Harness, framework: Framework, ranking: UsageRanking
) -> None:
    request = due()
    assert harness.notice.offer(request)
    shown = harness.server.shown[-1]
    assert shown["title"] == TITLE == "What are you doing?"
    assert shown["body"] == "since 14:05, 25 min"  # Berlin time
    assert shown["expire_ms"] == 0
    picker = make_picker(qtbot, framework, ranking)
    open_picker(qtbot, picker, request)
    choices = picker.findChild(QListWidget, "choices")
    assert choices is not None
    first = [str(choices.item(r).data(ROLE_ACTIVITY)) for r in range(3)]
    labels = [framework[a].label for a in first]
    assert first[0] == OKR  # the last answer
    assert harness.server.labels() == [
        f"Same as before: {labels[0]}",
        labels[1],
        labels[2],
        "Other\u2026",
    ]


def test_same_as_before_books_what_enter_in_the_picker_books(
    qtbot: QtBot, harness: Harness, framework: Framework, ranking: UsageRanking
) -> None:
    request = due()
    harness.notice.offer(request)
    harness.press(f"Same as before: {framework[OKR].label}")
    picker = make_picker(qtbot, framework, ranking)
    recorder = Recorder(picker)
    search = open_picker(qtbot, picker, request)
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert harness.events == [("answered", recorder.answers())]
    assert recorder.answers() == [SlotAnswer(request.slots[0], Disposition.TAGGED, OKR)]
    assert harness.notice.pending is None
    assert harness.notice.notification_id == 0
    assert harness.server.withdrawn == [harness.server.shown[-1]["id"]]


def test_a_suggestion_books_that_activity(harness: Harness, framework: Framework) -> None:
    request = due()
    harness.notice.offer(request)
    second = harness.server.labels()[1]
    harness.press(second)
    ((name, answers),) = harness.events
    assert name == "answered"
    (answer,) = answers  # type: ignore[misc]
    assert answer.activity_id is not None
    assert framework[answer.activity_id].label == second
    assert answer.slot == request.slots[0]


@pytest.mark.parametrize("key", [OTHER_ACTION, DEFAULT_ACTION])
def test_other_and_a_click_on_the_body_open_the_picker_for_the_same_slot(
    harness: Harness, key: str
) -> None:
    request = due()
    harness.notice.offer(request)
    harness.server.pending.append(ActionInvoked(harness.notice.notification_id, key))
    harness.notice.read_events()
    assert harness.events == [("picker", request)]


@pytest.mark.parametrize("reason", [CloseReason.DISMISSED, CloseReason.EXPIRED])
def test_dismissed_or_expired_books_nothing_and_leaves_the_slot_open(
    harness: Harness, reason: CloseReason
) -> None:
    harness.notice.offer(due())
    harness.close(reason)
    assert harness.events == [("unanswered", None)]
    assert harness.notice.pending is None


def test_then_picker_opens_the_picker_when_the_wait_is_over_not_before(
    harness: Harness,
) -> None:
    harness.use(prompt_surface="notification-then-picker", notification_wait_minutes=5)
    request = due()
    harness.notice.offer(request)
    shown = harness.notice.notification_id
    assert harness.notice.picker_at == NOW + timedelta(minutes=5)
    harness.clock.advance(minutes=4, seconds=59)
    harness.notice.check_wait()
    assert harness.events == []
    harness.clock.advance(seconds=1)
    harness.notice.check_wait()
    assert harness.events == [("picker", request)]
    assert harness.server.withdrawn == [shown]  # the notification goes as the picker comes
    harness.clock.advance(minutes=30)
    harness.notice.check_wait()
    assert len(harness.events) == 1


def test_then_picker_opens_the_picker_at_once_when_dismissed(harness: Harness) -> None:
    harness.use(prompt_surface="notification-then-picker")
    request = due()
    harness.notice.offer(request)
    harness.close(CloseReason.DISMISSED)
    assert harness.events == [("picker", request)]
    harness.clock.advance(hours=1)
    harness.notice.check_wait()
    assert len(harness.events) == 1


def test_a_new_prompt_replaces_the_pending_one(qtbot: QtBot, harness: Harness) -> None:
    harness.notice.offer(due(25))
    first = harness.notice.notification_id
    # The planner withdraws the open prompt and asks again in the same turn (a timer stopped).
    harness.notice.withdraw()
    harness.notice.offer(due(55))
    assert [s["replaces"] for s in harness.server.shown] == [0, first]
    assert harness.notice.notification_id == first
    qtbot.wait(10)
    assert harness.server.withdrawn == []
    assert harness.server.shown[-1]["body"] == "since 13:35, 55 min"


def test_a_prompt_answered_elsewhere_takes_its_notification_away(
    qtbot: QtBot, harness: Harness
) -> None:
    harness.notice.offer(due())
    shown = harness.notice.notification_id
    harness.notice.withdraw()
    qtbot.waitUntil(lambda: harness.server.withdrawn == [shown], timeout=1000)
    # Its late click or close is not an answer any more.
    harness.server.pending.append(ActionInvoked(shown, harness.server.key_of("Other\u2026")))
    harness.server.pending.append(NotificationClosed(shown, CloseReason.DISMISSED))
    harness.notice.read_events()
    assert harness.events == []


def test_other_notifications_signals_are_not_answers(harness: Harness) -> None:
    harness.notice.offer(due())
    harness.server.pending.append(ActionInvoked(7, DEFAULT_ACTION))  # the review's nudge
    harness.server.pending.append(NotificationClosed(7, CloseReason.DISMISSED))
    harness.notice.read_events()
    assert harness.events == []
    assert harness.notice.pending is not None


@pytest.mark.parametrize(
    ("request_", "surface"),
    [
        (due(), "picker"),
        (PromptRequest(due().slots, RequestReason.LOG_NOW), "notification"),
        (PromptRequest(due().slots, RequestReason.RETURN), "notification"),
        (due(kind=SlotKind.AWAY), "notification"),
        (
            PromptRequest(
                due(end=NOW - timedelta(minutes=25)).slots + due().slots, RequestReason.DUE
            ),
            "notification",
        ),
    ],
    ids=["picker-chosen", "log-now", "after-absence", "away-slot", "two-slots"],
)
def test_prompts_that_the_picker_asks(
    qtbot: QtBot,
    framework: Framework,
    ranking: UsageRanking,
    request_: PromptRequest,
    surface: str,
) -> None:
    harness = build(qtbot, framework, ranking, FakeServer(), surface)
    assert not harness.notice.offer(request_)
    assert harness.server.shown == []


def test_without_a_server_with_buttons_the_picker_asks(
    qtbot: QtBot, framework: Framework, ranking: UsageRanking
) -> None:
    harness = build(qtbot, framework, ranking, None)
    assert not harness.notice.offer(due())


def test_a_prompt_in_the_picker_takes_the_pending_notification_away(
    qtbot: QtBot, harness: Harness
) -> None:
    harness.notice.offer(due())
    shown = harness.notice.notification_id
    assert not harness.notice.offer(PromptRequest(due().slots, RequestReason.LOG_NOW))
    qtbot.waitUntil(lambda: harness.server.withdrawn == [shown], timeout=1000)


def test_a_timer_check_offers_yes_still_on_it(harness: Harness, framework: Framework) -> None:
    slot = due(kind=SlotKind.TIMER_CHECK).slots
    harness.notice.offer(PromptRequest(slot, RequestReason.DUE, timer_activity=INCIDENT))
    label = f"Yes, still on {framework[INCIDENT].label}"
    assert harness.server.labels()[0] == label
    harness.press(label)
    assert harness.events == [("answered", [SlotAnswer(slot[0], Disposition.TAGGED, INCIDENT)])]


def test_a_server_that_goes_away_hands_the_prompt_to_the_picker(harness: Harness) -> None:
    request = due()
    harness.notice.offer(request)
    harness.server.fail_events = True
    harness.notice.read_events()
    assert harness.events == [("picker", request)]
