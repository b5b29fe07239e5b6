"""Prompt notifications on macOS and Windows, against fakes of desktop-notifier and of the
WinRT toast calls (neither OS runs here): the buttons, ids, replace, close, the events that
OS threads report, the asyncio worker thread, and the choice of backend per platform."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from sec_desktop import APP_ID, doctor
from sec_desktop.platform import notifications_macos, notifications_windows
from sec_desktop.platform.notifications import (
    DEFAULT_ACTION,
    ActionInvoked,
    CloseReason,
    NotificationClosed,
    NotificationsUnavailable,
)
from sec_desktop.platform.notifications_backend import native_backend_problem, open_native_server
from sec_desktop.platform.notifications_macos import NOT_ALLOWED, MacNoticeServer
from sec_desktop.platform.notifications_native import NOTIFICATION_APP_ID, EventLoopThread
from sec_desktop.platform.notifications_windows import (
    APPLICATION_HIDDEN,
    TIMED_OUT,
    USER_CANCELED,
    ToastSpec,
    WindowsToastServer,
)

ACTIONS = [
    (DEFAULT_ACTION, "Open the picker"),
    ("activity:okr", "Same as before: OKRs"),
    ("activity:incident", "Incident"),
    ("other", "Other\u2026"),
]
BUTTONS = (("activity:okr", "Same as before: OKRs"), ("activity:incident", "Incident"))
BUTTONS += (("other", "Other\u2026"),)


def from_another_thread(call: Callable[[], None]) -> None:
    """As the OS does: the callback runs on a thread of its own."""
    thread = threading.Thread(target=call)
    thread.start()
    thread.join()


# Windows ---------------------------------------------------------------------------------------


@dataclass
class Shown:
    spec: ToastSpec
    on_activated: Callable[[str | None], None]
    on_dismissed: Callable[[int], None]
    on_failed: Callable[[str], None]


@dataclass
class FakeToaster:
    shown: list[Shown] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def show(
        self,
        spec: ToastSpec,
        on_activated: Callable[[str | None], None],
        on_dismissed: Callable[[int], None],
        on_failed: Callable[[str], None],
    ) -> None:
        self.shown.append(Shown(spec, on_activated, on_dismissed, on_failed))

    def remove(self, tag: str) -> None:
        self.removed.append(tag)


def windows_server() -> tuple[WindowsToastServer, FakeToaster, list[str]]:
    toaster = FakeToaster()
    server = WindowsToastServer(toaster)
    woken: list[str] = []
    server.listen(lambda: woken.append(threading.current_thread().name))
    return server, toaster, woken


def test_a_toast_has_the_buttons_but_the_body_click_and_stays_until_answered() -> None:
    server, toaster, _ = windows_server()
    shown = server.notify_actions("What are you doing?", "since 10:00", ACTIONS, expire_ms=0)
    assert shown == 1
    spec = toaster.shown[0].spec
    assert spec == ToastSpec("sec-prompt-1", "What are you doing?", "since 10:00", BUTTONS, True)
    server.notify_actions("t", "b", ACTIONS, expire_ms=-1)
    assert toaster.shown[1].spec.tag == "sec-prompt-2"
    assert toaster.shown[1].spec.stays is False
    assert server.fileno() is None


def test_a_button_pressed_on_winrts_thread_wakes_the_gui_and_is_read_as_an_event() -> None:
    server, toaster, woken = windows_server()
    server.notify_actions("t", "b", ACTIONS, expire_ms=0)
    from_another_thread(lambda: toaster.shown[0].on_activated("activity:incident"))
    assert len(woken) == 1
    assert woken[0] != threading.current_thread().name
    assert server.events() == [ActionInvoked(1, "activity:incident")]
    assert server.events() == []  # read once


def test_a_click_on_the_body_reports_the_launch_argument_as_the_default_action() -> None:
    server, toaster, _ = windows_server()
    server.notify_actions("t", "b", ACTIONS)
    toaster.shown[0].on_activated("sec-prompt-1")  # the toast's launch argument is its tag
    toaster.shown[0].on_activated(None)
    assert server.events() == [ActionInvoked(1, DEFAULT_ACTION), ActionInvoked(1, DEFAULT_ACTION)]


def test_dismissed_by_the_user_or_hidden_by_the_app_closes_but_a_timeout_keeps_it() -> None:
    server, toaster, _ = windows_server()
    server.notify_actions("t", "b", ACTIONS)
    toaster.shown[0].on_dismissed(TIMED_OUT)  # gone to the Action Centre, still answerable
    assert server.events() == []
    toaster.shown[0].on_dismissed(USER_CANCELED)
    toaster.shown[0].on_dismissed(APPLICATION_HIDDEN)
    assert server.events() == [
        NotificationClosed(1, CloseReason.DISMISSED),
        NotificationClosed(1, CloseReason.CLOSED_BY_CALL),
    ]


def test_a_replace_reuses_the_tag_and_the_replaced_toasts_late_events_are_dropped() -> None:
    server, toaster, _ = windows_server()
    first = server.notify_actions("t", "first", ACTIONS)
    again = server.notify_actions("t", "second", ACTIONS, replaces_id=first)
    assert again == first
    assert [s.spec.tag for s in toaster.shown] == ["sec-prompt-1", "sec-prompt-1"]
    toaster.shown[0].on_dismissed(APPLICATION_HIDDEN)  # Windows hides the replaced one
    toaster.shown[0].on_activated("activity:okr")
    assert server.events() == []
    toaster.shown[1].on_activated("activity:okr")
    assert server.events() == [ActionInvoked(1, "activity:okr")]


def test_withdraw_removes_the_toast_by_tag_and_its_later_events_are_not_reported() -> None:
    server, toaster, _ = windows_server()
    server.notify_actions("t", "b", ACTIONS)
    server.withdraw(1)
    assert toaster.removed == ["sec-prompt-1"]
    toaster.shown[0].on_dismissed(APPLICATION_HIDDEN)
    assert server.events() == []


def test_a_failed_toast_makes_the_next_read_raise_so_the_picker_asks() -> None:
    server, toaster, woken = windows_server()
    server.notify_actions("t", "b", ACTIONS)
    from_another_thread(lambda: toaster.shown[0].on_failed("Windows error -2143420143"))
    assert woken
    with pytest.raises(NotificationsUnavailable, match="could not show the prompt's toast"):
        server.events()


def test_winrts_refusal_is_reported_as_unavailable_so_the_picker_asks() -> None:
    class RefusingToaster(FakeToaster):
        def show(self, *args: Any) -> None:
            raise OSError("Element not found")

    server = WindowsToastServer(RefusingToaster())
    with pytest.raises(NotificationsUnavailable, match="Windows refused the prompt's toast"):
        server.notify_actions("t", "b", ACTIONS)


def test_events_waiting_before_listen_wake_at_once() -> None:
    server = WindowsToastServer(FakeToaster())
    server.post(ActionInvoked(1, "other"))
    woken: list[int] = []
    server.listen(lambda: woken.append(1))
    assert woken == [1]


def test_the_toasts_app_id_is_the_one_the_installers_shortcut_carries() -> None:
    assert NOTIFICATION_APP_ID == APP_ID
    iss = Path(__file__).parents[3] / "packaging" / "windows" / "sec-desktop.iss"
    assert f'#define AppUserModelId "{NOTIFICATION_APP_ID}"' in iss.read_text(encoding="utf-8")


# macOS -----------------------------------------------------------------------------------------


@dataclass
class FakeNotifier:
    """desktop_notifier.DesktopNotifier's calls as the server makes them, run on its loop."""

    allowed: bool = True
    sent: list[tuple[str, Any]] = field(default_factory=list)
    cleared: list[str] = field(default_factory=list)
    asked: int = 0
    threads: set[str] = field(default_factory=set)
    done: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))
    on_clicked: Callable[[str], Any] | None = None
    on_dismissed: Callable[[str], Any] | None = None
    on_button_pressed: Callable[[str, str], Any] | None = None

    async def request_authorisation(self) -> bool:
        self.asked += 1
        self.threads.add(threading.current_thread().name)
        if not self.allowed:
            self.done.release()
        return self.allowed

    async def send_notification(self, notification: Any) -> str:
        self.threads.add(threading.current_thread().name)
        self.sent.append(notification)
        self.done.release()
        return str(notification[0])

    async def clear(self, identifier: str) -> None:
        self.cleared.append(identifier)
        self.done.release()

    def wait(self, count: int = 1) -> None:
        for _ in range(count):
            assert self.done.acquire(timeout=10), "the worker did not run the call"


