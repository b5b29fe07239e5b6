"""Build the Linux installers: the PyInstaller bundle, a .deb and a .tar.gz, and check them.

Usage: scripts/build-installer [--out DIR] [--work DIR] [--reuse-bundle] [--no-checks]

The .deb installs the bundle under /opt/sec-desktop with the launcher /usr/bin/sec-desktop,
the desktop entry, hicolor icons, AppStream metainfo and a man page. It needs no maintainer
scripts: Debian's triggers refresh the icon cache and desktop database. Its Depends line is
computed by dpkg-shlibdeps from the libraries the bundle leaves to the system. The tarball is
the same bundle with the desktop files beside it, for other distributions.

Checks after the build: desktop-file-validate, appstreamcli validate and lintian (errors
fail the build; each override in packaging/linux/lintian-overrides says why it is there).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "packaging"))
sys.path.insert(0, str(ROOT / "scripts"))

from bundle_layout import FROZEN_NAME  # noqa: E402
from make_icons import PNG_SIZES  # noqa: E402

from sec_desktop import APP_ID, APP_NAME, __version__  # noqa: E402

PACKAGE = "sec-desktop"
INSTALL_DIR = f"/opt/{PACKAGE}"
MAINTAINER = "The SEC Desktop developers <secdesktop@users.noreply.github.com>"
HOMEPAGE = "https://github.com/secdesktop/sec-desktop"
LINUX_DIR = ROOT / "packaging" / "linux"
ICON_DIR = ROOT / "sec_desktop" / "resources" / "icons"
SPEC = ROOT / "packaging" / "sec_desktop.spec"
# Every size scripts/make_icons.py renders of the app icon goes into hicolor.
HICOLOR_SIZES = PNG_SIZES
DESCRIPTION = f"""\
Description: {APP_NAME}: where a technology leader's time goes
 A tray app for the technology leader who is CTO, CIO and CISO at once. It
 asks "what are you doing?" at intervals or at random moments, takes an answer
 tagged in the SEC framework (Strategy, Execution, Culture) from a
 keyboard-first picker in two keystrokes, and shows where the time went
 against the framework's benchmark bands.
 .
 Entries stay on this machine, in plain files under the user's data folder;
 notes can be encrypted with a key kept in the desktop's keychain.
"""


class BuildError(Exception):
    """A step failed; the message names the step and what it printed."""


@dataclass(frozen=True)
class Artefacts:
    bundle: Path
    deb: Path
    tarball: Path


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(args: Sequence[str | Path], *, cwd: Path | None = None) -> str:
    result = subprocess.run(
        [str(arg) for arg in args], cwd=cwd, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        raise BuildError(f"{Path(str(args[0])).name} failed ({result.returncode}):\n{output}")
    return result.stdout


def deb_arch() -> str:
    return run(["dpkg", "--print-architecture"]).strip()


# The bundle ----------------------------------------------------------------------------------


def build_bundle(work: Path) -> Path:
    """PyInstaller's one-folder build of the app, in `work`/dist."""
    dist = work / "dist"
    started = time.monotonic()
    say(f"Building the bundle with PyInstaller into {dist} ...")
    run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            dist,
            "--workpath",
            work / "pyinstaller",
            SPEC,
        ],
        cwd=ROOT,
    )
    bundle = dist / FROZEN_NAME
    if not (bundle / FROZEN_NAME).is_file():
        raise BuildError(f"PyInstaller finished but {bundle / FROZEN_NAME} is missing")
    cleaned = drop_build_paths(bundle)
    if cleaned:
        say(f"Removed the build machine's library paths from {cleaned} files")
    say(f"Bundle built in {time.monotonic() - started:.0f} s: {tree_size(bundle) / 1e6:.1f} MB")
    return bundle


def tree_size(folder: Path) -> int:
    return sum(path.lstat().st_size for path in folder.rglob("*") if not path.is_dir())


def elf_files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    yield path


def drop_build_paths(bundle: Path) -> int:
    """Remove library search paths that point outside the bundle (a Python built under the
    build machine's home keeps its lib folder in RUNPATH): at best dead, at worst a place
    another user can plant libraries. $ORIGIN-relative paths are the bundle's own and stay."""
    changed = 0
    for path in elf_files(bundle):
        current = run(["patchelf", "--print-rpath", path]).strip()
        if not current:
            continue
        kept = [entry for entry in current.split(":") if entry.startswith("$ORIGIN")]
        if kept != current.split(":"):
            if kept:
                run(["patchelf", "--set-rpath", ":".join(kept), path])
            else:
                run(["patchelf", "--remove-rpath", path])
            changed += 1
    return changed


