"""Idle sources on fakes: the choice by platform and session, GNOME's IdleMonitor and logind
over a stand-in bus, macOS and Windows over stand-in ctypes libraries, and doctor's report."""

from __future__ import annotations

import ctypes
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from sec_desktop import doctor
from sec_desktop.doctor import Status
from sec_desktop.platform import idle
from sec_desktop.platform.idle import (
    NO_IDLE_SENTENCE,
    SOURCES_BY_SESSION,
    IdleSource,
    IdleSourceError,
    SourceOpener,
    choose_idle_source,
    idle_source_sentence,
    session_kind,
)
from sec_desktop.platform.idle_base import IdleEvent
from sec_desktop.platform.idle_dbus import MUTTER_INTERFACE, LogindIdle, MutterIdle, Signal
from sec_desktop.platform.idle_native import LastInputInfo, MacIdle, WindowsIdle

# Choosing -------------------------------------------------------------------------------------


class NamedSource(IdleSource):
    def __init__(self, name: str) -> None:
        self.name = name
        self.closed = False

    def close(self) -> None:
        self.closed = True


def opener(name: str, error: str | None = None) -> SourceOpener:
    def open_it(env: Mapping[str, str], threshold_s: float) -> IdleSource:
        if error:
            raise IdleSourceError(error)
        return NamedSource(name)

    return open_it


