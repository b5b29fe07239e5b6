"""Notes at rest on this device: turning encryption on and off, how the notes stand, and what
an export may include. No Qt.

A pass rewrites this device's shards one at a time, each atomically, under the device's write
lock. The marker is written before the pass, so writers follow the new state at once; the
pass only converts notes still in the old form, so a pass killed midway is finished by running
it again (the app does so at start).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

from sec_desktop.privacy.key_wrap import (
    PASSPHRASE,
    RECOVERY,
    FolderKey,
    WrapError,
    check_passphrase,
    new_recovery_code,
    read_folder_key,
    unwrap_key,
    wrap_key,
    wrapped_record_key,
)
from sec_desktop.privacy.keychain import (
    NOTES_KEY_BYTES,
    KeyringState,
    KeyringStatus,
    NotesKey,
    SecretStore,
    SecretsUnavailable,
    key_id_for,
)
from sec_desktop.store.atomic import remove_stale_temp_files
from sec_desktop.store.backup import (
    BackupError,
    list_backups,
    plain_notes_in_backup,
    remove_stale_rewrites,
    rewrite_backup_entries,
)
from sec_desktop.store.entry import NOTE_ENCRYPTED_FIELD, Entry, utc_now
from sec_desktop.store.file_lock import FileLock
from sec_desktop.store.notes_crypto import (
    REPLACED_NOTES_FIELD,
    EncryptionMarker,
    MarkerError,
    NoteCipher,
    NoteKeyUnavailable,
    UndecryptableNote,
    agree_to_plain,
    encryption_records,
    open_sealed,
    read_marker,
    write_marker,
)
from sec_desktop.store.shared_records import SharedRecordsError
from sec_desktop.store.storage import (
    ENTRIES_TABLE,
    AtomicJSONStorage,
    NewerFormat,
    UnreadableFile,
    parse_file_bytes,
)
from sec_desktop.store.store import (
    ENTRIES_DIR,
    LOCK_FILE,
    LOCK_TIMEOUT_S,
    QUARANTINE_DIR,
    SHARD_NAME,
)
from sec_desktop.timefmt import counted


class PrivacyError(Exception):
    """Encryption could not be changed; nothing was changed. The message is for the user."""


def cipher_from(key: NotesKey) -> NoteCipher:
    return NoteCipher(key.key, key.key_id)


def keychain_cipher(data_dir: Path, secrets: SecretStore) -> Callable[[], NoteCipher]:
    """A key source for `EntryStore(cipher=...)` that asks the keychain only when needed.

    For the command line, which may block; the GUI passes a ready NoteCipher instead.
    """

    def fetch() -> NoteCipher:
        try:
            key = secrets.get_notes_key()
        except SecretsUnavailable as exc:
            raise NoteKeyUnavailable(keyring_reason(exc.status)) from exc
        if key is None:
            try:
                marker = read_marker(data_dir)
            except MarkerError:
                marker = None
            wanted = f" (the notes need key {marker.key_id})" if marker and marker.key_id else ""
            raise NoteKeyUnavailable(f"the keychain holds no notes key{wanted}")
        return cipher_from(key)

    return fetch


def keyring_reason(status: KeyringStatus) -> str:
    """Why the keychain can or cannot be used, as the middle of a sentence."""
    base = {
        KeyringState.LOCKED: "the keychain is locked",
        KeyringState.NO_BACKEND: "no keychain is available on this system",
        KeyringState.TIMED_OUT: "the keychain did not answer in time",
        KeyringState.ERROR: "the keychain reported an error",
        KeyringState.AVAILABLE: "the keychain is available",
    }[status.state]
    return f"{base}: {status.detail}" if status.detail else base


# Shards -----------------------------------------------------------------------------------


def _own_shards(data_dir: Path, device_id: str) -> list[Path]:
    folder = data_dir / ENTRIES_DIR / device_id
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if SHARD_NAME.match(p.name))


def _all_shards(data_dir: Path) -> Iterator[Path]:
    root = data_dir / ENTRIES_DIR
    if not root.is_dir():
        return
    for device_dir in sorted(root.iterdir()):
        if device_dir.is_dir():
            yield from sorted(p for p in device_dir.iterdir() if SHARD_NAME.match(p.name))


def _refuse_linked_device_folder(data_dir: Path, device_id: str) -> None:
    """A pass writes this device's folder; through a link it would write wherever it leads."""
    own_dir = data_dir / ENTRIES_DIR / device_id
    if own_dir.is_symlink():
        raise PrivacyError(
            f"the device folder {own_dir} is a symbolic link; SEC Desktop does not write "
            "through links: replace it with a real folder holding its files; nothing was changed"
        )


