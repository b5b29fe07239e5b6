"""The Linux desktop entry, the AppStream metainfo and the installer icons: valid for the
freedesktop tools, consistent with the package (id, version, command names) and up to date
with the drawing in scripts/make_icons.py."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest
from PIL import IcnsImagePlugin, IcoImagePlugin, Image

import sec_desktop
from sec_desktop import APP_ID, APP_NAME
from sec_desktop.cli.gui import STARTS_APP
from tests.helpers.scripts import ROOT, load_module

DESKTOP_FILE = ROOT / "packaging" / "linux" / f"{APP_ID}.desktop"
METAINFO_FILE = ROOT / "packaging" / "linux" / f"{APP_ID}.metainfo.xml"
ICON_DIR = ROOT / "packaging" / "icons"
ICO_PIXELS = {16, 24, 32, 48, 64, 128, 256}
# (points, points, scale) as Pillow reports them: 16 to 512 points, at 1x and 2x where Pillow
# writes the slot (16 and 32 points come at 2x only; macOS scales those down for 1x).
ICNS_SIZES = {
    (16, 16, 2),
    (32, 32, 2),
    (128, 128, 1),
    (128, 128, 2),
    (256, 256, 1),
    (256, 256, 2),
    (512, 512, 1),
    (512, 512, 2),
}

needs_desktop_file_validate = pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None,
    reason="desktop-file-validate is not installed (Debian package desktop-file-utils)",
)
needs_appstreamcli = pytest.mark.skipif(
    shutil.which("appstreamcli") is None,
    reason="appstreamcli is not installed (Debian package appstream)",
)


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    # The C locale keeps the validators' messages in English, so the checks below can read them.
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANGUAGE": ""}
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)


def desktop_file_problems(path: Path) -> tuple[int, list[str]]:
    """desktop-file-validate's exit code and its error and warning lines (hints pass)."""
    result = _run(["desktop-file-validate", str(path)])
    lines = (result.stdout + result.stderr).splitlines()
    return result.returncode, [line for line in lines if ": error:" in line or ": warning:" in line]


def metainfo_problems(path: Path) -> tuple[int, list[str]]:
    """appstreamcli's exit code and its error and warning lines (infos and pedantic ones pass)."""
    result = _run(["appstreamcli", "validate", "--no-net", str(path)])
    lines = (result.stdout + result.stderr).splitlines()
    problems = [line for line in lines if line.startswith(("E:", "W:"))]
    problems += [line for line in lines if "errors:" in line or "warnings:" in line]
    return result.returncode, problems


def read_desktop_entry(path: Path) -> configparser.ConfigParser:
    entry = configparser.ConfigParser(interpolation=None, strict=True)
    entry.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    entry.read(path, encoding="utf-8")
    return entry


def load_make_icons() -> ModuleType:
    return load_module("scripts/make_icons.py", "make_icons")


# The validators -------------------------------------------------------------------------


@needs_desktop_file_validate
def test_the_desktop_file_passes_desktop_file_validate() -> None:
    assert desktop_file_problems(DESKTOP_FILE) == (0, [])


@needs_appstreamcli
def test_the_metainfo_passes_appstreamcli_validate() -> None:
    assert metainfo_problems(METAINFO_FILE) == (0, [])


@needs_desktop_file_validate
def test_a_broken_desktop_file_is_caught(tmp_path: Path) -> None:
    # The check above only means something if a real mistake shows up in it.
    broken = tmp_path / f"{APP_ID}.desktop"
    text = DESKTOP_FILE.read_text(encoding="utf-8")
    broken.write_text(text.replace("Categories=Office;", "Categories=Officework;"), "utf-8")
    code, problems = desktop_file_problems(broken)
    assert code != 0
    assert any("Officework" in line for line in problems)


@needs_appstreamcli
def test_a_broken_metainfo_is_caught(tmp_path: Path) -> None:
    broken = tmp_path / f"{APP_ID}.metainfo.xml"
    text = METAINFO_FILE.read_text(encoding="utf-8")
    broken.write_text(text.replace("<project_license>MIT<", "<project_license>MITT<"), "utf-8")
    code, problems = metainfo_problems(broken)
    assert code != 0
    assert any("MITT" in line for line in problems)


# The same names everywhere ----------------------------------------------------------------


def launcher_name() -> str:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    (name,) = scripts
    assert isinstance(name, str)
    return name


