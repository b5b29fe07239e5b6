"""Raising a window at another launch's request, with the launcher's permission.

Wayland compositors give the focus only to a request that carries an activation token from
the launcher (xdg-activation-v1); Qt's own request uses a stale input serial and sway ignores it.
A later `sec-desktop dashboard` passes its launcher's token over the single-instance socket;
while its request is handled, the token sits in this process's environment, where Qt's
Wayland plugin takes it (and unsets it) at the next QWindow.requestActivate. Without a launcher's
token the app presents one of its own, asked for without an input serial: the compositor then
applies its focus-stealing policy (sway's default marks the window urgent), so the user at
least sees that the window wants attention.

X11's startup id (DESKTOP_STARTUP_ID) travels and is held the same way, but Qt 6's xcb
plugin reads it only as the app starts: on X11 the raise is still up to the window
manager's handling of _NET_ACTIVE_WINDOW.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator, Mapping
from typing import Any

from PySide6.QtWidgets import QApplication, QWidget

from sec_desktop import APP_ID
from sec_desktop.platform.ipc_commands import ACTIVATION_ENV, ACTIVATION_FIELD
from sec_desktop.platform.xdg_activation import ActivationError, activation_token

log = logging.getLogger(__name__)

# The Wayland one (Qt takes it from the environment); the other is X11's startup id.
WAYLAND_ENV = ACTIVATION_ENV[0]
# Tokens are short printable strings (wlroots: 32 hex digits; X11 ids name a host and time).
MAX_TOKEN_LENGTH = 512


def _tokens(message: Mapping[str, Any]) -> dict[str, str]:
    """The request's launcher tokens; anything malformed is dropped (logged), never used."""
    given = message.get(ACTIVATION_FIELD)
    if not isinstance(given, dict):
        return {}
    tokens: dict[str, str] = {}
    for name in ACTIVATION_ENV:
        value = given.get(name)
        if value is None:
            continue
        if (
            isinstance(value, str)
            and 0 < len(value) <= MAX_TOKEN_LENGTH
            and value.isprintable()
            and "\0" not in value
        ):
            tokens[name] = value
        else:
            log.warning("ignored a malformed %s in a request from another launch", name)
    return tokens


@contextlib.contextmanager
def launcher_activation(message: Mapping[str, Any]) -> Iterator[None]:
    """Hold the request's tokens in the environment while it is handled.

    A token is good for one activation: whatever Qt did not use is removed afterwards, so
    that no later, unrelated raise presents it. A request without tokens leaves the
    environment alone (at the first start it holds this process's own launcher's token).
    """
    tokens = _tokens(message)
    if not tokens:
        yield
        return
    for name in ACTIVATION_ENV:
        os.environ.pop(name, None)
    os.environ.update(tokens)
    try:
        yield
    finally:
        for name in ACTIVATION_ENV:
            os.environ.pop(name, None)


def activate(window: QWidget) -> None:
    """Raise and activate `window`; on Wayland without a launcher's token, with a token of
    our own that asks the compositor for attention (it may refuse the focus)."""
    handle = window.windowHandle()
    # A window mapped just now gets the focus from the compositor; one already on screen
    # needs the token.
    on_screen = handle is not None and handle.isExposed()
    if QApplication.platformName() == "wayland" and on_screen and not window.isActiveWindow():
        if os.environ.get(WAYLAND_ENV):
            log.info("activating %s with the launcher's token", _name(window))
        else:
            try:
                os.environ[WAYLAND_ENV] = activation_token(os.environ, APP_ID)
                log.info("no launcher's token: %s asks for attention", _name(window))
            except ActivationError as exc:
                log.info("no activation token (%s): %s marked urgent", exc, _name(window))
                QApplication.alert(window)
    window.raise_()
    window.activateWindow()
    # Qt takes the token at once; one it left (no Wayland window yet) must not linger.
    os.environ.pop(WAYLAND_ENV, None)


def _name(window: QWidget) -> str:
    return window.windowTitle() or window.objectName() or type(window).__name__
