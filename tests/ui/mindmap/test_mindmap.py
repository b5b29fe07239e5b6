"""The SEC mindmap: one node per framework item, no overlap at 1280 x 800, the overlay equal to
the core's allocation, exports that open, and the hover, click and context actions."""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pypdf
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent, QImage, QMouseEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import QApplication

from sec_desktop.analytics import Period, allocate
from sec_desktop.demo import generate_demo_year
from sec_desktop.framework import Framework, Level, load_framework
from sec_desktop.framework.customization import (
    Customization,
    apply_customization,
    load_user_framework,
    save_customization,
)
from sec_desktop.store import Entry, EntryStore
from sec_desktop.ui.dashboard.theme import dark_palette
from sec_desktop.ui.mindmap.layout import (
    FULL_SHARE_RADIUS,
    MIN_BUBBLE_RADIUS,
    QUIET_BUBBLE_RADIUS,
    MindmapFonts,
    layout_mindmap,
)
from sec_desktop.ui.mindmap.model import ROLE_ID, build_model
from sec_desktop.ui.mindmap.view import MindmapView
from sec_desktop.ui.mindmap.window import MindmapWidget, MindmapWindow
from tests.helpers.entries import make_entry
from tests.helpers.ids import BOARD, INCIDENT, INVESTORS, OKR, SECURITY, SKILLS
from tests.helpers.imports import modules_loaded_by

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2025, 11, 20, 16, 0, tzinfo=UTC)
NOVEMBER = Period(date(2025, 11, 1), date(2025, 11, 30), BERLIN)
WINDOW_SIZE = (1280, 800)
# At this zoom or more, 9 pt labels are still readable when the whole map fits the window.
READABLE_ZOOM = 0.85


def _entry(
    activity: str, day: int, hour: int, minutes: int, *, note: str | None = None, month: int = 11
) -> Entry:
    start = datetime(2025, month, day, hour, tzinfo=BERLIN)
    return make_entry(start, minutes, activity, note=note, now=NOW)


@pytest.fixture
def setup(isolated_dirs: dict[str, Path]) -> tuple[Framework, EntryStore, str]:
    """A customized framework (an added activity, two hidden ones) and a few November entries."""
    data_dir = isolated_dirs["data"]
    base = load_framework()
    custom, vendor = Customization().add_activity(base, SECURITY, "Vendor reviews")
    custom = custom.set_hidden(base, BOARD, True).set_hidden(base, INVESTORS, True)
    save_customization(data_dir, custom, base, device_id="laptop")
    framework, problems = load_user_framework(data_dir)
    assert problems == []
    store = EntryStore(data_dir, "laptop", clock=lambda: NOW)
    store.add_many(
        [
            _entry(OKR, 3, 9, 90, note="Q1 objectives"),
            _entry(OKR, 10, 9, 60),
            _entry(vendor, 4, 13, 45, note="SOC 2 vendor list"),
            _entry(INCIDENT, 5, 22, 120),
            _entry(INVESTORS, 6, 15, 30),  # hidden, yet its time counts
            _entry(SECURITY, 7, 10, 25),  # tagged at the focus area
            _entry(SKILLS, 12, 16, 50),
            _entry(OKR, 2, 9, 40),  # a Sunday in November too
        ]
    )
    store.add(_entry(OKR, 28, 9, 60, month=10))  # October: outside the period
    return framework, store, vendor


def _widget(qtbot, framework: Framework, store: EntryStore) -> MindmapWidget:  # type: ignore[no-untyped-def]
    widget = MindmapWidget(framework, store, BERLIN, now=lambda: NOW)
    qtbot.addWidget(widget)
    widget.resize(*WINDOW_SIZE)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _assert_no_overlap(view: MindmapView) -> None:
    rects = view.node_rects()
    for (a_id, a), (b_id, b) in itertools.combinations(rects.items(), 2):
        assert not a.intersects(b), f"{a_id} {a} overlaps {b_id} {b}"
    for node_id, item in ((i, view.item(i)) for i in rects):
        grown = item.geo.rect.adjusted(-0.01, -0.01, 0.01, 0.01)  # float rounding
        assert grown.contains(item.geo.text_rect), f"{node_id}: label outside its node"


