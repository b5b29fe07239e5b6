"""Notes at rest: AES-GCM sealing, the store's use of it, and lost keys that lose nothing."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sec_desktop.privacy.keychain import key_id_for
from sec_desktop.store import Entry, EntryStore, StoreError
from sec_desktop.store.entry import NOTE_ENCRYPTED_FIELD
from sec_desktop.store.notes_crypto import (
    MARKER_FILE,
    REPLACED_NOTES_FIELD,
    UNREADABLE_NOTE,
    MarkerError,
    NoteCipher,
    NoteKeyUnavailable,
    UndecryptableNote,
    migrate_marker,
    read_marker,
    write_marker,
)
from sec_desktop.store.store import read_shard_file
from tests.helpers.entries import make_entry
from tests.helpers.ids import INCIDENT

DEVICE = "laptop-1"
NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
MARKER = "MARKER-breach-at-acme-7f3a"


def make_cipher(seed: int = 1) -> NoteCipher:
    key = bytes([seed]) * 32
    return NoteCipher(key, key_id_for(key))


def new_entry(note: str | None, *, hours_ago: int = 2) -> Entry:
    return make_entry(
        NOW - timedelta(hours=hours_ago), 30, INCIDENT, device=DEVICE, note=note, now=NOW
    )


def turn_on(data_dir: Path, cipher: NoteCipher) -> None:
    write_marker(data_dir, enabled=True, key_id=cipher.key_id, device=DEVICE, now=NOW)


def raw_docs(data_dir: Path) -> dict[str, dict]:
    return {
        doc["id"]: doc
        for path in sorted((data_dir / "entries").glob("*/*.json"))
        for doc in read_shard_file(path)
    }


def files_containing(data_dir: Path, needle: bytes) -> list[Path]:
    return [p for p in data_dir.rglob("*") if p.is_file() and needle in p.read_bytes()]


# The cipher -------------------------------------------------------------------------------


def test_seal_and_open_round_trip() -> None:
    cipher = make_cipher()
    sealed = cipher.seal(MARKER, "entry-1")
    assert set(sealed) == {"v", "alg", "kid", "nonce", "ct"}
    assert sealed["v"] == 1
    assert sealed["alg"] == "AES-256-GCM"
    assert sealed["kid"] == cipher.key_id
    assert MARKER not in orjson.dumps(sealed).decode()
    assert cipher.open(sealed, "entry-1") == MARKER


def test_every_seal_uses_a_fresh_nonce() -> None:
    cipher = make_cipher()
    first, second = cipher.seal("same", "e"), cipher.seal("same", "e")
    assert first["nonce"] != second["nonce"]
    assert first["ct"] != second["ct"]


def test_a_note_moved_to_another_entry_does_not_open() -> None:
    cipher = make_cipher()
    sealed = cipher.seal(MARKER, "entry-1")
    with pytest.raises(UndecryptableNote, match="moved from another entry"):
        cipher.open(sealed, "entry-2")


def test_another_key_does_not_open_and_says_which_key() -> None:
    sealed = make_cipher(1).seal(MARKER, "e")
    other = make_cipher(2)
    with pytest.raises(UndecryptableNote, match=make_cipher(1).key_id):
        other.open(sealed, "e")
    # Same id claimed by a different key: authentication still fails.
    forged = NoteCipher(bytes([3]) * 32, make_cipher(1).key_id)
    with pytest.raises(UndecryptableNote, match="does not verify"):
        forged.open(sealed, "e")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ct": "AAAA"}, "does not verify"),
        ({"ct": "not base64!"}, "not valid base64"),
        ({"nonce": "AAAA"}, "nonce has the wrong length"),
        ({"v": 2}, "format this version doesn't know"),
        ({"nonce": None}, "nonce is missing"),
    ],
)
def test_damaged_sealed_notes_fail_with_a_reason(change: dict, message: str) -> None:
    cipher = make_cipher()
    sealed = {**cipher.seal(MARKER, "e"), **change}
    with pytest.raises(UndecryptableNote, match=message):
        cipher.open(sealed, "e")


def test_a_key_must_be_32_bytes() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        NoteCipher(b"short", "id")


@settings(max_examples=200, deadline=None)
@given(note=st.text(), entry_id=st.uuids().map(str))
def test_any_text_round_trips(note: str, entry_id: str) -> None:
    cipher = make_cipher()
    assert cipher.open(cipher.seal(note, entry_id), entry_id) == note


# The marker -------------------------------------------------------------------------------


def test_marker_records_state_and_key_id_never_the_key(tmp_path: Path) -> None:
    assert read_marker(tmp_path) is None
    cipher = make_cipher()
    turn_on(tmp_path, cipher)
    marker = read_marker(tmp_path)
    assert marker is not None
    assert marker.enabled
    assert marker.key_id == cipher.key_id
    assert marker.changed_by == DEVICE
    # A record of this device's, in the shared folder every device merges; no single file.
    assert not (tmp_path / MARKER_FILE).exists()
    own = tmp_path / "shared" / "encryption" / f"{DEVICE}.json"
    raw = own.read_bytes()
    assert (bytes([1]) * 32) not in raw
    assert b"AQEBAQEB" not in raw  # the key's base64
    if os.name == "posix":
        assert own.stat().st_mode & 0o777 == 0o600


def test_an_old_marker_file_is_read_then_migrated_and_kept_aside(tmp_path: Path) -> None:
    cipher = make_cipher()
    (tmp_path / MARKER_FILE).write_bytes(
        b'{"format": "sec-desktop/encryption", "version": 1, "notes_encrypted": true, '
        b'"key_id": "' + cipher.key_id.encode() + b'"}'
    )
    before = read_marker(tmp_path)
    assert before is not None and before.enabled and before.key_id == cipher.key_id
    moment = datetime(2026, 3, 1, tzinfo=UTC)
    assert migrate_marker(tmp_path, DEVICE, moment) is not None
    assert not (tmp_path / MARKER_FILE).exists()
    assert (tmp_path / "encryption.json.migrated-20260301T000000Z").exists()
    after = read_marker(tmp_path)
    assert after is not None and (after.enabled, after.key_id) == (True, cipher.key_id)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{", "not valid JSON"),
        (b"[]", "not an SEC Desktop encryption settings file"),
        (b'{"format": "sec-desktop/encryption", "version": 9}', "newer SEC Desktop"),
        (
            b'{"format": "sec-desktop/encryption", "version": 1, "notes_encrypted": true, '
            b'"key_id": null}',
            "no key_id",
        ),
    ],
)
def test_a_damaged_marker_is_named(tmp_path: Path, content: bytes, reason: str) -> None:
    (tmp_path / MARKER_FILE).write_bytes(content)
    with pytest.raises(MarkerError, match=reason):
        read_marker(tmp_path)


# The store --------------------------------------------------------------------------------


def test_with_encryption_on_no_note_text_reaches_the_data_folder(tmp_path: Path) -> None:
    cipher = make_cipher()
    turn_on(tmp_path, cipher)
    store = EntryStore(tmp_path, DEVICE, clock=lambda: NOW, cipher=cipher)
    notes = [f"{MARKER} {i} — Grüße" for i in range(5)]
    added = [store.add(new_entry(note, hours_ago=2 + i)) for i, note in enumerate(notes)]
    edited = store.update(added[0].edited(NOW, note=f"{MARKER} edited"))
    store.delete(added[1].id)  # a tombstone keeps its note, sealed too
    store.close()
    assert files_containing(tmp_path, MARKER.encode()) == []
    assert files_containing(tmp_path, "Grüße".encode()) == []
    docs = raw_docs(tmp_path)
    assert all(doc["note"] is None and doc[NOTE_ENCRYPTED_FIELD] for doc in docs.values())
    reader = EntryStore(tmp_path, DEVICE, cipher=cipher)
    by_id = {e.id: e for e in reader.entries(include_deleted=True)}
    assert by_id[edited.id].note == f"{MARKER} edited"
    assert [by_id[e.id].note for e in added[2:]] == notes[2:]
    assert by_id[added[1].id].is_deleted
    assert by_id[added[1].id].note == notes[1]
    assert not any(e.note_unreadable for e in by_id.values())
    assert reader.problems == []


def test_with_encryption_off_a_cipher_does_not_encrypt(tmp_path: Path) -> None:
    cipher = make_cipher()
    write_marker(tmp_path, enabled=False, key_id=None, device=DEVICE, now=NOW)
    store = EntryStore(tmp_path, DEVICE, cipher=cipher)
    entry = store.add(new_entry(MARKER))
    assert raw_docs(tmp_path)[entry.id]["note"] == MARKER
    # The grep the other tests rely on does find a plain note.
    assert len(files_containing(tmp_path, MARKER.encode())) == 1


def test_with_encryption_on_and_no_key_a_note_is_refused_not_written_plain(
    tmp_path: Path,
) -> None:
    turn_on(tmp_path, make_cipher())
    store = EntryStore(tmp_path, DEVICE)
    with pytest.raises(StoreError, match="encrypted and the key is not available"):
        store.add(new_entry(MARKER))
    assert files_containing(tmp_path, MARKER.encode()) == []
    assert store.entries() == []
    # Entries without notes still save.
    assert store.add(new_entry(None)).note is None


def test_a_key_source_that_fails_gives_its_reason(tmp_path: Path) -> None:
    turn_on(tmp_path, make_cipher())

    def locked() -> NoteCipher:
        raise NoteKeyUnavailable("the keychain is locked")

    store = EntryStore(tmp_path, DEVICE, cipher=locked)
    with pytest.raises(StoreError, match="the keychain is locked"):
        store.add(new_entry(MARKER))


def test_the_key_source_is_asked_only_when_a_note_needs_it(tmp_path: Path) -> None:
    cipher = make_cipher()
    calls = []

    def source() -> NoteCipher:
        calls.append(1)
        return cipher

    store = EntryStore(tmp_path, DEVICE, cipher=source)
    store.add(new_entry("plain, encryption undecided"))
    store.add(new_entry(None, hours_ago=5))
    store.entries()
    assert calls == []
    turn_on(tmp_path, cipher)
    store.add(new_entry(MARKER, hours_ago=8))
    store.add(new_entry(MARKER, hours_ago=9))
    assert calls == [1]  # fetched once, then kept


def test_a_key_that_differs_from_the_marker_is_refused(tmp_path: Path) -> None:
    turn_on(tmp_path, make_cipher(1))
    store = EntryStore(tmp_path, DEVICE, cipher=make_cipher(2))
    with pytest.raises(StoreError, match="encrypted with key"):
        store.add(new_entry(MARKER))
    assert files_containing(tmp_path, MARKER.encode()) == []


def test_a_damaged_marker_blocks_notes_only(tmp_path: Path) -> None:
    (tmp_path / MARKER_FILE).write_bytes(b"{not json")
    store = EntryStore(tmp_path, DEVICE, cipher=make_cipher())
    with pytest.raises(StoreError, match=MARKER_FILE):
        store.add(new_entry(MARKER))
    assert store.add(new_entry(None)).note is None


def test_a_lost_key_keeps_the_ciphertext_and_names_the_entries(tmp_path: Path) -> None:
    old = make_cipher(1)
    turn_on(tmp_path, old)
    writer = EntryStore(tmp_path, DEVICE, clock=lambda: NOW, cipher=old)
    first = writer.add(new_entry(f"{MARKER} one", hours_ago=2))
    second = writer.add(new_entry(f"{MARKER} two", hours_ago=4))
    plain_entry = writer.add(new_entry(None, hours_ago=6))
    writer.close()
    before = raw_docs(tmp_path)
    shard_bytes = {p: p.read_bytes() for p in (tmp_path / "entries").rglob("*.json")}

    # The keychain was wiped: this device now only has some other key.
    reader = EntryStore(tmp_path, DEVICE, clock=lambda: NOW, cipher=make_cipher(2))
    by_id = {e.id: e for e in reader.entries()}
    for entry_id in (first.id, second.id):
        assert by_id[entry_id].note == UNREADABLE_NOTE
        assert by_id[entry_id].note_unreadable
    assert not by_id[plain_entry.id].note_unreadable
    (problem,) = reader.problems
    assert first.id in problem.message()
    assert second.id in problem.message()
    assert "2 entries" in problem.reason
    assert "kept unchanged" in problem.action
    assert {p: p.read_bytes() for p in shard_bytes} == shard_bytes

    # Editing such an entry keeps its ciphertext, byte for byte; the placeholder is not saved.
    moved = reader.update(by_id[first.id].edited(NOW, activity="strategy"))
    assert moved.note == UNREADABLE_NOTE
    after = raw_docs(tmp_path)[first.id]
    assert after["activity"] == "strategy"
    assert after["note"] is None
    assert after[NOTE_ENCRYPTED_FIELD] == before[first.id][NOTE_ENCRYPTED_FIELD]
    assert files_containing(tmp_path, UNREADABLE_NOTE.encode()) == []

    # With the old key back, the edited entry's note opens again.
    found = EntryStore(tmp_path, DEVICE, cipher=old).get(first.id)
    assert found is not None
    assert found.note == f"{MARKER} one"
    assert found.activity == "strategy"


def test_without_any_key_source_sealed_notes_read_as_quiet_placeholders(
    tmp_path: Path,
) -> None:
    cipher = make_cipher()
    turn_on(tmp_path, cipher)
    EntryStore(tmp_path, DEVICE, cipher=cipher).add(new_entry(MARKER))
    reader = EntryStore(tmp_path, DEVICE)
    (read,) = reader.entries()
    assert read.note == UNREADABLE_NOTE
    assert read.note_unreadable
    assert reader.problems == []  # nobody asked for notes


def test_a_key_source_without_a_key_reports_the_notes_it_cannot_open(tmp_path: Path) -> None:
    cipher = make_cipher()
    turn_on(tmp_path, cipher)
    entry = EntryStore(tmp_path, DEVICE, cipher=cipher).add(new_entry(MARKER))

    def wiped() -> NoteCipher:
        raise NoteKeyUnavailable("the keychain holds no notes key")

    reader = EntryStore(tmp_path, DEVICE, cipher=wiped)
    (read,) = reader.entries()
    assert read.note == UNREADABLE_NOTE
    (problem,) = reader.problems
    assert entry.id in problem.message()
    assert "the keychain holds no notes key" in problem.reason


def test_replacing_an_unreadable_note_keeps_the_old_ciphertext(tmp_path: Path) -> None:
    old = make_cipher(1)
    turn_on(tmp_path, old)
    entry = EntryStore(tmp_path, DEVICE, clock=lambda: NOW, cipher=old).add(new_entry(MARKER))
    sealed = raw_docs(tmp_path)[entry.id][NOTE_ENCRYPTED_FIELD]
    # Later: encryption is off and the old key is gone; the user types a new note.
    write_marker(tmp_path, enabled=False, key_id=old.key_id, device=DEVICE, now=NOW)
    store = EntryStore(tmp_path, DEVICE, clock=lambda: NOW)
    (unreadable,) = store.entries()
    store.update(unreadable.edited(NOW, note="a fresh note"))
    doc = raw_docs(tmp_path)[entry.id]
    assert doc["note"] == "a fresh note"
    assert NOTE_ENCRYPTED_FIELD not in doc
    assert doc[REPLACED_NOTES_FIELD] == [sealed]
    assert old.open(doc[REPLACED_NOTES_FIELD][0], entry.id) == MARKER


def test_a_cipher_set_later_reopens_notes(tmp_path: Path) -> None:
    cipher = make_cipher()
    turn_on(tmp_path, cipher)
    EntryStore(tmp_path, DEVICE, cipher=cipher).add(new_entry(MARKER))
    store = EntryStore(tmp_path, DEVICE)
    assert store.entries()[0].note_unreadable
    store.set_note_cipher(cipher)  # e.g. the keychain was unlocked
    assert store.entries()[0].note == MARKER


def test_a_note_copied_onto_another_entry_is_reported(tmp_path: Path) -> None:
    cipher = make_cipher()
    turn_on(tmp_path, cipher)
    store = EntryStore(tmp_path, DEVICE, clock=lambda: NOW, cipher=cipher)
    a = store.add(new_entry("secret a", hours_ago=2))
    b = store.add(new_entry("secret b", hours_ago=4))
    store.close()
    path = next((tmp_path / "entries").rglob("*.json"))
    doc = orjson.loads(path.read_bytes())
    table = doc["tables"]["entries"]
    docs = {d["id"]: d for d in table.values()}
    docs[b.id][NOTE_ENCRYPTED_FIELD] = docs[a.id][NOTE_ENCRYPTED_FIELD]
    path.write_bytes(orjson.dumps(doc))
    reader = EntryStore(tmp_path, DEVICE, cipher=cipher)
    by_id = {e.id: e for e in reader.entries()}
    assert by_id[a.id].note == "secret a"
    assert by_id[b.id].note_unreadable
    assert b.id in reader.problems[0].message()


@settings(max_examples=60, deadline=None)
@given(note=st.text(min_size=1))
def test_any_note_round_trips_through_the_store_and_never_lands_in_plain(note: str) -> None:
    cipher = make_cipher()
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        turn_on(data_dir, cipher)
        marked = f"{MARKER}{note}"
        entry = EntryStore(data_dir, DEVICE, cipher=cipher).add(new_entry(marked))
        got = EntryStore(data_dir, DEVICE, cipher=cipher).get(entry.id)
        assert got is not None
        assert got.note == marked
        assert replace(got, extra={}) == replace(entry, extra={})
        assert files_containing(data_dir, MARKER.encode()) == []


def test_a_raw_sealed_entry_saved_again_keeps_its_ciphertext(tmp_path: Path) -> None:
    # A backup restore or an import reads documents without opening their notes.
    cipher = make_cipher()
    turn_on(tmp_path / "a", cipher)
    entry = EntryStore(tmp_path / "a", DEVICE, cipher=cipher).add(new_entry(MARKER))
    doc = raw_docs(tmp_path / "a")[entry.id]
    raw = Entry.from_json(doc)
    assert raw.note is None
    assert raw.note_unreadable
    turn_on(tmp_path / "b", cipher)
    EntryStore(tmp_path / "b", DEVICE, cipher=cipher).add(raw)
    assert raw_docs(tmp_path / "b")[entry.id][NOTE_ENCRYPTED_FIELD] == doc[NOTE_ENCRYPTED_FIELD]
    assert EntryStore(tmp_path / "b", DEVICE, cipher=cipher).entries()[0].note == MARKER
