"""The .deb's contents from scripts/build_installer.py: the man page from the CLI's parser, the
Debian changelog from the metainfo release, and the staged tree with Debian's permissions."""

from __future__ import annotations

import argparse
import email.utils
import gzip
import re
import stat
import struct
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

from sec_desktop import APP_ID, APP_NAME, __version__
from sec_desktop.cli.main import build_parser
from tests.helpers.scripts import ROOT, load_module

HIDDEN_COMMANDS = {"probe-tray"}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def load_build_installer() -> ModuleType:
    return load_module("scripts/build_installer.py", "build_installer")


build_installer = load_build_installer()


def parser_commands() -> set[str]:
    parser = build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]  # noqa: SLF001
    return set(sub.choices)


def man_section(page: str, title: str) -> list[str]:
    lines = page.splitlines()
    start = lines.index(f".SH {title}") + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith(".SH ")), len(lines))
    return lines[start:end]


def unroff(text: str) -> str:
    return text.replace("\\-", "-").replace("\\(aq", "'").replace("\\\\", "\\")


# The man page --------------------------------------------------------------------------------


def test_man_page_lists_every_public_command() -> None:
    page = build_installer.man_page()
    commands = man_section(page, "COMMANDS")
    # Each command is ".TP", then "\fBNAME\fR", then its help line.
    names = {
        unroff(found.group(1))
        for line in commands
        if (found := re.fullmatch(r"\\fB(.+)\\fR", line)) is not None
    }
    assert names == parser_commands() - HIDDEN_COMMANDS
    assert commands.count(".TP") == len(names)
    for i, line in enumerate(commands):
        if line == ".TP":
            assert commands[i + 2].strip(), f"{commands[i + 1]} has no description"


def test_man_page_leaves_out_the_hidden_command() -> None:
    assert parser_commands() >= HIDDEN_COMMANDS
    page = build_installer.man_page()
    for name in HIDDEN_COMMANDS:
        assert name not in unroff(page)


def test_man_page_has_the_options() -> None:
    options = man_section(build_installer.man_page(), "OPTIONS")
    assert "\\fB\\-\\-self\\-test\\fR" in options
    assert "\\fB\\-\\-data\\-dir\\fR \\fIDIR\\fR" in options
    assert "\\fB\\-\\-version\\fR" in options


def test_man_page_is_plain_roff() -> None:
    page = build_installer.man_page()
    assert page.startswith(".TH SEC-DESKTOP 1 ")
    assert f'"{APP_NAME} {__version__}"' in page.splitlines()[0]
    headings = [line for line in page.splitlines() if line.startswith(".SH ")]
    assert headings[:5] == [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH DESCRIPTION",
        ".SH OPTIONS",
        ".SH COMMANDS",
    ]
    for line in page.splitlines():
        if line.startswith("."):
            # Requests only: ".TP", ".SH NAME", never text that begins with a dot.
            assert re.fullmatch(r"\.(TH|SH|TP|B)( .*)?", line), line
        else:
            # A text line starting with ' is a request too; a bare - is a hyphen, not a minus.
            assert not line.startswith("'"), line
            assert not re.search(r"(?<!\\)-", line), line


# The changelog -------------------------------------------------------------------------------


def metainfo_release_date(version: str) -> date:
    tree = ET.parse(ROOT / "packaging" / "linux" / f"{APP_ID}.metainfo.xml")  # noqa: S314
    for release in tree.getroot().iter("release"):
        if release.get("version") == version:
            return date.fromisoformat(release.get("date", ""))
    raise AssertionError(f"no release {version} in the metainfo")


CHANGELOG_TRAILER = re.compile(
    r" -- (?P<name>[^<>]+) <(?P<email>[^<>@\s]+@[^<>@\s]+)>  "
    r"(?P<stamp>(?P<weekday>Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} "
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000)"
)


def test_changelog_is_debian_format_dated_by_the_metainfo() -> None:
    text = build_installer.changelog()
    lines = text.splitlines()
    assert lines[0] == f"sec-desktop ({__version__}) unstable; urgency=medium"
    assert lines[1] == ""
    assert lines[2].startswith("  * ")
    assert text.endswith("\n")
    trailer = CHANGELOG_TRAILER.fullmatch(lines[-1])
    assert trailer is not None, lines[-1]
    released = metainfo_release_date(__version__)
    stamped = email.utils.parsedate_to_datetime(trailer["stamp"])
    assert stamped.date() == released
    assert trailer["weekday"] == WEEKDAYS[released.weekday()]


def write_metainfo(folder: Path, releases: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{APP_ID}.metainfo.xml").write_text(
        f'<?xml version="1.0"?>\n<component><releases>\n{releases}\n</releases></component>\n',
        encoding="utf-8",
    )


def test_changelog_takes_this_versions_release_in_any_attribute_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_metainfo(
        tmp_path,
        '<release version="9.9.9" date="2030-01-01"/>\n'
        f'<release date="2027-02-01" type="stable" version="{__version__}"/>',
    )
    monkeypatch.setattr(build_installer, "LINUX_DIR", tmp_path)
    trailer = CHANGELOG_TRAILER.fullmatch(build_installer.changelog().splitlines()[-1])
    assert trailer is not None
    assert trailer["stamp"] == "Mon, 01 Feb 2027 12:00:00 +0000"