@pytest.mark.parametrize(
    ("platform", "env", "kind"),
    [
        ("win32", {"WAYLAND_DISPLAY": "wayland-0"}, "windows"),
        ("darwin", {}, "macos"),
        ("linux", {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, "wayland"),
        ("linux", {"XDG_SESSION_TYPE": "wayland"}, "wayland"),
        ("linux", {"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}, "x11"),
        ("freebsd14", {"DISPLAY": ":0"}, "x11"),
    ],
)
def test_session_kind(platform: str, env: dict[str, str], kind: str) -> None:
    assert session_kind(env, platform) == kind


def test_each_session_tries_its_own_sources_best_first() -> None:
    names = {kind: [name for name, _ in row] for kind, row in SOURCES_BY_SESSION.items()}
    assert names == {
        "wayland": ["GNOME Mutter IdleMonitor", "Wayland idle protocol", "logind IdleHint"],
        "x11": ["X11 XScreenSaver", "logind IdleHint"],
        "macos": ["macOS IOKit HIDIdleTime"],
        "windows": ["Windows GetLastInputInfo"],
    }


def test_the_first_source_that_opens_is_chosen() -> None:
    table = {
        "wayland": [
            ("Mutter", opener("Mutter", "not running")),
            ("Wayland", opener("Wayland ext")),
            ("logind", opener("logind")),
        ]
    }
    choice = choose_idle_source(60, {"WAYLAND_DISPLAY": "wayland-1"}, "linux", table)
    assert choice.source is not None
    assert choice.source.name == "Wayland ext"
    assert choice.failures == ("Mutter: not running",)


def test_no_source_says_why_each_failed() -> None:
    table = {"x11": [("X11", opener("X11", "no display")), ("logind", opener("l", "no bus"))]}
    choice = choose_idle_source(60, {}, "linux", table)
    assert choice.source is None
    assert choice.failures == ("X11: no display", "logind: no bus")


def test_settings_sentence() -> None:
    assert idle_source_sentence("GNOME Mutter IdleMonitor") == "Idle: GNOME Mutter IdleMonitor."
    assert idle_source_sentence(None) == NO_IDLE_SENTENCE
    assert "only from sleep and screen lock" in NO_IDLE_SENTENCE


def test_doctor_names_the_live_source_and_closes_it() -> None:
    opened: list[NamedSource] = []

    def open_it(env: Mapping[str, str], threshold_s: float) -> IdleSource:
        opened.append(NamedSource("Wayland ext-idle-notify-v1"))
        return opened[-1]

    result = doctor.check_idle({"WAYLAND_DISPLAY": "w"}, "linux", {"wayland": [("W", open_it)]})
    assert result.status is Status.OK
    assert result.check == "idle"
    assert result.message.startswith("Wayland ext-idle-notify-v1")
    assert opened[0].closed


def test_doctor_says_when_there_is_no_idle_detection() -> None:
    table = {"wayland": [("GNOME Mutter IdleMonitor", opener("m", "no session bus"))]}
    result = doctor.check_idle({"WAYLAND_DISPLAY": "w"}, "linux", table)
    assert result.status is Status.WARNING
    assert result.message.startswith("no idle detection on this desktop: away time is noticed")
    assert "GNOME Mutter IdleMonitor: no session bus" in result.message


def test_x11_source_without_display() -> None:
    with pytest.raises(IdleSourceError, match="DISPLAY"):
        idle.X11IdleSource.open({}, 60)


# A stand-in bus ---------------------------------------------------------------------------------


class FakeLink:
    """Answers method calls from `handlers` (member -> function of args) and hands out the
    signals a test queues."""

    def __init__(self, handlers: dict[str, Any]) -> None:
        self.handlers = handlers
        self.calls: list[tuple[str, str, tuple[Any, ...]]] = []
        self.queued: list[Signal] = []
        self.closed = False

    def call(
        self,
        service: str,
        path: str,
        interface: str,
        member: str,
        *,
        signature: str | None = None,
        args: Sequence[Any] = (),
    ) -> tuple[Any, ...]:
        self.calls.append((path, member, tuple(args)))
        handler = self.handlers.get(member)
        if handler is None:
            raise IdleSourceError(f"{member}: org.freedesktop.DBus.Error.UnknownMethod")
        result = handler(*args)
        return result if isinstance(result, tuple) else (result,)

    def signals(self) -> list[Signal]:
        queued, self.queued = self.queued, []
        return queued

    def fileno(self) -> int:
        return 99

    def close(self) -> None:
        self.closed = True

    def members(self) -> list[str]:
        return [member for _, member, _ in self.calls]


class FakeMutter:
    """Mutter's IdleMonitor as far as the source uses it."""

    def __init__(self, idle_ms: int = 0) -> None:
        self.idle_ms = idle_ms
        self.next_id = 1
        self.idle_watches: dict[int, int] = {}
        self.active_watches: set[int] = set()
        self.link = FakeLink(
            {
                "AddMatch": lambda rule: (),
                "GetIdletime": lambda: self.idle_ms,
                "AddIdleWatch": self.add_idle_watch,
                "AddUserActiveWatch": self.add_active_watch,
                "RemoveWatch": self.remove_watch,
            }
        )

    def add_idle_watch(self, interval_ms: int) -> int:
        self.next_id += 1
        self.idle_watches[self.next_id] = interval_ms
        return self.next_id

    def add_active_watch(self) -> int:
        self.next_id += 1
        self.active_watches.add(self.next_id)
        return self.next_id

    def remove_watch(self, watch: int) -> tuple[()]:
        self.idle_watches.pop(watch, None)
        self.active_watches.discard(watch)
        return ()

    def fire(self, watch: int) -> None:
        if watch in self.active_watches:
            self.active_watches.discard(watch)  # one-shot, as in Mutter
        self.link.queued.append(
            Signal("/org/gnome/Mutter/IdleMonitor/Core", MUTTER_INTERFACE, "WatchFired", (watch,))
        )


def test_mutter_idle_watch_then_user_active_watch() -> None:
    mutter = FakeMutter(idle_ms=1_000)
    source = MutterIdle.open({}, 600, link=mutter.link)
    assert source.name == "GNOME Mutter IdleMonitor"
    assert list(mutter.idle_watches.values()) == [600_000]
    assert source.read_events() == []
    (idle_watch,) = mutter.idle_watches
    mutter.fire(idle_watch)
    assert source.read_events() == [IdleEvent(idle=True, idle_for_s=600)]
    (active_watch,) = mutter.active_watches
    mutter.link.queued.append(Signal("/other", "org.example.Other", "WatchFired", (active_watch,)))
    assert source.read_events() == []  # not Mutter's
    mutter.fire(active_watch)
    assert source.read_events() == [IdleEvent(idle=False)]
    # The idle watch stays for the next absence.
    mutter.fire(idle_watch)
    assert source.read_events() == [IdleEvent(idle=True, idle_for_s=600)]
    source.close()
    assert mutter.idle_watches == {}
    assert mutter.active_watches == set()
    assert mutter.link.closed


def test_mutter_already_idle_at_start_says_so_at_once() -> None:
    mutter = FakeMutter(idle_ms=900_000)
    source = MutterIdle.open({}, 600, link=mutter.link)
    assert source.read_events() == [IdleEvent(idle=True, idle_for_s=900)]
    assert len(mutter.active_watches) == 1
    source.close()


def test_mutter_new_threshold_replaces_the_idle_watch() -> None:
    mutter = FakeMutter(idle_ms=200_000)
    source = MutterIdle.open({}, 600, link=mutter.link)
    (old,) = mutter.idle_watches
    source.set_threshold(120)
    assert list(mutter.idle_watches.values()) == [120_000]
    assert old not in mutter.idle_watches
    # Already idle past the new threshold: reported now rather than at the next absence.
    assert source.read_events() == [IdleEvent(idle=True, idle_for_s=200)]
    mutter.fire(old)  # a stale watch's signal that was on its way
    assert source.read_events() == []
    source.close()


def test_mutter_not_running_fails_to_open_and_closes_the_link() -> None:
    link = FakeLink({"AddMatch": lambda rule: ()})
    with pytest.raises(IdleSourceError, match="UnknownMethod"):
        MutterIdle.open({}, 600, link=link)
    assert link.closed


def logind(idle_hint: bool, since_us: int) -> FakeLink:
    properties = {"IdleHint": ("b", idle_hint), "IdleSinceHint": ("t", since_us)}
    return FakeLink(
        {
            "GetSession": lambda session_id: f"/org/freedesktop/login1/session/{session_id}",
            "GetSessionByPID": lambda pid: "/org/freedesktop/login1/session/by_pid",
            "Get": lambda interface, name: (properties[name],),
        }
    )


def test_logind_idle_hint() -> None:
    link = logind(idle_hint=False, since_us=0)
    source = LogindIdle.open({"XDG_SESSION_ID": "c2"}, 600, link=link)
    assert link.calls[0] == ("/org/freedesktop/login1", "GetSession", ("c2",))
    assert source.idle_seconds() == 0.0
    assert link.calls[-1][0] == "/org/freedesktop/login1/session/c2"

    link = logind(idle_hint=True, since_us=1_700_000_000_000_000)
    source = LogindIdle(link, "/org/freedesktop/login1/session/c2", lambda: 1_700_000_090.5)
    assert source.idle_seconds() == 90.5
    source.close()
    assert link.closed


def test_logind_without_a_session_id_asks_by_pid() -> None:
    link = logind(idle_hint=False, since_us=0)
    LogindIdle.open({}, 600, link=link, pid=4242)
    assert link.calls[0] == ("/org/freedesktop/login1", "GetSessionByPID", (4242,))


def test_logind_without_a_session_fails() -> None:
    link = FakeLink({})
    with pytest.raises(IdleSourceError):
        LogindIdle.open({"XDG_SESSION_ID": "c2"}, 600, link=link)
    assert link.closed


# Stand-in ctypes libraries --------------------------------------------------------------------


class FakeFunction:
    """A ctypes function as far as the sources use it: argtypes, restype, a call."""

    def __init__(self, body: Any) -> None:
        self.body = body
        self.argtypes: Any = None
        self.restype: Any = None

    def __call__(self, *args: Any) -> Any:
        return self.body(*args)


class FakeLibrary:
    def __init__(self, **functions: Any) -> None:
        for name, body in functions.items():
            setattr(self, name, FakeFunction(body))


CF_NUMBER_TYPE_ID = 22
HID_SERVICE = 7
HID_IDLE_KEY = 1001
PROPERTY = 2002


def fake_mac(idle_ns: int | None, *, service: int = HID_SERVICE) -> tuple[Any, Any, list[Any]]:
    released: list[Any] = []

    def create_property(entry: int, key: int, allocator: Any, options: int) -> int | None:
        assert (entry, key, options) == (HID_SERVICE, HID_IDLE_KEY, 0)
        return None if idle_ns is None else PROPERTY

    def number_value(number: int, kind: int, out: Any) -> bool:
        assert (number, kind) == (PROPERTY, 4)  # kCFNumberSInt64Type
        out.contents.value = idle_ns or 0
        return True

    iokit = FakeLibrary(
        IOServiceMatching=lambda name: 555 if name == b"IOHIDSystem" else None,
        IOServiceGetMatchingService=lambda port, matching: service if matching == 555 else 0,
        IORegistryEntryCreateCFProperty=create_property,
        IOObjectRelease=released.append,
    )
    cf = FakeLibrary(
        CFStringCreateWithCString=lambda alloc, text, enc: (
            HID_IDLE_KEY if text == b"HIDIdleTime" else 0
        ),
        CFNumberGetTypeID=lambda: CF_NUMBER_TYPE_ID,
        CFGetTypeID=lambda ref: CF_NUMBER_TYPE_ID,
        CFNumberGetValue=number_value,
        CFRelease=released.append,
    )
    return iokit, cf, released


def test_macos_hid_idle_time_in_nanoseconds() -> None:
    iokit, cf, released = fake_mac(idle_ns=12_500_000_000)
    source = MacIdle.open(iokit, cf)
    assert source.name == "macOS IOKit HIDIdleTime"
    assert source.idle_seconds() == 12.5
    assert released == [PROPERTY, PROPERTY]  # each reading's property is released
    source.close()
    assert released[-2:] == [HID_SERVICE, HID_IDLE_KEY]
    with pytest.raises(IdleSourceError):
        source.idle_seconds()


def test_macos_without_the_hid_service_or_the_property() -> None:
    iokit, cf, _ = fake_mac(idle_ns=1, service=0)
    with pytest.raises(IdleSourceError, match="IOHIDSystem"):
        MacIdle.open(iokit, cf)
    iokit, cf, _ = fake_mac(idle_ns=None)
    with pytest.raises(IdleSourceError, match="HIDIdleTime"):
        MacIdle.open(iokit, cf)


def fake_windows(last_input_ms: int, now_ms: int, ok: bool = True) -> tuple[Any, Any]:
    def get_last_input_info(pointer: Any) -> int:
        info = pointer.contents
        assert info.cbSize == ctypes.sizeof(LastInputInfo)
        info.dwTime = last_input_ms
        return int(ok)

    return FakeLibrary(GetLastInputInfo=get_last_input_info), FakeLibrary(
        GetTickCount=lambda: now_ms
    )


def test_windows_last_input() -> None:
    source = WindowsIdle.open(*fake_windows(last_input_ms=4_000, now_ms=10_500))
    assert source.name == "Windows GetLastInputInfo"
    assert source.idle_seconds() == 6.5


def test_windows_tick_count_wraps_after_49_days() -> None:
    source = WindowsIdle.open(*fake_windows(last_input_ms=2**32 - 1_000, now_ms=2_000))
    assert source.idle_seconds() == 3.0


def test_windows_failure_and_other_systems() -> None:
    with pytest.raises(IdleSourceError, match="GetLastInputInfo failed"):
        WindowsIdle.open(*fake_windows(0, 0, ok=False))
    if not hasattr(ctypes, "windll"):
        with pytest.raises(IdleSourceError, match="only on Windows"):
            WindowsIdle.open()


def test_mutter_return_that_arrives_with_the_active_watch_reply_is_not_missed() -> None:
    mutter = FakeMutter()
    source = MutterIdle.open({}, 600, link=mutter.link)
    (idle_watch,) = mutter.idle_watches

    def add_and_fire_at_once() -> int:
        watch = mutter.add_active_watch()
        mutter.fire(watch)  # read off the socket while waiting for this reply
        return watch

    mutter.link.handlers["AddUserActiveWatch"] = add_and_fire_at_once
    mutter.fire(idle_watch)
    assert source.read_events() == [IdleEvent(idle=True, idle_for_s=600), IdleEvent(idle=False)]
    source.close()
