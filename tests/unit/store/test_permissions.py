"""`loose_permissions`: the doctor's list of data files and folders others could read."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sec_desktop.store.permissions import LoosePermission, loose_permissions
from tests.helpers.entries import make_entry, save_entries

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes")

NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)


def saved_store(data_dir: Path) -> Path:
    """A data folder as the store leaves it; returns its one shard."""
    entry = make_entry(end=NOW, minutes=60, activity="culture", tz="UTC", device="dev-1", note="n")
    save_entries(data_dir, "dev-1", [entry], now=NOW)
    return next((data_dir / "entries").rglob("*.json"))


def test_what_the_store_writes_is_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    saved_store(data_dir)
    assert loose_permissions(data_dir) == []


def test_loose_files_and_folders_are_listed_with_modes(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shard = saved_store(data_dir)
    shard.chmod(0o644)
    shard.parent.chmod(0o755)
    data_dir.chmod(0o750)
    found = sorted(loose_permissions(data_dir))
    assert found == sorted(
        [
            LoosePermission(data_dir, 0o750, 0o700),
            LoosePermission(shard.parent, 0o755, 0o700),
            LoosePermission(shard, 0o644, 0o600),
        ]
    )
    message = LoosePermission(shard, 0o644, 0o600).message()
    assert "mode 0644, expected 0600" in message
    assert f"chmod 600 '{shard}'" in message


def test_stricter_modes_are_fine_and_symlinks_are_not_followed(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shard = saved_store(data_dir)
    shard.chmod(0o400)
    outside = tmp_path / "outside.txt"
    outside.write_text("x")
    outside.chmod(0o644)
    (data_dir / "link").symlink_to(outside)
    assert loose_permissions(data_dir) == []


def test_a_missing_folder_has_nothing_loose(tmp_path: Path) -> None:
    assert loose_permissions(tmp_path / "nowhere") == []
