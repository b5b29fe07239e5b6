"""The methods `dataclasses` writes for each class, compiled once instead of at every start.

A dataclass's __init__, __repr__, __eq__, __hash__ and, when frozen, __setattr__ and
__delattr__ are generated as source text and compiled with exec() whenever the module that
defines the class is imported. Python keeps a module's own bytecode in __pycache__, but not
these: they were about a third of a `sec-desktop report` (30-40 ms for the 60 classes a
report loads). This keeps the compiled code of each generated text in one file, keyed by the
exact text and the interpreter that compiled it, so an unchanged text is compiled once. The
code object is the one compile() gives for that text, so every class behaves exactly as it
would without the cache; a missing, damaged or foreign file only means compiling again.
"""

from __future__ import annotations

import builtins
import dataclasses
import marshal
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from types import CodeType
from typing import Any

# Generated texts from older versions of the app linger; past this many the file keeps only
# what the current process used.
MAX_ENTRIES = 4000
# exec() compiles a text under this file name; the cached code must carry the same.
SOURCE_NAME = "<string>"


class CodegenCache:
    """Compiled code by generated source text, read from and written back to `path`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.known = _read(path)
        self.used: dict[str, CodeType] = {}
        self.added = 0

    def code_for(self, source: str) -> CodeType:
        code = self.known.get(source)
        if code is None:
            code = compile(source, SOURCE_NAME, "exec")
            self.known[source] = code
            self.added += 1
        self.used[source] = code
        return code

    def exec(
        self,
        source: Any,
        globals_: dict[str, Any] | None = None,
        locals_: Mapping[str, object] | None = None,
        /,
    ) -> None:
        """exec() as `dataclasses` calls it, with the text's code from the cache."""
        if isinstance(source, str):
            source = self.code_for(source)
        builtins.exec(source, globals_, locals_)  # noqa: S102 - what dataclasses runs

    def save(self) -> None:
        """Write the file if this process compiled anything new; a failure is harmless."""
        if not self.added:
            return
        entries = self.known if len(self.known) <= MAX_ENTRIES else self.used
        from sec_desktop.store.atomic import atomic_write_bytes, ensure_private_dir

        try:
            ensure_private_dir(self.path.parent)
            atomic_write_bytes(self.path, marshal.dumps((sys.version, entries)))
        except OSError:
            return  # a read-only or full disk: the next start compiles again
        self.added = 0


def _read(path: Path) -> dict[str, CodeType]:
    try:
        raw = path.read_bytes()
        if not _private(path):
            return {}
        # Code is loaded only from the user's own private file, which the app itself wrote
        # (as Python loads a module's bytecode from __pycache__).
        version, entries = marshal.loads(raw)  # noqa: S302
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    # Code objects are only valid for the interpreter build that made them.
    if version != sys.version or not isinstance(entries, dict):
        return {}
    return {
        source: code
        for source, code in entries.items()
        if isinstance(source, str) and isinstance(code, CodeType)
    }


def _private(path: Path) -> bool:
    """Owned by this user and writable by no one else (POSIX), as the app writes it."""
    if os.name != "posix":
        return True
    info = path.stat()
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def install(path: Path) -> CodegenCache:
    """Route the dataclass code generation of this process through a cache kept in `path`."""
    cache = CodegenCache(path)
    # `dataclasses` calls exec() by its global name: a module attribute of that name is found
    # before the builtin, for every dataclass made from now on.
    dataclasses.exec = cache.exec  # type: ignore[attr-defined]
    return cache


def uninstall() -> None:
    vars(dataclasses).pop("exec", None)


__all__ = ["CodegenCache", "install", "uninstall"]
