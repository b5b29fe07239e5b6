"""Section "dashboard": first paint, period switches and import cost of the dashboard window.

Figures, each beside a baseline measured in the same run:
- the timeline tab's first paint for the busy current week of the one-year data, beside the
  dashboard's first paint (the overview) of the same run; and the switch to that tab.
- first paint with one year (~12k entries) and ten years (~120k) of the demo data: from the
  start of `DashboardWindow(...)` to the end of the window's first painted frame, in a fresh
  process (offscreen Qt). Baseline: a bare QMainWindow with a QTableWidget of the same view's
  entries, read from a fresh store, to its first frame.
- a period switch (p50 and p95 over weeks, months and quarters stepped back and forth, and
  separately switches to a full year): from the request until the new view is shown and
  painted. Baseline: the core computation alone (store read and `dashboard_data`) for the
  same periods.
- the longest stall of the GUI thread while a full year is computed, beside the computation
  time that a GUI-thread design would stall for.
- the charts: first paint of the dashboard's QPainter charts beside the same charts built with
  QtCharts (the reason the dashboard paints its own).
- import cost: dashboard and QtCharts modules loaded by the tray and the app (must be none),
  and the time to import the dashboard window beside importing QtWidgets.

Run alone with: scripts/bench --only dashboard
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchlib import Figure, percentile, progress

from sec_desktop.demo import DEMO_DEVICE, generate_demo_year
from sec_desktop.framework import load_framework
from sec_desktop.store import EntryStore

SECTION = "dashboard"
DESCRIPTION = "first paint at 1 and 10 years, period switch, GUI stalls, charts, import cost"

ZONE = ZoneInfo("Europe/Berlin")
LAST_DAY = date(2026, 2, 27)  # a Friday; the demo data ends here
NOW = datetime(2026, 2, 27, 17, 0, tzinfo=UTC)
SEED = 11
FIRST_PAINT_TARGET_MS = {1: 300.0, 10: 1500.0}
SWITCH_TARGET_MS = 100.0
CHILD_TIMEOUT_S = 600


@dataclass(frozen=True)
class Plan:
    paint_runs: int
    switch_rounds: int
    year_switches: int


PLAN_FULL = Plan(paint_runs=5, switch_rounds=4, year_switches=4)
PLAN_QUICK = Plan(paint_runs=2, switch_rounds=1, year_switches=2)

# The child processes ---------------------------------------------------------------------

COMMON = r"""
import json, sys, time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo
started = time.perf_counter()
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
data_dir, config_dir, device, now_text = sys.argv[1:5]
NOW = datetime.fromisoformat(now_text)
ZONE = ZoneInfo("Europe/Berlin")
app = QApplication(["bench"])


class FirstFrame(QObject):
    # On the window's first paint event, a zero timer fires once the whole frame is done.
    def __init__(self, window):
        super().__init__()
        self.done_at = None
        self.seen = False
        window.installEventFilter(self)

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and not self.seen:
            self.seen = True
            QTimer.singleShot(0, self.finish)
        return False

    def finish(self):
        self.done_at = time.perf_counter()
        app.quit()
"""

OURS_FIRST_PAINT = (
    COMMON
    + r"""
from sec_desktop.framework import load_framework
from sec_desktop.store import EntryStore
from sec_desktop.ui.dashboard.window import DashboardWindow
framework = load_framework()
store = EntryStore(Path(data_dir), device, clock=lambda: NOW)
begin = time.perf_counter()
window = DashboardWindow(
    framework, store, Path(data_dir), Path(config_dir), ZONE, now=lambda: NOW
)
frame = FirstFrame(window)
window.resize(1280, 800)
window.show()
app.exec()
print(json.dumps({"ms": (frame.done_at - begin) * 1000, "entries": len(window.view.entries)}))
window.shutdown()
"""
)

# The dashboard opened on its Timeline tab, the current (busy) week: from the start of
# `DashboardWindow(...)` to the end of the first frame, the canvas painted. Then, in the same
# process, switching from the overview to the timeline (reading the week and painting it).
TIMELINE_FIRST_PAINT = (
    COMMON
    + r"""
from PySide6.QtCore import QEventLoop
from sec_desktop.framework import load_framework
from sec_desktop.store import EntryStore
from sec_desktop.ui.dashboard.window import DashboardWindow


