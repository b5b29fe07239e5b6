"""Allocation analytics in pure Python: shares, band verdicts, periods. No Qt here.

The names below load their module on first use (PEP 562), so that a command which needs only
`analytics.periods` does not import the allocation and the store behind it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sec_desktop.lazy_names import lazy_getattr

if TYPE_CHECKING:
    from sec_desktop.analytics.allocation import (
        Allocation,
        AllocationReport,
        Verdict,
        allocate,
        band_verdict,
        clipped_seconds,
        seconds_by_day,
    )
    from sec_desktop.analytics.periods import (
        PERIOD_NAMES,
        Period,
        PeriodError,
        local_midnight,
        named_period,
    )
    from sec_desktop.analytics.summary import report_dict

_MODULE_OF = {
    **dict.fromkeys(
        (
            "Allocation",
            "AllocationReport",
            "Verdict",
            "allocate",
            "band_verdict",
            "clipped_seconds",
            "seconds_by_day",
        ),
        "sec_desktop.analytics.allocation",
    ),
    **dict.fromkeys(
        ("PERIOD_NAMES", "Period", "PeriodError", "local_midnight", "named_period"),
        "sec_desktop.analytics.periods",
    ),
    "report_dict": "sec_desktop.analytics.summary",
}

__all__ = [
    "PERIOD_NAMES",
    "Allocation",
    "AllocationReport",
    "Period",
    "PeriodError",
    "Verdict",
    "allocate",
    "band_verdict",
    "clipped_seconds",
    "local_midnight",
    "named_period",
    "report_dict",
    "seconds_by_day",
]


__getattr__ = lazy_getattr(__name__, _MODULE_OF, globals())
