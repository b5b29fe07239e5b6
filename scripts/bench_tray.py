"""Section "tray": SEC Desktop beside a bare PySide6 tray app, under the same Xvfb and trayer.

Figures: launch to tray icon shown, memory after an idle minute (RSS, and PSS and USS from
/proc/PID/smaps_rollup, so Qt libraries shared with other processes are not misread as the
app's own), CPU time and voluntary context switches (wakeups) over that minute, and the time
from a prompt firing to the picker's first paint. The bare app is QApplication +
QSystemTrayIcon + QMenu (scripts/bare_tray_app.py). Beside them idles the least tray that
keeps a picker ready (scripts/picker_floor_app.py): its memory is what any design painting the
picker at once must hold, the floor under the tray's memory target. All run with an empty
temporary data folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchlib import Figure, percentile, progress

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from xsession import SessionError, missing_tools, stop_process, wait_for, x_session  # noqa: E402

from sec_desktop.settings import load_settings, save_settings  # noqa: E402
from sec_desktop.ui.startup import EARLY_ICON_LOG  # noqa: E402

SECTION = "tray"
DESCRIPTION = "launch to tray, idle memory, idle CPU and wakeups, prompt to picker"

LAUNCH_RUNS_FULL, LAUNCH_RUNS_QUICK = 5, 2
IDLE_S_FULL, IDLE_S_QUICK = 60.0, 15.0
PROMPTS_FULL, PROMPTS_QUICK = 20, 5
# The targets of issue 18: memory and launch as ratios to the bare app, wakeups absolute.
MEMORY_RATIO_TARGET = 1.25
WAKEUPS_PER_MIN_TARGET = 5.0
LAUNCH_RATIO_TARGET = 1.5
PICKER_TARGET_MS = 50.0
TICKS_PER_S = os.sysconf("SC_CLK_TCK")
# The idle window opens this long after the ready line: start-up's work is done by then, and
# a notification it showed (a tray balloon, gone after about 10 s) has closed. Its closing
# woke the app 3-8 times around 8 s, which a window opening at 2 s counted as idle wakeups.
START_UP_SETTLE_S = 15.0
LAUNCH_POLL_S = 0.002


@dataclass
class Launched:
    process: subprocess.Popen[str]
    launch_s: float
    log_path: Path
    settled_s: float | None = None  # to the `settled` line, where one was waited for

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def proc_status(pid: int) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


@dataclass(frozen=True)
class Memory:
    """Resident (RSS), proportional (PSS: shared pages divided among their users) and unique
    (USS: pages no other process maps) memory, in MB."""

    rss_mb: float
    pss_mb: float
    uss_mb: float


def memory(pid: int) -> Memory:
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, _, value = line.partition(":")
        fields[key.strip()] = int(value.split()[0])  # kB
    private_kb = fields["Private_Clean"] + fields["Private_Dirty"]
    return Memory(fields["Rss"] / 1024, fields["Pss"] / 1024, private_kb / 1024)


def memory_figures(names: tuple[str, str, str], ours: Memory, bare: Memory) -> list[Figure]:
    """RSS, PSS and USS beside the bare app's, under these names; RSS has the target. PSS and
    USS have none of their own: PSS shares the Qt libraries among the processes mapping them,
    USS counts only what this process alone holds."""
    rss_name, pss_name, uss_name = names
    return [
        Figure(
            rss_name,
            "MB",
            ours.rss_mb,
            bare.rss_mb,
            target=f"<= {MEMORY_RATIO_TARGET:g}x bare",
            met=ours.rss_mb <= MEMORY_RATIO_TARGET * bare.rss_mb,
        ),
        Figure(pss_name, "MB", ours.pss_mb, bare.pss_mb),
        Figure(uss_name, "MB", ours.uss_mb, bare.uss_mb),
    ]


def voluntary_switches(pid: int) -> int:
    """Summed over all threads: a wakeup of any thread costs the laptop's battery."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for line in (task / "status").read_text().splitlines():
            if line.startswith("voluntary_ctxt_switches"):
                total += int(line.split()[1])
    return total


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_S  # utime + stime


