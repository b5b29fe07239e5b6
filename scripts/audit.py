"""An adversarial re-run of the hardening audit (issue 19) against the real command line.

Every input is generated here from a seed, so two runs with the same seed try the same
inputs. Each call runs `python -m sec_desktop` in a child process with its own data and
config folders in a temporary folder (never the real home), bounded by a timeout and killed
by PID; after each call the invariants of its category are checked:

  cli          bad command-line input: exit 2, one sentence, no traceback, data unchanged
  import       hostile import files: bounded time and memory, a sentence, data unchanged
               when refused, no raw terminal escapes echoed
  corrupt      damaged state files: no traceback, the file named, nothing lost
  kill         SIGKILL during import, encryption, backup, restore, doctor --repair: no torn
               file, no acknowledged entry lost, imports all or nothing, no plain notes left
  concurrent   parallel `log` calls on the same slots: no overlapping entries, none lost
  dst          entries across the clock changes of 10 zones: the stored times are right
  perms        under umask 000, files stay 0600 and folders 0700
  notes        no note text (or key) in logs or exports without --include-notes

Prints one table (category, inputs tried, failures left) and each failure's command and
reason below it. Exit 0 when no failure is left, 1 otherwise.

Usage: scripts/audit [--quick] [--only CATEGORY ...] [--seed N] [--json FILE] [--keep]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import csv
import hashlib
import io
import itertools
import json
import os
import random
import resource
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
HOSTILE_FIXTURES = ROOT / "tests" / "fixtures" / "import" / "hostile"
AUDIT_START_S = time.perf_counter()

CATEGORIES = ("cli", "import", "corrupt", "kill", "concurrent", "dst", "perms", "notes")
# Per category: (full run, --quick run) sizes; the full sizes are at least the audit's.
SIZES: dict[str, tuple[int, int]] = {
    "cli": (204, 24),
    "import": (115, 10),  # files; each is imported twice (a dry run, then for real)
    "corrupt": (77, 6),
    "kill": (98, 6),
    "concurrent": (900, 30),
    "dst": (10, 2),  # zones
}
BASE_ROWS = (1500, 200)  # entries in the shared starting data folder
NOTE_MARKER = "AUDITNOTE"  # every note the audit writes holds it, to find leaks
CALL_TIMEOUT_S = 60.0
MAX_RSS_MB = 1024  # an import over this is not "bounded memory"
# A runaway child must not take the machine down with it: its address space is capped.
ADDRESS_SPACE_LIMIT = 6 * 1024**3
TRACEBACK_MARKS = (b"Traceback (most recent call last)", b"unexpected error")

KEYRING_MODULE = '''
"""A keychain in a JSON file, for the audit's child processes (never the user's keychain)."""
import json, os
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

class FileKeyring(KeyringBackend):
    priority = 1

    def _load(self):
        try:
            with open(os.environ["AUDIT_KEYRING_FILE"], encoding="utf-8") as f:
                return json.load(f)
        except FileNotFoundError:
            return {}

    def _save(self, values):
        path = os.environ["AUDIT_KEYRING_FILE"]
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(values, f)
        os.replace(path + ".tmp", path)

    def get_password(self, service, username):
        return self._load().get(service + "\\n" + username)

    def set_password(self, service, username, password):
        values = self._load()
        values[service + "\\n" + username] = password
        self._save(values)

    def delete_password(self, service, username):
        values = self._load()
        if values.pop(service + "\\n" + username, None) is None:
            raise PasswordDeleteError("no such password")
        self._save(values)
'''


# The tray app shows what went wrong in a balloon or its stand-in window; this start-up
# hook also copies each such notice to stderr, where the audit can read it.
APP_WITH_NOTICES = """
import sys
from sec_desktop.ui import tray

shown = tray.TrayController.notify

def notify(self, title, message):
    print("NOTICE:", title, message, file=sys.stderr, flush=True)
    shown(self, title, message)

tray.TrayController.notify = notify
from sec_desktop.__main__ import main
sys.exit(main())
"""


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - AUDIT_START_S:6.1f}s] {message}", file=sys.stderr, flush=True)


# child processes -----------------------------------------------------------------------


@dataclass
class Call:
    """One finished child process."""

    argv: list[str | bytes]
    rc: int
    out: bytes
    err: bytes
    seconds: float
    max_rss_mb: float
    timed_out: bool = False
    killed: bool = False

    @property
    def text(self) -> str:
        return (self.out + self.err).decode("utf-8", "replace")

    def shown(self) -> str:
        words = [
            a.decode("utf-8", "backslashreplace") if isinstance(a, bytes) else a for a in self.argv
        ]
        shown = shlex.join(w if len(w) <= 80 else w[:60] + f"...({len(w)} chars)" for w in words)
        return shown.replace("\n", "\\n")


def limit_memory(pid: int) -> None:
    """Cap a child's address space (set from outside: no code runs between fork and exec)."""
    with contextlib.suppress(ProcessLookupError, PermissionError, ValueError):
        resource.prlimit(pid, resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))


