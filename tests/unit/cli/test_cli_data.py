"""Where the CLI keeps entries, and what it does with a damaged file of its own."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.helpers.entries import make_entry, save_entries
from tests.helpers.ids import OKR


def test_data_dir_option_wins_over_the_environment(
    cli, isolated_dirs, shard_files, stored, device
) -> None:
    elsewhere = isolated_dirs["home"].parent / "elsewhere"
    result = cli("--data-dir", str(elsewhere), "log", OKR, "--start", "09:00", "--end", "10:00")
    assert result.code == 0, result.err
    assert shard_files(elsewhere) == [elsewhere / "entries" / device / "2026-11.json"]
    assert [e.id for e in stored(elsewhere)] == [result.entry_id]
    # The folder $SEC_DESKTOP_DATA_DIR names was not touched.
    assert not isolated_dirs["data"].exists()
    # Reading follows the same option.
    assert json.loads(cli("export", "--format", "json").out)["entries"] == []
    moved = cli("--data-dir", str(elsewhere), "export", "--format", "json")
    assert [e["id"] for e in json.loads(moved.out)["entries"]] == [result.entry_id]


def test_environment_data_dir_is_used_without_the_option(
    log, isolated_dirs, shard_files, device
) -> None:
    log(OKR, "--minutes", "10")
    assert shard_files() == [isolated_dirs["data"] / "entries" / device / "2026-11.json"]
    # The device id lives in the config folder, not in the (possibly synced) data folder.
    assert (isolated_dirs["config"] / "device.json").is_file()
    assert not (isolated_dirs["data"] / "device.json").exists()
    assert not any(isolated_dirs["home"].rglob("*.json"))


def test_corrupt_own_shard_is_quarantined_and_log_still_works(
    cli, isolated_dirs, device, stored
) -> None:
    data = isolated_dirs["data"]
    shard = data / "entries" / device / "2026-11.json"
    shard.parent.mkdir(parents=True)
    bad = b'{"format": "sec-desktop/entries", "tables": {"entries": {"1": {"id": '
    shard.write_bytes(bad)

    result = cli("log", OKR, "--start", "09:00", "--end", "10:00")

    assert result.code == 0, result.err
    warnings = [line for line in result.err_lines if line.startswith("Warning:")]
    assert len(warnings) == 1, result.err
    assert str(Path("entries") / device / "2026-11.json") in warnings[0]
    assert "quarantine" in warnings[0]
    quarantined = list((data / "quarantine").rglob("2026-11.json.*"))
    assert len(quarantined) == 1
    assert quarantined[0].read_bytes() == bad
    assert quarantined[0].parent == data / "quarantine" / "entries" / device
    # The new entry is in a fresh, valid file.
    assert [e.id for e in stored()] == [result.entry_id]
    # The next run finds nothing wrong.
    again = cli("report", "--period", "today", "--format", "json")
    assert again.code == 0
    assert again.err == ""
    assert json.loads(again.out)["total_minutes"] == 60


def test_empty_own_shard_is_quarantined_not_overwritten(cli, isolated_dirs, device) -> None:
    data = isolated_dirs["data"]
    shard = data / "entries" / device / "2026-11.json"
    shard.parent.mkdir(parents=True)
    shard.write_bytes(b"")
    result = cli("report", "--period", "today", "--format", "json")
    assert result.code == 0
    assert any(line.startswith("Warning:") and "2026-11.json" in line for line in result.err_lines)
    assert len(list((data / "quarantine").rglob("2026-11.json.*"))) == 1


def test_corrupt_file_of_another_device_is_left_in_place(cli, log, isolated_dirs) -> None:
    log(OKR, "--start", "09:00", "--end", "10:00")
    other = isolated_dirs["data"] / "entries" / "laptop-abc123" / "2026-11.json"
    other.parent.mkdir(parents=True)
    other.write_bytes(b"not json at all")
    result = cli("report", "--period", "today", "--format", "json")
    assert result.code == 0
    assert json.loads(result.out)["total_minutes"] == 60
    (warning,) = [line for line in result.err_lines if line.startswith("Warning:")]
    assert "laptop-abc123" in warning
    assert other.read_bytes() == b"not json at all"
    assert not (isolated_dirs["data"] / "quarantine").exists()


def _make_unreadable(path: Path, how: str, monkeypatch) -> bytes:
    """Make one shard unreadable the way a user can: no permission (simulated: the tests run
    as root, whom chmod 000 doesn't stop) or a folder in the file's place. Returns what the
    file held, which must survive."""
    held = path.read_bytes()
    if how == "folder":
        path.rename(path.with_name("moved-away"))
        path.mkdir()
        return b""
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    return held


@pytest.mark.parametrize("case", ["own-denied", "own-folder", "other-denied", "other-folder"])
def test_an_unreadable_shard_is_skipped_with_a_warning_and_kept(
    cli, log, isolated_dirs, *, device, monkeypatch, case
) -> None:
    whose, how = case.split("-")
    data = isolated_dirs["data"]
    owner = device if whose == "own" else "laptop-abc123"
    kept = log(OKR, "--start", "2026-11-02T09:00", "--end", "2026-11-02T10:00")
    log(OKR, "--start", "2026-10-20T09:00", "--end", "2026-10-20T10:00")
    october = datetime(2026, 10, 21, 9, tzinfo=UTC)
    save_entries(data, "laptop-abc123", [make_entry(october, device="laptop-abc123")])
    bad = data / "entries" / owner / "2026-10.json"
    held = _make_unreadable(bad, how, monkeypatch)
    relative = str(Path("entries") / owner / "2026-10.json")

    for args in (
        ("report", "--from", "2026-10-01", "--to", "2026-11-30", "--format", "json"),
        ("export", "--format", "json"),
        ("log", OKR, "--start", "2026-11-23T09:00", "--end", "2026-11-23T10:00"),
    ):
        result = cli(*args)
        assert result.code == 0, (args, result.err)
        warnings = [line for line in result.err_lines if line.startswith("Warning:")]
        assert len(warnings) == 1, (args, result.err)
        assert relative in warnings[0] and "skipped" in warnings[0], warnings[0]
        if args[0] == "export":
            assert kept in [e["id"] for e in json.loads(result.out)["entries"]]

    # Never moved, never overwritten.
    monkeypatch.undo()
    assert bad.is_dir() if how == "folder" else bad.read_bytes() == held
    assert not (data / "quarantine").exists()


def test_log_into_an_unreadable_own_shard_is_refused_with_its_name(
    cli, log, isolated_dirs, device, monkeypatch
) -> None:
    log(OKR, "--start", "2026-10-20T09:00", "--end", "2026-10-20T10:00")
    bad = isolated_dirs["data"] / "entries" / device / "2026-10.json"
    held = _make_unreadable(bad, "denied", monkeypatch)
    result = cli("log", OKR, "--start", "2026-10-21T09:00", "--end", "2026-10-21T10:00")
    assert result.code == 1
    assert str(bad) in result.err and "nothing was changed" in result.err, result.err
    assert "Permission denied" in result.err
    monkeypatch.undo()
    assert bad.read_bytes() == held
    assert not (isolated_dirs["data"] / "quarantine").exists()
