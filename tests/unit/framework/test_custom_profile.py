"""The custom profile: saved in the data folder, validated with messages naming the field, and a
bad file reported while the framework's own profiles keep working."""

from __future__ import annotations

import math
import os
import shutil
import stat
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from sec_desktop.framework import Band, load_framework
from sec_desktop.framework.custom_profile import (
    CUSTOM_PROFILE_ID,
    CustomProfileConflict,
    CustomProfileError,
    custom_profile_path,
    load_custom_profile,
    make_custom_profile,
    migrate_custom_profile,
    profiles_for,
    read_custom_profile,
    save_custom_profile,
)
from sec_desktop.store.shared_records import SharedRecords
from tests.helpers.ids import OKR, SECURITY

FW = load_framework()
DEVICE, OTHER = "laptop-aaaaaa", "desktop-bbbbbb"
BANDS = {"strategy": (25.0, 35.0), SECURITY: (15.0, 20.0), "culture": (0.0, 100.0)}


@pytest.fixture
def data_dir(isolated_dirs: dict[str, Path]) -> Path:
    return isolated_dirs["data"]


def write_file(data_dir: Path, doc: object) -> Path:
    path = custom_profile_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(doc))
    return path


def good_doc(**bands: object) -> dict[str, object]:
    return {
        "format": "sec-desktop/profile",
        "version": 1,
        "label": "Mine",
        "bands": bands or {"strategy": {"low": 25, "high": 35}},
    }


def test_save_and_load_round_trip(data_dir: Path) -> None:
    profile = make_custom_profile(FW, BANDS, label="My targets", description="Board asked")
    saved = save_custom_profile(data_dir, profile, FW, device_id=DEVICE)
    assert saved.profile == profile and saved.problems == []
    path = data_dir / "shared" / "custom-profile" / f"{DEVICE}.json"
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    doc = orjson.loads(path.read_bytes())
    assert doc["records"]["band/strategy"]["value"] == {"low": 25, "high": 35}
    assert not custom_profile_path(data_dir).exists()
    loaded = load_custom_profile(data_dir, FW)
    assert loaded is not None
    assert (loaded.id, loaded.label, loaded.description) == ("custom", "My targets", "Board asked")
    assert {k: (b.low, b.high) for k, b in loaded.bands.items()} == {
        "strategy": (0.25, 0.35),
        SECURITY: (0.15, 0.20),
        "culture": (0.0, 1.0),
    }


def test_profiles_for_adds_custom_only_when_present(data_dir: Path) -> None:
    assert list(profiles_for(FW, data_dir)) == list(FW.profiles)
    save_custom_profile(data_dir, make_custom_profile(FW, BANDS), device_id=DEVICE)
    profiles = profiles_for(FW, data_dir)
    assert list(profiles) == [*FW.profiles, CUSTOM_PROFILE_ID]
    assert profiles["default"] is FW.profiles["default"]


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        ({"strategy": (40, 30)}, r"bands\.strategy: low \(40%\) is above high \(30%\)"),
        ({"strategy": (10, 120)}, r"bands\.strategy\.high is 120; it must be between 0 and 100"),
        ({"strategy": (-1, 20)}, r"bands\.strategy\.low is -1; it must be between 0 and 100"),
        ({"strategy": (math.nan, 20)}, r"bands\.strategy\.low is nan"),
        ({"strategy": ("ten", 20)}, r"bands\.strategy\.low must be a number of percent"),
        ({"strategy": (True, 20)}, r"bands\.strategy\.low must be a number of percent"),
        ({"strategic": (10, 20)}, r"bands\.strategic: there is no domain or focus area"),
        (
            {OKR: (1, 5)},
            r"OKR management is an activity; bands are for domains and focus areas only",
        ),
        ({"strategy": (10,)}, r"bands\.strategy must be a pair of low and high"),
    ],
)
def test_bad_bands_are_refused_naming_the_field(
    bands: dict[str, tuple[object, ...]], message: str
) -> None:
    with pytest.raises(CustomProfileError, match=message):
        make_custom_profile(FW, bands)  # type: ignore[arg-type]