class Painted(QObject):
    # As FirstFrame, but it ends a local loop: quitting the application would close the
    # window before the tab switch is measured.
    def __init__(self, widget, loop):
        super().__init__()
        self.done_at = None
        self.seen = False
        self.loop = loop
        widget.installEventFilter(self)

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and not self.seen:
            self.seen = True
            QTimer.singleShot(0, self.finish)
        return False

    def finish(self):
        self.done_at = time.perf_counter()
        self.loop.quit()


framework = load_framework()
store = EntryStore(Path(data_dir), device, clock=lambda: NOW)
loop = QEventLoop()
begin = time.perf_counter()
window = DashboardWindow(
    framework, store, Path(data_dir), Path(config_dir), ZONE, now=lambda: NOW
)
window.tabs.setCurrentWidget(window.timeline)
frame = Painted(window.timeline.canvas, loop)
window.resize(1280, 800)
window.show()
loop.exec()
first_ms = (frame.done_at - begin) * 1000
shown = len(window.timeline.canvas.entries)
window.tabs.setCurrentIndex(0)
app.processEvents()
window.timeline.mark_stale()
switch = Painted(window.timeline.canvas, loop)
begin = time.perf_counter()
window.tabs.setCurrentWidget(window.timeline)
loop.exec()
print(json.dumps({
    "ms": first_ms, "switch_ms": (switch.done_at - begin) * 1000, "entries": shown,
}))
window.shutdown()
"""
)

BARE_FIRST_PAINT = (
    COMMON
    + r"""
from PySide6.QtWidgets import QMainWindow, QTableWidget, QTableWidgetItem
from sec_desktop.analytics import named_period
from sec_desktop.analytics.dashboard import dashboard_span
from sec_desktop.store import EntryStore
period = named_period("week", NOW.astimezone(ZONE).date(), ZONE)
begin = time.perf_counter()
store = EntryStore(Path(data_dir), device, clock=lambda: NOW)
entries = store.entries(*dashboard_span(period))
window = QMainWindow()
table = QTableWidget(len(entries), 4)
for row, e in enumerate(entries):
    start, end = e.start.astimezone(ZONE).isoformat(), e.end.astimezone(ZONE).isoformat()
    for column, text in enumerate((start, end, e.activity, e.source)):
        table.setItem(row, column, QTableWidgetItem(text))
window.setCentralWidget(table)
frame = FirstFrame(window)
window.resize(1280, 800)
window.show()
app.exec()
print(json.dumps({"ms": (frame.done_at - begin) * 1000, "entries": len(entries)}))
"""
)

SWITCHES = (
    COMMON
    + r"""
import gc, statistics
from sec_desktop.analytics import named_period
from sec_desktop.analytics.coverage import default_working_intervals
from sec_desktop.analytics.dashboard import dashboard_data, dashboard_span
from sec_desktop.framework import load_framework
from sec_desktop.store import EntryStore
from sec_desktop.ui.dashboard.window import DashboardWindow
rounds, year_switches = int(sys.argv[5]), int(sys.argv[6])
framework = load_framework()
store = EntryStore(Path(data_dir), device, clock=lambda: NOW)
window = DashboardWindow(framework, store, Path(data_dir), Path(config_dir), ZONE, now=lambda: NOW)
window.resize(1280, 800)
window.show()
app.processEvents()


from PySide6.QtCore import QEventLoop
shown_loop = QEventLoop()
window.viewShown.connect(shown_loop.quit)


def timed(action):
    # Request to repainted window: the view is computed (in the GUI thread for a quarter or
    # less, else on the worker), shown, and what changed is painted by the pending update.
    begin = time.perf_counter()
    action()
    shown_loop.exec()
    app.processEvents()
    return (time.perf_counter() - begin) * 1000


def core(period):
    begin = time.perf_counter()
    entries = store.entries(*dashboard_span(period))
    dashboard_data(entries, framework, period, framework.profiles["default"],
                   default_working_intervals(period))
    return (time.perf_counter() - begin) * 1000


