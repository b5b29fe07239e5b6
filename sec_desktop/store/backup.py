"""Daily rotating backups of the data folder, each verified, the last good one always kept.

Backups live in the per-machine config folder (`<config>/backups/<data folder>-<hash>/`), not
in the data folder: a sync engine would copy every device's backups to every other device,
two devices could write the same backup name (a sync conflict), and a deletion or corruption
that the sync engine spreads would reach the backups too. A backup is one zip of the data
folder's files (not the lock, temp and quarantined files, and no symbolic link followed) with a
manifest; it is written atomically, numbered in the order backups are made (rotation follows
that number, never the clock), and it is "good" only when every entries file in it parses,
it holds every entry the store sees, and it reads back from disk as written.

Restoring never overwrites: entries of the backup that the data folder lacks entirely (no
version, no tombstone) are added back as this device's, so a restore can't undo newer edits,
and a sync can't be confused by an old file reappearing.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import orjson

from sec_desktop import __version__
from sec_desktop.store.atomic import atomic_write_bytes, ensure_private_dir, fsync_dir
from sec_desktop.store.entry import Entry, EntryError, format_utc
from sec_desktop.store.paths import DEFAULT_BACKUPS_KEPT, data_dir_key
from sec_desktop.store.quarantine import QuarantinedFile, quarantined_files
from sec_desktop.store.storage import (
    ENTRIES_TABLE,
    SCHEMA_VERSION,
    NewerFormat,
    UnreadableFile,
    parse_file_bytes,
)
from sec_desktop.store.store import ENTRIES_DIR, QUARANTINE_DIR, SHARD_NAME, EntryStore, shard_month
from sec_desktop.store.sync_conflicts import original_name

BACKUPS_DIR = "backups"
DEFAULT_KEEP = DEFAULT_BACKUPS_KEPT
BACKUP_FORMAT = "sec-desktop/backup"
BACKUP_VERSION = 1
MANIFEST_NAME = "manifest.json"
# Which checks found a backup's shards good (the app's and the entries format's versions):
# the next backup takes a shard with the same bytes as checked only when they are the same.
CHECKED_BY = f"{__version__}/{SCHEMA_VERSION}"
# `sec-desktop-<sequence>-<UTC stamp>.zip`; names without a sequence come from before it
# existed and rank below every numbered one.
_NAME = re.compile(r"^sec-desktop-(?:(?P<seq>\d{6,})-)?(?P<stamp>\d{8}T\d{6}Z)(?:-\d+)?\.zip$")
_STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
# Never part of a backup: other backups, files already set aside as unreadable.
_EXCLUDED_TOP = frozenset((BACKUPS_DIR, QUARANTINE_DIR))


class BackupError(Exception):
    """A backup that could not be made, read or restored; nothing was changed."""


@dataclass(frozen=True)
class Backup:
    """One backup zip; `problems` lists why it is not a complete, readable copy."""

    path: Path
    created: datetime
    files: int
    entries: int
    problems: tuple[str, ...] = ()
    # Why rotation keeps it beyond the newest N (filled in by `list_backups(data_dir=...)`).
    kept_for: tuple[str, ...] = ()
    # Backups rank by the order they were made in, not by `created`: a clock that was once
    # years ahead must not make an old backup look newer than today's.
    sequence: int = 0

    @property
    def good(self) -> bool:
        return not self.problems

    @property
    def name(self) -> str:
        return self.path.name


def backup_dir_for(config_dir: Path, data_dir: Path) -> Path:
    """This machine's backup folder for one data folder (each data folder gets its own)."""
    return config_dir / BACKUPS_DIR / data_dir_key(data_dir)


