"""What a screen reader finds in the dashboard: labels read as their text, no error read when
none is shown, changed texts announced only while shown, and one item per bar and per trend
point, reached with the keyboard and read with its numbers."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QAccessibleEvent
from PySide6.QtWidgets import QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from sec_desktop.analytics import PeriodError
from sec_desktop.analytics.text import pct
from sec_desktop.ui import accessibility
from sec_desktop.ui.accessibility import (
    AccessibleItem,
    expose_balloons_as_notifications,
    name_balloon_tip,
)


class Announced:
    """The announcements sent, as (object, text, assertive)."""

    def __init__(self) -> None:
        self.said: list[tuple[QWidget, str, bool]] = []

    def __call__(self, event: QAccessibleEvent) -> None:
        if isinstance(event, QAccessibleAnnouncementEvent):
            assertive = event.politeness() == QAccessible.AnnouncementPoliteness.Assertive
            self.said.append((event.object(), event.message(), assertive))

    def texts(self) -> list[str]:
        return [text for _, text, _ in self.said]


@pytest.fixture
def announced(monkeypatch: pytest.MonkeyPatch) -> Announced:
    made = Announced()
    monkeypatch.setattr(accessibility, "post", made)
    return made


def spoken_name(widget: QWidget) -> str:
    return QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Name)


def test_information_labels_are_read_as_their_text(make_window: Any, shown: Any) -> None:
    window = make_window()
    shown(window, lambda: window.set_period_kind("month"))
    summary = window.summary
    report = window.view.data.report
    headline = spoken_name(summary.summary_label)
    assert f"tracked in {report.entry_count} entries" in headline
    assert summary.summary_label.accessibleDescription() == "Tracked time"
    assert spoken_name(summary.coverage_label) == summary.coverage_label.text()
    assert "working time has entries" in spoken_name(summary.coverage_label)
    assert spoken_name(summary.insights_label) == summary.insights_label.text() != ""
    assert pct(window.view.data.coverage.share) in spoken_name(summary.coverage_share)
    assert spoken_name(summary.confidence_label) == summary.confidence_label.text() != ""
    assert spoken_name(window.entries.count) == window.entries.count.text() != ""
    assert spoken_name(window.period_bar.period_label) == window.period_bar.period_label.text()


def test_no_range_error_is_exposed_until_there_is_one(
    make_window: Any, shown: Any, announced: Announced
) -> None:
    window = make_window()
    window.show()
    error = window.period_bar.range_error
    assert not error.isVisibleTo(window)
    assert spoken_name(error) == ""
    with pytest.raises(PeriodError):
        window.set_custom_range(date(2026, 3, 10), date(2026, 3, 1))
    assert error.isVisibleTo(window)
    assert spoken_name(error) == error.text()
    assert (error, error.text(), True) in announced.said
    shown(window, lambda: window.set_period_kind("month"))
    assert not error.isVisibleTo(window)
    assert spoken_name(error) == ""


def test_changed_texts_are_announced_only_while_shown(
    qtbot: QtBot, make_window: Any, shown: Any, announced: Announced
) -> None:
    window = make_window()
    shown(window, lambda: window.set_period_kind("month"))
    assert announced.said == []  # a hidden window says nothing
    window.show()
    qtbot.waitExposed(window)
    shown(window, lambda: window.set_period_kind("year"))
    coverage = window.summary.coverage_label.text()
    assert coverage in announced.texts()
    count = len(announced.said)
    shown(window, lambda: window.shift_period(0))  # the same view again: nothing new to say
    assert len(announced.said) == count


def item_names(chart: QWidget) -> list[str]:
    items = [w for w in chart.children() if isinstance(w, AccessibleItem)]
    return [spoken_name(item) for item in items]


def test_each_bar_is_an_item_read_with_its_numbers(make_window: Any, shown: Any) -> None:
    window = make_window()
    shown(window, lambda: window.set_period_kind("month"))
    chart = window.allocation.domain_chart
    names = item_names(chart)
    assert len(names) == len(chart.rows) >= 3
    for name, row in zip(names, chart.rows, strict=True):
        assert name.startswith(f"{row.label} {pct(row.share)}")
        if row.band is not None:
            assert ", band " in name
        if row.verdict is not None:
            assert name.endswith(row.verdict.describe())
    iface = QAccessible.queryAccessibleInterface(chart)
    children = [iface.child(i).text(QAccessible.Text.Name) for i in range(iface.childCount())]
    assert children == names


def test_the_bars_are_reached_by_tab_and_walked_with_the_arrows(
    qtbot: QtBot, make_window: Any, shown: Any
) -> None:
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    shown(window, lambda: window.set_period_kind("month"))
    chart = window.allocation.domain_chart
    items = chart.items.items
    chart.setFocus(Qt.FocusReason.TabFocusReason)
    assert window.focusWidget() is items[0]
    qtbot.keyClick(items[0], Qt.Key.Key_Down)
    assert window.focusWidget() is items[1]
    qtbot.keyClick(items[1], Qt.Key.Key_Up)
    assert window.focusWidget() is items[0]
    # Tab leaves the chart in one step, and Shift+Tab comes back to the bar it left.
    qtbot.keyClick(items[1], Qt.Key.Key_Down)
    window.focusNextChild()
    assert window.focusWidget() not in items
    window.focusPreviousChild()
    assert window.focusWidget() is items[1]
    window.focusPreviousChild()
    assert window.focusWidget() not in items
    window.focusNextChild()
    assert window.focusWidget() is items[1]


def test_the_focus_area_chart_opens_the_bar_the_keyboard_is_on(
    qtbot: QtBot, make_window: Any, shown: Any
) -> None:
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    shown(window, lambda: window.set_period_kind("month"))
    chart = window.allocation.focus_chart
    chart.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Down)
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Down)
    picked = chart.rows[2].key  # the focus lands on the first bar; two moves down
    with qtbot.waitSignal(chart.rowActivated) as blocker:
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Return)
    assert blocker.args == [picked]


def test_each_trend_point_is_an_item_walked_by_week_and_domain(
    qtbot: QtBot, make_window: Any, shown: Any
) -> None:
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    shown(window, lambda: window.set_period_kind("month"))
    chart = window.allocation.trend_chart
    weeks, lines = chart.weeks, chart.lines
    names = item_names(chart)
    assert len(names) == len(weeks) * len(lines)
    first = lines[0].values[0]
    assert names[0].startswith(f"{lines[0].label}, week of {weeks[0].day} ")
    assert names[0].split(": ")[1].startswith(pct(first) if first is not None else "no tracked")
    items = chart.items.items
    chart.setFocus(Qt.FocusReason.TabFocusReason)
    assert window.focusWidget() is items[0]
    qtbot.keyClick(items[0], Qt.Key.Key_Right)
    assert window.focusWidget() is items[1]
    qtbot.keyClick(items[1], Qt.Key.Key_Down)
    assert window.focusWidget() is items[1 + len(weeks)]
    assert spoken_name(items[1 + len(weeks)]).startswith(lines[1].label)


class QBalloonTip(QWidget):
    """Stands in for Qt's own tray balloon: an icon, a title, a message and a close button."""

    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.ToolTip)
        style = self.style()
        self.icon = QLabel(self)
        self.icon.setPixmap(
            style.standardIcon(style.StandardPixmap.SP_MessageBoxWarning).pixmap(16)
        )
        self.title = QLabel("SEC Desktop", self)
        self.message = QLabel("Notes are not encrypted.", self)
        self.close_button = QPushButton(self)


