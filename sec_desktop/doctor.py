"""`sec-desktop doctor`: checks of the data folder, backups, keyring, tray, input idle and
prompt notifications, in plain words.

Each check returns a result (ok, warning or problem) with one sentence, and where something
can be fixed, a repair: a description shown to the user first and an action run only after
they agree. No Qt here: the tray is probed in a child process.
"""

from __future__ import annotations

import contextlib
import enum
import os
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from sec_desktop.framework.custom_profile import (
    PROFILE_KIND,
    CustomProfileError,
    custom_profile_path,
    load_custom_profile,
    migrate_custom_profile,
)
from sec_desktop.framework.customization import (
    CUSTOMIZATION_KIND,
    customization_path,
    load_user_framework,
    migrate_customization,
)
from sec_desktop.framework.vocabulary import (
    ALIASES_FILE,
    LEARNED_KEY,
    VOCABULARY_KIND,
    UserWordStore,
    VocabularyError,
)
from sec_desktop.platform.autostart import launch_command
from sec_desktop.platform.idle import (
    NO_IDLE_SENTENCE,
    SOURCES_BY_SESSION,
    SourceOpener,
    choose_idle_source,
)
from sec_desktop.platform.notifications import DesktopNotifications, NotificationsUnavailable
from sec_desktop.platform.notifications_backend import native_backend_problem
from sec_desktop.platform.tray_host import GNOME_EXTENSION
from sec_desktop.settings import configured_value, settings_file_problems, settings_path
from sec_desktop.store.atomic import DIR_MODE, FILE_MODE, atomic_write_bytes, is_own_temp_file
from sec_desktop.store.backup import (
    Backup,
    apply_restore,
    backup_for_quarantined,
    list_backups,
    make_backup,
    restore_plan,
    rotate,
)
from sec_desktop.store.entry import Entry, EntryError, newest
from sec_desktop.store.notes_crypto import (
    ENCRYPTION_KIND,
    NOTES_KEY,
    MarkerError,
    marker_path,
    migrate_marker,
    plain_agreed,
    read_marker,
)
from sec_desktop.store.overlaps import Overlap, cross_device_overlaps
from sec_desktop.store.permissions import loose_permissions
from sec_desktop.store.quarantine import QuarantinedFile, quarantined_files
from sec_desktop.store.shared_records import SHARED_DIR, SharedRecords, read_records, shared_dir
from sec_desktop.store.stamps import DELETED, LABELS, NOTE, TIMES, Conflict
from sec_desktop.store.storage import ENTRIES_TABLE, NewerFormat, UnreadableFile, parse_file_bytes
from sec_desktop.store.store import (
    ENTRIES_DIR,
    QUARANTINE_DIR,
    SHARD_NAME,
    EntryStore,
    read_shard_file,
)
from sec_desktop.store.sync_conflicts import (
    MERGED_CONFLICTS_DIR,
    ConflictCopy,
    engine_of,
    find_conflict_copies,
    original_name,
    set_aside,
)
from sec_desktop.store.sync_engine_files import engine_temp_file
from sec_desktop.timefmt import counted, format_duration

KEYRING_TIMEOUT_S = 5.0
TRAY_TIMEOUT_S = 20.0
# Any threshold will do for a probe: the source is opened and closed at once.
IDLE_PROBE_THRESHOLD_S = 600.0
BACKUP_STALE_AFTER = timedelta(days=2)
PATHS_LISTED = 3


class Status(enum.Enum):
    OK = "ok"
    WARNING = "warning"
    PROBLEM = "problem"


@dataclass(frozen=True)
class Repair:
    """What a repair will do, in words, and the action that does it (returns what it did)."""

    description: str
    run: Callable[[], str]


@dataclass(frozen=True)
class CheckResult:
    check: str
    status: Status
    message: str
    repair: Repair | None = None


@dataclass(frozen=True)
class DoctorContext:
    """Everything the checks look at; the clock and environment are passed in for tests."""

    data_dir: Path
    backup_dir: Path
    device_id: str
    now: datetime
    env: Mapping[str, str]
    keep_backups: int = 14
    # This machine's settings folder; None skips the settings file check.
    config_dir: Path | None = None

    def open_store(self) -> EntryStore:
        """This device's store, for a repair that reads or writes entries."""
        return EntryStore(self.data_dir, self.device_id, clock=lambda: self.now)


def _list_paths(paths: Sequence[str]) -> str:
    shown = ", ".join(paths[:PATHS_LISTED])
    more = len(paths) - PATHS_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


# Permissions --------------------------------------------------------------------------------


def _loose_paths(root: Path) -> list[Path]:
    return [found.path for found in loose_permissions(root)]


