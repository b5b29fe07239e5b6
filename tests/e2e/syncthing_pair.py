"""Two devices syncing one SEC data folder through two real Syncthing instances on loopback.

Each device has a home of its own under the test's folder: a Syncthing home (keys, config,
database), the SEC data folder that Syncthing shares, the SEC config folder with the device's
own id, and a HOME for everything else. Syncthing talks only to the other instance: listen and
GUI/REST addresses are free 127.0.0.1 ports, and global and local discovery, relays, NAT
traversal, usage and crash reporting and upgrades are off. Waits poll Syncthing's REST API
(`/rest/db/status`, `/rest/db/completion`) and compare both folders, never a fixed sleep.
Every process started here is stopped by its PID (and its process group) when the pair ends,
also when a test fails.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.e2e.xsession import SessionError, stop_process, wait_for

REQUIRED_TOOLS = ("syncthing", "faketime")
FOLDER_ID = "sec-data"
# Generous: the machine may be shared; every wait ends as soon as its condition holds.
START_TIMEOUT_S = 60.0
SETTLE_TIMEOUT_S = 90.0
# Short enough that a change the watcher missed still arrives within a test.
RESCAN_INTERVAL_S = 10
FS_WATCHER_DELAY_S = 1
RECONNECT_INTERVAL_S = 5
PULLER_PAUSE_S = 2
POLL_S = 0.2
CLI_TIMEOUT_S = 60.0
LOGGED_ID = re.compile(r"\[id ([0-9a-f-]{36})\]")
GENERATE_OPTIONS = ("--no-default-folder", "--skip-port-probing")
# The log to stdout (our log file), with date and time.
SERVE_OPTIONS = ("--no-browser", "--no-restart", "--no-upgrade", "--logfile=-", "--logflags=3")
CHECKOUT_ROOT = Path(__file__).resolve().parents[2]
# Settings a developer's own Syncthing may have in the environment; they must not reach ours.
SYNCTHING_SETTINGS_ENV = frozenset(
    ("STGUIADDRESS", "STGUIAPIKEY", "STHOMEDIR", "STCONFDIR", "STDATADIR", "STTRACE",
     "STPROFILER", "STLOCKTHRESHOLD", "STNODEFAULTFOLDER", "STNORESTART", "STNOUPGRADE")
)  # fmt: skip
# Syncthing's partial downloads: never synced, and a failed pull may leave one for a day.
SYNCTHING_TEMP_PREFIX = ".syncthing."


def missing_tools() -> list[str]:
    return [tool for tool in REQUIRED_TOOLS if shutil.which(tool) is None]


# What every Syncthing end-to-end file is marked with: e2e, and skipped where Syncthing or
# faketime is missing (never on CI, where they must be there).
SYNC_MARKS = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        bool(missing_tools()) and not os.environ.get("CI"),
        reason=f"Syncthing end-to-end tools missing: {missing_tools()}",
    ),
]


def free_port() -> int:
    """A loopback TCP port nobody listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def folder_fingerprint(folder: Path) -> dict[str, str]:
    """Every file under `folder` (relative path -> sha256 of its bytes), but Syncthing's own
    partial downloads."""
    files: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if path.name.startswith(SYNCTHING_TEMP_PREFIX):
            continue
        if path.is_file() and not path.is_symlink():
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except FileNotFoundError:  # replaced while we looked: the next poll sees it
                digest = "(vanished)"
            files[path.relative_to(folder).as_posix()] = digest
    return files


class SyncthingError(SessionError):
    pass


