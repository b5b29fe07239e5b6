"""`sec-desktop` subcommands over the shared core: framework, log, report, export."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import NoReturn, TextIO

from sec_desktop import APP_NAME, __version__
from sec_desktop.analytics.periods import PeriodError
from sec_desktop.cli.base import (
    EXIT_BAD_INPUT,
    EXIT_FAILURE,
    EXIT_OK,
    CliError,
    Context,
    utf8_text,
    zone_named,
)
from sec_desktop.store.atomic import ensure_private_dir, ensure_private_file
from sec_desktop.store.entry import utc_now
from sec_desktop.store.paths import DATA_DIR_ENV, resolve_config_dir, resolve_data_dir
from sec_desktop.timefmt import TimeInputError

# parser and entry point -----------------------------------------------------------------


# Commands defined in their own modules. Each module has `register(subparsers)`, which adds
# its parsers with `set_defaults(handler=...)`; handlers take (Context, Namespace) -> int and
# import anything heavy inside the handler, so `sec-desktop --help` stays fast.
COMMAND_MODULES: tuple[str, ...] = (
    "sec_desktop.cli.framework",
    "sec_desktop.cli.log",
    "sec_desktop.cli.entries",
    "sec_desktop.cli.alias",
    "sec_desktop.cli.report",
    "sec_desktop.cli.plan",
    "sec_desktop.cli.export",
    "sec_desktop.cli.gui",
    "sec_desktop.cli.privacy",
    "sec_desktop.cli.demo",
    "sec_desktop.cli.importing",
    "sec_desktop.cli.maintenance",
)
# The module of each command word, so that a command imports its own module only (a report
# then loads no importer, no Qt helper). A word not listed here loads every module, as the
# help and the tray app's commands do. A test keeps this in step with what `register` adds.
MODULE_OF_COMMAND: dict[str, str] = {
    "framework": "sec_desktop.cli.framework",
    "log": "sec_desktop.cli.log",
    **dict.fromkeys(("edit", "delete", "restore", "conflicts"), "sec_desktop.cli.entries"),
    "alias": "sec_desktop.cli.alias",
    "report": "sec_desktop.cli.report",
    "plan": "sec_desktop.cli.plan",
    "export": "sec_desktop.cli.export",
    "encryption": "sec_desktop.cli.privacy",
    "demo": "sec_desktop.cli.demo",
    "import": "sec_desktop.cli.importing",
    **dict.fromkeys(("doctor", "backup"), "sec_desktop.cli.maintenance"),
}
# What `sec-desktop` runs with no command; None prints the help instead.
DEFAULT_COMMAND: str | None = "tray"
# The module of the tray app's commands: a line with no command at all (the tray's start)
# builds only its parser, so the resident app loads no other command's module.
APP_COMMANDS_MODULE = "sec_desktop.cli.gui"


class _NotParsed(Exception):
    """The probe for the command word met a line it cannot parse."""


class _ProbeParser(argparse.ArgumentParser):
    """Finds the command word and does nothing else: it prints nothing (not --version) and
    never exits; the full parser then acts on the line."""

    def error(self, message: str) -> NoReturn:
        raise _NotParsed(message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        raise _NotParsed(message or "")

    def _print_message(self, message: str, file: object = None) -> None:
        pass


def _add_global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check that this build works here (framework, store, keychain, tray) and exit",
    )
    parser.add_argument("--data-dir", metavar="DIR", help="data folder (or $SEC_DESKTOP_DATA_DIR)")
    parser.add_argument("--tz", metavar="ZONE", help="IANA time zone (default: the system's)")
    parser.add_argument(
        "--preset", metavar="NAME", help="industry preset: healthcare, fintech, saas"
    )


def _probe(argv: Sequence[str]) -> tuple[str | None, bool]:
    """The command word of `argv` and whether the probe understood all of the line."""
    probe = _ProbeParser(prog="sec-desktop", add_help=False)
    _add_global_options(probe)
    probe.add_argument("command", nargs="?")
    try:
        known, unknown = probe.parse_known_args(list(argv))
    except _NotParsed:
        return None, False
    command: str | None = known.command
    return command, not unknown


def command_word(argv: Sequence[str]) -> str | None:
    """The command `argv` names, found as the full parser finds it (after the global options
    and their values, abbreviated or not); None when there is none or the line does not
    parse, which the full parser then reports."""
    return _probe(argv)[0]


def build_parser(
    command: str | None = None, *, app_commands_only: bool = False
) -> argparse.ArgumentParser:
    """The whole command line, or with `command` only that command's module (if listed), or
    with `app_commands_only` only the tray app's commands."""
    parser = argparse.ArgumentParser(
        prog="sec-desktop",
        description=f"{APP_NAME}: where your time goes, against the SEC framework.",
        epilog="Times are local YYYY-MM-DDTHH:MM (or HH:MM for today) unless an offset is "
        "given; dates are YYYY-MM-DD and inclusive.",
    )
    _add_global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    own_module = MODULE_OF_COMMAND.get(command) if command is not None else None
    if app_commands_only:
        own_module = APP_COMMANDS_MODULE
    for module_name in COMMAND_MODULES if own_module is None else (own_module,):
        importlib.import_module(module_name).register(sub)
    return parser


