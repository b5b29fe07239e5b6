"""The OS keychain behind a small interface with states the user can see. No Qt here.

Every keyring call runs on a worker thread and is given up after a timeout, so a locked or
hanging keychain can't freeze the caller. There is no plaintext fallback: when no keychain is
usable the key is simply not available, and callers keep notes unencrypted and say so.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sec_desktop import APP_ID

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

T = TypeVar("T")

KEYRING_TIMEOUT_S = 10.0
NOTES_KEY_USERNAME = "notes-key"
NOTES_KEY_BYTES = 32  # AES-256
KEY_VALUE_PREFIX = "sec-desktop-notes-key:v1"
KEY_LOCK_FILE = "notes-key.lock"


class KeyringState(Enum):
    """What the user is told about the keychain; each state carries its sentence."""

    AVAILABLE = "available"
    LOCKED = "locked"
    NO_BACKEND = "no-backend"
    TIMED_OUT = "timed-out"
    ERROR = "error"

    @property
    def message(self) -> str:
        return _STATE_MESSAGES[self]


_STATE_MESSAGES = {
    KeyringState.AVAILABLE: "The keychain is available.",
    KeyringState.LOCKED: "The keychain is locked; unlock it to read and save encrypted notes.",
    KeyringState.NO_BACKEND: (
        "No keychain is available on this system, so notes are stored unencrypted."
    ),
    KeyringState.TIMED_OUT: (
        "The keychain did not answer in time; encrypted notes can't be read or saved until it does."
    ),
    KeyringState.ERROR: "The keychain reported an error; encrypted notes can't be read or saved.",
}


@dataclass(frozen=True)
class KeyringStatus:
    """The keychain's state, the backend's display name, and a sentence for the user."""

    state: KeyringState
    backend_name: str
    message: str
    detail: str = ""

    @property
    def available(self) -> bool:
        return self.state is KeyringState.AVAILABLE


@dataclass(frozen=True, repr=False)
class NotesKey:
    """The key that encrypts notes and its public id (a hash prefix, safe to store anywhere)."""

    key: bytes
    key_id: str

    def __repr__(self) -> str:  # never print the key itself
        return f"NotesKey(key_id={self.key_id!r})"


class SecretsUnavailable(Exception):
    """The keychain could not do what was asked; `status` says why in the user's words."""

    def __init__(self, status: KeyringStatus) -> None:
        super().__init__(status.message + (f" ({status.detail})" if status.detail else ""))
        self.status = status


class DamagedKey(Exception):
    """The keychain holds a value under our name that is not a notes key; it is left as is."""


def key_id_for(key: bytes) -> str:
    """A short public id of a key, so a marker or a note can say which key it needs."""
    return hashlib.sha256(b"sec-desktop notes key id\0" + key).hexdigest()[:16]


def _encode_key(key: bytes) -> str:
    return f"{KEY_VALUE_PREFIX}:{key_id_for(key)}:{base64.b64encode(key).decode('ascii')}"


def _decode_key(value: str) -> NotesKey:
    damaged = DamagedKey("the value stored as the notes key in the keychain is not a notes key")
    prefix, _, rest = value.rpartition(":")
    head, _, key_id = prefix.rpartition(":")
    if head != KEY_VALUE_PREFIX:
        raise damaged
    try:
        key = base64.b64decode(rest, validate=True)
    except ValueError as exc:
        raise damaged from exc
    if len(key) != NOTES_KEY_BYTES or key_id_for(key) != key_id:
        raise damaged
    return NotesKey(key, key_id)


# Backends -------------------------------------------------------------------------------

_BACKEND_NAMES = {
    "keyring.backends.SecretService": "Secret Service",
    "keyring.backends.libsecret": "libsecret",
    "keyring.backends.kwallet": "KWallet",
    "keyring.backends.macOS": "macOS Keychain",
    "keyring.backends.Windows": "Windows Credential Manager",
    "keyring.backends.fail": "none",
    "keyring.backends.null": "none (disabled)",
}


