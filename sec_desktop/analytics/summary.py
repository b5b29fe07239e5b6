"""The report's plain-data form, shared by `sec-desktop report --format json` and exports."""

from __future__ import annotations

from typing import Any

from sec_desktop.analytics.allocation import Allocation, AllocationReport

MINUTES_DIGITS = 2
SHARE_DIGITS = 6


def _allocation_dict(item: Allocation) -> dict[str, Any]:
    return {
        "id": item.id,
        "label": item.label,
        "minutes": round(item.minutes, MINUTES_DIGITS),
        "share": round(item.share, SHARE_DIGITS),
        "band": (
            {"low": item.band.low, "high": item.band.high, "source": item.band.source}
            if item.band
            else None
        ),
        "status": item.verdict.status if item.verdict else None,
        "distance": round(item.verdict.distance, SHARE_DIGITS) if item.verdict else None,
    }


def report_dict(report: AllocationReport) -> dict[str, Any]:
    return {
        "from": report.period.first.isoformat(),
        "to": report.period.last.isoformat(),
        "time_zone": report.period.tz.key,
        "profile": report.profile.id,
        "total_minutes": round(report.total_minutes, MINUTES_DIGITS),
        "entry_count": report.entry_count,
        "domains": [_allocation_dict(a) for a in report.domains],
        "focus_areas": [_allocation_dict(a) for a in report.focus_areas],
        "activities": [
            {
                "id": a.id,
                "label": a.label,
                "minutes": round(a.minutes, MINUTES_DIGITS),
                "share": round(a.share, SHARE_DIGITS),
            }
            for a in report.activities
        ],
        "tagged_minutes_by_level": {
            level.name.lower(): round(secs / 60.0, MINUTES_DIGITS)
            for level, secs in report.tagged_seconds_by_level.items()
        },
        "unknown_activities": [
            {"id": activity_id, "minutes": round(secs / 60.0, MINUTES_DIGITS)}
            for activity_id, secs in report.unknown
        ],
    }


__all__ = ["report_dict"]
