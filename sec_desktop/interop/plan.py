"""From parsed records to the entries an import would add, and what it would not, and why.

Nothing is written while planning. A plan is applied only when every record is accounted
for: mapped by a rule (or `--default`), skipped by a rule, already imported, or left out for
a stated reason (all-day event, in the future, outside the chosen dates...). Unmapped records
are grouped by what a rule would match, with the rule to add.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sec_desktop.interop.records import RULE_FIELDS, ImportedRecord, ImportFileError, ParsedFile
from sec_desktop.interop.rules import RuleSet
from sec_desktop.store.atomic import atomic_write_bytes, ensure_private_dir, fsync_dir
from sec_desktop.store.entry import MAX_ENTRY_SPAN, Entry, EntryError, span_pieces
from sec_desktop.store.store import EntryStore, shard_month
from sec_desktop.timefmt import format_local

# Entry ids of imported rows are uuid5(IMPORT_NAMESPACE, tool + source id): the same row gives
# the same id on every device and every run, so a second import recognises it.
IMPORT_NAMESPACE = uuid.UUID("6f0c1f3e-7d1a-5b9e-9a57-2c1f0e6b4d21")
_NAMESPACE_BYTES = IMPORT_NAMESPACE.bytes
# Clocks drift; an end a little after "now" is still time already spent.
FUTURE_TOLERANCE = timedelta(minutes=1)
# Times before this are not time anyone tracked with these tools; they are typos.
EARLIEST_YEAR = 1970
UNMAPPED_LINES_SHOWN = 5

OVERLAP_POLICIES = ("refuse", "skip", "keep")
# Names the entries of an import being written; present only while one is (or was killed).
# No .json suffix: nothing that reads shards mistakes it for one.


def import_entry_id(tool: str, source_id: str) -> str:
    """uuid5(IMPORT_NAMESPACE, tool + source id), computed without the UUID object's cost."""
    digest = bytearray(
        hashlib.sha1(
            _NAMESPACE_BYTES + f"{tool}\x1f{source_id}".encode(), usedforsecurity=False
        ).digest()
    )
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest[:16].hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass(frozen=True)
class UnmappedGroup:
    """Records no rule maps that share what a rule would look at, e.g. project "Acme"."""

    field: str
    value: str
    rows: int
    seconds: float
    lines: tuple[int, ...]

    def describe(self) -> str:
        if not self.field:
            return "rows with no project, tags or title"
        return f"{self.field} {self.value!r}"

    def rule_hint(self, activity: str = "ACTIVITY-ID") -> str:
        """A rules-file table that would map this group."""
        if not self.field:
            return ""
        value = self.value.split(", ")[0] if self.field == "tags" else self.value
        pattern = "^" + re.escape(value) + "$"
        field_name = self.field
        return (
            "[[rule]]\n"
            f"pattern = {json.dumps(pattern, ensure_ascii=False)}\n"
            f'fields = ["{field_name}"]\n'
            f'activity = "{activity}"'
        )


@dataclass(frozen=True)
class Overlap:
    """A new entry that overlaps an entry already stored, or one the same file adds.

    `existing_line` is set when `existing` comes from the same file (its line there).
    """

    entry: Entry
    existing: Entry
    line: int
    existing_line: int | None = None

    def describe(self, tz: ZoneInfo, label: Callable[[str], str]) -> str:
        """ "line 12: 2026-03-02 09:00-10:00 overlaps 2026-03-02 09:30-11:00 Board (manual)"."""
        new, old = self.entry, self.existing
        origin = (
            f"line {self.existing_line} of this file"
            if self.existing_line is not None
            else old.source
        )
        return (
            f"line {self.line}: {format_local(new.start, tz)}-{new.end.astimezone(tz):%H:%M} "
            f"overlaps {format_local(old.start, tz)}-{old.end.astimezone(tz):%H:%M} "
            f"{label(old.activity)} ({origin})"
        )


@dataclass
class ImportPlan:
    """What an import would do; `new_entries` is exactly what `apply_plan` writes."""

    tool: str
    path: Path
    rows: int
    new_entries: list[Entry] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)
    already_imported: int = 0
    already_deleted: int = 0
    skipped_by_rule: Counter[str] = field(default_factory=Counter)
    left_out: Counter[str] = field(default_factory=Counter)
    unmapped: list[UnmappedGroup] = field(default_factory=list)
    defaulted: int = 0
    overlaps: list[Overlap] = field(default_factory=list)
    overlap_policy: str = "refuse"
    span: tuple[datetime, datetime] | None = None

    @property
    def unmapped_rows(self) -> int:
        return sum(g.rows for g in self.unmapped)

    @property
    def new_seconds(self) -> float:
        return sum(e.duration.total_seconds() for e in self.new_entries)

    @property
    def blocked(self) -> bool:
        """True when applying would guess or hide something: nothing may be written."""
        return bool(self.unmapped) or (bool(self.overlaps) and self.overlap_policy == "refuse")


