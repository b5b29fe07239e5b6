"""A prompt asked as a desktop notification with buttons, where the desktop shows them.

Buttons: the picker's "same as before" answer, the picker's top two suggestions, and
"Other…" (the picker for the same slot). A button answers through the same path as the
picker (`answered`, a list of `SlotAnswer`); a dismissed or expired notification answers
nothing, as a picker closed without an answer. At most one notification is pending: a new
prompt replaces it (`replaces_id`), and it is taken away when the prompt is answered or
withdrawn elsewhere. Only a single slot asked while the user is here comes as a
notification: the questions after an absence need the picker's queue, split and break keys.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Protocol

from PySide6.QtCore import QObject, QSocketNotifier, Qt, QTimer, Signal

from sec_desktop import APP_NAME
from sec_desktop.framework.model import Framework
from sec_desktop.platform.notifications import (
    DEFAULT_ACTION,
    ActionInvoked,
    DesktopNotifications,
    NotificationClosed,
    NotificationsUnavailable,
)
from sec_desktop.platform.notifications_backend import open_native_server
from sec_desktop.platform.notifications_native import NativeNoticeServer
from sec_desktop.reminders.prompts import (
    Disposition,
    PromptRequest,
    RequestReason,
    SlotAnswer,
    SlotKind,
)
from sec_desktop.reminders.ranking import UsageRanking
from sec_desktop.settings import Settings
from sec_desktop.ui.picker.text import format_span, slot_since_text

log = logging.getLogger(__name__)

TITLE = "What are you doing?"
OTHER_ACTION = "other"
OTHER_LABEL = "Other\u2026"
# The click on the notification itself; not a button on most desktops, a menu line on dunst.
OPEN_PICKER_LABEL = "Open the picker"
ACTIVITY_PREFIX = "activity:"
SUGGESTIONS = 2
# Longer than any wait in minutes, so a due time is read from the clock, not a long timer.
CHECK_MS = 15_000


class NoticeServer(Protocol):
    """What the prompt needs of a notification server (`DesktopNotifications` on Linux,
    a `NativeNoticeServer` on macOS and Windows)."""

    def notify_actions(
        self,
        title: str,
        body: str,
        actions: Sequence[tuple[str, str]],
        *,
        replaces_id: int = 0,
        expire_ms: int = -1,
    ) -> int: ...

    def withdraw(self, notification_id: int) -> None: ...

    def events(self) -> list[ActionInvoked | NotificationClosed]: ...

    def fileno(self) -> int | None:
        """The socket to watch for events; None: a native server wakes us (`listen`)."""

    def close(self) -> None: ...


def open_desktop_server(
    env: Mapping[str, str] | None = None, platform: str = sys.platform
) -> NoticeServer | None:
    """The session's notification server when it shows buttons; None otherwise (logged)."""
    if platform in ("darwin", "win32"):
        try:
            return open_native_server(platform)
        except NotificationsUnavailable as exc:
            log.info("prompts in the picker: no notification actions: %s", exc)
            return None
    env = dict(os.environ if env is None else env)
    if not env.get("DBUS_SESSION_BUS_ADDRESS"):
        log.info("prompts in the picker: no session bus for notifications")
        return None
    try:
        return DesktopNotifications.open(env, APP_NAME)
    except NotificationsUnavailable as exc:
        log.info("prompts in the picker: %s", exc)
        return None


def repeat_candidate(
    request: PromptRequest, ranking: UsageRanking, framework: Framework
) -> tuple[str | None, str]:
    """What the picker's Enter on an empty box books for this request's first slot, and the
    button's words: the running timer's activity on a timer check, else the last answer."""
    slot = request.slots[0]
    timer = request.timer_activity
    if slot.kind is SlotKind.TIMER_CHECK and timer is not None and timer in framework:
        return timer, f"Yes, still on {framework[timer].label}"
    last = ranking.last_answer()
    if last is not None and last in framework:
        return last, f"Same as before: {framework[last].label}"
    return None, ""


@dataclass(frozen=True)
class PromptButtons:
    """The buttons of one prompt notification, in order: (action key, label)."""

    actions: tuple[tuple[str, str], ...]
    activities: Mapping[str, str]  # action key -> activity id


