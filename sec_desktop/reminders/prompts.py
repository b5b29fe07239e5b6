"""What a prompt asks about and how the user answered it: the types shared by the schedule,
the picker and the application. Pure data, no Qt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class SlotKind(StrEnum):
    """Why a span of time is being asked about; decides the saved entry's source."""

    INTERVAL = "interval"  # interval mode: the time since the previous answer, capped
    PING = "ping"  # random (TagTime) mode: the answer stands for the gap before the ping
    TIMER_CHECK = "timer-check"  # a timer runs: "still on X?"
    LOG_NOW = "log-now"  # the user chose "Log now..." from the tray
    AWAY = "away"  # the user was away (idle, locked, asleep): "what was it?" on the return

    @property
    def entry_source(self) -> str:
        return {
            SlotKind.INTERVAL: "prompt",
            SlotKind.PING: "ping",
            SlotKind.TIMER_CHECK: "timer",
            SlotKind.LOG_NOW: "manual",
            SlotKind.AWAY: "prompt",
        }[self]


@dataclass(frozen=True)
class PromptSlot:
    """One span to tag: [start, end) in UTC, asked for at `due` (UTC)."""

    start: datetime
    end: datetime
    kind: SlotKind
    due: datetime

    def __post_init__(self) -> None:
        for name in ("start", "end", "due"):
            value = getattr(self, name)
            if value.tzinfo is None or value.utcoffset() != timedelta(0):
                raise ValueError(f"PromptSlot.{name} must be an aware UTC datetime, got {value!r}")
        if self.end <= self.start:
            raise ValueError(f"PromptSlot ends ({self.end}) at or before it starts ({self.start})")

    @property
    def span(self) -> timedelta:
        return self.end - self.start


class RequestReason(StrEnum):
    DUE = "due"  # a prompt fell due while the user was here
    RETURN = "return"  # back from sleep, lock or idle: the prompts that fell due meanwhile
    LOG_NOW = "log-now"


@dataclass(frozen=True)
class PromptRequest:
    """What one picker shows: one slot, or the queue of slots missed while away."""

    slots: tuple[PromptSlot, ...]
    reason: RequestReason
    # Set in timer mode: the running timer's activity id, so the picker can ask "still on X?".
    timer_activity: str | None = None

    def __post_init__(self) -> None:
        if not self.slots:
            raise ValueError("a PromptRequest needs at least one slot")


class Disposition(StrEnum):
    TAGGED = "tagged"  # becomes an entry with `activity_id`
    AWAY = "away"  # away from the desk on a break: no entry, never booked as work
    OFF_WORK = "off-work"  # working, but not on the job being tracked: no entry


@dataclass(frozen=True)
class SlotAnswer:
    slot: PromptSlot
    disposition: Disposition
    activity_id: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if (self.disposition is Disposition.TAGGED) != (self.activity_id is not None):
            raise ValueError("a tagged answer needs an activity id, and only a tagged one has it")
