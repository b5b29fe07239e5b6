"""Notes encrypted at rest with AES-256-GCM, and the data folder's encryption marker.

An encrypted note replaces `note` (then null) with `note_encrypted`: version, key id, nonce
and ciphertext. The entry id is authenticated with it, so a note copied onto another entry
fails to open. The folder's encryption state says whether notes are encrypted and with which
key id (never the key), so every device and the command line agree. It is a shared record
(kind "encryption", key "notes"; `sec_desktop.store.shared_records`), so two devices changing
it at once leave no conflict copy and the later change wins on both; the single
`<data_dir>/encryption.json` of earlier versions is read until a device migrates it. No Qt here.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from sec_desktop.store.atomic import keep_aside
from sec_desktop.store.entry import NOTE_ENCRYPTED_FIELD, Entry, format_utc
from sec_desktop.store.hlc import HybridClock
from sec_desktop.store.shared_records import (
    RecordSet,
    SharedRecords,
    SharedRecordsError,
    read_records,
    shared_dir,
)

SEALED_VERSION = 1
SEALED_ALGORITHM = "AES-256-GCM"
NONCE_BYTES = 12
KEY_BYTES = 32
# Notes that could not be read and were later replaced by the user: their ciphertext is kept
# here, so that the old key, if it turns up, can still open them.
REPLACED_NOTES_FIELD = "notes_encrypted_replaced"
UNREADABLE_NOTE = "[Encrypted note: the key to read it is not available on this device.]"
MARKER_FILE = "encryption.json"
MARKER_FORMAT = "sec-desktop/encryption"
MARKER_VERSION = 1
ENCRYPTION_KIND = "encryption"
NOTES_KEY = "notes"
# The notes key wrapped by the user's passphrase (see sec_desktop.privacy.key_wrap).
SHARED_KEY_RECORD = "wrapped/passphrase"
MIGRATED_MARKER_INFIX = ".migrated-"
UNLOCK_HINT = (
    "unlock the folder's key on this device with `sec-desktop encryption unlock` (it asks for "
    "the passphrase set on the device that turned encryption on)"
)
LISTED_IDS = 10


class UndecryptableNote(Exception):
    """A sealed note that can't be opened with the key at hand; `reason` is for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NoteKeyUnavailable(Exception):
    """No key to encrypt or decrypt notes with; the message says why in the user's words."""


class MarkerError(Exception):
    """`encryption.json` exists but can't be trusted."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object, what: str) -> bytes:
    if not isinstance(text, str):
        raise UndecryptableNote(f"its {what} is missing")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise UndecryptableNote(f"its {what} is not valid base64") from exc


class NoteCipher:
    """Encrypts and decrypts notes with one AES-256 key known by `key_id`."""

    __slots__ = ("_aead", "key_id")

    def __init__(self, key: bytes, key_id: str) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError(f"a notes key has {KEY_BYTES} bytes, not {len(key)}")
        if not key_id:
            raise ValueError("a notes key needs an id")
        # Imported here: cryptography's bindings cost the tray ~6 MB, paid only once a key exists.
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self._aead = AESGCM(key)
        self.key_id = key_id

    def __repr__(self) -> str:
        return f"NoteCipher(key_id={self.key_id!r})"

    def _associated(self, entry_id: str, key_id: str) -> bytes:
        return f"sec-desktop/note/v{SEALED_VERSION}\0{entry_id}\0{key_id}".encode()

    def seal(self, note: str, entry_id: str) -> dict[str, Any]:
        """The stored form of `note` for the entry `entry_id`; a fresh nonce every time."""
        nonce = os.urandom(NONCE_BYTES)
        ciphertext = self._aead.encrypt(
            nonce, note.encode("utf-8"), self._associated(entry_id, self.key_id)
        )
        return {
            "v": SEALED_VERSION,
            "alg": SEALED_ALGORITHM,
            "kid": self.key_id,
            "nonce": _b64(nonce),
            "ct": _b64(ciphertext),
        }

    def open(self, sealed: object, entry_id: str) -> str:
        """The note inside `sealed`; UndecryptableNote names the reason it can't be read."""
        if not isinstance(sealed, Mapping):
            raise UndecryptableNote("its encrypted form is not an object")
        if sealed.get("v") != SEALED_VERSION or sealed.get("alg") != SEALED_ALGORITHM:
            raise UndecryptableNote(
                f"it uses an encryption format this version doesn't know "
                f"({sealed.get('alg')!r} version {sealed.get('v')!r})"
            )
        key_id = sealed.get("kid")
        if key_id != self.key_id:
            raise UndecryptableNote(
                f"it was encrypted with key {key_id}, and the key at hand is {self.key_id}"
            )
        nonce = _unb64(sealed.get("nonce"), "nonce")
        ciphertext = _unb64(sealed.get("ct"), "ciphertext")
        if len(nonce) != NONCE_BYTES:
            raise UndecryptableNote("its nonce has the wrong length")
        from cryptography.exceptions import InvalidTag

        try:
            plain = self._aead.decrypt(nonce, ciphertext, self._associated(entry_id, key_id))
        except InvalidTag as exc:
            raise UndecryptableNote(
                "its ciphertext does not verify (damaged, or moved from another entry)"
            ) from exc
        try:
            return plain.decode("utf-8")
        except UnicodeDecodeError as exc:  # pragma: no cover - authenticated, so ours
            raise UndecryptableNote("its text is not UTF-8") from exc


