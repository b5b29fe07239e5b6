"""The command line uses the same data folder as the app: --data-dir, then the environment,
then the folder chosen in the settings, then the platform's."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime
from pathlib import Path

from sec_desktop.cli.main import main
from sec_desktop.settings import load_settings, save_settings

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def run(env: dict[str, str], *args: str) -> int:
    out, err = io.StringIO(), io.StringIO()
    return main(["--tz", "UTC", *args], now=lambda: NOW, env=env, out=out, err=err)


def shards(folder: Path) -> list[Path]:
    return list((folder / "entries").rglob("*.json")) if folder.exists() else []


def test_the_settings_folder_is_used_without_flag_or_environment(
    isolated_dirs: dict[str, Path], tmp_path: Path
) -> None:
    chosen = tmp_path / "chosen"
    config = isolated_dirs["config"]
    save_settings(config, load_settings(config).settings.replace(data_dir=chosen))
    env = {k: v for k, v in os.environ.items() if k != "SEC_DESKTOP_DATA_DIR"}
    assert run(env, "log", "okr", "--minutes", "30") == 0
    assert shards(chosen)


def test_flag_and_environment_win_over_the_settings(
    isolated_dirs: dict[str, Path], tmp_path: Path
) -> None:
    chosen = tmp_path / "chosen"
    config = isolated_dirs["config"]
    save_settings(config, load_settings(config).settings.replace(data_dir=chosen))
    env = dict(os.environ)
    assert run(env, "log", "okr", "--minutes", "30") == 0
    assert shards(isolated_dirs["data"])
    flagged = tmp_path / "flagged"
    assert run(env, "--data-dir", str(flagged), "log", "okr", "--minutes", "20") == 0
    assert shards(flagged)
    assert not shards(chosen)


def test_an_unreadable_settings_file_falls_back_and_is_left_alone(
    isolated_dirs: dict[str, Path],
) -> None:
    config = isolated_dirs["config"]
    config.mkdir(parents=True)
    (config / "settings.json").write_text("{broken", encoding="utf-8")
    env = dict(os.environ)
    assert run(env, "log", "okr", "--minutes", "30") == 0
    assert (config / "settings.json").read_text(encoding="utf-8") == "{broken"
