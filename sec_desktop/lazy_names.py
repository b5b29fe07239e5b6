"""Package names loaded from their modules on first use (PEP 562), so that importing a
package for one name does not load every module it re-exports."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_getattr(
    package: str, module_of: Mapping[str, str], namespace: dict[str, Any]
) -> Callable[[str], Any]:
    """A module-level `__getattr__` for `package` that imports a name from the module
    `module_of` gives for it and keeps it in `namespace`, so later lookups skip it."""

    def load(name: str) -> Any:
        module = module_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    return load
