"""What the frozen bundle keeps and drops: Qt libraries and plugins, system libraries, and the
Qt binding modules, checked against what the package really imports."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tests.helpers.scripts import ROOT, load_module


def load_bundle_layout() -> ModuleType:
    # packaging/ is a folder of build files, not a package: load the module from its path.
    return load_module("packaging/bundle_layout.py", "bundle_layout_under_test")


bundle_layout = load_bundle_layout()


@pytest.mark.parametrize(
    "path",
    [
        "PySide6/Qt/lib/libQt6Quick.so.6",
        "PySide6/Qt/lib/libQt6Qml.so.6",
        "PySide6/Qt/lib/libQt6Pdf.so.6",
        "PySide6/Qt/lib/libQt6WebEngineCore.so.6",
        "PySide6/Qt/plugins/imageformats/libqpdf.so",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "PySide6/Qt/plugins/tls/libqopensslbackend.so",
        "PySide6/Qt/plugins/platforms/libqeglfs.so",
        "PySide6/Qt/plugins/wayland-shell-integration/libivi-shell.so",
        "PySide6\\Qt6Pdf.dll",
        "PySide6\\plugins\\imageformats\\qjpeg.dll",
        "PySide6\\opengl32sw.dll",
        "PySide6/Qt/lib/QtQml.framework/Versions/A/QtQml",
    ],
)
def test_unwanted_qt_parts(path: str) -> None:
    assert bundle_layout.is_unwanted(path)


@pytest.mark.parametrize(
    "path",
    [
        "PySide6/Qt/lib/libQt6Core.so.6",
        "PySide6/Qt/lib/libQt6Gui.so.6",
        "PySide6/Qt/lib/libQt6Widgets.so.6",
        "PySide6/Qt/lib/libQt6Svg.so.6",
        "PySide6/Qt/lib/libQt6Network.so.6",
        "PySide6/Qt/lib/libQt6DBus.so.6",
        "PySide6/Qt/lib/libQt6XcbQpa.so.6",
        "PySide6/Qt/lib/libQt6WaylandClient.so.6",
        "PySide6/QtCore.abi3.so",
        "PySide6/QtSvg.abi3.so",
        "PySide6/Qt/plugins/imageformats/libqsvg.so",
        "PySide6/Qt/plugins/imageformats/libqico.so",
        "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6\\plugins\\platforms\\qwindows.dll",
        "PySide6\\plugins\\imageformats\\qsvg.dll",
        "PySide6/Qt/plugins/platforms/libqcocoa.dylib",
        "PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so",
        "PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so",
        "PySide6/Qt/lib/QtWidgets.framework/Versions/A/QtWidgets",
    ],
)
def test_wanted_qt_parts(path: str) -> None:
    assert not bundle_layout.is_unwanted(path)


@pytest.mark.parametrize(
    "source",
    [
        "/usr/lib/x86_64-linux-gnu/libX11.so.6",
        "/usr/lib/x86_64-linux-gnu/libxcb-cursor.so.0",
        "/usr/lib/x86_64-linux-gnu/libfontconfig.so.1",
        "/lib/x86_64-linux-gnu/libglib-2.0.so.0",
        "/usr/lib64/libstdc++.so.6",
    ],
)
def test_desktop_stack_comes_from_the_system(source: str) -> None:
    assert bundle_layout.is_system_library(source)


@pytest.mark.parametrize(
    "source",
    [
        # The Python runtime's own libraries travel with the bundle.
        "/usr/lib/x86_64-linux-gnu/libssl.so.3",
        "/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
        "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0",
        "/usr/lib/x86_64-linux-gnu/libffi.so.8",
        "/lib/x86_64-linux-gnu/liblzma.so.5",
        # Wheels' libraries and a Python built under a home folder are never the system's.
        "/usr/lib/python3/dist-packages/PySide6/Qt/lib/libQt6Core.so.6",
        "/usr/lib/python3.11/site-packages/cryptography/hazmat/bindings/_rust.abi3.so",
        "/work/main/.venv/lib/python3.11/site-packages/PySide6/Qt/lib/libQt6Gui.so.6",
        "/root/.pyenv/versions/3.11.7/lib/libpython3.11.so.1.0",
        "/home/builder/.pyenv/versions/3.11.7/lib/libX11.so.6",
    ],
)
def test_bundled_libraries(source: str) -> None:
    assert not bundle_layout.is_system_library(source)


def pyside_modules_imported(package: Path) -> set[str]:
    """Every `PySide6.<Module>` named by an import anywhere under `package`."""
    found: set[str] = set()
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module == "PySide6":  # from PySide6 import QtCore
                    names = [f"PySide6.{alias.name}" for alias in node.names]
                else:
                    names = [node.module]
            for name in names:
                top, _, rest = name.partition(".")
                if top == "PySide6" and rest:
                    found.add(rest.partition(".")[0])
    return found


def test_scanner_sees_each_import_form(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(
        "import PySide6.QtCore\nfrom PySide6 import QtGui\nfrom PySide6.QtSvg import X\n"
        "def f():\n    from PySide6.QtNetwork import Y\n",
        encoding="utf-8",
    )
    assert pyside_modules_imported(tmp_path) == {"QtCore", "QtGui", "QtSvg", "QtNetwork"}


def test_qt_modules_used_match_the_package_imports() -> None:
    imported = pyside_modules_imported(ROOT / "sec_desktop")
    assert imported == set(bundle_layout.QT_MODULES_USED), (
        "update QT_MODULES_USED in packaging/bundle_layout.py to the Qt modules the package "
        f"imports: {sorted(imported)}"
    )


def test_modules_used_are_never_unwanted() -> None:
    for module in bundle_layout.QT_MODULES_USED:
        name = module.removeprefix("Qt")
        for path in (
            f"PySide6/{module}.abi3.so",
            f"PySide6/Qt/lib/libQt6{name}.so.6",
            f"PySide6\\Qt6{name}.dll",
            f"PySide6/Qt/lib/{module}.framework/Versions/A/{module}",
        ):
            assert not bundle_layout.is_unwanted(path), path


def test_excluded_qt_modules() -> None:
    excluded = bundle_layout.excluded_qt_modules()
    assert excluded == sorted(excluded)
    assert excluded, "the installed PySide6 has binding modules the app doesn't use"
    for module in bundle_layout.QT_MODULES_USED:
        assert f"PySide6.{module}" not in excluded
    # Only those the installed PySide6 has: Essentials alone lacks the Addons modules.
    for module in ("QtQml", "QtQuick", "QtWebEngineCore", "QtPdf", "QtConcurrent", "QtXml"):
        name = f"PySide6.{module}"
        if importlib.util.find_spec(name) is not None:
            assert name in excluded
