"""The keychain interface: its states, the notes key, and timeouts that never block the caller."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import keyring
import keyring.core
import pytest
import secretstorage.exceptions
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.errors import KeyringLocked

from sec_desktop import APP_ID
from sec_desktop.privacy.keychain import (
    NOTES_KEY_USERNAME,
    KeyringState,
    SecretStore,
    SecretsUnavailable,
    key_id_for,
)
from tests.helpers.keyrings import HangingKeyring, MemoryKeyring, install

WAIT_S = 30.0  # a bound for waiting on threads, never expected to be reached


def wait_until(condition: Callable[[], bool], timeout_s: float = WAIT_S) -> bool:
    """Poll `condition` until it holds or the deadline passes; True when it held."""
    deadline = time.monotonic() + timeout_s
    pause = threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            return False
        pause.wait(0.01)
    return True


class RaisingKeyring(KeyringBackend):
    priority = -10  # type: ignore[assignment]

    def __init__(self, exc: Exception) -> None:
        super().__init__()
        self.exc = exc

    def get_password(self, service: str, username: str) -> str | None:
        raise self.exc

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.exc

    def delete_password(self, service: str, username: str) -> None:
        raise self.exc


class FileKeyring(MemoryKeyring):
    """Stands in for keyrings.alt's file backends, which keep secrets in a file."""


FileKeyring.__module__ = "keyrings.alt.file"


@pytest.fixture
def use_backend(monkeypatch: pytest.MonkeyPatch) -> Callable[[KeyringBackend], KeyringBackend]:
    """Make `backend` keyring's process-wide backend for this test only."""
    return partial(install, monkeypatch)


@pytest.fixture
def hanging() -> Iterator[HangingKeyring]:
    backend = HangingKeyring(WAIT_S)
    yield backend
    backend.release.set()  # lets the worker thread finish


def test_memory_backend_is_available(use_backend) -> None:
    use_backend(MemoryKeyring())
    status = SecretStore().status()
    assert status.state is KeyringState.AVAILABLE
    assert status.available
    assert status.message == KeyringState.AVAILABLE.message
    assert "MemoryKeyring" in status.backend_name


def test_notes_key_is_created_once_and_read_back(use_backend) -> None:
    backend = MemoryKeyring()
    use_backend(backend)
    store = SecretStore()
    assert store.get_notes_key() is None
    key = store.get_or_create_notes_key()
    assert len(key.key) == 32
    assert key.key_id == key_id_for(key.key)
    assert key.key.hex() not in repr(key)
    # Another process (a fresh SecretStore) gets the same key; nothing makes a second one.
    again = SecretStore().get_or_create_notes_key()
    assert again == key
    assert SecretStore().get_notes_key() == key
    assert list(backend.values) == [(APP_ID, NOTES_KEY_USERNAME)]


def test_delete_notes_key(use_backend) -> None:
    use_backend(MemoryKeyring())
    store = SecretStore()
    store.get_or_create_notes_key()
    assert store.delete_notes_key() is True
    assert store.get_notes_key() is None
    assert store.delete_notes_key() is False


def test_a_damaged_key_is_reported_and_never_overwritten(use_backend) -> None:
    backend = MemoryKeyring()
    backend.values[(APP_ID, NOTES_KEY_USERNAME)] = "not a key"
    use_backend(backend)
    with pytest.raises(SecretsUnavailable) as caught:
        SecretStore().get_or_create_notes_key()
    assert caught.value.status.state is KeyringState.ERROR
    assert "not a notes key" in str(caught.value)
    assert backend.values[(APP_ID, NOTES_KEY_USERNAME)] == "not a key"


def test_key_creation_uses_the_lock_in_the_config_dir(use_backend, isolated_dirs) -> None:
    use_backend(MemoryKeyring())
    key = SecretStore(lock_dir=isolated_dirs["config"]).get_or_create_notes_key()
    written = [p for p in isolated_dirs["config"].rglob("*") if p.is_file()]
    assert [p.name for p in written] == ["notes-key.lock"]
    assert key.key not in written[0].read_bytes()


@pytest.mark.parametrize(
    "backend",
    [fail.Keyring(), null.Keyring(), FileKeyring()],
    ids=["fail", "null", "keyrings.alt-file"],
)
def test_no_usable_backend(use_backend, backend: KeyringBackend, isolated_dirs) -> None:
    use_backend(backend)
    store = SecretStore()
    status = store.status()
    assert status.state is KeyringState.NO_BACKEND
    assert "notes are stored unencrypted" in status.message
    with pytest.raises(SecretsUnavailable) as caught:
        store.get_or_create_notes_key()
    assert caught.value.status.state is KeyringState.NO_BACKEND
    # No fallback: nothing was written anywhere instead.
    if isinstance(backend, FileKeyring):
        assert backend.values == {}
    assert not any(p.is_file() for p in isolated_dirs["home"].rglob("*"))


