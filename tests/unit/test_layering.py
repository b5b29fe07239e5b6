"""The core never imports Qt: the CLI and the GUI share it, and it must run headless.

Every module of the package is imported in a fresh interpreter, except those allowed to use
Qt (the GUI shell and the Qt-based platform glue), and the CLI's parser is built with all its
commands; not one Qt module may be loaded by then. The import-linter contracts in
pyproject.toml check the same rule statically; this test also sees modules loaded by name.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import sec_desktop

QT_ALLOWED_PREFIXES = (
    "sec_desktop.ui",
    "sec_desktop.platform.single_instance",
    "sec_desktop.platform.sleep",
)
# Plain-text parts of the GUI shell, kept free of Qt so they can be read and tested headless.
QT_FREE_UI_MODULES = ("sec_desktop.ui.picker.text",)


def core_modules() -> list[str]:
    names = [
        info.name
        for info in pkgutil.walk_packages(sec_desktop.__path__, prefix="sec_desktop.")
        if not info.name.startswith(QT_ALLOWED_PREFIXES) or info.name in QT_FREE_UI_MODULES
    ]
    return sorted(names)


def test_core_modules_cover_the_core() -> None:
    modules = core_modules()
    for expected in (
        "sec_desktop.framework.model",
        "sec_desktop.store.store",
        "sec_desktop.cli.main",
        *QT_FREE_UI_MODULES,
    ):
        assert expected in modules


def test_core_modules_do_not_import_qt() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in core_modules())
        + "from sec_desktop.cli.main import build_parser\n"
        "build_parser()\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'PyQt5', 'PyQt6', 'shiboken6'))\n"
        "print(','.join(qt))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