def _entry_docs(path: Path) -> dict[str, Any]:
    tables = parse_file_bytes(path.read_bytes(), path)
    return dict(tables.get(ENTRIES_TABLE, {}))


@dataclass(frozen=True)
class PassResult:
    """What a pass did: files rewritten, notes converted, and notes it had to leave as they
    were (reason -> entry ids), which keep their stored form untouched."""

    shards_rewritten: int = 0
    notes_changed: int = 0
    notes_left: Mapping[str, list[str]] = field(default_factory=dict)
    files_skipped: Mapping[str, str] = field(default_factory=dict)
    key_deleted: bool = False
    backups_rewritten: int = 0
    backup_notes_sealed: int = 0

    @property
    def left_count(self) -> int:
        return sum(len(ids) for ids in self.notes_left.values())


def rewrite_own_shards(
    data_dir: Path,
    device_id: str,
    change: Callable[[dict[str, Any], dict[str, list[str]]], dict[str, Any] | None],
    after_shard: Callable[[Path], None] | None = None,
) -> PassResult:
    """Apply `change` to every entry document of this device, one atomic write per shard.

    `change` returns the new document, or None to leave it. The device's write lock is taken
    per shard, so the app can save between shards while a long pass runs.
    """
    left: dict[str, list[str]] = {}
    skipped: dict[str, str] = {}
    rewritten = changed = 0
    own_dir = data_dir / ENTRIES_DIR / device_id
    if own_dir.is_dir():
        # A write killed midway leaves its temp file, which may hold notes in the form this
        # pass is about to replace (plain ones, after a killed `encryption off`).
        with FileLock(own_dir / LOCK_FILE, timeout=LOCK_TIMEOUT_S, mode=0o600):
            remove_stale_temp_files(own_dir)
    for path in _own_shards(data_dir, device_id):
        with FileLock(own_dir / LOCK_FILE, timeout=LOCK_TIMEOUT_S, mode=0o600):
            try:
                tables = parse_file_bytes(path.read_bytes(), path)
            except UnreadableFile as exc:
                skipped[str(path.relative_to(data_dir))] = exc.reason
                continue
            except NewerFormat as exc:
                skipped[str(path.relative_to(data_dir))] = (
                    f"a newer SEC Desktop wrote it (format {exc.version})"
                )
                continue
            except FileNotFoundError:
                continue
            docs = tables.get(ENTRIES_TABLE, {})
            updates: dict[str, dict[str, Any]] = {}
            for doc_id, doc in docs.items():
                new = change(doc, left)
                if new is not None:
                    updates[doc_id] = new
            if updates:
                new_tables = {**tables, ENTRIES_TABLE: {**docs, **updates}}
                header = {"device": device_id, "month": path.stem}
                AtomicJSONStorage(path, header).write(new_tables)
                rewritten += 1
                changed += len(updates)
        if after_shard is not None:
            after_shard(path)
    return PassResult(rewritten, changed, left, skipped)


def _entry_id(doc: Mapping[str, Any]) -> str | None:
    entry_id = doc.get("id")
    return entry_id if isinstance(entry_id, str) and entry_id else None


