"""The plan in the dashboard (bars, Plan column, trend, breakdown) and the plan editor: inline
band warnings, the 100% check, Fill from profile, keyboard clearing, and saving over a change
that synced in meanwhile."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from sec_desktop.analytics import Period
from sec_desktop.analytics.plan_records import PlanStore
from sec_desktop.analytics.targets import Quarter
from sec_desktop.analytics.text import pct
from sec_desktop.framework import Framework
from sec_desktop.ui.dashboard.breakdown import PLAN_COLUMN
from sec_desktop.ui.dashboard.plan_editor import NO_TARGET, PlanEditorDialog
from tests.helpers.ids import PERSONAL, SECURITY

from .conftest import DEVICE, TZ

Q4_2025, Q1_2026 = Quarter(2025, 4), Quarter(2026, 1)


@pytest.fixture
def plans(isolated_dirs: dict[str, Path], framework: Framework) -> PlanStore:
    """Q4 2025 and Q1 2026 plans in the window's data folder, as another window saved them."""
    store = PlanStore(isolated_dirs["data"], DEVICE)
    profile = framework.profiles["default"]
    store.save_quarter(Q4_2025, {"strategy": 0.25}, framework, profile)
    store.save_quarter(
        Q1_2026, {"strategy": 0.30, SECURITY: 0.20, PERSONAL: 0.05}, framework, profile
    )
    return store


def test_the_dashboard_shows_the_plan_beside_band_and_actual(
    plans: PlanStore, make_window: Any
) -> None:
    window = make_window()  # the week of 16 March 2026, in Q1
    domains = {r.key: r for r in window.allocation.domain_chart.rows}
    assert domains["strategy"].plan == pytest.approx(0.30)
    assert domains["strategy"].plan_verdict is not None
    assert domains["execution"].plan is None
    focus = {r.key: r for r in window.allocation.focus_chart.rows}
    assert focus[SECURITY].plan == pytest.approx(0.20)
    described = window.allocation.domain_chart.describe()
    strategy = domains["strategy"]
    assert f"plan 30.0%, {strategy.plan_verdict.describe()}" in described
    # The breakdown's Plan column, and its verdict.
    item = window.breakdown.topLevelItem(0)
    assert (item.text(0), item.text(PLAN_COLUMN)) == ("Strategy", "30.0%")
    assert item.text(PLAN_COLUMN + 1) == strategy.plan_verdict.describe()
    # The trend: each week's plan; the week of 29 December 2025 has 3 days of Q4 at 25% and
    # 4 of Q1 at 30%.
    line = next(li for li in window.allocation.trend_chart.lines if li.key == "strategy")
    weeks = window.allocation.trend_chart.weeks
    by_week = dict(zip(weeks, line.plan, strict=True))
    assert by_week[date(2025, 12, 29)] == pytest.approx((3 * 0.25 + 4 * 0.30) / 7)
    assert by_week[date(2026, 3, 16)] == pytest.approx(0.30)
    assert "(dashed line: plan)" in window.allocation.trend_box.title()
    culture = next(li for li in window.allocation.trend_chart.lines if li.key == "culture")
    assert set(culture.plan) == {None}
    # The summary column's Plan box, in words.
    assert window.summary.plan_label.text().startswith(
        f"Plan 2026-Q1: Strategy {pct(strategy.share)} vs 30.0%, {strategy.plan_verdict.describe()}"
    )


def test_no_plan_means_no_plan_marks(make_window: Any) -> None:
    window = make_window()
    assert all(r.plan is None for r in window.allocation.domain_chart.rows)
    assert "plan" not in window.allocation.trend_box.title()
    assert window.breakdown.topLevelItem(0).text(PLAN_COLUMN) == ""
    assert window.summary.plan_label.text() == (
        "No plan for this period. Plan\u2026 above sets target shares for a quarter."
    )


def _editor(window: Any, qtbot: Any) -> PlanEditorDialog:
    dialog = window.open_plan_editor()
    qtbot.waitExposed(dialog)
    return dialog


def _check_text(dialog: PlanEditorDialog, node_id: str) -> str:
    row = [n.id for n in dialog.nodes].index(node_id)
    return dialog.check_items[row].text()


def test_the_editor_shows_targets_bands_and_actual_shares(
    plans: PlanStore, make_window: Any, qtbot: Any
) -> None:
    window = make_window()
    dialog = _editor(window, qtbot)
    assert dialog.quarter == Q1_2026
    assert dialog.targets() == pytest.approx({"strategy": 0.30, SECURITY: 0.20, PERSONAL: 0.05})
    assert dialog.spins["culture"].text() == "no target"
    row = [n.id for n in dialog.nodes].index("strategy")
    assert dialog.table.item(row, 1).text() == "20-35%"
    # Actual so far: Q1 2026 up to the window's today, 19 March.
    so_far = window.store.entries(
        Period(date(2026, 1, 1), date(2026, 3, 19), TZ).start,
        Period(date(2026, 1, 1), date(2026, 3, 19), TZ).end,
    )
    assert so_far, "the generated weeks reach into the quarter"
    assert dialog.actual_items[row].text().endswith("%")
    assert dialog.table.horizontalHeaderItem(2).text() == "Actual (so far)"
    # Personal Development's 5% is below its 7-12% band: allowed, with a warning in its row.
    assert (
        _check_text(dialog, PERSONAL)
        == "\u26a0 The target 5% is below the Full range band of 7-12%"
    )
    assert not dialog.save_button.isEnabled()  # nothing changed yet


