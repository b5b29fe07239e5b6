"""An "&" in a framework label ("Security & Compliance") shows as "&" wherever the label is
the text of a button, a menu action or a buddy label, never as a shortcut underline.

Qt's own mnemonic stripping (QAction.iconText) gives the text a user sees.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QLabel

from sec_desktop.settings import defaults
from sec_desktop.store import EntryStore
from sec_desktop.ui.app import SecDesktopApp
from sec_desktop.ui.dialogs.customize import CustomizeDialog
from sec_desktop.ui.widgets import literal
from tests.helpers.clocks import FakeClock
from tests.helpers.ids import SECURITY
from tests.ui.test_app import start_app

LABEL = "Security & Compliance"


def seen(text: str) -> str:
    """The text as Qt draws it on a button, an action or a label with a buddy."""
    return QAction(text).iconText()


def test_literal_survives_qt_mnemonics(qapp: object) -> None:
    assert seen(literal(LABEL)) == LABEL
    assert seen(LABEL) != LABEL  # what the defect showed ("Security _Compliance")


def test_add_activity_names_the_focus_area_with_its_ampersand(
    qtbot, isolated_dirs: dict[str, Path]
) -> None:
    store = EntryStore(isolated_dirs["data"], "laptop", clock=lambda: datetime.now(UTC))
    dialog = CustomizeDialog(isolated_dirs["data"], store, defaults(), isolated_dirs["config"])
    dialog.show()
    qtbot.waitExposed(dialog)
    try:
        dialog.select(SECURITY)
        dialog.add_button.click()
        (asked,) = dialog.findChildren(QInputDialog)
        labels = [label for label in asked.findChildren(QLabel) if label.buddy() is not None]
        assert [seen(label.text()) for label in labels] == [f"New activity in {LABEL}:"]
        asked.reject()
    finally:
        if shiboken6.isValid(dialog):
            dialog.close()


@pytest.fixture
def app(qtbot, isolated_dirs: dict[str, Path]) -> Iterator[SecDesktopApp]:
    application = start_app(isolated_dirs, FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC)))
    yield application
    application.shutdown()


def test_the_tray_menu_shows_a_timer_on_security_and_compliance(app: SecDesktopApp) -> None:
    app.start_timer(SECURITY)
    app.tray.menu.aboutToShow.emit()
    texts = [action.iconText() for action in app.tray.menu.actions()]
    assert any(f"Stop timer ({LABEL})" == text for text in texts), texts
