"""Commands that start the tray app or talk to the running one: `tray` (the default when no
command is given), `prompt`, `dashboard`, `settings`, `status` and `quit`."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Mapping
from typing import Any, TextIO

from sec_desktop.cli.base import EXIT_FAILURE, EXIT_OK, CliError, Context
from sec_desktop.store.paths import DATA_DIR_ENV

# Commands forwarded to a running app; the ones that also start it when none runs.
FORWARDED = ("prompt", "dashboard", "settings", "status", "quit")
STARTS_APP = ("tray", "prompt", "dashboard", "settings")
TRAY_WAIT_ENV = "SEC_DESKTOP_TRAY_WAIT_S"


def _forward(ctx: Context, command: str) -> dict[str, Any] | None:
    from sec_desktop.platform.single_instance import (
        InstanceError,
        send_to_running,
        server_name,
    )

    try:
        return send_to_running(server_name(ctx.data_dir), {"command": command})
    except InstanceError as exc:
        raise CliError(str(exc), code=EXIT_FAILURE) from exc


def _tray_wait_s(env: Mapping[str, str], default: float) -> float:
    raw = env.get(TRAY_WAIT_ENV)
    if raw is None:
        return default
    try:
        return max(0.0, float(raw))
    except ValueError as exc:
        raise CliError(f"${TRAY_WAIT_ENV} must be a number of seconds, not {raw!r}") from exc


def cmd_app(ctx: Context, args: argparse.Namespace) -> int:
    command: str = args.command or "tray"
    forward_as = "raise" if command == "tray" else command
    reply = _forward(ctx, forward_as)
    if reply is not None:
        if command == "status":
            ctx.out.write(json.dumps(reply, indent=2) + "\n")
        elif command == "tray":
            ctx.err.write("SEC Desktop is already running; opened its dashboard.\n")
        return EXIT_OK if reply.get("ok") else EXIT_FAILURE
    if command not in STARTS_APP:
        raise CliError("SEC Desktop is not running", code=EXIT_FAILURE)

    from sec_desktop.platform.single_instance import InstanceError
    from sec_desktop.ui.app import AppOptions, configure_logging, run_app
    from sec_desktop.ui.tray import DEFAULT_TRAY_WAIT_S

    configure_logging(ctx.config_dir, os.environ.get("SEC_DESKTOP_LOG"))
    options = AppOptions(
        data_dir=ctx.data_dir,
        config_dir=ctx.config_dir,
        tz=ctx.tz,
        preset=ctx.preset,
        tray_wait_s=_tray_wait_s(os.environ, DEFAULT_TRAY_WAIT_S),
        initial_command=None if command == "tray" else command,
        data_dir_pinned=bool(args.data_dir or os.environ.get(DATA_DIR_ENV)),
    )
    try:
        return run_app(options)
    except InstanceError as exc:
        raise CliError(str(exc), code=EXIT_FAILURE) from exc


def self_test(env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    """`--self-test`: its own temporary folders, so it needs no Context."""
    from sec_desktop.cli.self_test import DEFAULT_TRAY_TIMEOUT_S, run_self_test

    try:
        tray_timeout_s = _tray_wait_s(env, DEFAULT_TRAY_TIMEOUT_S)
    except CliError as exc:
        err.write(f"sec-desktop: {exc}.\n")
        return exc.code
    return run_self_test(out, tray_timeout_s=tray_timeout_s)


def cmd_probe_tray(ctx: Context, args: argparse.Namespace) -> int:
    """Whether a system tray is there: `doctor` asks this in a child process, so that Qt
    never loads into its own (and a frozen build has no `python -c` to run)."""
    from PySide6.QtWidgets import QApplication, QSystemTrayIcon

    app = QApplication.instance() or QApplication(["sec-desktop"])
    available = QSystemTrayIcon.isSystemTrayAvailable()
    del app
    ctx.out.write("tray:yes\n" if available else "tray:no\n")
    return EXIT_OK


def register(sub: Any) -> None:
    helps = {
        "tray": "start the tray app (what `sec-desktop` alone does)",
        "prompt": "ask what you are doing now (starts the app if needed)",
        "dashboard": "open the dashboard of the running app (starts it if needed)",
        "settings": "open the settings of the running app (starts it if needed)",
        "status": "show the running app's state as JSON",
        "quit": "stop the running app",
    }
    for name, text in helps.items():
        parser = sub.add_parser(name, help=text)
        parser.set_defaults(handler=cmd_app)
    # Not in the help: an internal question from `doctor`.
    sub.add_parser("probe-tray").set_defaults(handler=cmd_probe_tray)