def _sealing(cipher: NoteCipher) -> Callable[[dict[str, Any], dict[str, list[str]]], Any]:
    def change(doc: dict[str, Any], left: dict[str, list[str]]) -> dict[str, Any] | None:
        note = doc.get("note")
        if not isinstance(note, str):
            return None
        entry_id = _entry_id(doc)
        if entry_id is None:
            left.setdefault("the entry has no valid id", []).append(str(doc.get("id")))
            return None
        if doc.get(NOTE_ENCRYPTED_FIELD) is not None:
            # Both forms present (never written by us): keep both rather than pick one.
            left.setdefault("the entry holds a plain and an encrypted note", []).append(entry_id)
            return None
        return {**doc, "note": None, NOTE_ENCRYPTED_FIELD: cipher.seal(note, entry_id)}

    return change


def _opening(cipher: NoteCipher | None) -> Callable[[dict[str, Any], dict[str, list[str]]], Any]:
    def change(doc: dict[str, Any], left: dict[str, list[str]]) -> dict[str, Any] | None:
        sealed = doc.get(NOTE_ENCRYPTED_FIELD)
        if sealed is None:
            return None
        entry_id = _entry_id(doc) or str(doc.get("id"))
        if doc.get("note") is not None:
            left.setdefault("the entry holds a plain and an encrypted note", []).append(entry_id)
            return None
        try:
            note = open_sealed(cipher, sealed, entry_id, "the keychain holds no notes key")
        except UndecryptableNote as exc:
            left.setdefault(exc.reason, []).append(entry_id)
            return None
        new = {k: v for k, v in doc.items() if k != NOTE_ENCRYPTED_FIELD}
        new["note"] = note
        return new

    return change


def encrypt_notes(
    data_dir: Path,
    device_id: str,
    cipher: NoteCipher,
    *,
    now: datetime | None = None,
    after_shard: Callable[[Path], None] | None = None,
) -> PassResult:
    """Mark the folder encrypted with `cipher`'s key, then seal this device's plain notes.

    Idempotent and resumable: notes already sealed (with any key) are left as they are.
    """
    _refuse_linked_device_folder(data_dir, device_id)
    try:
        marker = read_marker(data_dir)
    except MarkerError as exc:
        raise PrivacyError(f"{exc.path} can't be read ({exc.reason}); nothing was changed") from exc
    if marker is None or not marker.enabled or marker.key_id != cipher.key_id:
        write_marker(
            data_dir, enabled=True, key_id=cipher.key_id, device=device_id, now=now or utc_now()
        )
    return rewrite_own_shards(data_dir, device_id, _sealing(cipher), after_shard)


def decrypt_notes(
    data_dir: Path,
    device_id: str,
    cipher: NoteCipher | None,
    *,
    now: datetime | None = None,
    after_shard: Callable[[Path], None] | None = None,
) -> PassResult:
    """Mark the folder unencrypted, then open this device's sealed notes in place.

    Notes that can't be opened (another key, no key, damaged) keep their ciphertext and are
    listed in `notes_left`. Idempotent and resumable.
    """
    _refuse_linked_device_folder(data_dir, device_id)
    try:
        marker = read_marker(data_dir)
    except MarkerError as exc:
        raise PrivacyError(f"{exc.path} can't be read ({exc.reason}); nothing was changed") from exc
    if marker is None or marker.enabled:
        write_marker(
            data_dir,
            enabled=False,
            key_id=marker.key_id if marker else None,
            device=device_id,
            now=now or utc_now(),
        )
    return rewrite_own_shards(data_dir, device_id, _opening(cipher), after_shard)


def _keychain_key(secrets: SecretStore, doing: str) -> NotesKey | None:
    try:
        return secrets.get_notes_key()
    except SecretsUnavailable as exc:
        raise PrivacyError(
            f"notes can't be {doing}: {keyring_reason(exc.status)}; nothing was changed"
        ) from exc


