"""The global shortcut's Qt-free parts: parsing, translation per platform, the choice of
backend, the desktop binding steps, and each backend against a fake of its OS call."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

import pytest

from sec_desktop.platform import hotkey_macos, hotkey_windows, hotkey_x11
from sec_desktop.platform.hotkey import (
    NoHotkey,
    binding_help,
    choose_backend,
    current_desktop,
    session_kind,
    sway_key,
)
from sec_desktop.platform.hotkey_base import HotkeyError
from sec_desktop.platform.hotkey_portal import PortalHotkey, portal_trigger
from sec_desktop.platform.idle_base import IdleSourceError
from sec_desktop.platform.idle_dbus import Signal
from sec_desktop.settings import KeyCombo, Settings, SettingsError, parse_key_combo

# Parsing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ctrl+Alt+Space", KeyCombo(("Ctrl", "Alt"), "Space")),
        ("alt+ctrl+space", KeyCombo(("Ctrl", "Alt"), "Space")),
        ("Meta+Shift+t", KeyCombo(("Shift", "Super"), "T")),
        ("Win+5", KeyCombo(("Super",), "5")),
        ("F9", KeyCombo((), "F9")),
        ("Shift+F12", KeyCombo(("Shift",), "F12")),
    ],
)
def test_shortcuts_parse_to_one_canonical_form(text: str, expected: KeyCombo) -> None:
    assert parse_key_combo(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("T", "needs Ctrl, Alt or Super"),
        ("Shift+T", "needs Ctrl, Alt or Super"),
        ("Ctrl+Alt+Left", "'Left' can't end a global shortcut"),
        ("Hyper+T", "'Hyper' is not a modifier"),
        ("Ctrl++", "not a shortcut"),
    ],
)
def test_a_bad_shortcut_is_refused_with_its_reason(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_key_combo(text)


def test_the_setting_defaults_to_ctrl_alt_space_normalises_and_can_be_off() -> None:
    assert Settings().open_picker_shortcut == "Ctrl+Alt+Space"
    assert Settings(open_picker_shortcut="super+shift+t").open_picker_shortcut == "Shift+Super+T"
    assert Settings(open_picker_shortcut="  ").open_picker_shortcut == ""
    with pytest.raises(SettingsError, match="Shortcut: 'Up' can't end"):
        Settings(open_picker_shortcut="Ctrl+Up")


# Translation per platform ----------------------------------------------------------------------


def test_x11_masks_keysyms_and_the_lock_variants() -> None:
    combo = parse_key_combo("Ctrl+Alt+Space")
    assert hotkey_x11.modifier_mask(combo) == hotkey_x11.CONTROL_MASK | hotkey_x11.MOD1_MASK
    assert hotkey_x11.modifier_mask(parse_key_combo("Super+Shift+T")) == 0x41
    assert [hotkey_x11.keysym_name(k) for k in ("Space", "T", "7", "F3")] == [
        "space",
        "t",
        "7",
        "F3",
    ]
    # NumLock on Mod2 (0x10), as on most servers: grab with neither, either and both locks.
    modifier_map = [[50, 62], [66], [37, 105], [64], [77], [], [133], [92]]
    assert hotkey_x11.num_lock_mask(modifier_map, 77) == 0x10
    assert hotkey_x11.lock_variants(0x10) == (0, 0x2, 0x10, 0x12)
    assert hotkey_x11.num_lock_mask(modifier_map, 0) == 0
    assert hotkey_x11.lock_variants(0) == (0, 0x2)


def x_event(kind: int, time_ms: int, detail: int = 65, state: int = 0x0C) -> SimpleNamespace:
    return SimpleNamespace(type=kind, time=time_ms, detail=detail, state=state)


def test_x11_presses_count_once_per_press_not_per_repeat_and_ignore_the_locks() -> None:
    press, release = hotkey_x11.KEY_PRESS, hotkey_x11.KEY_RELEASE
    presses = hotkey_x11.PressFilter(65, 0x0C, 0x02 | 0x10)
    events = [
        x_event(press, 100),
        # Held: each repeat is a release and a press at the same moment.
        x_event(release, 600),
        x_event(press, 600),
        x_event(release, 633),
        x_event(press, 633),
        x_event(release, 700),
        # Pressed again, with NumLock (0x10) and CapsLock (0x02) on.
        x_event(press, 900, state=0x0C | 0x12),
        x_event(release, 950),
        # Another key, and the key with Shift added: not ours.
        x_event(press, 1000, detail=66),
        x_event(press, 1100, state=0x0D),
        # A keymap change: no key in it.
        SimpleNamespace(type=34, time=1200),
    ]
    assert [e.time for e in events if presses.is_press(e)] == [100, 900]


def test_windows_flags_and_virtual_keys() -> None:
    combo = parse_key_combo("Ctrl+Alt+Space")
    assert hotkey_windows.modifier_flags(combo) == 0x4000 | 0x2 | 0x1
    assert [hotkey_windows.virtual_key(k) for k in ("Space", "T", "0", "F1", "F12")] == [
        0x20, 0x54, 0x30, 0x70, 0x7B,
    ]  # fmt: skip


def test_macos_modifiers_follow_qt_and_key_codes_follow_the_ansi_layout() -> None:
    # Qt's (and so the editor's) Ctrl on a Mac is Command; its Meta (Super here) is Control.
    combo = parse_key_combo("Ctrl+Alt+Space")
    assert hotkey_macos.carbon_modifiers(combo) == hotkey_macos.CMD_KEY | hotkey_macos.OPTION_KEY
    assert hotkey_macos.carbon_modifiers(parse_key_combo("Super+T")) == hotkey_macos.CONTROL_KEY
    codes = {k: hotkey_macos.mac_key_code(k) for k in ("A", "T", "0", "9", "Space", "F1")}
    assert codes == {"A": 0x00, "T": 0x11, "0": 0x1D, "9": 0x19, "Space": 0x31, "F1": 0x7A}
    assert set(hotkey_macos.KEY_CODES) >= {chr(c) for c in range(65, 91)} | set("0123456789")


def test_portal_and_sway_and_hyprland_spell_the_combo_their_way() -> None:
    assert portal_trigger(parse_key_combo("Ctrl+Alt+Space")) == "CTRL+ALT+space"
    assert portal_trigger(parse_key_combo("Super+Shift+T")) == "SHIFT+LOGO+t"
    assert sway_key(parse_key_combo("Ctrl+Alt+Space")) == "Ctrl+Mod1+space"
    assert sway_key(parse_key_combo("Super+Shift+T")) == "Shift+Mod4+t"


# The choice of backend -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "env", "qt_platform", "kind", "backend"),
    [
        ("darwin", {}, "cocoa", "macos", "CarbonHotkey"),
        ("win32", {}, "windows", "windows", "WindowsHotkey"),
        ("linux", {"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}, "xcb", "x11", "XGrabHotkey"),
        # XWayland's DISPLAY is there too, but an X grab there sees keys only for X windows.
        (
            "linux",
            {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-1"},
            "xcb",
            "wayland",
            "PortalHotkey",
        ),
        ("linux", {"XDG_SESSION_TYPE": "wayland"}, "wayland", "wayland", "PortalHotkey"),
        ("linux", {}, "xcb", "none", "NoHotkey"),
        ("linux", {"DISPLAY": ":0"}, "offscreen", "none", "NoHotkey"),
    ],
)
def test_each_session_gets_its_backend(
    platform: str, env: dict[str, str], qt_platform: str, kind: str, backend: str
) -> None:
    assert session_kind(platform, env, qt_platform) == kind
    assert type(choose_backend(platform, env, qt_platform)).__name__ == backend


def test_no_backend_says_why_and_refuses_to_start() -> None:
    backend = NoHotkey("no desktop")
    assert backend.why_unavailable() == "no desktop"
    with pytest.raises(HotkeyError, match="no desktop"):
        backend.start(parse_key_combo("Ctrl+Alt+Space"), lambda: None)


# Binding it in the desktop ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "desktop", "words"),
    [
        (
            {"SWAYSOCK": "/run/sway.sock"},
            "Sway",
            "bindsym Ctrl+Mod1+space exec sec-desktop prompt --keyboard",
        ),
        ({"XDG_CURRENT_DESKTOP": "Hyprland"}, "Hyprland", "bind = CTRL ALT, space, exec, sec-"),
        ({"XDG_CURRENT_DESKTOP": "ubuntu:GNOME"}, "GNOME", "Keyboard > View and Customize"),
        ({"XDG_CURRENT_DESKTOP": "KDE"}, "KDE Plasma", "Add New > Command or Script"),
        ({"XDG_CURRENT_DESKTOP": "XFCE"}, "Xfce", "Application Shortcuts"),
        ({"XDG_CURRENT_DESKTOP": "X-Cinnamon"}, "Cinnamon", "Custom Shortcuts"),
        ({}, "your desktop", "bind Ctrl+Alt+Space to the command below"),
    ],
)
def test_binding_steps_name_the_desktop_and_the_key(
    env: dict[str, str], desktop: str, words: str
) -> None:
    help_ = binding_help(env, parse_key_combo("Ctrl+Alt+Space"))
    assert (help_.desktop, help_.command) == (desktop, "sec-desktop prompt --keyboard")
    assert words in help_.steps


def test_without_a_valid_key_sway_gets_the_usual_binding() -> None:
    assert "bindsym $mod+Shift+t exec" in binding_help({"SWAYSOCK": "x"}, None).steps
    assert current_desktop({"XDG_CURRENT_DESKTOP": "Unity"}) == ""


# Backends against fakes of the OS --------------------------------------------------------------


class FakeUser32:
    def __init__(self, error: int = 0) -> None:
        self.error = error
        self.registered: dict[int, tuple[int, int]] = {}
        self.messages: dict[int, tuple[int, int]] = {}

    def register(self, hotkey_id: int, modifiers: int, vk: int) -> int:
        if not self.error:
            self.registered[hotkey_id] = (modifiers, vk)
        return self.error

    def unregister(self, hotkey_id: int) -> None:
        del self.registered[hotkey_id]

    def message_at(self, address: int) -> tuple[int, int]:
        return self.messages[address]


def test_windows_registers_answers_its_wm_hotkey_and_unregisters() -> None:
    user32 = FakeUser32()
    pressed: list[int] = []
    backend = hotkey_windows.WindowsHotkey(user32)
    backend.start(parse_key_combo("Ctrl+Alt+Space"), lambda: pressed.append(1))
    assert user32.registered == {hotkey_windows.HOTKEY_ID: (0x4003, 0x20)}
    user32.messages = {1: (hotkey_windows.WM_HOTKEY, hotkey_windows.HOTKEY_ID), 2: (0x100, 0)}
    assert backend.handle_message(1) is True
    assert backend.handle_message(2) is False
    assert pressed == [1]
    backend.stop()
    backend.stop()
    assert user32.registered == {}


def test_windows_names_the_key_another_program_holds() -> None:
    backend = hotkey_windows.WindowsHotkey(
        FakeUser32(hotkey_windows.ERROR_HOTKEY_ALREADY_REGISTERED)
    )
    with pytest.raises(HotkeyError, match="Another program already uses Ctrl\\+Alt\\+Space"):
        backend.start(parse_key_combo("Ctrl+Alt+Space"), lambda: None)


class FakeCarbon:
    def __init__(self, status: int = 0) -> None:
        self.status = status
        self.registered: tuple[int, int, Callable[[], None]] | None = None

    def register(self, key_code: int, modifiers: int, on_pressed: Callable[[], None]) -> int:
        self.registered = (key_code, modifiers, on_pressed)
        return self.status

    def unregister(self) -> None:
        self.registered = None


def test_macos_registers_calls_back_and_unregisters() -> None:
    carbon = FakeCarbon()
    pressed: list[int] = []
    backend = hotkey_macos.CarbonHotkey(carbon)
    backend.start(parse_key_combo("Ctrl+Alt+Space"), lambda: pressed.append(1))
    assert carbon.registered is not None
    key_code, modifiers, callback = carbon.registered
    assert (key_code, modifiers) == (0x31, hotkey_macos.CMD_KEY | hotkey_macos.OPTION_KEY)
    callback()
    assert pressed == [1]
    backend.stop()
    assert carbon.registered is None


def test_macos_names_the_key_another_program_holds_and_keeps_nothing() -> None:
    carbon = FakeCarbon(hotkey_macos.EVENT_HOT_KEY_EXISTS)
    with pytest.raises(HotkeyError, match="Another program already uses"):
        hotkey_macos.CarbonHotkey(carbon).start(parse_key_combo("Super+T"), lambda: None)
    assert carbon.registered is None


class FakePortalBus:
    """The portal's side of the conversation, as xdg-desktop-portal answers it."""

    def __init__(self, version: int | None = 1) -> None:
        self.version = version
        self.calls: list[tuple[str, str, tuple[Any, ...]]] = []
        self.pending: list[Signal] = []

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
        if member == "Get":
            if self.version is None:
                raise IdleSourceError("Get: org.freedesktop.DBus.Error.UnknownProperty")
            return (("u", self.version),)
        if member == "CreateSession":
            return ("/org/freedesktop/portal/desktop/request/1_1/create",)
        if member == "BindShortcuts":
            return ("/org/freedesktop/portal/desktop/request/1_1/bind",)
        return ()

    def signals(self) -> list[Signal]:
        arrived, self.pending = self.pending, []
        return arrived

    def fileno(self) -> int:
        return 7

    def close(self) -> None:
        pass