def _data_files(data_dir: Path) -> tuple[list[Path], list[Path]]:
    """(files a backup holds, symbolic links it skips): everything but lock, temp, hidden and
    quarantined files. Links are never followed: they may lead out of the data folder."""
    found: list[Path] = []
    links: list[Path] = []
    if not data_dir.is_dir():
        return found, links
    for root, dirs, files in os.walk(data_dir):
        here = Path(root)
        relative = here.relative_to(data_dir)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and not (relative == Path() and d in _EXCLUDED_TOP)
        )
        links.extend(here / d for d in dirs if (here / d).is_symlink())
        for name in sorted(files):
            path = here / name
            if name.startswith("."):
                continue
            if path.is_symlink():
                links.append(path)
                continue
            found.append(path)
    return found, links


def _is_shard(relative: PurePosixPath) -> bool:
    return (
        len(relative.parts) == 3
        and relative.parts[0] == ENTRIES_DIR
        and SHARD_NAME.match(relative.name) is not None
    )


def _is_entries_file(relative: PurePosixPath) -> bool:
    """A shard or a sync engine's conflict copy of one: the files the store reads entries from."""
    if len(relative.parts) != 3 or relative.parts[0] != ENTRIES_DIR:
        return False
    name = relative.name if SHARD_NAME.match(relative.name) else original_name(relative.name)
    return name is not None and SHARD_NAME.match(name) is not None


def _entry_ids(raw: bytes, label: str) -> frozenset[str]:
    """The entry ids in an entries file; none when it can't be parsed."""
    try:
        docs = parse_file_bytes(raw, Path(label)).get(ENTRIES_TABLE, {})
    except (UnreadableFile, NewerFormat):
        return frozenset()
    return frozenset(str(doc.get("id")) for doc in docs.values())


def _check_shard(raw: bytes, label: str) -> tuple[int, str | None]:
    """(entries in it, None) when a shard parses entry by entry; else (0, the reason)."""
    try:
        tables = parse_file_bytes(raw, Path(label))
    except UnreadableFile as exc:
        return 0, f"{label}: {exc.reason}"
    except NewerFormat as exc:
        return 0, f"{label}: written by a newer SEC Desktop (format {exc.version})"
    docs = tables.get(ENTRIES_TABLE, {})
    for doc in docs.values():
        try:
            Entry.from_json(doc)
        except EntryError as exc:
            return 0, f"{label}: an entry is invalid ({exc})"
    return len(docs), None


def _missing_from_backup(data_dir: Path, backed_up: Mapping[str, bytes]) -> str | None:
    """A problem when the store, reading the data folder its own way (through links too),
    sees entries the backup doesn't hold; `backed_up` maps each entries file in it to its
    bytes, read for their ids only when the store sees a file the backup lacks.
    """
    root = data_dir / ENTRIES_DIR
    seen: set[str] = set()
    short: set[str] = set()
    if root.is_dir():
        for device_dir in sorted(root.iterdir()):
            if not device_dir.is_dir():
                continue
            for path in sorted(device_dir.iterdir()):
                relative = path.relative_to(data_dir).as_posix()
                if not _is_entries_file(PurePosixPath(relative)) or relative in backed_up:
                    continue
                try:
                    ids = _entry_ids(path.read_bytes(), relative)
                except OSError:
                    continue  # unreadable or gone: already a problem, or nothing to miss
                if ids:
                    seen |= ids
                    short.add(relative)
    if not seen:
        return None
    held = set().union(*(_entry_ids(raw, name) for name, raw in backed_up.items()))
    missing = seen - held
    if not missing:
        return None
    files = ", ".join(sorted(short)[:3]) + (" and more" if len(short) > 3 else "")
    count = f"{len(missing)} {'entry' if len(missing) == 1 else 'entries'}"
    return f"{count} the data folder holds are not in it (from {files})"


def _next_sequence(backup_dir: Path) -> int:
    if not backup_dir.is_dir():
        return 1
    return 1 + max((_sequence_from_name(p) for p in backup_dir.iterdir()), default=0)