def unlock_folder_key(
    data_dir: Path,
    secrets: SecretStore,
    secret: str,
    *,
    kind: str = PASSPHRASE,
    device_id: str | None = None,
) -> NotesKey:
    """Open the folder's wrapped notes key with the passphrase (or the recovery code, with
    `kind=RECOVERY`) and keep it in this device's keychain; the key this device held before,
    if another, is kept beside it, and with `device_id` this device's notes sealed with it are
    re-sealed with the folder's key, so every device can read them. PrivacyError says why it
    could not be done."""
    folder = read_folder_key(data_dir)
    doc = folder.passphrase if kind == PASSPHRASE else folder.recovery
    if doc is None:
        if folder.problems:
            raise PrivacyError(f"{folder.problems[0]}; nothing was changed")
        what = "a passphrase" if kind == PASSPHRASE else "a recovery code"
        raise PrivacyError(
            f"this data folder holds no notes key protected by {what}; on a device that has "
            "the key, run `sec-desktop encryption passphrase` first; nothing was changed"
        )
    try:
        opened = unwrap_key(doc, secret, kind)
    except WrapError as exc:
        raise PrivacyError(f"{exc}; nothing was changed") from exc
    if key_id_for(opened.key) != opened.key_id:
        raise PrivacyError(
            f"the wrapped notes key in the data folder is damaged (it is not key {opened.key_id})"
        )
    previous = _keychain_key(secrets, "unlocked")
    try:
        stored = secrets.store_notes_key(opened.key)
    except SecretsUnavailable as exc:
        raise PrivacyError(
            f"the notes key was unlocked but can't be kept: {keyring_reason(exc.status)}"
        ) from exc
    if device_id is not None and previous is not None and previous.key_id != stored.key_id:
        rewrite_own_shards(
            data_dir, device_id, _resealing(cipher_from(previous), cipher_from(stored))
        )
    return stored


def _resealing(
    old: NoteCipher, new: NoteCipher
) -> Callable[[dict[str, Any], dict[str, list[str]]], Any]:
    """Re-seal notes sealed with `old` with `new`; others are left as they are."""

    def change(doc: dict[str, Any], left: dict[str, list[str]]) -> dict[str, Any] | None:
        sealed = doc.get(NOTE_ENCRYPTED_FIELD)
        entry_id = _entry_id(doc)
        if not isinstance(sealed, Mapping) or sealed.get("kid") != old.key_id or not entry_id:
            return None
        try:
            note = old.open(sealed, entry_id)
        except UndecryptableNote as exc:
            left.setdefault(exc.reason, []).append(entry_id)
            return None
        return {**doc, NOTE_ENCRYPTED_FIELD: new.seal(note, entry_id)}

    return change


def _folder_key_id(data_dir: Path) -> str | None:
    """The key the folder's notes use now: its shared wrapping's, else the marker's."""
    folder = read_folder_key(data_dir)
    if folder.key_id is not None:
        return folder.key_id
    try:
        marker = read_marker(data_dir)
    except MarkerError:
        return None
    return marker.key_id if marker is not None and marker.enabled else None


def _wrap_for_folder(data_dir: Path, device_id: str, key: NotesKey, secret: str, kind: str) -> None:
    try:
        encryption_records(data_dir, device_id).write(
            {wrapped_record_key(kind): wrap_key(key.key, key.key_id, secret, kind)}
        )
    except SharedRecordsError as exc:
        raise PrivacyError(f"the notes key could not be saved in the data folder: {exc}") from exc


def _key_for_folder(data_dir: Path, secrets: SecretStore, doing: str) -> NotesKey:
    """This device's key, when it is the one the folder's notes use."""
    key = _keychain_key(secrets, doing)
    wanted = _folder_key_id(data_dir)
    if key is None:
        raise PrivacyError(
            "this device's keychain holds no notes key; "
            + (
                "unlock the folder's key with `sec-desktop encryption unlock` first"
                if wanted
                else "turn encryption on first (`sec-desktop encryption on`)"
            )
        )
    if wanted is not None and key.key_id != wanted:
        raise PrivacyError(
            f"this device holds notes key {key.key_id}, but the folder's notes use key {wanted}; "
            "unlock that key with `sec-desktop encryption unlock` first; nothing was changed"
        )
    return key


