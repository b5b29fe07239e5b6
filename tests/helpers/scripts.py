"""Load a script or build file that is not part of a package (scripts/, packaging/) by path."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def load_module(relative_path: str, name: str) -> ModuleType:
    """The module at ROOT/relative_path, registered as `name` (dataclasses look their module
    up in sys.modules while it runs); sys.path is restored if the module changed it."""
    spec = importlib.util.spec_from_file_location(name, ROOT / relative_path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    saved_path = list(sys.path)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved_path
    return module
