"""A global shortcut that opens the picker: one small interface, a backend per platform.

The app asks `choose_backend` for the platform's backend, calls `start(combo, on_pressed)`,
watches `fileno()` (where the backend has a socket) and calls `dispatch()` when it is
readable. Where no backend can grab keys (sway, Hyprland, a Wayland desktop without the
GlobalShortcuts portal), `binding_help` says how to bind `sec-desktop prompt` in the desktop
itself. Qt-free: the app's event loop does the watching.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sec_desktop.platform.hotkey_base import (
    PROMPT_COMMAND,
    HotkeyBackend,
    HotkeyError,
)
from sec_desktop.settings import KeyCombo

__all__ = ["PROMPT_COMMAND", "HotkeyBackend", "HotkeyError", "choose_backend"]


class NoHotkey:
    """No way to grab keys here: `why_unavailable` says why."""

    name = "none"

    def __init__(self, reason: str) -> None:
        self._reason = reason

    def why_unavailable(self) -> str | None:
        return self._reason

    def start(self, combo: KeyCombo, on_pressed: Callable[[], None]) -> None:
        raise HotkeyError(self._reason)

    def stop(self) -> None:
        pass

    def fileno(self) -> int | None:
        return None

    def dispatch(self) -> None:
        pass


def session_kind(platform: str, env: Mapping[str, str], qt_platform: str | None = None) -> str:
    """ "macos", "windows", "x11", "wayland" or "none" (no display at all).

    `qt_platform` is the running Qt platform plugin where known: an app on XWayland grabs
    keys only while an X window has the focus, so a Wayland session counts as Wayland."""
    if qt_platform in ("offscreen", "minimal"):
        return "none"  # tests and headless runs: nothing on screen to take keys from
    if platform == "darwin":
        return "macos"
    if platform == "win32":
        return "windows"
    wayland = env.get("XDG_SESSION_TYPE") == "wayland" or env.get("WAYLAND_DISPLAY")
    if wayland or qt_platform == "wayland":
        return "wayland"
    if env.get("DISPLAY"):
        return "x11"
    return "none"


def choose_backend(
    platform: str, env: Mapping[str, str], qt_platform: str | None = None
) -> HotkeyBackend:
    """The backend for this session; its `why_unavailable()` may still say it can't work."""
    kind = session_kind(platform, env, qt_platform)
    if kind == "macos":
        from sec_desktop.platform.hotkey_macos import CarbonHotkey

        return CarbonHotkey()
    if kind == "windows":
        from sec_desktop.platform.hotkey_windows import WindowsHotkey

        return WindowsHotkey()
    if kind == "x11":
        from sec_desktop.platform.hotkey_x11 import XGrabHotkey

        return XGrabHotkey(env.get("DISPLAY"))
    if kind == "wayland":
        from sec_desktop.platform.hotkey_portal import PortalHotkey

        return PortalHotkey(env)
    return NoHotkey("There is no desktop session to take a shortcut from.")


# Binding it in the desktop instead -----------------------------------------------------------


@dataclass(frozen=True)
class BindingHelp:
    """How to bind the prompt command in this desktop, for the Settings dialog."""

    desktop: str
    steps: str
    command: str = PROMPT_COMMAND


def current_desktop(env: Mapping[str, str]) -> str:
    """The desktop's name in lower case from XDG_CURRENT_DESKTOP (first of a list) or the
    compositor's own variables; "" when unknown."""
    if env.get("SWAYSOCK"):
        return "sway"
    if env.get("HYPRLAND_INSTANCE_SIGNATURE"):
        return "hyprland"
    if env.get("I3SOCK"):
        return "i3"
    desktops = env.get("XDG_CURRENT_DESKTOP", "").lower().split(":")
    known = ("gnome", "kde", "xfce", "cinnamon", "mate", "sway", "hyprland", "i3", "lxqt")
    for name in desktops:
        for desktop in known:
            if desktop in name:  # "ubuntu:GNOME", "X-Cinnamon"
                return desktop
    return ""


def sway_key(combo: KeyCombo) -> str:
    """The combo in sway's and i3's bindsym syntax: Ctrl+Mod1+space."""
    names = {"Ctrl": "Ctrl", "Alt": "Mod1", "Shift": "Shift", "Super": "Mod4"}
    return "+".join((*(names[m] for m in combo.modifiers), _xkb_key(combo.key)))


def hyprland_bind(combo: KeyCombo) -> str:
    mods = " ".join(m.upper() for m in combo.modifiers)
    return f"bind = {mods}, {_xkb_key(combo.key)}, exec, {PROMPT_COMMAND}"


def _xkb_key(key: str) -> str:
    """The key's XKB keysym name: "space", "t", "5", "F1"."""
    return "space" if key == "Space" else key.lower() if len(key) == 1 else key


def binding_help(  # noqa: PLR0911 - one return per desktop reads best
    env: Mapping[str, str], combo: KeyCombo | None
) -> BindingHelp:
    """Exact steps to bind `combo` (or a key of the user's choice) to the prompt command."""
    shown = str(combo) if combo else "a key of your choice"
    desktop = current_desktop(env)
    if desktop in ("sway", "i3"):
        key = sway_key(combo) if combo else "$mod+Shift+t"
        folder = "~/.config/sway/config" if desktop == "sway" else "~/.config/i3/config"
        reload_key = "$mod+Shift+c"
        return BindingHelp(
            desktop.capitalize() if desktop == "sway" else "i3",
            f"Add this line to {folder} and reload with {reload_key}:\n"
            f"bindsym {key} exec {PROMPT_COMMAND}",
        )
    if desktop == "hyprland":
        line = hyprland_bind(combo) if combo else f"bind = SUPER SHIFT, t, exec, {PROMPT_COMMAND}"
        return BindingHelp(
            "Hyprland",
            f"Add this line to ~/.config/hypr/hyprland.conf (it reloads itself):\n{line}",
        )
    if desktop == "gnome":
        return BindingHelp(
            "GNOME",
            "Open Settings > Keyboard > View and Customize Shortcuts > Custom Shortcuts, add "
            f"one named SEC Desktop with the command below, and set it to {shown}.",
        )
    if desktop == "kde":
        return BindingHelp(
            "KDE Plasma",
            "Open System Settings > Keyboard > Shortcuts, choose Add New > Command or Script, "
            f"enter the command below and set its shortcut to {shown}.",
        )
    if desktop == "xfce":
        return BindingHelp(
            "Xfce",
            "Open Settings > Keyboard > Application Shortcuts, click Add, enter the command "
            f"below and press {shown}.",
        )
    if desktop == "cinnamon":
        return BindingHelp(
            "Cinnamon",
            "Open System Settings > Keyboard > Shortcuts > Custom Shortcuts, add one with the "
            f"command below and bind it to {shown}.",
        )
    return BindingHelp(
        "your desktop",
        f"In your desktop's keyboard shortcut settings, bind {shown} to the command below.",
    )