def test_the_desktop_entry_names_the_app_its_icon_and_its_command() -> None:
    entry = read_desktop_entry(DESKTOP_FILE)["Desktop Entry"]
    assert entry["Name"] == APP_NAME
    assert entry["Icon"] == APP_ID
    assert entry["Exec"] == launcher_name()
    assert (ICON_DIR / f"{entry['Icon']}.svg").is_file()


def test_the_desktop_actions_run_commands_that_start_the_app() -> None:
    entry = read_desktop_entry(DESKTOP_FILE)
    action_ids = [a for a in entry["Desktop Entry"]["Actions"].split(";") if a]
    commands = [entry[f"Desktop Action {a}"]["Exec"].split() for a in action_ids]
    assert {tuple(c) for c in commands} == {
        (launcher_name(), "prompt", "--keyboard"),
        (launcher_name(), "dashboard"),
    }
    # From a launcher the app may not run yet, so each command must start it when needed.
    assert all(command[1] in STARTS_APP for command in commands)


def test_the_metainfo_matches_the_package_and_the_desktop_entry() -> None:
    component = ET.parse(METAINFO_FILE).getroot()  # noqa: S314 - our own checked-in file
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert component.get("type") == "desktop-application"
    assert component.findtext("id") == APP_ID
    assert component.findtext("name") == APP_NAME
    assert component.findtext("project_license") == project["license"]
    launchable = component.find("launchable")
    assert launchable is not None
    assert launchable.get("type") == "desktop-id"
    assert launchable.text == DESKTOP_FILE.name == f"{APP_ID}.desktop"
    assert [b.text for b in component.iter("binary")] == [launcher_name()]
    releases = component.findall("releases/release")
    assert releases
    assert releases[0].get("version") == sec_desktop.__version__
    entry = read_desktop_entry(DESKTOP_FILE)["Desktop Entry"]
    desktop_categories = [c for c in entry["Categories"].split(";") if c]
    assert [c.text for c in component.iter("category")] == desktop_categories


# The icons ------------------------------------------------------------------------------


def test_the_ico_holds_every_windows_size() -> None:
    with Image.open(ICON_DIR / f"{APP_ID}.ico") as ico:
        assert isinstance(ico, IcoImagePlugin.IcoImageFile)
        assert {w for w, h in ico.info["sizes"] if w == h} == ICO_PIXELS
        assert len(ico.info["sizes"]) == len(ICO_PIXELS)
        for pixels in sorted(ICO_PIXELS):
            frame = ico.ico.getimage((pixels, pixels))
            assert frame.size == (pixels, pixels)
            assert frame.mode == "RGBA"
            # Drawn, and with a transparent ground: the corners are empty, the ring is not.
            assert frame.getbbox() is not None
            assert frame.getpixel((0, 0)) == (0, 0, 0, 0)


def test_the_icns_holds_every_macos_size() -> None:
    with Image.open(ICON_DIR / f"{APP_ID}.icns") as icns:
        assert isinstance(icns, IcnsImagePlugin.IcnsImageFile)
        assert set(icns.info["sizes"]) == ICNS_SIZES
        for points, _, scale in sorted(ICNS_SIZES):
            image = icns.icns.getimage((points, points, scale))
            assert image.size == (points * scale, points * scale)
            assert image.mode == "RGBA"
            assert image.getbbox() is not None
            assert image.getpixel((0, 0)) == (0, 0, 0, 0)


def test_the_installer_icons_are_up_to_date_with_the_drawing() -> None:
    make_icons = load_make_icons()
    app_svg = make_icons.drawing(make_icons.APP_STATE)
    packaged = (ICON_DIR / f"{APP_ID}.svg").read_text(encoding="utf-8")
    assert packaged == app_svg, "run scripts/make_icons.py"
    bundled = (ROOT / "sec_desktop" / "resources" / "icons" / "app.svg").read_text("utf-8")
    assert bundled == app_svg, "run scripts/make_icons.py"
    assert app_svg.startswith("<svg ")


def test_the_prompt_action_is_there_to_bind_a_key_to() -> None:
    # Desktops without a key grab for the app (sway, Hyprland) bind "sec-desktop prompt
    # --keyboard"; launchers offer the same as an action of the app's icon. Both are the
    # user asking, so the picker takes the keyboard at once.
    entry = read_desktop_entry(DESKTOP_FILE)
    action = entry["Desktop Action log-now"]
    assert action["Name"] == "Ask what I'm doing"
    assert action["Exec"] == f"{launcher_name()} prompt --keyboard"