def check_permissions(ctx: DoctorContext) -> CheckResult:
    """Folders 0700 and files 0600: other users on the machine must not read the data."""
    name = "permissions"
    if os.name != "posix":
        return CheckResult(name, Status.OK, "file permissions are managed by the system here.")
    if not ctx.data_dir.exists():
        return CheckResult(name, Status.OK, f"the data folder {ctx.data_dir} does not exist yet.")
    loose = _loose_paths(ctx.data_dir) + _loose_paths(ctx.backup_dir)
    if not loose:
        return CheckResult(
            name, Status.OK, "the data folder and backups are private to you (0700/0600)."
        )

    def repair() -> str:
        for path in loose:
            with contextlib.suppress(FileNotFoundError):
                path.chmod(DIR_MODE if path.is_dir() else FILE_MODE)
        return f"made {counted(len(loose), 'file or folder', 'files and folders')} private again"

    listed = _list_paths([str(p) for p in loose])
    return CheckResult(
        name,
        Status.WARNING,
        f"{counted(len(loose), 'file or folder', 'files or folders')} can be read by other "
        f"users ({listed}).",
        Repair("make them private again (folders 0700, files 0600)", repair),
    )


# Data files ---------------------------------------------------------------------------------


def _shard_paths(data_dir: Path) -> list[Path]:
    root = data_dir / ENTRIES_DIR
    if not root.is_dir():
        return []
    return sorted(
        p for d in root.iterdir() if d.is_dir() for p in d.iterdir() if SHARD_NAME.match(p.name)
    )


def _shard_problem(path: Path) -> tuple[int, str | None]:
    try:
        docs = parse_file_bytes(path.read_bytes(), path).get(ENTRIES_TABLE, {})
    except UnreadableFile as exc:
        return 0, exc.reason
    except NewerFormat as exc:
        return 0, f"a newer SEC Desktop wrote it (format {exc.version})"
    except OSError as exc:
        return 0, f"it can't be opened ({exc.strerror or exc})"
    for doc in docs.values():
        try:
            Entry.from_json(doc)
        except EntryError as exc:
            return len(docs), f"an entry in it is invalid ({exc})"
    return len(docs), None


def check_data_files(ctx: DoctorContext) -> list[CheckResult]:
    """Every entries file parses; this device's unreadable ones can be set aside and restored."""
    paths = _shard_paths(ctx.data_dir)
    if not paths:
        return [CheckResult("data files", Status.OK, "there are no entries files yet.")]
    results: list[CheckResult] = []
    total = 0
    bad = 0
    for path in paths:
        count, problem = _shard_problem(path)
        total += count
        if problem is None:
            continue
        bad += 1
        relative = path.relative_to(ctx.data_dir)
        own = path.parent.name == ctx.device_id
        if own:
            results.append(
                CheckResult(
                    "data files",
                    Status.PROBLEM,
                    f"{relative} can't be read: {problem}.",
                    _unreadable_own_repair(ctx, path),
                )
            )
        else:
            results.append(
                CheckResult(
                    "data files",
                    Status.WARNING,
                    f"{relative}, a file of device {path.parent.name}, can't be read: {problem}. "
                    "It may be half-synced; it is skipped and left for its device to repair.",
                )
            )
    leftovers = sorted(
        p for d in (ctx.data_dir / ENTRIES_DIR).iterdir() if d.is_dir() for p in d.iterdir()
    )
    temp = [p for p in leftovers if is_own_temp_file(p.name)]
    results.extend(_engine_temp_results(ctx, leftovers))
    if temp:
        results.append(
            CheckResult(
                "data files",
                Status.OK,
                f"{len(temp)} temporary files from an interrupted save are left "
                f"({_list_paths([str(p.relative_to(ctx.data_dir)) for p in temp])}); they are "
                "harmless and removed on the next save.",
            )
        )
    if bad == 0:
        results.insert(
            0,
            CheckResult(
                "data files",
                Status.OK,
                f"all {len(paths)} entries files are readable ({total:,} entries and tombstones).",
            ),
        )
    return results


def _engine_temp_results(ctx: DoctorContext, paths: Sequence[Path]) -> list[CheckResult]:
    """A sync engine's download files among the entries: named as the engine's, left alone."""
    by_engine: dict[str, list[str]] = {}
    for path in paths:
        engine = engine_temp_file(path.name)
        if engine is not None:
            by_engine.setdefault(engine, []).append(str(path.relative_to(ctx.data_dir)))
    return [
        CheckResult(
            "data files",
            Status.OK,
            f"{counted(len(names), 'download file')} of {engine} ({_list_paths(names)}): a "
            f"download in progress or one it left interrupted. {engine} finishes or removes "
            f"{'it' if len(names) == 1 else 'them'}; not the app's to remove, and not read.",
        )
        for engine, names in sorted(by_engine.items())
    ]