@dataclass
class SyncthingNode:
    """One Syncthing instance: its home, the folder it shares, its ports and its process."""

    name: str
    home: Path
    folder: Path
    gui_port: int = field(default_factory=free_port)
    listen_port: int = field(default_factory=free_port)
    api_key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    device_id: str = ""
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def log_path(self) -> Path:
        return self.home / "serve.log"

    @property
    def config_path(self) -> Path:
        return self.home / "config.xml"

    @property
    def listen_address(self) -> str:
        return f"tcp://127.0.0.1:{self.listen_port}"

    def env(self) -> dict[str, str]:
        """Syncthing's environment: its own HOME, no upgrades, and one process: without
        STMONITORED, even `--no-restart` keeps a monitor whose child has a process group of
        its own, so killing the PID we know would leave the real Syncthing running."""
        env = {k: v for k, v in os.environ.items() if k not in SYNCTHING_SETTINGS_ENV}
        home = self.home / "home"
        home.mkdir(parents=True, exist_ok=True)
        env.update(
            HOME=str(home),
            XDG_CONFIG_HOME=str(home / ".config"),
            XDG_DATA_HOME=str(home / ".local/share"),
            XDG_STATE_HOME=str(home / ".local/state"),
            STNORESTART="1",
            STMONITORED="1",
            STNOUPGRADE="1",
            STNODEFAULTFOLDER="1",
        )
        return env

    def generate(self) -> None:
        """Keys and a fresh config, then this node's device id read from it."""
        result = subprocess.run(
            ["syncthing", "generate", f"--home={self.home}", *GENERATE_OPTIONS],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_S,
            check=False,
        )
        if result.returncode != 0:
            raise SyncthingError(f"syncthing generate for {self.name} failed: {result.stderr}")
        root = ET.parse(self.config_path).getroot()  # noqa: S314 - Syncthing's, made just now
        own = root.find("device")
        if own is None or not own.get("id"):
            raise SyncthingError(f"{self.config_path} names no device after generate")
        self.device_id = str(own.get("id"))

    def configure(self, peer: SyncthingNode) -> None:
        """Loopback only, everything that phones out off, `peer` known by its address, and
        the one shared folder: this device's SEC data folder."""
        tree = ET.parse(self.config_path)  # noqa: S314 - Syncthing's own, made just now
        root = tree.getroot()
        own = _child(root, "device")
        own.set("name", self.name)
        gui = _child(root, "gui")
        gui.set("tls", "false")
        _set_text(gui, "address", f"127.0.0.1:{self.gui_port}")
        _set_text(gui, "apikey", self.api_key)
        options = _child(root, "options")
        for key, value in {
            "listenAddress": self.listen_address,
            "globalAnnounceEnabled": "false",
            "localAnnounceEnabled": "false",
            "relaysEnabled": "false",
            "natEnabled": "false",
            "urAccepted": "-1",  # usage reporting declined, and never asked again
            "urSeen": "3",
            "autoUpgradeIntervalH": "0",
            "crashReportingEnabled": "false",
            "startBrowser": "false",
            "reconnectionIntervalS": str(RECONNECT_INTERVAL_S),
            "announceLANAddresses": "false",
        }.items():
            _set_text(options, key, value)
        # The peer, reachable only at its loopback address.
        defaults = _child(root, "defaults")
        peer_device = _copy(_child(defaults, "device"))
        peer_device.set("id", peer.device_id)
        peer_device.set("name", peer.name)
        _set_text(peer_device, "address", peer.listen_address)
        root.insert(list(root).index(own) + 1, peer_device)
        # The shared folder, from Syncthing's own folder defaults.
        folder = _copy(_child(defaults, "folder"))
        folder.attrib.update(
            id=FOLDER_ID,
            label="SEC data",
            path=str(self.folder),
            type="sendreceive",
            rescanIntervalS=str(RESCAN_INTERVAL_S),
            fsWatcherEnabled="true",
            fsWatcherDelayS=str(FS_WATCHER_DELAY_S),
        )
        # A pull that failed (a file changed under it) is retried after seconds, not a minute.
        _set_text(folder, "pullerPauseS", str(PULLER_PAUSE_S))
        for member in folder.findall("device"):
            folder.remove(member)
        for device_id in (self.device_id, peer.device_id):
            member = ET.Element("device", id=device_id, introducedBy="")
            ET.SubElement(member, "encryptionPassword")
            folder.insert(1, member)
        root.insert(0, folder)
        tree.write(self.config_path, encoding="unicode")
        # Syncthing puts its folder marker (.stfolder) in an empty folder itself, as it does
        # on a user's machine.
        self.folder.mkdir(parents=True, exist_ok=True)

    def start(self) -> None:
        """Start Syncthing and wait until its REST API answers."""
        if self.process is not None and self.process.poll() is None:
            raise SyncthingError(f"Syncthing {self.name} is already running")
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"---- start {self.starts}\n".encode())
            self.process = subprocess.Popen(
                ["syncthing", "serve", f"--home={self.home}", *SERVE_OPTIONS],
                env=self.env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_for(self._api_answers, START_TIMEOUT_S, f"Syncthing {self.name}'s REST API")
        except SessionError as exc:
            raise SyncthingError(f"{exc}; its log:\n{self.log_tail()}") from None

    def _api_answers(self) -> bool:
        if self.process is None or self.process.poll() is not None:
            raise SyncthingError(
                f"Syncthing {self.name} exited ({self.process and self.process.returncode}):\n"
                f"{self.log_tail()}"
            )
        try:
            status = self.get("/rest/system/status")
        except (OSError, SyncthingError):
            return False
        return bool(status.get("myID") == self.device_id)

    def stop(self) -> None:
        """Stop this instance by its PID: SIGTERM to its process group, then SIGKILL."""
        if self.process is not None:
            stop_process(self.process, timeout_s=10)

    def kill(self) -> None:
        """SIGKILL, as a crash or a pulled plug would: no chance to finish anything."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def request(self, method: str, path: str, timeout_s: float = 30.0) -> Any:
        url = f"http://127.0.0.1:{self.gui_port}{path}"
        request = urllib.request.Request(url, method=method, headers={"X-API-Key": self.api_key})
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
                body = response.read()
        except urllib.error.HTTPError as exc:
            raise SyncthingError(
                f"{method} {path} on {self.name}: {exc.code} {exc.reason}"
            ) from None
        return json.loads(body) if body.strip() else None

    def get(self, path: str) -> Any:
        return self.request("GET", path)

    def scan(self) -> None:
        """Scan the shared folder now (returns once the scan is done)."""
        self.request("POST", f"/rest/db/scan?folder={FOLDER_ID}", timeout_s=60)

    def connected_to(self, peer: SyncthingNode) -> bool:
        connections = self.get("/rest/system/connections").get("connections", {})
        return bool(connections.get(peer.device_id, {}).get("connected"))

    def check_private(self) -> None:
        """That Syncthing runs with the settings `configure` wrote (a misspelt one would fall
        back to a default that phones out): loopback only, nothing reported or upgraded."""
        options = self.get("/rest/config/options")
        folder = self.get(f"/rest/config/folders/{FOLDER_ID}")
        expected: dict[str, Any] = {
            "listenAddresses": [self.listen_address],
            "globalAnnounceEnabled": False,
            "localAnnounceEnabled": False,
            "relaysEnabled": False,
            "natEnabled": False,
            "urAccepted": -1,
            "autoUpgradeIntervalH": 0,
            "crashReportingEnabled": False,
        }
        actual = {key: options.get(key) for key in expected}
        expected.update(rescanIntervalS=RESCAN_INTERVAL_S, fsWatcherEnabled=True)
        actual.update(rescanIntervalS=folder["rescanIntervalS"])
        actual.update(fsWatcherEnabled=folder["fsWatcherEnabled"])
        if actual != expected:
            raise SyncthingError(f"Syncthing {self.name} runs with {actual}, not {expected}")

    def folder_status(self) -> dict[str, Any]:
        return dict(self.get(f"/rest/db/status?folder={FOLDER_ID}"))

    def completion_of(self, peer: SyncthingNode) -> dict[str, Any]:
        """How complete `peer`'s copy of the folder is, as this instance knows it."""
        return dict(self.get(f"/rest/db/completion?folder={FOLDER_ID}&device={peer.device_id}"))


def _child(parent: ET.Element, tag: str) -> ET.Element:
    found = parent.find(tag)
    if found is None:
        raise SyncthingError(f"Syncthing's generated config has no <{tag}>")
    return found


def _set_text(parent: ET.Element, tag: str, text: str) -> None:
    element = parent.find(tag)
    if element is None:
        element = ET.SubElement(parent, tag)
    element.text = text


def _copy(element: ET.Element) -> ET.Element:
    return ET.fromstring(ET.tostring(element))  # noqa: S314 - our own serialization


@dataclass
class Device:
    """SEC Desktop on one device: its data folder (shared by Syncthing), its own config
    folder holding its device id, and its own HOME."""

    name: str
    root: Path
    app_device_id: str
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def config_dir(self) -> Path:
        return self.root / "config"

    @property
    def home(self) -> Path:
        return self.root / "home"

    def env(self) -> dict[str, str]:
        """This device's environment: its own folders, and headless (no display or session
        bus of the machine running the tests, so doctor probes nothing outside the test)."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("SEC_DESKTOP_", "XDG_", "FAKETIME"))
            and key not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")
        }
        env.update(
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            XDG_DATA_HOME=str(self.home / ".local/share"),
            XDG_STATE_HOME=str(self.home / ".local/state"),
            XDG_CACHE_HOME=str(self.home / ".cache"),
            SEC_DESKTOP_DATA_DIR=str(self.data_dir),
            SEC_DESKTOP_CONFIG_DIR=str(self.config_dir),
            # Never a real keychain; a test that needs one sets its own in extra_env.
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
            PYTHONUNBUFFERED="1",
            # This checkout's code, whatever the virtual environment has installed.
            PYTHONPATH=str(CHECKOUT_ROOT),
        )
        env.update(self.extra_env)
        return env

    def command(self, *args: str, clock_offset: str | None = None) -> list[str]:
        """`sec-desktop ARGS` from source, under faketime when `clock_offset` is given
        (libfaketime's relative form: "-10m" runs this device's clock 10 minutes slow)."""
        command = [sys.executable, "-m", "sec_desktop", *args]
        if clock_offset is not None:
            command = ["faketime", "-f", clock_offset, *command]
        return command

    def cli(
        self, *args: str, clock_offset: str | None = None, timeout_s: float = CLI_TIMEOUT_S
    ) -> subprocess.CompletedProcess[str]:
        """Run `sec-desktop ARGS` as this device and return what it did (never raises on a
        non-zero exit: the caller asserts on it)."""
        return subprocess.run(
            self.command(*args, clock_offset=clock_offset),
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )

    def ok(self, *args: str, clock_offset: str | None = None) -> str:
        """Run `sec-desktop ARGS` as this device; its stdout, or an assertion naming the
        command, its exit code and its stderr."""
        result = self.cli(*args, clock_offset=clock_offset)
        assert result.returncode == 0, (
            f"{self.name}: sec-desktop {' '.join(args)} exited {result.returncode}:\n"
            f"{result.stderr}{result.stdout}"
        )
        return result.stdout

    def log(self, activity: str, start: str, end: str, *extra: str) -> str:
        """Book an entry (times in UTC, `YYYY-MM-DDTHH:MM`) on this device; its id."""
        out = self.ok("--tz", "UTC", "log", activity, "--start", start, "--end", end, *extra)
        found = LOGGED_ID.search(out)
        assert found, f"{self.name}: no entry id in {out!r}"
        return found.group(1)

    def doctor_line(self, check: str) -> str:
        """The doctor's line for `check` (such as "data files") on this device."""
        out = self.cli("doctor").stdout
        lines = [line for line in out.splitlines() if f" {check}:" in line]
        assert lines, f"{self.name}: doctor has no {check!r} check:\n{out}"
        return lines[0]

    def export(self, *args: str) -> list[dict[str, Any]]:
        """Every entry this device sees now, through `export --format json`."""
        out = self.ok("--tz", "UTC", "export", "--format", "json", *args)
        entries = orjson.loads(out)["entries"]
        assert isinstance(entries, list)
        return entries


@dataclass
class SyncthingPair:
    """Devices A and B, each with its own Syncthing, sharing one SEC data folder."""

    a: Device
    b: Device
    sync_a: SyncthingNode
    sync_b: SyncthingNode
    start_s: float = 0.0
    settle_times_s: list[float] = field(default_factory=list)

    @property
    def devices(self) -> tuple[Device, Device]:
        return self.a, self.b

    @property
    def nodes(self) -> tuple[SyncthingNode, SyncthingNode]:
        return self.sync_a, self.sync_b

    def peer(self, node: SyncthingNode) -> SyncthingNode:
        return self.sync_b if node is self.sync_a else self.sync_a

    def wait_connected(self, timeout_s: float = START_TIMEOUT_S) -> None:
        """Until each instance sees the other connected."""
        try:
            wait_for(
                lambda: all(node.connected_to(self.peer(node)) for node in self.nodes),
                timeout_s,
                "the two Syncthing instances to connect",
                poll_s=POLL_S,
            )
        except SessionError as exc:
            raise SyncthingError(f"{exc}\n{self._logs()}") from None

    @contextlib.contextmanager
    def apart(self) -> Iterator[None]:
        """The two devices out of touch (each pauses the other, as a laptop offline would):
        what each does inside the block is concurrent with what the other does. On leaving,
        they reconnect and settle."""
        for node in self.nodes:
            node.request("POST", f"/rest/system/pause?device={self.peer(node).device_id}")
        wait_for(
            lambda: not any(node.connected_to(self.peer(node)) for node in self.nodes),
            START_TIMEOUT_S,
            "the two Syncthing instances to part",
            poll_s=POLL_S,
        )
        yield
        for node in self.nodes:
            node.request("POST", f"/rest/system/resume?device={self.peer(node).device_id}")
        self.wait_connected()
        self.settle()

    def settle(self, timeout_s: float = SETTLE_TIMEOUT_S, *, scan: bool = True) -> float:
        """Scan both folders now (unless `scan` is false: then only the file watchers and the
        periodic rescans notice changes, as on a user's machines), then wait until both are
        idle, each knows the other's copy complete, and the two data folders hold the same
        files with the same bytes. Returns the seconds it took (also kept in
        `settle_times_s`)."""
        began = time.monotonic()
        deadline = began + timeout_s
        last_state = ""
        while True:
            if scan:
                for node in self.nodes:
                    node.scan()
            in_sync, last_state = self.in_sync()
            if in_sync:
                # Both sides agree twice in a row, a poll apart: nothing was still on its way.
                time.sleep(POLL_S)
                in_sync, last_state = self.in_sync()
                if in_sync:
                    took = time.monotonic() - began
                    self.settle_times_s.append(took)
                    return took
            if time.monotonic() > deadline:
                raise SyncthingError(
                    f"the two folders did not settle within {timeout_s:.0f} s: {last_state}\n"
                    f"{self._logs()}"
                )
            time.sleep(POLL_S)

    def in_sync(self) -> tuple[bool, str]:
        """Whether both folders are idle, complete on both sides and byte for byte the same
        now, and what each instance says."""
        states: list[str] = []
        for node in self.nodes:
            status = node.folder_status()
            completion = node.completion_of(self.peer(node))
            states.append(
                f"{node.name}: state={status.get('state')} need={status.get('needTotalItems')} "
                f"pullErrors={status.get('pullErrors')} peer-completion="
                f"{completion.get('completion')} peer-need={completion.get('needItems')}"
            )
            if (
                status.get("state") != "idle"
                or status.get("needTotalItems")
                or status.get("pullErrors")
                or completion.get("completion") != 100
                or completion.get("needItems")
                or completion.get("needDeletes")
            ):
                return False, "; ".join(states)
        prints = [folder_fingerprint(device.data_dir) for device in self.devices]
        if prints[0] != prints[1]:
            differing = sorted(
                name
                for name in prints[0].keys() | prints[1].keys()
                if prints[0].get(name) != prints[1].get(name)
            )
            return False, f"the folders differ in {differing[:5]}"
        return True, "; ".join(states)

    def _logs(self) -> str:
        return "\n".join(f"-- Syncthing {n.name}:\n{n.log_tail()}" for n in self.nodes)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


def past_day(days_ago: int) -> date:
    """A UTC day `days_ago` days back: entries on it never end in the future."""
    return datetime.now(UTC).date() - timedelta(days=days_ago)


def at(day: date, hhmm: str) -> str:
    """A time on `day` as `sec-desktop --tz UTC` reads it."""
    return f"{day:%Y-%m-%d}T{hhmm}"


def make_device(root: Path, name: str, app_device_id: str) -> Device:
    """A device whose SEC id is `app_device_id`, written where the app keeps it
    (`device.json` in its config folder), so each device writes its own entries folder."""
    device = Device(name, root, app_device_id)
    for folder in (device.data_dir, device.config_dir, device.home):
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    (device.config_dir / "device.json").write_bytes(orjson.dumps({"device_id": app_device_id}))
    return device


@contextlib.contextmanager
def syncthing_pair(
    root: Path, names: Sequence[str] = ("a", "b"), app_ids: Mapping[str, str] | None = None
) -> Iterator[SyncthingPair]:
    """Devices A and B under `root`, their Syncthing instances started and connected."""
    began = time.monotonic()
    app_ids = app_ids or {name: f"device-{name}" for name in names}
    a, b = (make_device(root / name, name, app_ids[name]) for name in names)
    sync_a, sync_b = (
        SyncthingNode(device.name, device.root / "syncthing", device.data_dir) for device in (a, b)
    )
    pair = SyncthingPair(a, b, sync_a, sync_b)
    try:
        for node in pair.nodes:
            node.generate()
        for node in pair.nodes:
            node.configure(pair.peer(node))
        for node in pair.nodes:
            node.start()
            node.check_private()
        pair.wait_connected()
        pair.start_s = time.monotonic() - began
        yield pair
    finally:
        pair.stop()


# One process of a burst: waits for "go" on stdin, then books each start it was given with
# `sec-desktop log` (the command line's own entry point, one call per entry) and prints each
# call's exit code and stderr on a line of its own, so a test can follow its progress.
BURST_SCRIPT = """
import io, sys
from sec_desktop.cli.main import main

activity, minutes, *starts = sys.argv[1:]
sys.stdin.readline()
for start in starts:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--tz", "UTC", "log", activity, "--start", start, "--minutes", minutes],
                out=out, err=err)
    print(code, err.getvalue().strip().replace("\\n", " | "), flush=True)
"""


@dataclass
class BurstProcess:
    device: Device
    starts: list[str]
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def read_until(self, calls: int) -> None:
        """Block until this process has finished `calls` log calls (or has ended)."""
        assert self.process.stdout is not None
        while len(self.lines) < calls:
            line = self.process.stdout.readline()
            if not line:
                return
            self.lines.append(line.rstrip("\n"))

    def finish(self, timeout_s: float) -> list[str]:
        """Wait for the rest of its calls; every call's "exit-code stderr" line."""
        out, _ = self.process.communicate(timeout=timeout_s)
        self.lines.extend(out.splitlines())
        return self.lines


@contextlib.contextmanager
def log_bursts(
    jobs: Sequence[tuple[Device, Sequence[str]]], activity: str, minutes: int = 5
) -> Iterator[list[BurstProcess]]:
    """Start one process per (device, starts) job, then release them all at once: each books
    its starts as `minutes`-long entries of `activity`, one `log` call each. Every process is
    stopped by its PID when the block ends."""
    bursts: list[BurstProcess] = []
    try:
        for device, starts in jobs:
            process = subprocess.Popen(
                [sys.executable, "-c", BURST_SCRIPT, activity, str(minutes), *starts],
                env=device.env(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            bursts.append(BurstProcess(device, list(starts), process))
        for burst in bursts:
            assert burst.process.stdin is not None
            burst.process.stdin.write("go\n")
            burst.process.stdin.flush()
        yield bursts
    finally:
        for burst in bursts:
            stop_process(burst.process)