def backend_name(backend: object) -> str:
    """A name a user recognises for a keyring backend."""
    module = type(backend).__module__
    for prefix, name in _BACKEND_NAMES.items():
        if module == prefix or module.startswith(prefix + "."):
            return name
    chained = getattr(type(backend), "backends", None)
    if type(backend).__name__ == "ChainerBackend" and chained:
        return " + ".join(backend_name(b) for b in chained)
    return f"{module}.{type(backend).__qualname__}"


def known_backends() -> list[str]:
    """The keyring backends this build can load, from keyring's entry points.

    Empty in a frozen bundle that lost keyring's package metadata: keyring then finds no
    backend at all, so installer smoke tests check this list.
    """
    from importlib.metadata import entry_points

    return sorted(ep.name for ep in entry_points(group="keyring.backends"))


def _unusable_reason(backend: KeyringBackend) -> str | None:
    """Why a backend can't hold the key, or None when it can."""
    from keyring.backends import chainer, fail, null

    if isinstance(backend, fail.Keyring):
        return "keyring found no backend"
    if isinstance(backend, null.Keyring):
        return "keyring is disabled by its configuration"
    if isinstance(backend, chainer.ChainerBackend) and not chainer.ChainerBackend.backends:
        return "keyring found no backend"
    # keyrings.alt stores secrets in files; that is the plaintext fallback we never use.
    if type(backend).__module__.startswith("keyrings.alt"):
        return f"{backend_name(backend)} keeps secrets in a file, which SEC Desktop doesn't use"
    return None


def _exception_state(exc: BaseException) -> KeyringState:
    from keyring.errors import KeyringLocked, NoKeyringError

    if isinstance(exc, KeyringLocked):
        return KeyringState.LOCKED
    if isinstance(exc, NoKeyringError):
        return KeyringState.NO_BACKEND
    # secretstorage raises these when a collection stays locked or its unlock prompt is
    # dismissed; matched by name so this module does not import secretstorage everywhere.
    names = {cls.__name__ for cls in type(exc).__mro__}
    if names & {"LockedException", "PromptDismissedException"}:
        return KeyringState.LOCKED
    return KeyringState.ERROR


# The worker ------------------------------------------------------------------------------


class _Request(Generic[T]):
    __slots__ = ("future", "operation", "timer")

    def __init__(self, operation: Callable[[], T], future: Future[T]) -> None:
        self.operation = operation
        self.future = future
        self.timer: threading.Timer | None = None