def _unreadable_own_repair(ctx: DoctorContext, path: Path) -> Repair:
    relative = str(path.relative_to(ctx.data_dir).as_posix())

    def repair() -> str:
        store = ctx.open_store()
        try:
            store.entries()  # reading sets an unreadable own file aside into quarantine/
            moved = [p.message().rstrip(".") for p in store.problems]
        finally:
            store.close()
        done = "; ".join(moved) or f"{relative} was already set aside"
        backups = list_backups(ctx.backup_dir)
        restored = []
        for item in quarantined_files(ctx.data_dir):
            if item.original != relative or item.marker.exists():
                continue
            backup = backup_for_quarantined(backups, item)
            if backup is None:
                restored.append(f"no good backup holds {relative}; its entries stay missing")
            else:
                restored.append(_restore_repair(ctx, item, backup).run())
        return "; ".join([done, *restored])

    return Repair(
        f"move {relative} to {QUARANTINE_DIR}/ (it is kept, not deleted) and restore its "
        "entries from the newest backup that holds it",
        repair,
    )


# Quarantine -------------------------------------------------------------------------------


def check_quarantine(ctx: DoctorContext) -> list[CheckResult]:
    items = quarantined_files(ctx.data_dir)
    if not items:
        return [CheckResult("quarantine", Status.OK, "no data file has been set aside.")]
    backups = list_backups(ctx.backup_dir)
    results = []
    for item in items:
        relative = item.path.relative_to(ctx.data_dir)
        when = f" on {item.moved_at:%Y-%m-%d %H:%M} UTC" if item.moved_at else ""
        if item.marker.exists():
            results.append(
                CheckResult(
                    "quarantine",
                    Status.OK,
                    f"{relative} was set aside{when} and its entries were restored from a backup.",
                )
            )
            continue
        backup = backup_for_quarantined(backups, item)
        if backup is None:
            results.append(
                CheckResult(
                    "quarantine",
                    Status.PROBLEM,
                    f"{relative} (a copy of {item.original}) was set aside{when} because it "
                    "could not be read, and no good backup holds that file; its entries are "
                    "missing unless the file can be fixed by hand.",
                )
            )
            continue
        results.append(
            CheckResult(
                "quarantine",
                Status.PROBLEM,
                f"{relative} (a copy of {item.original}) was set aside{when} because it could "
                f"not be read; the backup {backup.name} holds that file and is kept until its "
                "entries are restored.",
                _restore_repair(ctx, item, backup),
            )
        )
    return results


def _restore_repair(ctx: DoctorContext, item: QuarantinedFile, backup: Backup) -> Repair:
    def repair() -> str:
        store = ctx.open_store()
        try:
            plan = restore_plan(backup, store, {item.original})
            added = apply_restore(plan, store)
        finally:
            store.close()
        marker = {
            "restored_at": ctx.now.astimezone(UTC).isoformat(),
            "backup": backup.name,
            "entries_added": added,
            "entries_present": plan.present,
        }
        atomic_write_bytes(item.marker, orjson.dumps(marker, option=orjson.OPT_INDENT_2))
        return (
            f"restored {counted(added, 'entry', 'entries')} of {item.original} from {backup.name} "
            f"({plan.present} were still there)"
        )

    created = f"{backup.created:%Y-%m-%d %H:%M} UTC"
    return Repair(
        f"add back the entries of {item.original} from the backup {backup.name} (made "
        f"{created}) that are missing now; entries saved since then, and everything present "
        "now, are left as they are",
        repair,
    )


# Sync conflict copies ---------------------------------------------------------------------


def _copy_entries(copy: ConflictCopy) -> list[Entry] | None:
    try:
        return [Entry.from_json(d) for d in read_shard_file(copy.path)]
    except (UnreadableFile, NewerFormat, EntryError, OSError):
        return None


def check_sync_conflicts(ctx: DoctorContext) -> list[CheckResult]:
    copies = find_conflict_copies(ctx.data_dir / ENTRIES_DIR)
    if not copies:
        return [
            CheckResult(
                "sync conflicts", Status.OK, "no sync-conflict copies of entries files were found."
            )
        ]
    results = []
    for copy in copies:
        relative = copy.path.relative_to(ctx.data_dir)
        entries = _copy_entries(copy)
        if entries is None:
            results.append(
                CheckResult(
                    "sync conflicts",
                    Status.WARNING,
                    f"{relative} is a conflict copy made by {copy.engine} that can't be read; "
                    "it is skipped and left in place.",
                )
            )
        elif copy.path.parent.name != ctx.device_id:
            results.append(
                CheckResult(
                    "sync conflicts",
                    Status.OK,
                    f"{relative} is a conflict copy (by {copy.engine}) of another device's file; "
                    f"its {counted(len(entries), 'entry', 'entries')} are merged into what you "
                    "see, and that device folds it into its own file.",
                )
            )
        else:
            results.append(
                CheckResult(
                    "sync conflicts",
                    Status.WARNING,
                    f"{relative} is a conflict copy made by {copy.engine}; its "
                    f"{counted(len(entries), 'entry', 'entries')} "
                    "are merged into what you see but not yet saved in the file it copies.",
                    _fold_repair(ctx, copy, entries),
                )
            )
    return results


