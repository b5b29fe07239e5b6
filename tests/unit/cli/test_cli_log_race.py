"""Several `log` processes booking the same slots at once: each slot is booked once.

The overlap check and the save happen under one lock; checked apart, two processes could
both find a slot free and both book it.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

from sec_desktop.store import EntryStore, device_id
from tests.helpers.processes import run_together

PROCESSES = 4
SLOTS = 24
LOGGER = """
import io, sys
from datetime import UTC, datetime, timedelta
from sec_desktop.cli.main import main

count = int(sys.argv[1])
now = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
sys.stdin.readline()  # start together: every process waits for the go line
codes = []
for slot in range(count):
    start = datetime(2026, 11, 23, 8, tzinfo=UTC) + timedelta(minutes=5 * slot)
    out, err = io.StringIO(), io.StringIO()
    codes.append(main(["--tz", "UTC", "log", "okr", "--start", start.isoformat(),
                       "--minutes", "5"], now=lambda: now, out=out, err=err))
    assert "Traceback" not in err.getvalue(), err.getvalue()
print(" ".join(map(str, codes)), flush=True)
"""


def test_parallel_logs_of_the_same_slots_store_no_overlaps(
    tmp_path: Path, isolated_dirs: dict[str, Path]
) -> None:
    script = tmp_path / "logger.py"
    script.write_text(LOGGER)
    device = device_id(isolated_dirs["config"])  # minted once, before the race
    returncodes, outputs = run_together([[sys.executable, str(script), str(SLOTS)]] * PROCESSES)
    assert returncodes == [0] * PROCESSES, outputs
    codes = [int(code) for output in outputs for code in output.split()]
    # Each slot was accepted once and refused (exit 2, "overlaps") everywhere else.
    assert codes.count(0) == SLOTS, outputs
    assert codes.count(2) == SLOTS * (PROCESSES - 1), outputs
    entries = EntryStore(isolated_dirs["data"], device).entries()
    assert len(entries) == SLOTS
    for earlier, later in pairwise(entries):
        assert earlier.end <= later.start, (earlier, later)
    assert {e.end - e.start for e in entries} == {timedelta(minutes=5)}
