"""Which shard files hold which entry ids, so that finding one entry reads only its files.

An edit needs the newest version of one entry, wherever it is: in any month of any device's
folder. Without an index that means parsing every shard, over a second for ten years of
entries. The index maps each shard file to the ids in it, tagged with the file's signature
(inode, size, modification time): a file whose signature changed since it was indexed is read
again, and a file that couldn't be read is always searched, so a lookup never misses a
version that the full scan would have found.

The index is kept in a cache file outside the data folder (it is derived data and must not
travel with a synced folder). A missing, stale or damaged cache only costs a re-read.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from pathlib import Path

import orjson

from sec_desktop.store.atomic import atomic_write_bytes, ensure_private_dir
from sec_desktop.store.storage import file_signature

Signature = tuple[int, int, int]
# What reading one shard gives the index: the signature of the version read (None when it
# could not be read) and the ids in it.
IdReader = Callable[[Path], tuple[Signature | None, frozenset[str]]]

CACHE_FORMAT = 1
# Save after this many files were (re)indexed: a first build pays off at the next start,
# while a single save's changed month doesn't rewrite the whole cache each time.
SAVE_AFTER_REINDEXED = 8


class IdIndex:
    def __init__(self, data_dir: Path, cache_path: Path | None = None) -> None:
        self._data_dir = data_dir
        self._cache_path = cache_path
        self._files: dict[Path, tuple[Signature, frozenset[str]]] | None = None
        self._unsaved = 0

    def _load(self) -> dict[Path, tuple[Signature, frozenset[str]]]:
        if self._cache_path is None:
            return {}
        try:
            doc = orjson.loads(self._cache_path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return {}
        if (
            not isinstance(doc, dict)
            or doc.get("format") != CACHE_FORMAT
            or doc.get("data_dir") != str(self._data_dir)
            or not isinstance(doc.get("files"), dict)
        ):
            return {}
        files: dict[Path, tuple[Signature, frozenset[str]]] = {}
        for relative, value in doc["files"].items():
            try:
                inode, size, mtime_ns, ids = value
                signature = (int(inode), int(size), int(mtime_ns))
                files[self._data_dir / relative] = (signature, frozenset(map(str, ids)))
            except (TypeError, ValueError):
                continue  # one damaged record: that file is simply read again
        return files

    def candidates(self, entry_id: str, shard_paths: Iterable[Path], read: IdReader) -> list[Path]:
        """The shard files that may hold `entry_id`, in the order given."""
        known = self._files if self._files is not None else self._load()
        current: dict[Path, tuple[Signature, frozenset[str]]] = {}
        found: list[Path] = []
        for path in shard_paths:
            signature = file_signature(path)
            if signature is None:
                continue  # gone since it was listed
            record = known.get(path)
            if record is None or record[0] != signature:
                self._unsaved += 1
                read_signature, ids = read(path)
                if read_signature is None:
                    found.append(path)  # unreadable now: search it, index it next time
                    continue
                record = (read_signature, ids)
            current[path] = record
            if entry_id in record[1]:
                found.append(path)
        if known.keys() - current.keys():
            self._unsaved += 1
        self._files = current
        if self._unsaved >= SAVE_AFTER_REINDEXED:
            self.save()
        return found

    def save(self) -> None:
        """Write the cache if anything changed; a cache that can't be written is skipped."""
        if self._cache_path is None or self._files is None or not self._unsaved:
            return
        files = {}
        for path, (signature, ids) in self._files.items():
            with contextlib.suppress(ValueError):
                files[path.relative_to(self._data_dir).as_posix()] = [*signature, sorted(ids)]
        doc = {"format": CACHE_FORMAT, "data_dir": str(self._data_dir), "files": files}
        try:
            ensure_private_dir(self._cache_path.parent)
            atomic_write_bytes(self._cache_path, orjson.dumps(doc))
        except OSError:
            return
        self._unsaved = 0