def _backup_path(backup_dir: Path, sequence: int, now: datetime) -> Path:
    stamp = now.astimezone(UTC).strftime(_STAMP_FORMAT)
    return backup_dir / f"sec-desktop-{sequence:06d}-{stamp}.zip"


# A zip member's time is a DOS date: years 1980 to 2107, even seconds. A clock outside that
# (a dead RTC battery reads 1970) must not stop backups; the manifest keeps the real reading.
_ZIP_EARLIEST = (1980, 1, 1, 0, 0, 0)
_ZIP_LATEST = (2107, 12, 31, 23, 59, 58)


def zip_date_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    """`moment` as a zip member time, clamped to the range a zip can store."""
    parts = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    return max(_ZIP_EARLIEST, min(parts, _ZIP_LATEST))


def make_backup(data_dir: Path, backup_dir: Path, now: datetime) -> Backup:
    """Zip the data folder into a new backup, verified as it is made.

    A backup of a folder with an unreadable entries file is still written (it keeps every
    readable file) but marked not good, so rotation never lets it replace a good one.
    """
    files: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    buffer = io.BytesIO()
    stamp = now.astimezone(UTC)
    date_time = zip_date_time(stamp)
    entries = 0
    sequence = _next_sequence(backup_dir)
    backed_up: dict[str, bytes] = {}
    checked_before = _shards_checked_before(backup_dir)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        data_files, links = _data_files(data_dir)
        problems.extend(_link_problems(data_dir, links))
        for path in data_files:
            relative = PurePosixPath(path.relative_to(data_dir).as_posix())
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                continue  # removed while we walked (a sync engine at work)
            except OSError as exc:
                problems.append(f"{relative}: it can't be read ({exc.strerror or exc})")
                continue
            digest = hashlib.sha256(raw).hexdigest()
            info: dict[str, Any] = {"size": len(raw), "sha256": digest}
            if _is_shard(relative):
                known = checked_before.get(digest)
                count, problem = (
                    (known, None) if known is not None else _check_shard(raw, str(relative))
                )
                info["entries"] = count
                entries += count
                if problem:
                    problems.append(problem)
            if _is_entries_file(relative):
                backed_up[str(relative)] = raw
            files[str(relative)] = info
            zinfo = zipfile.ZipInfo(str(relative), date_time=date_time)
            zinfo.compress_type = zipfile.ZIP_DEFLATED
            zinfo.external_attr = 0o600 << 16
            archive.writestr(zinfo, raw)
        missing = _missing_from_backup(data_dir, backed_up)
        if missing:
            problems.append(missing)
        manifest = {
            "format": BACKUP_FORMAT,
            "version": BACKUP_VERSION,
            "created": format_utc(stamp),
            "sequence": sequence,
            "data_dir": str(data_dir),
            "entries": entries,
            "files": files,
            "problems": problems,
            "checked_by": CHECKED_BY,
        }
        manifest_bytes = orjson.dumps(manifest, option=orjson.OPT_INDENT_2)
        archive.writestr(zipfile.ZipInfo(MANIFEST_NAME, date_time=date_time), manifest_bytes)
    ensure_private_dir(backup_dir.parent)
    ensure_private_dir(backup_dir)
    # Two processes backing up at once may pick the same number; the later write replaces
    # the earlier, a copy of the same data, and nothing is lost.
    path = _backup_path(backup_dir, sequence, stamp)
    atomic_write_bytes(path, buffer.getvalue())
    made = Backup(path, stamp, len(files), entries, tuple(problems), sequence=sequence)
    return _read_back(made, files, manifest_bytes)


def _link_problems(data_dir: Path, links: Iterable[Path]) -> list[str]:
    problems = []
    for link in links:
        relative = PurePosixPath(link.relative_to(data_dir).as_posix())
        if relative.parts[0] == ENTRIES_DIR:
            problems.append(
                f"{relative} is a symbolic link, which backups don't follow; the entries "
                "behind it are not in this backup (replace it with a real folder or file)"
            )
    return problems


