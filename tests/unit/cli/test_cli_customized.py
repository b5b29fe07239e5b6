"""The command line sees the framework as the app does: the user's own activities, renames
and the industry preset chosen in the settings."""

from __future__ import annotations

import json
from pathlib import Path

from sec_desktop.framework import load_framework
from sec_desktop.framework.customization import Customization, save_customization
from sec_desktop.settings import load_settings, save_settings
from tests.helpers.ids import OKR, SECURITY


def test_a_custom_activity_can_be_logged_and_a_rename_shows(cli, isolated_dirs) -> None:
    base = load_framework()
    custom, new_id = Customization().add_activity(base, SECURITY, "Vendor security reviews")
    custom = custom.rename(base, OKR, "Quarterly goals")
    save_customization(isolated_dirs["data"], custom, base, device_id="elsewhere")

    logged = cli("log", "vendor security", "--minutes", "45")
    assert logged.code == 0, logged.err
    tree = json.loads(cli("framework", "--format", "json").out)
    text = json.dumps(tree)
    assert new_id in text and "Vendor security reviews" in text
    assert "Quarterly goals" in text
    exported = json.loads(cli("export", "--format", "json").out)
    assert [e["activity"] for e in exported["entries"]] == [new_id]


def test_the_settings_preset_applies_without_the_flag(cli, isolated_dirs: dict[str, Path]) -> None:
    config = isolated_dirs["config"]
    save_settings(config, load_settings(config).settings.replace(industry_preset="fintech"))
    plain = json.dumps(json.loads(cli("framework", "--format", "json").out))
    fintech = json.dumps(
        json.loads(cli("--preset", "fintech", "framework", "--format", "json").out)
    )
    assert plain == fintech


def test_a_broken_customization_warns_and_the_shipped_framework_works(
    cli, isolated_dirs: dict[str, Path]
) -> None:
    folder = isolated_dirs["data"] / "framework"
    folder.mkdir(parents=True)
    (folder / "customization.json").write_text("{not json", encoding="utf-8")
    result = cli("log", "okr", "--minutes", "30")
    assert result.code == 0
    assert "Warning:" in result.err and "customization.json" in result.err
