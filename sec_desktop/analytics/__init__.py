"""Allocation analytics in pure Python: shares, band verdicts, periods. No Qt here."""

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