def build(identifier: str, title: str, body: str, buttons: Sequence[Any]) -> Any:
    return (identifier, title, body, tuple(buttons))


@pytest.fixture
def mac() -> Iterator[tuple[MacNoticeServer, FakeNotifier, EventLoopThread]]:
    notifier = FakeNotifier()
    worker = EventLoopThread("notifications-test")
    worker.start()
    server = MacNoticeServer(notifier, worker, build)
    yield server, notifier, worker
    server.close()


def test_mac_sends_on_the_worker_thread_with_the_buttons_and_asks_permission_once(
    mac: tuple[MacNoticeServer, FakeNotifier, EventLoopThread],
) -> None:
    server, notifier, _ = mac
    assert server.notify_actions("What are you doing?", "since 10:00", ACTIONS) == 1
    assert server.notify_actions("t", "b", ACTIONS) == 2
    notifier.wait(2)
    assert notifier.sent[0] == ("sec-prompt-1", "What are you doing?", "since 10:00", BUTTONS)
    assert notifier.asked == 1
    assert notifier.threads == {"notifications-test"}


def test_mac_replace_sends_the_same_request_id_and_withdraw_clears_it(
    mac: tuple[MacNoticeServer, FakeNotifier, EventLoopThread],
) -> None:
    server, notifier, _ = mac
    first = server.notify_actions("t", "first", ACTIONS)
    assert server.notify_actions("t", "second", ACTIONS, replaces_id=first) == first
    server.withdraw(first)
    notifier.wait(3)
    assert [sent[0] for sent in notifier.sent] == ["sec-prompt-1", "sec-prompt-1"]
    assert notifier.cleared == ["sec-prompt-1"]