def run_process(
    argv: Sequence[str | bytes],
    env: dict[str, str],
    *,
    timeout_s: float = CALL_TIMEOUT_S,
    kill_after_s: float | None = None,
    umask: int | None = None,
    stdin: bytes = b"",
    cwd: Path | None = None,
) -> Call:
    """Run argv to its end, or SIGKILL it by PID after kill_after_s (or at the timeout)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        with tempfile.TemporaryFile() as inp:
            inp.write(stdin)
            inp.seek(0)
            started = time.perf_counter()
            proc = subprocess.Popen(
                list(argv),
                stdin=inp,
                stdout=out,
                stderr=err,
                env=env,
                cwd=cwd,
                start_new_session=True,
                umask=-1 if umask is None else umask,
            )
        limit_memory(proc.pid)
        timed_out = killed = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            elapsed = time.perf_counter() - started
            if kill_after_s is not None and elapsed >= kill_after_s:
                killed = True
            elif elapsed >= timeout_s:
                timed_out = True
            if killed or timed_out:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return Call(
            argv=list(argv),
            rc=proc.returncode,
            out=out.read(),
            err=err.read(),
            seconds=seconds,
            max_rss_mb=usage.ru_maxrss / 1024,
            timed_out=timed_out,
            killed=killed,
        )


class Workspace:
    """A data folder, a config folder and a home of their own, under `root`."""

    def __init__(self, root: Path, tools: Path) -> None:
        self.root = root
        self.tools = tools
        self.data = root / "data"
        self.config = root / "config"
        for folder in (root / "home", root / "run", root / "out"):
            folder.mkdir(parents=True, exist_ok=True)
        (root / "run").chmod(0o700)

    @property
    def out(self) -> Path:
        return self.root / "out"

    def env(self, tz: str = "UTC") -> dict[str, str]:
        home = self.root / "home"
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_RUNTIME_DIR": str(self.root / "run"),
            "SEC_DESKTOP_CONFIG_DIR": str(self.config),
            "PYTHONPATH": f"{ROOT}{os.pathsep}{self.tools}",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHON_KEYRING_BACKEND": "audit_keyring.FileKeyring",
            "AUDIT_KEYRING_FILE": str(self.root / "keyring.json"),
            "LANG": "C.UTF-8",
            "TZ": tz,
            "QT_QPA_PLATFORM": "offscreen",
        }

    def argv(self, args: Sequence[str | bytes]) -> list[str | bytes]:
        return [sys.executable, "-m", "sec_desktop", "--data-dir", str(self.data), *args]

    def cli(self, args: Sequence[str | bytes], **kwargs: Any) -> Call:
        tz = kwargs.pop("tz", "UTC")
        return run_process(self.argv(args), self.env(tz), cwd=self.root, **kwargs)

    def clone(self, root: Path) -> Workspace:
        shutil.copytree(self.root, root, symlinks=True)
        return Workspace(root, self.tools)

    def entries(self, include_notes: bool = False) -> list[dict[str, Any]]:
        args = ["export", "--format", "json"] + (["--include-notes"] if include_notes else [])
        call = self.cli(args)
        if call.rc != 0:
            raise AuditError(f"export failed: {call.text.strip()[-300:]}", call)
        return list(json.loads(call.out)["entries"])

    def secret_key(self) -> str | None:
        with contextlib.suppress(OSError, ValueError):
            values = json.loads((self.root / "keyring.json").read_text("utf-8"))
            return next(iter(values.values()), None)
        return None


class AuditError(Exception):
    def __init__(self, message: str, call: Call | None = None) -> None:
        super().__init__(message)
        self.call = call


def tree_digest(folder: Path, skip: Callable[[Path], bool] = lambda p: False) -> str:
    """A hash of every name, type, mode and content under folder."""
    digest = hashlib.sha256()
    if not folder.exists():
        return "absent"
    for path in sorted(folder.rglob("*")):
        if skip(path):
            continue
        info = path.lstat()
        digest.update(str(path.relative_to(folder)).encode("utf-8", "surrogateescape"))
        digest.update(f"{stat.S_IFMT(info.st_mode)}:{stat.S_IMODE(info.st_mode)}".encode())
        if stat.S_ISREG(info.st_mode):
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        elif stat.S_ISLNK(info.st_mode):
            digest.update(str(path.readlink()).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def is_lock_file(path: Path) -> bool:
    # A lock file left behind is not data; everything else counts.
    return path.name.endswith(".lock")


def data_digest(ws: Workspace) -> str:
    return tree_digest(ws.data, is_lock_file)


# results ----------------------------------------------------------------------------------


@dataclass
class Failure:
    command: str
    reason: str


@dataclass
class Result:
    category: str
    tried: int = 0
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def fail(self, call: Call | str, reason: str) -> None:
        command = call if isinstance(call, str) else call.shown()
        with self.lock:
            self.failures.append(Failure(command, reason))

    def count(self, n: int = 1) -> None:
        with self.lock:
            self.tried += n


def tail(call: Call, limit: int = 240) -> str:
    text = call.err.decode("utf-8", "replace").strip() or call.out.decode("utf-8", "replace")
    text = " | ".join(line for line in text.strip().splitlines() if line.strip())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def common_problems(call: Call) -> list[str]:
    """What no call may ever do: hang, crash with a traceback or an 'unexpected error'."""
    problems = []
    if call.timed_out:
        problems.append(f"did not finish within {CALL_TIMEOUT_S:g} s (killed)")
    for mark in TRACEBACK_MARKS:
        if mark in call.out or mark in call.err:
            problems.append(f"printed {mark.decode()!r}: {tail(call)}")
    if call.rc < 0:
        problems.append(f"died by signal {-call.rc}")
    return problems


def refusal_problems(call: Call, codes: Iterable[int] = (2,)) -> list[str]:
    """A refusal: the expected exit code and a sentence on stderr."""
    codes = tuple(codes)
    problems = common_problems(call)
    if call.timed_out:
        return problems
    if call.rc == 0:
        problems.append(f"bad input was accepted (exit 0): {tail(call)}")
    elif call.rc not in codes:
        problems.append(f"exit {call.rc}, expected {' or '.join(map(str, codes))}: {tail(call)}")
    message = call.err.decode("utf-8", "replace").strip()
    if call.rc != 0 and not message:
        problems.append("refused without a message on stderr")
    elif call.rc != 0 and not any(
        line.startswith(("sec-desktop:", "usage:", "sec-desktop ")) or " error: " in line
        for line in message.splitlines()
    ):
        problems.append(f"the message is not a sentence from sec-desktop: {message[:200]!r}")
    return problems


# the shared starting folder ---------------------------------------------------------------


def activity_ids(ws: Workspace) -> list[str]:
    call = ws.cli(["framework", "--format", "json"])
    if call.rc != 0:
        raise AuditError("`framework --format json` failed", call)
    doc = json.loads(call.out)
    ids: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("id"), str) and not node.get("children"):
                ids.append(node["id"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc.get("tree", doc))
    leaves = [i for i in ids if "." in i]
    if not leaves:
        raise AuditError(f"no activity ids in `framework --format json`: {call.text[:200]}")
    return sorted(set(leaves))


def toggl_csv(rows: Iterable[tuple[datetime, datetime, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "User",
            "Email",
            "Client",
            "Project",
            "Task",
            "Description",
            "Billable",
            "Start date",
            "Start time",
            "End date",
            "End time",
            "Duration",
            "Tags",
        ]
    )
    for start, end, text in rows:
        span = int((end - start).total_seconds())
        writer.writerow(
            [
                "Audit",
                "audit@example.com",
                "",
                "Audit",
                "",
                text,
                "No",
                f"{start:%Y-%m-%d}",
                f"{start:%H:%M:%S}",
                f"{end:%Y-%m-%d}",
                f"{end:%H:%M:%S}",
                f"{span // 3600:02}:{span % 3600 // 60:02}:{span % 60:02}",
                "",
            ]
        )
    return buffer.getvalue().encode()


def spaced_rows(first: datetime, count: int, step: timedelta, length: timedelta, tag: str) -> bytes:
    return toggl_csv(
        (first + i * step, first + i * step + length, f"{tag} {i}") for i in range(count)
    )


@dataclass
class Base:
    ws: Workspace
    activity: str
    activities: list[str]
    entry_ids: set[str]
    note_ids: set[str]
    sample: dict[str, Any]  # one stored entry, to overlap on purpose


def build_base(root: Path, tools: Path, rows: int) -> Base:
    """A data folder with `rows` imported entries in 2025 and 8 logged ones, each with a
    note holding the marker (the descriptions of the imported rows), notes encrypted, and a
    backup."""
    ws = Workspace(root, tools)
    activities = activity_ids(ws)
    activity = activities[0]
    source = ws.out / "base.csv"
    # Toggl times are local; TZ=UTC keeps them what they say.
    source.write_bytes(
        spaced_rows(
            datetime(2025, 1, 6, 8), rows, timedelta(hours=5), timedelta(minutes=50), NOTE_MARKER
        )
    )
    call = ws.cli(["import", str(source), "--from", "toggl", "--default", activity])
    if call.rc != 0:
        raise AuditError(f"could not build the starting folder: {tail(call)}", call)
    for i in range(8):
        start = datetime(2024, 12, 2 + i, 9).strftime("%Y-%m-%dT%H:%M")
        call = ws.cli(
            [
                "log",
                activity,
                "--start",
                start,
                "--minutes",
                "30",
                "--note",
                f"{NOTE_MARKER} base note {i}: salary of Ana",
            ]
        )
        if call.rc != 0:
            raise AuditError(f"could not log a note in the starting folder: {tail(call)}", call)
    for args in (["encryption", "on"], ["backup", "now"]):
        call = ws.cli(args)
        if call.rc != 0:
            raise AuditError(f"could not set up the starting folder: {tail(call)}", call)
    entries = ws.entries(include_notes=True)
    return Base(
        ws=ws,
        activity=activity,
        activities=activities,
        entry_ids={e["id"] for e in entries},
        note_ids={e["id"] for e in entries if e.get("note")},
        sample=entries[len(entries) // 2],
    )


class Audit:
    def __init__(self, temp: Path, seed: int, quick: bool, limit: int | None = None) -> None:
        self.temp = temp
        self.seed = seed
        self.quick = quick
        self.limit = limit
        self.tools = temp / "tools"
        self.tools.mkdir()
        (self.tools / "audit_keyring.py").write_text(KEYRING_MODULE, "utf-8")
        self._base: Base | None = None

    def size(self, category: str) -> int:
        full, quick = SIZES[category]
        size = quick if self.quick else full
        return size if self.limit is None else min(size, self.limit)

    def rng(self, category: str) -> random.Random:
        return random.Random(f"{self.seed}:{category}")

    @property
    def work_root(self) -> Path:
        """Where every scenario runs, one after another: the same path each time, because
        the backup and cache folders are named after the data folder's path."""
        return self.temp / "ws"

    def _empty_work_root(self) -> Path:
        shutil.rmtree(self.work_root, ignore_errors=True)
        return self.work_root

    @property
    def base(self) -> Base:
        if self._base is None:
            rows = BASE_ROWS[1] if self.quick else BASE_ROWS[0]
            progress(f"building the starting data folder ({rows} entries)")
            base = build_base(self._empty_work_root(), self.tools, rows)
            self.work_root.rename(self.temp / "base")
            base.ws = Workspace(self.temp / "base", self.tools)  # for reading only
            self._base = base
        return self._base

    def clone(self, template: Base | None = None) -> Workspace:
        """A copy of the starting folder (or of template) at the work path."""
        return (template or self.base).ws.clone(self._empty_work_root())

    def derive(self, name: str, setup: Callable[[Workspace], None]) -> Base:
        """A second starting folder: the first one changed by setup, kept as `name`."""
        ws = self.clone()
        setup(ws)
        entries = ws.entries(include_notes=True)
        ws.root.rename(self.temp / name)
        return Base(
            ws=Workspace(self.temp / name, self.tools),
            activity=self.base.activity,
            activities=self.base.activities,
            entry_ids={e["id"] for e in entries},
            note_ids={e["id"] for e in entries if e.get("note")},
            sample=self.base.sample,
        )

    def fresh(self) -> Workspace:
        """Empty folders at the work path."""
        return Workspace(self._empty_work_root(), self.tools)

    def discard(self, ws: Workspace) -> None:
        shutil.rmtree(ws.root, ignore_errors=True)


# category: bad command-line input ---------------------------------------------------------

JUNK_ALPHABET = "abcxyzQWÄß€漢字 -_/.:+,;!?*'\"\\\t\x1b\x07\u216f\u216b"


def junk(rng: random.Random) -> str | bytes:
    kind = rng.randrange(6)
    if kind == 0:
        return "".join(rng.choice(JUNK_ALPHABET) for _ in range(rng.randint(1, 40)))
    if kind == 1:
        return "x" * rng.choice((300, 5000, 100_000))
    if kind == 2:  # not UTF-8
        return bytes(rng.randrange(0x80, 0x100) for _ in range(rng.randint(1, 12)))
    if kind == 3:
        return rng.choice(("", " ", "\t", "\n", "-", "--", "T", "now-ish", "½"))
    if kind == 4:
        return "\u202e" + "".join(rng.choice("abcdef") for _ in range(8))
    return rng.choice(("NaN", "inf", "-inf", "1e999", "0x1F", "99:99", "12:00:00:00"))


