"""How long ago the user last typed or moved the mouse, at second precision: what the picker
needs to tell whether a prompt would land in the middle of typing meant for another window.

The same idle sources as away detection (`platform.idle`), opened with a short threshold. A
polled source answers directly. A watched one (GNOME's IdleMonitor, the Wayland idle
protocols) only reports crossings of the threshold, so between them the answer is an
estimate that errs towards "typing a moment ago": never a busy user taken for an idle one.
logind's IdleHint is left out: it changes after minutes, not seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sec_desktop.platform.idle import choose_idle_source
from sec_desktop.platform.idle_base import (
    IdleSource,
    IdleSourceError,
    PolledIdleSource,
    WatchedIdleSource,
)

# Sources whose idle is too coarse to see a pause in typing.
COARSE_SOURCES = frozenset({"logind IdleHint"})


class RecentInput:
    """Seconds since the last input, or None once the source is gone."""

    def __init__(
        self,
        source: IdleSource,
        pause_s: float,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source: IdleSource | None = source
        self._pause_s = pause_s
        self._monotonic = monotonic
        # For a watched source: when the last input was (as far as its events tell), and
        # whether the user has been idle since.
        self._last_input_s = monotonic()
        self._idle = False

    @classmethod
    def open(cls, pause_s: float) -> RecentInput | None:
        """The best fine-grained source here, watching for pauses of `pause_s`; None where
        there is none (the picker then relies on its answer guard alone)."""
        source = choose_idle_source(pause_s).source
        if source is None:
            return None
        if source.name in COARSE_SOURCES:
            source.close()
            return None
        return cls(source, pause_s)

    @property
    def name(self) -> str | None:
        return self._source.name if self._source is not None else None

    def idle_seconds(self) -> float | None:
        source = self._source
        if source is None:
            return None
        try:
            if isinstance(source, PolledIdleSource):
                return source.idle_seconds()
            if isinstance(source, WatchedIdleSource):
                return self._watched_idle(source)
        except IdleSourceError:
            self.close()
        return None

    def _watched_idle(self, source: WatchedIdleSource) -> float:
        now = self._monotonic()
        for event in source.read_events():
            self._idle = event.idle
            self._last_input_s = now - event.idle_for_s if event.idle else now
        since_s = now - self._last_input_s
        if self._idle:
            return since_s
        # Input came since the last pause, maybe more since: it was within the pause length
        # (or the source would have said idle), and no longer ago than the first input seen.
        return min(since_s, self._pause_s * 0.99)

    def close(self) -> None:
        if self._source is not None:
            self._source.close()
            self._source = None
