"""The review window: figures against plan and band, away time first, the reflection saved
and read back (sealed when notes are encrypted, never written plain then), past weeks, and
light and dark screenshots."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication

from sec_desktop.analytics.targets import Plans, Quarter, QuarterPlan
from sec_desktop.framework import load_framework
from sec_desktop.privacy.reflections import reflection_path, save_reflection
from sec_desktop.store import EntryStore
from sec_desktop.store.notes_crypto import NoteCipher, write_marker
from sec_desktop.ui.dashboard.theme import dark_palette
from sec_desktop.ui.review import ReviewSources, ReviewWindow
from tests.helpers.entries import make_entry
from tests.helpers.ids import OKR
from tests.unit.analytics.test_review import weeks_of

FW = load_framework()
BERLIN = ZoneInfo("Europe/Berlin")
WEEK = date(2026, 11, 30)
NOW = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
DEVICE = "laptop"
AWAY = [(datetime(2026, 12, 2, 11, tzinfo=UTC), datetime(2026, 12, 2, 12, 10, tzinfo=UTC))]


class Setup:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.store = EntryStore(data_dir, DEVICE, clock=lambda: NOW)
        self.store.add_many(weeks_of([0.24, 0.21, 0.12, 0.11, 0.09, 0.10]))
        self.cipher: NoteCipher | None = None
        self.away = list(AWAY)
        self.plans = Plans([QuarterPlan(Quarter.of(WEEK), {"strategy": 0.3, "execution": 0.5})])

    def sources(self) -> ReviewSources:
        return ReviewSources(
            framework=FW,
            store=self.store,
            data_dir=self.data_dir,
            device=DEVICE,
            tz=BERLIN,
            now=lambda: NOW,
            profile=lambda: FW.profiles["default"],
            plans=lambda: self.plans,
            cipher=lambda: self.cipher,
            unanswered_away=lambda: self.away,
        )


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    made = Setup(tmp_path / "data")
    yield made
    made.store.close()


@pytest.fixture
def window(qtbot, setup: Setup) -> ReviewWindow:
    shown = ReviewWindow(setup.sources(), WEEK)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def row(window: ReviewWindow, label: str) -> list[str]:
    return next(r for r in window.table_text() if r[0] == label)


def test_figures_against_plan_band_and_last_week(window: ReviewWindow) -> None:
    assert row(window, "Strategy") == [
        "Strategy", "10.0%", "30.0%", "20\u201335%", "below by 10.0 pts",
        "below plan by 20.0 pts", "+1.0 pts",
    ]  # fmt: skip
    assert row(window, "Security & Compliance")[1:5] == ["20.0%", "\u2014", "15\u201325%", "within"]
    assert window.title.text().startswith("Week 49: Mon 30 Nov")
    assert "40 h" in window.summary.text()
    alerts = window.alerts.text()
    assert "Strategy under its band 4 weeks running, and under your plan" in alerts
    assert "Strategy falling" in window.insights.text()


def test_away_time_is_listed_first_and_answered_from_the_button(
    qtbot, window: ReviewWindow
) -> None:
    assert window.away_box.isVisible()
    assert "1 away span not yet answered (Wed 02 Dec 12:00\u201313:10)" in window.away_text.text()
    with qtbot.waitSignal(window.answerAwayRequested, timeout=1000):
        qtbot.keyClick(window, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)


def test_no_away_box_when_all_answered(qtbot, setup: Setup) -> None:
    setup.away = []
    shown = ReviewWindow(setup.sources(), WEEK)
    qtbot.addWidget(shown)
    shown.show()
    assert not shown.away_box.isVisible()


def test_reflection_saved_with_ctrl_s_and_read_back(
    qtbot, setup: Setup, window: ReviewWindow
) -> None:
    window.reflection.setFocus()
    qtbot.keyClicks(window.reflection, "Block Thursday mornings.")
    assert window.save_button.isEnabled()
    qtbot.keyClick(window.reflection, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    path = reflection_path(setup.data_dir, DEVICE, WEEK)
    assert b"Block Thursday mornings." in path.read_bytes()
    assert window.save_status.text() == "Saved."
    again = ReviewWindow(setup.sources(), WEEK)
    qtbot.addWidget(again)
    assert again.reflection.toPlainText() == "Block Thursday mornings."
    assert again.save_status.text().startswith("Saved Mon 07 Dec")
    assert again.listed_weeks()[0] == WEEK


def test_encrypted_reflection_is_never_written_plain(
    qtbot, setup: Setup, window: ReviewWindow
) -> None:
    write_marker(setup.data_dir, enabled=True, key_id="k1", device=DEVICE, now=NOW)
    window.reflection.setPlainText("Secret board worries.")
    # No key at hand: not saved, nothing written, and closing keeps the window and the text.
    assert not window.save_reflection()
    assert "never written unencrypted" in window.save_status.text()
    assert not reflection_path(setup.data_dir, DEVICE, WEEK).exists()
    window.close()
    assert window.isVisible()
    assert window.reflection.toPlainText() == "Secret board worries."
    # The key arrives: saved sealed, and read back with it.
    setup.cipher = NoteCipher(os.urandom(32), "k1")
    assert window.save_reflection()
    raw = reflection_path(setup.data_dir, DEVICE, WEEK).read_bytes()
    assert b"Secret" not in raw and b"text_encrypted" in raw
    assert window.save_status.text() == "Saved (encrypted)."
    again = ReviewWindow(setup.sources(), WEEK)
    qtbot.addWidget(again)
    assert again.reflection.toPlainText() == "Secret board worries."
    # Without the key it can't be shown, and it is not offered for editing.
    setup.cipher = None
    locked = ReviewWindow(setup.sources(), WEEK)
    qtbot.addWidget(locked)
    assert locked.reflection.isReadOnly() and locked.reflection.toPlainText() == ""
    assert "can't be shown" in locked.save_status.text()


def test_past_weeks_recomputed_with_their_reflection(
    qtbot, setup: Setup, window: ReviewWindow
) -> None:
    older = WEEK - timedelta(weeks=4)
    save_reflection(setup.data_dir, "desk", older, "From the desk.", None, now=NOW)
    save_reflection(setup.data_dir, DEVICE, older, "Strategy was fine then.", None, now=NOW)
    window.reflection.setPlainText("Typed, not yet saved.")
    qtbot.waitUntil(lambda: window.weeks.count() > 4)
    window.weeks.setCurrentRow(window.listed_weeks().index(older))
    # Moving to another week kept what was typed.
    assert b"Typed, not yet saved." in reflection_path(setup.data_dir, DEVICE, WEEK).read_bytes()
    assert window.week == older
    assert row(window, "Strategy")[1] == "21.0%"  # that week's own share, recomputed
    assert row(window, "Strategy")[6] == "\u22123.0 pts"
    assert window.reflection.toPlainText() == "Strategy was fine then."
    assert window.other_reflections.text() == "From desk: From the desk."


def test_every_control_is_named_and_labels_read_as_their_text(window: ReviewWindow) -> None:
    for control in (
        window.weeks,
        window.table,
        window.reflection,
        window.save_button,
        window.answer_away,
    ):
        assert control.accessibleName(), control.objectName()
    for label in (window.alerts, window.insights, window.away_text, window.summary):
        spoken = QAccessible.queryAccessibleInterface(label)
        assert spoken is not None
        assert spoken.text(QAccessible.Text.Name) == label.text(), label.objectName()
        assert label.accessibleDescription(), label.objectName()


def test_save_outcome_is_announced(
    qtbot, setup: Setup, window: ReviewWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sec_desktop.ui import accessibility

    spoken: list[str] = []
    monkeypatch.setattr(accessibility, "post", lambda event: spoken.append(event.message()))
    write_marker(setup.data_dir, enabled=True, key_id="k1", device=DEVICE, now=NOW)
    window.reflection.setPlainText("Kept private")
    window.save_reflection()
    assert spoken and spoken[-1].startswith("Not saved: notes in this data folder are encrypted")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshot(qtbot, setup: Setup, tmp_path: Path, theme: str) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.palette()
    if theme == "dark":
        app.setPalette(dark_palette())
    try:
        shown = ReviewWindow(setup.sources(), WEEK)
        qtbot.addWidget(shown)
        # The size it opens at on a 1280x800 screen (the offscreen screen is smaller).
        shown.resize(1060, 740)
        shown.show()
        qtbot.waitExposed(shown)
        out = Path(os.environ.get("SEC_REVIEW_SHOTS", tmp_path)) / f"review-{theme}.png"
        assert shown.grab().save(str(out))
        # The whole table and the save button show without scrolling at that size.
        for widget in (shown.table, shown.save_button):
            assert widget.visibleRegion().boundingRect() == widget.rect(), widget.objectName()
    finally:
        app.setPalette(before)


def test_answered_away_time_updates_the_figures_and_keeps_the_typing(
    qtbot, setup: Setup, window: ReviewWindow
) -> None:
    window.reflection.setPlainText("Half a thought")
    before = row(window, "Strategy")[1]
    # The away span is answered as Strategy work: an entry now covers it.
    start, end = AWAY[0]
    setup.store.add(make_entry(start, (end - start).total_seconds() / 60, OKR))
    setup.away = []
    window.refresh_away()
    assert not window.away_box.isVisible()
    assert row(window, "Strategy")[1] != before
    assert window.reflection.toPlainText() == "Half a thought"


def test_escape_closes_and_keeps_what_was_typed(qtbot, setup: Setup, window: ReviewWindow) -> None:
    window.reflection.setFocus()
    qtbot.keyClicks(window.reflection, "Quick note")
    qtbot.keyClick(window.reflection, Qt.Key.Key_Escape)
    assert not window.isVisible()
    assert b"Quick note" in reflection_path(setup.data_dir, DEVICE, WEEK).read_bytes()


def test_the_keyboard_reaches_every_part(qtbot, window: ReviewWindow) -> None:
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(window.weeks.hasFocus, timeout=1000)
    qtbot.keyClick(window.weeks, Qt.Key.Key_Down)
    assert window.week == WEEK - timedelta(weeks=1)
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(window.reflection.hasFocus, timeout=1000)


def test_a_narrow_window_scrolls_the_table_sideways_and_hides_no_row(
    qtbot, window: ReviewWindow
) -> None:
    table = window.table
    rows = sum(table.rowHeight(i) for i in range(table.rowCount()))
    window.resize(1060, 740)
    qtbot.waitUntil(lambda: not table.horizontalScrollBar().isVisible(), timeout=2000)
    wide = table.height()
    window.resize(640, 600)
    qtbot.waitUntil(lambda: table.horizontalScrollBar().isVisible(), timeout=2000)
    bar = table.horizontalScrollBar().height()
    assert table.height() == wide + table.horizontalScrollBar().sizeHint().height()
    assert table.viewport().height() >= rows  # every row above the scroll bar
    assert bar > 0
    # The names column keeps its text whole: as wide as its longest name.
    assert table.columnWidth(0) >= table.sizeHintForColumn(0)


def test_going_to_another_week_keeps_what_was_typed(setup: Setup, window: ReviewWindow) -> None:
    window.reflection.setPlainText("Not yet saved")
    older = WEEK - timedelta(weeks=2)
    assert window.go_to(older)
    assert window.week == older
    current = window.weeks.currentItem()
    assert current is not None and current.data(Qt.ItemDataRole.UserRole) == older
    assert b"Not yet saved" in reflection_path(setup.data_dir, DEVICE, WEEK).read_bytes()
    # When it can't be saved, the week stays, and so does the text.
    write_marker(setup.data_dir, enabled=True, key_id="k1", device=DEVICE, now=NOW)
    window.reflection.setPlainText("Private")
    assert not window.go_to(WEEK)
    assert window.week == older and window.reflection.toPlainText() == "Private"
