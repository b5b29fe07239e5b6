"""The key of a data folder names its caches and backups on this machine: it must not change
when the code computing it does, or every cache and backup folder would be orphaned."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sec_desktop.store.paths import data_dir_key


def test_the_key_is_the_folder_name_and_a_sha256_of_its_path(tmp_path: Path) -> None:
    folder = tmp_path / "My Data"
    digest = hashlib.sha256(str(folder.resolve()).encode("utf-8")).hexdigest()[:10]
    assert data_dir_key(folder) == f"My-Data-{digest}"


def test_the_key_of_a_known_path_is_as_it_always_was() -> None:
    assert data_dir_key(Path("/srv/sec/data")) == "data-5183b523e1"
