"""An activation token from the Wayland compositor (xdg-activation-v1), over a connection of
our own (the wire client of idle_wayland).

A token asked for without an input serial says "no user action asked for this": compositors
grant it, and a window that presents it is handled by their focus-stealing policy (sway's
`focus_on_window_activation`, urgent by default; GNOME and KDE: "demands attention"). The app
presents one when a later launch brought no launcher's token, since Qt's own request carries
a stale serial that sway ignores outright; tests use one as a launcher would.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from sec_desktop.platform.idle_base import IdleSourceError
from sec_desktop.platform.idle_wayland import (
    DISPLAY_GET_REGISTRY,
    DISPLAY_ID,
    REGISTRY_BIND,
    UINT,
    WaylandConnection,
    _check_display_error,
    _read_string,
    _roundtrip,
    _string,
    socket_path,
)

ACTIVATION = "xdg_activation_v1"
# Opcodes from xdg-activation-v1.xml.
ACTIVATION_DESTROY, GET_ACTIVATION_TOKEN = 0, 1
TOKEN_SET_APP_ID, TOKEN_COMMIT, TOKEN_DESTROY = 1, 3, 4
TOKEN_DONE = 0


class ActivationError(Exception):
    """No token: no compositor, no xdg-activation-v1, or no answer in time."""


def activation_token(env: Mapping[str, str], app_id: str, timeout_s: float = 1.0) -> str:
    """A fresh token from the compositor at env's WAYLAND_DISPLAY, for the app `app_id`.
    Raises ActivationError when none can be had."""
    try:
        return _request_token(env, app_id, timeout_s)
    except IdleSourceError as exc:
        raise ActivationError(str(exc)) from exc


def _request_token(env: Mapping[str, str], app_id: str, timeout_s: float) -> str:
    connection = WaylandConnection.connect(socket_path(env))
    try:
        registry_id = connection.new_id()
        connection.send(DISPLAY_ID, DISPLAY_GET_REGISTRY, UINT.pack(registry_id))
        globals_, _ = _roundtrip(connection, registry_id)
        manager = next((g for g in globals_ if g.interface == ACTIVATION), None)
        if manager is None:
            raise ActivationError(f"the Wayland compositor offers no {ACTIVATION}")
        manager_id = connection.new_id()
        connection.send(
            registry_id,
            REGISTRY_BIND,
            UINT.pack(manager.name) + _string(ACTIVATION) + UINT.pack(1) + UINT.pack(manager_id),
        )
        token_id = connection.new_id()
        connection.send(manager_id, GET_ACTIVATION_TOKEN, UINT.pack(token_id))
        connection.send(token_id, TOKEN_SET_APP_ID, _string(app_id))
        connection.send(token_id, TOKEN_COMMIT)
        deadline = time.monotonic() + timeout_s
        while connection.wait_readable(deadline - time.monotonic()):
            for object_id, opcode, payload in connection.read_available():
                _check_display_error(object_id, opcode, payload)
                if object_id == token_id and opcode == TOKEN_DONE:
                    token, _ = _read_string(payload, 0)
                    connection.send(token_id, TOKEN_DESTROY)
                    connection.send(manager_id, ACTIVATION_DESTROY)
                    return token
        raise ActivationError(
            f"the Wayland compositor gave no activation token within {timeout_s:g} s"
        )
    finally:
        connection.close()