def set_passphrase(data_dir: Path, device_id: str, secrets: SecretStore, passphrase: str) -> str:
    """Wrap the folder's notes key (held in this keychain) with a new passphrase, replacing
    the old wrapping; every device then unlocks it with the new one. Returns the key id."""
    try:
        clean = check_passphrase(passphrase)
    except ValueError as exc:
        raise PrivacyError(f"{exc}; nothing was changed") from exc
    key = _key_for_folder(data_dir, secrets, "protected")
    _wrap_for_folder(data_dir, device_id, key, clean, PASSPHRASE)
    return key.key_id


def make_recovery_code(data_dir: Path, device_id: str, secrets: SecretStore) -> str:
    """A new recovery code that also opens the folder's notes key (a second wrapping); an
    earlier code stops working. Print it for the user to keep somewhere safe."""
    key = _key_for_folder(data_dir, secrets, "protected")
    code = new_recovery_code()
    _wrap_for_folder(data_dir, device_id, key, code, RECOVERY)
    return code


def enable_encryption(
    data_dir: Path,
    device_id: str,
    secrets: SecretStore,
    *,
    new_key: bool = False,
    passphrase: str | None = None,
    now: datetime | None = None,
    backup_dir: Path | None = None,
) -> PassResult:
    """Turn note encryption on; with `backup_dir`, also encrypt the plain notes its backups
    still hold.

    A folder whose notes key another device set up is joined: the key comes from this
    keychain when it holds it, else from the folder's wrapping opened with `passphrase`;
    without either this refuses, and never makes a key of its own. A folder with no key yet
    gets this keychain's key (made if there is none), wrapped with `passphrase` when given so
    the user's other devices can join. `new_key` switches the folder to this keychain's key
    (old notes stay sealed with the old one); a shared folder key then needs `passphrase`.
    Blocks for up to the keychain's timeout plus the pass: call it off the GUI thread.
    """
    try:
        marker = read_marker(data_dir)
    except MarkerError as exc:
        raise PrivacyError(f"{exc.path} can't be read ({exc.reason}); nothing was changed") from exc
    clean: str | None = None
    if passphrase is not None:
        try:
            clean = check_passphrase(passphrase)
        except ValueError as exc:
            raise PrivacyError(f"{exc}; nothing was changed") from exc
    folder: FolderKey = read_folder_key(data_dir)
    if new_key and folder.key_id is not None and clean is None:
        raise PrivacyError(
            "a new notes key for a folder your devices share needs a passphrase, so they can "
            "join it (--passphrase-file, or type it when asked); nothing was changed"
        )
    held = _keychain_key(secrets, "encrypted")
    wanted = folder.key_id or (marker.key_id if marker is not None and marker.enabled else None)
    if wanted is not None and not new_key and (held is None or held.key_id != wanted):
        if folder.key_id is None:
            raise PrivacyError(
                f"notes here are encrypted with key {wanted}, which another device holds and has "
                "not shared: on that device run `sec-desktop encryption passphrase`, then "
                "`sec-desktop encryption unlock` here (or switch every device to a new key "
                "with --new-key: notes sealed with the old key stay unreadable here); nothing "
                "was changed"
            )
        if clean is None:
            raise PrivacyError(
                f"notes here are encrypted with key {wanted}, set up on another device; give "
                "its passphrase to join (`sec-desktop encryption on` asks for it, or use "
                "--passphrase-file); nothing was changed"
            )
        held = unlock_folder_key(data_dir, secrets, clean, device_id=device_id)
    if held is None or (new_key and wanted is not None and held.key_id == wanted):
        try:
            held = secrets.get_or_create_notes_key() if not new_key else None
        except SecretsUnavailable as exc:
            raise PrivacyError(
                f"notes can't be encrypted: {keyring_reason(exc.status)}; nothing was changed"
            ) from exc
    if held is None:  # --new-key while this keychain holds the folder's key: a fresh one
        held = _fresh_key(secrets)
    if clean is not None and (folder.key_id != held.key_id or new_key or folder.passphrase is None):
        _wrap_for_folder(data_dir, device_id, held, clean, PASSPHRASE)
    cipher = cipher_from(held)
    result = encrypt_notes(data_dir, device_id, cipher, now=now)
    if backup_dir is None:
        return result
    backups, sealed = seal_backup_notes(backup_dir, cipher)
    return replace(result, backups_rewritten=backups, backup_notes_sealed=sealed)