def launch(
    env: dict[str, str], args: list[str], ready: str, log_path: Path, settled: str | None = None
) -> Launched:
    """Start `args` and time it to its `ready` line, then (if given) to its `settled` line."""
    with log_path.open("w") as log_file:
        start = time.perf_counter()
        process = subprocess.Popen(
            args,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    launched = Launched(process, 0.0, log_path)
    launched.launch_s = _seconds_to(launched, ready, start)
    if settled is not None:
        launched.settled_s = _seconds_to(launched, settled, start)
    return launched


def _seconds_to(launched: Launched, line: str, start: float) -> float:
    """Seconds from `start` until `line` is in the log; SessionError if the process exits."""
    process = launched.process
    # Polled every 2 ms: the default 50 ms step would round every launch to its multiple.
    wait_for(
        lambda: line in launched.log() or process.poll() is not None,
        30,
        f"{line!r} from {process.args[-1]}",
        poll_s=LAUNCH_POLL_S,
    )
    elapsed = time.perf_counter() - start
    if process.poll() is not None:
        raise SessionError(f"{process.args} exited early:\n{launched.log()}")
    return elapsed


def app_env(root: Path, session_env: dict[str, str], name: str) -> dict[str, str]:
    home = root / name / "home"
    home.mkdir(parents=True, exist_ok=True)
    # A returning user: the first-run orientation (a window with a blinking cursor) is done.
    config = root / name / "config"
    save_settings(config, load_settings(config).settings.replace(first_run_done=True))
    # An installed app has its bytecode compiled; without it every launch would compile.
    base = {k: v for k, v in session_env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {
        **base,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "SEC_DESKTOP_DATA_DIR": str(root / name / "data"),
        "SEC_DESKTOP_CONFIG_DIR": str(root / name / "config"),
        "SEC_DESKTOP_LOG": "info",
        "SEC_DESKTOP_TRAY_WAIT_S": "10",
        "PYTHONUNBUFFERED": "1",
    }


APP_ARGS = [sys.executable, "-m", "sec_desktop"]
BARE_ARGS = [sys.executable, str(ROOT / "scripts" / "bare_tray_app.py")]
FLOOR_ARGS = [sys.executable, str(ROOT / "scripts" / "picker_floor_app.py")]
# The icon start-up shows before the rest of the app loads (what a user waits for at login),
# and the app's ready line once that icon has its menu and the prompts run.
APP_ICON = EARLY_ICON_LOG
APP_READY = "ready: tray icon shown"
ANSWER_KEYS_LIVE = "picker: answer keys live"
BARE_READY = "ready"
FLOOR_READY = "ready"


@dataclass(frozen=True)
class Variant:
    """One program whose launch is timed: its command, its ready line, a name for its logs,
    and a later line timed too (the app fully started), if it has one."""

    args: list[str]
    ready: str
    name: str
    settled: str | None = None


@dataclass
class LaunchTimes:
    """Launch to the ready line and to the settled line, ms, one per run."""

    ready_ms: list[float]
    settled_ms: list[float]


def launch_times(
    root: Path, env: dict[str, str], variants: Sequence[Variant], runs: int
) -> list[LaunchTimes]:
    """Launch times per variant. The variants take turns in each run, so a busy moment on
    the machine lands on all of them alike."""
    samples = [LaunchTimes([], []) for _ in variants]
    for run in range(runs):
        for variant, times in zip(variants, samples, strict=True):
            name = f"{variant.name}-{run}"
            launched = launch(
                app_env(root, env, name),
                variant.args,
                variant.ready,
                root / f"{name}.log",
                settled=variant.settled,
            )
            times.ready_ms.append(launched.launch_s * 1000)
            if launched.settled_s is not None:
                times.settled_ms.append(launched.settled_s * 1000)
            stop_process(launched.process)
    return samples


def idle_figures(launched: Launched, idle_s: float) -> tuple[Memory, float, float]:
    """Memory after the idle window, CPU seconds and wakeups per minute during it."""
    pid = launched.process.pid
    time.sleep(START_UP_SETTLE_S)
    cpu0, switches0 = cpu_s(pid), voluntary_switches(pid)
    time.sleep(idle_s)
    cpu1, switches1 = cpu_s(pid), voluntary_switches(pid)
    return memory(pid), cpu1 - cpu0, (switches1 - switches0) * 60 / idle_s


def picker_times(app: Launched, env: dict[str, str], count: int) -> list[float]:
    samples: list[float] = []
    for index in range(count):
        before = app.log().count("picker painted")
        live = app.log().count(ANSWER_KEYS_LIVE)
        # --keyboard: the picker takes the keyboard at once, as from a shortcut, so the
        # Escape below reaches it (a plain prompt leaves the keyboard where the user types).
        subprocess.run(
            [*APP_ARGS, "prompt", "--keyboard"], env=env, check=True, timeout=30, text=True
        )
        wait_for(lambda b=before: app.log().count("picker painted") > b, 10, "the picker")
        line = [ln for ln in app.log().splitlines() if "picker painted" in ln][-1]
        samples.append(float(line.split("picker painted ")[1].split(" ms")[0]))
        # Keys pressed as the picker opens are ignored by design: close it once they count.
        wait_for(lambda n=live: app.log().count(ANSWER_KEYS_LIVE) > n, 10, "the answer keys")
        subprocess.run(
            ["xdotool", "key", "Escape"], env=env, check=False, timeout=10, capture_output=True
        )
        wait_for(
            lambda b=before: app.log().count("picker closed") > b, 10, f"picker {index} closed"
        )
    return samples


def run(root: Path, quick: bool, data: dict[str, Any]) -> list[Figure]:
    missing = missing_tools()
    if missing:
        progress(f"tray section skipped: missing {', '.join(missing)}")
        data["skipped"] = f"missing {missing}"
        return []
    runs = LAUNCH_RUNS_QUICK if quick else LAUNCH_RUNS_FULL
    idle_s = IDLE_S_QUICK if quick else IDLE_S_FULL
    figures: list[Figure] = []
    with x_session(dict(os.environ)) as session:
        progress(f"tray: launch to tray icon, {runs} runs each")
        ours, bare = launch_times(
            root,
            session.env,
            [
                Variant(APP_ARGS, APP_ICON, "app-launch", settled=APP_READY),
                Variant(BARE_ARGS, BARE_READY, "bare-launch"),
            ],
            runs,
        )
        ours_ms, bare_ms = percentile(ours.ready_ms, 50), percentile(bare.ready_ms, 50)
        settled_ms = percentile(ours.settled_ms, 50)
        figures += [
            Figure(
                "launch to tray icon p50",
                "ms",
                ours_ms,
                bare_ms,
                target=f"<= {LAUNCH_RATIO_TARGET:g}x bare",
                met=ours_ms <= LAUNCH_RATIO_TARGET * bare_ms,
            ),
            # No target of its own: when the icon has its menu, and prompts and the
            # single-instance socket run (a click before then waits in the event queue).
            Figure("launch to menu and prompts live p50 (vs bare icon)", "ms", settled_ms, bare_ms),
        ]
        progress(f"tray: {idle_s:.0f} s idle, both apps side by side")
        app_env_idle = app_env(root, session.env, "app-idle")
        app = launch(app_env_idle, APP_ARGS, APP_READY, root / "app-idle.log")
        bare_app = launch(
            app_env(root, session.env, "bare-idle"), BARE_ARGS, BARE_READY, root / "bare.log"
        )
        floor_app = launch(
            app_env(root, session.env, "floor-idle"), FLOOR_ARGS, FLOOR_READY, root / "floor.log"
        )
        try:
            # Measured one after the other so neither steals the other's CPU in its window.
            app_mem, app_cpu, app_wake = idle_figures(app, idle_s)
            bare_mem, bare_cpu, bare_wake = idle_figures(bare_app, idle_s)
            # Idle as long as the other two by now; only its memory is asked.
            floor_mem = memory(floor_app.process.pid)
            prompts = PROMPTS_QUICK if quick else PROMPTS_FULL
            progress(f"tray: {prompts} prompts to the picker")
            picker_ms = picker_times(app, app_env_idle, prompts)
        finally:
            stop_process(app.process)
            stop_process(bare_app.process)
            stop_process(floor_app.process)
    data.update(
        launch_ms_ours=ours.ready_ms,
        launch_ms_ours_settled=ours.settled_ms,
        launch_ms_bare=bare.ready_ms,
        idle_s=idle_s,
        picker_ms=picker_ms,
        memory_mb_ours=vars(app_mem),
        memory_mb_bare=vars(bare_mem),
        memory_mb_picker_floor=vars(floor_mem),
    )
    figures += memory_figures(
        (
            f"resident memory (RSS) after {idle_s:.0f} s idle",
            f"proportional memory (PSS) after {idle_s:.0f} s idle",
            f"unique memory (USS) after {idle_s:.0f} s idle",
        ),
        app_mem,
        bare_mem,
    )
    figures += [
        # No target: what any design keeping the picker ready holds (scripts/picker_floor_app.py).
        Figure(
            "least tray with a ready picker: RSS (vs bare)", "MB", floor_mem.rss_mb, bare_mem.rss_mb
        ),
        Figure(
            "least tray with a ready picker: USS (vs bare)", "MB", floor_mem.uss_mb, bare_mem.uss_mb
        ),
        Figure(f"CPU time over {idle_s:.0f} s idle", "ms", app_cpu * 1000, bare_cpu * 1000),
        Figure(
            "wakeups per idle minute",
            "/min",
            app_wake,
            bare_wake,
            target=f"<= {WAKEUPS_PER_MIN_TARGET:g}",
            met=app_wake <= WAKEUPS_PER_MIN_TARGET,
        ),
        Figure(
            "prompt to picker painted p95",
            "ms",
            percentile(picker_ms, 95),
            target=f"< {PICKER_TARGET_MS:g} ms",
            met=percentile(picker_ms, 95) < PICKER_TARGET_MS,
        ),
    ]
    return figures
