"""Prompt notifications with buttons on macOS and Windows, behind the interface the prompt
uses on Linux (`DesktopNotifications`): show with buttons -> id, replace, close, and the
buttons pressed and notifications closed as `events()`.

The OS reports a press on its own thread (a WinRT thread, the Cocoa delegate); the server
queues the event and calls `wake`, which the GUI makes a queued Qt signal, so `events()`
is read on the Qt thread. No Qt here.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from sec_desktop import APP_ID
from sec_desktop.platform.notifications import (
    ActionInvoked,
    NotificationClosed,
    NotificationsUnavailable,
)

log = logging.getLogger(__name__)

# Windows only shows buttons on toasts of an app it knows by this AppUserModelID: the
# installer's Start-menu shortcut carries it (packaging/windows/sec-desktop.iss) and the
# app sets it on its process (ui/app.py). macOS knows the app by its bundle id, the same.
NOTIFICATION_APP_ID = APP_ID
# A call still under way at stop may be waiting for the user (macOS's permission question).
DRAIN_TIMEOUT_S = 2.0
STOP_TIMEOUT_S = 5.0

Event = ActionInvoked | NotificationClosed


class NativeNoticeServer(ABC):
    """What the macOS and Windows servers share: our int ids, the event queue that OS
    threads fill, and the wake call. `fileno()` is None: there is no socket to watch."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[Event] = []
        self._failure: str | None = None
        self._wake: Callable[[], None] | None = None
        self._last_id = 0

    def listen(self, wake: Callable[[], None]) -> None:
        """Call `wake` (from any thread) whenever events or a failure arrive."""
        with self._lock:
            self._wake = wake
            waiting = bool(self._queue) or self._failure is not None
        if waiting:
            wake()

    def _next_id(self) -> int:
        self._last_id += 1
        return self._last_id

    def post(self, event: Event) -> None:
        """From any thread: an event for the GUI."""
        with self._lock:
            self._queue.append(event)
            wake = self._wake
        if wake is not None:
            wake()

    def fail(self, reason: str) -> None:
        """From any thread: the OS can't show prompts after all; `events()` raises it."""
        log.warning("prompt notifications failed: %s", reason)
        with self._lock:
            if self._failure is None:
                self._failure = reason
            wake = self._wake
        if wake is not None:
            wake()

    def events(self) -> list[Event]:
        with self._lock:
            events, self._queue = self._queue, []
            failure = self._failure
        if failure is not None:
            raise NotificationsUnavailable(failure)
        return events

    def fileno(self) -> int | None:
        return None

    @abstractmethod
    def notify_actions(
        self,
        title: str,
        body: str,
        actions: Sequence[tuple[str, str]],
        *,
        replaces_id: int = 0,
        expire_ms: int = -1,
    ) -> int:
        """Show a notification with these (key, label) buttons ("default": the click on its
        body, not a button), or replace the one with `replaces_id`; its id."""

    @abstractmethod
    def withdraw(self, notification_id: int) -> None: ...

    @abstractmethod
    def close(self) -> None: ...


class EventLoopThread:
    """One asyncio loop in one worker thread, for a library whose calls are coroutines;
    started and stopped with the server that owns it."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            loop.run_forever()
            loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=run, name=self._name, daemon=True)
        self._thread.start()
        ready.wait()

    def submit(
        self, coro: Coroutine[Any, Any, None], on_error: Callable[[BaseException], None]
    ) -> None:
        """Run `coro` on the loop without waiting for it; an exception goes to `on_error`."""
        if self._loop is None:
            coro.close()
            on_error(RuntimeError("the notification worker is not running"))
            return
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)

        def done(f: Any) -> None:
            if not f.cancelled() and f.exception() is not None:
                on_error(f.exception())

        future.add_done_callback(done)

    def stop(self) -> None:
        """Finish the calls under way (the withdrawal at quit is one), within a bound, then
        stop the loop and wait for the thread; safe to call twice."""
        loop, thread = self._loop, self._thread
        self._loop, self._thread = None, None
        if loop is None or thread is None:
            return

        async def drain_then_stop() -> None:
            others = asyncio.all_tasks() - {asyncio.current_task()}
            if others:
                await asyncio.wait(others, timeout=DRAIN_TIMEOUT_S)
            loop.stop()

        asyncio.run_coroutine_threadsafe(drain_then_stop(), loop)
        thread.join(STOP_TIMEOUT_S)
        if thread.is_alive():
            log.warning("the notification worker did not stop within %g s", STOP_TIMEOUT_S)


__all__ = [
    "NOTIFICATION_APP_ID",
    "EventLoopThread",
    "NativeNoticeServer",
]