def _read_back(made: Backup, files: Mapping[str, Mapping[str, Any]], manifest: bytes) -> Backup:
    """The backup just written, read back from disk: only called good once known to be.

    Every member must decompress (its CRC-32 checked) to exactly the bytes hashed, and the
    shards among them checked entry by entry, as the backup was made: the same hashes mean
    the same bytes, so they are not parsed a second time.
    """
    problems: list[str] = []
    try:
        with zipfile.ZipFile(made.path) as archive:
            names = set(archive.namelist())
            if names != {*files, MANIFEST_NAME}:
                problems.append("its files are not the ones written")
            elif archive.read(MANIFEST_NAME) != manifest:
                problems.append("its manifest is not the one written")
            else:
                problems.extend(
                    f"{name}: its content does not match the manifest"
                    for name, info in files.items()
                    if hashlib.sha256(archive.read(name)).hexdigest() != info["sha256"]
                )
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        problems.append(f"the zip can't be read ({exc})")
    if problems:
        made.path.unlink(missing_ok=True)
        raise BackupError(
            f"the backup written to {made.path} did not read back as written "
            f"({'; '.join(problems)}); it was removed, and older backups were kept"
        )
    return made


def _shards_checked_before(backup_dir: Path) -> dict[str, int]:
    """sha256 -> entries of each shard the newest good backup checked and found good: a
    shard with the same bytes needs no second check. Empty when that backup was checked by
    another version of the app, whose checks may differ."""
    newest = newest_good(list_backups(backup_dir))
    if newest is None:
        return {}
    try:
        with zipfile.ZipFile(newest.path) as archive:
            manifest = orjson.loads(archive.read(MANIFEST_NAME))
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, orjson.JSONDecodeError):
        return {}
    if not isinstance(manifest, dict) or manifest.get("checked_by") != CHECKED_BY:
        return {}
    listed = manifest.get("files")
    found: dict[str, int] = {}
    for name, info in listed.items() if isinstance(listed, dict) else ():
        if _is_shard(PurePosixPath(name)) and isinstance(info, dict):
            digest, count = info.get("sha256"), info.get("entries")
            if isinstance(digest, str) and type(count) is int:
                found[digest] = count
    return found


def _created_from_name(path: Path) -> datetime | None:
    match = _NAME.match(path.name)
    if not match:
        return None
    return datetime.strptime(match.group("stamp"), _STAMP_FORMAT).replace(tzinfo=UTC)


def _sequence_from_name(path: Path) -> int:
    """The backup's number in the order backups were made; 0 for one named before numbers."""
    match = _NAME.match(path.name)
    return int(match.group("seq")) if match and match.group("seq") else 0


def verify_backup(path: Path) -> Backup:
    """Re-read a backup: the zip's checksums, the manifest, and every entries file in it."""
    created = _created_from_name(path) or datetime.fromtimestamp(path.stat().st_mtime, UTC)
    problems: list[str] = []
    entries = 0
    files = 0
    try:
        with zipfile.ZipFile(path) as archive:
            broken = archive.testzip()
            if broken is not None:
                return Backup(path, created, 0, 0, (f"{broken}: its checksum does not match",))
            try:
                manifest = orjson.loads(archive.read(MANIFEST_NAME))
            except (KeyError, orjson.JSONDecodeError):
                return Backup(path, created, 0, 0, ("its manifest is missing or unreadable",))
            if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
                return Backup(path, created, 0, 0, ("it is not an SEC Desktop backup",))
            listed = manifest.get("files")
            if not isinstance(listed, dict):
                return Backup(path, created, 0, 0, ("its manifest lists no files",))
            problems.extend(str(p) for p in manifest.get("problems", []) or [])
            for name, info in listed.items():
                files += 1
                try:
                    raw = archive.read(name)
                except KeyError:
                    problems.append(f"{name}: listed in the manifest but missing")
                    continue
                expected = info.get("sha256") if isinstance(info, dict) else None
                if hashlib.sha256(raw).hexdigest() != expected:
                    problems.append(f"{name}: its content does not match the manifest")
                    continue
                if _is_shard(PurePosixPath(name)):
                    count, problem = _check_shard(raw, name)
                    entries += count
                    if problem and problem not in problems:
                        problems.append(problem)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        return Backup(path, created, 0, 0, (f"the zip can't be read ({exc})",))
    return Backup(path, created, files, entries, tuple(problems))


