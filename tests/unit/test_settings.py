"""Settings: one declaration per setting, validation naming the field, and a settings file
that survives bad values, bad files and newer versions without losing anything."""

from __future__ import annotations

import os
from datetime import UTC, datetime, time
from pathlib import Path

import orjson
import pytest

from sec_desktop.settings import (
    SETTINGS_FORMAT,
    SETTINGS_VERSION,
    SPEC_BY_KEY,
    SPECS,
    Settings,
    SettingsError,
    configured_backups_kept,
    load_settings,
    save_settings,
    settings_from_values,
)

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def write(config: Path, document: object) -> Path:
    config.mkdir(parents=True, exist_ok=True)
    path = config / "settings.json"
    path.write_bytes(orjson.dumps(document))
    return path


def doc(**values: object) -> dict[str, object]:
    return {"format": SETTINGS_FORMAT, "version": SETTINGS_VERSION, "settings": values}


# Declaration --------------------------------------------------------------------------------


def test_defaults_from_the_issue() -> None:
    s = Settings()
    assert s.prompt_mode == "interval"
    assert s.interval_minutes == 30
    assert s.random_mean_gap_minutes == 45
    assert s.random_seed == 11193462
    assert s.work_days == frozenset({0, 1, 2, 3, 4})
    assert (s.work_start, s.work_end) == (time(9), time(18))
    assert s.snooze_minutes == (5, 15, 60)
    assert s.idle_minutes == 10
    assert s.start_at_login is False
    assert s.data_dir is None
    assert s.backups_kept == 14
    assert (s.benchmark_profile, s.industry_preset, s.first_run_done) == ("default", None, False)


def test_every_field_has_exactly_one_spec() -> None:
    from dataclasses import fields

    assert [f.name for f in fields(Settings)] == [spec.key for spec in SPECS]
    for spec in SPECS:
        assert spec.label and spec.group and spec.help
        assert spec.default == getattr(Settings(), spec.key)
        spec.validate(spec.default)  # every default passes its own rules
        assert spec.from_json(spec.kind.to_json(spec.default)) == spec.default


def test_applies_when_names_a_real_setting() -> None:
    for spec in SPECS:
        if spec.applies_when:
            other, values = spec.applies_when
            assert other in SPEC_BY_KEY
            assert values <= set(SPEC_BY_KEY[other].kind.values)  # type: ignore[attr-defined]


# Validation --------------------------------------------------------------------------------

BAD_VALUES = [
    ("prompt_mode", "hourly", "Prompt mode: must be one of"),
    ("prompt_surface", "toast", "Ask with: must be one of 'picker', 'notification'"),
    ("notification_wait_minutes", 0, "Picker after: must be between 1 and 60 minutes."),
    ("interval_minutes", 4, "Interval: must be between 5 and 240 minutes."),
    ("interval_minutes", 241, "Interval: must be between 5 and 240 minutes."),
    ("interval_minutes", True, "Interval: must be a whole number"),
    ("random_mean_gap_minutes", 0, "Average gap: must be between 5 and 240"),
    ("work_days", frozenset(), "Working days: pick at least one day."),
    ("work_days", frozenset({7}), "Working days: must hold weekday numbers"),
    ("snooze_minutes", (), "Snooze lengths: needs 1 to 3 values."),
    ("snooze_minutes", (5, 5), "Snooze lengths: has the same value twice."),
    ("snooze_minutes", (5, 15, 60, 120), "Snooze lengths: needs 1 to 3 values."),
    ("snooze_minutes", (0,), "Snooze lengths: 0 is not between 1 and 480 minutes."),
    ("snooze_minutes", (481,), "Snooze lengths: 481 is not between 1 and 480"),
    ("idle_minutes", 0, "Idle after: must be between 1 and 120"),
    ("start_at_login", "yes", "Start at login: must be true or false"),
    ("data_dir", Path("relative/dir"), "Data folder: must be an absolute path"),
    ("work_start", time(9, 0, 30), "Start: must be a whole minute."),
    ("benchmark_profile", "Bad Name", "Benchmark profile: must be an id"),
    ("backups_kept", 0, "Daily backups kept: must be between 1 and 365 backups."),
    ("backups_kept", 366, "Daily backups kept: must be between 1 and 365 backups."),
]