def test_one_node_per_framework_item_custom_ones_included(qtbot, setup) -> None:
    framework, store, vendor = setup
    widget = _widget(qtbot, framework, store)
    drawn = widget.view.node_ids()

    # Hidden activities are left out unless they have time in the period.
    expected = [ROLE_ID] + [n.id for n in framework.walk() if not n.hidden or n.id == INVESTORS]
    assert sorted(drawn) == sorted(expected) and len(drawn) == len(set(drawn))
    assert vendor in drawn and BOARD not in drawn
    assert (
        len(
            [
                i
                for i in drawn
                if framework.nodes.get(i, None) and framework[i].level is Level.ACTIVITY
            ]
        )
        == 36
    )
    assert widget.view.item(vendor).geo.node.custom
    assert widget.view.item(INVESTORS).geo.node.hidden

    widget.set_overlay(False)  # the structure only: hidden ones are out
    assert sorted(widget.view.node_ids()) == sorted(
        [ROLE_ID] + [n.id for n in framework.walk() if not n.hidden]
    )


@pytest.mark.parametrize("preset", [None, "healthcare", "fintech", "saas"])
@pytest.mark.parametrize("overlay", [True, False])
def test_no_two_nodes_overlap_and_the_map_is_readable_at_1280x800(
    qtbot, setup, preset: str | None, overlay: bool
) -> None:
    _, store, _ = setup
    base = load_framework(preset=preset)
    custom = Customization()
    for label in ("Vendor risk questionnaires for enterprise deals", "Pen tests", "Audit prep"):
        custom, _new = custom.add_activity(base, SECURITY, label)
    framework = apply_customization(base, custom)
    window = MindmapWindow(framework, store, BERLIN, now=lambda: NOW)
    qtbot.addWidget(window)
    window.resize(*WINDOW_SIZE)
    window.show()
    qtbot.waitExposed(window)
    window.widget.set_overlay(overlay)
    view = window.widget.view

    _assert_no_overlap(view)
    assert view.zoom >= READABLE_ZOOM
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    for node_id, rect in view.node_rects().items():
        assert visible.contains(rect), f"{node_id} is outside the fitted view"


def test_overlay_equals_the_cores_allocation(qtbot, setup) -> None:
    framework, store, vendor = setup
    widget = _widget(qtbot, framework, store)
    assert widget.period == NOVEMBER
    profile = framework.profiles["default"]
    report = allocate(store.entries(NOVEMBER.start, NOVEMBER.end), framework, NOVEMBER, profile)
    rows = {r.id: r for r in (*report.domains, *report.focus_areas, *report.activities)}
    model = widget.view.model
    assert model is not None and model.total_seconds == report.total_seconds == 460 * 60

    for node_id in widget.view.node_ids():
        figures = model.figures_of(node_id)
        assert figures is not None
        radius = widget.view.item(node_id).geo.radius
        if node_id == ROLE_ID:
            assert figures.seconds == report.total_seconds
            continue
        row = rows.get(node_id)
        seconds = row.seconds if row else 0.0
        assert figures.seconds == seconds
        assert figures.share == (row.share if row else 0.0)
        assert figures.band == (row.band if row else None)
        if seconds:
            expected = max(MIN_BUBBLE_RADIUS, FULL_SHARE_RADIUS * math.sqrt(figures.share))
            assert radius == pytest.approx(expected)
        else:
            assert radius == QUIET_BUBBLE_RADIUS
    # Bands where the framework has them, with the same verdicts as the report.
    for banded in ("strategy", "execution", "culture", SECURITY, "culture.personal-development"):
        assert model.figures_of(banded).verdict == rows[banded].verdict  # type: ignore[union-attr]
    assert model.figures_of(vendor).seconds == 45 * 60  # type: ignore[union-attr]
    quiet = {n.id for n in model.untouched_activities()}
    assert OKR not in quiet and "strategy.market-positioning.competitive-differentiation" in quiet
    assert "no time" in widget.summary.text()


