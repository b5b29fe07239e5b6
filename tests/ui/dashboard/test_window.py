"""The dashboard shows what the core computes, and follows the period and profile pickers."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDialogButtonBox,
)

from sec_desktop.analytics import AllocationReport, Period, PeriodError, named_period
from sec_desktop.analytics.text import pct
from sec_desktop.cli.main import main as cli_main
from sec_desktop.framework import Framework
from sec_desktop.framework.custom_profile import CUSTOM_PROFILE_ID, load_custom_profile
from sec_desktop.ui.dashboard.charts import BarRow

from .conftest import NOW, TZ


def _rows_match(rows: list[BarRow], allocations: list[Any]) -> None:
    assert [r.key for r in rows] == [a.id for a in allocations]
    for row, allocation in zip(rows, allocations, strict=True):
        assert row.share == allocation.share
        assert row.band == allocation.band
        assert row.verdict == allocation.verdict


def _shows(window: Any, report: AllocationReport) -> None:
    _rows_match(window.allocation.domain_chart.rows, report.domains)
    _rows_match(window.allocation.focus_chart.rows, report.focus_areas)
    described = window.allocation.domain_chart.describe()
    for domain in report.domains:
        assert f"{domain.label} {pct(domain.share)}" in described
        assert domain.verdict is not None
        assert domain.verdict.describe() in described


def test_first_view_is_computed_before_the_window_shows(make_window: Any, expected: Any) -> None:
    window = make_window()
    assert window.view is not None
    assert window.period == named_period("week", date(2026, 3, 19), TZ)
    _shows(window, expected(window.period).report)


def test_month_shows_the_core_shares_and_verdicts(
    make_window: Any, shown: Any, expected: Any
) -> None:
    window = make_window()
    shown(window, lambda: window.set_period_kind("month"))
    assert window.period == Period(date(2026, 3, 1), date(2026, 3, 31), TZ)
    data = expected(window.period)
    assert data.report.total_seconds > 0
    _shows(window, data.report)
    assert window.view.data.report_json == data.report_json
    assert [w.week_start for w in data.trend] == window.allocation.trend_chart.weeks
    strategy = next(line for line in window.allocation.trend_chart.lines if line.key == "strategy")
    assert strategy.values == tuple(
        w.shares.get("strategy") if w.tracked_seconds > 0 else None for w in data.trend
    )
    assert pct(data.coverage.share) in window.summary.coverage_share.text()
    assert window.entries.model.rowCount() == data.report.entry_count


def test_the_cli_report_shows_the_same_numbers(
    make_window: Any, shown: Any, isolated_dirs: dict[str, Path]
) -> None:
    window = make_window()
    shown(window, lambda: window.set_period_kind("month"))
    out, err = io.StringIO(), io.StringIO()
    code = cli_main(
        [
            "--tz",
            TZ.key,
            "report",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
            "--format",
            "json",
        ],
        now=lambda: NOW,
        env=dict(os.environ),
        out=out,
        err=err,
    )
    assert code == 0, err.getvalue()
    cli_report = json.loads(out.getvalue())
    for key in ("domains", "focus_areas", "activities", "total_minutes", "entry_count"):
        assert cli_report[key] == window.view.data.report_json[key]


def test_previous_and_next_move_by_calendar_units(
    make_window: Any, shown: Any, expected: Any
) -> None:
    window = make_window()
    shown(window, lambda: window.set_period_kind("month"))
    shown(window, lambda: window.shift_period(-1))
    assert window.period == Period(date(2026, 2, 1), date(2026, 2, 28), TZ)
    assert window.period_bar.period_label.text() == "February 2026"
    _shows(window, expected(window.period).report)
    shown(window, window.period_bar.prev_button.click)
    assert window.period == Period(date(2026, 1, 1), date(2026, 1, 31), TZ)
    shown(window, window.period_bar.next_button.click)
    assert window.period.first == date(2026, 2, 1)

    shown(window, lambda: window.set_period_kind("quarter"))
    shown(window, lambda: window.shift_period(-1))
    assert window.period == Period(date(2025, 10, 1), date(2025, 12, 31), TZ)
    assert window.period_bar.period_label.text() == "Q4 2025"
    _shows(window, expected(window.period).report)


def test_weeks_step_through_this_week_last_week_and_earlier(
    make_window: Any, shown: Any, expected: Any
) -> None:
    window = make_window()
    assert window.kind == "this-week"
    shown(window, lambda: window.shift_period(-1))
    assert window.kind == "last-week"
    assert window.period_bar.kind_box.currentText() == "Last week"
    assert window.period == Period(date(2026, 3, 9), date(2026, 3, 15), TZ)
    _shows(window, expected(window.period).report)
    shown(window, lambda: window.shift_period(-1))
    assert window.kind == "week"
    assert window.period == Period(date(2026, 3, 2), date(2026, 3, 8), TZ)
    shown(window, lambda: window.shift_period(2))
    assert window.kind == "this-week"


def test_custom_range(make_window: Any, shown: Any, expected: Any) -> None:
    window = make_window()
    shown(window, lambda: window.set_custom_range(date(2026, 1, 5), date(2026, 2, 20)))
    assert window.kind == "custom"
    bar = window.period_bar
    assert bar.from_edit.isVisibleTo(window) and bar.to_edit.isVisibleTo(window)
    data = expected(window.period)
    _shows(window, data.report)
    # The trend shows twelve weeks, or every week of a longer range.
    assert len(window.allocation.trend_chart.weeks) == 12
    shown(window, lambda: window.shift_period(-1))
    assert window.period == Period(date(2025, 11, 19), date(2026, 1, 4), TZ)
    shown(window, lambda: window.set_custom_range(date(2025, 9, 1), date(2026, 3, 15)))
    assert len(window.allocation.trend_chart.weeks) == 28
    _shows(window, expected(window.period).report)


def test_an_empty_custom_range_is_refused_by_name(make_window: Any) -> None:
    window = make_window()
    before = window.period
    with pytest.raises(PeriodError):
        window.set_custom_range(date(2026, 3, 10), date(2026, 3, 1))
    assert window.period == before
    assert "To date" in window.period_bar.range_error.text()
    assert "2026-03-01" in window.period_bar.range_error.text()


def test_the_date_edits_set_a_custom_range(make_window: Any, shown: Any) -> None:
    window = make_window()
    kind_box = window.period_bar.kind_box
    shown(window, lambda: kind_box.activated.emit(kind_box.findData("custom")))
    assert window.period_bar.from_edit.isVisibleTo(window)
    shown(window, lambda: window.period_bar.from_edit.setDate(date(2026, 2, 2)))
    assert window.period.first == date(2026, 2, 2)
    assert window.period.last == date(2026, 3, 22)


def test_a_profile_change_updates_the_verdicts(make_window: Any, shown: Any, expected: Any) -> None:
    window = make_window()
    shown(window, lambda: window.set_period_kind("month"))
    default = expected(window.period, "default").report
    mature = expected(window.period, "mature").report
    # The test means something only if the two profiles judge this month differently.
    assert [d.verdict for d in default.domains] != [d.verdict for d in mature.domains]
    profile_box = window.profile_picker.profile_box
    shown(window, lambda: profile_box.activated.emit(profile_box.findData("mature")))
    assert window.profile_id == "mature"
    _shows(window, mature)
    assert "Growth stage" in window.summary.summary_label.text()
    shown(window, lambda: window.set_profile("default"))
    _shows(window, default)


def _accept(dialog: Any) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_custom_bands_are_validated_then_saved_and_shown(
    make_window: Any, shown: Any, framework: Framework, isolated_dirs: dict[str, Path]
) -> None:
    window = make_window()
    shown(window, lambda: window.set_period_kind("month"))
    dialog = window.open_band_editor()
    assert dialog.isVisible()

    dialog.set_band("strategy", 40.0, 30.0)
    _accept(dialog)
    assert dialog.isVisible()
    assert "Strategy" in dialog.error.text() and "above high" in dialog.error.text()

    dialog.set_band("strategy", 30.0, 120.0)
    _accept(dialog)
    assert dialog.isVisible()
    assert "Strategy" in dialog.error.text() and "0-100%" in dialog.error.text()
    assert load_custom_profile(isolated_dirs["data"], window.framework) is None
    assert window.profile_id == "default"

    dialog.set_band("strategy", 30.0, 45.0)
    dialog.set_band("culture.team-development", 5.0, 10.0)
    dialog.set_band("culture", None, None)
    accepted: list[int] = []
    dialog.finished.connect(accepted.append)
    shown(window, lambda: _accept(dialog))
    assert accepted == [1]
    assert load_custom_profile(isolated_dirs["data"], window.framework) is not None
    assert window.profile_id == CUSTOM_PROFILE_ID
    assert window.profile_picker.profile_box.currentData() == CUSTOM_PROFILE_ID
    bands = window.profile.bands
    assert (bands["strategy"].low, bands["strategy"].high) == (0.30, 0.45)
    assert "culture" not in bands
    rows = {row.key: row for row in window.allocation.domain_chart.rows}
    assert rows["strategy"].band == bands["strategy"]
    assert rows["culture"].band is None and rows["culture"].verdict is None
    focus = {row.key: row for row in window.allocation.focus_chart.rows}
    assert focus["culture.team-development"].verdict is not None

    # The editor opens on the saved bands the next time.
    again = window.open_band_editor()
    check, low, high = again.rows["strategy"]
    assert check.isChecked() and (low.value(), high.value()) == (30.0, 45.0)
    assert not again.rows["culture"][0].isChecked()
    again.reject()


def test_clicking_a_focus_area_drills_down_to_its_activities(
    make_window: Any, shown: Any, framework: Framework, qtbot: Any
) -> None:
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    shown(window, lambda: window.set_period_kind("month"))
    chart = window.allocation.focus_chart
    security = "execution.security-and-compliance"
    index = [r.key for r in chart.rows].index(security)
    chart.repaint()
    rect = chart._row_rects[index]  # noqa: SLF001 - where the row was painted
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(20, int(rect.center().y())))
    activities = [n.id for n in framework.children(security)]
    assert [r.key for r in chart.rows] == activities
    report = window.view.data.report
    shares = {a.id: a.share for a in report.activities}
    assert [r.share for r in chart.rows] == [shares.get(a, 0.0) for a in activities]
    assert "Security & Compliance" in window.allocation.focus_box.title().replace("&&", "&")
    window.allocation.focus_back.click()
    assert [r.key for r in chart.rows] == [a.id for a in report.focus_areas]

    # The keyboard does the same: arrows pick a row, Enter opens it.
    chart.setFocus()
    qtbot.keyClick(chart, Qt.Key.Key_Down)
    qtbot.keyClick(chart, Qt.Key.Key_Return)
    assert window.allocation.focus_back.isVisibleTo(window)


def test_every_control_has_an_accessible_name(make_window: Any) -> None:
    window = make_window()
    controls = (QAbstractButton, QComboBox, QAbstractSpinBox, QAbstractItemView)
    missing = [
        f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r}"
        for kind in controls
        for w in window.findChildren(kind)
        if w.isVisibleTo(window)
        and not w.accessibleName()
        # Qt's own parts of composite widgets (a tab bar's scroll arrows, a header's corner).
        and w.parent() is not None
        and not type(w.parent()).__name__.startswith(("QTabBar", "QTableView", "QTreeWidget"))
        and not w.objectName().startswith("qt_")
    ]
    assert missing == []
    charts = window.allocation
    for chart in (charts.domain_chart, charts.focus_chart, charts.trend_chart):
        assert chart.accessibleName()
        assert chart.accessibleDescription()


def test_a_store_problem_is_shown_in_the_status_bar(
    make_window: Any, shown: Any, isolated_dirs: dict[str, Path]
) -> None:
    broken = isolated_dirs["data"] / "entries" / "other-device" / "2026-03.json"
    broken.parent.mkdir(parents=True)
    broken.write_text("{not json")
    window = make_window()
    assert "other-device" in window.statusBar().currentMessage()


def test_a_newer_request_wins_over_a_long_computation(
    make_window: Any, qtbot: Any, expected: Any
) -> None:
    import gc

    window = make_window()
    window.set_period_kind("year")
    qtbot.waitUntil(lambda: window.loader.busy, timeout=10_000)
    assert not gc.isenabled()  # no collection may run in the worker thread
    window.set_period_kind("month")
    month = Period(date(2026, 3, 1), date(2026, 3, 31), TZ)
    qtbot.waitUntil(lambda: window.view.period == month and not window.loader.busy, timeout=20_000)
    _shows(window, expected(month).report)
    assert gc.isenabled()


def test_run_dashboard_app_opens_the_window_until_the_loop_ends(
    isolated_dirs: dict[str, Path], filled_store: Any
) -> None:
    # In a process of its own: once an application's exec() has returned, Qt stops firing
    # timers in that process, which would break every later test.
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from zoneinfo import ZoneInfo\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from sec_desktop.ui.dashboard import DashboardWindow, run_dashboard_app\n"
        "seen = []\n"
        "def look_then_quit():\n"
        "    app = QApplication.instance()\n"
        "    for w in app.topLevelWidgets():\n"
        "        if isinstance(w, DashboardWindow):\n"
        "            seen.append((w.isVisible(), len(w.allocation.domain_chart.rows)))\n"
        "    app.quit()\n"
        "QTimer.singleShot(0, look_then_quit)\n"
        "code = run_dashboard_app(Path(sys.argv[1]), Path(sys.argv[2]), ZoneInfo(sys.argv[3]))\n"
        "print(seen, code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(isolated_dirs["data"]), str(isolated_dirs["config"]),
         TZ.key],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[(True, 3)] 0"


def test_a_band_changed_on_another_device_while_the_editor_is_open_is_not_saved_over(
    make_window: Any,
    shown: Any,
    framework: Framework,
    isolated_dirs: dict[str, Path],
    artifacts_dir: Path,
) -> None:
    from sec_desktop.framework.custom_profile import make_custom_profile, save_custom_profile

    window = make_window()
    shown(window, lambda: window.set_period_kind("month"))
    dialog = window.open_band_editor()
    # Another device saves its strategy band while the editor is open.
    save_custom_profile(
        isolated_dirs["data"],
        make_custom_profile(framework, {"strategy": (10.0, 20.0)}),
        framework,
        device_id="desk-b",
    )
    dialog.set_band("strategy", 30.0, 45.0)
    _accept(dialog)
    assert dialog.isVisible()
    assert "Strategy changed on another device" in dialog.error.text()
    assert "press OK again to save yours over it" in dialog.error.text()
    dialog.grab().save(str(artifacts_dir / "band-editor-conflict.png"))
    saved = load_custom_profile(isolated_dirs["data"], framework)
    assert saved is not None and saved.bands["strategy"].high == 0.20
    shown(window, lambda: _accept(dialog))  # the user, told, saves theirs anyway
    saved = load_custom_profile(isolated_dirs["data"], framework)
    assert saved is not None and saved.bands["strategy"].high == 0.45


def test_a_year_is_computed_from_month_summaries_with_the_entries_own_numbers(
    make_window: Any,
    shown: Any,
    expected: Any,
    filled_store: Any,
    framework: Framework,
) -> None:
    from sec_desktop.analytics.dashboard import summary_json
    from sec_desktop.store import Entry
    from sec_desktop.store.paths import month_summaries_dir

    window = make_window()
    shown(window, lambda: window.set_period_kind("year"))
    assert summary_json(window.view.data) == summary_json(expected(window.period))
    cached = month_summaries_dir(window.config_dir, window.data_dir)
    assert any(cached.iterdir()), "the window keeps the month summaries it built"
    # The table holds the period's own entries, not the trend's or the previous year's.
    assert window.view.entries == filled_store.entries(window.period.start, window.period.end)
    # A new entry in a summarised month: the next view counts it, as a full scan does.
    start = NOW.replace(day=2, hour=6, minute=0)
    filled_store.add(
        Entry.new(
            start=start,
            end=start.replace(hour=7),
            tz=TZ.key,
            activity=framework.children(framework.children("culture")[0].id)[0].id,
            source="manual",
            device=filled_store.device_id,
        )
    )
    shown(window, window.refresh)
    assert summary_json(window.view.data) == summary_json(expected(window.period))
