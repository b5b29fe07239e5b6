"""Commands that start the tray app or talk to the running one: `tray` (the default when no
command is given), `prompt`, `dashboard`, `settings`, `status` and `quit`."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TextIO

from sec_desktop.cli.base import EXIT_FAILURE, EXIT_OK, CliError, Context
from sec_desktop.platform.ipc_commands import (
    BY_CLI_WORD,
    COMMANDS,
    TAKE_KEYBOARD,
    launch_activation,
)
from sec_desktop.store.paths import DATA_DIR_ENV

# The subcommands that start the app when none runs (a desktop launcher may run them first).
STARTS_APP = frozenset(command.cli_word for command in COMMANDS if command.starts_app)
TRAY_WAIT_ENV = "SEC_DESKTOP_TRAY_WAIT_S"


def _forward(
    ctx: Context, command: str, extra: Mapping[str, Any] | None = None
) -> dict[str, Any] | None:
    from sec_desktop.platform.single_instance import (
        InstanceError,
        send_to_running,
        server_name,
    )

    try:
        message = {"command": command, **launch_activation(os.environ), **(extra or {})}
        return send_to_running(server_name(ctx.data_dir), message)
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


def _clock(moment: str | None, ctx: Context) -> str:
    if not moment:
        return "-"
    local = datetime.fromisoformat(moment).astimezone(ctx.tz)
    if local.date() == ctx.now_utc().astimezone(ctx.tz).date():
        return local.strftime("%H:%M")
    return local.strftime("%a %d %b %H:%M")


def _question_lines(ctx: Context, questions: list[dict[str, Any]]) -> list[str]:
    if not questions:
        return ["No open questions."]
    lines = [f"Open questions: {len(questions)}"]
    for q in questions:
        what = "away, not answered" if q["kind"] == "away" else f"{q['kind']} prompt"
        lines.append(
            f"  {_clock(q['start'], ctx)}\u2013{_clock(q['end'], ctx)}  "
            f"({q['minutes']:g} min)  {what}"
        )
    return lines


def write_status(ctx: Context, reply: dict[str, Any] | None, fmt: str) -> None:
    """The running app's state (or, with none running, the questions it left open)."""
    if reply is None:
        from sec_desktop.reminders.questions import load_questions, questions_json, questions_path

        loaded = load_questions(questions_path(ctx.config_dir), now=ctx.now_utc())
        reply = {"ok": False, "running": False, "questions": questions_json(loaded.slots)}
        if loaded.problem:
            reply["problem"] = loaded.problem
    else:
        reply = {**reply, "running": True}
    if fmt == "json":
        ctx.out.write(json.dumps(reply, indent=2) + "\n")
        return
    if reply["running"]:
        lines = [f"SEC Desktop {reply.get('version', '')} is running (pid {reply.get('pid')})."]
        if reply.get("timer"):
            lines.append(f"Timer: {reply['timer']}")
        if reply.get("away"):
            lines.append(f"Away now: {', '.join(reply['away'])}")
        lines.append(f"Next prompt: {_clock(reply.get('next_prompt_at'), ctx)}")
    else:
        lines = ["SEC Desktop is not running."]
        if reply.get("problem"):
            lines.append(str(reply["problem"]))
    lines += _question_lines(ctx, reply.get("questions") or [])
    ctx.out.write("\n".join(lines) + "\n")


def cmd_app(ctx: Context, args: argparse.Namespace) -> int:
    command: str = args.command or "tray"
    request = BY_CLI_WORD[command].name
    takes_keyboard = bool(getattr(args, "keyboard", False))
    reply = _forward(ctx, request, {TAKE_KEYBOARD: True} if takes_keyboard else None)
    if request == "status":
        write_status(ctx, reply, getattr(args, "format", "text"))
        return EXIT_OK if reply is not None and reply.get("ok") else EXIT_FAILURE
    if reply is not None:
        if request == "raise":
            ctx.err.write("SEC Desktop is already running; opened its dashboard.\n")
        return EXIT_OK if reply.get("ok") else EXIT_FAILURE
    if command not in STARTS_APP:
        raise CliError("SEC Desktop is not running", code=EXIT_FAILURE)

    from sec_desktop.ui.startup import application, configure_logging, show_icon_early

    configure_logging(ctx.config_dir, os.environ.get("SEC_DESKTOP_LOG"))
    # The icon first, with Qt and little else loaded: the rest of the app (about as long
    # again as Qt itself to import and build) then fills in its menu.
    application()
    shown = show_icon_early()

    from sec_desktop.platform.single_instance import InstanceError
    from sec_desktop.ui.app import AppOptions, run_app
    from sec_desktop.ui.tray import DEFAULT_TRAY_WAIT_S

    options = AppOptions(
        data_dir=ctx.data_dir,
        config_dir=ctx.config_dir,
        tz=ctx.tz,
        preset=ctx.preset,
        tray_wait_s=_tray_wait_s(os.environ, DEFAULT_TRAY_WAIT_S),
        # A fresh start has nothing to raise.
        initial_command=None if request == "raise" else request,
        initial_takes_keyboard=takes_keyboard,
        data_dir_pinned=bool(args.data_dir or os.environ.get(DATA_DIR_ENV)),
    )
    try:
        return run_app(options, shown=shown)
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
    for command in COMMANDS:
        parser = sub.add_parser(command.cli_word, help=command.help)
        parser.set_defaults(handler=cmd_app)
        if command.name == "status":
            parser.add_argument(
                "--format",
                choices=("text", "json"),
                default="text",
                help="json lists the open questions with their spans (default: text)",
            )
        if command.name == "prompt":
            parser.add_argument(
                "--keyboard",
                action="store_true",
                help="the picker takes the keyboard at once: for a desktop key binding, whose "
                "key press is the user asking (plain `prompt` waits while you type elsewhere)",
            )
    # Not in the help: an internal question from `doctor`.
    sub.add_parser("probe-tray").set_defaults(handler=cmd_probe_tray)