def test_an_empty_chainer_is_no_backend(use_backend, monkeypatch) -> None:
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    use_backend(chainer.ChainerBackend())
    assert SecretStore().status().state is KeyringState.NO_BACKEND


def test_the_environment_default_in_tests_is_no_backend(monkeypatch) -> None:
    # conftest points keyring at the fail backend, so no test reaches the real keychain.
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    assert SecretStore().status().state is KeyringState.NO_BACKEND


@pytest.mark.parametrize(
    "exc",
    [
        KeyringLocked("Failed to unlock the collection!"),
        secretstorage.exceptions.LockedException("Collection is locked!"),
        secretstorage.exceptions.PromptDismissedException("Prompt dismissed."),
    ],
    ids=["KeyringLocked", "LockedException", "PromptDismissed"],
)
def test_locked_keychain(use_backend, exc: Exception) -> None:
    use_backend(RaisingKeyring(exc))
    store = SecretStore()
    status = store.status()
    assert status.state is KeyringState.LOCKED
    assert "locked" in status.message
    with pytest.raises(SecretsUnavailable) as caught:
        store.get_or_create_notes_key()
    assert caught.value.status.state is KeyringState.LOCKED


def test_other_backend_failures_are_errors_with_detail(use_backend) -> None:
    use_backend(RaisingKeyring(OSError("D-Bus connection reset")))
    status = SecretStore().status()
    assert status.state is KeyringState.ERROR
    assert status.detail == "D-Bus connection reset"


def test_a_hanging_keychain_times_out_without_blocking_the_caller(use_backend, hanging) -> None:
    use_backend(hanging)
    store = SecretStore(timeout_s=0.2)
    future = store.status_async()
    # The call is inside the keychain, and still this thread goes on.
    assert hanging.entered.wait(WAIT_S)
    status = future.result(timeout=WAIT_S)
    assert status.state is KeyringState.TIMED_OUT
    assert "did not answer" in status.message
    assert not hanging.release.is_set()  # answered while the keychain still hangs
    # While the keychain is stuck, further calls fail at once instead of queueing.
    with pytest.raises(SecretsUnavailable) as caught:
        store.get_or_create_notes_key()
    assert caught.value.status.state is KeyringState.TIMED_OUT
    assert "earlier keychain request" in caught.value.status.detail
    assert store.status().state is KeyringState.TIMED_OUT


def test_calls_work_again_once_a_hung_call_returns(use_backend, hanging) -> None:
    use_backend(hanging)
    store = SecretStore(timeout_s=0.2)
    assert store.status().state is KeyringState.TIMED_OUT
    memory = MemoryKeyring()
    keyring.set_keyring(memory)  # the keychain "recovers"
    hanging.release.set()
    assert wait_until(lambda: store.status().state is not KeyringState.TIMED_OUT)
    assert store.status().state is KeyringState.AVAILABLE
    assert store.get_or_create_notes_key() == store.get_notes_key()


def test_a_hung_keychain_call_does_not_hold_up_the_exit(tmp_path: Path) -> None:
    # The worker is a daemon thread; an executor's worker would be joined at exit forever.
    code = (
        "import threading\n"
        "from keyring.backend import KeyringBackend\n"
        "from sec_desktop.privacy.keychain import SecretStore\n"
        "class Stuck(KeyringBackend):\n"
        "    priority = -10\n"
        "    def get_password(self, service, username):\n"
        "        threading.Event().wait()\n"
        "    set_password = delete_password = get_password\n"
        "print(SecretStore(backend=Stuck(), timeout_s=0.2).status().state.value)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "timed-out"


def test_an_explicit_backend_wins_over_keyring_global(use_backend) -> None:
    use_backend(fail.Keyring())
    memory = MemoryKeyring()
    store = SecretStore(backend=memory)
    assert store.status().available
    store.get_or_create_notes_key()
    assert (APP_ID, NOTES_KEY_USERNAME) in memory.values


def test_a_backend_factory_is_asked_on_the_worker_and_may_hang(hanging) -> None:
    def factory() -> KeyringBackend:
        hanging.get_password("probe", "probe")  # blocks like a slow keyring discovery
        return MemoryKeyring()

    store = SecretStore(backend=factory, timeout_s=0.2)
    assert store.status().state is KeyringState.TIMED_OUT
    assert hanging.entered.is_set()
    hanging.release.set()
    assert wait_until(lambda: store.status().state is KeyringState.AVAILABLE)