def _manifest_summary(path: Path) -> Backup:
    """A backup as its manifest describes it (cheap: no checksums, no parsing)."""
    created = _created_from_name(path) or datetime.fromtimestamp(path.stat().st_mtime, UTC)
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = orjson.loads(archive.read(MANIFEST_NAME))
        files = manifest["files"]
        return Backup(
            path,
            created,
            len(files),
            int(manifest.get("entries", 0)),
            tuple(str(p) for p in manifest.get("problems", []) or []),
        )
    except (zipfile.BadZipFile, KeyError, TypeError, ValueError, OSError, EOFError) as exc:
        return Backup(path, created, 0, 0, (f"it can't be read ({exc})",))


def list_backups(
    backup_dir: Path, *, verify: bool = False, data_dir: Path | None = None
) -> list[Backup]:
    """Backups in `backup_dir`, newest first; `verify` re-reads each one fully. With
    `data_dir`, each backup rotation must keep says why in `kept_for`."""
    if not backup_dir.is_dir():
        return []
    paths = [p for p in backup_dir.iterdir() if p.is_file() and _NAME.match(p.name)]
    found = [verify_backup(p) if verify else _manifest_summary(p) for p in paths]
    found = [replace(b, sequence=_sequence_from_name(b.path)) for b in found]
    found.sort(key=lambda b: (b.sequence, b.created, b.name), reverse=True)
    if data_dir is not None:
        kept = kept_for_quarantine(data_dir, found)
        found = [replace(b, kept_for=tuple(kept.get(b.path, ()))) for b in found]
    return found


def backup_for_quarantined(backups: Iterable[Backup], item: QuarantinedFile) -> Backup | None:
    """The newest good backup made before the file was set aside that holds its original."""
    for backup in backups:
        if not backup.good:
            continue
        if item.moved_at is not None and backup.created > item.moved_at:
            continue
        if backup_shards(backup.path, {item.original}):
            return backup
    return None


def kept_for_quarantine(data_dir: Path, backups: Sequence[Backup]) -> dict[Path, list[str]]:
    """Backups holding the only good copy of a file set aside as unreadable whose entries
    were not restored yet, with the reason; rotation must never remove them."""
    kept: dict[Path, list[str]] = {}
    for item in quarantined_files(data_dir):
        if item.restored:
            continue
        backup = backup_for_quarantined(backups, item)
        if backup is not None:
            kept.setdefault(backup.path, []).append(
                f"holds the only good copy of {item.original}, which was set aside as unreadable; "
                "kept until `sec-desktop doctor --repair` restores its entries"
            )
    return kept


def newest_good(backups: Iterable[Backup]) -> Backup | None:
    return next((b for b in backups if b.good), None)


