"""Another application's window for the end-to-end tests: a plain text box that writes what
it holds to a file on every change, so a test can tell which keys reached it.

Run as `python typing_target.py OUT_FILE`; the window is titled "Typing target".
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QPlainTextEdit

TITLE = "Typing target"


def main() -> int:
    out = Path(sys.argv[1])
    app = QApplication(sys.argv[:1])
    box = QPlainTextEdit()
    box.setWindowTitle(TITLE)
    box.setGeometry(40, 120, 600, 400)

    def save() -> None:
        partial = out.with_suffix(".tmp")
        partial.write_text(box.toPlainText(), encoding="utf-8")
        partial.replace(out)  # a reader never sees half a write

    box.textChanged.connect(save)
    save()
    box.show()
    box.activateWindow()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