def test_hover_shows_minutes_share_and_band(qtbot, setup) -> None:
    framework, store, _ = setup
    widget = _widget(qtbot, framework, store)
    view = widget.view

    okr = view.item(OKR).toolTip()
    assert okr.splitlines() == [
        "Strategy > Technology Planning > OKR management",
        "3 h 10 min (190 min), 41.3% of 7 h 40 min tracked in November 2025",
    ]
    strategy = view.item("strategy").toolTip()
    assert "Band 20\u201335% (Full range): above by 12.8 pts" in strategy
    security = view.item(SECURITY).toolTip()
    assert "Band 15\u201325% (Full range): above by" in security
    quiet = view.item("strategy.market-positioning.competitive-differentiation").toolTip()
    assert quiet.endswith("No time in November 2025.")
    assert "its time still counts" in view.item(INVESTORS).toolTip()

    # A mouse move over the node reaches it as a hover, through the view and the scene.
    item = view.item(OKR)
    assert not item.hovered
    at = view.node_center_in_view(OKR)
    move = QMouseEvent(
        QEvent.Type.MouseMove,
        at,
        QPointF(view.viewport().mapToGlobal(at.toPoint())),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(view.viewport(), move)
    assert item.hovered


def test_click_lists_the_nodes_entries(qtbot, setup) -> None:
    framework, store, vendor = setup
    widget = _widget(qtbot, framework, store)
    view = widget.view
    assert widget.panel.isHidden()

    with qtbot.waitSignal(widget.nodeShown) as shown:
        qtbot.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, pos=view.node_center_in_view(OKR).toPoint()
        )
    assert shown.args == [OKR]
    assert widget.panel.isVisible()
    november_okr = [e.id for e in store.entries(NOVEMBER.start, NOVEMBER.end) if e.activity == OKR]
    assert len(november_okr) == 3
    assert widget.shown_entry_ids() == november_okr
    assert "3 entries, 3 h 10 min in November 2025" in widget.panel_title.text()

    # A focus area lists what is tagged on it and on its activities.
    widget.show_entries(SECURITY)
    kinds = sorted(e.activity for e in store.entries() if e.id in set(widget.shown_entry_ids()))
    assert kinds == sorted([INCIDENT, SECURITY, vendor])
    with qtbot.waitSignal(widget.logTimeRequested) as logged:
        qtbot.mouseClick(widget.panel_log_button, Qt.MouseButton.LeftButton)
    assert logged.args == [SECURITY]
    widget.hide_entries()
    assert widget.panel.isHidden()


def test_context_menu_logs_time_to_the_activity(qtbot, setup) -> None:
    framework, store, _ = setup
    widget = _widget(qtbot, framework, store)
    view = widget.view
    pos = view.node_center_in_view(OKR).toPoint()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(view.viewport(), event)
    menu = view.last_menu
    assert menu is not None
    texts = [a.text() for a in menu.actions()]
    assert texts == [
        "Show entries",
        "Log time to this activity\u2026",
        "Open in the Entries table",
    ]
    with qtbot.waitSignal(widget.logTimeRequested) as logged:
        menu.actions()[1].trigger()
    assert logged.args == [OKR]
    menu.close()

    domain_menu = view.menu_for("execution")
    assert [a.text() for a in domain_menu.actions()][1] == "Log time to this domain\u2026"
    assert [a.text() for a in view.menu_for(ROLE_ID).actions()] == ["Show entries"]


def test_keyboard_walks_the_nodes_lists_entries_and_opens_the_menu(qtbot, setup) -> None:
    framework, store, _ = setup
    widget = _widget(qtbot, framework, store)
    view = widget.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.current_node == ROLE_ID
    order = view.node_ids()
    for _ in range(order.index(OKR)):
        qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.current_node == OKR and view.item(OKR).isSelected()
    assert view.accessibleDescription() == view.item(OKR).toolTip()
    qtbot.keyClick(view, Qt.Key.Key_Up)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.current_node == OKR

    with qtbot.waitSignal(widget.nodeShown) as shown:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert shown.args == [OKR] and widget.panel.isVisible()

    corner = QPoint(0, 0)
    menu_key = QContextMenuEvent(
        QContextMenuEvent.Reason.Keyboard, corner, view.mapToGlobal(corner)
    )
    QApplication.sendEvent(view, menu_key)
    assert view.last_menu is not None
    with qtbot.waitSignal(widget.logTimeRequested) as logged:
        view.last_menu.actions()[1].trigger()
    assert logged.args == [OKR]
    view.last_menu.close()


