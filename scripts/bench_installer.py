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
from bench_tray import (
    APP_ARGS,
    APP_ICON,
    APP_READY,
    BARE_ARGS,
    BARE_READY,
    LAUNCH_RATIO_TARGET,
    WAKEUPS_PER_MIN_TARGET,
    Memory,
    Variant,
    app_env,
    idle_figures,
    launch,
    launch_times,
    memory_figures,
)
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


def idle_memory(
    root: Path, env: dict[str, str], variant: Variant, idle_s: float
) -> tuple[Memory, float]:
    """Memory after `idle_s` idle, and wakeups per idle minute."""
    launched = launch(
        app_env(root, env, variant.name), variant.args, variant.ready, root / f"{variant.name}.log"
    )
    try:
        mem, _cpu, wakeups = idle_figures(launched, idle_s)
    finally:
        stop_process(launched.process)
    return mem, wakeups


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
    # The build and the unpacking have just written some 300 MB: flushed here, so the timed
    # imports' own fsyncs below do not queue behind that writeback (a user's import does not
    # follow an installer build). Without it one of three packaged imports went over 3 s
    # (their median 2.5 s).
    os.sync()
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
    frozen = [str(bundle / "sec-desktop")]
    variants = [
        Variant(frozen, APP_ICON, "frozen", settled=APP_READY),
        Variant(APP_ARGS, APP_ICON, "source", settled=APP_READY),
        Variant(BARE_ARGS, BARE_READY, "bare"),
    ]
    with x_session(dict(os.environ)) as session:
        progress(f"installer: launch to tray icon, packaged, from source and bare, {runs} runs")
        packaged_times, source_times, bare_times = launch_times(root, session.env, variants, runs)
        packaged, source, bare = (t.ready_ms for t in (packaged_times, source_times, bare_times))
        idle_s = IDLE_S_QUICK if quick else IDLE_S_FULL
        progress(f"installer: memory after {idle_s:.0f} s idle, packaged, from source and bare")
        (packaged_mem, packaged_wake), (source_mem, _), (bare_mem, bare_wake) = (
            idle_memory(
                root, session.env, Variant(v.args, v.settled or v.ready, f"{v.name}-idle"), idle_s
            )
            for v in variants
        )
    packaged_ms, source_ms, bare_ms = (percentile(s, 50) for s in (packaged, source, bare))
    data.update(launch_ms_packaged=packaged, launch_ms_source=source, launch_ms_bare=bare)
    figures += [
        Figure(
            "packaged app: launch to tray icon p50 (vs from source)",
            "ms",
            packaged_ms,
            source_ms,
            target="<= from source",
            met=packaged_ms <= source_ms,
        ),
        Figure(
            "packaged app: launch to tray icon p50 (vs bare tray app)",
            "ms",
            packaged_ms,
            bare_ms,
            target=f"<= {LAUNCH_RATIO_TARGET:g}x bare",
            met=packaged_ms <= LAUNCH_RATIO_TARGET * bare_ms,
        ),
    ]
    figures += memory_figures(
        (
            f"packaged app: RSS after {idle_s:.0f} s idle (vs bare; from source "
            f"{source_mem.rss_mb:.1f} MB)",
            f"packaged app: PSS after {idle_s:.0f} s idle (vs bare)",
            f"packaged app: USS after {idle_s:.0f} s idle (vs bare)",
        ),
        packaged_mem,
        bare_mem,
    )
    figures += [
        Figure(
            "packaged app: wakeups per idle minute (vs bare)",
            "/min",
            packaged_wake,
            bare_wake,
            target=f"<= {WAKEUPS_PER_MIN_TARGET:g}",
            met=packaged_wake <= WAKEUPS_PER_MIN_TARGET,
        ),
    ]
    return figures