def open_sealed(cipher: NoteCipher | None, sealed: object, entry_id: str, no_key: str) -> str:
    """`cipher.open`, or UndecryptableNote(`no_key`) when there is no cipher."""
    if cipher is None:
        raise UndecryptableNote(no_key)
    return cipher.open(sealed, entry_id)


# The marker ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EncryptionMarker:
    """What `encryption.json` says: notes encrypted or not, and with which key id."""

    enabled: bool
    key_id: str | None
    changed: str | None = None
    changed_by: str | None = None


def marker_path(data_dir: Path) -> Path:
    """The single file of earlier versions (read until migrated)."""
    return data_dir / MARKER_FILE


def encryption_records_dir(data_dir: Path) -> Path:
    return shared_dir(data_dir, ENCRYPTION_KIND)


def _read_legacy_marker(data_dir: Path) -> EncryptionMarker | None:
    path = marker_path(data_dir)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise MarkerError(path, f"it is not valid JSON ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("format") != MARKER_FORMAT:
        raise MarkerError(path, "it is not an SEC Desktop encryption settings file")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise MarkerError(path, "its version is missing")
    if version > MARKER_VERSION:
        raise MarkerError(path, f"a newer SEC Desktop wrote it (version {version})")
    enabled = doc.get("notes_encrypted")
    key_id = doc.get("key_id")
    _check_marker(path, enabled, key_id)
    changed, by = doc.get("changed"), doc.get("changed_by")
    return EncryptionMarker(
        bool(enabled),
        key_id,
        changed if isinstance(changed, str) else None,
        by if isinstance(by, str) else None,
    )


def _check_marker(path: Path, enabled: object, key_id: object) -> None:
    if not isinstance(enabled, bool):
        raise MarkerError(path, "notes_encrypted must be true or false")
    if not (key_id is None or (isinstance(key_id, str) and key_id)):
        raise MarkerError(path, "key_id must be text or null")
    if enabled and key_id is None:
        raise MarkerError(path, "notes are marked encrypted but no key_id is given")


def marker_from_records(records: RecordSet, data_dir: Path) -> EncryptionMarker | None:
    """The marker the merged encryption records hold; None when they hold none."""
    merged = records.merged.get(NOTES_KEY)
    folder = encryption_records_dir(data_dir)
    if merged is None or merged.winner.deleted:
        if records.problems:
            path, reason = next(iter(records.problems.items()))
            raise MarkerError(path, reason)
        return None
    value = merged.winner.value
    path = folder / f"{merged.winner.device}.json"
    if not isinstance(value, dict):
        raise MarkerError(path, "its notes record must be an object")
    enabled, key_id = value.get("notes_encrypted"), value.get("key_id")
    _check_marker(path, enabled, key_id)
    # The key the user shared with a passphrase is the folder's key. A device that turned
    # encryption on by itself before the shared key synced in named its own key here; every
    # device writes with the shared one, and that device re-seals its notes when it unlocks.
    shared = records.get(SHARED_KEY_RECORD)
    shared_id = shared.get("key_id") if isinstance(shared, dict) else None
    if enabled and isinstance(shared_id, str) and shared_id:
        key_id = shared_id
    return EncryptionMarker(
        bool(enabled), key_id, format_utc(merged.winner.stamp.wall), merged.winner.device
    )


def read_marker(data_dir: Path) -> EncryptionMarker | None:
    """The marker, or None when nobody has decided yet; MarkerError when it is damaged.

    The shared records win; the old `encryption.json` counts only while no device has
    recorded the state (a device that has not migrated it yet).
    """
    marker = marker_from_records(read_records(data_dir, ENCRYPTION_KIND), data_dir)
    return marker if marker is not None else _read_legacy_marker(data_dir)


def encryption_records(
    data_dir: Path, device: str, clock: HybridClock | None = None
) -> SharedRecords:
    return SharedRecords(data_dir, ENCRYPTION_KIND, device, clock)


def migrate_marker(data_dir: Path, device: str, now: datetime) -> str | None:
    """Move `encryption.json` of earlier versions into this device's encryption record, when
    no device has recorded the state yet, and keep the file aside as
    `encryption.json.migrated-<time>`. A damaged file stays (MarkerError reports it)."""
    path = marker_path(data_dir)
    try:
        legacy = _read_legacy_marker(data_dir)
    except MarkerError:
        return None
    if legacy is None:
        return None
    records = encryption_records(data_dir, device)
    if NOTES_KEY not in records.read().merged:
        value = {"notes_encrypted": legacy.enabled, "key_id": legacy.key_id}
        records.write({NOTES_KEY: value}, expect={NOTES_KEY: None})
    target = keep_aside(path, now, MIGRATED_MARKER_INFIX)
    return (
        f"The encryption settings were moved from {path.name}; the old file is kept as "
        f"{target.name}."
    )


PLAIN_AGREED = "plain-agreed/"


def _marker_identity(marker: EncryptionMarker) -> dict[str, Any]:
    return {"changed": marker.changed, "changed_by": marker.changed_by}


def plain_agreed(data_dir: Path, device: str, marker: EncryptionMarker) -> bool:
    """Whether `device` agreed to store notes unencrypted since `marker` turned encryption off."""
    agreed = read_records(data_dir, ENCRYPTION_KIND).get(PLAIN_AGREED + device)
    return bool(agreed == _marker_identity(marker))


def agree_to_plain(data_dir: Path, device: str, marker: EncryptionMarker) -> None:
    """Record that `device` agreed to store notes unencrypted, as `marker` says."""
    encryption_records(data_dir, device).write({PLAIN_AGREED + device: _marker_identity(marker)})


def write_marker(
    data_dir: Path, *, enabled: bool, key_id: str | None, device: str, now: datetime
) -> EncryptionMarker:
    """Record the encryption state as this device's record; the key itself never goes here."""
    migrate_marker(data_dir, device, now)
    records = encryption_records(data_dir, device)
    try:
        records.write({NOTES_KEY: {"notes_encrypted": enabled, "key_id": key_id}})
    except SharedRecordsError as exc:
        raise MarkerError(records.own_file, str(exc)) from exc
    marker = read_marker(data_dir)
    return marker if marker is not None else EncryptionMarker(enabled, key_id, None, device)


# The store's side ------------------------------------------------------------------------

# A ready cipher, or a callable that fetches one when first needed (raising
# NoteKeyUnavailable), so a store that never meets an encrypted note never asks the keychain.
NoteKeySource = NoteCipher | Callable[[], NoteCipher]


def _keeps_placeholder(entry: Entry) -> bool:
    """A sealed note nobody replaced: its ciphertext is kept as is. That is an unreadable
    note still showing the placeholder, or a raw entry never opened (a backup's, say)."""
    return entry.note_unreadable and entry.note in (UNREADABLE_NOTE, None)


def _conflict_notes(entry: Entry) -> list[str]:
    """Notes kept as conflicts (store/merge.py): they are sealed like the note itself."""
    held = entry.stamps.conflicts if entry.stamps is not None else ()
    return [c.value for c in held if c.field == "note" and isinstance(c.value, str)]


def _carries_new_note(entry: Entry) -> bool:
    return (entry.note is not None and not _keeps_placeholder(entry)) or any(
        note != UNREADABLE_NOTE for note in _conflict_notes(entry)
    )


def _listed(ids: list[str]) -> str:
    shown = ", ".join(ids[:LISTED_IDS])
    more = f" and {len(ids) - LISTED_IDS} more" if len(ids) > LISTED_IDS else ""
    return shown + more


class NoteCodec:
    """Turns entries into stored documents and back, sealing and opening notes.

    The store owns one. Notes it can't open read as the placeholder and are reported, except
    when no key source was given at all (the caller did not ask for notes). A plaintext note
    is never written while the marker says notes are encrypted.
    """

    def __init__(
        self, data_dir: Path, source: NoteKeySource | None, device_id: str | None = None
    ) -> None:
        self.data_dir = data_dir
        self.device_id = device_id
        self._source = source
        self._cipher: NoteCipher | None = source if isinstance(source, NoteCipher) else None
        self._failure: str | None = None if source is not None else "no key was given"
        self._plan: NoteCipher | None = None
        self._planned = False

    def cipher(self) -> NoteCipher | None:
        """The key at hand, fetched once on first need; None when it can't be had."""
        if self._cipher is None and self._failure is None and self._source is not None:
            try:
                self._cipher = self._source()  # type: ignore[operator]
            except NoteKeyUnavailable as exc:
                self._failure = str(exc)
        return self._cipher

    def failure(self) -> str | None:
        """Why no key is at hand (after `cipher()` returned None)."""
        return self._failure

    # Reading ---------------------------------------------------------------------------

    def open(self, doc: dict[str, Any], unreadable: dict[str, list[str]]) -> dict[str, Any]:
        """A stored document with its note decrypted, or set to the placeholder with the
        ciphertext kept (the entry's `note_unreadable` then holds).

        Works on the document, before Entry.from_json, so an entry is built once. An
        unreadable note's entry id is added to `unreadable` under the reason.
        """
        if "conflicts" in doc:
            doc = self._open_conflict_notes(doc, unreadable)
        sealed = doc.get(NOTE_ENCRYPTED_FIELD)
        if sealed is None:
            return doc
        cipher = self.cipher()
        if cipher is None and self._source is None:
            # Nobody asked for notes (a report, say): show the placeholder, report nothing.
            return {**doc, "note": UNREADABLE_NOTE}
        entry_id = doc.get("id")
        entry_id = entry_id if isinstance(entry_id, str) else ""
        try:
            note = open_sealed(cipher, sealed, entry_id, self._failure or "no key is at hand")
        except UndecryptableNote as exc:
            unreadable.setdefault(exc.reason, []).append(entry_id)
            return {**doc, "note": UNREADABLE_NOTE}
        opened = {k: v for k, v in doc.items() if k != NOTE_ENCRYPTED_FIELD}
        opened["note"] = note
        return opened

    def _open_conflict_notes(
        self, doc: dict[str, Any], unreadable: dict[str, list[str]]
    ) -> dict[str, Any]:
        conflicts = doc.get("conflicts")
        if not isinstance(conflicts, list) or not any(
            isinstance(c, dict) and isinstance(c.get("value"), dict) and c.get("field") == "note"
            for c in conflicts
        ):
            return doc
        entry_id = doc.get("id") if isinstance(doc.get("id"), str) else ""
        opened = []
        for conflict in conflicts:
            value = conflict.get("value") if isinstance(conflict, dict) else None
            if conflict.get("field") == "note" and isinstance(value, dict):
                try:
                    text = open_sealed(
                        self.cipher(), value.get("sealed"), str(entry_id), self._failure or ""
                    )
                except UndecryptableNote as exc:
                    if self._source is not None:
                        unreadable.setdefault(exc.reason, []).append(str(entry_id))
                    opened.append(conflict)  # kept sealed, so that no save loses it
                    continue
                opened.append({**conflict, "value": text})
                continue
            opened.append(conflict)
        return {**doc, "conflicts": opened}

    @staticmethod
    def unreadable_problem(reason: str, ids: list[str]) -> tuple[str, str]:
        """(reason, action) for the store's problem list, naming the entries."""
        noun = "entry" if len(ids) == 1 else f"{len(ids)} entries"
        return (
            f"the encrypted note of {noun} ({_listed(ids)}) can't be opened: {reason}",
            "the encrypted notes were kept unchanged and show as unreadable",
        )

    # Writing ---------------------------------------------------------------------------

    def prepare(self, entries: Iterable[Entry]) -> str | None:
        """Decide how to store the notes of a batch; a sentence saying why not, or None.

        Called under the write lock before anything is written, so a refusal changes nothing.
        """
        self._plan, self._planned = None, True
        needs_key = any(_carries_new_note(e) for e in entries)
        try:
            marker = read_marker(self.data_dir)
        except MarkerError as exc:
            if not needs_key:
                return None
            self._planned = False
            return (
                f"the encryption settings in {exc.path} can't be read ({exc.reason}), so notes "
                "can't be saved until that file is fixed"
            )
        if marker is None or not marker.enabled or not needs_key:
            return self._refuse_unagreed_plain(marker) if marker and needs_key else None
        cipher = self.cipher()
        if cipher is None:
            self._planned = False
            return (
                "notes in this data folder are encrypted and the key is not available "
                f"({self._failure}); the entry was not saved, so its note isn't written "
                f"unencrypted; {UNLOCK_HINT}"
            )
        if cipher.key_id != marker.key_id:
            self._planned = False
            return (
                f"notes in this data folder are encrypted with key {marker.key_id}, but this "
                f"device's key is {cipher.key_id}; the entry was not saved; {UNLOCK_HINT}"
            )
        self._plan = cipher
        return None

    def _refuse_unagreed_plain(self, marker: EncryptionMarker) -> str | None:
        """A sentence refusing a plain note when another device turned encryption off and this
        one, which holds the key, has not agreed yet; None when a plain note may be written."""
        by = marker.changed_by
        if self.device_id is None or by is None or by == self.device_id or marker.key_id is None:
            return None
        if plain_agreed(self.data_dir, self.device_id, marker):
            return None
        cipher = self.cipher()
        if cipher is None or cipher.key_id != marker.key_id:
            return None  # this device never encrypted with the folder's key: nothing changes
        self._planned = False
        return (
            f"encryption of notes was turned off on device {by} ({marker.changed}), and this "
            "device won't store a note unencrypted until you agree: run `sec-desktop "
            "encryption off` here to agree, or `sec-desktop encryption on` to turn it back on "
            "for every device; the entry was not saved"
        )

    def encode(self, entry: Entry) -> dict[str, Any]:
        """The stored document of `entry`, its note sealed when the plan says so."""
        if not self._planned:
            refusal = self.prepare([entry])
            if refusal is not None:
                raise NoteKeyUnavailable(refusal)
        doc = entry.to_json()
        sealed = doc.pop(NOTE_ENCRYPTED_FIELD, None)
        if sealed is not None:
            if _keeps_placeholder(entry):
                doc["note"] = None
                doc[NOTE_ENCRYPTED_FIELD] = sealed
                return doc
            # The user replaced a note nobody could read: keep its ciphertext anyway.
            previous = doc.get(REPLACED_NOTES_FIELD)
            doc[REPLACED_NOTES_FIELD] = [*(previous if isinstance(previous, list) else ()), sealed]
        if entry.note is not None and self._plan is not None:
            doc["note"] = None
            doc[NOTE_ENCRYPTED_FIELD] = self._plan.seal(entry.note, entry.id)
        if self._plan is not None and _conflict_notes(entry):
            plan = self._plan
            doc["conflicts"] = [
                {**c, "value": {"sealed": plan.seal(c["value"], entry.id)}}
                if c["field"] == "note" and isinstance(c["value"], str)
                else c
                for c in doc["conflicts"]
            ]
        return doc
