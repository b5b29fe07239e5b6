"""Loaded first by the tray's composition root (ui/app.py): PySide6's import hook is adjusted
before it reads the modules the tray imports next."""

from __future__ import annotations

import linecache
from pathlib import Path
from types import ModuleType

import PySide6.QtCore  # noqa: F401 - loads shiboken's import hook, adjusted below


def _uses_pyside(module: ModuleType) -> bool:
    """Whether a module's source mentions PySide6, read without keeping the text."""
    path = getattr(module, "__file__", None)
    if not isinstance(path, str) or not path.endswith(".py"):
        return False
    try:
        return b"PySide6" in Path(path).read_bytes()
    except OSError:
        return False


def _keep_no_sources() -> None:
    """PySide6's import hook asks of every module imported after it whether its source
    mentions PySide6 (for its feature switches), through inspect.getsource, and linecache keeps
    every source it read: about 8 MB of strings in the resident tray, never freed. The same
    question is answered here from the file, which is then let go. Where a PySide6 version
    has no such hook, nothing changes."""
    try:
        from shibokensupport import feature  # type: ignore[import-not-found]
    except ImportError:
        return
    if callable(getattr(feature, "_mod_uses_pyside", None)):
        feature._mod_uses_pyside = _uses_pyside  # noqa: SLF001
        # What the hook read while PySide6 itself loaded (about 2 MB of the standard
        # library's sources, never needed again: a traceback reads its lines afresh).
        linecache.clearcache()


_keep_no_sources()
