"""Files the store set aside as unreadable (`quarantine/<original path>.<stamp>`), and whether
their entries were restored since (a marker beside the file says so)."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sec_desktop.store.store import QUARANTINE_DIR
from sec_desktop.store.sync_conflicts import MERGED_CONFLICTS_DIR

RESTORED_MARKER_SUFFIX = ".restored.json"
_QUARANTINED = re.compile(r"^(?P<original>.+)\.(?P<stamp>\d{8}T\d{6,12}Z)(?:-\d+)?$")
_QUARANTINE_STAMP = "%Y%m%dT%H%M%S%fZ"


@dataclass(frozen=True)
class QuarantinedFile:
    path: Path
    original: str  # relative to the data folder, with forward slashes
    moved_at: datetime | None

    @property
    def marker(self) -> Path:
        return self.path.with_name(self.path.name + RESTORED_MARKER_SUFFIX)

    @property
    def restored(self) -> bool:
        return self.marker.exists()


def quarantined_files(data_dir: Path) -> list[QuarantinedFile]:
    """Files the store set aside as unreadable (not the merged conflict copies, not markers)."""
    root = data_dir / QUARANTINE_DIR
    if not root.is_dir():
        return []
    merged = data_dir / MERGED_CONFLICTS_DIR
    found = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name.endswith(RESTORED_MARKER_SUFFIX):
            continue
        if merged in path.parents:
            continue
        match = _QUARANTINED.match(path.name)
        original_name = match.group("original") if match else path.name
        moved_at = None
        if match:
            with contextlib.suppress(ValueError):
                stamp = match.group("stamp")
                moved_at = datetime.strptime(stamp, _QUARANTINE_STAMP).replace(tzinfo=UTC)
        relative_parent = path.parent.relative_to(root)
        found.append(QuarantinedFile(path, (relative_parent / original_name).as_posix(), moved_at))
    return found