def _fresh_key(secrets: SecretStore) -> NotesKey:
    try:
        return secrets.store_notes_key(os.urandom(NOTES_KEY_BYTES))
    except SecretsUnavailable as exc:
        raise PrivacyError(
            f"notes can't be encrypted: {keyring_reason(exc.status)}; nothing was changed"
        ) from exc


def seal_backup_notes(backup_dir: Path, cipher: NoteCipher) -> tuple[int, int]:
    """Encrypt the plain notes that backups made before encryption still hold, in place
    (each backup keeps its name and place in the rotation). Returns (backups, notes)."""
    remove_stale_rewrites(backup_dir)
    seal = _sealing(cipher)
    left: dict[str, list[str]] = {}
    backups = notes = 0
    for backup in list_backups(backup_dir):
        try:
            count = rewrite_backup_entries(backup.path, lambda doc: seal(doc, left))
        except (BackupError, FileNotFoundError):
            continue  # unreadable, or rotated away meanwhile: listed by `encryption status`
        backups += count > 0
        notes += count
    return backups, notes


def backups_with_plain_notes(backup_dir: Path) -> dict[str, int]:
    """Backup name -> notes it holds in plain text, for the backups that hold any."""
    found = {}
    for backup in list_backups(backup_dir):
        try:
            count = plain_notes_in_backup(backup.path)
        except BackupError:
            continue
        if count:
            found[backup.name] = count
    return found


def disable_encryption(
    data_dir: Path,
    device_id: str,
    secrets: SecretStore,
    *,
    forget_key: bool = False,
    now: datetime | None = None,
) -> PassResult:
    """Turn note encryption off and decrypt this device's notes.

    A locked or silent keychain refuses (retry later); a keychain without the key goes ahead and
    leaves the notes it can't open sealed. `forget_key` deletes the key from the keychain, but
    only once no note in the whole folder (any device) still needs it. Call off the GUI thread.
    """
    try:
        key = secrets.get_notes_key()
    except SecretsUnavailable as exc:
        raise PrivacyError(
            f"notes can't be decrypted: {keyring_reason(exc.status)}; nothing was changed"
        ) from exc
    cipher = cipher_from(key) if key is not None else None
    result = decrypt_notes(data_dir, device_id, cipher, now=now)
    # Turned off on another device first: this device's `off` is its agreement to store
    # notes unencrypted from now on.
    try:
        marker = read_marker(data_dir)
    except MarkerError:
        marker = None
    if marker is not None and not marker.enabled and marker.changed_by != device_id:
        agree_to_plain(data_dir, device_id, marker)
    if forget_key and cipher is not None:
        status = notes_status(data_dir, cipher)
        if status.encrypted == 0 and not status.unreadable_with_key(cipher.key_id):
            try:
                deleted = secrets.delete_notes_key()
            except SecretsUnavailable:
                deleted = False
            result = replace(result, key_deleted=deleted)
    return result


# Status -----------------------------------------------------------------------------------


class EncryptionMode(Enum):
    ON = "on"
    OFF = "off"
    UNDECIDED = "undecided"  # no marker yet: nobody has chosen


@dataclass(frozen=True)
class NotesStatus:
    """How the notes of the whole data folder (every device) are stored right now."""

    marker: EncryptionMarker | None
    marker_problem: str | None
    plaintext: int
    plaintext_own: int
    encrypted: int
    encrypted_own: int
    unreadable: Mapping[str, list[str]]
    unreadable_key_ids: Mapping[str, list[str]]
    files_skipped: Mapping[str, str]
    quarantined_files: int

    @property
    def mode(self) -> EncryptionMode:
        if self.marker is None:
            return EncryptionMode.UNDECIDED
        return EncryptionMode.ON if self.marker.enabled else EncryptionMode.OFF

    @property
    def unreadable_count(self) -> int:
        return sum(len(ids) for ids in self.unreadable.values())

    def unreadable_ids(self) -> list[str]:
        return sorted({i for ids in self.unreadable.values() for i in ids})

    def unreadable_with_key(self, key_id: str) -> list[str]:
        return self.unreadable_key_ids.get(key_id, [])


