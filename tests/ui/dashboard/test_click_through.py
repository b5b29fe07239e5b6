"""Every number leads to its entries: a domain bar, a focus-area's and an activity's bar, a
Breakdown row, an insight and a mindmap node each open the Entries tab filtered to the
entries behind the number, and those entries' time in the period adds up to the number.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QTreeWidgetItem, QTreeWidgetItemIterator

from sec_desktop.analytics import Period
from sec_desktop.analytics.allocation import Allocation
from sec_desktop.analytics.insights import insight_entries
from sec_desktop.analytics.trends import weekly_reports
from sec_desktop.framework import Framework
from sec_desktop.store import EntryStore
from sec_desktop.ui.dashboard.entry_filter import under_node
from sec_desktop.ui.dashboard.window import DashboardWindow

from .conftest import NOW, TZ


@pytest.fixture
def window(make_window: Any, shown: Any, qtbot: Any) -> DashboardWindow:
    made: DashboardWindow = make_window()
    shown(made, lambda: made.set_period_kind("last-week"))
    made.show()
    qtbot.waitExposed(made)
    return made


def _row(rows: Sequence[Allocation], node_id: str) -> Allocation:
    return next(r for r in rows if r.id == node_id)


def _check_entries_behind(window: DashboardWindow, node_id: str, seconds: float) -> None:
    """The Entries tab shows exactly the period's entries on the node, adding up to `seconds`."""
    tab = window.entries
    assert window.tabs.currentWidget() is tab
    assert tab.entry_filter.node_id == node_id
    assert tab.clear_button.isEnabled()
    expected = {
        e.id for e in window.view.entries if under_node(e.activity, node_id, window.framework)
    }
    assert expected
    assert {e.id for e in tab.shown_entries()} == expected
    assert round(tab.counted_seconds() / 60) == round(seconds / 60)
    assert abs(tab.counted_seconds() - seconds) < 1e-6
    assert f"{len(expected)} of" in tab.shown_label.text()


def _click_bar(qtbot: Any, chart: Any, index: int) -> None:
    chart.repaint()
    assert len(chart.row_rects) == len(chart.rows) > index
    centre = chart.row_rects[index].center().toPoint()
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(centre.x(), centre.y()))


def test_a_domain_bar_opens_its_entries_by_click_and_by_enter(
    window: DashboardWindow, qtbot: Any, artifacts_dir: Path
) -> None:
    chart = window.allocation.domain_chart
    domains = window.view.data.report.domains
    _click_bar(qtbot, chart, 1)
    _check_entries_behind(window, domains[1].id, domains[1].seconds)
    assert window.grab().save(str(artifacts_dir / "entries-after-domain-click.png"))

    window.entries.clear_filter()
    assert len(window.entries.shown_entries()) == len(window.view.entries)
    window.tabs.setCurrentIndex(0)
    chart.setFocus()
    qtbot.keyClick(chart, Qt.Key.Key_Down)  # from the first row to the second
    qtbot.keyClick(chart, Qt.Key.Key_Down)
    qtbot.keyClick(chart, Qt.Key.Key_Return)
    _check_entries_behind(window, domains[2].id, domains[2].seconds)


def test_a_focus_area_and_its_activities_open_their_entries(
    window: DashboardWindow, qtbot: Any
) -> None:
    report = window.view.data.report
    focus = max(report.focus_areas, key=lambda a: a.seconds)
    chart = window.allocation.focus_chart
    index = [row.key for row in chart.rows].index(focus.id)
    _click_bar(qtbot, chart, index)  # drills into the focus area's activities
    assert [row.key for row in chart.rows] == [n.id for n in window.framework.children(focus.id)]
    window.allocation.focus_entries.click()
    _check_entries_behind(window, focus.id, focus.seconds)

    window.tabs.setCurrentIndex(0)
    keys = [row.key for row in chart.rows]
    busiest = max((a for a in report.activities if a.id in keys), key=lambda a: a.seconds)
    _click_bar(qtbot, chart, keys.index(busiest.id))
    _check_entries_behind(window, busiest.id, busiest.seconds)


def _tree_item(window: DashboardWindow, node_id: str) -> QTreeWidgetItem:
    found = QTreeWidgetItemIterator(window.breakdown)
    while found.value() is not None:
        item = found.value()
        if item.data(0, Qt.ItemDataRole.UserRole) == node_id:
            return item
        found += 1
    raise AssertionError(f"{node_id} is not in the breakdown")


