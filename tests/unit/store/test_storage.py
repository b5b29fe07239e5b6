"""AtomicJSONStorage: bad files are errors (never an empty database), and the cache is honest."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import orjson
import pytest
from tinydb import TinyDB

import sec_desktop.store.storage as storage_mod
from sec_desktop.store import atomic
from sec_desktop.store.storage import (
    ENTRIES_TABLE,
    FILE_FORMAT,
    SCHEMA_VERSION,
    AtomicJSONStorage,
    NewerFormat,
    UnreadableFile,
    file_mode_is_private,
    parse_file_bytes,
)

DOC_1 = {"id": "a", "note": "first"}
DOC_2 = {"id": "b", "note": "second"}


def _file(tables: Any = None, **top: Any) -> bytes:
    doc: dict[str, Any] = {"format": FILE_FORMAT, "schema_version": SCHEMA_VERSION}
    doc.update(top)
    doc["tables"] = {ENTRIES_TABLE: {"1": DOC_1}} if tables is None else tables
    return orjson.dumps(doc)


VALID = _file()


@pytest.fixture
def shard(tmp_path: Path) -> Path:
    folder = tmp_path / "shards"
    folder.mkdir()
    return folder / "2026-03.json"


def test_missing_file_reads_as_none(shard: Path) -> None:
    assert AtomicJSONStorage(shard).read() is None


def test_valid_file_reads_its_tables(shard: Path) -> None:
    shard.write_bytes(VALID)
    assert AtomicJSONStorage(shard).read() == {ENTRIES_TABLE: {"1": DOC_1}}


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b"   \n\t  \r\n", "empty"),
        (b"\x00" * 16, "not valid JSON"),
        (VALID[: len(VALID) // 2], "not valid JSON"),
        (VALID[:-1], "not valid JSON"),
        (b"this is not json", "not valid JSON"),
        (b"\xff\xfe{garbage", "not valid JSON"),
        (b"[]", "not an SEC Desktop entries file"),
        (b'"sec-desktop/entries"', "not an SEC Desktop entries file"),
        (b"null", "not an SEC Desktop entries file"),
        (b"{}", "not an SEC Desktop entries file"),
        (orjson.dumps({"schema_version": 1, "tables": {}}), "not an SEC Desktop entries file"),
        (_file(format="sec-desktop/framework"), "not an SEC Desktop entries file"),
        (
            orjson.dumps({"format": FILE_FORMAT, "tables": {}}),
            "schema_version is missing or invalid",
        ),
        (_file(schema_version="1"), "schema_version is missing or invalid"),
        (_file(schema_version=0), "schema_version is missing or invalid"),
        (_file(schema_version=-3), "schema_version is missing or invalid"),
        (_file(schema_version=1.0), "schema_version is missing or invalid"),
        (_file(schema_version=None), "schema_version is missing or invalid"),
        (_file(tables=[]), "tables are not objects of documents"),
        (_file(tables={ENTRIES_TABLE: []}), "tables are not objects of documents"),
        (_file(tables={ENTRIES_TABLE: {"1": "doc"}}), "tables are not objects of documents"),
        (orjson.dumps({"format": FILE_FORMAT, "schema_version": 1}), "tables are not objects"),
    ],
    ids=lambda v: v[:40].decode("latin-1") if isinstance(v, bytes) else None,
)
def test_unreadable_files_raise_instead_of_reading_as_empty(
    shard: Path, raw: bytes, reason: str
) -> None:
    shard.write_bytes(raw)
    storage = AtomicJSONStorage(shard)
    with pytest.raises(UnreadableFile) as info:
        storage.read()
    assert reason in info.value.reason
    assert info.value.path == shard
    assert str(shard) in str(info.value)
    # Asking again does not turn it into an empty database either.
    with pytest.raises(UnreadableFile):
        storage.read()
    assert shard.read_bytes() == raw  # reading never changes the file


def test_tinydb_over_an_empty_file_raises_and_does_not_overwrite(shard: Path) -> None:
    # Stock JSONStorage reads an empty file as a new database; the next insert then writes.
    shard.write_bytes(b"")
    db = TinyDB(storage=lambda: AtomicJSONStorage(shard))
    with pytest.raises(UnreadableFile):
        db.table(ENTRIES_TABLE).insert({"id": "x"})
    assert shard.read_bytes() == b""


def test_newer_format_is_its_own_error(shard: Path) -> None:
    shard.write_bytes(_file(schema_version=99, tables={"anything": "goes"}))
    with pytest.raises(NewerFormat) as info:
        AtomicJSONStorage(shard).read()
    assert info.value.version == 99
    assert info.value.path == shard
    assert not isinstance(info.value, UnreadableFile)


def test_parse_file_bytes_ignores_unknown_top_level_keys() -> None:
    raw = _file(device="dev", month="2026-03", something_new=[1, 2])
    assert parse_file_bytes(raw, Path("x.json")) == {ENTRIES_TABLE: {"1": DOC_1}}


def test_write_puts_the_header_and_format_around_the_tables(shard: Path) -> None:
    storage = AtomicJSONStorage(shard, {"device": "dev-a", "month": "2026-03"})
    storage.write({ENTRIES_TABLE: {"1": DOC_1}})
    doc = orjson.loads(shard.read_bytes())
    assert doc == {
        "format": FILE_FORMAT,
        "schema_version": SCHEMA_VERSION,
        "device": "dev-a",
        "month": "2026-03",
        "tables": {ENTRIES_TABLE: {"1": DOC_1}},
    }
    assert file_mode_is_private(shard)
    assert [p.name for p in shard.parent.iterdir()] == [shard.name]


def test_a_header_cannot_replace_the_tables(shard: Path) -> None:
    storage = AtomicJSONStorage(shard, {"tables": "bogus"})
    storage.write({ENTRIES_TABLE: {}})
    assert AtomicJSONStorage(shard).read() == {ENTRIES_TABLE: {}}


def test_read_is_cached_until_the_file_changes(
    shard: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = AtomicJSONStorage(shard)
    storage.write({ENTRIES_TABLE: {"1": DOC_1}})
    reads: list[Path] = []
    real_read_bytes = Path.read_bytes

    def counting(self: Path) -> bytes:
        reads.append(self)
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    first = storage.read()
    assert storage.read() is first
    assert reads == []  # its own write primed the cache


@pytest.mark.parametrize("fail_in", ["fsync", "replace"])
def test_cache_is_dropped_after_a_failed_write(
    shard: Path, monkeypatch: pytest.MonkeyPatch, fail_in: str
) -> None:
    storage = AtomicJSONStorage(shard)
    storage.write({ENTRIES_TABLE: {"1": DOC_1}})
    on_disk = shard.read_bytes()
    tables = storage.read()
    assert tables is not None
    # What TinyDB does before calling write(): mutate the dict read() handed out.
    tables[ENTRIES_TABLE] = {"1": DOC_1, "2": DOC_2}

    def enospc(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, fail_in, enospc)
    with pytest.raises(OSError, match="No space left"):
        storage.write(tables)
    monkeypatch.undo()
    assert shard.read_bytes() == on_disk
    assert storage.read() == {ENTRIES_TABLE: {"1": DOC_1}}


def test_failed_tinydb_insert_is_not_visible_afterwards(
    shard: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = TinyDB(storage=lambda: AtomicJSONStorage(shard))
    table = db.table(ENTRIES_TABLE, cache_size=0)
    table.insert(DOC_1)

    def enospc(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", enospc)
    with pytest.raises(OSError):
        table.insert(DOC_2)
    monkeypatch.undo()
    assert table.all() == [DOC_1]
    table.insert(DOC_2)
    assert table.all() == [DOC_1, DOC_2]
    on_disk = orjson.loads(shard.read_bytes())["tables"][ENTRIES_TABLE]
    assert sorted(on_disk.values(), key=lambda d: d["id"]) == [DOC_1, DOC_2]


def test_rereads_when_another_writer_replaced_the_file(shard: Path) -> None:
    mine = AtomicJSONStorage(shard)
    theirs = AtomicJSONStorage(shard)
    mine.write({ENTRIES_TABLE: {"1": DOC_1}})
    assert mine.read() == {ENTRIES_TABLE: {"1": DOC_1}}
    # Same size on purpose: only the replacement (a new inode) tells the files apart.
    theirs.write({ENTRIES_TABLE: {"1": {"id": "a", "note": "FIRST"}}})
    assert len(shard.read_bytes()) == len(_file())
    assert mine.read() == {ENTRIES_TABLE: {"1": {"id": "a", "note": "FIRST"}}}
    theirs.write({ENTRIES_TABLE: {"1": DOC_1, "2": DOC_2}})
    assert mine.read() == {ENTRIES_TABLE: {"1": DOC_1, "2": DOC_2}}


def test_file_removed_behind_its_back_reads_as_none(shard: Path) -> None:
    storage = AtomicJSONStorage(shard)
    storage.write({ENTRIES_TABLE: {"1": DOC_1}})
    assert storage.read()
    shard.unlink()
    assert storage.read() is None


def test_file_corrupted_behind_its_back_raises(shard: Path) -> None:
    storage = AtomicJSONStorage(shard)
    storage.write({ENTRIES_TABLE: {"1": DOC_1}})
    assert storage.read()
    shard.write_bytes(b'{"format": "sec-desktop/ent')  # a different size: a new signature
    with pytest.raises(UnreadableFile):
        storage.read()


def test_close_drops_the_cache(shard: Path) -> None:
    storage = AtomicJSONStorage(shard)
    storage.write({ENTRIES_TABLE: {"1": DOC_1}})
    first = storage.read()
    storage.close()
    second = storage.read()
    assert second == first and second is not first


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_file_mode_is_private(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"")
    path.chmod(0o600)
    assert file_mode_is_private(path)
    path.chmod(0o640)
    assert not file_mode_is_private(path)


def test_a_boolean_schema_version_is_not_a_version(tmp_path: Path) -> None:
    path = tmp_path / "2026-01.json"
    path.write_bytes(b'{"format": "sec-desktop/entries", "schema_version": true, "tables": {}}')
    with pytest.raises(UnreadableFile, match="schema_version"):
        AtomicJSONStorage(path).read()


def test_files_are_migrated_step_by_step_on_read_and_written_back_in_the_new_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The migration chain, driven with a stand-in version 2 (version 1 is the first format)."""

    def one_to_two(doc: dict[str, Any]) -> dict[str, Any]:
        for entry in doc["tables"]["entries"].values():
            entry["labels"] = [label.lower() for label in entry.get("labels", [])]
        return {**doc, "schema_version": 2}

    path = tmp_path / "2026-01.json"
    path.write_bytes(
        orjson.dumps(
            {
                "format": "sec-desktop/entries",
                "schema_version": 1,
                "tables": {"entries": {"1": {"id": "a", "labels": ["Board"]}}},
            }
        )
    )
    monkeypatch.setattr(storage_mod, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(storage_mod, "MIGRATIONS", {1: one_to_two})
    storage = storage_mod.AtomicJSONStorage(path)
    tables = storage.read()
    assert tables == {"entries": {"1": {"id": "a", "labels": ["board"]}}}
    storage.write(tables)
    assert orjson.loads(path.read_bytes())["schema_version"] == 2
