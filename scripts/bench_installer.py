"""Section "installer": the Linux installers' sizes, the frozen app's launch to tray and its
command line.

Figures: the .deb's size, the unpacked bundle's size (what /opt/sec-desktop holds), the
tarball's size; launch to tray icon of the packaged app beside the same app run from source,
alternated under one Xvfb and trayer; and the packaged `sec-desktop import` and `report`
beside Timewarrior, measured and checked as the "cli" section does (bench_cli.py). The .deb
is built by scripts/build_installer.py (without its lintian pass, which doesn't change the
package) and unpacked with dpkg-deb -x into the bench's temporary folder: the same files
dpkg -i would install, without root.

Run alone with: scripts/bench --only installer
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import bench_cli
from bench_tray import APP_ARGS, APP_READY, Variant, app_env, idle_figures, launch, launch_times
from benchlib import Figure, percentile, progress
from build_installer import tree_size

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from xsession import missing_tools, stop_process, x_session  # noqa: E402

SECTION = "installer"
DESCRIPTION = ".deb and bundle sizes, packaged app's launch to tray beside running from source"

DEB_TARGET_MB = 60.0
UNPACKED_TARGET_MB = 180.0
LAUNCH_RUNS_FULL, LAUNCH_RUNS_QUICK = 7, 3
IDLE_S_FULL, IDLE_S_QUICK = 30.0, 10.0
MB = 1e6


def build(root: Path) -> tuple[Path, Path]:
    out, work = root / "installers", root / "installer-work"
    progress("installer: building the bundle and the .deb (about a minute)")
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "build_installer.py"),
            "--out",
            str(out),
            "--work",
            str(work),
            "--no-checks",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (deb,) = out.glob("sec-desktop_*.deb")
    (tarball,) = out.glob("sec-desktop-*-linux-*.tar.gz")
    return deb, tarball


def idle_rss(root: Path, env: dict[str, str], args: list[str], name: str, idle_s: float) -> float:
    launched = launch(app_env(root, env, name), args, APP_READY, root / f"{name}.log")
    try:
        mem, _cpu, _wakeups = idle_figures(launched, idle_s)
    finally:
        stop_process(launched.process)
    return mem.rss_mb


def run(root: Path, quick: bool, data: dict[str, Any]) -> list[Figure]:
    missing = [tool for tool in ("dpkg-deb", "dpkg-shlibdeps") if shutil.which(tool) is None]
    if missing:
        progress(f"installer section skipped: missing {', '.join(missing)}")
        data["skipped"] = f"missing {missing}"
        return []
    deb, tarball = build(root)
    unpacked = root / "unpacked"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(unpacked)], check=True)
    bundle = unpacked / "opt" / "sec-desktop"
    deb_mb, tar_mb = deb.stat().st_size / MB, tarball.stat().st_size / MB
    bundle_mb = tree_size(bundle) / MB
    figures = [
        Figure(
            ".deb size", "MB", deb_mb, target=f"< {DEB_TARGET_MB:g} MB", met=deb_mb < DEB_TARGET_MB
        ),
        Figure(
            "unpacked bundle (/opt/sec-desktop)",
            "MB",
            bundle_mb,
            target=f"< {UNPACKED_TARGET_MB:g} MB",
            met=bundle_mb < UNPACKED_TARGET_MB,
        ),
        Figure(".tar.gz size", "MB", tar_mb),
    ]
    data.update(deb_mb=deb_mb, bundle_mb=bundle_mb, tarball_mb=tar_mb)
    # The packaged command line, on the same data and checks as the "cli" section's.
    cli_root = root / "cli"
    cli_root.mkdir()
    cli_plan = bench_cli.PLAN_QUICK if quick else bench_cli.PLAN_FULL
    figures += bench_cli.measure(
        cli_root,
        bench_cli.prepare(cli_root),
        cli_plan,
        [str(bundle / "sec-desktop")],
        label="packaged app: ",
        data=data.setdefault("cli", {}),
    )
    shutil.rmtree(cli_root)
    tray_missing = missing_tools()
    if tray_missing:
        progress(f"installer: launch figures skipped: missing {', '.join(tray_missing)}")
        return figures
    runs = LAUNCH_RUNS_QUICK if quick else LAUNCH_RUNS_FULL
    with x_session(dict(os.environ)) as session:
        progress(f"installer: launch to tray icon, packaged and from source, {runs} runs each")
        frozen = [str(bundle / "sec-desktop")]
        packaged, source = launch_times(
            root,
            session.env,
            [Variant(frozen, APP_READY, "frozen"), Variant(APP_ARGS, APP_READY, "source")],
            runs,
        )
        idle_s = IDLE_S_QUICK if quick else IDLE_S_FULL
        progress(f"installer: resident memory after {idle_s:.0f} s idle, packaged and from source")
        packaged_rss, source_rss = (
            idle_rss(root, session.env, args, name, idle_s)
            for args, name in ((frozen, "frozen-idle"), (APP_ARGS, "source-idle"))
        )
    packaged_ms, source_ms = percentile(packaged, 50), percentile(source, 50)
    data.update(launch_ms_packaged=packaged, launch_ms_source=source)
    figures.append(
        Figure(
            "packaged app: launch to tray icon p50",
            "ms",
            packaged_ms,
            source_ms,
            target="<= from source",
            met=packaged_ms <= source_ms,
        )
    )
    figures.append(
        Figure(
            f"packaged app: resident memory after {idle_s:.0f} s idle",
            "MB",
            packaged_rss,
            source_rss,
        )
    )
    return figures
