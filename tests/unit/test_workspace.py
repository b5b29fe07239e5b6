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


def test_old_single_settings_files_are_migrated_once_and_kept_aside(tmp_path: Path) -> None:
    import orjson

    from sec_desktop.framework import load_framework
    from sec_desktop.framework.custom_profile import (
        load_custom_profile,
        make_custom_profile,
        profile_document,
    )
    from sec_desktop.framework.customization import Customization, load_customization
    from sec_desktop.store.notes_crypto import read_marker
    from tests.helpers.ids import OKR

    workspace = open_workspace(tmp_path)
    data = workspace.data_dir
    base = load_framework()
    custom = Customization().rename(base, OKR, "Goals")
    profile = make_custom_profile(base, {"strategy": (20.0, 30.0)})
    (data / "framework").mkdir(parents=True)
    (data / "framework" / "customization.json").write_bytes(orjson.dumps(custom.to_document()))
    (data / "profiles").mkdir()
    (data / "profiles" / "custom.json").write_bytes(orjson.dumps(profile_document(profile)))
    (data / "encryption.json").write_bytes(
        b'{"format": "sec-desktop/encryption", "version": 1, "notes_encrypted": false, '
        b'"key_id": null}'
    )

    done = workspace.migrate_shared_settings()

    assert len(done) == 3 and workspace.problems == []
    assert not (data / "framework" / "customization.json").exists()
    assert not (data / "profiles" / "custom.json").exists()
    assert not (data / "encryption.json").exists()
    kept = sorted(p.name.split(".migrated-")[0] for p in data.rglob("*.migrated-*"))
    assert kept == ["custom.json", "customization.json", "encryption.json"]
    assert load_customization(data, base) == (custom, [])
    loaded = load_custom_profile(data, base)
    assert loaded is not None and loaded.bands == profile.bands
    marker = read_marker(data)
    assert marker is not None and not marker.enabled
    records = sorted(p.parent.name for p in (data / "shared").rglob(f"{workspace.device}.json"))
    assert records == ["custom-profile", "customization", "encryption"]
    assert workspace.migrate_shared_settings() == []
