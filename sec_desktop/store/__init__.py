"""Entries and their crash-safe, sharded TinyDB storage. No Qt here."""

from sec_desktop.store.entry import Entry, EntryError, format_utc, parse_utc, utc_now
from sec_desktop.store.paths import device_id, resolve_config_dir, resolve_data_dir
from sec_desktop.store.store import EntryStore, StoreError, StoreProblem, shard_month

__all__ = [
    "Entry",
    "EntryError",
    "EntryStore",
    "StoreError",
    "StoreProblem",
    "device_id",
    "format_utc",
    "parse_utc",
    "resolve_config_dir",
    "resolve_data_dir",
    "shard_month",
    "utc_now",
]
