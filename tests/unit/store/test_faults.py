"""Disk full, I/O errors and a read-only folder: the old file stays byte-identical, no
temporary file is left, and the user is told in one plain sentence."""

from __future__ import annotations

import errno
import io
import os
import shutil
import stat
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from sec_desktop.cli.main import main
from sec_desktop.store import EntryStore, atomic
from sec_desktop.store.backup import backup_dir_for, list_backups, make_backup
from tests.helpers.entries import make_entry, save_entries

DEVICE = "laptop-a1b2c3"
NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "import"


entry = partial(make_entry, device=DEVICE, now=NOW)


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".write.lock"
    }


def temp_files(root: Path) -> list[Path]:
    return list(root.rglob(f"*{atomic.TEMP_SUFFIX}"))


def failing_fsync(code: int) -> Callable[[int], None]:
    """os.fsync that fails like a full or broken disk for files (folders still sync)."""
    real = os.fsync

    def fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            return real(fd)
        raise OSError(code, os.strerror(code))

    return fsync


def run_cli(*args: str, data_dir: Path, config_dir: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = dict(
        os.environ, SEC_DESKTOP_DATA_DIR=str(data_dir), SEC_DESKTOP_CONFIG_DIR=str(config_dir)
    )
    code = main(["--tz", "Europe/Berlin", *args], now=lambda: NOW, env=env, out=out, err=err)
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def filled(isolated_dirs: dict[str, Path]) -> Path:
    """A data folder with one month of entries, written by this machine's device id."""
    from sec_desktop.store import device_id

    data = isolated_dirs["data"]
    device = device_id(isolated_dirs["config"])
    days = [entry(datetime(2026, 11, day, 9, tzinfo=UTC), 60, device=device) for day in range(2, 6)]
    save_entries(data, device, days, now=NOW)
    return data


@pytest.mark.skipif(
    not Path("/proc/self/fd").is_dir(), reason="needs /proc to tell files from folders"
)
@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.ENOSPC, "No space left on device"), (errno.EIO, "Input/output error")],
)
def test_a_failing_save_leaves_the_old_file(
    filled, isolated_dirs, monkeypatch, code, words
) -> None:
    before = snapshot(filled)
    monkeypatch.setattr(os, "fsync", failing_fsync(code))
    result = run_cli(
        "log",
        "okr",
        "--start",
        "2026-11-23T09:00",
        "--minutes",
        "30",
        data_dir=filled,
        config_dir=isolated_dirs["config"],
    )
    monkeypatch.undo()
    assert result[0] == 1
    assert words in result[2]
    assert result[2].startswith("sec-desktop: ")
    assert len(result[2].splitlines()) == 1
    assert snapshot(filled) == before
    assert temp_files(filled) == []


@pytest.mark.skipif(
    not Path("/proc/self/fd").is_dir(), reason="needs /proc to tell files from folders"
)
def test_an_import_on_a_full_disk_says_nothing_was_saved(
    filled, isolated_dirs, monkeypatch
) -> None:
    before = snapshot(filled)
    monkeypatch.setattr(os, "fsync", failing_fsync(errno.ENOSPC))
    code, _, err = run_cli(
        "import",
        str(FIXTURES / "watson-frames.json"),
        "--from",
        "watson",
        "--default",
        "okr",
        data_dir=filled,
        config_dir=isolated_dirs["config"],
    )
    monkeypatch.undo()
    assert code == 1
    assert "saving failed: No space left on device" in err
    assert "nothing was saved" in err
    assert snapshot(filled) == before
    assert temp_files(filled) == []


@pytest.mark.skipif(
    not Path("/proc/self/fd").is_dir(), reason="needs /proc to tell files from folders"
)
def test_a_backup_on_a_full_disk_leaves_the_older_backups(
    filled, isolated_dirs, monkeypatch
) -> None:
    backup_dir = backup_dir_for(isolated_dirs["config"], filled)
    older = make_backup(filled, backup_dir, NOW)
    before = snapshot(backup_dir)
    monkeypatch.setattr(os, "fsync", failing_fsync(errno.ENOSPC))
    with pytest.raises(OSError) as caught:
        make_backup(filled, backup_dir, NOW + timedelta(days=1))
    monkeypatch.undo()
    assert caught.value.errno == errno.ENOSPC
    assert snapshot(backup_dir) == before
    assert [b.path for b in list_backups(backup_dir)] == [older.path]
    assert temp_files(backup_dir) == []


