"""Where data and per-machine settings live, and this machine's device id."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

import orjson
import platformdirs

from sec_desktop import APP_DIR_NAME
from sec_desktop.store.atomic import atomic_write_bytes, ensure_private_dir, set_aside_unreadable

DATA_DIR_ENV = "SEC_DESKTOP_DATA_DIR"
CONFIG_DIR_ENV = "SEC_DESKTOP_CONFIG_DIR"
DEVICE_FILE = "device.json"
CACHE_DIR = "cache"
# Daily backups kept when the settings name no number (here, so that the settings need not
# load the backup code).
DEFAULT_BACKUPS_KEPT = 14


def resolve_data_dir(cli_value: str | os.PathLike[str] | None, env: Mapping[str, str]) -> Path:
    """`--data-dir`, else $SEC_DESKTOP_DATA_DIR, else the platform's per-user data folder."""
    if cli_value:
        return Path(cli_value).expanduser()
    if env.get(DATA_DIR_ENV):
        return Path(env[DATA_DIR_ENV]).expanduser()
    return platformdirs.user_data_path(APP_DIR_NAME, appauthor=False)


def resolve_config_dir(env: Mapping[str, str]) -> Path:
    """Per-machine settings; kept out of the data folder, which a sync engine may share."""
    if env.get(CONFIG_DIR_ENV):
        return Path(env[CONFIG_DIR_ENV]).expanduser()
    return platformdirs.user_config_path(APP_DIR_NAME, appauthor=False)


def _host_slug() -> str:
    import socket  # only when a device id is made, not on every start

    slug = re.sub(r"[^a-z0-9]+", "-", socket.gethostname().lower()).strip("-")
    return slug[:40] or "device"


DEVICE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_STORED_ID = re.compile(rb'"device_id"\s*:\s*"([a-z0-9][a-z0-9-]{0,63})"')
_PARTIAL_ID = re.compile(rb'"device_id"\s*:\s*"([a-z0-9-]*)')


def device_id(
    config_dir: Path, data_dir: Path | None = None, problems: list[str] | None = None
) -> str:
    """This machine's id, created once: the host name plus a random suffix.

    It must live per machine, not in the data folder: two devices syncing one data folder
    must never share an id, or they would write the same files. A damaged id file is set
    aside (never over an earlier copy) and the old id kept where it can be recovered; what
    happened is added to `problems`.
    """
    path = config_dir / DEVICE_FILE
    raw: bytes | None = None
    try:
        raw = path.read_bytes()
        stored = orjson.loads(raw).get("device_id")
        if isinstance(stored, str) and DEVICE_ID.fullmatch(stored):
            return stored
        reason = "it holds no valid device id"
    except FileNotFoundError:
        reason = ""
    except (orjson.JSONDecodeError, AttributeError) as exc:
        reason = "it is empty" if not (raw or b"").strip() else f"it is not an id file ({exc})"
    except OSError as exc:
        raw, reason = b"", exc.strerror or str(exc)
    recovered = _recover_id(raw, data_dir) if raw is not None else None
    import secrets

    new_id = recovered or f"{_host_slug()}-{secrets.token_hex(3)}"
    if raw is not None:
        aside = set_aside_unreadable(path)
        outcome = (
            f"this machine keeps its id {new_id}, found in the data folder"
            if recovered
            else f"a new device id {new_id} was made (entries logged here before now count "
            "as another device's)"
        )
        if problems is not None:
            problems.append(
                f"The device id file {path} could not be read because {reason}; it was kept "
                f"as {aside} and {outcome}."
            )
    ensure_private_dir(config_dir)
    atomic_write_bytes(path, orjson.dumps({"device_id": new_id}))
    return new_id


def _recover_id(raw: bytes, data_dir: Path | None) -> str | None:
    """The id a damaged id file still shows whole, else the one entries folder named after
    this host (narrowed by what the file still shows), if exactly one is left."""
    whole = _STORED_ID.search(raw)
    if whole:
        return whole.group(1).decode()
    if data_dir is None:
        return None
    own_name = re.compile(rf"{re.escape(_host_slug())}-[0-9a-f]{{6}}")
    try:
        names = [p.name for p in (data_dir / "entries").iterdir() if own_name.fullmatch(p.name)]
    except OSError:
        return None
    partial = _PARTIAL_ID.search(raw)
    if partial:
        names = [name for name in names if name.startswith(partial.group(1).decode())]
    return names[0] if len(names) == 1 else None


def data_dir_key(data_dir: Path) -> str:
    """A file name for things this machine keeps per data folder (backups, caches): the
    folder's name, readable, and a digest of its full path, unique."""
    resolved = str(data_dir.expanduser().resolve())
    # hashlib's own SHA-256 module: hashlib would load OpenSSL, 2-3 ms of every report.
    try:
        from _sha256 import sha256  # type: ignore[import-not-found]  # Python 3.11
    except ImportError:
        from hashlib import sha256

    digest = sha256(resolved.encode("utf-8")).hexdigest()[:10]
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", data_dir.name).strip("-") or "data"
    return f"{slug}-{digest}"


def id_index_path(config_dir: Path, data_dir: Path) -> Path:
    """Where this machine caches the store's id index for one data folder: in the config
    folder, never in the data folder, which may be synced to other devices."""
    return config_dir / CACHE_DIR / f"entry-ids-{data_dir_key(data_dir)}.json"


def month_summaries_dir(config_dir: Path, data_dir: Path) -> Path:
    """Where this machine caches the month summaries reports read (analytics.month_summaries)
    for one data folder; derived data, so in the config folder like the id index."""
    return config_dir / CACHE_DIR / f"month-summaries-{data_dir_key(data_dir)}"


def clock_state_path(config_dir: Path, data_dir: Path) -> Path:
    """Where this machine keeps its last clock stamp for one data folder (store/hlc.py), so
    that stamps never go backwards across restarts, whatever the wall clock does."""
    return config_dir / f"clock-{data_dir_key(data_dir)}.json"