def notes_status(
    data_dir: Path, cipher: NoteCipher | None, *, device_id: str | None = None
) -> NotesStatus:
    """Count plain, encrypted and unreadable notes in every shard (read only, no lock)."""
    marker_problem = None
    try:
        marker = read_marker(data_dir)
    except MarkerError as exc:
        marker, marker_problem = None, f"{exc.path} can't be read ({exc.reason})"
    plaintext = plaintext_own = encrypted = encrypted_own = 0
    unreadable: dict[str, list[str]] = {}
    by_key: dict[str, list[str]] = {}
    skipped: dict[str, str] = {}
    for path in _all_shards(data_dir):
        own = device_id is not None and path.parent.name == device_id
        try:
            docs = _entry_docs(path)
        except UnreadableFile as exc:
            skipped[str(path.relative_to(data_dir))] = exc.reason
            continue
        except NewerFormat as exc:
            skipped[str(path.relative_to(data_dir))] = f"format {exc.version} is newer"
            continue
        except FileNotFoundError:
            continue
        for doc in docs.values():
            entry_id = _entry_id(doc) or str(doc.get("id"))
            sealed = doc.get(NOTE_ENCRYPTED_FIELD)
            if sealed is None:
                if isinstance(doc.get("note"), str):
                    plaintext += 1
                    plaintext_own += own
                continue
            try:
                open_sealed(cipher, sealed, entry_id, "no notes key is at hand")
            except UndecryptableNote as exc:
                unreadable.setdefault(exc.reason, []).append(entry_id)
                kid = sealed.get("kid") if isinstance(sealed, Mapping) else None
                by_key.setdefault(str(kid), []).append(entry_id)
            else:
                encrypted += 1
                encrypted_own += own
    quarantine = data_dir / QUARANTINE_DIR
    quarantined = sum(1 for p in quarantine.rglob("*") if p.is_file()) if quarantine.is_dir() else 0
    return NotesStatus(
        marker,
        marker_problem,
        plaintext,
        plaintext_own,
        encrypted,
        encrypted_own,
        unreadable,
        by_key,
        skipped,
        quarantined,
    )


# Exports ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportNotes:
    """What an export did with notes: how many it left out, how many it couldn't read."""

    included: bool
    with_notes: int
    unreadable: int

    def message(self) -> str | None:
        """A sentence for the user, or None when there is nothing to say."""
        if not self.included and self.with_notes:
            return (
                f"{counted(self.with_notes, 'note')} left out of the export; add "
                "--include-notes to export them in plain text."
            )
        if self.included and self.unreadable:
            return (
                f"{counted(self.unreadable, 'note')} could not be read and "
                f"{'is' if self.unreadable == 1 else 'are'} exported as a placeholder."
            )
        return None


_NOTE_FIELDS = ("note", NOTE_ENCRYPTED_FIELD, REPLACED_NOTES_FIELD)


def entries_for_export(
    entries: Iterable[Entry], *, include_notes: bool
) -> tuple[list[Entry], ExportNotes]:
    """The entries an export may write: without any note (plain or encrypted) unless
    `include_notes`, which the user must ask for, since the export is plain text."""
    out: list[Entry] = []
    with_notes = unreadable = 0
    for entry in entries:
        has_note = entry.note is not None or any(k in entry.extra for k in _NOTE_FIELDS)
        with_notes += has_note
        unreadable += entry.note_unreadable
        if include_notes or not has_note:
            out.append(entry)
            continue
        extra = {k: v for k, v in entry.extra.items() if k not in _NOTE_FIELDS}
        out.append(replace(entry, note=None, extra=extra))
    return out, ExportNotes(include_notes, with_notes, unreadable)
