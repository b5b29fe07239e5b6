"""The keychain check in a process of its own (privacy/helper.py): the tray never loads
keyring, and the state it gets back is the one an in-process check gives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import sec_desktop.__main__ as entry
from sec_desktop.privacy.helper import HELPER_ARG, state_from_json, state_json
from sec_desktop.privacy.keychain import SecretStore
from sec_desktop.privacy.notes import EncryptionMode
from sec_desktop.privacy.state import assess
from tests.helpers.keyrings import FILE_KEYRING_ENV, FileKeyring

ROOT = Path(__file__).resolve().parents[3]

# Runs in a fresh interpreter, as the tray does: keyring is not loaded there.
CHECK = """
import json, sys
from pathlib import Path
from sec_desktop.privacy.helper import assess_elsewhere
state = assess_elsewhere(Path(sys.argv[1]), "laptop", Path(sys.argv[2]), 5.0)
cipher = state.note_cipher()
sealed = cipher.seal("met the auditors", "e1") if cipher else None
print(json.dumps({
    "keyring_state": state.keyring.state.value,
    "mode": state.mode.value,
    "message": state.message,
    "offer": state.offer.name if state.offer else None,
    "key_id": cipher.key_id if cipher else None,
    "sealed": sealed,
    "loaded_here": sorted(m for m in ("keyring", "secretstorage", "jeepney") if m in sys.modules),
}))
"""


def run_check(tmp_path: Path, env: dict[str, str]) -> dict[str, object]:
    data, config = tmp_path / "data", tmp_path / "config"
    data.mkdir(exist_ok=True)
    config.mkdir(exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", CHECK, str(data), str(config)],
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return dict(json.loads(done.stdout))


def test_the_entry_point_knows_the_helper_argument() -> None:
    assert entry.PRIVACY_HELPER_ARG == HELPER_ARG


def test_no_backend_is_reported_from_the_child_and_keyring_never_loads_here(
    tmp_path: Path,
) -> None:
    # conftest's environment: keyring finds no backend (in the child too).
    result = run_check(tmp_path, {})
    assert result["keyring_state"] == "no-backend"
    assert result["message"] == "No keychain is available, so notes are stored unencrypted."
    assert result["key_id"] is None
    assert result["loaded_here"] == []


def test_a_keychain_turns_encryption_on_and_its_key_seals_notes_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring_file = tmp_path / "keyring.json"
    env = {
        "PYTHON_KEYRING_BACKEND": "tests.helpers.keyrings.FileKeyring",
        FILE_KEYRING_ENV: str(keyring_file),
    }
    result = run_check(tmp_path, env)
    assert result["keyring_state"] == "available"
    assert result["mode"] == "on"  # the default, applied by the child in the data folder
    assert result["loaded_here"] == []
    # The key the child used is the keychain's: a note sealed here opens with it.
    monkeypatch.setenv(FILE_KEYRING_ENV, str(keyring_file))
    secrets = SecretStore(backend=FileKeyring(), lock_dir=tmp_path / "config")
    state = assess(tmp_path / "data", "laptop", secrets)
    cipher = state.note_cipher()
    assert cipher is not None and cipher.key_id == result["key_id"]
    assert cipher.open(result["sealed"], "e1") == "met the auditors"
    assert state.mode is EncryptionMode.ON


def test_the_state_survives_the_pipe_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FILE_KEYRING_ENV, str(tmp_path / "keyring.json"))
    secrets = SecretStore(backend=FileKeyring(), lock_dir=tmp_path)
    (tmp_path / "data").mkdir()
    state = assess(tmp_path / "data", "laptop", secrets)
    assert state.notes_key is not None
    again = state_from_json(json.loads(json.dumps(state_json(state))))
    assert again.cipher is None  # made only when a note needs it
    assert (again.keyring, again.mode, again.notes, again.message) == (
        state.keyring,
        state.mode,
        state.notes,
        state.message,
    )
    assert (again.warning, again.offer, again.done) == (state.warning, state.offer, state.done)
    assert again.notes_key == state.notes_key
    made = again.note_cipher()
    assert made is not None and made is again.note_cipher()  # made once
    assert made.key_id == state.notes_key.key_id
