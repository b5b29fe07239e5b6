"""Where the CLI keeps entries, and what it does with a damaged file of its own."""

from __future__ import annotations

import json
from pathlib import Path

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
