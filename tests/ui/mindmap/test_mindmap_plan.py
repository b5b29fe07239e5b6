"""The plan on the mindmap: each planned node's pill shows its target beside its share, its
tooltip says where the share sits against it, and the labels still fit their nodes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sec_desktop.analytics import Period, allocate
from sec_desktop.analytics.plan_records import PlanStore
from sec_desktop.analytics.targets import Plans, Quarter, QuarterPlan
from sec_desktop.framework import load_framework
from sec_desktop.store import Entry, EntryStore
from sec_desktop.ui.mindmap.model import build_model, second_line, tooltip_text
from sec_desktop.ui.mindmap.window import MindmapWidget
from tests.helpers.entries import make_entry
from tests.helpers.ids import INCIDENT, OKR, SECURITY

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2025, 11, 20, 16, 0, tzinfo=UTC)
NOVEMBER = Period(date(2025, 11, 1), date(2025, 11, 30), BERLIN)
FW = load_framework()


def _entries() -> list[Entry]:
    return [
        make_entry(datetime(2025, 11, 3, 9, tzinfo=BERLIN), 60, OKR, now=NOW),
        make_entry(datetime(2025, 11, 4, 9, tzinfo=BERLIN), 180, INCIDENT, now=NOW),
    ]


def test_the_model_carries_the_plan_into_pill_and_tooltip() -> None:
    report = allocate(_entries(), FW, NOVEMBER, FW.profiles["default"])
    plans = Plans([QuarterPlan(Quarter(2025, 4), {"strategy": 0.30, SECURITY: 0.70})])
    model = build_model(FW, report, plans.plan_for(NOVEMBER))
    strategy = model.node("strategy")
    assert second_line(model, strategy) == "25.0% \u2713 \u00b7 plan 30.0%"
    assert tooltip_text(model, "strategy").splitlines()[-1] == ("Plan 30.0%: below plan by 5.0 pts")
    assert tooltip_text(model, SECURITY).splitlines()[-1] == "Plan 70.0%: above plan by 5.0 pts"
    culture = model.node("culture")
    assert "plan" not in second_line(model, culture)
    assert "Plan" not in tooltip_text(model, "culture")
    # Without the overlay there are no figures, so no plan either.
    assert "Plan" not in tooltip_text(build_model(FW, None, plans.plan_for(NOVEMBER)), "strategy")


def test_the_window_reads_the_plan_from_the_data_folder(
    qtbot, isolated_dirs: dict[str, Path]
) -> None:
    data_dir = isolated_dirs["data"]
    store = EntryStore(data_dir, "laptop", clock=lambda: NOW)
    store.add_many(_entries())
    PlanStore(data_dir, "laptop").save_quarter(
        Quarter(2025, 4), {"strategy": 0.30}, FW, FW.profiles["default"]
    )
    widget = MindmapWidget(FW, store, BERLIN, now=lambda: NOW)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitExposed(widget)
    assert widget.period == NOVEMBER
    tip = widget.view.item("strategy").toolTip()
    assert "Plan 30.0%: below plan by 5.0 pts" in tip
    item = widget.view.item("strategy")
    grown = item.geo.rect.adjusted(-0.01, -0.01, 0.01, 0.01)
    assert grown.contains(item.geo.text_rect), "the longer figures line still fits its node"
    store.close()
