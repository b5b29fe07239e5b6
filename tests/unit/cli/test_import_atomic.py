"""An import killed part-way is all or nothing: the next import (or a roll-back) removes what
it had written, so no partial import stays in the record."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sec_desktop.interop import roll_back_unfinished_import
from sec_desktop.store import EntryStore
from tests.helpers.ids import CUSTOMER

from .conftest import NOW

MONTHS = 6
REPO = Path(__file__).resolve().parents[3]
# Imports the file, and SIGKILLs itself right after the store wrote its KILL_AFTER-th month
# file: a crash between two month files (others may be written at the same moment).
CHILD = """
import os, signal, sys, threading
from datetime import datetime
from sec_desktop.cli.main import main
from sec_desktop.store.storage import AtomicJSONStorage

kill_after = int(sys.argv[1])
real_write = AtomicJSONStorage.write
calls = [0]
counting = threading.Lock()

def write(self, data):
    real_write(self, data)
    with counting:
        calls[0] += 1
        if calls[0] == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)

AtomicJSONStorage.write = write
now = datetime.fromisoformat(sys.argv[2])
sys.exit(main(["--tz", "Europe/Berlin", *sys.argv[3:]], now=lambda: now))
"""


def _months_file(tmp_path: Path) -> Path:
    rows = [
        f"Board,deck,2026-{month:02d}-0{day},09:00:00,1:00:00"
        for month in range(1, MONTHS + 1)
        for day in (2, 3)
    ]
    path = tmp_path / "months.csv"
    path.write_text("Project,Description,Start date,Start time,Duration\n" + "\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize("kill_after", [1, MONTHS // 2, MONTHS])
def test_a_killed_import_is_rolled_back_then_imported_whole(
    cli, stored, device, isolated_dirs, kill_after: int
) -> None:
    source = _months_file(isolated_dirs["home"])
    args = ["import", str(source), "--from", "toggl", "--default", CUSTOMER]
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(kill_after), NOW.isoformat(), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO,
    )
    assert child.returncode == -9, child.stderr
    # The kill landed mid-import: some months are on disk (the audit's partial imports).
    written = len(stored())
    assert 2 * kill_after <= written <= 2 * MONTHS

    dry = cli(*args, "--dry-run")
    assert "an earlier import was interrupted" in dry.err
    # Planned as after the roll-back: the written part is neither "already imported" nor lost.
    assert f"would add: {2 * MONTHS} entries" in dry.out
    assert len(stored()) == written  # a dry run writes nothing, not even the roll-back

    store = EntryStore(isolated_dirs["data"], device)
    try:
        assert roll_back_unfinished_import(store) == written
        assert roll_back_unfinished_import(store) == 0
    finally:
        store.close()
    assert stored() == []  # nothing, not a part

    again = cli(*args)
    assert again.code == 0, again.err
    assert len(stored()) == 2 * MONTHS
    assert len({e.id for e in stored()}) == 2 * MONTHS


def test_the_next_import_rolls_back_an_unfinished_one_first(cli, stored, tmp_path) -> None:
    source = _months_file(tmp_path)
    args = ["import", str(source), "--from", "toggl", "--default", CUSTOMER]
    child = subprocess.run(
        [sys.executable, "-c", CHILD, "2", NOW.isoformat(), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO,
    )
    assert child.returncode == -9, child.stderr
    assert 4 <= len(stored()) < 2 * MONTHS
    again = cli(*args)
    assert again.code == 0, again.err
    assert "rolled back" in again.err
    entries = stored()
    assert len(entries) == 2 * MONTHS
    assert len({e.id for e in entries}) == 2 * MONTHS