def test_targets_over_100_percent_keep_save_off_with_the_reason(
    plans: PlanStore, make_window: Any, qtbot: Any
) -> None:
    dialog = _editor(make_window(), qtbot)
    dialog.set_target("execution", 60)
    assert dialog.save_button.isEnabled()
    dialog.set_target("culture", 20)
    assert not dialog.save_button.isEnabled()
    assert dialog.totals.text().startswith("\u26a0 The domain targets add up to 110%")
    assert "Save is off until this is fixed" in dialog.totals.text()
    dialog.set_target("culture", 10)
    assert dialog.save_button.isEnabled()


def test_fill_from_profile_then_save_updates_the_dashboard(
    plans: PlanStore, make_window: Any, shown: Any, qtbot: Any, framework: Framework
) -> None:
    window = make_window()
    dialog = _editor(window, qtbot)
    dialog.fill_button.click()
    assert dialog.targets()["execution"] == pytest.approx(0.50)
    assert dialog.targets()[PERSONAL] == pytest.approx(0.095)
    assert not dialog.quarter_box.isEnabled()  # unsaved targets stay with their quarter
    shown(window, dialog.save_button.click)
    assert "Saved the 2026-Q1 plan." in dialog.message.text()
    assert dialog.quarter_box.isEnabled()
    saved = PlanStore(window.data_dir, "other-device").load(framework).plans.quarter(Q1_2026)
    assert saved.targets["execution"] == pytest.approx(0.50)
    domains = {r.key: r for r in window.allocation.domain_chart.rows}
    assert domains["execution"].plan == pytest.approx(0.50)
    assert domains["strategy"].plan == pytest.approx(0.275)


def test_delete_clears_a_target_from_the_keyboard(
    plans: PlanStore, make_window: Any, qtbot: Any
) -> None:
    dialog = _editor(make_window(), qtbot)
    spin = dialog.spins["strategy"]
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClick(spin, Qt.Key.Key_Delete)
    assert spin.value() == NO_TARGET
    assert "strategy" not in dialog.targets()
    # Typing a number sets one again.
    spin.selectAll()
    qtbot.keyClicks(spin, "27.5")
    assert dialog.targets()["strategy"] == pytest.approx(0.275)


def test_a_change_synced_in_while_open_is_not_overwritten_silently(
    plans: PlanStore, make_window: Any, qtbot: Any, framework: Framework
) -> None:
    window = make_window()
    dialog = _editor(window, qtbot)
    dialog.set_target("strategy", 33)
    # Meanwhile another device's edit arrives in the data folder.
    other = PlanStore(window.data_dir, "desktop-bbbbbb")
    other.save_quarter(Q1_2026, {"strategy": 0.22}, framework, framework.profiles["default"])
    assert dialog.save() is False
    assert "changed on this or another device while this was open (Strategy)" in (
        dialog.message.text()
    )
    assert dialog.targets()["strategy"] == pytest.approx(0.33)  # what was typed is kept
    assert PlanStore(window.data_dir, DEVICE).load(framework).plans.quarter(Q1_2026).targets[
        "strategy"
    ] == pytest.approx(0.22)
    # Saving again, knowingly, keeps the typed value.
    assert dialog.save() is True
    assert PlanStore(window.data_dir, DEVICE).load(framework).plans.quarter(Q1_2026).targets[
        "strategy"
    ] == pytest.approx(0.33)


def test_another_quarter_loads_its_own_targets(
    plans: PlanStore, make_window: Any, qtbot: Any
) -> None:
    dialog = _editor(make_window(), qtbot)
    dialog.quarter_box.setCurrentIndex(dialog.quarter_box.findData(str(Q4_2025)))
    assert dialog.targets() == pytest.approx({"strategy": 0.25})
    assert dialog.table.horizontalHeaderItem(2).text() == "Actual (2025-Q4)"
    dialog.quarter_box.setCurrentIndex(dialog.quarter_box.findData(str(Quarter(2026, 3))))
    assert dialog.table.horizontalHeaderItem(2).text() == "Actual (not started)"
    # A quarter without a plan is pre-filled from the profile, unsaved until Save.
    assert dialog.targets()["strategy"] == pytest.approx(0.275)
    assert dialog.targets()[PERSONAL] == pytest.approx(0.095)
    assert "No plan for 2026-Q3 yet: these targets come from the Full range profile" in (
        dialog.message.text()
    )
    assert dialog.save_button.isEnabled()
    assert dialog.quarter_box.isEnabled()  # nothing typed: another quarter may be chosen
    assert Quarter(2026, 3) not in dialog.store.load().plans.quarters()
    assert dialog.save()
    assert dialog.store.load().plans.quarter(Quarter(2026, 3)).targets["execution"] == 0.5


def test_closing_with_unsaved_targets_asks_first(
    plans: PlanStore, make_window: Any, qtbot: Any
) -> None:
    window = make_window()
    dialog = _editor(window, qtbot)
    dialog.set_target("culture", 15)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    assert "The 2026-Q1 targets are not saved" in dialog.message.text()
    with qtbot.waitSignal(dialog.rejected, timeout=1000):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    saved = PlanStore(window.data_dir, DEVICE).load().plans.quarter(Q1_2026).targets
    assert "culture" not in saved


def test_closing_without_changes_closes_at_once(
    plans: PlanStore, make_window: Any, qtbot: Any
) -> None:
    dialog = _editor(make_window(), qtbot)
    with qtbot.waitSignal(dialog.rejected, timeout=1000):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