class ImportWriteError(Exception):
    """Saving failed (disk full, I/O error); says what stayed written and what to do.

    `apply_plan` rolls back what it wrote (saved=0); `pending` marks entries it could not
    remove yet, which the next import removes first. Without `pending`, `saved` entries were
    written for good (months written by separate calls).
    """

    def __init__(self, saved: int, total: int, cause: OSError, *, pending: bool = False) -> None:
        reason = cause.strerror or str(cause)
        where = f" ({cause.filename})" if cause.filename else ""
        if pending:
            written = (
                f"{saved:,} of {total:,} new entries were written"
                if saved
                else "the new entries written before it failed"
            )
            done = (
                f"{written} and could not be removed yet; the next import removes them before "
                "it writes, so run the same import again once that is fixed"
            )
        elif saved:
            done = (
                f"{saved:,} of {total:,} new entries were saved, whole months at a time, and "
                "the rest were not; run the same import again once that is fixed: it adds "
                "only the entries still missing"
            )
        else:
            done = "nothing was saved; run the same import again once that is fixed"
        super().__init__(f"saving failed: {reason}{where}; {done}")
        self.saved = saved
        self.total = total
        self.cause = cause


def group_key(record: ImportedRecord) -> tuple[str, str]:
    for name in ("project", "client", "task"):
        value: str = getattr(record, name)
        if value:
            return name, value
    if record.tags:
        return "tags", ", ".join(record.tags)
    if record.title:
        return "title", record.title
    if record.description:
        return "description", record.description[:80]
    return "", ""


def _import_extra(record: ImportedRecord, file_name: str, piece: int) -> dict[str, Any]:
    origin: dict[str, Any] = {
        "tool": record.tool,
        "source_id": record.source_id,
        "file": file_name,
        "line": record.line,
    }
    for name in ("project", "client", "task"):
        value = getattr(record, name)
        if value:
            origin[name] = value
    if piece:
        origin["piece"] = piece
    return {"import": origin}