def test_changelog_needs_a_release_for_this_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_metainfo(tmp_path, '<release version="0.0.1" date="2025-01-01"/>')
    monkeypatch.setattr(build_installer, "LINUX_DIR", tmp_path)
    with pytest.raises(build_installer.BuildError, match=re.escape(__version__)):
        build_installer.changelog()


# The staged .deb tree ------------------------------------------------------------------------


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A stand-in for PyInstaller's one-folder output, with modes a build might leave."""
    folder = tmp_path / "bundle"
    internal = folder / "_internal"
    (internal / "PySide6" / "Qt" / "plugins").mkdir(parents=True)
    program = folder / "sec-desktop"
    program.write_bytes(b"\x7fELF program")
    program.chmod(0o700)
    library = internal / "libpython3.11.so.1.0"
    library.write_bytes(b"\x7fELF library")
    library.chmod(0o755)
    (internal / "libpython3.11.so").symlink_to("libpython3.11.so.1.0")
    data = internal / "PySide6" / "Qt" / "plugins" / "data.txt"
    data.write_text("private", encoding="utf-8")
    data.chmod(0o600)
    # Same name as the program, but not the one that runs.
    (internal / "sec-desktop").write_text("not the program", encoding="utf-8")
    (internal / "sec-desktop").chmod(0o755)
    (internal / "PySide6").chmod(0o700)
    return folder


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_stage_deb_lays_out_the_package(bundle: Path, tmp_path: Path) -> None:
    staging = tmp_path / "staging" / "sec-desktop"
    staging.mkdir(parents=True)
    (staging / "left-over").write_text("from an earlier build", encoding="utf-8")
    build_installer.stage_deb(bundle, staging)

    assert not (staging / "left-over").exists()
    opt = staging / "opt" / "sec-desktop"
    assert mode(opt / "sec-desktop") == 0o755
    assert (opt / "sec-desktop").read_bytes() == b"\x7fELF program"
    assert (opt / "_internal" / "libpython3.11.so").is_symlink()
    assert (opt / "_internal" / "libpython3.11.so").readlink() == Path("libpython3.11.so.1.0")

    launcher = staging / "usr" / "bin" / "sec-desktop"
    assert launcher.is_symlink()
    assert launcher.readlink() == Path("/opt/sec-desktop/sec-desktop")

    share = staging / "usr" / "share"
    linux = ROOT / "packaging" / "linux"
    icons = ROOT / "sec_desktop" / "resources" / "icons"
    same = {
        share / "applications" / f"{APP_ID}.desktop": linux / f"{APP_ID}.desktop",
        share / "metainfo" / f"{APP_ID}.metainfo.xml": linux / f"{APP_ID}.metainfo.xml",
        share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg": icons / "app.svg",
        share / "doc" / "sec-desktop" / "copyright": linux / "copyright",
        share / "lintian" / "overrides" / "sec-desktop": linux / "lintian-overrides",
    }
    for staged, source in same.items():
        assert staged.read_bytes() == source.read_bytes(), staged
    for size in build_installer.HICOLOR_SIZES:
        icon = share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert png_size(icon.read_bytes()) == (size, size), icon
    assert {p.name for p in (share / "icons" / "hicolor").iterdir()} == {
        *(f"{size}x{size}" for size in build_installer.HICOLOR_SIZES),
        "scalable",
    }

    man = share / "man" / "man1" / "sec-desktop.1.gz"
    assert gzip.decompress(man.read_bytes()).decode() == build_installer.man_page()
    changelog = share / "doc" / "sec-desktop" / "changelog.gz"
    assert gzip.decompress(changelog.read_bytes()).decode() == build_installer.changelog()


def test_stage_deb_uses_debian_permissions(bundle: Path, tmp_path: Path) -> None:
    staging = tmp_path / "staging"
    build_installer.stage_deb(bundle, staging)
    program = staging / "opt" / "sec-desktop" / "sec-desktop"
    checked = 0
    for path in [staging, *staging.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir() or path == program:
            assert mode(path) == 0o755, path
        else:
            # Shared objects and the look-alike inside _internal are not programs.
            assert mode(path) == 0o644, path
        checked += 1
    assert checked > 30


def test_stage_deb_gzips_are_reproducible(bundle: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    build_installer.stage_deb(bundle, first)
    build_installer.stage_deb(bundle, second)
    gzips = sorted(p.relative_to(first) for p in first.rglob("*.gz"))
    assert [p.name for p in gzips] == ["changelog.gz", "sec-desktop.1.gz"]
    for relative in gzips:
        data = (first / relative).read_bytes()
        assert data == (second / relative).read_bytes(), relative
        # No timestamp in the gzip header, so a later build gives the same bytes too.
        assert data[4:8] == b"\0\0\0\0", relative


# Helpers over the bundle ---------------------------------------------------------------------


def test_elf_files_finds_only_real_elf_files(bundle: Path) -> None:
    found = list(build_installer.elf_files(bundle))
    assert found == [bundle / "_internal" / "libpython3.11.so.1.0", bundle / "sec-desktop"]


def test_tree_size_counts_files_and_links_not_folders(bundle: Path) -> None:
    link = bundle / "_internal" / "libpython3.11.so"
    expected = (
        len(b"\x7fELF program")
        + len(b"\x7fELF library")
        + len("private")
        + len("not the program")
        + link.lstat().st_size
    )
    assert build_installer.tree_size(bundle) == expected
