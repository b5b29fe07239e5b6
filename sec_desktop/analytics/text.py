"""How the dashboard, its PDF and the CLI write numbers in words: one set of formatting rules."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from sec_desktop.timefmt import format_duration

if TYPE_CHECKING:  # only types: formatting loads no allocation
    from sec_desktop.analytics import Period, Verdict
    from sec_desktop.framework import Band

# Symbols beside the verdict words, so a verdict never rests on colour alone.
VERDICT_SYMBOLS = {"below": "\u25bc", "within": "\u2713", "above": "\u25b2", "no_data": "\u2013"}
# Insights are marked as warnings or notes by a symbol as well as by their words.
SEVERITY_MARKS = {"warning": "\u26a0", "info": "\u2139"}
PERIOD_KINDS = ("this-week", "last-week", "week", "month", "quarter", "year", "custom")
PERIOD_KIND_LABELS = {
    "this-week": "This week",
    "last-week": "Last week",
    "week": "Week",
    "month": "Month",
    "quarter": "Quarter",
    "year": "Year",
    "custom": "Custom range",
}


def pct(share: float) -> str:
    """A share as the CLI report writes it: one decimal and a percent sign."""
    return f"{share * 100:.1f}%"


def band_text(band: Band) -> str:
    return f"{band.low * 100:g}\u2013{band.high * 100:g}%"


def verdict_text(verdict: Verdict | None) -> str:
    """The verdict in words, as `sec-desktop report` writes it ("below by 3.2 pts")."""
    return "" if verdict is None else verdict.describe()


def verdict_label(verdict: Verdict | None) -> str:
    """The verdict words with a symbol in front, for charts."""
    if verdict is None:
        return ""
    return f"{VERDICT_SYMBOLS.get(verdict.status, '')} {verdict.describe()}".strip()


def duration(seconds: float) -> str:
    return format_duration(seconds)


def _day(day: date, with_year: bool) -> str:
    return f"{day.day} {day:%b}" + (f" {day.year}" if with_year else "")


def _calendar_name(first: date, last: date) -> str | None:
    """ "November 2025", "Q4 2025" or "2025" for a whole month, quarter or year, else None."""
    if first.day != 1 or not _is_month_end(last):
        return None
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months == 1:
        return f"{first:%B} {first.year}"
    if months == 3 and first.month % 3 == 1:
        return f"Q{(first.month - 1) // 3 + 1} {first.year}"
    if months == 12 and first.month == 1:
        return str(first.year)
    return None


def period_text(period: Period) -> str:
    """A period in plain words: "3 \u2013 9 Nov 2025", "November 2025", "Q4 2025", "2025"."""
    first, last = period.first, period.last
    if first == last:
        return _day(first, True)
    named = _calendar_name(first, last)
    if named is not None:
        return named
    if first.year != last.year:
        return f"{_day(first, True)} \u2013 {_day(last, True)}"
    if first.month == last.month:
        return f"{first.day} \u2013 {last.day} {last:%b} {last.year}"
    return f"{_day(first, False)} \u2013 {_day(last, True)}"


def _is_month_end(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1