def rotate(
    backup_dir: Path, keep: int = DEFAULT_KEEP, *, data_dir: Path, fresh: Backup | None = None
) -> list[Path]:
    """Remove backups beyond the newest `keep`, but never the newest good one, nor one that
    holds the only good copy of a file of `data_dir` set aside as unreadable.

    The backup that makes an older one redundant is re-verified first; if it no longer
    reads, it doesn't count as good and the next good one is kept instead. `fresh` is one
    `make_backup` just made and read back: it is not read a second time.
    """
    if keep < 1:
        raise BackupError(f"keep must be at least 1 (got {keep})")
    backups = list_backups(backup_dir)
    keep_paths = {b.path for b in backups[:keep]}
    good: Backup | None = None
    for candidate in (b for b in backups if b.good):
        if fresh is not None and fresh.good and candidate.path == fresh.path:
            checked = fresh
        else:
            checked = verify_backup(candidate.path)
        if checked.good:
            good = checked
            break
    if good is not None:
        keep_paths.add(good.path)
    keep_paths.update(kept_for_quarantine(data_dir, backups))
    removed = []
    for backup in backups:
        if backup.path in keep_paths:
            continue
        # Older than the retained good one, or a bad one: safe to drop.
        backup.path.unlink(missing_ok=True)
        removed.append(backup.path)
    return removed


def backup_is_due(backup_dir: Path, now: datetime) -> bool:
    """Once a day (UTC): due unless the last backup made was made today.

    A last backup dated on another day, earlier or later (a clock that was wrong then, or is
    wrong now), doesn't stop today's: the worst a clock going back and forth costs is one
    extra backup.
    """
    backups = list_backups(backup_dir)
    if not backups:
        return True
    return backups[0].created.astimezone(UTC).date() != now.astimezone(UTC).date()


def backup_if_due(
    data_dir: Path, backup_dir: Path, now: datetime, keep: int = DEFAULT_KEEP
) -> Backup | None:
    """The daily backup: make one and rotate if none was made today; None when not due."""
    if not backup_is_due(backup_dir, now):
        return None
    backup = make_backup(data_dir, backup_dir, now)
    rotate(backup_dir, keep, data_dir=data_dir, fresh=backup)
    return backup


# Restoring ---------------------------------------------------------------------------------


@dataclass
class RestorePlan:
    """Entries of a backup that the data folder has lost: no version of them is left."""

    backup: Backup
    entries: list[Entry] = field(default_factory=list)
    per_file: dict[str, int] = field(default_factory=dict)
    present: int = 0
    unreadable: list[str] = field(default_factory=list)


def backup_shards(path: Path, only: set[str] | None = None) -> dict[str, list[Entry]]:
    """The entries of each readable entries file in a backup (relative path -> entries)."""
    out: dict[str, list[Entry]] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if not _is_shard(PurePosixPath(name)) or (only is not None and name not in only):
                    continue
                raw = archive.read(name)
                try:
                    tables = parse_file_bytes(raw, Path(name))
                    out[name] = [Entry.from_json(d) for d in tables.get(ENTRIES_TABLE, {}).values()]
                except (UnreadableFile, NewerFormat, EntryError):
                    continue
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise BackupError(f"the backup {path.name} can't be read ({exc})") from exc
    return out


def restore_plan(backup: Backup, store: EntryStore, only: set[str] | None = None) -> RestorePlan:
    """What restoring `backup` (or only the files in `only`) would add back."""
    plan = RestorePlan(backup)
    known = {e.id for e in store.entries(include_deleted=True)}
    shards = backup_shards(backup.path, only)
    if only is not None:
        plan.unreadable = sorted(only - set(shards))
    chosen: dict[str, Entry] = {}
    for name, entries in sorted(shards.items()):
        for entry in entries:
            if entry.id in known:
                plan.present += 1
                continue
            previous = chosen.get(entry.id)
            if previous is None or (entry.updated, entry.is_deleted) > (
                previous.updated,
                previous.is_deleted,
            ):
                chosen[entry.id] = entry
                plan.per_file[name] = plan.per_file.get(name, 0) + (previous is None)
    plan.entries = sorted(
        (replace(e, device=store.device_id) for e in chosen.values()),
        key=lambda e: (e.start, e.id),
    )
    return plan


