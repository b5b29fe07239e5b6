"""What the picker says about a slot: its question and its span in local clock times.

Plain text with no Qt, so the wording can be read and tested without a display.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from sec_desktop.reminders.prompts import PromptSlot, SlotKind


def format_span(span: timedelta) -> str:
    """ "30 min", "1 h", "1 h 15 min" (rounded to the minute)."""
    minutes = max(1, round(span.total_seconds() / 60))
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def _clock_text(moment: datetime, tz: tzinfo, today: datetime) -> str:
    """Local "14:30", with the day in front when it is not today ("Mon 14:30")."""
    local = moment.astimezone(tz)
    if local.date() != today.astimezone(tz).date():
        return local.strftime("%a %H:%M")
    return local.strftime("%H:%M")


def slot_question(
    slot: PromptSlot, tz: tzinfo, *, timer_label: str | None, in_queue: bool, today: datetime
) -> str:
    """What the picker asks about one slot, with its span."""
    start, end = _clock_text(slot.start, tz, today), _clock_text(slot.end, tz, today)
    span = format_span(slot.span)
    if slot.kind is SlotKind.TIMER_CHECK and timer_label:
        return f"Still on {timer_label}? (since {start}, {span})"
    if slot.kind is SlotKind.AWAY:
        return f"You were away {start}\u2013{end} ({span}): what was it?"
    if slot.kind is SlotKind.PING:
        return f"What were you doing at {end}? (counts for {span})"
    if in_queue:
        return f"What were you doing {start}\u2013{end}? ({span})"
    return f"What were you doing since {start}? ({span})"


def slot_span_text(slot: PromptSlot, tz: tzinfo, today: datetime) -> str:
    start, end = _clock_text(slot.start, tz, today), _clock_text(slot.end, tz, today)
    return f"{start}\u2013{end}  ({format_span(slot.span)})"


def slot_since_text(slot: PromptSlot, tz: tzinfo, today: datetime) -> str:
    """The span a notification asks about, short: "since 10:35, 25 min"."""
    return f"since {_clock_text(slot.start, tz, today)}, {format_span(slot.span)}"
