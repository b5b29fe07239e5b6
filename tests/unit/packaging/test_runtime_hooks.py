"""The bundle's start-up hooks: PyInstaller's PySide6 hook is replaced by one that loads no
Qt until the app imports QtCore, so a command-line command starts without Qt."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.helpers.scripts import ROOT, load_module

bundle_layout = load_module("packaging/bundle_layout.py", "bundle_layout_hooks_under_test")
HOOKS = ROOT / "packaging" / "runtime_hooks"

# Run in a child: the hook changes sys.meta_path and the environment of the process it runs
# in. A stand-in _pyi_rth_utils (PyInstaller's module exists only inside a bundle) records
# the qt.conf check instead of doing it.
CHILD = textwrap.dedent(
    """
    import os, runpy, sys, types
    sys._MEIPASS = {meipass!r}
    utils = types.ModuleType("_pyi_rth_utils")
    utils.is_macos_app_bundle = False
    utils.prepend_path_to_environment_variable = lambda path, name: None
    qt = types.ModuleType("_pyi_rth_utils.qt")
    calls = []
    qt.create_embedded_qt_conf = lambda *args: calls.append(args)
    utils.qt = qt
    sys.modules.update({{"_pyi_rth_utils": utils, "_pyi_rth_utils.qt": qt}})
    runpy.run_path({hook!r})
    assert os.environ["QT_PLUGIN_PATH"] == os.path.join({meipass!r}, "PySide6/Qt/plugins")
    loaded = [name for name in sys.modules if name.startswith(("PySide6", "shiboken6"))]
    assert not loaded, loaded
    assert not calls
    from PySide6 import QtCore
    assert calls == [("PySide6", os.path.join({meipass!r}, "PySide6/Qt"))], calls
    assert QtCore.QPoint(1, 2).y() == 2
    # The finder has removed itself: other imports go by the usual finders alone.
    assert not any(type(f).__name__ == "_QtConfOnFirstImport" for f in sys.meta_path)
    print("ok")
    """
)


def test_dropped_hooks_are_pyinstallers_and_replacements_exist() -> None:
    assert "pyi_rth_pyside6" in bundle_layout.DROPPED_RUNTIME_HOOKS
    for name in bundle_layout.RUNTIME_HOOKS:
        assert (HOOKS / name).is_file(), name
    spec = (ROOT / "packaging" / "sec_desktop.spec").read_text(encoding="utf-8")
    assert "DROPPED_RUNTIME_HOOKS" in spec
    assert "runtime_hooks=" in spec


def test_pyside6_hook_loads_no_qt_until_qtcore_is_imported(tmp_path: Path) -> None:
    hook = HOOKS / "pyi_rth_pyside6_lazy.py"
    code = CHILD.format(meipass=str(tmp_path), hook=str(hook))
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


# A stand-in for PyInstaller's bootstrap module, whose finder sits in front of each folder.
FINDER_CHILD = textwrap.dedent(
    """
    import sys, runpy, types
    # Loaded before the stand-in finder goes in: running the hook needs them.
    import pkgutil, typing
    boot = types.ModuleType("pyimod02_importers")

    class PyiFrozenFinder:
        def __init__(self, path):
            self.path = path

        @classmethod
        def path_hook(cls, path):
            # Like PyInstaller's: only for folders in the bundle.
            if path != {folder!r}:
                raise ImportError(path)
            return cls(path)

        def find_spec(self, fullname, target=None):
            return None

    boot.PyiFrozenFinder = PyiFrozenFinder
    boot.pyz_archive = types.SimpleNamespace(toc={toc!r})
    sys.modules["pyimod02_importers"] = boot
    sys.path_hooks.insert(0, PyiFrozenFinder.path_hook)
    sys.path.insert(0, {folder!r})
    sys.path_importer_cache[{folder!r}] = PyiFrozenFinder({folder!r})
    runpy.run_path({hook!r})
    kept = PyiFrozenFinder.path_hook in sys.path_hooks
    cached = type(sys.path_importer_cache.get({folder!r})).__name__
    try:
        import bundled_module
        found = bundled_module.VALUE
    except ImportError:
        found = None
    print(kept, cached, found)
    """
)


def _run_finder_hook(tmp_path: Path, toc: dict[str, object]) -> str:
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "bundled_module.py").write_text("VALUE = 42\n", encoding="utf-8")
    code = FINDER_CHILD.format(
        toc=toc, folder=str(folder), hook=str(HOOKS / "pyi_rth_plain_finder.py")
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_empty_archive_imports_through_pythons_own_finder(tmp_path: Path) -> None:
    # The stand-in finder finds nothing: the module is found only once it is out of the way.
    assert _run_finder_hook(tmp_path, {}) == "False NoneType 42"


def test_finder_stays_when_the_archive_holds_modules(tmp_path: Path) -> None:
    assert _run_finder_hook(tmp_path, {"bundled_module": (0, 0, 0)}) == "True PyiFrozenFinder None"