def test_a_read_error_skips_the_file_with_a_warning_and_changes_nothing(
    filled, isolated_dirs, monkeypatch
) -> None:
    before = snapshot(filled)
    real_read_bytes = Path.read_bytes

    def broken(self: Path) -> bytes:
        if self.suffix == ".json" and "entries" in self.parts:
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", broken)
    code, _, err = run_cli(
        "report", "--period", "month", data_dir=filled, config_dir=isolated_dirs["config"]
    )
    monkeypatch.undo()
    # An I/O error is not damage: the file is skipped and named, never moved or rewritten.
    assert code == 0
    (warning,) = err.splitlines()
    assert warning.startswith("Warning: The data file entries/")
    assert "Input/output error" in warning and "skipped" in warning
    assert snapshot(filled) == before


# Real file systems: a tiny tmpfs, and a read-only one ---------------------------------------


def _can_mount() -> bool:
    return (
        os.name == "posix"
        and hasattr(os, "geteuid")
        and os.geteuid() == 0
        and bool(shutil.which("mount"))
    )


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """Mount small tmpfs file systems under tmp_path (root only); unmounted afterwards."""
    mounted: list[Path] = []

    def mount(name: str, size_kib: int) -> Path:
        point = tmp_path / name
        point.mkdir()
        result = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_kib}k,mode=0700", "tmpfs", str(point)],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if result.returncode != 0:
            pytest.skip(f"tmpfs can't be mounted here: {result.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in reversed(mounted):
        subprocess.run(["umount", "-l", str(point)], capture_output=True, timeout=30)


@pytest.mark.skipif(not _can_mount(), reason="mounting a tmpfs needs root")
def test_a_really_full_disk(tmpfs) -> None:
    root = tmpfs("small", 256)
    store = EntryStore(root / "data", DEVICE, clock=lambda: NOW)
    store.add_many([entry(datetime(2026, 3, d, 9, tzinfo=UTC)) for d in range(1, 28)])
    shard = root / "data" / "entries" / DEVICE / "2026-03.json"
    before = shard.read_bytes()
    filler = root / "filler"
    # Take all the space that is left.
    with filler.open("wb", buffering=0) as handle, pytest.raises(OSError) as full:
        while True:
            handle.write(b"\0" * 4096)
    assert full.value.errno == errno.ENOSPC
    big = [
        entry(datetime(2026, 3, 28, 9, tzinfo=UTC) + timedelta(seconds=i), note="x" * 400)
        for i in range(200)
    ]
    with pytest.raises(OSError) as caught:
        store.add_many(big)
    assert caught.value.errno == errno.ENOSPC
    assert shard.read_bytes() == before
    assert temp_files(root) == []
    filler.unlink()
    store.add(entry(datetime(2026, 3, 29, 9, tzinfo=UTC)))  # works again once there is room
    assert len(store.entries()) == 28
    store.close()


@pytest.mark.skipif(not _can_mount(), reason="remounting read-only needs root")
def test_a_read_only_folder(tmpfs) -> None:
    root = tmpfs("ro", 1024)
    data = root / "data"
    store = EntryStore(data, DEVICE, clock=lambda: NOW)
    saved = store.add(entry(datetime(2026, 3, 2, 9, tzinfo=UTC)))
    store.close()
    before = snapshot(data)
    subprocess.run(["mount", "-o", "remount,ro", str(root)], check=True, timeout=30)
    config = root.parent / "config"
    config.mkdir()
    (config / "device.json").write_text(f'{{"device_id": "{DEVICE}"}}')
    code, _, err = run_cli(
        "log",
        "okr",
        "--start",
        "2026-11-23T09:00",
        "--minutes",
        "30",
        data_dir=data,
        config_dir=config,
    )
    assert code == 1
    assert "Read-only file system" in err
    assert len(err.splitlines()) == 1
    assert snapshot(data) == before
    assert temp_files(data) == []
    code, out, _ = run_cli("export", "--format", "json", data_dir=data, config_dir=config)
    assert code == 0  # reading still works
    assert saved.id in out
