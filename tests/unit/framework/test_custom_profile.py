"""The custom profile: saved in the data folder, validated with messages naming the field, and a
bad file reported while the framework's own profiles keep working."""

from __future__ import annotations

import math
import os
import stat
from dataclasses import replace
from pathlib import Path

import orjson
import pytest

from sec_desktop.framework import Band, load_framework
from sec_desktop.framework.custom_profile import (
    CUSTOM_PROFILE_ID,
    CustomProfileError,
    custom_profile_path,
    load_custom_profile,
    make_custom_profile,
    profiles_for,
    save_custom_profile,
)
from tests.helpers.ids import OKR, SECURITY

FW = load_framework()
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
    path = save_custom_profile(data_dir, profile, FW)
    assert path == data_dir / "profiles" / "custom.json"
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    doc = orjson.loads(path.read_bytes())
    assert (doc["format"], doc["version"]) == ("sec-desktop/profile", 1)
    assert doc["bands"]["strategy"] == {"low": 25, "high": 35}
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
    save_custom_profile(data_dir, make_custom_profile(FW, BANDS))
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
    path = save_custom_profile(data_dir, make_custom_profile(FW, BANDS))
    before = path.read_bytes()
    good = make_custom_profile(FW, {"strategy": (20, 30)})
    inverted = replace(good, bands={"strategy": Band(0.5, 0.3, "x")})
    with pytest.raises(CustomProfileError, match="low"):
        save_custom_profile(data_dir, inverted)
    unknown = replace(good, bands={"nowhere": Band(0.1, 0.3, "x")})
    with pytest.raises(CustomProfileError, match="nowhere"):
        save_custom_profile(data_dir, unknown, FW)
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
    save_custom_profile(data_dir, make_custom_profile(FW, BANDS))
    path.write_bytes(b"garbage two")
    save_custom_profile(data_dir, make_custom_profile(FW, BANDS))
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
