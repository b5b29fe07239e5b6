"""Your name and company: one line of text each, kept in the settings for the PDF report."""

from __future__ import annotations

from pathlib import Path

import pytest

from sec_desktop.settings import (
    Settings,
    SettingsError,
    configured_value,
    load_settings,
    save_settings,
)


def test_name_and_company_default_empty_and_are_trimmed() -> None:
    assert (Settings().user_name, Settings().company) == ("", "")
    settings = Settings(user_name="  Ana Müller ", company="Northwind GmbH")
    assert (settings.user_name, settings.company) == ("Ana Müller", "Northwind GmbH")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Ana\nMüller", "Your name: must be one line of text without control characters."),
        ("x" * 81, "Your name: is 81 characters long; at most 80 fit."),
        (42, "Your name: must be text, not 42."),
    ],
)
def test_bad_names_are_refused_by_name(value: object, message: str) -> None:
    with pytest.raises(SettingsError) as info:
        Settings(user_name=value)  # type: ignore[arg-type]
    assert str(info.value) == message
    assert info.value.key == "user_name"


def test_saved_and_read_back_without_side_effects(tmp_path: Path) -> None:
    save_settings(tmp_path, Settings(user_name="Ana", company="Northwind"))
    assert load_settings(tmp_path).settings.company == "Northwind"
    assert configured_value(tmp_path, "user_name") == "Ana"
    assert configured_value(tmp_path / "nowhere", "company") is None