def prompt_buttons(
    request: PromptRequest, ranking: UsageRanking, framework: Framework
) -> PromptButtons:
    """Same as before (when there is one), the top suggestions the picker lists under it,
    then Other…; a click on the notification itself opens the picker too."""
    slot = request.slots[0]
    repeat, repeat_label = repeat_candidate(request, ranking, framework)
    actions: list[tuple[str, str]] = [(DEFAULT_ACTION, OPEN_PICKER_LABEL)]
    activities: dict[str, str] = {}
    if repeat is not None:
        activities[ACTIVITY_PREFIX + repeat] = repeat
        actions.append((ACTIVITY_PREFIX + repeat, repeat_label))
    exclude = {repeat} if repeat else set()
    for activity in ranking.top(SUGGESTIONS, at=slot.end, exclude=exclude):
        activities[ACTIVITY_PREFIX + activity] = activity
        actions.append((ACTIVITY_PREFIX + activity, framework[activity].label))
    actions.append((OTHER_ACTION, OTHER_LABEL))
    return PromptButtons(tuple(actions), activities)


def prompt_body(request: PromptRequest, tz: tzinfo, now: datetime) -> str:
    slot = request.slots[0]
    if slot.kind is SlotKind.PING:
        at = slot.end.astimezone(tz).strftime("%H:%M")
        return f"at {at}, counts for {format_span(slot.span)}"
    return slot_since_text(slot, tz, now)


def why_not_notified(request: PromptRequest, settings: Settings) -> str | None:
    """Why this request goes to the picker whatever the server can do; None: it may notify."""
    if settings.prompt_surface == "picker":
        return "the picker is chosen"
    if request.reason is not RequestReason.DUE:
        return f"asked on {request.reason.value}"
    if len(request.slots) != 1:
        return f"{len(request.slots)} slots to answer"
    if request.slots[0].kind is SlotKind.AWAY:
        return "an absence to split"
    return None