def _settings_copies(ctx: DoctorContext) -> list[tuple[ConflictCopy, str]]:
    """Conflict copies of the settings files every device shares, each with what it is: a
    shared-records kind, or the single file of earlier versions it copies."""
    found: list[tuple[ConflictCopy, str]] = []
    shared_root = ctx.data_dir / SHARED_DIR
    if shared_root.is_dir():
        for folder in sorted(p for p in shared_root.iterdir() if p.is_dir()):
            with contextlib.suppress(ValueError):  # not a kind of ours: left alone
                records = SharedRecords(ctx.data_dir, folder.name, ctx.device_id)
                found.extend((copy, folder.name) for copy in records.conflict_copies())
    legacy = {
        customization_path(ctx.data_dir): "customization",
        custom_profile_path(ctx.data_dir): "custom profile",
        marker_path(ctx.data_dir): "encryption",
        ctx.data_dir / ALIASES_FILE: "aliases",
    }
    for original, what in legacy.items():
        if not original.parent.is_dir():
            continue
        for path in sorted(original.parent.iterdir()):
            engine = engine_of(path.name)
            if engine and original_name(path.name) == original.name and path.is_file():
                found.append((ConflictCopy(path, original, engine), f"old {what}"))
    return found


def check_settings_conflicts(ctx: DoctorContext) -> list[CheckResult]:
    """Conflict copies of the shared settings (framework changes, custom profile, encryption
    state and notes key): their records are merged into what the app uses, never dropped."""
    copies = _settings_copies(ctx)
    results = _concurrent_settings(ctx)
    if not copies:
        return [
            CheckResult(
                "sync conflicts", Status.OK, "no sync-conflict copies of settings files were found."
            ),
            *results,
        ]
    for copy, what in copies:
        relative = copy.path.relative_to(ctx.data_dir)
        results.append(
            CheckResult(
                "sync conflicts",
                Status.WARNING,
                f"{relative} is a conflict copy made by {copy.engine} of your {what} settings; "
                "its changes are merged with the other devices' but the copy is still there.",
                Repair(
                    f"merge it into {copy.original.name} and move it to quarantine",
                    _settings_fold(ctx, copy, what),
                ),
            )
        )
    return results


def _concurrent_settings(ctx: DoctorContext) -> list[CheckResult]:
    """Settings changed on two devices at once: the later change is used on every device and
    the other is kept in the records; named here so the user can take it back."""
    results = []
    for kind, where in (
        (CUSTOMIZATION_KIND, "the Customize dialog"),
        (PROFILE_KIND, ""),
        ("plan", "the plan editor"),  # analytics.plan_records.PLAN_KIND, a layer above
        (VOCABULARY_KIND, "`sec-desktop alias list`"),
    ):
        for key, merged in read_records(ctx.data_dir, kind).conflicts().items():
            if key.startswith(LEARNED_KEY):
                continue  # a learnt search only ranks the picker; the latest one is right
            others = ", ".join(
                f"{'deleted' if c.deleted else repr(c.value)} on {c.device}"
                for c in merged.conflicts
            )
            used = "deleted" if merged.winner.deleted else repr(merged.winner.value)
            shown = f"; {where} shows it" if where else ""
            results.append(
                CheckResult(
                    "concurrent changes",
                    Status.WARNING,
                    f"{kind} {key} was changed on two devices at once: {used} (from "
                    f"{merged.winner.device}) is used, {others} is kept aside{shown}; make "
                    "that change again to take it back.",
                )
            )
    return results


