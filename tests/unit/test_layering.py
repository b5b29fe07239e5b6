"""The core never imports Qt: the CLI and a future GUI share it, and it must run headless."""

from __future__ import annotations

import subprocess
import sys

CORE_MODULES = [
    "sec_desktop.framework",
    "sec_desktop.store",
    "sec_desktop.analytics",
    "sec_desktop.cli",
]


def test_core_modules_do_not_import_qt() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in CORE_MODULES)
        + "qt = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'PyQt5', 'PyQt6', 'shiboken6'))\n"
        "print(','.join(qt))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
