"""What goes into the frozen bundle: shared by the PyInstaller spec, the build script, the
benchmark and the tests that check a built bundle. Plain Python; no PyInstaller needed."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

# The executable's name inside the bundle folder, and the launcher's name on PATH.
FROZEN_NAME = "sec-desktop"

# The Qt modules the app imports (tests/packaging checks the package against this list).
QT_MODULES_USED = ("QtCore", "QtGui", "QtWidgets", "QtSvg", "QtNetwork", "QtDBus")

# Python packages a build environment has but the app never imports at run time.
EXCLUDED_MODULES = (
    "tkinter",
    "unittest",
    "pydoc",
    "doctest",
    "lib2to3",
    "pip",
    "setuptools",
    "pkg_resources",
    "pytest",
    "hypothesis",
    "numpy",
    "PIL",
    "sqlite3",
    # Never used; left in, PyInstaller would add a start-up hook that imports it (~10 ms).
    "multiprocessing",
    # Reachable from dependencies' optional code paths, never from the app's.
    "requests",
    "urllib3",
    "certifi",
    "charset_normalizer",
)

# PyInstaller's run-time hooks that the spec leaves out: each runs at every start, before a
# command parses its arguments, and does work no module in the bundle needs.
DROPPED_RUNTIME_HOOKS = (
    # Imports PySide6.QtCore (Qt and ICU, ~70 ms) at every start to check for an embedded
    # qt.conf; packaging/runtime_hooks/pyi_rth_pyside6_lazy.py does it when QtCore loads.
    "pyi_rth_pyside6",
    # Serve inspect.getsource and pkgutil.iter_modules on modules in PyInstaller's archive;
    # the bundle has no archive (noarchive) and none of its modules calls either, yet they
    # import inspect, zipfile and pkgutil at start.
    "pyi_rth_inspect",
    "pyi_rth_pkgutil",
)
# The bundle's own start-up hooks, from packaging/runtime_hooks, run in this order: the
# first makes every later import cheaper.
RUNTIME_HOOKS = ("pyi_rth_plain_finder.py", "pyi_rth_pyside6_lazy.py")

# Qt libraries and plugins the app never loads, matched against a bundle-relative path on
# every OS ("Qt6Pdf" covers libQt6Pdf.so.6, Qt6Pdf.dll and QtPdf.framework alike).
_UNWANTED_QT = re.compile(
    "|".join(
        (
            r"Qt6?(Qml|Quick|Pdf|VirtualKeyboard|Multimedia|WebEngine|WebChannel|Positioning)",
            r"Qt6?(3D|Charts|DataVisualization|Graphs|Sensors|SerialPort|Bluetooth|Nfc|Sql)",
            r"Qt6?(Designer|Help|UiTools|Location|RemoteObjects|Scxml|StateMachine|Test)",
            r"Qt6?(TextToSpeech|ShaderTools|SpatialAudio|WebSockets|HttpServer|NetworkAuth)",
            r"Qt6?(Concurrent|Xml|CanvasPainter|OpenGLWidgets|PrintSupport|SvgWidgets)",
            r"Qt6?(EglFSDeviceIntegration|EglFsKmsSupport|WlShellIntegration)",
            # Plugin families for features the app doesn't have: it makes no network
            # requests (tls, networkinformation), draws with the raster engine (GL
            # integrations) and reads only PNG, SVG and ICO images.
            r"/plugins/(tls|networkinformation|xcbglintegrations|egldeviceintegrations)/",
            r"/plugins/wayland-graphics-integration-client/",
            r"/plugins/wayland-shell-integration/(?!libxdg-shell)",
            r"/plugins/imageformats/(?!(lib)?q(svg|ico)\b)",
            r"/plugins/platforms/(lib)?q(eglfs|linuxfb|minimalegl|vkkhrdisplay|vnc)\b",
            r"/plugins/platforminputcontexts/(lib)?qtvirtualkeyboard",
            # GTK's theme plugin pulls in GTK 3, cairo and pango (30 MB); the portal theme
            # still gives native file dialogs on GNOME and KDE.
            r"/plugins/platformthemes/(lib)?qgtk3",
            # Windows: Mesa's software OpenGL (20 MB), loaded only for OpenGL without a driver.
            r"opengl32sw\.dll",
        )
    )
)

# Linux: libraries the bundle carries even though the build machine has them, because a
# user's distribution may have another version (or none): the Python runtime's own.
_LINUX_BUNDLED = re.compile(r"lib(python3\.\d+|ssl|crypto|ffi|lzma|uuid|mpdec|zstd|sqlite3)\.so")


def is_unwanted(bundle_path: str) -> bool:
    """True for a Qt library or plugin the app never loads."""
    return bool(_UNWANTED_QT.search("/" + bundle_path.replace("\\", "/")))


def is_system_library(source: str) -> bool:
    """Linux: True for a library PyInstaller found in the system's folders, which the .deb
    takes from Debian instead (its Depends list is computed from them). The desktop stack
    (X11, xcb, fontconfig, GLib, D-Bus, libstdc++) must match the running session, and a
    private copy is what breaks frozen Qt apps on newer distributions."""
    path = source.replace("\\", "/")
    if not path.startswith(("/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/")):
        return False
    if "/site-packages/" in path or "/dist-packages/" in path:
        return False
    return not _LINUX_BUNDLED.search(Path(path).name)


def excluded_qt_modules() -> list[str]:
    """Every PySide6 binding module the app doesn't import, for the spec's `excludes`."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or spec.origin is None:
        return []
    folder = Path(spec.origin).parent
    # Binding modules are extension files (QtCore.abi3.so, QtCore.pyd) or packages
    # (QtAsyncio); the Qt/ folder beside them holds the C++ libraries, not a module.
    names = {
        path.name.split(".")[0]
        for path in folder.iterdir()
        if path.name.startswith("Qt")
        and (path.suffix in (".so", ".pyd") or (path / "__init__.py").is_file())
    }
    return sorted(f"PySide6.{name}" for name in names - set(QT_MODULES_USED))
