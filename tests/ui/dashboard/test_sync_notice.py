"""The dashboard says when two devices counted the same time, or an edit lost to another's."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sec_desktop.store import Entry, EntryStore
from tests.ui.dashboard.conftest import NOW


def test_time_counted_on_two_devices_is_flagged_with_a_count(
    make_window: Any, filled_store: EntryStore, isolated_dirs: dict[str, Path], tmp_path: Path
) -> None:
    window = make_window()
    assert "count the same time" not in window.statusBar().currentMessage()
    mine = filled_store.entries(NOW - timedelta(days=3), NOW)[-1]
    # The same time, logged on a tablet before the two synced.
    tablet = EntryStore(isolated_dirs["data"], "tablet-abcdef", clock=lambda: NOW)
    tablet.add(
        Entry.new(
            start=mine.start,
            end=mine.end,
            tz=mine.tz,
            activity=mine.activity,
            source="manual",
            device="tablet-abcdef",
            now=NOW,
        )
    )
    window.refresh()
    window._recompute()  # noqa: SLF001 - at once, not on the next event loop turn
    message = window.statusBar().currentMessage()
    assert "1 pair of entries from different devices count the same time" in message
    window.resize(1100, 700)
    window.grab().save(str(tmp_path / "sync-notice.png"))  # looked at by hand
