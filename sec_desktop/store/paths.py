"""Where data and per-machine settings live, and this machine's device id."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import socket
from collections.abc import Mapping
from pathlib import Path

import orjson
import platformdirs

from sec_desktop import APP_DIR_NAME
from sec_desktop.store.atomic import atomic_write_bytes, ensure_private_dir

DATA_DIR_ENV = "SEC_DESKTOP_DATA_DIR"
CONFIG_DIR_ENV = "SEC_DESKTOP_CONFIG_DIR"
DEVICE_FILE = "device.json"
CACHE_DIR = "cache"


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
    slug = re.sub(r"[^a-z0-9]+", "-", socket.gethostname().lower()).strip("-")
    return slug[:40] or "device"


def device_id(config_dir: Path) -> str:
    """This machine's id, created once: the host name plus a random suffix.

    It must live per machine, not in the data folder: two devices syncing one data folder
    must never share an id, or they would write the same files.
    """
    path = config_dir / DEVICE_FILE
    try:
        stored = orjson.loads(path.read_bytes()).get("device_id")
        if isinstance(stored, str) and re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", stored):
            return stored
    except FileNotFoundError:
        pass
    except (orjson.JSONDecodeError, AttributeError, OSError):
        # An unreadable id file: keep it for inspection and mint a new id.
        path.replace(path.with_name(f"{DEVICE_FILE}.unreadable"))
    new_id = f"{_host_slug()}-{secrets.token_hex(3)}"
    ensure_private_dir(config_dir)
    atomic_write_bytes(path, orjson.dumps({"device_id": new_id}))
    return new_id


def data_dir_key(data_dir: Path) -> str:
    """A file name for things this machine keeps per data folder (backups, caches): the
    folder's name, readable, and a digest of its full path, unique."""
    resolved = str(data_dir.expanduser().resolve())
    digest = hashlib.sha256(resolved.encode("utf-8")).hexdigest()[:10]
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", data_dir.name).strip("-") or "data"
    return f"{slug}-{digest}"


def id_index_path(config_dir: Path, data_dir: Path) -> Path:
    """Where this machine caches the store's id index for one data folder: in the config
    folder, never in the data folder, which may be synced to other devices."""
    return config_dir / CACHE_DIR / f"entry-ids-{data_dir_key(data_dir)}.json"
