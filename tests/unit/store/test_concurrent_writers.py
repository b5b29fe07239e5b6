"""Two processes of one device (the tray app and the command line) writing at the same time."""

from __future__ import annotations

import sys
from pathlib import Path

from sec_desktop.store import EntryStore
from tests.helpers.processes import run_together

WRITES_PER_PROCESS = 60
WRITER = """
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from sec_desktop.store import Entry, EntryStore

data, tag, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
store = EntryStore(data, "shared-dev")
sys.stdin.readline()  # start together: both processes wait for the go line
base = datetime(2026, 3, 10, 8, tzinfo=UTC)
for i in range(count):
    start = base + timedelta(minutes=i)
    store.add(Entry.new(start=start, end=start + timedelta(minutes=1), tz="UTC",
                        activity="culture", source="manual", device="shared-dev", note=tag))
print("done", flush=True)
"""


def test_two_processes_of_one_device_lose_no_writes(tmp_path: Path) -> None:
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    data = tmp_path / "data"
    returncodes, outputs = run_together(
        [
            [sys.executable, str(script), str(data), tag, str(WRITES_PER_PROCESS)]
            for tag in ("tray", "cli")
        ]
    )
    assert returncodes == [0, 0]
    assert outputs == ["done\n", "done\n"]
    store = EntryStore(data, "shared-dev")
    notes = [e.note for e in store.entries()]
    # Every save of both processes landed in the one shared month file.
    assert notes.count("tray") == WRITES_PER_PROCESS
    assert notes.count("cli") == WRITES_PER_PROCESS
    assert store.problems == []
    assert [p.name for p in (data / "entries" / "shared-dev").glob("*.json")] == ["2026-03.json"]
