"""`doctor`'s tray check against a real X server: no tray host, then trayer."""

from __future__ import annotations

import os

from sec_desktop.doctor import CheckResult, Status, check_tray
from tests.e2e.xsession import (
    E2E_MARKS,
    wait_for,
    x_session,
)

pytestmark = E2E_MARKS
# Starting Qt in a child process takes a second or two on a busy machine.
PROBE_TIMEOUT_S = 60.0


def test_an_x_server_without_a_tray_host() -> None:
    with x_session(os.environ, with_tray=False) as session:
        result = check_tray(session.env, PROBE_TIMEOUT_S)
    assert result.status is Status.WARNING
    assert "no system tray is available" in result.message
    # What brings it back on GNOME, by the name the Extensions app shows.
    assert "AppIndicator and KStatusNotifierItem Support" in result.message


def test_an_x_server_with_trayer() -> None:
    with x_session(os.environ, with_tray=True) as session:

        def tray_seen() -> CheckResult | None:
            result = check_tray(session.env, PROBE_TIMEOUT_S)
            return result if result.status is Status.OK else None

        # The panel window exists before trayer owns the tray selection: ask until it does.
        result = wait_for(tray_seen, PROBE_TIMEOUT_S, "the tray check to see trayer", poll_s=0.5)
    assert result.message == "a system tray is available."