# The .deb ------------------------------------------------------------------------------------


def man_page() -> str:
    """sec-desktop(1) from the command line's own parser, so it never falls out of date."""
    from sec_desktop.cli.main import build_parser

    parser = build_parser()
    commands = []
    for action in parser._subparsers._group_actions if parser._subparsers else ():  # noqa: SLF001
        for choice in getattr(action, "_choices_actions", ()):
            commands.append((choice.dest, choice.help or ""))

    def roff(text: str) -> str:
        return text.replace("\\", "\\\\").replace("-", "\\-").replace("'", "\\(aq")

    lines = [
        f'.TH SEC-DESKTOP 1 "" "{APP_NAME} {__version__}" "User Commands"',
        ".SH NAME",
        f"sec\\-desktop \\- {roff(APP_NAME)}, a tray time\\-allocation tracker",
        ".SH SYNOPSIS",
        ".B sec\\-desktop",
        "[\\fIOPTIONS\\fR] [\\fICOMMAND\\fR] [\\fIARGS\\fR]",
        ".SH DESCRIPTION",
        "Without a command, starts the tray app, or opens the dashboard of the one already",
        "running. It asks what you are doing, takes an answer tagged in the SEC framework",
        "(Strategy, Execution, Culture) and shows your time against its benchmark bands.",
        "Each command has its own \\fB\\-\\-help\\fR.",
        ".SH OPTIONS",
    ]
    for action in parser._actions:  # noqa: SLF001
        if action.option_strings and action.help:
            flags = ", ".join(f"\\fB{roff(flag)}\\fR" for flag in action.option_strings)
            metavar = f" \\fI{action.metavar}\\fR" if action.metavar else ""
            lines += [".TP", flags + metavar, roff(action.help)]
    lines.append(".SH COMMANDS")
    for name, text in commands:
        lines += [".TP", f"\\fB{roff(name)}\\fR", roff(text)]
    lines += [
        ".SH ENVIRONMENT",
        ".TP",
        "\\fBSEC_DESKTOP_DATA_DIR\\fR",
        "The data folder, unless \\fB\\-\\-data\\-dir\\fR is given.",
        ".TP",
        "\\fBSEC_DESKTOP_CONFIG_DIR\\fR",
        "The settings folder.",
        ".SH FILES",
        "Entries are kept in \\fI~/.local/share/sec\\-desktop\\fR and settings in",
        "\\fI~/.config/sec\\-desktop\\fR, unless set otherwise.",
        ".SH SEE ALSO",
        roff(HOMEPAGE),
        "",
    ]
    return "\n".join(lines)


def changelog() -> str:
    """A native package's changelog, dated with the release in the AppStream metainfo."""
    metainfo = (LINUX_DIR / f"{APP_ID}.metainfo.xml").read_text(encoding="utf-8")
    found = re.search(
        rf'<release[^>]*version="{re.escape(__version__)}"[^>]*date="([^"]+)"', metainfo
    )
    if found is None:
        found = re.search(
            rf'<release[^>]*date="([^"]+)"[^>]*version="{re.escape(__version__)}"', metainfo
        )
    if found is None:
        raise BuildError(f"the metainfo has no <release> for version {__version__}")
    stamp = time.strftime("%a, %d %b %Y 12:00:00 +0000", time.strptime(found.group(1), "%Y-%m-%d"))
    return (
        f"{PACKAGE} ({__version__}) unstable; urgency=medium\n\n"
        f"  * Release {__version__}; see {HOMEPAGE}/releases.\n\n"
        f" -- {MAINTAINER}  {stamp}\n"
    )