def _settings_fold(ctx: DoctorContext, copy: ConflictCopy, what: str) -> Callable[[], str]:
    def repair() -> str:
        if not what.startswith("old "):
            records = SharedRecords(ctx.data_dir, what, ctx.device_id)
            _folded, left = records.fold_conflict_copies(ctx.now)
            if copy.path in left:
                return f"{copy.path.name} was left in place: {left[copy.path]}."
            return f"merged {copy.path.name} into {copy.original.name} and moved it aside."
        framework, _ = load_user_framework(ctx.data_dir)
        # The file it copies first, so its items are records too before the copy's join them.
        if what == "old customization":
            migrate_customization(ctx.data_dir, ctx.device_id, framework, now=ctx.now)
            done = migrate_customization(ctx.data_dir, ctx.device_id, framework, source=copy.path)
        elif what == "old aliases":
            words = UserWordStore(ctx.data_dir, ctx.device_id)
            try:
                words.migrate(ctx.now)
            except VocabularyError as exc:  # the file it copies must be fixed first
                return f"{copy.path.name} was left in place: {exc}."
            try:
                done = words.migrate(ctx.now, source=copy.path)
            except VocabularyError:
                done = None
        elif what == "old custom profile":
            migrate_custom_profile(ctx.data_dir, ctx.device_id, framework, now=ctx.now)
            done = migrate_custom_profile(ctx.data_dir, ctx.device_id, framework, source=copy.path)
        else:
            # The state lives in records now; the old file's copy only matters until then.
            migrate_marker(ctx.data_dir, ctx.device_id, ctx.now)
            recorded = NOTES_KEY in read_records(ctx.data_dir, ENCRYPTION_KIND).merged
            done = "the encryption state is kept in shared records now" if recorded else None
        if done is None:
            return f"{copy.path.name} can't be read, so it was left in place."
        target = set_aside(ctx.data_dir, copy, ctx.now)
        return f"{done}; the copy was moved to {target.relative_to(ctx.data_dir)}."

    return repair


def _fold_repair(ctx: DoctorContext, copy: ConflictCopy, entries: list[Entry]) -> Repair:
    def repair() -> str:
        try:
            saved = {e.id: e for e in (Entry.from_json(d) for d in read_shard_file(copy.original))}
        except FileNotFoundError:
            saved = {}
        missing = [replace(e, device=ctx.device_id) for e in entries if e.id not in saved]
        newer = [
            e for e in entries if e.id in saved and e != saved[e.id] and newest(saved[e.id], e) is e
        ]
        store = ctx.open_store()
        try:
            if missing:
                store.add_many(missing)
            for entry in newer:
                store.update(entry)
        finally:
            store.close()
        added, updated = len(missing), len(newer)
        target = set_aside(ctx.data_dir, copy, ctx.now)
        return (
            f"saved {added} new and {updated} newer entries of {copy.path.name} into "
            f"{copy.original.name} and moved the copy to {target.relative_to(ctx.data_dir)}"
        )

    return Repair(
        f"save the entries of {copy.path.name} that {copy.original.name} lacks or has in an "
        f"older version into {copy.original.name}, then move the copy to "
        f"{MERGED_CONFLICTS_DIR}/ (kept, not deleted)",
        repair,
    )


# Settings and the other small files -------------------------------------------------------


def _settings_result(config_dir: Path | None) -> CheckResult:
    if config_dir is None:
        return CheckResult("settings", Status.OK, "the settings were not checked.")
    path = settings_path(config_dir)
    problems = settings_file_problems(config_dir)
    if not problems:
        return CheckResult("settings", Status.OK, f"{path} is fine (or absent: the defaults).")
    return CheckResult(
        "settings",
        Status.WARNING,
        f"{path}: {' '.join(problems)} The app uses the defaults for what can't be read and "
        "keeps the file aside under a new name when it next starts.",
    )


def check_state_files(ctx: DoctorContext) -> list[CheckResult]:
    """The settings, the framework changes, the custom profile and the notes encryption
    file: each is read as the app reads it, without moving or rewriting anything."""
    results = [_settings_result(ctx.config_dir)]
    preset = configured_value(ctx.config_dir, "industry_preset") if ctx.config_dir else None
    framework, problems = load_user_framework(
        ctx.data_dir, preset if isinstance(preset, str) else None
    )
    if problems:
        results.append(CheckResult("framework", Status.WARNING, " ".join(problems)))
    else:
        results.append(
            CheckResult(
                "framework",
                Status.OK,
                f"your framework changes ({shared_dir(ctx.data_dir, CUSTOMIZATION_KIND)}) are "
                "fine or absent.",
            )
        )
    try:
        load_custom_profile(ctx.data_dir, framework)
    except CustomProfileError as exc:
        results.append(
            CheckResult(
                "custom profile",
                Status.WARNING,
                f"the custom profile is not used: {exc}. Save it again in the dashboard.",
            )
        )
    else:
        results.append(CheckResult("custom profile", Status.OK, "fine, or none saved."))
    try:
        marker = read_marker(ctx.data_dir)
    except (MarkerError, OSError) as exc:
        reason = exc.reason if isinstance(exc, MarkerError) else exc.strerror or str(exc)
        results.append(
            CheckResult(
                "notes encryption",
                Status.PROBLEM,
                f"{marker_path(ctx.data_dir)} can't be used ({reason}), so no note can be saved "
                "or read; restore it from a backup or another device.",
            )
        )
    else:
        state = "not decided yet" if marker is None else ("on" if marker.enabled else "off")
        results.append(CheckResult("notes encryption", Status.OK, f"{state}."))
    return results