# Warm the store's parsed files for what the switches read, as a session would have.
store.entries(datetime(LAST_YEAR - 1, 1, 1, tzinfo=ZONE), NOW)
steps = []
for kind in ("last-week", "month", "quarter"):
    steps.append(lambda k=kind: window.set_period_kind(k))
    steps += [lambda: window.shift_period(-1)] * 3 + [lambda: window.shift_period(1)] * 2
ours, periods = [], []
for _ in range(rounds):
    for step in steps:
        ours.append(timed(step))
        periods.append(window.period)
base = [core(p) for p in periods]

# Full years: the worker computes while the GUI thread keeps ticking every 5 ms.
year_ours, year_base, stalls = [], [], []
ticks = []
from PySide6.QtCore import QTimer
ticker = QTimer()
ticker.setInterval(5)
ticker.timeout.connect(lambda: ticks.append(time.perf_counter()))
for i in range(year_switches):
    timed(lambda: window.set_period_kind("quarter"))
    ticks.clear()
    ticker.start()
    year_ours.append(timed(lambda: window.set_custom_range(
        datetime(LAST_YEAR - 1, 1, 1).date(), datetime(LAST_YEAR - 1, 12, 31).date())))
    ticker.stop()
    gaps = [(b - a) * 1000 for a, b in zip(ticks, ticks[1:])]
    stalls.append(max(gaps) if gaps else 0.0)
    year_base.append(core(window.period))
print(json.dumps({
    "ours": ours, "base": base, "year_ours": year_ours, "year_base": year_base,
    "stalls": stalls,
}))
window.shutdown()
"""
)

CHARTS = (
    COMMON
    + r"""
mode = sys.argv[5]
# The core both kinds of chart draw from is loaded first: only the chart code is timed.
import sec_desktop.analytics, sec_desktop.framework
import_began = time.perf_counter()
from PySide6.QtWidgets import QVBoxLayout, QWidget
if mode == "qtcharts":
    from PySide6.QtCharts import (
        QBarCategoryAxis, QBarSet, QChart, QChartView, QHorizontalBarSeries, QLineSeries,
        QValueAxis,
    )
else:
    from sec_desktop.ui.dashboard.charts import BarChart, BarRow, TrendChart, TrendLine
    from sec_desktop.framework import Band
imported = time.perf_counter()
DOMAINS = [
    ("strategy", "Strategy", 0.31), ("execution", "Execution", 0.5), ("culture", "Culture", 0.19)
]
FOCUS = [(f"f{i}", f"Focus area {i}", 0.02 + i / 100) for i in range(10)]
WEEKS = 12
begin = time.perf_counter()
top = QWidget()
layout = QVBoxLayout(top)
if mode == "qtcharts":
    def bars(rows):
        chart = QChart()
        series = QHorizontalBarSeries()
        shares = QBarSet("share")
        bands = QBarSet("band")
        shares.append([r[2] * 100 for r in rows])
        bands.append([25.0 for _ in rows])
        series.append(bands)
        series.append(shares)
        chart.addSeries(series)
        axis_y = QBarCategoryAxis()
        axis_y.append([r[1] for r in rows])
        axis_x = QValueAxis()
        axis_x.setRange(0, 100)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_y)
        series.attachAxis(axis_x)
        return QChartView(chart)
    from PySide6.QtCore import Qt
    layout.addWidget(bars(DOMAINS))
    layout.addWidget(bars(FOCUS))
    for key, label, share in DOMAINS:
        chart = QChart()
        line = QLineSeries()
        for w in range(WEEKS):
            line.append(w, share * 100 + (w % 3))
        chart.addSeries(line)
        chart.createDefaultAxes()
        chart.setTitle(label)
        layout.addWidget(QChartView(chart))
else:
    band = Band(0.2, 0.35, "")
    domain_chart = BarChart()
    domain_chart.set_rows([BarRow(k, label, s, 3600.0, band) for k, label, s in DOMAINS])
    focus_chart = BarChart()
    focus_chart.set_rows([BarRow(k, label, s, 3600.0) for k, label, s in FOCUS])
    trend = TrendChart()
    from datetime import date, timedelta
    weeks = [date(2026, 1, 5) + timedelta(weeks=w) for w in range(WEEKS)]
    trend.set_data(weeks, [
        TrendLine(k, label, tuple(s + (w % 3) / 100 for w in range(WEEKS)), band)
        for k, label, s in DOMAINS
    ])
    for widget in (domain_chart, focus_chart, trend):
        layout.addWidget(widget)