@pytest.mark.parametrize(("key", "value", "message"), BAD_VALUES)
def test_bad_values_name_the_field(key: str, value: object, message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings().replace(**{key: value})
    assert caught.value.key == key
    assert str(caught.value).startswith(message)


def test_end_must_follow_start() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings(work_start=time(18), work_end=time(9))
    assert caught.value.key == "work_end"
    assert "End: must be after the start" in str(caught.value)


def test_data_dir_that_is_a_file(tmp_path: Path) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("")
    with pytest.raises(SettingsError, match="is a file, not a folder"):
        Settings(data_dir=a_file)


def test_values_are_normalised() -> None:
    s = Settings(snooze_minutes=(60, 5), work_days=[4, 0])  # type: ignore[arg-type]
    assert s.snooze_minutes == (5, 60)
    assert s.work_days == frozenset({0, 4})


def test_settings_from_values_refuses_unknown_keys() -> None:
    with pytest.raises(SettingsError, match="unknown setting 'colour'"):
        settings_from_values({"colour": "red"})
    assert settings_from_values({"interval_minutes": 20}).interval_minutes == 20


# The file ----------------------------------------------------------------------------------


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    loaded = load_settings(tmp_path / "config")
    assert loaded.settings == Settings()
    assert loaded.problems == ()
    assert not (tmp_path / "config").exists()  # loading writes nothing


def test_round_trip(tmp_path: Path) -> None:
    config = tmp_path / "config"
    chosen = Settings(
        prompt_mode="random",
        random_mean_gap_minutes=30,
        work_days=frozenset({0, 2, 4}),
        work_start=time(8, 30),
        work_end=time(16, 45),
        snooze_minutes=(10, 90),
        start_at_login=True,
        data_dir=tmp_path / "synced",
        industry_preset="fintech",
    )
    save_settings(config, chosen)
    path = config / "settings.json"
    stored = orjson.loads(path.read_bytes())
    assert stored["format"] == SETTINGS_FORMAT and stored["version"] == SETTINGS_VERSION
    assert stored["settings"]["work_start"] == "08:30"
    assert stored["settings"]["work_days"] == [0, 2, 4]
    assert load_settings(config) == load_settings(config)
    assert load_settings(config).settings == chosen
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600


def test_a_bad_value_falls_back_alone_and_the_file_is_kept(tmp_path: Path) -> None:
    config = tmp_path / "config"
    original = orjson.dumps(doc(interval_minutes=999, work_start="08:00", snooze_minutes=[5]))
    config.mkdir()
    (config / "settings.json").write_bytes(original)
    loaded = load_settings(config, now=NOW)
    assert loaded.settings.interval_minutes == 30
    assert loaded.settings.work_start == time(8)
    assert loaded.settings.snooze_minutes == (5,)
    [problem] = loaded.problems
    assert problem.key == "interval_minutes"
    assert problem.message == "Interval: must be between 5 and 240 minutes. The default is in use."
    assert loaded.kept_aside == config / "settings.json.bad-20261123T100000Z"
    assert loaded.kept_aside.read_bytes() == original
    # The repaired settings were saved: the next start is clean.
    again = load_settings(config, now=NOW)
    assert again.problems == () and again.settings == loaded.settings


def test_start_and_end_in_the_wrong_order_both_fall_back(tmp_path: Path) -> None:
    write(tmp_path, doc(work_start="17:00", work_end="08:00", interval_minutes=20))
    loaded = load_settings(tmp_path, now=NOW)
    assert (loaded.settings.work_start, loaded.settings.work_end) == (time(9), time(18))
    assert loaded.settings.interval_minutes == 20
    assert [p.key for p in loaded.problems] == ["work_end"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "is not valid JSON"),
        (b"[1, 2]", "does not hold a JSON object"),
        (orjson.dumps({"format": "other", "version": 1, "settings": {}}), "format field"),
        (orjson.dumps({"format": SETTINGS_FORMAT, "settings": {}}), "version field"),
        (orjson.dumps({"format": SETTINGS_FORMAT, "version": 1}), "settings field"),
        (orjson.dumps({"format": SETTINGS_FORMAT, "version": 99, "settings": {}}), "newer"),
        (b"", "is not valid JSON"),
    ],
)
def test_an_unreadable_file_is_moved_aside(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "settings.json").write_bytes(content)
    loaded = load_settings(tmp_path, now=NOW)
    assert loaded.settings == Settings()
    [problem] = loaded.problems
    assert problem.key is None
    assert message in problem.message
    assert "moved to settings.json.bad-20261123T100000Z" in problem.message
    assert loaded.kept_aside is not None and loaded.kept_aside.read_bytes() == content
    assert not (tmp_path / "settings.json").exists()


def test_two_bad_files_in_one_second_keep_both(tmp_path: Path) -> None:
    for content in (b"{1", b"{2"):
        (tmp_path / "settings.json").write_bytes(content)
        load_settings(tmp_path, now=NOW)
    kept = sorted(p.read_bytes() for p in tmp_path.glob("settings.json.bad-*"))
    assert kept == [b"{1", b"{2"]


def test_unknown_keys_survive_a_save(tmp_path: Path) -> None:
    write(tmp_path, doc(interval_minutes=20, from_a_newer_version={"x": 1}))
    loaded = load_settings(tmp_path)
    assert loaded.problems == ()
    save_settings(tmp_path, loaded.settings.replace(interval_minutes=25))
    stored = orjson.loads((tmp_path / "settings.json").read_bytes())["settings"]
    assert stored["from_a_newer_version"] == {"x": 1}
    assert stored["interval_minutes"] == 25


def test_settings_missing_from_an_older_file_take_their_defaults(tmp_path: Path) -> None:
    write(tmp_path, doc(interval_minutes=20))
    loaded = load_settings(tmp_path)
    assert loaded.problems == ()
    assert loaded.settings == Settings(interval_minutes=20)


def test_a_failed_save_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config"
    save_settings(config, Settings(interval_minutes=20))
    before = (config / "settings.json").read_bytes()

    def full_disk(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("sec_desktop.store.atomic.os.fsync", full_disk)
    with pytest.raises(OSError, match="No space"):
        save_settings(config, Settings(interval_minutes=40))
    assert (config / "settings.json").read_bytes() == before
    assert [p.name for p in config.iterdir()] == ["settings.json"]


def test_configured_backups_kept_reads_the_saved_value_or_the_default(tmp_path: Path) -> None:
    config = tmp_path / "config"
    assert configured_backups_kept(config) == 14
    save_settings(config, Settings(backups_kept=30))
    assert configured_backups_kept(config) == 30
    write(
        config,
        {
            "format": SETTINGS_FORMAT,
            "version": SETTINGS_VERSION,
            "settings": {"backups_kept": "many"},
        },
    )
    assert configured_backups_kept(config) == 14
