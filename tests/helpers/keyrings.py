"""Keychains for tests: a dict that stands in for the OS keychain, a locked one and one that hangs.

The negative priority keeps keyring from ever choosing them on its own; tests install them
with `install`.
"""

from __future__ import annotations

import threading
from typing import TypeVar

import keyring
import keyring.core
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError

Backend = TypeVar("Backend", bound=KeyringBackend)


def install(monkeypatch: pytest.MonkeyPatch, backend: Backend) -> Backend:
    """Make `backend` keyring's process-wide backend for one test; monkeypatch puts the
    previous one back afterwards."""
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    keyring.set_keyring(backend)
    return backend


class MemoryKeyring(KeyringBackend):
    """A keychain in a dict."""

    priority = -10  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.values.pop((service, username), None) is None:
            raise PasswordDeleteError("no such password")


class LockedKeyring(MemoryKeyring):
    """A keychain the user has not unlocked: every call is refused as Secret Service does."""

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")


class HangingKeyring(MemoryKeyring):
    """Every call blocks until the test sets `release`, like a keychain stuck behind a prompt;
    `entered` tells the test a call is waiting. `wait_s` only bounds a forgotten release."""

    def __init__(self, wait_s: float = 60.0) -> None:
        super().__init__()
        self.wait_s = wait_s
        self.entered = threading.Event()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.entered.set()
        self.release.wait(self.wait_s)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.get_password(service, username)

    def delete_password(self, service: str, username: str) -> None:
        self.get_password(service, username)


# The file of FileKeyring, for a child process that must see the same keychain as its test.
FILE_KEYRING_ENV = "SEC_DESKTOP_TEST_KEYRING_FILE"


class FileKeyring(MemoryKeyring):
    """A keychain in a JSON file named by $SEC_DESKTOP_TEST_KEYRING_FILE, so a test and the
    processes it starts (PYTHON_KEYRING_BACKEND=tests.helpers.keyrings.FileKeyring) share it."""

    def _load(self) -> None:
        import json
        import os
        from pathlib import Path

        path = Path(os.environ[FILE_KEYRING_ENV])
        stored = json.loads(path.read_text()) if path.is_file() else {}
        self.values = {tuple(k.split("\0", 1)): v for k, v in stored.items()}  # type: ignore[misc]

    def _save(self) -> None:
        import json
        import os
        from pathlib import Path

        stored = {"\0".join(k): v for k, v in self.values.items()}
        Path(os.environ[FILE_KEYRING_ENV]).write_text(json.dumps(stored))

    def get_password(self, service: str, username: str) -> str | None:
        self._load()
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self._load()
        super().set_password(service, username, password)
        self._save()

    def delete_password(self, service: str, username: str) -> None:
        self._load()
        super().delete_password(service, username)
        self._save()
