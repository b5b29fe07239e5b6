"""A report imports what it needs and nothing else, so the command line starts fast.

A fresh interpreter runs `sec-desktop report` on a data folder with entries and lists what it
loaded; modules a report does not use (the other commands, the importers, the
keychain and the notes crypto, the activity search, the file locks of a write, Qt) must not be
among them. The table that maps a command word to its module is checked against what each
module registers, so a command never lands in the wrong module.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sec_desktop.cli.main import (
    COMMAND_MODULES,
    MODULE_OF_COMMAND,
    build_parser,
    command_word,
    main,
)
from sec_desktop.store import Entry, EntryStore
from tests.helpers.ids import INCIDENT, OKR
from tests.helpers.imports import modules_loaded_by

# Loaded by no command that reads (prefixes: a package and everything under it).
NOT_FOR_READING = (
    "PySide6",
    "shiboken6",
    "keyring",
    "cryptography",
    "sec_desktop.store.file_lock",
    "sec_desktop.ui",
    "sec_desktop.platform",
    "sec_desktop.interop",
    "sec_desktop.privacy",
    "sec_desktop.framework.search",
    "sec_desktop.doctor",
    "sec_desktop.demo",
)
NOT_FOR_A_REPORT = (
    *NOT_FOR_READING,
    "traceback",  # for the crash log only
    "concurrent",  # the store's parallel writes (it brings logging and threading)
    "logging",
    "importlib.resources",  # the framework files are read from the package folder
    "zipfile",
    "csv",  # for `--format csv` only
    "_csv",
    "sec_desktop.framework.vocabulary",
    *(m for m in COMMAND_MODULES if m != "sec_desktop.cli.report"),
)
# `--help` lists every command but runs none: no analytics, no settings.
NOT_FOR_HELP = (
    *NOT_FOR_READING,
    "sec_desktop.analytics.allocation",
    "sec_desktop.analytics.dashboard",
    "sec_desktop.settings",
    "sec_desktop.workspace",
)


def loaded_by_main(argv: list[str], prefixes: tuple[str, ...]) -> list[str]:
    """The modules under `prefixes` a fresh interpreter has loaded after `main(argv)`."""
    return modules_loaded_by(
        "import contextlib, io",
        "from sec_desktop.cli.main import main",
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):",
        f"    assert main({argv!r}) == 0",
        prefixes=prefixes,
    )


@pytest.fixture
def data_dir(isolated_dirs: dict[str, Path]) -> Path:
    """Entries, one with a note, in the isolated data folder (the subprocess inherits it)."""
    store = EntryStore(isolated_dirs["data"], "laptop-1")
    start = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    store.add_many(
        Entry.new(
            start=start + timedelta(hours=i),
            end=start + timedelta(hours=i, minutes=45),
            tz="Europe/Berlin",
            activity=(OKR, INCIDENT)[i % 2],
            source="manual",
            device="laptop-1",
            note="board prep" if i == 0 else None,
            now=start,
        )
        for i in range(6)
    )
    store.close()
    return isolated_dirs["data"]


@pytest.mark.parametrize(
    ("fmt", "needed"),
    [
        ("table", []),
        ("json", []),
        # The CSV cells go through the exports' formula guard, and nothing else of interop.
        ("csv", ["_csv", "csv", "sec_desktop.interop", "sec_desktop.interop.exports"]),
    ],
)
def test_a_report_imports_only_what_it_needs(data_dir: Path, fmt: str, needed: list[str]) -> None:
    argv = ["--tz", "Europe/Berlin", "report", "--from", "2026-11-23", "--format", fmt]
    modules = loaded_by_main(argv, ("sec_desktop.analytics.dashboard", *NOT_FOR_A_REPORT))
    # It computed the dashboard's numbers, and loaded nothing it does not need.
    assert modules == sorted(["sec_desktop.analytics.dashboard", *needed])


def test_a_later_report_loads_no_openssl_and_no_notes_crypto(data_dir: Path) -> None:
    """The first run makes this machine's device id (secrets, which loads hashlib) and the
    month summaries (reading entries, notes too). A report after it reads the summaries only:
    no notes codec, and its digests come from hashlib's own modules, without OpenSSL's."""
    argv = ["--tz", "Europe/Berlin", "report", "--from", "2026-11-23"]
    loaded_by_main(argv, ("hashlib",))
    modules = loaded_by_main(
        argv,
        (
            "sec_desktop.analytics.dashboard",
            "hashlib",
            "_hashlib",
            "sec_desktop.store.notes_crypto",
        ),
    )
    assert modules == ["sec_desktop.analytics.dashboard"]


def test_help_imports_no_store_or_analytics(data_dir: Path) -> None:
    modules = loaded_by_main(["--help"], ("sec_desktop.cli.report", *NOT_FOR_HELP))
    # It listed the commands, the tray app's too (their words are plain data), and no more.
    assert modules == [
        "sec_desktop.cli.report",
        "sec_desktop.platform",
        "sec_desktop.platform.ipc_commands",
    ]


def test_each_listed_command_is_registered_by_its_module() -> None:
    registered: dict[str, str] = {}
    for module_name in COMMAND_MODULES:
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(module_name).register(sub)
        registered.update(dict.fromkeys(sub.choices, module_name))
    for word, module_name in MODULE_OF_COMMAND.items():
        assert registered.get(word) == module_name, word


@pytest.mark.parametrize(
    ("argv", "word"),
    [
        (["report", "--period", "week"], "report"),
        (["--tz", "Europe/Berlin", "report"], "report"),
        (["--tz=Europe/Berlin", "--data-dir", "report", "export"], "export"),  # a folder "report"
        (["--da", "x", "--pre", "saas", "log", "okr"], "log"),  # abbreviated options
        (["--self-test"], None),
        (["--version", "report"], None),  # the full parser prints the version, once
        ([], None),
        (["--tz"], None),  # does not parse: the full parser says why
    ],
)
def test_the_command_word_is_found_as_the_parser_finds_it(
    argv: list[str], word: str | None
) -> None:
    assert command_word(argv) == word


def test_the_version_is_printed_once(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.count("sec-desktop ") == 1


def test_a_single_command_parser_parses_as_the_whole_one() -> None:
    argv = ["--tz", "UTC", "report", "--period", "month", "--format", "json"]
    whole = build_parser().parse_args(argv)
    single = build_parser(command_word(argv)).parse_args(argv)
    assert vars(single) == vars(whole)


def test_an_unknown_command_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser(command_word(["reprot"])).parse_args(["reprot"])
    error = capsys.readouterr().err
    assert "invalid choice: 'reprot'" in error
    assert "'report'" in error and "'import'" in error


def test_help_text_is_unchanged_by_the_probe() -> None:
    """The help a user sees lists every command, as before."""
    text = build_parser(command_word(["--help"])).format_help()
    for word in (*MODULE_OF_COMMAND, "dashboard", "tray"):
        assert word in text


@pytest.mark.parametrize(
    ("argv", "command_gc", "skipped"),
    [(["report"], True, True), (["dashboard"], False, False), ([], False, False)],
)
def test_only_a_command_line_command_collects_rarely_and_skips_the_final_collection(
    argv: list[str], command_gc: bool, skipped: bool
) -> None:
    """A command-line command runs with the young generation collected rarely, and after it
    (`report`) the teardown's collection is skipped; a command that runs or asks the tray app
    (its Qt objects), or the tray's start, keeps the default collection and teardown. Each in
    a fresh interpreter, whose gc state this changes."""
    code = (
        "import gc, sys\n"
        "default = gc.get_threshold()\n"
        "from sec_desktop import __main__ as entry\n"
        "from sec_desktop.cli import main as cli\n"
        "seen = []\n"
        "# The command itself is not what this test is about: only the collection it runs with.\n"
        "cli.main = lambda argv: seen.append(gc.get_threshold()) or 0\n"
        f"sys.argv = ['sec-desktop', *{argv!r}]\n"
        "entry.main()\n"
        "print(seen[0][0] == entry.COMMAND_GC_THRESHOLD, seen[0] == default)\n"
        "print(gc.get_freeze_count() > 0 and not gc.isenabled())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == [str(command_gc), str(not command_gc), str(skipped)]


@pytest.mark.parametrize(
    "argv", [[], ["--tz", "UTC"], ["--data-dir", "/tmp/x", "--preset", "saas"]]
)
def test_the_tray_start_parses_as_the_whole_parser(argv: list[str]) -> None:
    """Global options alone start the tray app; its parser of the app's commands reads them
    as the whole one does."""
    tray = [*argv, "tray"]
    whole = build_parser().parse_args(tray)
    app_only = build_parser(app_commands_only=True).parse_args(tray)
    assert vars(app_only) == vars(whole)


def test_the_tray_start_loads_no_other_command_module() -> None:
    """The resident app's process loads the app commands' module only; the handler is stood
    in for, as starting the app is not what this test is about."""
    loaded = modules_loaded_by(
        "import sec_desktop.cli.gui as gui",
        "started = []",
        "gui.cmd_app = lambda ctx, args: started.append(args.command) or 0",
        "from sec_desktop.cli.main import main",
        "assert main(['--tz', 'UTC']) == 0",
        "assert started == ['tray'], started",
        prefixes=COMMAND_MODULES,
    )
    assert loaded == ["sec_desktop.cli.gui"]


def test_help_without_a_command_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    shown = capsys.readouterr().out
    assert "report" in shown and "import" in shown and "tray" in shown


def test_an_unknown_option_without_a_command_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["--bogus"])
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err