def test_a_breakdown_row_opens_its_entries_on_enter(window: DashboardWindow, qtbot: Any) -> None:
    report = window.view.data.report
    window.tabs.setCurrentWidget(window.breakdown)
    for allocation in (report.activities[0], report.focus_areas[3]):
        window.tabs.setCurrentWidget(window.breakdown)
        tree = window.breakdown
        tree.setFocus()
        tree.setCurrentItem(_tree_item(window, allocation.id))
        qtbot.keyClick(tree, Qt.Key.Key_Return)
        _check_entries_behind(window, allocation.id, allocation.seconds)


def test_an_insight_opens_the_entries_it_is_about(
    window: DashboardWindow, filled_store: EntryStore, framework: Framework
) -> None:
    found = window.summary.insights
    insight = next(i for i in found if i.kind != "no_time")
    window.summary.insights_label.linkActivated.emit(str(found.index(insight)))
    tab = window.entries
    assert window.tabs.currentWidget() is tab
    assert insight.text in tab.shown_label.text()

    # The number the insight reads: the node's time in each of its weeks.
    span = (insight.spans[0][0], insight.spans[-1][1])
    loaded = filled_store.entries(*span)
    periods = [Period(week, week + timedelta(days=6), TZ) for week in insight.weeks]
    assert [(p.start, p.end) for p in periods] == list(insight.spans)
    reports = weekly_reports(loaded, framework, periods)
    seconds = sum(_row([*r.domains, *r.focus_areas], insight.node_id).seconds for r in reports)
    assert seconds > 0
    assert abs(tab.counted_seconds() - seconds) < 1e-6
    behind = insight_entries(insight, loaded, framework)
    assert {e.id for e in tab.shown_entries()} == {e.id for e in behind}


def test_a_mindmap_node_opens_its_entries_in_the_dashboard(
    window: DashboardWindow,
    filled_store: EntryStore,
    framework: Framework,
    shown: Any,
    qtbot: Any,
) -> None:
    from sec_desktop.ui.mindmap.window import MindmapWidget

    mindmap = MindmapWidget(framework, filled_store, TZ, now=lambda: NOW, period_kind="month")
    qtbot.addWidget(mindmap)
    mindmap.entriesRequested.connect(window.show_entries_in)
    assert mindmap.report is not None
    focus = max(mindmap.report.focus_areas, key=lambda a: a.seconds)
    mindmap.show_entries(focus.id)
    assert mindmap.period != window.period
    shown(window, mindmap.panel_table_button.click)
    assert window.period == mindmap.period
    _check_entries_behind(window, focus.id, focus.seconds)
    assert {e.id for e in window.entries.shown_entries()} == set(mindmap.shown_entry_ids())

    activity = mindmap.report.activities[0]
    mindmap.view.menu_for(activity.id).actions()[2].trigger()
    _check_entries_behind(window, activity.id, activity.seconds)


def test_a_top_activity_opens_its_entries(window: DashboardWindow) -> None:
    top = window.view.data.top_activities
    name, _time, _share = window.summary.top_rows[1]
    assert top[1].label in name.text()
    name.linkActivated.emit(top[1].id)
    _check_entries_behind(window, top[1].id, top[1].seconds)


def test_a_focus_area_bar_opens_its_entries_from_its_context_menu(
    window: DashboardWindow, qtbot: Any
) -> None:
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication

    report = window.view.data.report
    chart = window.allocation.focus_chart
    focus = report.focus_areas[5]
    index = [row.key for row in chart.rows].index(focus.id)
    chart.repaint()
    spot = chart.row_rects[index].center().toPoint()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, spot, chart.mapToGlobal(spot))
    QApplication.sendEvent(chart, event)
    menu = chart.last_menu
    assert menu is not None
    (show,) = menu.actions()
    assert show.iconText() == f"Show the entries of {focus.label}"
    show.trigger()
    menu.close()
    _check_entries_behind(window, focus.id, focus.seconds)
    assert [row.key for row in chart.rows] == [a.id for a in report.focus_areas]  # not opened

    # The menu key on the current row does the same.
    window.tabs.setCurrentIndex(0)
    chart.setFocus()
    qtbot.keyClick(chart, Qt.Key.Key_Down)  # the second row
    keyed = QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, QPoint(0, 0), QPoint(0, 0))
    QApplication.sendEvent(chart, keyed)
    assert chart.last_menu is not None and chart.last_menu is not menu
    chart.last_menu.actions()[0].trigger()
    chart.last_menu.close()
    second = report.focus_areas[1]
    _check_entries_behind(window, second.id, second.seconds)