frame = FirstFrame(top)
top.resize(1280, 800)
top.show()
app.exec()
print(json.dumps({
    "import_ms": (imported - import_began) * 1000, "paint_ms": (frame.done_at - begin) * 1000,
}))
"""
)

IMPORTS = r"""
import json, sys, time
began = time.perf_counter()
import PySide6.QtWidgets
widgets = time.perf_counter()
for module in sys.argv[1].split(","):
    if module:
        __import__(module)
loaded_tray = sorted(
    m for m in sys.modules if m.startswith(("sec_desktop.ui.dashboard", "PySide6.QtCharts"))
)
before = time.perf_counter()
import sec_desktop.ui.dashboard.window
after = time.perf_counter()
print(json.dumps({
    "widgets_ms": (widgets - began) * 1000,
    "dashboard_ms": (after - before) * 1000,
    "loaded": loaded_tray,
}))
"""


def run_child(code: str, *args: str) -> dict[str, Any]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("QT_SCALE_FACTOR", None)
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"benchmark child failed:\n{result.stderr[-3000:]}")
    parsed: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return parsed


# The runs --------------------------------------------------------------------------------


def prefill(root: Path, years: int) -> Path:
    framework = load_framework()
    entries = generate_demo_year(framework, LAST_DAY, ZONE, SEED, years=years)
    data_dir = root / f"data-{years}y"
    store = EntryStore(data_dir, DEMO_DEVICE, clock=lambda: NOW)
    try:
        store.add_many(entries)
    finally:
        store.close()
    return data_dir


def first_paint(data_dir: Path, years: int, runs: int, data: dict[str, Any]) -> Figure:
    args = (str(data_dir), str(data_dir.parent / "config"), DEMO_DEVICE, NOW.isoformat())
    ours = [run_child(OURS_FIRST_PAINT, *args) for _ in range(runs)]
    bare = [run_child(BARE_FIRST_PAINT, *args) for _ in range(runs)]
    data[f"first_paint_{years}y_ms"] = [round(r["ms"], 1) for r in ours]
    data[f"first_paint_{years}y_bare_ms"] = [round(r["ms"], 1) for r in bare]
    ours_ms = percentile([r["ms"] for r in ours], 50)
    target = FIRST_PAINT_TARGET_MS[years]
    return Figure(
        f"first paint @{years}y (p50)",
        "ms",
        ours_ms,
        percentile([r["ms"] for r in bare], 50),
        target=f"< {target:g} ms",
        met=ours_ms < target,
    )


def timeline_first_paint(data_dir: Path, runs: int, data: dict[str, Any]) -> list[Figure]:
    """The timeline's first paint for the busy current week, beside the dashboard's first paint
    (the overview) measured in this same run just before."""
    args = (str(data_dir), str(data_dir.parent / "config"), DEMO_DEVICE, NOW.isoformat())
    ours = [run_child(TIMELINE_FIRST_PAINT, *args) for _ in range(runs)]
    data["timeline_first_paint_ms"] = [round(r["ms"], 1) for r in ours]
    data["timeline_switch_ms"] = [round(r["switch_ms"], 1) for r in ours]
    data["timeline_week_entries"] = ours[0]["entries"]
    overview = percentile(data["first_paint_1y_ms"], 50)
    ours_ms = percentile([r["ms"] for r in ours], 50)
    target = FIRST_PAINT_TARGET_MS[1]
    return [
        Figure(
            "timeline first paint, busy week @1y (p50; vs overview)",
            "ms",
            ours_ms,
            overview,
            target=f"< {target:g} ms",
            met=ours_ms < target,
        ),
        Figure(
            "switch to the timeline tab, busy week (p50; vs overview first paint)",
            "ms",
            percentile([r["switch_ms"] for r in ours], 50),
            overview,
        ),
    ]


def switch_figures(data_dir: Path, plan: Plan, data: dict[str, Any]) -> list[Figure]:
    code = SWITCHES.replace("LAST_YEAR", str(LAST_DAY.year))
    args = (str(data_dir), str(data_dir.parent / "config"), DEMO_DEVICE, NOW.isoformat())
    result = run_child(code, *args, str(plan.switch_rounds), str(plan.year_switches))
    data["switches"] = len(result["ours"])
    data["year_switch_ms"] = [round(v, 1) for v in result["year_ours"]]
    data["year_stall_ms"] = [round(v, 1) for v in result["stalls"]]
    figures = []
    for pct in (50, 95):
        ours = percentile(result["ours"], pct)
        figures.append(
            Figure(
                f"period switch p{pct} @10y (week/month/quarter)",
                "ms",
                ours,
                percentile(result["base"], pct),
                target=f"< {SWITCH_TARGET_MS:g} ms" if pct == 95 else None,
                met=ours < SWITCH_TARGET_MS if pct == 95 else None,
            )
        )
    figures.append(
        Figure(
            "switch to a full year p50 @10y",
            "ms",
            percentile(result["year_ours"], 50),
            percentile(result["year_base"], 50),
        )
    )
    figures.append(
        Figure(
            "longest GUI stall during a year switch",
            "ms",
            max(result["stalls"]),
            percentile(result["year_base"], 50),
        )
    )
    return figures


def chart_figures(data_dir: Path, runs: int, data: dict[str, Any]) -> list[Figure]:
    args = (str(data_dir), str(data_dir.parent / "config"), DEMO_DEVICE, NOW.isoformat())
    ours = [run_child(CHARTS, *args, "painter") for _ in range(runs)]
    charts = [run_child(CHARTS, *args, "qtcharts") for _ in range(runs)]
    data["charts_qpainter"] = ours
    data["charts_qtcharts"] = charts
    return [
        Figure(
            "charts first paint (QPainter vs QtCharts)",
            "ms",
            percentile([r["paint_ms"] for r in ours], 50),
            percentile([r["paint_ms"] for r in charts], 50),
        ),
        Figure(
            "charts import (dashboard charts module vs QtCharts)",
            "ms",
            percentile([r["import_ms"] for r in ours], 50),
            percentile([r["import_ms"] for r in charts], 50),
        ),
    ]


def import_figures(data: dict[str, Any]) -> list[Figure]:
    tray_modules = [m for m in ("sec_desktop.ui.tray", "sec_desktop.ui.app") if _exists(m)]
    result = run_child(IMPORTS, ",".join(tray_modules))
    data["tray_modules_checked"] = tray_modules
    data["dashboard_modules_loaded_by_tray"] = result["loaded"]
    loaded = len(result["loaded"])
    return [
        Figure(
            "dashboard/QtCharts modules loaded by the tray",
            "count",
            float(loaded),
            target="= 0",
            met=loaded == 0 and bool(tray_modules),
        ),
        Figure(
            "import the dashboard window (vs QtWidgets)",
            "ms",
            result["dashboard_ms"],
            result["widgets_ms"],
        ),
    ]


def _exists(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def run(root: Path, quick: bool, data: dict[str, Any]) -> list[Figure]:
    plan = PLAN_QUICK if quick else PLAN_FULL
    figures: list[Figure] = []
    started = time.perf_counter()
    progress("dashboard: generating and saving 1 and 10 years of demo entries")
    one_year = prefill(root, 1)
    ten_years = prefill(root, 10)
    data["entries_1y"] = len(EntryStore(one_year, DEMO_DEVICE).entries())
    data["entries_10y"] = len(EntryStore(ten_years, DEMO_DEVICE).entries())
    data["prefill_s"] = round(time.perf_counter() - started, 1)
    progress(f"dashboard: first paint, {plan.paint_runs} fresh processes each")
    figures.append(first_paint(one_year, 1, plan.paint_runs, data))
    figures += timeline_first_paint(one_year, plan.paint_runs, data)
    figures.append(first_paint(ten_years, 10, plan.paint_runs, data))
    progress("dashboard: period switches over ten years")
    figures += switch_figures(ten_years, plan, data)
    progress("dashboard: charts, QPainter beside QtCharts")
    figures += chart_figures(one_year, plan.paint_runs, data)
    progress("dashboard: import cost")
    figures += import_figures(data)
    data["last_day"] = LAST_DAY.isoformat()
    data["now"] = NOW.isoformat()
    return figures
