"""Run-time hook for PySide6 that costs a command-line command nothing.

Replaces PyInstaller's own pyi_rth_pyside6 (the spec drops it): that hook imports
PySide6.QtCore at every start to check for an embedded qt.conf, which loads Qt and ICU
(about 70 ms) before `sec-desktop report` even parses its arguments. Here the Qt paths are
set in the environment at start, which is free, and the qt.conf check runs when the app
itself first imports QtCore: only the tray and the windows do.
"""

# ruff: noqa
# mypy: ignore-errors


def _pyi_rthook():
    import os
    import sys

    from _pyi_rth_utils import is_macos_app_bundle, prepend_path_to_environment_variable

    qt_path = os.path.join(sys._MEIPASS, "PySide6" if sys.platform == "win32" else "PySide6/Qt")
    os.environ["QT_PLUGIN_PATH"] = os.path.join(qt_path, "plugins")
    # No QML2_IMPORT_PATH: the bundle carries no Qt Quick (bundle_layout.py leaves it out).
    if sys.platform == "win32":
        # QtNetwork finds OpenSSL DLLs collected beside the bundle's other libraries.
        prepend_path_to_environment_variable(sys._MEIPASS, "PATH")
    elif sys.platform == "darwin" and not is_macos_app_bundle:
        prepend_path_to_environment_variable(sys._MEIPASS, "DYLD_LIBRARY_PATH")

    class _QtConfOnFirstImport:
        """Finds nothing itself; when PySide6.QtCore is first imported it lets the other
        finders load it, then embeds qt.conf if the wheel did not (PyInstaller's check)."""

        def find_spec(self, name, path=None, target=None):
            if name != "PySide6.QtCore":
                return None
            sys.meta_path.remove(self)
            for finder in sys.meta_path:
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    break
            else:
                return None
            load = spec.loader.exec_module

            def exec_module(module):
                load(module)
                from _pyi_rth_utils import qt

                qt.create_embedded_qt_conf("PySide6", qt_path)

            spec.loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, _QtConfOnFirstImport())


_pyi_rthook()
del _pyi_rthook
