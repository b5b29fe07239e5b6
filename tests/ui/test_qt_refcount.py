"""A guard against a Qt binding that leaks references to None (PySide6 6.12.0 did, and on
Python 3.11 the app then aborts with "none_dealloc" after a day of prompts)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QWidget

CALLS = 2000


def test_void_qt_calls_keep_none_alive(qtbot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        widget.update()
    lost = before - sys.getrefcount(None)
    # Other threads may take or drop a few references meanwhile; a leak loses one per call.
    assert lost < CALLS // 10, f"{lost} references to None lost in {CALLS} Qt calls"