def cli_inputs(
    base: Base, ws: Workspace, count: int, rng: random.Random
) -> list[tuple[list[str | bytes], tuple[int, ...]]]:
    """(arguments, accepted exit codes) for bad input; 2 unless the refusal is about a file."""
    act = base.activity
    past = "2026-11-02T09:00"
    sample_start = datetime.fromisoformat(base.sample["start"].replace("Z", "+00:00"))
    overlap_at = (sample_start + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M")
    fifo = ws.out / "fifo"
    if not fifo.exists():
        os.mkfifo(fifo)
    folder = ws.out / "a-folder"
    folder.mkdir(exist_ok=True)
    garbage_rules = ws.out / "rules.toml"
    garbage_rules.write_bytes(b"[[[[ not toml = = \xff\n")
    bad2: list[list[str | bytes]] = []
    bad_times = [
        "25:00",
        "12:61",
        "2026-13-01T10:00",
        "2026-02-30T10:00",
        "",
        " ",
        "T",
        "10",
        "1e9",
        "-1",
        "2026-01-01T10:00+25:00",
        "0001-01-01T00:00",
        "10:00 PM tomorrow",
        "2026/01/01 10:00",
        "9999-12-31T23:59",
        "1969-12-31T23:00",
        "3000-01-01T00:00",
        "yesterday",
        "10:00:00:00",
    ]
    for t in bad_times:
        bad2.append(["log", act, "--start", t, "--minutes", "10"])
        bad2.append(["log", act, "--start", past, "--end", t])
    for minutes in ("0", "-5", "nan", "inf", "-inf", "1e12", "1441", "abc", "", "1e-300"):
        bad2.append(["log", act, "--start", past, "--minutes", minutes])
    bad2 += [
        ["log", act, "--start", past, "--end", "2026-11-02T08:00"],
        ["log", act, "--start", past, "--end", past],
        ["log", act, "--start", "2026-11-01T08:00", "--end", "2026-11-02T09:00"],
        ["log", act, "--start", "2099-01-01T10:00", "--minutes", "30"],
        ["log", act, "--start", past, "--end", "2026-11-02T10:00", "--minutes", "5"],
        ["log", act],
        ["log", "zzqx no such activity here", "--start", past, "--minutes", "5"],
        ["log", "", "--start", past, "--minutes", "5"],
        ["log", b"\xff\xfeboard", "--start", past, "--minutes", "5"],
        ["log", act, "--start", past, "--minutes", "5", "--note", b"caf\xe9 \xff"],
        ["log", act, "--start", past, "--minutes", "5", "--label", b"\xc3\x28"],
        ["log", act, "--start", overlap_at, "--minutes", "20"],
        ["log", "--start", past, "--minutes", "5"],
        ["log", act, "--start", past, "--minutes", "5", "--bogus"],
        ["--tz", "America", "log", act, "--start", past, "--minutes", "5"],
        ["--tz", "Mars/Phobos", "report"],
        ["--tz", "UTC+5", "report"],
        ["--tz", "../../etc/passwd", "report"],
        ["--tz", "x" * 300, "report"],
        ["--tz", b"Europe/\xffBerlin", "report"],
        ["--preset", "bogus", "report"],
        ["report", "--period", "fortnight"],
        ["report", "--from", "2026-02-30"],
        ["report", "--from", "2026-11-02", "--to", "2026-11-01"],
        ["report", "--to", "2026-11-01"],
        ["report", "--period", "week", "--from", "2026-11-01"],
        ["report", "--from", "0002-01-01", "--to", "9998-12-31"],
        ["report", "--from", "1900-01-01", "--to", "2026-01-01"],
        ["report", "--from", "10000-01-01"],
        ["report", "--profile", "no-such-profile"],
        ["report", "--format", "xml"],
        ["export"],
        ["export", "--format", "xlsx"],
        ["export", "--format", "csv", "--from", "yesterday"],
        ["export", "--format", "csv", "--to", "2026-01-01"],
        ["import", str(ws.out / "missing.csv"), "--from", "toggl"],
        ["import", str(ws.out / "missing.csv")],
        ["import", str(ws.out / "missing.csv"), "--from", "excel"],
        [
            "import",
            str(ROOT / "tests/fixtures/import/toggl-detailed.csv"),
            "--from",
            "toggl",
            "--since",
            "last week",
        ],
        [
            "import",
            str(ROOT / "tests/fixtures/import/toggl-detailed.csv"),
            "--from",
            "toggl",
            "--until",
            "2026-99-01",
        ],
        [
            "import",
            str(ROOT / "tests/fixtures/import/toggl-detailed.csv"),
            "--from",
            "toggl",
            "--overlap",
            "merge",
        ],
        [
            "import",
            str(ROOT / "tests/fixtures/import/toggl-detailed.csv"),
            "--from",
            "toggl",
            "--default",
            "zzqx no such activity",
        ],
        [
            "import",
            str(ROOT / "tests/fixtures/import/toggl-detailed.csv"),
            "--from",
            "toggl",
            "--rules",
            str(ws.out / "missing-rules.toml"),
        ],
        [
            "import",
            str(ROOT / "tests/fixtures/import/toggl-detailed.csv"),
            "--from",
            "toggl",
            "--rules",
            str(garbage_rules),
        ],
        ["backup"],
        ["backup", "now", "--keep", "-1"],
        ["backup", "now", "--keep", "abc"],
        ["backup", "restore", "no-such-backup", "--yes"],
        ["backup", "restore", "../../../etc/passwd", "--yes"],
        ["backup", "explode"],
        ["alias", "add", "board deck", "zzqx no such activity"],
        ["alias", "add", "", act],
        ["alias", "remove", "never added this"],
        ["alias", "list", "--format", "yaml"],
        ["encryption", "explode"],
        ["encryption", "off", "--new-key"],
        ["encryption", "on", "--forget-key"],
        ["framework", "--format", "xml"],
        ["demo", "--years", "0", "--no-open", "--dir", str(ws.out / "demo0")],
        ["demo", "--years", "-1", "--no-open", "--dir", str(ws.out / "demo1")],
        ["demo", "--no-open", "--dir", str(ws.data)],
        ["no-such-command"],
        ["doctor", "--explode"],
    ]
    bad_files: list[list[str | bytes]] = [
        ["export", "--format", "csv", "--output", str(folder)],
        ["export", "--format", "json", "--output", str(fifo)],
        ["export", "--format", "csv", "--output", str(ws.out / "no-folder" / "x.csv")],
        ["export", "--format", "csv", "--output", "/dev/null"],
        ["import", str(folder), "--from", "toggl"],
        ["import", str(fifo), "--from", "toggl"],
        ["import", "/dev/zero", "--from", "toggl"],
    ]
    inputs: list[tuple[list[str | bytes], tuple[int, ...]]] = [(a, (2,)) for a in bad2]
    inputs += [(a, (1, 2)) for a in bad_files]
    # Seeded junk in places that must refuse it.
    slots: list[Callable[[str | bytes], list[str | bytes]]] = [
        lambda j: ["log", act, "--start", j, "--minutes", "5"],
        lambda j: ["log", act, "--start", past, "--end", j],
        lambda j: ["log", act, "--start", past, "--minutes", j],
        lambda j: ["report", "--from", j],
        lambda j: ["report", "--period", j],
        lambda j: ["export", "--format", "csv", "--from", "2025-01-01", "--to", j],
        lambda j: ["--tz", j, "report"],
        lambda j: ["report", "--profile", j],
        lambda j: ["alias", "remove", j],
        lambda j: ["backup", "restore", j, "--yes"],
        lambda j: ["import", str(ROOT / "tests/fixtures/import/tagtime.log"), "--from", j],
        lambda j: [
            "log",
            "zzqx " + (j if isinstance(j, str) else "x"),
            "--start",
            past,
            "--minutes",
            "5",
        ],
    ]
    while len(inputs) < count:
        value = junk(rng)
        if isinstance(value, str) and ("0" in value or value.strip() in ("", "-")):
            value = value + "qq"  # no accidental date, and never an empty option value
        inputs.append((rng.choice(slots)(value), (2,)))
    return inputs[:count] if count < len(inputs) else inputs


def audit_cli(audit: Audit, result: Result) -> None:
    ws = audit.clone()
    inputs = cli_inputs(audit.base, ws, audit.size("cli"), audit.rng("cli"))
    if audit.quick:
        inputs = audit.rng("cli-pick").sample(inputs, min(len(inputs), audit.size("cli")))
    before = data_digest(ws)
    for args, codes in inputs:
        call = ws.cli(args, timeout_s=30)
        result.count()
        problems = refusal_problems(call, codes)
        after = data_digest(ws)
        if after != before and call.rc != 0:
            problems.append("the data folder changed although the call was refused")
        before = after
        for problem in problems:
            result.fail(call, problem)
    audit.discard(ws)


# category: hostile import files -----------------------------------------------------------


def nested_json(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


GOOD_IMPORTS = {
    "toggl": "toggl-detailed.csv",
    "timewarrior": "timewarrior-export.json",
    "watson": "watson-frames.json",
    "tagtime": "tagtime.log",
    "ics": "calendar.ics",
}
BIG_DIGITS = b"9" * 5000


def good_imports() -> dict[str, bytes]:
    """The well-formed import fixtures, by format: the start of every mutation."""
    folder = ROOT / "tests" / "fixtures" / "import"
    return {fmt: (folder / name).read_bytes() for fmt, name in GOOD_IMPORTS.items()}


def _hostile_any_format(add: Callable[[str, str, bytes, str], None], rng: random.Random) -> None:
    """Damage every format the same ways."""
    for fmt, content in good_imports().items():
        add(f"{fmt}-empty", fmt, b"", "empty file")
        add(f"{fmt}-blank", fmt, b" \n\t\n" * 100, "only white space")
        add(f"{fmt}-binary", fmt, rng.randbytes(65536), "64 KB of random bytes")
        add(f"{fmt}-nul", fmt, content.replace(b"\n", b"\x00\n", 3), "NUL bytes in rows")
        add(
            f"{fmt}-latin1",
            fmt,
            content.decode().encode("latin-1", "replace") + b"\xff\xfe",
            "not UTF-8",
        )
        add(f"{fmt}-utf16", fmt, content.decode().encode("utf-16"), "UTF-16 with BOM")
        add(f"{fmt}-truncated", fmt, content[: len(content) // 2], "cut off halfway")
        add(f"{fmt}-longline", fmt, b"A" * 3_000_000 + b"\n", "one 3 MB line")
        add(f"{fmt}-nested", fmt, nested_json(200_000), "200,000 nested JSON lists")
        add(f"{fmt}-digits", fmt, content.replace(b"2026", BIG_DIGITS, 2), "5,000-digit numbers")
        add(
            f"{fmt}-escapes",
            fmt,
            content.replace(b"board", b"\x1b]0;pwned\x07\x1b[2J\x1b[31mboard", 2),
            "terminal escapes in text",
        )


def _hostile_toggl(add: Callable[[str, str, bytes, str], None]) -> None:
    """Toggl CSV rows that lie."""
    header = good_imports()["toggl"].splitlines()[0] + b"\n"
    row = b"A,a@x,,P,,%s,No,%s,%s,%s,%s,%s,\n"
    add(
        "toggl-formula",
        "toggl",
        header
        + row
        % (
            b'=HYPERLINK("http://x","y")',
            b"2025-03-03",
            b"09:00:00",
            b"2025-03-03",
            b"10:00:00",
            b"01:00:00",
        ),
        "formula in the description",
    )
    add("toggl-header-only", "toggl", header, "header and no rows")
    add(
        "toggl-year-1",
        "toggl",
        header + row % (b"x", b"0001-01-01", b"09:00:00", b"0001-01-01", b"10:00:00", b"01:00:00"),
        "year 1",
    )
    add(
        "toggl-year-9999",
        "toggl",
        header + row % (b"x", b"9999-12-31", b"22:00:00", b"9999-12-31", b"23:00:00", b"01:00:00"),
        "year 9999",
    )
    add(
        "toggl-1900",
        "toggl",
        header + row % (b"x", b"1900-01-01", b"09:00:00", b"1900-01-01", b"10:00:00", b"01:00:00"),
        "year 1900",
    )
    add(
        "toggl-huge-duration",
        "toggl",
        header
        + row % (b"x", b"2025-03-03", b"09:00:00", b"2025-03-03", b"10:00:00", b"99999999:00:00"),
        "a 99,999,999-hour duration",
    )
    add(
        "toggl-backwards",
        "toggl",
        header + row % (b"x", b"2025-03-03", b"10:00:00", b"2025-03-03", b"09:00:00", b"-01:00:00"),
        "ends before it starts",
    )
    add(
        "toggl-unbalanced-quote",
        "toggl",
        header + b'A,a@x,,P,,"never closed,No,2025-03-03\n' * 50,
        "an unbalanced quote",
    )
    add(
        "toggl-huge-field",
        "toggl",
        header
        + row
        % (b"y" * 10_000_000, b"2025-03-03", b"09:00:00", b"2025-03-03", b"10:00:00", b"01:00:00"),
        "a 10 MB description",
    )
    add(
        "toggl-missing-columns",
        "toggl",
        b"Description,Start date\nx,2025-03-03\n",
        "required columns missing",
    )
    add(
        "toggl-many-rows",
        "toggl",
        spaced_rows(
            datetime(2019, 1, 1), 60_000, timedelta(minutes=61), timedelta(minutes=60), "many"
        ),
        "60,000 rows",
    )
    add(
        "toggl-self-overlap",
        "toggl",
        spaced_rows(
            datetime(2025, 3, 3, 9), 40, timedelta(minutes=5), timedelta(minutes=60), "overlap"
        ),
        "rows overlapping each other",
    )


def _hostile_trackers(add: Callable[[str, str, bytes, str], None]) -> None:
    """Timewarrior, Watson and TagTime files that lie."""
    add("timew-object", "timewarrior", b'{"id": 1}', "an object, not a list")
    add(
        "timew-far-future",
        "timewarrior",
        b'[{"id":1,"start":"99999999T000000Z","end":"99999999T010000Z","tags":["a"]}]',
        "year 9999+",
    )
    add(
        "timew-open",
        "timewarrior",
        b'[{"id":1,"start":"20250303T090000Z","tags":["open"]}]',
        "an interval still open",
    )
    add(
        "timew-tags-type",
        "timewarrior",
        b'[{"id":1,"start":"20250303T090000Z","end":"20250303T100000Z","tags":{"a":1}}]',
        "tags not a list",
    )
    add(
        "timew-pre-1970",
        "timewarrior",
        b'[{"id":1,"start":"19650303T090000Z","end":"19650303T100000Z","tags":["old"]}]',
        "before 1970",
    )
    add(
        "timew-huge-id",
        "timewarrior",
        b'[{"id":'
        + BIG_DIGITS
        + b',"start":"20250303T090000Z","end":"20250303T100000Z","tags":["x"]}]',
        "5,000-digit id",
    )
    add(
        "timew-dup",
        "timewarrior",
        b"["
        + b",".join(
            [b'{"id":1,"start":"20250303T090000Z","end":"20250303T100000Z","tags":["dup"]}'] * 500
        )
        + b"]",
        "500 copies of one interval",
    )
    add(
        "timew-bad-date",
        "timewarrior",
        b'[{"id":1,"start":"20250230T090000Z","end":"20250230T100000Z","tags":["x"]}]',
        "30 February",
    )
    # Watson
    for name, start, end in (
        ("huge", b"1" + b"0" * 20, b"2" + b"0" * 20),
        ("negative", b"-100000000000", b"-99999999999"),
        ("float", b"1e308", b"1.7e308"),
        ("far-future", b"253402300800", b"253402304400"),
        ("backwards", b"1741000000", b"1740990000"),
        ("strings", b'"soon"', b'"later"'),
    ):
        add(
            f"watson-{name}",
            "watson",
            b"[[" + start + b"," + end + b',"p","0123456789abcdef0123456789abcdef",[],1741000000]]',
            f"frame times: {name}",
        )
    add("watson-not-frames", "watson", b'{"frames": 1}', "not a list of frames")
    add("watson-short-frame", "watson", b"[[1741000000]]", "a frame with one field")
    # TagTime
    add("tagtime-huge", "tagtime", b"9" * 400 + b" x\n", "a 400-digit time")
    add("tagtime-negative", "tagtime", b"-99999999999 x\n", "a negative time")
    add("tagtime-text", "tagtime", b"soon x [2025.03.03]\n" * 10, "no number")
    add("tagtime-same", "tagtime", b"1741000000 x\n" * 100_000, "100,000 pings at one time")
    add("tagtime-future", "tagtime", b"253402300800 x\n", "year 10000")


def _hostile_calendars(add: Callable[[str, str, bytes, str], None]) -> None:
    """Calendars with endless, deep or impossible rules."""

    def vcal(body: bytes) -> bytes:
        return (
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//audit//EN\r\n"
            + body
            + b"END:VCALENDAR\r\n"
        )

    def vevent(lines: bytes) -> bytes:
        return b"BEGIN:VEVENT\r\nUID:a@audit\r\nSUMMARY:board\r\n" + lines + b"END:VEVENT\r\n"

    add(
        "ics-secondly",
        "ics",
        vcal(
            vevent(b"DTSTART:20250303T090000Z\r\nDTEND:20250303T090001Z\r\nRRULE:FREQ=SECONDLY\r\n")
        ),
        "an endless per-second event",
    )
    add(
        "ics-count-huge",
        "ics",
        vcal(
            vevent(
                b"DTSTART:20250303T090000Z\r\nDTEND:20250303T100000Z\r\nRRULE:FREQ=DAILY;COUNT=100000000\r\n"
            )
        ),
        "COUNT=100,000,000",
    )
    add(
        "ics-until-9999",
        "ics",
        vcal(
            vevent(
                b"DTSTART:20250303T090000Z\r\nDTEND:20250303T100000Z\r\nRRULE:FREQ=MINUTELY;UNTIL=99991231T000000Z\r\n"
            )
        ),
        "every minute until 9999",
    )
    add(
        "ics-deep",
        "ics",
        vcal(b"BEGIN:X\r\n" * 50_000 + b"END:X\r\n" * 50_000),
        "50,000 nested components",
    )
    add(
        "ics-unterminated",
        "ics",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20250303T090000Z\r\n",
        "never closed",
    )
    add(
        "ics-year-1",
        "ics",
        vcal(vevent(b"DTSTART:00010101T090000Z\r\nDTEND:00010101T100000Z\r\n")),
        "year 1",
    )
    add(
        "ics-huge-duration",
        "ics",
        vcal(vevent(b"DTSTART:20250303T090000Z\r\nDURATION:P99999999W\r\n")),
        "a 99,999,999-week duration",
    )
    add(
        "ics-folded",
        "ics",
        vcal(
            vevent(
                b"DTSTART:20250303T090000Z\r\nDTEND:20250303T100000Z\r\nDESCRIPTION:"
                + b"x\r\n " * 500_000
                + b"\r\n"
            )
        ),
        "a 500,000-line folded field",
    )
    add(
        "ics-exdates",
        "ics",
        vcal(
            vevent(
                b"DTSTART:20250303T090000Z\r\nDTEND:20250303T100000Z\r\nRRULE:FREQ=DAILY;COUNT=10\r\n"
                + b"EXDATE:20250304T090000Z\r\n" * 100_000
            )
        ),
        "100,000 EXDATE lines",
    )
    add(
        "ics-tz-minutely",
        "ics",
        vcal(
            b"BEGIN:VTIMEZONE\r\nTZID:Evil\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nRRULE:FREQ=MINUTELY\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
            + vevent(b"DTSTART;TZID=Evil:20250303T090000\r\nDTEND;TZID=Evil:20250303T100000\r\n")
        ),
        "a VTIMEZONE changing every minute",
    )
    add(
        "ics-bad-dtstart",
        "ics",
        vcal(vevent(b"DTSTART:2025-03-03 nine o'clock\r\nDTEND:20250303T100000Z\r\n")),
        "an unreadable DTSTART",
    )


def _hostile_sec_json(add: Callable[[str, str, bytes, str], None]) -> None:
    """SEC Desktop exports that lie."""

    def secjson(
        entries: bytes, head: bytes = b'"format":"sec-desktop/export","version":1'
    ) -> bytes:
        return b"{" + head + b',"entries":' + entries + b"}"

    one = b'{"id":"%s","start":"%s","end":"%s","tz":"UTC","activity":"%s","labels":[],"note":null,"source":"manual","device":"x","created":"2025-03-03T10:00:00Z","updated":"%s","deleted":null}'  # noqa: E501

    def entry(
        i: str,
        start: bytes = b"2025-03-03T09:00:00Z",
        end: bytes = b"2025-03-03T10:00:00Z",
        activity: bytes = b"strategy",
        updated: bytes = b"2025-03-03T10:00:00Z",
    ) -> bytes:
        return one % (i.encode(), start, end, activity, updated)

    add(
        "secjson-wrong-format",
        "sec-json",
        secjson(b"[]", b'"format":"not-ours","version":1'),
        "another program's JSON",
    )
    add(
        "secjson-version-99",
        "sec-json",
        secjson(b"[]", b'"format":"sec-desktop/export","version":99'),
        "a newer version",
    )
    add("secjson-entries-object", "sec-json", secjson(b'{"a":1}'), "entries not a list")
    add(
        "secjson-pre-1970",
        "sec-json",
        secjson(b"[" + entry("a1", b"1965-03-03T09:00:00Z", b"1965-03-03T10:00:00Z") + b"]"),
        "before 1970",
    )
    add(
        "secjson-updated-9999",
        "sec-json",
        secjson(b"[" + entry("a2", updated=b"9999-12-31T23:59:59Z") + b"]"),
        "updated in 9999",
    )
    add(
        "secjson-formula",
        "sec-json",
        secjson(b"[" + entry("=cmd|' /C calc'!A0", activity=b"=HYPERLINK(1)") + b"]"),
        "formulas in id and activity",
    )
    add(
        "secjson-dup-ids",
        "sec-json",
        secjson(b"[" + b",".join([entry("dup")] * 300) + b"]"),
        "300 entries with one id",
    )
    add(
        "secjson-huge-note",
        "sec-json",
        secjson(
            b"["
            + entry("a3").replace(b'"note":null', b'"note":"' + b"n" * 20_000_000 + b'"')
            + b"]"
        ),
        "a 20 MB note",
    )
    add(
        "secjson-labels-type",
        "sec-json",
        secjson(b"[" + entry("a4").replace(b'"labels":[]', b'"labels":[1,{"a":2}]') + b"]"),
        "labels not strings",
    )
    add(
        "secjson-deep-entry",
        "sec-json",
        secjson(
            b"[" + entry("a5").replace(b'"labels":[]', b'"labels":' + nested_json(100_000)) + b"]"
        ),
        "deep nesting inside an entry",
    )
    add(
        "secjson-digits",
        "sec-json",
        secjson(
            b"[" + entry("a6").replace(b'"labels":[]', b'"labels":[],"x":' + BIG_DIGITS) + b"]"
        ),
        "a 5,000-digit number",
    )


def hostile_files(folder: Path, rng: random.Random, count: int) -> list[tuple[Path, str, str]]:
    """(path, --from format, what it is) for each hostile file made or reused."""
    folder.mkdir(parents=True, exist_ok=True)
    made: list[tuple[Path, str, str]] = []

    def add(name: str, fmt: str, content: bytes, what: str) -> None:
        path = folder / name
        path.write_bytes(content)
        made.append((path, fmt, what))

    for path in sorted(HOSTILE_FIXTURES.rglob("*")):
        if path.is_file():
            made.append((path, path.parent.name, f"fixture {path.relative_to(HOSTILE_FIXTURES)}"))
    _hostile_any_format(add, rng)
    _hostile_toggl(add)
    _hostile_trackers(add)
    _hostile_calendars(add)
    _hostile_sec_json(add)
    # Paths that are not regular files.
    fifo = folder / "a-fifo"
    os.mkfifo(fifo)
    made.append((fifo, "toggl", "a FIFO nobody writes to"))
    made.append((Path("/dev/zero"), "toggl", "/dev/zero"))
    zero_link = folder / "zero-link.csv"
    zero_link.symlink_to("/dev/zero")
    made.append((zero_link, "sec-json", "a symlink to /dev/zero"))
    made.append((folder, "ics", "a folder"))
    made.append((folder / "absent.ics", "ics", "a file that does not exist"))
    # More seeded mutations of the good files until `count` are made.
    good = good_imports()
    fmts = sorted(good)
    n = 0
    while len(made) < count:
        fmt = rng.choice(fmts)
        content = bytearray(good[fmt])
        for _ in range(rng.randint(1, 20)):
            pos = rng.randrange(len(content))
            op = rng.randrange(3)
            if op == 0:
                content[pos] = rng.randrange(256)
            elif op == 1:
                del content[pos : pos + rng.randint(1, 50)]
            else:
                content[pos:pos] = rng.choice(
                    (b"\x1b[31m", b"9" * 400, b"\xff", b"\r", b'"', b"{[", b"-")
                )
        n += 1
        add(f"mutated-{n:03}-{fmt}", fmt, bytes(content), "random byte edits of a good file")
    return made


def audit_import(audit: Audit, result: Result) -> None:
    rng = audit.rng("import")
    files = hostile_files(audit.temp / "hostile", rng, audit.size("import"))
    if audit.quick:
        files = rng.sample(files, audit.size("import"))
    base = audit.base
    for path, fmt, what in files:
        ws = audit.clone()
        before = data_digest(ws)
        for dry in (True, False):
            args = ["import", str(path), "--from", fmt, "--default", base.activity]
            args += ["--dry-run"] if dry else []
            call = ws.cli(args, timeout_s=CALL_TIMEOUT_S)
            result.count()
            problems = common_problems(call)
            if call.max_rss_mb > MAX_RSS_MB:
                problems.append(f"used {call.max_rss_mb:.0f} MB (over {MAX_RSS_MB} MB)")
            after = data_digest(ws)
            if call.rc != 0 and not call.timed_out:
                if not call.err.strip():
                    problems.append(f"exit {call.rc} without a message")
                if after != before:
                    problems.append("refused, but the data folder changed")
            if dry and after != before:
                problems.append("a dry run changed the data folder")
            if b"\x1b" in call.out or b"\x1b" in call.err or b"\x07" in call.out:
                problems.append("printed raw terminal escapes from the file")
            for problem in problems:
                result.fail(call, f"[{what}] {problem}")
            if dry and call.timed_out:
                break  # the real import would hang the same way
        audit.discard(ws)


# category: damaged state files ------------------------------------------------------------


def state_targets(ws: Workspace) -> dict[str, Path]:
    shards = sorted((ws.data / "entries").rglob("*.json"))
    backups = sorted(p for p in ws.config.rglob("*.zip"))
    targets = {
        "settings.json": ws.config / "settings.json",
        "customization.json": ws.data / "framework" / "customization.json",
        "profiles/custom.json": ws.data / "profiles" / "custom.json",
        "encryption.json": ws.data / "encryption.json",
        "device.json": ws.config / "device.json",
        "timer.json": ws.config / "timer.json",
        "snooze.json": ws.config / "snooze.json",
        "questions.json": ws.config / "questions.json",
        "aliases.json": ws.data / "aliases.json",
    }
    if shards:
        targets["shard"] = shards[len(shards) // 2]
    if backups:
        targets["backup"] = backups[-1]
    return targets


CORRUPTIONS = ("empty", "truncated", "garbage", "wrong-type", "not-utf8", "nested", "folder")
APP_ONLY = ("timer.json", "snooze.json", "questions.json")  # read by the tray app only


def corrupt(path: Path, kind: str, rng: random.Random) -> bytes | None:
    """Damage path as `kind`; returns the damaged bytes (None for a folder put in its place)."""
    old = path.read_bytes() if path.is_file() else b'{"version": 1, "items": [1, 2, 3], "x": "abc"}'
    content = {
        "empty": b"",
        "truncated": old[: max(1, len(old) // 2)],
        "garbage": rng.randbytes(4096),
        "wrong-type": b"[1, 2, 3]" if path.suffix == ".json" else b"PK\x03\x04[1,2,3]",
        "not-utf8": b"\xff\xfe" + old,
        "nested": nested_json(100_000),
    }.get(kind)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    if content is None:
        path.mkdir()
        (path / "junk").write_bytes(b"x")
        return None
    path.write_bytes(content)
    return content


def bytes_kept(ws: Workspace, content: bytes) -> bool:
    wanted = hashlib.sha256(content).digest()
    for folder in (ws.data, ws.config):
        for path in folder.rglob("*"):
            if path.is_file() and not path.is_symlink():
                with contextlib.suppress(OSError):
                    if (
                        path.stat().st_size == len(content)
                        and hashlib.sha256(path.read_bytes()).digest() == wanted
                    ):
                        return True
    return False


def run_app_once(ws: Workspace) -> tuple[list[Call], str]:
    """Start the tray app (offscreen), wait until `status` answers, then `quit`; returns the
    calls and what the app itself printed (its notices included)."""
    app_out = ws.out / "app.out"
    with app_out.open("wb") as sink:
        app = subprocess.Popen(
            [sys.executable, "-c", APP_WITH_NOTICES, *ws.argv(["tray"])[3:]],
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=ws.env(),
            cwd=ws.root,
            start_new_session=True,
        )
    limit_memory(app.pid)
    calls: list[Call] = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and app.poll() is None:
            status = ws.cli(["status"], timeout_s=15)
            if status.rc == 0:
                calls.append(status)
                break
            time.sleep(0.3)
        calls.append(ws.cli(["quit"], timeout_s=15))
        try:
            app.wait(timeout=15)
        except subprocess.TimeoutExpired:
            calls.append(Call(["tray"], -9, b"", b"the app did not quit within 15 s", 15, 0, True))
    finally:
        if app.poll() is None:
            os.kill(app.pid, signal.SIGKILL)
            app.wait()
    return calls, app_out.read_text("utf-8", "replace")


def shard_entry_ids(path: Path, known: set[str]) -> set[str]:
    """The known entry ids a shard holds (they may go missing with it, set aside)."""
    if not path.is_file():
        return set()
    with contextlib.suppress(ValueError):
        return set(json.dumps(json.loads(path.read_bytes())).split('"')) & known
    return set()


def commands_after_damage(
    ws: Workspace, name: str, path: Path, base: Base, i: int
) -> tuple[list[Call], str]:
    """What a user would run next; the app too when only it reads the file."""
    start = (datetime(2026, 6, 1, 9) + timedelta(hours=i)).strftime("%Y-%m-%dT%H:%M")
    calls = [
        ws.cli(["report", "--format", "json"]),
        ws.cli(["log", base.activity, "--start", start, "--minutes", "5"]),
        ws.cli(["export", "--format", "json"]),
    ]
    app_text = ""
    if name in APP_ONLY:
        app_calls, app_text = run_app_once(ws)
        calls += app_calls
    if name == "backup":
        calls.append(ws.cli(["backup", "list", "--verify"]))
        calls.append(ws.cli(["backup", "restore", path.name, "--yes"]))
    calls.append(ws.cli(["doctor"]))
    for log in (ws.config / "logs").glob("*.log*"):
        app_text += log.read_text("utf-8", "replace")
    return calls, app_text


def audit_corrupt(audit: Audit, result: Result) -> None:
    rng = audit.rng("corrupt")
    base = audit.base
    plan = [(name, kind) for name in state_targets(base.ws) for kind in CORRUPTIONS]
    if audit.quick or len(plan) > audit.size("corrupt"):
        plan = rng.sample(plan, min(len(plan), audit.size("corrupt")))
    for i, (name, kind) in enumerate(plan):
        ws = audit.clone()
        path = state_targets(ws)[name]
        shard_ids = shard_entry_ids(path, base.entry_ids) if name == "shard" else set()
        damaged = corrupt(path, kind, rng)
        label = f"{name} {kind} ({path.relative_to(ws.root)})"
        result.count()
        calls, app_text = commands_after_damage(ws, name, path, base, i)
        for call in calls:
            for problem in common_problems(call):
                result.fail(call, f"[{label}] {problem}")
            if call.argv[4:5] in (["report"], ["log"], ["export"]) and call.rc != 0:
                result.fail(call, f"[{label}] exit {call.rc}: {tail(call)}")
        for mark in TRACEBACK_MARKS:
            if mark.decode() in app_text:
                result.fail("sec-desktop tray", f"[{label}] the app printed {mark.decode()!r}")
        said = "\n".join(c.text for c in calls) + app_text
        if path.name not in said:
            who = "report, log, export, doctor" + (", the app" if name in APP_ONLY else "")
            result.fail(calls[-1], f"[{label}] no message names {path.name} ({who})")
        if damaged and not bytes_kept(ws, damaged):
            result.fail(label, f"[{label}] the damaged file's bytes were not kept anywhere")
        export = calls[2]
        if export.rc == 0:
            lost = base.entry_ids - {e["id"] for e in json.loads(export.out)["entries"]} - shard_ids
            if lost:
                result.fail(
                    export, f"[{label}] {len(lost)} entries no longer exported: {sorted(lost)[:3]}"
                )
        audit.discard(ws)


# category: SIGKILL ------------------------------------------------------------------------


# What the `doctor --repair` runs damage on purpose: not torn by the run if still there.
DAMAGED_SHARD = b'{"_default": {"1": {"id": '
DAMAGED_SETTINGS = b"{not json"


def torn_files(ws: Workspace) -> list[str]:
    """JSON files (not hidden temp files, not set aside, not damaged on purpose) that don't
    parse."""
    torn = []
    for folder in (ws.data, ws.config):
        for path in folder.rglob("*.json"):
            rel = path.relative_to(ws.root)
            if path.name.startswith(".") or "quarantine" in rel.parts or not path.is_file():
                continue
            raw = path.read_bytes()
            if raw in (DAMAGED_SHARD, DAMAGED_SETTINGS):
                continue
            try:
                json.loads(raw)
            except ValueError as exc:
                torn.append(f"{rel}: {exc}")
    return torn


def plain_notes(folder: Path) -> list[str]:
    found = []
    marker = NOTE_MARKER.encode()
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with contextlib.suppress(OSError):
                raw = path.read_bytes()
                if marker in raw:
                    found.append(str(path))
                elif path.suffix == ".zip":
                    import zipfile

                    with (
                        contextlib.suppress(zipfile.BadZipFile, OSError, ValueError),
                        zipfile.ZipFile(path) as archive,
                    ):
                        found += [
                            f"{path}:{m}" for m in archive.namelist() if marker in archive.read(m)
                        ]
    return found


KILL_OPS = (
    "import",
    "encryption off",
    "encryption on",
    "backup now",
    "backup restore",
    "doctor --repair",
)


def prepare_kill(ws: Workspace, op: str, big_import: Path, base: Base) -> list[str]:
    """Put ws in the state `op` needs; returns its arguments."""
    if op == "import":
        return ["import", str(big_import), "--from", "toggl", "--default", base.activity]
    if op == "encryption off":
        return ["encryption", "off"]
    if op == "encryption on":
        call = ws.cli(["encryption", "off"])
        if call.rc != 0:
            raise AuditError(f"`encryption off` failed: {tail(call)}", call)
        return ["encryption", "on"]
    if op == "backup now":
        return ["backup", "now"]
    if op == "backup restore":
        shards = sorted((ws.data / "entries").rglob("20*.json"))
        for shard in shards[::2]:
            shard.unlink()
        return ["backup", "restore", "--yes"]
    # doctor --repair: a damaged shard to set aside, a damaged settings file.
    doctor_damaged_shard(ws.data).write_bytes(DAMAGED_SHARD)
    (ws.config / "settings.json").write_bytes(DAMAGED_SETTINGS)
    return ["doctor", "--repair", "--yes"]


def doctor_damaged_shard(data: Path) -> Path:
    """The shard the `doctor --repair` runs find damaged (its entries are set aside)."""
    shards = sorted((data / "entries").rglob("20*.json"))
    return shards[len(shards) // 3]


def startup_seconds(audit: Audit) -> float:
    """How long `sec-desktop --version` takes: the interpreter and the command modules."""
    ws = audit.fresh()
    return min(ws.cli(["--version"]).seconds for _ in range(3))


def time_unkilled(audit: Audit, result: Result, big_import: Path, heavy: Base) -> dict[str, float]:
    """How long each operation takes unkilled, to spread the kills over its whole run."""
    durations: dict[str, float] = {}
    for op in KILL_OPS:
        ws = audit.clone(heavy)
        call = ws.cli(prepare_kill(ws, op, big_import, heavy), timeout_s=300)
        durations[op] = max(call.seconds, 0.3)
        result.count()
        problems = common_problems(call) + ([f"exit {call.rc}: {tail(call)}"] if call.rc else [])
        for problem in problems:
            result.fail(call, f"[unkilled {op}] {problem}")
        audit.discard(ws)
    progress("kill: unkilled " + ", ".join(f"{k} {v:.1f}s" for k, v in durations.items()))
    return durations


def entries_after_kill(
    ws: Workspace, op: str, base: Base, imported_rows: int, set_aside: set[str]
) -> list[str]:
    """The next command recovers; then nothing acknowledged may be missing (but what the
    test set aside), and an import is there whole or not at all."""
    after = ws.cli(["export", "--format", "json", "--include-notes"])
    problems = common_problems(after)
    if after.rc != 0:
        return [*problems, f"export after the kill: exit {after.rc}: {tail(after)}"]
    entries = json.loads(after.out)["entries"]
    ids = {e["id"] for e in entries}
    noted = {e["id"] for e in entries if e.get("note")}
    if op != "backup restore":  # the restore's own test deleted files on purpose
        if base.entry_ids - ids - set_aside:
            lost = sorted(base.entry_ids - ids - set_aside)
            problems.append(f"{len(lost)} acknowledged entries lost, e.g. {lost[:3]}")
        if base.note_ids - noted - set_aside:
            problems.append(f"{len(base.note_ids - noted - set_aside)} notes no longer readable")
    added = len(ids - base.entry_ids)
    if op == "import" and added not in (0, imported_rows):
        problems.append(f"import not all or nothing: {added} of {imported_rows} rows stored")
    return problems


def finish_after_kill(ws: Workspace, op: str, base: Base) -> list[str]:
    """Run the operation again to its end: a restore must then bring everything back, and
    `encryption on` must leave no note in plain text, in the data folder or a backup."""
    problems: list[str] = []
    if op == "backup restore":
        done = ws.cli(["backup", "restore", "--yes"])
        problems += common_problems(done)
        missing = base.entry_ids - {e["id"] for e in ws.entries()}
        if missing:
            problems.append(f"after a full restore, {len(missing)} entries still missing")
    if op.startswith("encryption"):
        again = ws.cli(["encryption", "on"])
        problems += common_problems(again)
        if again.rc != 0:
            problems.append(f"`encryption on` after the kill: exit {again.rc}: {tail(again)}")
        backup_dirs = [p for p in ws.config.iterdir() if p.is_dir() and p.name != "logs"]
        leaks = plain_notes(ws.data) + [p for d in backup_dirs for p in plain_notes(d)]
        if leaks:
            problems.append(f"plain notes left after `encryption on`: {leaks[:3]}")
    problems += common_problems(ws.cli(["doctor"]))
    return problems


def heavy_setup(rows: int) -> Callable[[Workspace], None]:
    """More entries, each with an (encrypted) note: enough work that a kill lands mid-way."""

    def setup(ws: Workspace) -> None:
        source = ws.out / "heavy.csv"
        first = datetime(2019, 1, 7, 7)
        step, length = timedelta(hours=2), timedelta(minutes=90)
        source.write_bytes(spaced_rows(first, rows, step, length, f"{NOTE_MARKER} heavy"))
        call = ws.cli(["import", str(source), "--from", "toggl", "--default", ws_activity(ws)])
        if call.rc != 0:
            raise AuditError(f"could not make the heavy folder: {tail(call)}", call)
        # A backup that holds them all, for restore and for doctor --repair to draw on.
        call = ws.cli(["backup", "now"])
        if call.rc != 0:
            raise AuditError(f"could not back up the heavy folder: {tail(call)}", call)

    return setup


def ws_activity(ws: Workspace) -> str:
    return activity_ids(ws)[0]


def audit_kill(audit: Audit, result: Result) -> None:
    rng = audit.rng("kill")
    heavy_rows = 2000 if audit.quick else 5000
    progress(f"kill: a starting folder with {heavy_rows} more entries")
    base = audit.derive("kill-base", heavy_setup(heavy_rows))
    big_import = audit.temp / "kill-import.csv"
    rows = 600 if audit.quick else 3000
    first = datetime(2023, 1, 2, 8)
    big_import.write_bytes(
        spaced_rows(first, rows, timedelta(hours=3), timedelta(minutes=45), "kill")
    )
    durations = time_unkilled(audit, result, big_import, base)
    startup = startup_seconds(audit)
    progress(f"kill: the interpreter and command modules start in {startup:.2f} s")
    set_aside = shard_entry_ids(doctor_damaged_shard(base.ws.data), base.entry_ids)
    per_op = -(-audit.size("kill") // len(KILL_OPS))
    for op in KILL_OPS:
        for _ in range(per_op):
            ws = audit.clone(base)
            args = prepare_kill(ws, op, big_import, base)
            # Not before the interpreter has started: a kill then proves nothing.
            delay = rng.uniform(startup * 0.9, max(durations[op], startup) * 1.05)
            call = ws.cli(args, kill_after_s=delay, timeout_s=300)
            result.count()
            what = f"{op}, SIGKILL at {delay:.2f} s" + ("" if call.killed else " (it had finished)")
            problems = [p for p in common_problems(call) if not p.startswith("died by signal")]
            problems += torn_files(ws)
            missing_ok = set_aside if op == "doctor --repair" else set()
            problems += entries_after_kill(ws, op, base, rows, missing_ok)
            problems += finish_after_kill(ws, op, base)
            for problem in problems:
                result.fail(call, f"[{what}] {problem}")
            audit.discard(ws)


# category: concurrent log calls -----------------------------------------------------------


def parse_utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def audit_concurrent(audit: Audit, result: Result) -> None:
    base = audit.base
    ws = audit.clone()
    calls_wanted = audit.size("concurrent")
    copies = 3  # three callers race for each slot, as three `log` loops did
    slots = calls_wanted // copies
    first = datetime(2026, 8, 3, 6, tzinfo=UTC)
    jobs = []
    for i in range(slots):
        # 30-minute slots every 20 minutes: each also overlaps its neighbours.
        start = first + timedelta(minutes=20 * i)
        for copy in range(copies):
            jobs.append(
                [
                    "log",
                    base.activity,
                    "--start",
                    start.strftime("%Y-%m-%dT%H:%MZ").replace("Z", "+00:00"),
                    "--minutes",
                    "30",
                    "--note",
                    f"{NOTE_MARKER} race {i}.{copy}",
                ]
            )
    acknowledged: dict[str, Call] = {}
    lock = threading.Lock()

    def one(args: list[str]) -> None:
        call = ws.cli(args, timeout_s=120)
        result.count()
        for problem in common_problems(call):
            result.fail(call, problem)
        if call.rc == 0:
            text = call.out.decode("utf-8", "replace")
            entry_id = text.rsplit("[id ", 1)[-1].split("]", 1)[0] if "[id " in text else ""
            with lock:
                acknowledged[entry_id] = call
        elif call.rc != 2 or "overlaps" not in call.err.decode("utf-8", "replace"):
            result.fail(call, f"refused with exit {call.rc} but not for an overlap: {tail(call)}")

    workers = 6
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, jobs))
    entries = [e for e in ws.entries() if e["id"] not in base.entry_ids and not e.get("deleted")]
    stored = {e["id"] for e in entries}
    for entry_id, call in acknowledged.items():
        if entry_id not in stored:
            result.fail(call, f"acknowledged as id {entry_id} but not stored")
    for entry in entries:
        if entry["id"] not in acknowledged:
            result.fail(f"log (id {entry['id']})", "stored but never acknowledged")
    ordered = sorted(entries, key=lambda e: (parse_utc(e["start"]), e["id"]))
    for before, after in itertools.pairwise(ordered):
        if parse_utc(after["start"]) < parse_utc(before["end"]):
            result.fail(
                f"log ... --start {before['start']} / {after['start']}",
                f"overlapping entries stored: {before['id']} ({before['start']}-{before['end']}) "
                f"and {after['id']} ({after['start']}-{after['end']})",
            )
    progress(f"concurrent: {len(acknowledged)} of {len(jobs)} calls logged an entry")
    audit.discard(ws)


# category: daylight saving time -----------------------------------------------------------

DST_ZONES = (
    ("America/New_York", 2025),
    ("Europe/Berlin", 2025),
    ("Australia/Sydney", 2025),
    ("America/Santiago", 2025),
    ("Europe/London", 2025),
    ("Pacific/Auckland", 2025),
    ("Australia/Lord_Howe", 2025),
    ("America/St_Johns", 2025),
    ("Africa/Cairo", 2025),
    ("Asia/Tehran", 2021),
)


def transitions(zone: ZoneInfo, year: int) -> list[datetime]:
    """The UTC instants at which zone's offset changes in year."""
    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    step = timedelta(minutes=15)
    previous = moment.astimezone(zone).utcoffset()
    while moment < end:
        moment += step
        offset = moment.astimezone(zone).utcoffset()
        if offset != previous:
            found.append(moment)
            previous = offset
    return found


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def wall_time_inside(zone: ZoneInfo, change: datetime) -> datetime:
    """The local wall time in the middle of a change: missing (spring) or twice (autumn)."""
    before = (change - timedelta(minutes=1)).astimezone(zone).utcoffset() or timedelta()
    after = change.astimezone(zone).utcoffset() or timedelta()
    return (change + min(before, after) + abs(after - before) / 2).replace(tzinfo=None)


def dst_span(ws: Workspace, zone: ZoneInfo, change: datetime, activity: str) -> list[str]:
    """Log 3 hours either side of the change in local wall times: 6 real hours."""
    start, end = change - timedelta(hours=3), change + timedelta(hours=3)
    args = ["--tz", zone.key, "log", activity]
    args += ["--start", start.astimezone(zone).strftime("%Y-%m-%dT%H:%M")]
    args += ["--end", end.astimezone(zone).strftime("%Y-%m-%dT%H:%M")]
    call = ws.cli(args, tz=zone.key)
    problems = [f"{call.shown()}: {p}" for p in common_problems(call)]
    if call.rc != 0:
        return [*problems, f"{call.shown()}: exit {call.rc}: {tail(call)}"]
    stored = {
        (utc_text(parse_utc(e["start"])), utc_text(parse_utc(e["end"]))) for e in ws.entries()
    }
    if (utc_text(start), utc_text(end)) not in stored:
        problems.append(f"{call.shown()}: not stored as {utc_text(start)} to {utc_text(end)}")
    return problems


def dst_wall_time(ws: Workspace, zone: ZoneInfo, change: datetime, activity: str) -> list[str]:
    """A 7-minute entry at a wall time the change skips or repeats: refused with a sentence,
    or stored 7 minutes long near that wall time."""
    inside = wall_time_inside(zone, change)
    args = ["--tz", zone.key, "log", activity, "--start", inside.strftime("%Y-%m-%dT%H:%M")]
    call = ws.cli([*args, "--minutes", "7", "--allow-overlap"], tz=zone.key)
    problems = [f"{call.shown()}: {p}" for p in common_problems(call)]
    if call.rc == 2:
        if "sec-desktop:" not in call.err.decode("utf-8", "replace"):
            problems.append(f"{call.shown()}: refused without a sentence")
        return problems
    if call.rc != 0:
        return [*problems, f"{call.shown()}: exit {call.rc}: {tail(call)}"]
    sevens = [
        parse_utc(e["start"])
        for e in ws.entries()
        if parse_utc(e["end"]) - parse_utc(e["start"]) == timedelta(minutes=7)
    ]
    if not sevens:
        problems.append(f"{call.shown()}: no 7-minute entry was stored")
    for start in sevens:
        local = start.astimezone(zone).replace(tzinfo=None)
        if abs(local - inside) > timedelta(hours=1):
            problems.append(f"{call.shown()}: stored at {local:%H:%M} local")
    return problems


def dst_report(ws: Workspace, zone: ZoneInfo, change: datetime) -> list[str]:
    """The report over the days around the change counts what the entries last."""
    day = change.astimezone(zone).date()
    args = ["--tz", zone.key, "report", "--format", "json"]
    args += ["--from", (day - timedelta(days=1)).isoformat()]
    args += ["--to", (day + timedelta(days=1)).isoformat()]
    call = ws.cli(args, tz=zone.key)
    problems = [f"{call.shown()}: {p}" for p in common_problems(call)]
    if call.rc != 0:
        return [*problems, f"{call.shown()}: exit {call.rc}: {tail(call)}"]
    total = total_minutes(json.loads(call.out))
    expected = sum(
        (parse_utc(e["end"]) - parse_utc(e["start"])).total_seconds() / 60
        for e in ws.entries()
        if abs(parse_utc(e["start"]) - change) < timedelta(hours=6)
    )
    if total is None:
        problems.append(f"{call.shown()}: no total minutes found in the report")
    elif abs(total - expected) > 0.5:
        problems.append(f"{call.shown()}: counts {total:g} minutes, the entries {expected:g}")
    return problems


def audit_dst(audit: Audit, result: Result) -> None:
    rng = audit.rng("dst")
    zones = list(DST_ZONES)
    if audit.quick:
        zones = rng.sample(zones, audit.size("dst"))
    activity = audit.base.activity
    for name, year in zones:
        zone = ZoneInfo(name)
        ws = audit.fresh()
        for change in transitions(zone, year):
            what = f"{name}, clocks change at {change:%Y-%m-%d %H:%M} UTC"
            for check in (dst_span, dst_wall_time):
                result.count()
                for problem in check(ws, zone, change, activity):
                    command, _, reason = problem.partition(": ")
                    result.fail(command, f"[{what}] {reason}")
            result.count()
            for problem in dst_report(ws, zone, change):
                command, _, reason = problem.partition(": ")
                result.fail(command, f"[{what}] {reason}")
        audit.discard(ws)


def total_minutes(doc: Any) -> float | None:
    """The report's total tracked minutes, wherever its JSON keeps them."""
    if isinstance(doc, dict):
        for key in ("total_minutes", "tracked_minutes", "minutes_total"):
            if isinstance(doc.get(key), (int, float)):
                return float(doc[key])
        for key in ("total_hours", "tracked_hours", "hours_total"):
            if isinstance(doc.get(key), (int, float)):
                return float(doc[key]) * 60
        for value in doc.values():
            found = total_minutes(value) if isinstance(value, dict) else None
            if found is not None:
                return found
    return None


# category: modes under umask 000 ----------------------------------------------------------


def audit_perms(audit: Audit, result: Result) -> None:
    ws = audit.fresh()
    activity = audit.base.activity
    source = ws.out / "small.csv"
    source.write_bytes(
        spaced_rows(datetime(2025, 2, 3, 9), 20, timedelta(hours=4), timedelta(minutes=30), "perm")
    )
    steps: list[list[str]] = [
        [
            "log",
            activity,
            "--start",
            "2025-01-02T09:00",
            "--minutes",
            "30",
            "--note",
            f"{NOTE_MARKER} perm",
        ],
        ["log", activity, "--start", "2025-01-03T09:00", "--minutes", "30"],
        ["import", str(source), "--from", "toggl", "--default", activity],
        ["alias", "add", "audit phrase", activity],
        ["backup", "now"],
        ["encryption", "off"],
        ["encryption", "on"],
        ["report"],
        ["export", "--format", "csv", "--output", str(ws.out / "export.csv")],
        ["log", "zzqx no such", "--minutes", "5"],
        ["doctor"],
        ["doctor", "--repair", "--yes"],
        ["backup", "restore", "--yes"],
    ]
    for args in steps:
        call = ws.cli(args, umask=0)
        result.count()
        for problem in common_problems(call):
            result.fail(call, problem)
    checked = 0
    for folder in (ws.data, ws.config):
        for path in [folder, *folder.rglob("*")]:
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                continue
            checked += 1
            mode = stat.S_IMODE(info.st_mode)
            if stat.S_ISDIR(info.st_mode) and mode != 0o700:
                result.fail(
                    str(path.relative_to(ws.root)), f"a folder with mode {mode:04o}, not 0700"
                )
            elif not stat.S_ISDIR(info.st_mode) and mode & 0o077:
                result.fail(
                    str(path.relative_to(ws.root)), f"a file with mode {mode:04o}, not 0600"
                )
    progress(f"perms: {checked} paths checked after {len(steps)} commands under umask 000")
    audit.discard(ws)


# category: note text in logs and exports --------------------------------------------------


def check_exports(ws: Workspace, secrets: Sequence[bytes], result: Result) -> None:
    """Every export format, to a file and to stdout, without --include-notes: no secret."""
    for fmt in ("csv", "json", "toggl-csv", "ics"):
        target = ws.out / f"export.{fmt}"
        for output in (["--output", str(target)], []):
            args = ["export", "--format", fmt, "--from", "2024-01-01", "--to", "2026-12-31"]
            call = ws.cli([*args, *output])
            result.count()
            for problem in common_problems(call):
                result.fail(call, problem)
            body = target.read_bytes() if output and target.exists() else call.out
            if any(s in body for s in secrets):
                result.fail(call, "note text or the key is in an export without --include-notes")


def audit_notes(audit: Audit, result: Result) -> None:
    ws = audit.clone()
    activity = audit.base.activity
    # Failing and succeeding commands, so that the logs have something to say.
    for args in (
        [
            "log",
            activity,
            "--start",
            "2026-10-05T09:00",
            "--minutes",
            "30",
            "--note",
            f"{NOTE_MARKER} secret plan",
        ],
        [
            "log",
            activity,
            "--start",
            "2026-10-05T09:10",
            "--minutes",
            "30",
            "--note",
            f"{NOTE_MARKER} clash",
        ],
        ["log", "zzqx", "--minutes", "5", "--note", f"{NOTE_MARKER} nowhere"],
        ["doctor"],
        ["backup", "now"],
    ):
        call = ws.cli(args)
        for problem in common_problems(call):
            result.fail(call, problem)
    # The tray app too: it writes the log files.
    app_calls, app_text = run_app_once(ws)
    for call in app_calls:
        for problem in common_problems(call):
            result.fail(call, problem)
    key = ws.secret_key()
    secrets = [NOTE_MARKER.encode()] + ([key.encode()] if key else [])
    with contextlib.suppress(ValueError, TypeError):
        if key:
            secrets.append(base64.b64encode(base64.urlsafe_b64decode(key)))
    check_exports(ws, secrets, result)
    with_notes = ws.cli(
        [
            "export",
            "--format",
            "json",
            "--include-notes",
            "--from",
            "2024-01-01",
            "--to",
            "2026-12-31",
        ]
    )
    result.count()
    if NOTE_MARKER.encode() not in with_notes.out:
        result.fail(
            with_notes, "--include-notes exported no note (the check above would prove nothing)"
        )
    logs = [
        p
        for p in ws.config.rglob("*")
        if p.is_file() and ("log" in p.name or p.parent.name == "logs")
    ]
    for path in logs:
        result.count()
        if any(s in path.read_bytes() for s in secrets):
            result.fail(str(path.relative_to(ws.root)), "note text or the key is in a log file")
    result.count()
    if any(s.decode() in app_text for s in secrets):
        result.fail("sec-desktop tray", "note text or the key is in what the app printed")
    progress(f"notes: 9 exports, {len(logs)} log files and the app's output read")
    audit.discard(ws)


# running ----------------------------------------------------------------------------------

RUNNERS: dict[str, Callable[[Audit, Result], None]] = {
    "cli": audit_cli,
    "import": audit_import,
    "corrupt": audit_corrupt,
    "kill": audit_kill,
    "concurrent": audit_concurrent,
    "dst": audit_dst,
    "perms": audit_perms,
    "notes": audit_notes,
}


def run_audit(
    categories: Sequence[str], seed: int, quick: bool, temp: Path, limit: int | None = None
) -> list[Result]:
    audit = Audit(temp, seed, quick, limit)
    results = []
    for category in categories:
        result = Result(category)
        progress(f"{category}: starting")
        started = time.perf_counter()
        try:
            RUNNERS[category](audit, result)
        except AuditError as exc:
            result.fail(exc.call or category, f"the audit could not go on: {exc}")
        result.seconds = time.perf_counter() - started
        failed = len(result.failures)
        progress(f"{category}: {result.tried} tried, {failed} failures, {result.seconds:.0f} s")
        results.append(result)
    return results


def report(results: Sequence[Result], out: Any = sys.stdout) -> None:
    rows = [("category", "inputs tried", "failures left", "seconds")]
    rows += [(r.category, str(r.tried), str(len(r.failures)), f"{r.seconds:.0f}") for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for n, row in enumerate(rows):
        print(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            ),
            file=out,
        )
        if n == 0:
            print("  ".join("-" * w for w in widths), file=out)
    for r in results:
        if r.failures:
            print(f"\n{r.category}: {len(r.failures)} failure(s)", file=out)
            for f in r.failures:
                print(f"  $ {f.command}\n    {f.reason}", file=out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run, about a minute")
    parser.add_argument(
        "--only",
        action="append",
        choices=CATEGORIES,
        metavar="CATEGORY",
        help=f"run only these ({', '.join(CATEGORIES)}); repeatable",
    )
    parser.add_argument("--seed", type=int, default=19, help="same seed, same inputs (default 19)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument(
        "--limit", type=int, metavar="N", help="at most N inputs per category (a smoke test)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    categories = [c for c in CATEGORIES if not args.only or c in args.only]
    temp = Path(tempfile.mkdtemp(prefix="sec-audit-"))
    try:
        results = run_audit(categories, args.seed, args.quick, temp, args.limit)
    finally:
        if args.keep:
            progress(f"kept {temp}")
        else:
            shutil.rmtree(temp, ignore_errors=True)
    report(results)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                [
                    {
                        "category": r.category,
                        "tried": r.tried,
                        "seconds": round(r.seconds, 1),
                        "failures": [
                            {"command": f.command, "reason": f.reason} for f in r.failures
                        ],
                    }
                    for r in results
                ],
                indent=2,
                ensure_ascii=False,
            )
            + "\n",
            "utf-8",
        )
    return 1 if any(r.failures for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