SESSION = "/org/freedesktop/portal/desktop/session/1_1/s"


def test_portal_makes_a_session_binds_and_turns_activated_into_presses() -> None:
    bus = FakePortalBus()
    pressed: list[int] = []
    backend = PortalHotkey({}, link=bus)
    assert backend.why_unavailable() is None
    backend.start(parse_key_combo("Ctrl+Alt+Space"), lambda: pressed.append(1))
    assert [c[1] for c in bus.calls] == ["Get", "AddMatch", "AddMatch", "CreateSession"]
    request = "/org/freedesktop/portal/desktop/request/1_1/"
    iface = "org.freedesktop.portal.Request"
    bus.pending = [
        Signal(request + "create", iface, "Response", (0, {"session_handle": ("o", SESSION)}))
    ]
    backend.dispatch()
    _path, member, args = bus.calls[-1]
    assert (member, args[0]) == ("BindShortcuts", SESSION)
    assert args[1][0][1]["preferred_trigger"] == ("s", "CTRL+ALT+space")
    shortcuts = "org.freedesktop.portal.GlobalShortcuts"
    bus.pending = [
        Signal(request + "bind", iface, "Response", (0, {"shortcuts": ("a(sa{sv})", [])})),
        Signal(
            "/org/freedesktop/portal/desktop",
            shortcuts,
            "Activated",
            (SESSION, "open-picker", 5, {}),
        ),
        Signal(
            "/org/freedesktop/portal/desktop",
            shortcuts,
            "Activated",
            ("/other", "open-picker", 6, {}),
        ),
    ]
    backend.dispatch()
    assert pressed == [1]
    backend.stop()
    assert bus.calls[-1][:2] == (SESSION, "Close")


def test_portal_absent_or_declined_says_so() -> None:
    missing = PortalHotkey({}, link=FakePortalBus(version=None))
    assert "no GlobalShortcuts portal" in (missing.why_unavailable() or "")
    with pytest.raises(HotkeyError, match=r"KDE Plasma 5.27\+ and GNOME 48\+"):
        missing.start(parse_key_combo("Ctrl+Alt+Space"), lambda: None)
    assert "no GlobalShortcuts portal" in (PortalHotkey({}).why_unavailable() or "")

    bus = FakePortalBus()
    backend = PortalHotkey({}, link=bus)
    backend.start(parse_key_combo("Ctrl+Alt+Space"), lambda: None)
    request = "/org/freedesktop/portal/desktop/request/1_1/create"
    bus.pending = [Signal(request, "org.freedesktop.portal.Request", "Response", (1, {}))]
    with pytest.raises(HotkeyError, match="declined"):
        backend.dispatch()
