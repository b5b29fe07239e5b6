"""Per-device logs of entries whose versions lie in more than one month file.

An entry is stored in the month file of its start. Move its times to another month on one
device, and the other devices' versions stay in their old month's files until they edit it
themselves. A read of one period looks only at that period's files, so without help it would
count the entry in its old month (the old version found, the new one not) and not merge the
new month's version with its older siblings. Each device therefore lists, in
`entries/<device>/moves.json`, every id it moved and the months involved; a read that meets
such an id in its months also reads the other months listed for it, in every device's
folder. The logs are small (only moved ids) and read once per change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import orjson

from sec_desktop.store.atomic import atomic_write_bytes, set_aside_unreadable
from sec_desktop.store.storage import file_signature

MOVES_FILE = "moves.json"
MOVES_FORMAT = "sec-desktop/moves"
MOVES_VERSION = 1


class MovesLog:
    """The union of every device's moves log, and this device's own to add to."""

    def __init__(self, entries_root: Path, device_id: str) -> None:
        self._root = entries_root
        self._own = entries_root / device_id / MOVES_FILE
        self._cache: dict[Path, tuple[tuple[int, int, int], dict[str, frozenset[str]]]] = {}
        # Files that could not be read: path -> why, for the store to report.
        self.problems: dict[Path, str] = {}

    def _read(self, path: Path) -> dict[str, frozenset[str]]:
        signature = file_signature(path)
        if signature is None:
            self._cache.pop(path, None)
            return {}
        cached = self._cache.get(path)
        if cached is not None and cached[0] == signature:
            return cached[1]
        try:
            doc = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError) as exc:
            self.problems[path] = f"it can't be read ({exc})"
            return {}
        moves = doc.get("moves") if isinstance(doc, dict) else None
        if (
            not isinstance(doc, dict)
            or doc.get("format") != MOVES_FORMAT
            or not isinstance(moves, dict)
        ):
            self.problems[path] = "it is not an SEC Desktop moves log"
            return {}
        parsed = {
            str(entry_id): frozenset(m for m in months if isinstance(m, str))
            for entry_id, months in moves.items()
            if isinstance(months, list)
        }
        self.problems.pop(path, None)
        self._cache[path] = (signature, parsed)
        return parsed

    def months(self, device_dirs: Iterable[Path]) -> dict[str, frozenset[str]]:
        """Every moved id and all the months its versions may lie in, over all devices."""
        union: dict[str, frozenset[str]] = {}
        for folder in device_dirs:
            for entry_id, months in self._read(folder / MOVES_FILE).items():
                union[entry_id] = union.get(entry_id, frozenset()) | months
        return union

    def record(self, moved: Mapping[str, Iterable[str]]) -> None:
        """Add ids and their months to this device's log; call under the write lock, before
        the move is written (a move logged but not made costs a read, never an entry)."""
        if not moved:
            return
        own = {k: set(v) for k, v in self._read(self._own).items()}
        if self._own in self.problems:
            # Never written over: what it holds may be read back by hand.
            set_aside_unreadable(self._own)
            self.problems.pop(self._own)
        before = {k: frozenset(v) for k, v in own.items()}
        for entry_id, months in moved.items():
            own.setdefault(entry_id, set()).update(months)
        if {k: frozenset(v) for k, v in own.items()} == before:
            return
        doc = {
            "format": MOVES_FORMAT,
            "version": MOVES_VERSION,
            "moves": {k: sorted(v) for k, v in sorted(own.items())},
        }
        atomic_write_bytes(self._own, orjson.dumps(doc))