def _data_dir(cli_value: str | None, env: Mapping[str, str], config_dir: Path) -> Path:
    """--data-dir, else $SEC_DESKTOP_DATA_DIR, else the folder chosen in the settings, else
    the platform's: the command line and the app always agree on where entries are."""
    if not cli_value and not env.get(DATA_DIR_ENV):
        from sec_desktop.settings import configured_data_dir

        chosen = configured_data_dir(config_dir)
        if chosen is not None:
            return chosen
    return resolve_data_dir(cli_value, env)


def _is_store_error(exc: Exception) -> bool:
    """Whether `exc` is the store's StoreError, told without importing the store: a command
    that never loaded it cannot have raised one."""
    store = sys.modules.get("sec_desktop.store.store")
    return store is not None and isinstance(exc, store.StoreError)


def _write_crash_log(config_dir: Path) -> Path | None:
    import traceback  # only here: a command that does not fail never loads it

    try:
        log_dir = config_dir / "logs"
        ensure_private_dir(log_dir)
        path = log_dir / "error.log"
        ensure_private_file(path)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {utc_now().isoformat()}\n{traceback.format_exc()}\n")
    except OSError:
        return None
    return path


def main(
    argv: Sequence[str] | None = None,
    *,
    now: Callable[[], datetime] | None = None,
    env: Mapping[str, str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run one command; returns the exit code. `now`, `env`, `out`, `err` are for tests."""
    env = os.environ if env is None else env
    out = out or sys.stdout
    err = err or sys.stderr
    command, understood = _probe(sys.argv[1:] if argv is None else argv)
    # Global options alone (no --help, nothing unknown): the tray app's start.
    starts_app = command is None and understood and DEFAULT_COMMAND is not None
    parser = build_parser(command, app_commands_only=starts_app)
    args = parser.parse_args(argv)
    if args.self_test:
        from sec_desktop.cli.gui import self_test

        return self_test(env, out, err)
    if args.command is None and DEFAULT_COMMAND is not None:
        # `sec-desktop` alone (global options allowed) starts the tray app.
        args = parser.parse_args([*(sys.argv[1:] if argv is None else argv), DEFAULT_COMMAND])
    if not getattr(args, "handler", None):
        parser.print_help(out)
        return EXIT_OK
    config_dir = resolve_config_dir(env)
    ctx: Context | None = None
    try:
        tz = zone_named(args.tz)
        data_dir = _data_dir(args.data_dir, env, config_dir)
        # Its path names the backup and cache files, which are kept as UTF-8 text.
        utf8_text(str(data_dir), "the data folder's path", "choose a folder with a UTF-8 name")
        ctx = Context(
            data_dir=data_dir,
            config_dir=config_dir,
            tz=tz,
            now=(now or utc_now)(),
            preset=args.preset,
            out=out,
            err=err,
            # `import` undoes a killed import itself, and not at all with --dry-run.
            undo_unfinished_import=args.command != "import",
        )
        code: int = args.handler(ctx, args)
    except (CliError, TimeInputError, PeriodError) as exc:
        code = exc.code if isinstance(exc, CliError) else EXIT_BAD_INPUT
        err.write(f"sec-desktop: {exc}.\n")
    except OSError as exc:
        code = EXIT_FAILURE
        where = f" ({exc.filename})" if exc.filename else ""
        err.write(f"sec-desktop: a file operation failed{where}: {exc.strerror or exc}.\n")
    except Exception as exc:  # noqa: BLE001 - the last line of defence prints one sentence
        code = EXIT_FAILURE
        if _is_store_error(exc):
            err.write(f"sec-desktop: nothing was changed: {exc}.\n")
        else:
            log_path = _write_crash_log(config_dir)
            where = f"; details are in {log_path}" if log_path else ""
            err.write(f"sec-desktop: unexpected error: {exc}{where}.\n")
    finally:
        if ctx is not None:
            ctx.close()
    return code