def test_mac_presses_clicks_and_dismissals_from_the_delegate_become_events(
    mac: tuple[MacNoticeServer, FakeNotifier, EventLoopThread],
) -> None:
    server, notifier, _ = mac
    woken: list[int] = []
    server.listen(lambda: woken.append(1))
    server.notify_actions("t", "b", ACTIONS)
    assert notifier.on_button_pressed and notifier.on_clicked and notifier.on_dismissed
    from_another_thread(lambda: notifier.on_button_pressed("sec-prompt-1", "activity:okr"))
    notifier.on_clicked("sec-prompt-1")
    notifier.on_dismissed("sec-prompt-1")
    notifier.on_clicked("someone-else")  # not ours
    notifier.on_clicked("sec-prompt-9")  # never shown
    assert server.events() == [
        ActionInvoked(1, "activity:okr"),
        ActionInvoked(1, DEFAULT_ACTION),
        NotificationClosed(1, CloseReason.DISMISSED),
    ]
    assert len(woken) == 3


def test_mac_without_permission_the_next_read_raises_so_the_picker_asks(
    mac: tuple[MacNoticeServer, FakeNotifier, EventLoopThread],
) -> None:
    server, notifier, _ = mac
    notifier.allowed = False
    server.notify_actions("t", "b", ACTIONS)
    notifier.wait()
    for _ in range(100):  # the failure is set just after the permission answer
        try:
            server.events()
        except NotificationsUnavailable as exc:
            assert str(exc) == NOT_ALLOWED
            break
        threading.Event().wait(0.01)
    else:
        pytest.fail("the refused permission was not reported")
    assert notifier.sent == []


def test_the_worker_thread_stops_with_the_server(
    mac: tuple[MacNoticeServer, FakeNotifier, EventLoopThread],
) -> None:
    server, _, worker = mac
    assert worker.running
    server.close()
    assert not worker.running
    server.close()  # twice is fine


def test_stopping_the_worker_finishes_the_calls_under_way_first() -> None:
    worker = EventLoopThread("draining")
    worker.start()
    finished: list[str] = []

    async def withdraw_at_quit() -> None:
        await asyncio.sleep(0)  # a call that yields before it is done, as a real one does
        await asyncio.sleep(0)
        finished.append("cleared")

    errors: list[BaseException] = []
    worker.submit(withdraw_at_quit(), errors.append)
    worker.stop()
    assert finished == ["cleared"]
    assert errors == []
    assert not worker.running


def test_a_call_after_the_worker_stopped_is_reported_not_lost() -> None:
    worker = EventLoopThread("stopped")
    server = MacNoticeServer(FakeNotifier(), worker, build)
    server.notify_actions("t", "b", ACTIONS)
    with pytest.raises(NotificationsUnavailable, match="not running"):
        server.events()


# The choice of backend -------------------------------------------------------------------------


