"""A keychain in a JSON file, for end-to-end tests whose devices run `sec-desktop` as separate
processes: each device gets its own file (`SEC_TEST_KEYRING_FILE`), so each keeps its own key
as a real machine's keychain would. Selected with
PYTHON_KEYRING_BACKEND=tests.helpers.file_keyring.FileKeyring; never chosen on its own."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

KEYRING_FILE_ENV = "SEC_TEST_KEYRING_FILE"
BACKEND_NAME = "tests.helpers.file_keyring.FileKeyring"


class FileKeyring(KeyringBackend):
    priority = -10  # type: ignore[assignment]

    @property
    def path(self) -> Path:
        return Path(os.environ[KEYRING_FILE_ENV])

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return dict(data)

    def _save(self, values: dict[str, str]) -> None:
        temp = self.path.with_name(self.path.name + ".tmp")
        temp.write_text(json.dumps(values), encoding="utf-8")
        temp.replace(self.path)

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\0{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        values = self._load()
        values[f"{service}\0{username}"] = password
        self._save(values)

    def delete_password(self, service: str, username: str) -> None:
        values = self._load()
        if values.pop(f"{service}\0{username}", None) is None:
            raise PasswordDeleteError("no such password")
        self._save(values)