class PromptNotice(QObject):
    """Shows prompts as notifications. `offer(request)` is True when one shows; then exactly
    one of `answered(list[SlotAnswer])`, `pickerWanted(PromptRequest)` (Other…, or unanswered
    in "notification then picker") or `unanswered()` follows, unless `withdraw()` comes first.
    """

    answered = Signal(list)
    pickerWanted = Signal(object)
    unanswered = Signal()
    # Emitted by a native server's OS thread; queued, so the events are read on ours.
    eventsArrived = Signal()

    def __init__(
        self,
        *,
        ranking: Callable[[], UsageRanking],
        framework: Callable[[], Framework],
        settings: Callable[[], Settings],
        tz: tzinfo,
        clock: Callable[[], datetime],
        open_server: Callable[[], NoticeServer | None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._ranking = ranking
        self._framework = framework
        self._settings = settings
        self._tz = tz
        self._clock = clock
        self._open_server = open_server
        self._server: NoticeServer | None = None
        self._tried = False
        self._watch: QSocketNotifier | None = None
        self._request: PromptRequest | None = None
        self._buttons: PromptButtons | None = None
        self._shown_id = 0
        # When "notification then picker" opens the picker for the pending prompt.
        self._picker_at: datetime | None = None
        self._check = QTimer(self)
        self._check.setInterval(CHECK_MS)
        self._check.timeout.connect(self.check_wait)
        # A withdrawn notification stays up until the event loop turns, so that the prompt
        # that replaces it (Log now, a timer stopped) takes its place instead of stacking.
        self._stale = QTimer(self)
        self._stale.setSingleShot(True)
        self._stale.setInterval(0)
        self._stale.timeout.connect(self._close_stale)
        self.eventsArrived.connect(self.read_events, Qt.ConnectionType.QueuedConnection)

    @property
    def pending(self) -> PromptRequest | None:
        return self._request

    @property
    def notification_id(self) -> int:
        """The id of the notification on screen (0: none)."""
        return self._shown_id

    @property
    def picker_at(self) -> datetime | None:
        return self._picker_at

    def _server_or_none(self) -> NoticeServer | None:
        if not self._tried:
            self._tried = True
            self._server = (self._open_server or open_desktop_server)()
            fd = None if self._server is None else self._server.fileno()
            if isinstance(self._server, NativeNoticeServer):
                self._server.listen(self.eventsArrived.emit)
            elif fd is not None:
                self._watch = QSocketNotifier(fd, QSocketNotifier.Type.Read, self)
                self._watch.activated.connect(self.read_events)
        return self._server

    def offer(self, request: PromptRequest) -> bool:
        """Show `request` as a notification (replacing any pending one); False when the
        picker must ask instead (the setting, the request, or no server with buttons)."""
        settings = self._settings()
        why = why_not_notified(request, settings)
        server = None if why else self._server_or_none()
        if why or server is None:
            if why:
                log.info("prompt in the picker: %s", why)
            self.withdraw()
            return False
        now = self._clock()
        buttons = prompt_buttons(request, self._ranking(), self._framework())
        self._stale.stop()
        try:
            shown = server.notify_actions(
                TITLE,
                prompt_body(request, self._tz, now),
                buttons.actions,
                replaces_id=self._shown_id,
                expire_ms=0,  # it waits for an answer, as the picker does
            )
        except NotificationsUnavailable as exc:
            log.warning("the notification server failed (%s); prompts in the picker", exc)
            self._drop_server()
            return False
        replaced = self._shown_id
        self._request, self._buttons, self._shown_id = request, buttons, shown
        log.info(
            "prompt notification %d%s: %s",
            shown,
            f" (replaces {replaced})" if replaced else "",
            " | ".join(label for key, label in buttons.actions if key != DEFAULT_ACTION),
        )
        if settings.prompt_surface == "notification-then-picker":
            self._picker_at = now + timedelta(minutes=settings.notification_wait_minutes)
            self._check.start()
        else:
            self._picker_at = None
            self._check.stop()
        return True

    def withdraw(self) -> None:
        """The pending prompt was answered or withdrawn elsewhere: forget it, and take its
        notification away once the event loop turns (unless a new prompt replaces it)."""
        self._forget()
        if self._shown_id:
            self._stale.start()

    def check_wait(self) -> None:
        """In "notification then picker": the wait is over, so the picker asks instead."""
        if self._request is None or self._picker_at is None:
            self._check.stop()
            return
        if self._clock() < self._picker_at:
            return
        request = self._request
        log.info("prompt notification %d unanswered: the picker asks", self._shown_id)
        self._forget()
        self._close_stale()
        self.pickerWanted.emit(request)

    def read_events(self) -> None:
        server = self._server
        if server is None:
            return
        try:
            events = server.events()
        except NotificationsUnavailable as exc:
            log.warning("the notification server went away (%s); prompts in the picker", exc)
            request = self._request
            self._drop_server()
            if request is not None:
                self.pickerWanted.emit(request)
            return
        for event in events:
            self.handle(event)

    def handle(self, event: ActionInvoked | NotificationClosed) -> None:
        """One signal from the server; those of other notifications are not ours."""
        request, buttons = self._request, self._buttons
        if event.notification_id != self._shown_id:
            return
        if isinstance(event, NotificationClosed):
            self._shown_id = 0
            if request is None:  # withdrawn already, closed by us or the user
                return
            self._forget()
            if self._settings().prompt_surface == "notification-then-picker":
                log.info("prompt notification %s: the picker asks", event.reason.name.lower())
                self.pickerWanted.emit(request)
            else:
                log.info("prompt notification %s: unanswered", event.reason.name.lower())
                self.unanswered.emit()
            return
        if request is None or buttons is None:
            return
        # Not every server closes a notification once a button is pressed (dunst's menu
        # leaves it up): take it away, so it cannot be answered twice.
        self._forget()
        self._close_stale()
        activity = buttons.activities.get(event.action)
        if activity is not None and activity in self._framework():
            log.info("prompt notification answered: %s", activity)
            slot = request.slots[0]
            self.answered.emit([SlotAnswer(slot, Disposition.TAGGED, activity)])
        else:  # Other…, the notification's body, or an activity gone since it showed
            log.info("prompt notification: %s, the picker asks", event.action)
            self.pickerWanted.emit(request)

    def _forget(self) -> None:
        self._request = None
        self._buttons = None
        self._picker_at = None
        self._check.stop()

    def _close_stale(self) -> None:
        if self._request is not None or not self._shown_id or self._server is None:
            return
        shown, self._shown_id = self._shown_id, 0
        try:
            self._server.withdraw(shown)
        except NotificationsUnavailable as exc:
            log.info("closing prompt notification %d: %s", shown, exc)

    def _drop_server(self) -> None:
        self._forget()
        self._shown_id = 0
        if self._watch is not None:
            self._watch.setEnabled(False)
            self._watch = None
        if self._server is not None:
            self._server.close()
            self._server = None

    def close(self) -> None:
        """At quit: the pending notification goes too (its answer could not be booked)."""
        self._forget()
        self._close_stale()
        self._drop_server()


__all__ = [
    "PromptButtons",
    "PromptNotice",
    "open_desktop_server",
    "prompt_buttons",
    "repeat_candidate",
    "why_not_notified",
]