def _write(path: Path, content: str | bytes, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode() if isinstance(content, str) else content
    path.write_bytes(data)
    path.chmod(mode)


def _gzip(content: str) -> bytes:
    # mtime=0: the same input gives the same bytes (reproducible builds, lintian's check).
    return gzip.compress(content.encode(), compresslevel=9, mtime=0)


def desktop_integration() -> dict[str, Path]:
    """The desktop entry, metainfo and icons, by their path under share/: the .deb's
    /usr/share and the tarball's share/ hold the same files."""
    files = {
        f"applications/{APP_ID}.desktop": LINUX_DIR / f"{APP_ID}.desktop",
        f"metainfo/{APP_ID}.metainfo.xml": LINUX_DIR / f"{APP_ID}.metainfo.xml",
        f"icons/hicolor/scalable/apps/{APP_ID}.svg": ICON_DIR / "app.svg",
    }
    for size in HICOLOR_SIZES:
        files[f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png"] = ICON_DIR / f"app-{size}.png"
    return files


def stage_deb(bundle: Path, staging: Path) -> None:
    """The package's file tree, with Debian's permissions."""
    if staging.exists():
        shutil.rmtree(staging)
    opt = staging / INSTALL_DIR.lstrip("/")
    shutil.copytree(bundle, opt, symlinks=True)
    for path in opt.rglob("*"):
        if path.is_symlink():
            continue
        # Only the executable runs; shared objects are loaded, not run (Debian policy 8.1).
        is_program = path.parent == opt and path.name == FROZEN_NAME
        path.chmod(0o755 if path.is_dir() or is_program else 0o644)
    share = staging / "usr" / "share"
    launcher = staging / "usr" / "bin" / PACKAGE
    launcher.parent.mkdir(parents=True)
    launcher.symlink_to(f"{INSTALL_DIR}/{FROZEN_NAME}")
    for relative, source in desktop_integration().items():
        _write(share / relative, source.read_bytes())
    _write(share / "man" / "man1" / f"{PACKAGE}.1.gz", _gzip(man_page()))
    doc = share / "doc" / PACKAGE
    _write(doc / "copyright", (LINUX_DIR / "copyright").read_bytes())
    _write(doc / "changelog.gz", _gzip(changelog()))
    _write(
        share / "lintian" / "overrides" / PACKAGE,
        (LINUX_DIR / "lintian-overrides").read_bytes(),
    )
    for path in staging.rglob("*"):
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)


def shlib_depends(staging: Path) -> str:
    """The Depends line for the libraries the bundle takes from the system (dpkg-shlibdeps)."""
    opt = staging / INSTALL_DIR.lstrip("/")
    binaries = list(elf_files(opt))
    # dpkg-shlibdeps wants a source package around it; a minimal control file is enough.
    control = staging.parent / "shlibdeps" / "debian" / "control"
    _write(control, f"Source: {PACKAGE}\n\nPackage: {PACKAGE}\nArchitecture: any\n")
    private_dirs = sorted({str(path.parent) for path in binaries})
    output = run(
        [
            "dpkg-shlibdeps",
            "-O",
            "--ignore-missing-info",
            "--warnings=0",
            *(f"-l{folder}" for folder in private_dirs),
            *binaries,
        ],
        cwd=control.parent.parent,
    )
    found = re.search(r"shlibs:Depends=(.*)", output)
    if found is None:
        raise BuildError(f"dpkg-shlibdeps printed no Depends:\n{output}")
    return found.group(1).strip()


def write_control(staging: Path, depends: str) -> None:
    installed_kb = (tree_size(staging) + 1023) // 1024
    # Fonts: Qt draws text with fontconfig; without one font installed, nothing is legible.
    control = (
        f"Package: {PACKAGE}\n"
        f"Version: {__version__}\n"
        f"Architecture: {deb_arch()}\n"
        f"Maintainer: {MAINTAINER}\n"
        f"Installed-Size: {installed_kb}\n"
        f"Depends: {depends}, fonts-dejavu-core | fonts-freefont-ttf | fonts-liberation2\n"
        "Recommends: gnome-keyring | kwalletmanager, libxss1\n"
        "Section: utils\n"
        "Priority: optional\n"
        f"Homepage: {HOMEPAGE}\n" + DESCRIPTION
    )
    _write(staging / "DEBIAN" / "control", control)
    sums = []
    for path in sorted(staging.rglob("*")):
        if path.is_file() and not path.is_symlink() and "DEBIAN" not in path.parts:
            digest = hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
            sums.append(f"{digest}  {path.relative_to(staging)}\n")
    _write(staging / "DEBIAN" / "md5sums", "".join(sums))


def build_deb(bundle: Path, out: Path, work: Path) -> Path:
    staging = work / "deb" / PACKAGE
    say("Staging the .deb ...")
    stage_deb(bundle, staging)
    write_control(staging, shlib_depends(staging))
    deb = out / f"{PACKAGE}_{__version__}_{deb_arch()}.deb"
    say(f"Packing {deb.name} ...")
    run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", staging, deb])
    return deb


TARBALL_README = """\
{name} for Linux
================

Run it from this folder:

    ./sec-desktop/sec-desktop

or install it for your user, with a launcher on PATH and in the application menu:

    mkdir -p ~/.local/opt ~/.local/bin ~/.local/share
    cp -r sec-desktop ~/.local/opt/
    ln -sf ~/.local/opt/sec-desktop/sec-desktop ~/.local/bin/sec-desktop
    cp -r share/. ~/.local/share/

It needs the X11 or Wayland, fontconfig, GLib and D-Bus libraries every desktop has; on
Debian and Ubuntu the .deb installs them for you. Your entries live in ~/.local/share/sec-desktop
and stay there if you delete the app. `sec-desktop --self-test` checks that this copy works.
"""


# The tarball ---------------------------------------------------------------------------------


def build_tarball(bundle: Path, out: Path) -> Path:
    """The bundle in a versioned folder, with the desktop entry, metainfo and icons beside it
    under share/, laid out to be copied into ~/.local or /usr/local."""
    stem = f"{PACKAGE}-{__version__}-linux-{platform.machine()}"
    tarball = out / f"{stem}.tar.gz"
    extras = {f"share/{relative}": source for relative, source in desktop_integration().items()}
    extras["COPYRIGHT"] = LINUX_DIR / "copyright"

    def normalized(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        info.mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "0")) or info.mtime
        return info

    readme = tarball.with_suffix(".README")
    readme.write_text(TARBALL_README.format(name=APP_NAME, app_id=APP_ID), encoding="utf-8")
    say(f"Packing {tarball.name} ...")
    try:
        with tarfile.open(tarball, "w:gz", compresslevel=9) as archive:
            archive.add(bundle, arcname=f"{stem}/{FROZEN_NAME}", filter=normalized)
            archive.add(readme, arcname=f"{stem}/README", filter=normalized)
            for name, source in extras.items():
                archive.add(source, arcname=f"{stem}/{name}", filter=normalized)
    finally:
        readme.unlink()
    return tarball


