"""The period kind and benchmark profile the dashboard and the mindmap share.

Both open on the saved ones (settings `view_period` and `benchmark_profile`), and a pick in
either is saved and shown in the other if it is open. The dashboard's "This week" and "Week"
are the mindmap's "Week"; its "Last week" and custom ranges are one-off looks, not kept.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from sec_desktop.settings import Settings, save_settings
from sec_desktop.ui.windows import WindowRegistry

log = logging.getLogger(__name__)

_DASHBOARD_KINDS = {"week": "this-week", "month": "month", "quarter": "quarter", "year": "year"}


def dashboard_kind(view_period: str) -> str:
    """The dashboard's period kind for a saved `view_period`."""
    return _DASHBOARD_KINDS.get(view_period, "this-week")


def view_period_of(kind: str) -> str | None:
    """The `view_period` a dashboard period kind keeps, or None for one not kept."""
    if kind in ("this-week", "week"):
        return "week"
    return kind if kind in _DASHBOARD_KINDS else None


def remember_view(
    settings: Settings, config_dir: Path, period_kind: str | None, profile_id: str | None
) -> tuple[Settings, set[str]]:
    """Save a newly picked period kind or profile: the settings now in force and the keys
    that changed. A failed save is logged: the pick still holds until quit."""
    changes: dict[str, str] = {}
    if period_kind is not None and period_kind != settings.view_period:
        changes["view_period"] = period_kind
    if profile_id is not None and profile_id != settings.benchmark_profile:
        changes["benchmark_profile"] = profile_id
    if not changes:
        return settings, set()
    settings = settings.replace(**changes)
    try:
        save_settings(config_dir, settings)
    except OSError as exc:
        log.warning("the period and profile picked were not saved: %s", exc)
    return settings, set(changes)


def show_view(windows: WindowRegistry, settings: Settings, changed: set[str]) -> None:
    """Show the changed period kind or profile in the dashboard and the mindmap, if open."""
    _show_in_dashboard(windows, settings, changed)
    _show_in_mindmap(windows, settings, changed)


# Each setter below reports back to `remember_view` with the value already saved, which ends
# the echo. A window not open is not loaded.


def _show_in_dashboard(windows: WindowRegistry, settings: Settings, changes: set[str]) -> None:
    if windows.get("dashboard") is None:
        return
    from sec_desktop.ui.dashboard import DashboardWindow

    dashboard = windows.get("dashboard")
    kind, profile = settings.view_period, settings.benchmark_profile
    if isinstance(dashboard, DashboardWindow):
        if "view_period" in changes and view_period_of(dashboard.kind) != kind:
            dashboard.set_period_kind(dashboard_kind(kind))
        if "benchmark_profile" in changes and dashboard.profile_id != profile:
            with contextlib.suppress(ValueError):  # a profile this window doesn't list
                dashboard.set_profile(profile)


def _show_in_mindmap(windows: WindowRegistry, settings: Settings, changes: set[str]) -> None:
    if windows.get("mindmap") is None:
        return
    from sec_desktop.ui.mindmap.window import MindmapWindow

    mindmap = windows.get("mindmap")
    kind, profile = settings.view_period, settings.benchmark_profile
    if isinstance(mindmap, MindmapWindow):
        widget = mindmap.widget
        if "view_period" in changes and widget.kind != kind:
            widget.set_period_kind(kind)
        if "benchmark_profile" in changes and widget.profile_id != profile:
            with contextlib.suppress(ValueError):
                widget.set_profile(profile)