def fake_macos_support(monkeypatch: pytest.MonkeyPatch, *, bundle: bool, signed: bool) -> None:
    support = ModuleType("desktop_notifier.backends.macos_support")
    support.is_bundle = lambda: bundle  # type: ignore[attr-defined]
    support.is_signed_bundle = lambda: signed  # type: ignore[attr-defined]
    for name in ("desktop_notifier", "desktop_notifier.backends"):
        monkeypatch.setitem(sys.modules, name, ModuleType(name))
    monkeypatch.setitem(sys.modules, "desktop_notifier.backends.macos_support", support)


@pytest.mark.parametrize(
    ("bundle", "signed", "words"),
    [
        (False, False, "not running from the SEC Desktop.app bundle"),
        (True, False, "signature does not verify"),
        (True, True, None),
    ],
)
def test_macos_gives_actions_only_inside_the_signed_bundle(
    monkeypatch: pytest.MonkeyPatch, bundle: bool, signed: bool, words: str | None
) -> None:
    monkeypatch.setattr(notifications_macos.sys, "platform", "darwin")
    fake_macos_support(monkeypatch, bundle=bundle, signed=signed)
    problem = native_backend_problem("darwin")
    if words is None:
        assert problem is None
    else:
        assert problem is not None and words in problem
        result = doctor.check_notifications({}, "darwin")
        assert result.status is doctor.Status.WARNING
        assert result.message.startswith("no notification actions (")
        assert words in result.message and "the picker asks" in result.message


def test_macos_without_desktop_notifier_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notifications_macos.sys, "platform", "darwin")
    monkeypatch.setitem(sys.modules, "desktop_notifier", None)
    problem = native_backend_problem("darwin")
    assert problem is not None and "desktop-notifier can't be loaded" in problem


def installed_shortcut(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    programs = tmp_path / "Microsoft" / "Windows" / "Start Menu" / "Programs"
    programs.mkdir(parents=True)
    (programs / "SEC Desktop.lnk").write_bytes(b"L")
    monkeypatch.setenv("APPDATA", str(tmp_path))


def test_windows_needs_windows_the_toasts_package_and_the_installed_shortcut(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(notifications_windows.sys, "platform", "linux")
    assert native_backend_problem("win32") == "Windows toasts exist only on Windows"
    monkeypatch.setattr(notifications_windows.sys, "platform", "win32")
    monkeypatch.setitem(sys.modules, "windows_toasts", None)
    problem = native_backend_problem("win32")
    assert problem is not None and "Windows-Toasts can't be loaded" in problem
    monkeypatch.setitem(sys.modules, "windows_toasts", SimpleNamespace())
    monkeypatch.setenv("APPDATA", str(tmp_path))
    monkeypatch.delenv("PROGRAMDATA", raising=False)
    problem = native_backend_problem("win32")
    assert problem is not None and "no SEC Desktop Start-menu shortcut" in problem
    installed_shortcut(monkeypatch, tmp_path)
    assert native_backend_problem("win32") is None
    result = doctor.check_notifications({}, "win32")
    assert result.status is doctor.Status.OK and "Windows toasts" in result.message


def test_each_platform_opens_its_own_backend(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    installed_shortcut(monkeypatch, tmp_path)
    monkeypatch.setattr(notifications_windows.sys, "platform", "win32")
    monkeypatch.setitem(sys.modules, "windows_toasts", SimpleNamespace())
    monkeypatch.setattr(notifications_windows, "RealToaster", FakeToaster)
    assert isinstance(open_native_server("win32"), WindowsToastServer)
    monkeypatch.setattr(notifications_macos.sys, "platform", "darwin")
    fake_macos_support(monkeypatch, bundle=True, signed=True)
    opened: list[str] = []

    def fake_open() -> MacNoticeServer:
        opened.append("mac")
        return MacNoticeServer(FakeNotifier(), EventLoopThread("unused"), build)

    monkeypatch.setattr(MacNoticeServer, "open", staticmethod(fake_open))
    assert isinstance(open_native_server("darwin"), MacNoticeServer)
    assert opened == ["mac"]
    with pytest.raises(NotificationsUnavailable, match="no notification backend"):
        open_native_server("freebsd")


def test_linux_doctor_without_a_session_bus_says_the_picker_asks() -> None:
    result = doctor.check_notifications({}, "linux")
    assert result.status is doctor.Status.WARNING
    assert result.message == "no notification actions (no session bus); the picker asks instead."
