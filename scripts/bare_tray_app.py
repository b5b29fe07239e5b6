"""The baseline of the tray benchmark: the least a PySide6 tray app can be.

QApplication + QSystemTrayIcon + QMenu, nothing else; prints "ready" when the icon is shown,
so launch-to-tray is measured the same way as for SEC Desktop.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon


def main() -> int:
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    pixmap = QPixmap(22, 22)
    pixmap.fill()
    menu = QMenu()
    menu.addAction("Quit", app.quit)
    icon = QSystemTrayIcon(QIcon(pixmap))
    icon.setContextMenu(menu)

    def show_when_ready() -> None:
        if QSystemTrayIcon.isSystemTrayAvailable():
            icon.show()
            print("ready", flush=True)
        else:
            QTimer.singleShot(100, show_when_ready)

    show_when_ready()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