# Backups ----------------------------------------------------------------------------------


def check_backups(ctx: DoctorContext) -> CheckResult:
    backups = list_backups(ctx.backup_dir)

    def make() -> str:
        backup = make_backup(ctx.data_dir, ctx.backup_dir, ctx.now)
        rotate(ctx.backup_dir, ctx.keep_backups, data_dir=ctx.data_dir)
        state = "good" if backup.good else "incomplete: " + "; ".join(backup.problems)
        return f"made the backup {backup.name} ({backup.entries:,} entries, {state})"

    make_repair = Repair(f"make a backup now in {ctx.backup_dir}", make)
    if not backups:
        return CheckResult(
            "backups", Status.WARNING, f"there is no backup yet (in {ctx.backup_dir}).", make_repair
        )
    good = next((b for b in backups if b.good), None)
    if good is None:
        return CheckResult(
            "backups",
            Status.PROBLEM,
            f"none of the {len(backups)} backups is complete: {backups[0].problems[0]}.",
            make_repair,
        )
    age = ctx.now - good.created
    if age > BACKUP_STALE_AFTER:
        return CheckResult(
            "backups",
            Status.WARNING,
            f"the newest good backup is {age.days} days old ({good.name}).",
            make_repair,
        )
    return CheckResult(
        "backups",
        Status.OK,
        f"{counted(len(backups), 'backup')}; the newest good one, {good.name}, holds "
        f"{counted(good.entries, 'entry', 'entries')}.",
    )


# Keyring ----------------------------------------------------------------------------------


def check_keyring(
    timeout_s: float = KEYRING_TIMEOUT_S, get_keyring: Callable[[], Any] | None = None
) -> CheckResult:
    """The keychain as the app sees it (available, locked, no backend, not answering)."""
    from sec_desktop.privacy.keychain import SecretStore

    status = SecretStore(backend=get_keyring, timeout_s=timeout_s).status()
    level = Status.OK if status.available else Status.WARNING
    sentence = status.message[0].lower() + status.message[1:].rstrip(".")
    detail = f"; {status.detail}" if status.detail else ""
    return CheckResult("keyring", level, f"{sentence} (backend: {status.backend_name}{detail}).")


def check_notes_key(  # noqa: PLR0911 - one verdict per case, read top to bottom
    ctx: DoctorContext,
    timeout_s: float = KEYRING_TIMEOUT_S,
    get_keyring: Callable[[], Any] | None = None,
) -> CheckResult:
    """Whether this device holds the key the folder's notes use, and whether other devices
    can join it (a passphrase wrapping in the folder)."""
    from sec_desktop.privacy.key_wrap import read_folder_key
    from sec_desktop.privacy.keychain import SecretStore, SecretsUnavailable

    try:
        marker = read_marker(ctx.data_dir)
    except (MarkerError, OSError):
        return CheckResult("notes key", Status.WARNING, "unknown: the encryption state is damaged.")
    folder = read_folder_key(ctx.data_dir)
    wanted = folder.key_id or (marker.key_id if marker is not None and marker.enabled else None)
    if marker is None or (not marker.enabled and wanted is None):
        return CheckResult("notes key", Status.OK, "notes are not encrypted; no key is needed.")
    try:
        held = SecretStore(backend=get_keyring, timeout_s=timeout_s).get_notes_key()
    except SecretsUnavailable as exc:
        return CheckResult(
            "notes key", Status.WARNING, f"the keychain can't be asked, so it is unknown ({exc})."
        )
    unlock = "run `sec-desktop encryption unlock` to get it with your passphrase"
    if not marker.enabled:
        if (
            marker.changed_by not in (None, ctx.device_id)
            and held is not None
            and held.key_id == marker.key_id
            and not plain_agreed(ctx.data_dir, ctx.device_id, marker)
        ):
            return CheckResult(
                "notes key",
                Status.WARNING,
                f"encryption was turned off on {marker.changed_by}; this device refuses to store "
                "notes unencrypted until you agree with `sec-desktop encryption off`.",
            )
        return CheckResult("notes key", Status.OK, "notes are not encrypted; no key is needed.")
    if held is None:
        return CheckResult(
            "notes key",
            Status.PROBLEM,
            f"this device holds no notes key; the folder's notes use key {wanted}, so they can't "
            f"be read or saved here: {unlock}.",
        )
    if held.key_id != wanted:
        return CheckResult(
            "notes key",
            Status.PROBLEM,
            f"this device holds key {held.key_id}, not the folder's key {wanted}: {unlock}.",
        )
    if folder.key_id is None:
        return CheckResult(
            "notes key",
            Status.WARNING,
            f"this device holds the folder's key {wanted}, but no passphrase protects a copy in "
            "the folder, so your other devices can't read the notes: run `sec-desktop "
            "encryption passphrase`.",
        )
    return CheckResult(
        "notes key", Status.OK, f"this device holds the folder's key {wanted}; others can join."
    )


