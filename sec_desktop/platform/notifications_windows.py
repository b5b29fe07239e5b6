"""Prompt notifications on Windows: toasts with buttons through `Windows-Toasts` (WinRT).

Chosen over desktop-notifier's WinRT backend: it takes our AppUserModelID as given (the
Start-menu shortcut's; desktop-notifier uses the app's name and writes its own registry
entry), reports presses and dismissals on WinRT's thread with no asyncio loop, and hands
over why a toast was dismissed, so one that merely timed out into the Action Centre stays
answerable. A toast shown again with the same tag and group replaces the one on screen.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sec_desktop.platform.notifications import (
    DEFAULT_ACTION,
    ActionInvoked,
    CloseReason,
    NotificationClosed,
    NotificationsUnavailable,
)
from sec_desktop.platform.notifications_native import NOTIFICATION_APP_ID, NativeNoticeServer

GROUP = "prompts"
SHORTCUT = "SEC Desktop.lnk"  # the installer's Start-menu entry (sec-desktop.iss)
TAG_PREFIX = "sec-prompt-"
# WinRT's ToastDismissalReason.
USER_CANCELED = 0
APPLICATION_HIDDEN = 1
TIMED_OUT = 2


@dataclass(frozen=True)
class ToastSpec:
    tag: str
    title: str
    body: str
    buttons: tuple[tuple[str, str], ...]  # (arguments, label)
    stays: bool  # on screen until answered (the "reminder" scenario)


class Toaster(Protocol):
    """The WinRT calls the server makes (`RealToaster`; tests pass a fake)."""

    def show(
        self,
        spec: ToastSpec,
        on_activated: Callable[[str | None], None],
        on_dismissed: Callable[[int], None],
        on_failed: Callable[[str], None],
    ) -> None: ...

    def remove(self, tag: str) -> None: ...


class RealToaster:
    def __init__(self) -> None:
        from windows_toasts import InteractableWindowsToaster

        self._toaster = InteractableWindowsToaster("SEC Desktop", NOTIFICATION_APP_ID)

    def show(
        self,
        spec: ToastSpec,
        on_activated: Callable[[str | None], None],
        on_dismissed: Callable[[int], None],
        on_failed: Callable[[str], None],
    ) -> None:
        from windows_toasts import Toast, ToastButton, ToastScenario

        toast = Toast(
            [spec.title, spec.body],
            group=GROUP,
            launch_action=None,
            scenario=ToastScenario.Reminder if spec.stays else ToastScenario.Default,
            on_activated=lambda args: on_activated(args.arguments),
            on_dismissed=lambda args: on_dismissed(_reason(args)),
            on_failed=lambda args: on_failed(f"Windows error {_error_code(args)}"),
            actions=[ToastButton(label, arguments) for arguments, label in spec.buttons],
        )
        toast.tag = spec.tag
        self._toaster.show_toast(toast)

    def remove(self, tag: str) -> None:
        from windows_toasts import Toast

        toast = Toast(group=GROUP)
        toast.tag = tag
        self._toaster.remove_toast(toast)


def _reason(args: Any) -> int:
    reason = getattr(args, "reason", None)
    return int(getattr(reason, "value", reason if reason is not None else USER_CANCELED))


def _error_code(args: Any) -> str:
    code = getattr(args, "error_code", None)
    return str(getattr(code, "value", code))


def start_menu_shortcuts(env: Mapping[str, str]) -> list[Path]:
    """Where the installer puts its Start-menu entry: per user (it installs without admin
    rights), or for all users."""
    return [
        Path(env[root]) / "Microsoft" / "Windows" / "Start Menu" / "Programs" / SHORTCUT
        for root in ("APPDATA", "PROGRAMDATA")
        if env.get(root)
    ]


def toasts_problem(env: Mapping[str, str] | None = None) -> str | None:
    """Why toasts with buttons can't be shown here (None: they can)."""
    current = sys.platform  # read here, not narrowed by the type checker's platform
    if current != "win32":
        return "Windows toasts exist only on Windows"
    try:
        import windows_toasts  # noqa: F401
    except ImportError as exc:
        return f"Windows-Toasts can't be loaded ({exc})"
    # Windows reports a button press only to an app it knows by its AppUserModelID.
    if not any(path.exists() for path in start_menu_shortcuts(os.environ if env is None else env)):
        return (
            "no SEC Desktop Start-menu shortcut, which carries the app's AppUserModelID "
            "(install the app; run from source, Windows reports no button presses)"
        )
    return None


class WindowsToastServer(NativeNoticeServer):
    """One prompt toast at a time, tagged by our id; a replace reuses the tag in place."""

    def __init__(self, toaster: Toaster) -> None:
        super().__init__()
        self._toaster = toaster
        # The toast each id shows now: a replaced toast's late events are not the new one's.
        self._generation: dict[int, int] = {}
        self._shows = 0

    @classmethod
    def open(cls) -> WindowsToastServer:
        return cls(RealToaster())

    def notify_actions(
        self,
        title: str,
        body: str,
        actions: Sequence[tuple[str, str]],
        *,
        replaces_id: int = 0,
        expire_ms: int = -1,
    ) -> int:
        notification_id = replaces_id or self._next_id()
        self._shows += 1
        generation = self._shows
        with self._lock:
            self._generation[notification_id] = generation
        spec = ToastSpec(
            tag=f"{TAG_PREFIX}{notification_id}",
            title=title,
            body=body,
            # The body's click is the default action: no button for it.
            buttons=tuple((key, label) for key, label in actions if key != DEFAULT_ACTION),
            stays=expire_ms == 0,
        )

        def current() -> bool:
            with self._lock:
                return self._generation.get(notification_id) == generation

        def on_activated(arguments: str | None) -> None:
            if not current():
                return
            # A click on the body reports the toast's launch argument, which is its tag.
            action = DEFAULT_ACTION if arguments in (None, "", spec.tag) else str(arguments)
            self.post(ActionInvoked(notification_id, action))

        def on_dismissed(reason: int) -> None:
            # Timed out: the toast went to the Action Centre, where it can still be answered.
            if reason == TIMED_OUT or not current():
                return
            closed = (
                CloseReason.DISMISSED if reason == USER_CANCELED else CloseReason.CLOSED_BY_CALL
            )
            self.post(NotificationClosed(notification_id, closed))

        def on_failed(message: str) -> None:
            if current():
                self.fail(f"Windows could not show the prompt's toast ({message})")

        try:
            self._toaster.show(spec, on_activated, on_dismissed, on_failed)
        except OSError as exc:  # WinRT's errors, e.g. an AppUserModelID it doesn't know
            raise NotificationsUnavailable(f"Windows refused the prompt's toast ({exc})") from exc
        return notification_id

    def withdraw(self, notification_id: int) -> None:
        with self._lock:
            self._generation.pop(notification_id, None)
        try:
            self._toaster.remove(f"{TAG_PREFIX}{notification_id}")
        except OSError as exc:
            raise NotificationsUnavailable(f"Windows could not remove the toast ({exc})") from exc

    def close(self) -> None:
        with self._lock:
            self._generation.clear()
            self._wake = None


__all__ = ["RealToaster", "ToastSpec", "Toaster", "WindowsToastServer", "toasts_problem"]
