"""The floor of the tray benchmark's memory: the least process that keeps a picker ready.

The app's own tray icon (ui/startup.py) and its picker, built over the shipped framework with
its search index, as the tray builds them ahead of the first prompt; nothing else (no store,
no reminders, no shortcut, no away monitor, no single-instance socket). Any design that
paints the picker within 50 ms of a prompt holds at least this much in some resident
process, so its memory beside the bare tray app's says what a memory target can ask of the
tray. Prints "ready" once the picker is built.
"""

from __future__ import annotations

import sys

# isort: off
# Before PySide6, as in the app: PySide6's import hook must not keep module sources.
from sec_desktop.ui import pyside_sources  # noqa: F401

# isort: on
from PySide6.QtCore import QTimer

from sec_desktop.ui.startup import application, show_icon_early


def main() -> int:
    app = application(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    shown = show_icon_early()
    held: list[object] = [shown]

    def build_picker() -> None:
        from sec_desktop.framework.loader import load_framework
        from sec_desktop.reminders.ranking import UsageRanking
        from sec_desktop.ui.picker.window import Picker

        framework = load_framework()
        ranking = UsageRanking(framework)
        _ = ranking.search  # built ahead, as the tray does for the first keystroke
        held.append(Picker(framework, ranking))
        print("ready" if shown is not None else "no tray", flush=True)

    QTimer.singleShot(0, build_picker)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
