"""How a backup is checked without parsing every entry three times: the read-back compares
what is on disk with the bytes that were hashed and checked, and a shard whose bytes the
last good backup already checked is not checked again."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import orjson
import pytest

from sec_desktop.store import EntryStore
from sec_desktop.store import backup as backup_module
from sec_desktop.store.backup import (
    MANIFEST_NAME,
    BackupError,
    backup_dir_for,
    backup_if_due,
    list_backups,
    make_backup,
    rotate,
    verify_backup,
)
from tests.helpers.entries import make_entry
from tests.helpers.ids import CI_CD

DEVICE = "laptop-a1b2c3"
NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
entry = partial(make_entry, activity=CI_CD, device=DEVICE, now=NOW)


@pytest.fixture
def data_dir(isolated_dirs: dict[str, Path]) -> Path:
    return isolated_dirs["data"]


@pytest.fixture
def backup_dir(isolated_dirs: dict[str, Path], data_dir: Path) -> Path:
    return backup_dir_for(isolated_dirs["config"], data_dir)


@pytest.fixture
def store(data_dir: Path):
    opened = EntryStore(data_dir, DEVICE, clock=lambda: NOW)
    opened.add_many(
        [entry(datetime(2026, m, d + 1, 9, tzinfo=UTC)) for m in (1, 2, 3) for d in range(3)]
    )
    yield opened
    opened.close()


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The shards checked entry by entry, in order."""
    seen: list[str] = []
    real = backup_module._check_shard  # noqa: SLF001 - counted, not replaced

    def counting(raw: bytes, label: str) -> tuple[int, str | None]:
        seen.append(label)
        return real(raw, label)

    monkeypatch.setattr(backup_module, "_check_shard", counting)
    return seen


def shard(month: int) -> str:
    return f"entries/{DEVICE}/2026-{month:02d}.json"


def test_a_shard_the_last_good_backup_checked_is_not_checked_again(
    store, data_dir, backup_dir, checked
) -> None:
    first = make_backup(data_dir, backup_dir, NOW)
    assert sorted(checked) == [shard(1), shard(2), shard(3)]
    checked.clear()
    store.add(entry(datetime(2026, 2, 20, 9, tzinfo=UTC)))
    second = make_backup(data_dir, backup_dir, NOW + timedelta(days=1))
    assert checked == [shard(2)]  # only the month that changed
    assert (first.entries, second.entries) == (9, 10)
    assert second.good
    assert verify_backup(second.path).entries == 10  # the full check agrees


def test_shards_checked_by_another_version_are_checked_again(
    store, data_dir, backup_dir, checked, monkeypatch
) -> None:
    make_backup(data_dir, backup_dir, NOW)
    checked.clear()
    monkeypatch.setattr(backup_module, "CHECKED_BY", "9.9.9/9")
    make_backup(data_dir, backup_dir, NOW + timedelta(days=1))
    assert sorted(checked) == [shard(1), shard(2), shard(3)]


def test_a_shard_invalid_since_is_found(store, data_dir, backup_dir) -> None:
    make_backup(data_dir, backup_dir, NOW)
    path = data_dir / shard(3)
    doc = orjson.loads(path.read_bytes())
    first = next(iter(doc["tables"]["entries"].values()))
    first["end"] = first["start"]  # ends as it starts: not an entry
    path.write_bytes(orjson.dumps(doc))
    later = make_backup(data_dir, backup_dir, NOW + timedelta(days=1))
    assert not later.good
    assert any(p.startswith(f"{shard(3)}: an entry is invalid") for p in later.problems)


def _with_member_replaced(data: bytes, name: str, content: bytes) -> bytes:
    """The zip `data` with one member's content swapped, CRC and all: a valid zip."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, content if info.filename == name else source.read(info))
    return out.getvalue()


@pytest.mark.parametrize("member", [shard(2), MANIFEST_NAME])
def test_a_backup_whose_member_differs_from_what_was_checked_is_removed(
    store, data_dir, backup_dir, monkeypatch, member
) -> None:
    write = backup_module.atomic_write_bytes
    other = (data_dir / shard(1)).read_bytes()  # a valid shard, not the one hashed

    def swapped(path: Path, data: bytes) -> None:
        write(path, _with_member_replaced(data, member, other))

    monkeypatch.setattr(backup_module, "atomic_write_bytes", swapped)
    with pytest.raises(BackupError, match="did not read back as written"):
        make_backup(data_dir, backup_dir, NOW)
    assert list_backups(backup_dir) == []


def test_rotation_does_not_read_the_backup_just_made_again(
    store, data_dir, backup_dir, monkeypatch
) -> None:
    make_backup(data_dir, backup_dir, NOW)
    verified: list[Path] = []
    real_verify = backup_module.verify_backup

    def counting(path: Path):
        verified.append(path)
        return real_verify(path)

    monkeypatch.setattr(backup_module, "verify_backup", counting)
    fresh = backup_if_due(data_dir, backup_dir, NOW + timedelta(days=1), keep=1)
    assert fresh is not None
    assert verified == []
    assert [b.path for b in list_backups(backup_dir)] == [fresh.path]
    # Without it, the newest good one is read again before an older one goes.
    make_backup(data_dir, backup_dir, NOW + timedelta(days=2))
    rotate(backup_dir, keep=1, data_dir=data_dir)
    assert len(verified) == 1