def test_the_tray_balloon_is_a_named_notification_reported_as_shown(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    shows: list[QObject] = []

    def record(event: QAccessibleEvent) -> None:
        if event.type() == QAccessible.Event.ObjectShow:
            shows.append(event.object())

    monkeypatch.setattr(accessibility, "post", record)
    expose_balloons_as_notifications()
    balloon = QBalloonTip()
    qtbot.addWidget(balloon)
    balloon.show()
    assert name_balloon_tip("SEC Desktop icon") is balloon
    assert balloon.close_button.accessibleName() == "Close the notice"
    assert balloon.icon.accessibleName() == "SEC Desktop icon"
    iface = QAccessible.queryAccessibleInterface(balloon)
    assert iface.role() == QAccessible.Role.Notification
    assert iface.text(QAccessible.Text.Name) == "Notice"
    assert shows == [balloon]


def test_status_bar_messages_are_announced_while_shown(
    qtbot: QtBot, make_window: Any, announced: Announced
) -> None:
    window = make_window()
    window.statusBar().showMessage("Nothing to read yet.")
    assert "Nothing to read yet." not in announced.texts()  # the window is not shown
    window.show()
    qtbot.waitExposed(window)
    window.statusBar().showMessage("Saved the report to report.pdf.")
    assert announced.said[-1][1] == "Saved the report to report.pdf."
    assert announced.said[-1][0] is window.statusBar()