class _OverlapIndex:
    """Stored entries sorted by start, with the running latest end, to find overlaps fast."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = sorted((e for e in entries if not e.is_deleted), key=lambda e: e.start)
        self.starts = [e.start for e in self.entries]
        self.max_end: list[datetime] = []
        latest: datetime | None = None
        for e in self.entries:
            latest = e.end if latest is None or e.end > latest else latest
            self.max_end.append(latest)

    def first_overlap(self, start: datetime, end: datetime) -> Entry | None:
        index = bisect.bisect_left(self.starts, end) - 1
        # Entries before `index` start earlier; none of them reaches `start` once the
        # running latest end doesn't.
        while index >= 0 and self.max_end[index] > start:
            candidate = self.entries[index]
            if candidate.end > start:
                return candidate
            index -= 1
        return None


def build_plan(
    parsed: ParsedFile,
    *,
    store: EntryStore,
    rules: RuleSet,
    now: datetime,
    default_activity: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    overlap_policy: str = "refuse",
) -> ImportPlan:
    """Map every record and compare with the store; raises ImportFileError for a bad record."""
    if overlap_policy not in OVERLAP_POLICIES:
        raise ValueError(f"overlap policy {overlap_policy!r} is not one of {OVERLAP_POLICIES}")
    now = now.astimezone(UTC)
    plan = ImportPlan(
        parsed.tool, parsed.path, parsed.rows, overlap_policy=overlap_policy, span=parsed.span
    )
    plan.left_out.update(parsed.left_out)
    # Entries of an import killed part-way are not in the record: they are rolled back
    # before this plan is written, so it must not count them as imported or overlapping.
    unfinished = _unfinished_ids(store)
    stored = [e for e in store.entries(include_deleted=True) if e.id not in unfinished]
    known = {e.id: e for e in stored}
    groups: dict[tuple[str, str], list[ImportedRecord]] = {}
    seen_lines: dict[str, int] = {}
    file_name = parsed.path.name
    device = store.device_id
    seen_content: set[tuple[object, ...]] = set()
    for record in parsed.records:
        if record.start.year < EARLIEST_YEAR:
            raise ImportFileError(
                parsed.path,
                record.line,
                f"it starts in {record.start.year}, before {EARLIEST_YEAR}",
            )
        reason = _left_out_reason(record, start, end, now, seen_content)
        if reason is not None:
            plan.left_out[reason] += 1
            continue
        first_id = import_entry_id(parsed.tool, record.source_id)
        if record.entry is None and record.end - record.start <= MAX_ENTRY_SPAN:
            # A one-piece record's id depends only on its source: known before mapping.
            existing = known.get(first_id)
            if existing is not None:
                plan.already_imported += 1
                plan.already_deleted += existing.is_deleted
                continue
        try:
            entries = _entries_for(
                record,
                first_id=first_id,
                parsed=parsed,
                rules=rules,
                default_activity=default_activity,
                device=device,
                now=now,
                file_name=file_name,
                plan=plan,
            )
        except EntryError as exc:
            raise ImportFileError(parsed.path, record.line, str(exc)) from exc
        if entries is None:
            groups.setdefault(group_key(record), []).append(record)
            continue
        for entry in entries:
            previous_line = seen_lines.get(entry.id)
            if previous_line is not None:
                raise ImportFileError(
                    parsed.path,
                    record.line,
                    f"entry id {entry.id} appears twice in the file (lines {previous_line} "
                    f"and {record.line})",
                )
            seen_lines[entry.id] = record.line
            existing = known.get(entry.id)
            if existing is not None:
                plan.already_imported += 1
                plan.already_deleted += existing.is_deleted
                continue
            plan.new_entries.append(entry)
            plan.lines[entry.id] = record.line
    plan.unmapped = sorted(
        (
            UnmappedGroup(
                name,
                value,
                len(members),
                sum(r.seconds for r in members),
                tuple(r.line for r in members[:UNMAPPED_LINES_SHOWN]),
            )
            for (name, value), members in groups.items()
        ),
        key=lambda g: (-g.seconds, g.field, g.value),
    )
    plan.new_entries.sort(key=lambda e: (e.start, e.end, e.id))
    _find_overlaps(plan, stored)
    return plan


_RULE_VALUES = attrgetter(*RULE_FIELDS)


def _left_out_reason(
    record: ImportedRecord,
    start: datetime | None,
    end: datetime | None,
    now: datetime,
    seen: set[tuple[object, ...]],
) -> str | None:
    """Why a record is left out, or None to import it."""
    if (start is not None and record.start < start) or (end is not None and record.start >= end):
        return "outside the chosen dates"
    if record.end > now + FUTURE_TOLERANCE:
        return "ending in the future"
    # The same stretch with the same content twice is one stretch exported twice (or a
    # double booking): only the first is imported, so the time is never booked twice. This
    # app's own entries (record.entry) are told apart by their ids.
    if record.entry is None:
        content = (record.start, record.end, *_RULE_VALUES(record))
        if content in seen:
            return "repeating an earlier row of the file"
        seen.add(content)
    return None


def _entries_for(
    record: ImportedRecord,
    *,
    first_id: str,
    parsed: ParsedFile,
    rules: RuleSet,
    default_activity: str | None,
    device: str,
    now: datetime,
    file_name: str,
    plan: ImportPlan,
) -> list[Entry] | None:
    """The entries a record becomes; [] when a rule skips it, None when nothing maps it."""
    if record.entry is not None:
        restored = Entry.from_json(record.entry)
        return [replace(restored, device=device)]
    rule = rules.match(record)
    if rule is not None and rule.skip:
        plan.skipped_by_rule[rule.origin] += 1
        return []
    if rule is not None and rule.activity is not None:
        activity = rule.activity
    elif default_activity is not None:
        activity = default_activity
        plan.defaulted += 1
    else:
        return None
    out = []
    for piece, (piece_start, piece_end) in enumerate(span_pieces(record.start, record.end)):
        entry_id = (
            first_id
            if piece == 0
            else import_entry_id(parsed.tool, f"{record.source_id}#piece{piece}")
        )
        out.append(
            Entry(
                id=entry_id,
                start=piece_start,
                end=piece_end,
                tz=record.zone,
                activity=activity,
                source=f"import:{parsed.tool}",
                device=device,
                created=now,
                updated=now,
                labels=record.tags,
                note=record.title or None,
                extra=_import_extra(record, file_name, piece),
            )
        )
    return out


def _find_overlaps(plan: ImportPlan, stored: Sequence[Entry]) -> None:
    """Overlaps with stored entries, and between the file's own (sorted by start) entries.

    Within the file, the later-starting entry is the overlapping one: `skip` keeps the first.
    """
    if not plan.new_entries:
        return
    index = _OverlapIndex(stored)
    kept: list[Entry] = []
    # The kept new entry reaching furthest: a later one starting before its end overlaps it.
    furthest: Entry | None = None
    skipped: Counter[str] = Counter()
    for entry in plan.new_entries:
        line = plan.lines[entry.id]
        clash = index.first_overlap(entry.start, entry.end)
        reason = None
        if clash is not None:
            plan.overlaps.append(Overlap(entry, clash, line))
            reason = "overlapping entries already stored (--overlap skip)"
        elif furthest is not None and entry.start < furthest.end:
            plan.overlaps.append(Overlap(entry, furthest, line, plan.lines[furthest.id]))
            reason = "overlapping entries in the same file (--overlap skip)"
        if reason is not None and plan.overlap_policy != "keep":
            skipped[reason] += 1
            continue
        kept.append(entry)
        if furthest is None or entry.end > furthest.end:
            furthest = entry
    if plan.overlap_policy == "skip":
        plan.left_out.update(skipped)
        plan.new_entries = kept


def _journal_path(store: EntryStore) -> Path:
    # In this device's own folder: only this device writes there, and rolls back.
    return store.unfinished_import_journal


def unfinished_import(store: EntryStore) -> int | None:
    """How many entries an import that was killed part-way names, or None if there is none."""
    path = _journal_path(store)
    if not path.is_file():
        return None
    return len(_journal_ids(path))


def _journal_ids(path: Path) -> list[str]:
    reason = "it records an import that was interrupted, but "
    try:
        ids = json.loads(path.read_bytes())["ids"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ImportFileError(path, None, f"{reason}can't be read ({exc}); move it aside") from exc
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise ImportFileError(path, None, f"{reason}lists no entry ids; move it aside")
    return ids


def _unfinished_ids(store: EntryStore) -> set[str]:
    path = _journal_path(store)
    return set(_journal_ids(path)) if path.is_file() else set()


def roll_back_unfinished_import(store: EntryStore) -> int:
    """Remove what an import killed part-way had written; returns how many entries.

    Call before importing again (and when the app starts). Nothing to do returns 0.
    """
    path = _journal_path(store)
    if not path.is_file():
        return 0
    removed = store.discard_unfinished(_journal_ids(path))
    path.unlink()
    fsync_dir(path.parent)
    return removed


def apply_plan(plan: ImportPlan, store: EntryStore) -> int:
    """Write the plan's new entries, all or nothing; returns how many were saved.

    Refuses a blocked plan. Before the first month is written, a journal naming every new id
    is saved in this device's folder; it is removed once the last month is written. An import
    killed in between is rolled back by `roll_back_unfinished_import` (the next import calls
    it first), and a write that fails part-way (disk full) rolls back at once: an import is
    in the record whole or not at all, and ImportWriteError says so.
    """
    writer = ImportWriter(plan, store)
    writer.write_rest()
    return writer.saved


class ImportWriter:
    """Writes one plan's new entries a month at a time, all or nothing, as `apply_plan` does.

    For a caller that shows progress between months (the import wizard): `write_next` until
    `done`; the last write removes the journal, which is the moment the import counts.
    `abandon` rolls back what was written so far.
    """

    def __init__(self, plan: ImportPlan, store: EntryStore) -> None:
        if plan.blocked:
            raise ValueError("the plan has unmapped rows or refused overlaps; nothing was written")
        self.plan = plan
        self.store = store
        self.saved = 0
        by_month: dict[str, list[Entry]] = {}
        for entry in plan.new_entries:
            by_month.setdefault(shard_month(entry.start), []).append(entry)
        self._months = [by_month[month] for month in sorted(by_month)]
        self._journal = _journal_path(store)
        self._started = False

    @property
    def done(self) -> bool:
        return not self._months

    def write_next(self) -> int:
        """Write the next month's entries; returns how many. Raises ImportWriteError."""
        return self._write(1)

    def write_rest(self) -> int:
        """Write every month not written yet in one store call (one lock, one clock stamp,
        one notes check); returns how many entries. Raises ImportWriteError."""
        return self._write(len(self._months))

    def _write(self, months: int) -> int:
        if not self._months:
            return 0
        total = len(self.plan.new_entries)
        if not self._started:
            roll_back_unfinished_import(self.store)
            ensure_private_dir(self._journal.parent)
            record = {
                "file": self.plan.path.name,
                "tool": self.plan.tool,
                "ids": [e.id for e in self.plan.new_entries],
            }
            try:
                atomic_write_bytes(self._journal, json.dumps(record).encode())
            except OSError as exc:
                raise ImportWriteError(0, total, exc) from exc
            self._started = True
        batch = [entry for month in self._months[:months] for entry in month]
        del self._months[:months]
        try:
            self.store.add_many(batch)
        except OSError as exc:
            try:
                self.abandon()
            except OSError:
                # Still journaled: the next import removes them before it writes.
                raise ImportWriteError(self.saved, total, exc, pending=True) from exc
            raise ImportWriteError(0, total, exc) from exc
        except Exception:
            self.abandon()
            raise
        self.saved += len(batch)
        if not self._months:
            self._journal.unlink()
            fsync_dir(self._journal.parent)
        return len(batch)

    def abandon(self) -> None:
        """Remove what this import wrote (nothing, once it is done)."""
        self._months = []
        if self._started and self._journal.is_file():
            roll_back_unfinished_import(self.store)
            self.saved = 0
