"""The one wiring of settings, framework and store that both shells open."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sec_desktop.settings import Settings, save_settings, settings_path
from sec_desktop.store.paths import id_index_path
from sec_desktop.workspace import Workspace
from tests.helpers.entries import make_entry

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def open_workspace(tmp_path: Path, preset: str | None = None) -> Workspace:
    return Workspace(tmp_path / "data", tmp_path / "config", preset=preset, clock=lambda: NOW)


def test_the_preset_chosen_in_the_settings_applies(tmp_path: Path) -> None:
    save_settings(tmp_path / "config", Settings(industry_preset="healthcare"))
    workspace = open_workspace(tmp_path)
    assert workspace.framework.active_preset == "healthcare"
    assert workspace.problems == []


def test_a_preset_asked_for_wins_over_the_settings(tmp_path: Path) -> None:
    save_settings(tmp_path / "config", Settings(industry_preset="healthcare"))
    assert open_workspace(tmp_path, preset="saas").framework.active_preset == "saas"


def test_an_unknown_preset_is_a_problem_not_a_failure(tmp_path: Path) -> None:
    workspace = open_workspace(tmp_path, preset="aerospace")
    assert workspace.framework.active_preset is None
    assert len(workspace.problems) == 1
    assert "aerospace" in workspace.problems[0]


def test_a_faulty_settings_file_is_reported_by_its_message(tmp_path: Path) -> None:
    path = settings_path(tmp_path / "config")
    path.parent.mkdir(parents=True)
    path.write_text('{"version": 1, "prompt_interval_minutes": "often"}', encoding="utf-8")
    workspace = open_workspace(tmp_path)
    assert workspace.settings == Settings()
    assert workspace.problems
    assert all(p.startswith("Settings: ") and "Problem(" not in p for p in workspace.problems)


def test_the_store_is_this_devices_with_its_id_index(tmp_path: Path) -> None:
    workspace = open_workspace(tmp_path)
    entry = make_entry(end=NOW, minutes=60, device=workspace.device)
    workspace.store.add(entry)
    workspace.close()
    again = open_workspace(tmp_path)
    assert again.device == workspace.device
    assert again.store.get(entry.id) == entry
    again.close()
    assert id_index_path(tmp_path / "config", tmp_path / "data").exists()


def test_opening_the_store_loads_no_framework(tmp_path: Path) -> None:
    workspace = open_workspace(tmp_path)
    assert workspace.store.entries() == []
    assert "framework" not in workspace.__dict__
    assert "settings" not in workspace.__dict__
    workspace.close()


def test_moving_to_another_data_folder(tmp_path: Path) -> None:
    workspace = open_workspace(tmp_path)
    old = workspace.store
    other = tmp_path / "synced"
    new = workspace.open_store(other)
    workspace.use_data_dir(other, new)
    old.close()
    assert (workspace.data_dir, workspace.store) == (other, new)
    workspace.close()
