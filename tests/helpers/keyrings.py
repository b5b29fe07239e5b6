"""Keychains for tests: a dict that stands in for the OS keychain, and a locked one.

The negative priority keeps keyring from ever choosing them on its own; tests install them
with `install`.
"""

from __future__ import annotations

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