def test_a_bad_profile_is_not_saved_and_the_old_one_stays(data_dir: Path) -> None:
    save_custom_profile(data_dir, make_custom_profile(FW, BANDS), device_id=DEVICE)
    path = data_dir / "shared" / "custom-profile" / f"{DEVICE}.json"
    before = path.read_bytes()
    good = make_custom_profile(FW, {"strategy": (20, 30)})
    inverted = replace(good, bands={"strategy": Band(0.5, 0.3, "x")})
    with pytest.raises(CustomProfileError, match="low"):
        save_custom_profile(data_dir, inverted, device_id=DEVICE)
    unknown = replace(good, bands={"nowhere": Band(0.1, 0.3, "x")})
    with pytest.raises(CustomProfileError, match="nowhere"):
        save_custom_profile(data_dir, unknown, FW, device_id=DEVICE)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "is not valid JSON"),
        (orjson.dumps([1, 2]), "must hold a JSON object"),
        (orjson.dumps({**good_doc(), "format": "other"}), "field format must be"),
        (orjson.dumps({**good_doc(), "version": 9}), "a newer SEC Desktop wrote it"),
        (orjson.dumps({**good_doc(), "version": "1"}), "field version must be a whole number"),
        (orjson.dumps({**good_doc(), "bands": []}), "field bands must be an object"),
        (orjson.dumps(good_doc(strategy={"low": 30})), "bands.strategy must be an object"),
        (orjson.dumps(good_doc(strategy={"low": 30, "high": 20})), "low \\(30%\\) is above"),
        (orjson.dumps(good_doc(culture={"low": 5, "high": 101})), "bands.culture.high is 101"),
        (orjson.dumps({**good_doc(), "label": 5}), "field label must be text"),
    ],
)
def test_a_bad_file_is_reported_and_the_framework_profiles_keep_working(
    data_dir: Path, content: bytes, message: str
) -> None:
    path = custom_profile_path(data_dir)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with pytest.raises(CustomProfileError, match=message) as caught:
        load_custom_profile(data_dir, FW)
    assert str(path) in str(caught.value)
    problems: list[str] = []
    assert list(profiles_for(FW, data_dir, problems)) == list(FW.profiles)
    assert len(problems) == 1
    assert "the custom profile is not used" in problems[0]
    assert path.read_bytes() == content  # reported, never changed


def test_saving_over_an_unreadable_file_keeps_it_aside(data_dir: Path) -> None:
    path = custom_profile_path(data_dir)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage one")
    save_custom_profile(data_dir, make_custom_profile(FW, BANDS), device_id=DEVICE)
    path.write_bytes(b"garbage two")
    save_custom_profile(data_dir, make_custom_profile(FW, BANDS), device_id=DEVICE)
    assert (path.parent / "custom.json.unreadable").read_bytes() == b"garbage one"
    assert (path.parent / "custom.json.unreadable-1").read_bytes() == b"garbage two"
    assert load_custom_profile(data_dir, FW) is not None


def test_no_file_means_no_custom_profile(data_dir: Path) -> None:
    assert load_custom_profile(data_dir, FW) is None


def test_the_file_form_is_written_in_percent(data_dir: Path) -> None:
    write_file(data_dir, good_doc(strategy={"low": 27.5, "high": 35}))
    profile = load_custom_profile(data_dir, FW)
    assert profile is not None
    assert profile.bands["strategy"].low == pytest.approx(0.275)
    assert profile.bands["strategy"].contains(0.30)