class SecretStore:
    """The app's secrets in the OS keychain, under the service name `APP_ID`.

    Calls are serialised on one daemon worker thread. Each blocking method returns or raises
    within `timeout_s`; each `*_async` method returns a Future that completes within it (a
    GUI polls or attaches a callback and never waits). A call stuck in the keychain makes the
    next ones fail at once with TIMED_OUT rather than queue behind it. `backend` (an instance
    or a factory) replaces keyring's own choice; `lock_dir` (the config folder) holds the lock
    that keeps two processes from creating two keys at once.
    """

    def __init__(
        self,
        service: str = APP_ID,
        *,
        backend: KeyringBackend | Callable[[], KeyringBackend] | None = None,
        timeout_s: float = KEYRING_TIMEOUT_S,
        lock_dir: Path | None = None,
    ) -> None:
        self.service = service
        self.timeout_s = timeout_s
        self._backend = backend
        self._lock_dir = lock_dir
        self._queue: queue.SimpleQueue[_Request[Any]] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._state_lock = threading.Lock()
        self._running: _Request[Any] | None = None
        self._stuck = False
        self._name = "unknown"

    # Worker plumbing ------------------------------------------------------------------

    def _submit(self, operation: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        request = _Request(operation, future)
        with self._state_lock:
            if self._stuck:
                future.set_exception(
                    SecretsUnavailable(
                        self._timed_out("an earlier keychain request is still unanswered")
                    )
                )
                return future
            # A plain daemon thread, not a ThreadPoolExecutor: the executor joins its threads
            # at exit, so a keychain call that never returns would hang the app's quit.
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._work, name="sec-desktop-keyring", daemon=True
                )
                self._worker.start()
        timer = threading.Timer(self.timeout_s, self._expire, args=(request,))
        timer.daemon = True
        request.timer = timer
        timer.start()
        self._queue.put(request)
        return future

    def _work(self) -> None:
        while True:
            request = self._queue.get()
            if request.future.done():
                continue  # timed out while waiting in the queue
            with self._state_lock:
                self._running = request
            try:
                result = request.operation()
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's future
                outcome: tuple[bool, Any] = (False, exc)
            else:
                outcome = (True, result)
            with self._state_lock:
                self._running = None
                self._stuck = False
            if request.timer is not None:
                request.timer.cancel()
            with contextlib.suppress(Exception):  # the timer may have completed it already
                if outcome[0]:
                    request.future.set_result(outcome[1])
                else:
                    request.future.set_exception(outcome[1])

    def _expire(self, request: _Request[Any]) -> None:
        with self._state_lock:
            if request is self._running:
                self._stuck = True
        with contextlib.suppress(Exception):
            request.future.set_exception(
                SecretsUnavailable(self._timed_out(f"no answer within {self.timeout_s:g} seconds"))
            )

    def _timed_out(self, detail: str) -> KeyringStatus:
        return KeyringStatus(
            KeyringState.TIMED_OUT, self._name, KeyringState.TIMED_OUT.message, detail
        )

    def _wait(self, future: Future[T]) -> T:
        # The timer completes the future at the deadline; the margin only guards against a
        # timer thread that could not start.
        try:
            return future.result(timeout=self.timeout_s + 1.0)
        except FutureTimeout as exc:
            raise SecretsUnavailable(self._timed_out("no answer in time")) from exc

    # Keychain access (worker thread only) ------------------------------------------------

    def _usable_backend(self) -> KeyringBackend:
        if callable(self._backend):  # a factory, asked here on the worker: it may hang too
            backend = self._backend()
        elif self._backend is not None:
            backend = self._backend
        else:
            import keyring

            backend = keyring.get_keyring()
        self._name = backend_name(backend)
        reason = _unusable_reason(backend)
        if reason is not None:
            raise SecretsUnavailable(
                KeyringStatus(
                    KeyringState.NO_BACKEND, self._name, KeyringState.NO_BACKEND.message, reason
                )
            )
        return backend

    def _guarded(self, operation: Callable[[KeyringBackend], T]) -> Callable[[], T]:
        """Run `operation` on the usable backend, turning every failure into a status."""

        def run() -> T:
            backend = self._usable_backend()
            try:
                return operation(backend)
            except SecretsUnavailable:
                raise
            except DamagedKey as exc:
                status = KeyringStatus(
                    KeyringState.ERROR, self._name, KeyringState.ERROR.message, str(exc)
                )
                raise SecretsUnavailable(status) from exc
            except Exception as exc:  # backends raise anything; classify it
                state = _exception_state(exc)
                detail = str(exc) or type(exc).__name__
                raise SecretsUnavailable(
                    KeyringStatus(state, self._name, state.message, detail)
                ) from exc

        return run

    def _read_key(self, backend: KeyringBackend) -> NotesKey | None:
        value = backend.get_password(self.service, NOTES_KEY_USERNAME)
        return None if value is None else _decode_key(value)

    def _key_lock(self) -> contextlib.AbstractContextManager[object]:
        """Keeps two processes of this user from creating two different keys at once."""
        if self._lock_dir is None:
            return contextlib.nullcontext()
        from sec_desktop.store.atomic import ensure_private_dir
        from sec_desktop.store.file_lock import FileLock

        ensure_private_dir(self._lock_dir)
        return FileLock(self._lock_dir / KEY_LOCK_FILE, timeout=self.timeout_s, mode=0o600)

    def _get_or_create(self, backend: KeyringBackend) -> NotesKey:
        with self._key_lock():
            existing = self._read_key(backend)
            if existing is not None:
                return existing
            key = os.urandom(NOTES_KEY_BYTES)
            backend.set_password(self.service, NOTES_KEY_USERNAME, _encode_key(key))
            # Read back: a keychain that accepts a write and drops it must not get our notes.
            stored = self._read_key(backend)
            if stored is None or stored.key != key:
                raise SecretsUnavailable(
                    KeyringStatus(
                        KeyringState.ERROR,
                        self._name,
                        KeyringState.ERROR.message,
                        "the keychain did not keep the new key",
                    )
                )
            return stored

    def _store(self, backend: KeyringBackend, key: bytes) -> NotesKey:
        with self._key_lock():
            try:
                existing = self._read_key(backend)
            except DamagedKey:
                existing = None  # not a key of ours to keep; it is replaced
            if existing is not None and existing.key == key:
                return existing
            if existing is not None:
                # Kept under its own id, never dropped: notes it sealed still need it.
                backend.set_password(
                    self.service,
                    f"{NOTES_KEY_USERNAME}:{existing.key_id}",
                    _encode_key(existing.key),
                )
            backend.set_password(self.service, NOTES_KEY_USERNAME, _encode_key(key))
            stored = self._read_key(backend)
            if stored is None or stored.key != key:
                raise SecretsUnavailable(
                    KeyringStatus(
                        KeyringState.ERROR,
                        self._name,
                        KeyringState.ERROR.message,
                        "the keychain did not keep the notes key",
                    )
                )
            return stored

    def _delete(self, backend: KeyringBackend) -> bool:
        from keyring.errors import PasswordDeleteError

        with self._key_lock():
            if backend.get_password(self.service, NOTES_KEY_USERNAME) is None:
                return False
            try:
                backend.delete_password(self.service, NOTES_KEY_USERNAME)
            except PasswordDeleteError:
                return False
            return True

    def _probe(self) -> KeyringStatus:
        try:
            self._guarded(self._read_key)()
        except SecretsUnavailable as exc:
            return exc.status
        return KeyringStatus(KeyringState.AVAILABLE, self._name, KeyringState.AVAILABLE.message)

    # Public API -----------------------------------------------------------------------

    def status_async(self) -> Future[KeyringStatus]:
        """The keychain's state; the Future always gets a result (never an exception)."""
        probe = self._submit(self._probe)
        result: Future[KeyringStatus] = Future()

        def settle(done: Future[KeyringStatus]) -> None:
            exc = done.exception()
            if exc is None:
                result.set_result(done.result())
            elif isinstance(exc, SecretsUnavailable):
                result.set_result(exc.status)
            else:  # pragma: no cover - _probe turns every failure into a status
                result.set_result(
                    KeyringStatus(
                        KeyringState.ERROR, self._name, KeyringState.ERROR.message, str(exc)
                    )
                )

        probe.add_done_callback(settle)
        return result

    def status(self) -> KeyringStatus:
        """The keychain's state, within `timeout_s`; reading it may show an unlock prompt."""
        try:
            return self._wait(self.status_async())
        except SecretsUnavailable as exc:
            return exc.status

    def get_notes_key_async(self) -> Future[NotesKey | None]:
        return self._submit(self._guarded(self._read_key))

    def get_notes_key(self) -> NotesKey | None:
        """The stored notes key, or None when the keychain has none.

        Raises SecretsUnavailable when the keychain can't be asked or holds a damaged key.
        """
        return self._wait(self.get_notes_key_async())

    def get_or_create_notes_key_async(self) -> Future[NotesKey]:
        return self._submit(self._guarded(self._get_or_create))

    def get_or_create_notes_key(self) -> NotesKey:
        """The notes key, made and stored first if the keychain has none; never overwrites."""
        return self._wait(self.get_or_create_notes_key_async())

    def store_notes_key_async(self, key: bytes) -> Future[NotesKey]:
        return self._submit(self._guarded(lambda backend: self._store(backend, key)))

    def store_notes_key(self, key: bytes) -> NotesKey:
        """Keep `key` (unlocked from the data folder) as this device's notes key. A different
        key held before is kept beside it under its id, never deleted."""
        return self._wait(self.store_notes_key_async(key))

    def delete_notes_key_async(self) -> Future[bool]:
        return self._submit(self._guarded(self._delete))

    def delete_notes_key(self) -> bool:
        """Remove the notes key from the keychain; False when there was none."""
        return self._wait(self.delete_notes_key_async())