def test_zoom_with_keys_and_wheel_and_back_to_fit(qtbot, setup) -> None:
    framework, store, _ = setup
    widget = _widget(qtbot, framework, store)
    view = widget.view
    fitted = view.zoom
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom == pytest.approx(fitted * 1.15)
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom == pytest.approx(fitted / 1.15)
    centre = QPointF(view.viewport().rect().center())
    wheel = QWheelEvent(
        centre,
        QPointF(view.viewport().mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.viewport(), wheel)
    assert view.zoom == pytest.approx(fitted * 1.15)
    qtbot.keyClick(view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom == pytest.approx(fitted)


def test_period_picker_moves_and_recomputes(qtbot, setup) -> None:
    framework, store, _ = setup
    widget = _widget(qtbot, framework, store)
    assert widget.period_label.text() == "November 2025"
    qtbot.mouseClick(widget.prev_button, Qt.MouseButton.LeftButton)
    assert widget.period_label.text() == "October 2025"
    assert widget.view.model is not None and widget.view.model.total_seconds == 3600
    widget.set_period_kind("week")
    assert widget.period == Period(date(2025, 11, 17), date(2025, 11, 23), BERLIN)
    assert widget.view.model.total_seconds == 0
    assert widget.summary.text() == "No time tracked in 17 \u2013 23 Nov 2025."
    widget.set_profile("early-stage")
    assert widget.view.model.profile is not None and widget.view.model.profile.id == "early-stage"


def test_exports_are_valid_png_svg_and_pdf(qtbot, setup, tmp_path: Path) -> None:
    framework, store, _vendor = setup
    widget = _widget(qtbot, framework, store)
    scene_rect = widget.view.map_scene.sceneRect()  # type: ignore[union-attr]

    png = tmp_path / "map.png"
    widget.export(png)
    image = QImage(str(png))
    assert not image.isNull()
    assert (image.width(), image.height()) == (
        math.ceil(scene_rect.width() * 2),
        math.ceil(scene_rect.height() * 2),
    )

    svg = tmp_path / "map.svg"
    widget.export(svg)
    root = ET.parse(svg).getroot()  # noqa: S314 - our own export, just written
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    assert root.findtext(f"{ns}title") == "The CTO / CIO / CISO role: a job description"
    texts = " ".join(" ".join("".join(t.itertext()).split()) for t in root.iter(f"{ns}text"))
    model = widget.view.model
    assert model is not None
    for node in model.nodes:
        label = node.label + (" (hidden)" if node.hidden else "")
        assert label in texts, f"{label!r} missing from the SVG"
    assert "Vendor reviews" in texts

    for overlay, name in ((True, "with-time.pdf"), (False, "structure.pdf")):
        pdf = tmp_path / name
        widget.export(pdf, overlay=overlay)
        reader = pypdf.PdfReader(pdf)
        assert len(reader.pages) == 1
        page = reader.pages[0]
        assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape
        text = " ".join(page.extract_text().split())
        assert "The CTO / CIO / CISO role: a job description" in text
        assert "Technology Planning" in text and "Vendor reviews" in text
        assert ("7 h 40 min tracked" in text) is overlay

    with pytest.raises(ValueError, match=r"\.png, \.svg or \.pdf"):
        widget.export(tmp_path / "map.gif")
    assert not (tmp_path / "map.gif").exists()


# Screenshots on demo data ---------------------------------------------------------------------


def _render(widget, scale: float) -> QImage:  # type: ignore[no-untyped-def]
    image = QImage(
        int(widget.width() * scale), int(widget.height() * scale), QImage.Format.Format_ARGB32
    )
    image.setDevicePixelRatio(scale)
    image.fill(widget.palette().window().color())
    painter = QPainter(image)
    try:
        widget.render(painter, QPoint())
    finally:
        painter.end()
    return image


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshots_on_demo_data(qtbot, isolated_dirs, artifacts_dir: Path, theme: str) -> None:
    framework = load_framework()
    store = EntryStore(isolated_dirs["data"], "demo-laptop", clock=lambda: NOW)
    store.add_many(generate_demo_year(framework, date(2025, 11, 20), BERLIN, 7))
    window = MindmapWindow(framework, store, BERLIN, now=lambda: NOW)
    qtbot.addWidget(window)
    if theme == "dark":
        window.setPalette(dark_palette())
    window.resize(*WINDOW_SIZE)
    window.show()
    qtbot.waitExposed(window)
    window.widget.set_period_kind("quarter")
    view = window.widget.view
    assert view.theme().dark is (theme == "dark")
    _assert_no_overlap(view)
    assert view.zoom >= READABLE_ZOOM
    quiet = {n.id for n in view.model.untouched_activities()}  # type: ignore[union-attr]
    assert len(quiet) < 36  # the demo year spends time across the map

    assert window.grab().save(str(artifacts_dir / f"mindmap-{theme}.png"))
    assert _render(window, 2.0).save(str(artifacts_dir / f"mindmap-{theme}@2x.png"))
    window.widget.show_entries("execution.security-and-compliance")
    panel = window.widget.panel
    qtbot.waitUntil(lambda: panel.isVisible() and view.width() + panel.width() < WINDOW_SIZE[0])
    _assert_no_overlap(view)
    assert window.grab().save(str(artifacts_dir / f"mindmap-{theme}-entries.png"))


def test_layout_is_the_same_for_the_same_input(qtbot, setup) -> None:
    framework, _, _ = setup
    view = MindmapView()
    qtbot.addWidget(view)
    fonts = MindmapFonts.from_base(view.font())
    model = build_model(framework)
    first = {k: g.rect for k, g in layout_mindmap(model, fonts).items()}
    second = {k: g.rect for k, g in layout_mindmap(model, fonts).items()}
    assert first == second


def test_the_app_loads_no_mindmap_module_and_the_model_no_qt() -> None:
    assert (
        modules_loaded_by("import sec_desktop.ui.app", prefixes=("sec_desktop.ui.mindmap",)) == []
    )
    assert modules_loaded_by("import sec_desktop.ui.mindmap.model", prefixes=("PySide6",)) == []
