"""The one interface every input idle source has, and its one error type (see `idle`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

NO_IDLE_SENTENCE = (
    "No idle detection on this desktop: away time is noticed only from sleep and screen lock."
)


class IdleSourceError(Exception):
    """An idle source can't be opened here, or stopped answering."""


@dataclass(frozen=True)
class IdleEvent:
    """A watched source's news: the user went idle (`idle`, idle for `idle_for_s` seconds at
    that moment) or came back (not `idle`)."""

    idle: bool
    idle_for_s: float = 0.0


class IdleSource(ABC):
    """One way of knowing about input idle; `name` says which, for Settings and doctor."""

    name: str

    @abstractmethod
    def close(self) -> None:
        """Release the connection or library handles; safe to call twice."""


class PolledIdleSource(IdleSource):
    @abstractmethod
    def idle_seconds(self) -> float:
        """Seconds since the last input; IdleSourceError if that can't be read any more."""


class WatchedIdleSource(IdleSource):
    """Reports crossings of a threshold as they happen; the caller waits for `fileno()` to be
    readable, then calls `read_events()`, which never blocks."""

    @abstractmethod
    def fileno(self) -> int: ...

    @abstractmethod
    def set_threshold(self, threshold_s: float) -> None:
        """Watch for this much idle from now on (news it causes comes from `read_events`)."""

    @abstractmethod
    def read_events(self) -> list[IdleEvent]:
        """What happened since the last call, oldest first; IdleSourceError once the other
        end is gone."""