# Checks --------------------------------------------------------------------------------------


def check_artefacts(deb: Path) -> None:
    say("Checking: desktop-file-validate, appstreamcli, lintian ...")
    run(["desktop-file-validate", LINUX_DIR / f"{APP_ID}.desktop"])
    run(["appstreamcli", "validate", "--no-net", LINUX_DIR / f"{APP_ID}.metainfo.xml"])
    result = subprocess.run(
        ["lintian", "--fail-on", "error", "--tag-display-limit", "0", str(deb)],
        capture_output=True,
        text=True,
        check=False,
    )
    report = (result.stdout + result.stderr).strip()
    if report:
        say("lintian:\n" + report)
    if result.returncode != 0:
        raise BuildError(f"lintian found errors in {deb.name}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/build-installer", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "installers")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "installer-work")
    parser.add_argument(
        "--reuse-bundle", action="store_true", help="package the last bundle, don't rebuild it"
    )
    parser.add_argument("--no-checks", action="store_true", help="skip lintian and validators")
    args = parser.parse_args(argv)
    out, work = args.out.resolve(), args.work.resolve()
    out.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    try:
        bundle = work / "dist" / FROZEN_NAME
        if not (args.reuse_bundle and (bundle / FROZEN_NAME).is_file()):
            bundle = build_bundle(work)
        artefacts = Artefacts(bundle, build_deb(bundle, out, work), build_tarball(bundle, out))
        if not args.no_checks:
            check_artefacts(artefacts.deb)
    except BuildError as exc:
        say(f"build-installer: {exc}")
        return 1
    for path in (artefacts.deb, artefacts.tarball):
        print(f"{path}  {path.stat().st_size / 1e6:.1f} MB")
    print(f"{artefacts.bundle}  {tree_size(artefacts.bundle) / 1e6:.1f} MB unpacked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
