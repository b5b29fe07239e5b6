"""A keychain of one device for end-to-end tests: a keyring backend keeping its secrets in a
JSON file in that device's home ($SEC_DESKTOP_TEST_KEYCHAIN), so `sec-desktop` processes run
as device A share A's keychain and never see B's.

Chosen with PYTHON_KEYRING_BACKEND=tests.e2e.device_keychain.DeviceKeychain; its negative
priority keeps keyring from ever picking it on its own.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

KEYCHAIN_ENV = "SEC_DESKTOP_TEST_KEYCHAIN"
BACKEND = "tests.e2e.device_keychain.DeviceKeychain"


class DeviceKeychain(KeyringBackend):
    priority = -10

    @property
    def path(self) -> Path:
        return Path(os.environ[KEYCHAIN_ENV])

    def _read(self) -> dict[str, str]:
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        assert isinstance(loaded, dict)
        return loaded

    def _write(self, values: dict[str, str]) -> None:
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(values), encoding="utf-8")
        temporary.replace(self.path)

    @staticmethod
    def _key(service: str, username: str) -> str:
        return f"{service}\n{username}"

    def get_password(self, service: str, username: str) -> str | None:
        return self._read().get(self._key(service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        values = self._read()
        values[self._key(service, username)] = password
        self._write(values)

    def delete_password(self, service: str, username: str) -> None:
        values = self._read()
        if values.pop(self._key(service, username), None) is None:
            raise PasswordDeleteError(f"no {username!r} in {service!r}")
        self._write(values)