def apply_restore(plan: RestorePlan, store: EntryStore) -> int:
    """Add the plan's entries, one month at a time; returns how many were added."""
    by_month: dict[str, list[Entry]] = {}
    for entry in plan.entries:
        by_month.setdefault(shard_month(entry.start), []).append(entry)
    added = 0
    for month in sorted(by_month):
        store.add_many(by_month[month])
        added += len(by_month[month])
    return added


# Rewriting notes in backups -----------------------------------------------------------------

_RESEALED_SUFFIX = ".resealed"


def _plain_notes(docs: Iterable[Mapping[str, Any]]) -> int:
    return sum(isinstance(doc.get("note"), str) for doc in docs)


def _entries_tables(raw: bytes, name: str) -> dict[str, dict[str, Any]] | None:
    try:
        return parse_file_bytes(raw, Path(name))
    except (UnreadableFile, NewerFormat):
        return None


def plain_notes_in_backup(path: Path) -> int:
    """How many notes the entries files of a backup hold in plain text."""
    count = 0
    try:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if _is_entries_file(PurePosixPath(name)):
                    tables = _entries_tables(archive.read(name), name)
                    if tables is not None:
                        count += _plain_notes(tables.get(ENTRIES_TABLE, {}).values())
    except (zipfile.BadZipFile, OSError, EOFError, KeyError) as exc:
        raise BackupError(f"the backup {path.name} can't be read ({exc})") from exc
    return count


def _rewritten_entries_file(
    name: str, raw: bytes, change: Callable[[dict[str, Any]], dict[str, Any] | None]
) -> tuple[bytes, int]:
    """An entries file of a backup with `change` applied, and how many documents changed."""
    tables = _entries_tables(raw, name) if _is_entries_file(PurePosixPath(name)) else None
    if tables is None:
        return raw, 0
    docs = tables.get(ENTRIES_TABLE, {})
    updates = {k: new for k, doc in docs.items() if (new := change(doc)) is not None}
    if not updates:
        return raw, 0
    top = orjson.loads(raw)
    top["schema_version"] = SCHEMA_VERSION
    top["tables"] = {**tables, ENTRIES_TABLE: {**docs, **updates}}
    return orjson.dumps(top), len(updates)


def rewrite_backup_entries(
    path: Path, change: Callable[[dict[str, Any]], dict[str, Any] | None]
) -> int:
    """Apply `change` to every entry document in a backup (None leaves it as it is); returns
    how many changed. The backup keeps its name, sequence, times and every other file; the
    new zip is verified before it replaces the old one, which is left as it was on failure.
    """
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    changed = 0
    contents: dict[str, bytes] = {}
    for info, raw in members:
        contents[info.filename], count = _rewritten_entries_file(info.filename, raw, change)
        changed += count
    if not changed:
        return 0
    manifest = orjson.loads(contents[MANIFEST_NAME])
    for name, info in manifest.get("files", {}).items():
        if name in contents:
            info.update(size=len(contents[name]), sha256=hashlib.sha256(contents[name]).hexdigest())
    contents[MANIFEST_NAME] = orjson.dumps(manifest, option=orjson.OPT_INDENT_2)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info, _ in members:
            archive.writestr(info, contents[info.filename])
    before = verify_backup(path)
    staged = path.with_name(f".{path.name}{_RESEALED_SUFFIX}")
    atomic_write_bytes(staged, buffer.getvalue())
    after = verify_backup(staged)
    if (after.files, after.entries, after.problems) != (
        before.files,
        before.entries,
        before.problems,
    ):
        staged.unlink(missing_ok=True)
        raise BackupError(f"the backup {path.name} could not be rewritten; it was left as it was")
    staged.replace(path)
    fsync_dir(path.parent)
    return changed


def remove_stale_rewrites(backup_dir: Path) -> None:
    """Rewritten backups a killed rewrite never moved into place (the originals are intact)."""
    if backup_dir.is_dir():
        for stale in backup_dir.glob(f".*.zip{_RESEALED_SUFFIX}"):
            stale.unlink(missing_ok=True)
