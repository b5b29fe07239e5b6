"""Entries and their crash-safe, sharded TinyDB storage. No Qt here.

The names below load their module on first use (PEP 562): importing `store.entry` or
`store.paths` alone does not load TinyDB, the merge and the notes codec behind `EntryStore`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sec_desktop.lazy_names import lazy_getattr

if TYPE_CHECKING:
    from sec_desktop.store.entry import Entry, EntryError, format_utc, parse_utc, utc_now
    from sec_desktop.store.paths import device_id, resolve_config_dir, resolve_data_dir
    from sec_desktop.store.store import EntryStore, StoreError, StoreProblem, shard_month

_MODULE_OF = {
    **dict.fromkeys(
        ("Entry", "EntryError", "format_utc", "parse_utc", "utc_now"), "sec_desktop.store.entry"
    ),
    **dict.fromkeys(
        ("device_id", "resolve_config_dir", "resolve_data_dir"), "sec_desktop.store.paths"
    ),
    **dict.fromkeys(
        ("EntryStore", "StoreError", "StoreProblem", "shard_month"), "sec_desktop.store.store"
    ),
}

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


__getattr__ = lazy_getattr(__name__, _MODULE_OF, globals())