def test_the_report_warns_about_a_bad_custom_profile_and_still_works(
    data_dir: Path, isolated_dirs: dict[str, Path]
) -> None:
    import io

    from sec_desktop.cli.main import main

    path = write_file(data_dir, good_doc(strategy={"low": 50, "high": 10}))

    def report(*args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = main(["--tz", "UTC", "report", *args], env=dict(os.environ), out=out, err=err)
        return code, out.getvalue(), err.getvalue()

    code, out, err = report()
    assert code == 0
    assert "profile: Full range" in out
    assert f"Warning: the custom profile is not used: {path}" in err
    assert "low (50%) is above high (10%)" in err
    code, _, err = report("--profile", "custom")
    assert code == 2
    assert "unknown profile 'custom'; choose one of: default, early-stage, mature" in err


def sync_shared(source: Path, target: Path) -> None:
    for path in (source / "shared").rglob("*.json"):
        dest = target / path.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)


def test_bands_changed_on_two_devices_both_survive(tmp_path: Path) -> None:
    on_a, on_b = tmp_path / "a", tmp_path / "b"
    save_custom_profile(on_a, make_custom_profile(FW, BANDS), FW, device_id=DEVICE)
    sync_shared(on_a, on_b)
    opened_a, opened_b = read_custom_profile(on_a, FW), read_custom_profile(on_b, FW)
    assert opened_a.profile is not None and opened_b.profile is not None
    strategy = {**BANDS, "strategy": (30.0, 40.0)}
    save_custom_profile(
        on_a, make_custom_profile(FW, strategy), FW, device_id=DEVICE, based_on=opened_a
    )
    security = {k: v for k, v in BANDS.items() if k != "culture"} | {SECURITY: (5.0, 10.0)}
    save_custom_profile(
        on_b, make_custom_profile(FW, security), FW, device_id=OTHER, based_on=opened_b
    )
    sync_shared(on_a, on_b)
    sync_shared(on_b, on_a)
    for folder in (on_a, on_b):
        profile = load_custom_profile(folder, FW)
        assert profile is not None
        assert {k: (round(b.low * 100), round(b.high * 100)) for k, b in profile.bands.items()} == {
            "strategy": (30, 40),
            SECURITY: (5, 10),
        }


def test_a_band_changed_meanwhile_refuses_the_save_and_is_kept(data_dir: Path) -> None:
    save_custom_profile(data_dir, make_custom_profile(FW, BANDS), FW, device_id=DEVICE)
    opened = read_custom_profile(data_dir, FW)
    save_custom_profile(
        data_dir, make_custom_profile(FW, {**BANDS, "strategy": (1.0, 2.0)}), FW, device_id=OTHER
    )
    with pytest.raises(CustomProfileConflict, match="Strategy changed on another device"):
        save_custom_profile(
            data_dir,
            make_custom_profile(FW, {**BANDS, "strategy": (50.0, 60.0)}),
            FW,
            device_id=DEVICE,
            based_on=opened,
        )
    profile = load_custom_profile(data_dir, FW)
    assert profile is not None and profile.bands["strategy"].high == pytest.approx(0.02)


def test_the_old_file_is_migrated_once_and_kept_aside(data_dir: Path) -> None:
    path = write_file(data_dir, good_doc(strategy={"low": 27.5, "high": 35}))
    message = migrate_custom_profile(data_dir, DEVICE, FW, now=datetime(2026, 1, 2, tzinfo=UTC))
    assert message is not None and "custom.json.migrated-20260102T000000Z" in message
    assert not path.exists() and path.with_name("custom.json.migrated-20260102T000000Z").exists()
    profile = load_custom_profile(data_dir, FW)
    assert profile is not None and profile.label == "Mine"
    assert profile.bands["strategy"].low == pytest.approx(0.275)
    assert migrate_custom_profile(data_dir, DEVICE, FW) is None


def test_a_band_record_this_device_cant_use_is_named_and_the_rest_apply(data_dir: Path) -> None:
    save_custom_profile(data_dir, make_custom_profile(FW, BANDS), FW, device_id=DEVICE)
    SharedRecords(data_dir, "custom-profile", OTHER).write({"band/nowhere": {"low": 1, "high": 2}})
    problems: list[str] = []
    profiles = profiles_for(FW, data_dir, problems)
    assert set(profiles[CUSTOM_PROFILE_ID].bands) == set(BANDS)
    assert len(problems) == 1 and "'nowhere'" in problems[0]