# Tray -------------------------------------------------------------------------------------


def check_tray(env: Mapping[str, str], timeout_s: float = TRAY_TIMEOUT_S) -> CheckResult:
    """Whether a system tray is there, asked by a child process with Qt."""
    if sys.platform.startswith("linux") and not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        return CheckResult(
            "tray",
            Status.WARNING,
            "there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set), so the tray "
            "can't be checked; run the doctor inside your desktop session.",
        )
    child_env = dict(env)
    # The tests' headless platform would always answer "no tray".
    if child_env.get("QT_QPA_PLATFORM") in ("offscreen", "minimal"):
        child_env.pop("QT_QPA_PLATFORM")
    try:
        result = subprocess.run(
            [*launch_command(), "probe-tray"],
            env=child_env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return CheckResult(
            "tray", Status.WARNING, f"the tray check did not finish within {timeout_s:g} s."
        )
    except OSError as exc:
        return CheckResult("tray", Status.PROBLEM, f"the tray check could not start: {exc}.")
    if "tray:yes" in result.stdout:
        return CheckResult("tray", Status.OK, "a system tray is available.")
    if "tray:no" in result.stdout:
        return CheckResult(
            "tray",
            Status.WARNING,
            f"no system tray is available (on GNOME, turn on the \u201c{GNOME_EXTENSION}\u201d "
            "extension); the app opens a small window instead.",
        )
    last = (result.stderr.strip().splitlines() or ["no output"])[-1]
    return CheckResult("tray", Status.PROBLEM, f"the tray check failed: {last}.")


# Conflicting edits and overlapping entries -------------------------------------------------

LISTED_CONFLICTS = 10
READ_ONLY_DEVICE = "doctor-read-only"


def _local(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def describe_value(name: str, value: Any) -> str:
    """A merge field's value in words (times in the zone they were logged in)."""
    if name == TIMES:
        start, end, zone = value
        return f"{_local(start, zone)}-{end.astimezone(ZoneInfo(zone)):%H:%M} {zone}"
    if name == LABELS:
        return ", ".join(value) if value else "no labels"
    if name == DELETED:
        return "deleted" if value is not None else "not deleted"
    if name == NOTE:
        if isinstance(value, Mapping):
            return "an encrypted note this device can't read"
        return repr(value) if value else "no note"
    return str(value)


def describe_conflict(entry: Entry, conflict: Conflict) -> str:
    """One conflict in words, with the commands that settle it."""
    when = f"{conflict.when:%Y-%m-%d %H:%M} UTC"
    same_field = [
        c for c in (entry.stamps.conflicts if entry.stamps else ()) if c.field == conflict.field
    ]
    # The stamp is needed only to tell apart several conflicts of one field.
    settle = f"{entry.id} {conflict.field}" + (f" {conflict.stamp}" if len(same_field) > 1 else "")
    if conflict.field == DELETED and conflict.value is not None:
        return (
            f"entry {entry.id} ({describe_value(TIMES, entry.field_value(TIMES))}, "
            f"{entry.activity}) was deleted on {conflict.device} ({when}) while another device "
            "edited it without having seen the delete; the edit wins, so the entry is kept "
            "(a delete never hides an edit it did not see). "
            f"`sec-desktop conflicts take {settle}` deletes it; "
            f"`sec-desktop conflicts keep {settle}` keeps it."
        )
    return (
        f"entry {entry.id} ({describe_value(TIMES, entry.field_value(TIMES))}): its "
        f"{conflict.field} is {describe_value(conflict.field, entry.field_value(conflict.field))}; "
        f"{conflict.device} set it to {describe_value(conflict.field, conflict.value)} at "
        f"the same time ({when}), and the later stamp won. "
        f"`sec-desktop conflicts take {settle}` puts that value back; "
        f"`sec-desktop conflicts keep {settle}` keeps the current one."
    )


def describe_overlap(overlap: Overlap) -> str:
    first, second = overlap.first, overlap.second
    return (
        f"{first.id} ({describe_value(TIMES, first.field_value(TIMES))}, {first.activity}, "
        f"from {first.device}) and {second.id} "
        f"({describe_value(TIMES, second.field_value(TIMES))}, {second.activity}, from "
        f"{second.device}) share {format_duration(overlap.shared)}, counted twice. "
        f"`sec-desktop conflicts resolve {first.id} {second.id} --trim` cuts the second to "
        f"the time the first leaves free; `--drop` deletes the second."
    )


def _first_listed(lines: Sequence[str]) -> str:
    """The first `LISTED_CONFLICTS` lines, and how many more `sec-desktop conflicts` lists."""
    more = len(lines) - LISTED_CONFLICTS
    tail = f" ... and {more} more (`sec-desktop conflicts` lists them all)." if more > 0 else ""
    return " ".join(lines[:LISTED_CONFLICTS]) + tail


def check_entry_conflicts(ctx: DoctorContext) -> list[CheckResult]:
    """Edits that lost to a concurrent edit on another device, and entries of two devices
    that count the same time: both are shown, never settled silently."""
    # Read as no device of the folder: every file is then only read, never moved or
    # rewritten (an unreadable own file is check_data_files' to report and repair).
    store = EntryStore(ctx.data_dir, READ_ONLY_DEVICE)
    try:
        conflicted = store.conflicts()
        overlaps = cross_device_overlaps(store.entries())
    finally:
        store.close()
    results = []
    lines = [
        describe_conflict(e, c)
        for e in conflicted
        for c in (e.stamps.conflicts if e.stamps else ())
    ]
    if lines:
        results.append(
            CheckResult(
                "conflicting edits",
                Status.WARNING,
                f"{counted(len(lines), 'edit')} lost to a concurrent edit on another device "
                f"and can be taken back: {_first_listed(lines)}",
            )
        )
    else:
        results.append(
            CheckResult("conflicting edits", Status.OK, "no edit lost to another device's.")
        )
    if overlaps:
        results.append(
            CheckResult(
                "overlapping entries",
                Status.WARNING,
                f"{counted(len(overlaps), 'pair')} of entries from different devices overlap: "
                + _first_listed([describe_overlap(o) for o in overlaps]),
            )
        )
    else:
        results.append(
            CheckResult(
                "overlapping entries", Status.OK, "no two devices' entries count the same time."
            )
        )
    return results


# Idle ---------------------------------------------------------------------------------------


def check_idle(
    env: Mapping[str, str],
    platform: str | None = None,
    table: Mapping[str, Sequence[tuple[str, SourceOpener]]] = SOURCES_BY_SESSION,
) -> CheckResult:
    """Which input idle source the app would use here, probed by opening and closing it."""
    choice = choose_idle_source(IDLE_PROBE_THRESHOLD_S, env, platform, table)
    if choice.source is not None:
        name = choice.source.name
        choice.source.close()
        return CheckResult("idle", Status.OK, f"{name} (away time starts at the last input).")
    tried = "; ".join(choice.failures)
    sentence = NO_IDLE_SENTENCE[0].lower() + NO_IDLE_SENTENCE[1:].rstrip(".")
    return CheckResult("idle", Status.WARNING, f"{sentence} (tried {tried}).")


# Prompt notifications ---------------------------------------------------------------------

NOTIFICATION_BACKENDS = {
    "darwin": "the macOS notification centre",
    "win32": "Windows toasts",
    "linux": "the desktop's notification server",
}


def check_notifications(env: Mapping[str, str], platform: str | None = None) -> CheckResult:
    """Whether a prompt can come as a notification with buttons here, and if not, why."""
    platform = platform or sys.platform
    name = NOTIFICATION_BACKENDS.get(platform, platform)
    problem: str | None
    if platform in ("darwin", "win32"):
        problem = native_backend_problem(platform)
    elif not env.get("DBUS_SESSION_BUS_ADDRESS"):
        problem = "no session bus"
    else:
        try:
            DesktopNotifications.open(env, "SEC Desktop doctor").close()
            problem = None
        except NotificationsUnavailable as exc:
            problem = str(exc)
    if problem is None:
        return CheckResult(
            "notifications", Status.OK, f"prompts come as notifications with buttons ({name})."
        )
    return CheckResult(
        "notifications",
        Status.WARNING,
        f"no notification actions ({problem}); the picker asks instead.",
    )


# All of them ------------------------------------------------------------------------------


def run_checks(
    ctx: DoctorContext,
    *,
    keyring_timeout_s: float = KEYRING_TIMEOUT_S,
    tray_timeout_s: float = TRAY_TIMEOUT_S,
) -> list[CheckResult]:
    results = check_data_files(ctx)
    results += check_quarantine(ctx)
    results += check_sync_conflicts(ctx)
    results += check_entry_conflicts(ctx)
    results += check_settings_conflicts(ctx)
    results += check_state_files(ctx)
    results.append(check_permissions(ctx))
    results.append(check_backups(ctx))
    results.append(check_keyring(keyring_timeout_s))
    results.append(check_notes_key(ctx, keyring_timeout_s))
    results.append(check_tray(ctx.env, tray_timeout_s))
    results.append(check_idle(ctx.env))
    results.append(check_notifications(ctx.env))
    return results
