"""What an import loads, seen from a fresh interpreter (this one has loaded everything)."""

from __future__ import annotations

import os
import subprocess
import sys


def modules_loaded_by(*statements: str, prefixes: tuple[str, ...]) -> list[str]:
    """The modules starting with one of `prefixes` loaded after running `statements`."""
    code = "\n".join(
        [
            "import sys",
            *statements,
            f"print(','.join(sorted(m for m in sys.modules if m.startswith({prefixes!r}))))",
        ]
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    return [m for m in result.stdout.strip().split(",") if m]
