"""When to ask "what are you doing?": schedules as pure functions of time (no Qt), plus the
thin Qt driver in `driver.py`, which only the GUI imports."""

from sec_desktop.reminders.prompts import (
    Disposition,
    PromptRequest,
    PromptSlot,
    RequestReason,
    SlotAnswer,
    SlotKind,
)

__all__ = [
    "Disposition",
    "PromptRequest",
    "PromptSlot",
    "RequestReason",
    "SlotAnswer",
    "SlotKind",
]
