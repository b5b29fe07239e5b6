"""atomic_write_bytes: private files, no leftovers, and the old bytes kept on any failure."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from sec_desktop.store import atomic
from sec_desktop.store.atomic import (
    atomic_write_bytes,
    ensure_private_dir,
    is_own_temp_file,
    remove_stale_temp_files,
)

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty folder of our own (tmp_path also holds the isolated home)."""
    path = tmp_path / "work"
    path.mkdir()
    return path


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _temp_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.tmp"))


def _enospc(*_args: object, **_kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_writes_the_bytes_and_leaves_no_temp_file(folder: Path) -> None:
    target = folder / "2026-03.json"
    atomic_write_bytes(target, b'{"a": 1}')
    assert target.read_bytes() == b'{"a": 1}'
    assert sorted(p.name for p in folder.iterdir()) == ["2026-03.json"]
    atomic_write_bytes(target, b"second")
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in folder.iterdir()) == ["2026-03.json"]


def test_replaces_the_file_rather_than_rewriting_it_in_place(folder: Path) -> None:
    target = folder / "f.json"
    atomic_write_bytes(target, b"old")
    before = target.stat().st_ino
    with target.open("rb") as reader:  # a reader holding the old file still sees old bytes
        atomic_write_bytes(target, b"new and longer")
        assert reader.read() == b"old"
    if os.name == "posix":
        assert target.stat().st_ino != before


@posix_only
def test_file_is_0600_even_over_a_world_readable_file_and_with_a_lax_umask(
    folder: Path,
) -> None:
    target = folder / "f.json"
    target.write_bytes(b"old")
    target.chmod(0o644)
    old_umask = os.umask(0)
    try:
        atomic_write_bytes(target, b"new")
    finally:
        os.umask(old_umask)
    assert _mode(target) == 0o600
    atomic_write_bytes(folder / "fresh.json", b"x")
    assert _mode(folder / "fresh.json") == 0o600


@pytest.mark.parametrize("fail_in", ["fsync", "replace", "write"])
def test_a_failed_write_keeps_the_previous_file_byte_identical(
    folder: Path, monkeypatch: pytest.MonkeyPatch, fail_in: str
) -> None:
    target = folder / "2026-03.json"
    original = b'{"format": "x", "payload": "' + b"\xc3\xa9" * 500 + b'"}'
    atomic_write_bytes(target, original)
    if fail_in == "write":
        real_fdopen = os.fdopen

        class FullDisk:
            def __init__(self, *args: object, **kwargs: object) -> None:
                self._inner = real_fdopen(*args, **kwargs)  # type: ignore[call-overload]

            def __enter__(self) -> FullDisk:
                return self

            def __exit__(self, *exc: object) -> None:
                self._inner.close()

            def fileno(self) -> int:
                return int(self._inner.fileno())

            def write(self, data: bytes) -> int:
                self._inner.write(data[: len(data) // 2])  # a partial write, then the disk is full
                self._inner.flush()
                raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(atomic.os, "fdopen", FullDisk)
    else:
        monkeypatch.setattr(atomic.os, fail_in, _enospc)
    with pytest.raises(OSError) as info:
        atomic_write_bytes(target, b"new content that must never be seen" * 100)
    assert info.value.errno == errno.ENOSPC
    monkeypatch.undo()
    assert target.read_bytes() == original
    assert _temp_files(folder) == []
    assert sorted(p.name for p in folder.iterdir()) == ["2026-03.json"]


def test_a_failed_first_write_creates_no_file(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(atomic.os, "replace", _enospc)
    with pytest.raises(OSError, match="No space left"):
        atomic_write_bytes(folder / "new.json", b"data")
    assert list(folder.iterdir()) == []


def test_interrupt_during_write_also_cleans_up(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = folder / "f.json"
    atomic_write_bytes(target, b"keep me")

    def interrupted(_fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(target, b"lost")
    monkeypatch.undo()
    assert target.read_bytes() == b"keep me"
    assert _temp_files(folder) == []


def test_temp_files_are_hidden_and_named_after_the_target(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    real_replace = os.replace

    def spy(src: str, dst: Path) -> None:
        seen.append(Path(src).name)
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", spy)
    atomic_write_bytes(folder / "2026-03.json", b"x")
    assert len(seen) == 1
    assert seen[0].startswith(".2026-03.json.") and seen[0].endswith(".tmp")
    assert is_own_temp_file(seen[0])


def test_remove_stale_temp_files_removes_only_temp_files(folder: Path) -> None:
    keep = [
        folder / "2026-03.json",
        folder / ".write.lock",
        folder / "notes.tmp",
        # A sync engine's downloads in progress (or to resume): the engine's, never ours.
        folder / ".syncthing.2026-05.json.tmp",
        folder / ".syncthing.2026-06.abcd_123.tmp",
        folder / "~syncthing~2026-07.json.tmp",
        folder / ".other.tmp",
    ]
    stale = [folder / ".2026-03.json.abc_1234.tmp", folder / ".2026-04.json.x9y8z7w6.tmp"]
    for path in keep + stale:
        path.write_bytes(b"x")
    removed = remove_stale_temp_files(folder)
    assert sorted(removed) == sorted(stale)
    assert sorted(folder.iterdir()) == sorted(keep)
    assert remove_stale_temp_files(folder) == []


@posix_only
def test_ensure_private_dir_creates_and_tightens(folder: Path) -> None:
    leaf = folder / "a" / "b"
    ensure_private_dir(leaf)
    assert _mode(leaf) == 0o700
    leaf.chmod(0o755)
    ensure_private_dir(leaf)
    assert _mode(leaf) == 0o700
