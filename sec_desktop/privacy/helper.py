"""The tray's keychain check in a short-lived process of its own.

keyring loads its backends' whole tree (secretstorage, jeepney, cryptography's bindings,
importlib's entry points): about 23 MB of resident memory that a tray would keep all day for
one check at start. `assess_elsewhere` runs `privacy.state.assess` in a child process (the
same executable, started with HELPER_ARG) and rebuilds its PrivacyState from the JSON the
child prints. The notes key comes back with it, and cryptography is loaded in the tray only
when a note is first sealed or opened. Where keyring is already loaded in this process (the
command line, tests that set a backend here), the check runs here: it costs nothing more,
and a backend set in this process is only visible here.
"""

from __future__ import annotations

import base64
import binascii
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sec_desktop.privacy.keychain import KeyringState, KeyringStatus, NotesKey, SecretStore
from sec_desktop.privacy.notes import EncryptionMode, NotesStatus
from sec_desktop.privacy.state import Offer, PrivacyState, assess
from sec_desktop.store.notes_crypto import EncryptionMarker

# The first argument that makes `python -m sec_desktop` (or the frozen app) run the check.
HELPER_ARG = "--privacy-check-helper"
# Beyond the keychain's own timeout (each call may take that long): the process start and
# reading the data folder's notes.
HELPER_MARGIN_S = 30.0
# Keychain calls a check makes at most (status, the key, a new key), each with its timeout.
KEYCHAIN_CALLS = 3


class HelperError(RuntimeError):
    """The check process failed or answered what this version can't read; says which."""


def helper_command() -> list[str]:
    """The same program as this one: the frozen app's executable, or this Python."""
    if getattr(sys, "frozen", False):
        return [sys.executable, HELPER_ARG]
    return [sys.executable, "-m", "sec_desktop", HELPER_ARG]


def assess_elsewhere(
    data_dir: Path, device_id: str, lock_dir: Path, timeout_s: float
) -> PrivacyState:
    """`assess` with a keychain whose calls time out after `timeout_s`, in a child process
    unless keyring is loaded here already. Blocks: the app calls it off the GUI thread."""
    if "keyring" in sys.modules:
        return assess(data_dir, device_id, SecretStore(lock_dir=lock_dir, timeout_s=timeout_s))
    request = {
        "data_dir": str(data_dir),
        "device": device_id,
        "lock_dir": str(lock_dir),
        "timeout_s": timeout_s,
    }
    try:
        done = subprocess.run(
            [*helper_command(), json.dumps(request)],
            capture_output=True,
            text=True,
            timeout=KEYCHAIN_CALLS * timeout_s + HELPER_MARGIN_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:  # the child is killed by run()
        raise HelperError(f"the notes check took longer than {exc.timeout:.0f} s") from exc
    except OSError as exc:
        raise HelperError(f"the notes check could not start: {exc}") from exc
    if done.returncode != 0:
        why = done.stderr.strip().splitlines()[-1:] or [f"exit code {done.returncode}"]
        raise HelperError(f"the notes check failed: {why[0]}")
    try:
        return state_from_json(json.loads(done.stdout))
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise HelperError(f"the notes check answered something unreadable ({exc})") from exc


def helper_main(argv: Sequence[str]) -> int:
    """The child's side: one request as JSON in `argv[0]`, the state as JSON on stdout."""
    request = json.loads(argv[0])
    secrets = SecretStore(lock_dir=Path(request["lock_dir"]), timeout_s=request["timeout_s"])
    state = assess(Path(request["data_dir"]), request["device"], secrets)
    print(json.dumps(state_json(state)))
    return 0


def state_json(state: PrivacyState) -> dict[str, Any]:
    """Everything in `state`, the notes key included (it goes down a pipe to the parent)."""
    cipher_key = state.notes_key
    notes = state.notes
    marker = notes.marker
    return {
        "keyring": {
            "state": state.keyring.state.value,
            "backend_name": state.keyring.backend_name,
            "message": state.keyring.message,
            "detail": state.keyring.detail,
        },
        "mode": state.mode.value,
        "key": None
        if cipher_key is None
        else {"key": base64.b64encode(cipher_key.key).decode("ascii"), "id": cipher_key.key_id},
        "notes": {
            "marker": None
            if marker is None
            else {
                "enabled": marker.enabled,
                "key_id": marker.key_id,
                "changed": marker.changed,
                "changed_by": marker.changed_by,
            },
            "marker_problem": notes.marker_problem,
            "plaintext": notes.plaintext,
            "plaintext_own": notes.plaintext_own,
            "encrypted": notes.encrypted,
            "encrypted_own": notes.encrypted_own,
            "unreadable": dict(notes.unreadable),
            "unreadable_key_ids": dict(notes.unreadable_key_ids),
            "files_skipped": dict(notes.files_skipped),
            "quarantined_files": notes.quarantined_files,
        },
        "message": state.message,
        "warning": state.warning,
        "offer": None if state.offer is None else state.offer.name,
        "done": list(state.done),
    }


def state_from_json(doc: dict[str, Any]) -> PrivacyState:
    keyring = doc["keyring"]
    notes = doc["notes"]
    marker = notes["marker"]
    key = doc["key"]
    return PrivacyState(
        keyring=KeyringStatus(
            KeyringState(keyring["state"]),
            keyring["backend_name"],
            keyring["message"],
            keyring["detail"],
        ),
        mode=EncryptionMode(doc["mode"]),
        cipher=None,
        notes=NotesStatus(
            marker=None
            if marker is None
            else EncryptionMarker(
                marker["enabled"], marker["key_id"], marker["changed"], marker["changed_by"]
            ),
            marker_problem=notes["marker_problem"],
            plaintext=notes["plaintext"],
            plaintext_own=notes["plaintext_own"],
            encrypted=notes["encrypted"],
            encrypted_own=notes["encrypted_own"],
            unreadable=notes["unreadable"],
            unreadable_key_ids=notes["unreadable_key_ids"],
            files_skipped=notes["files_skipped"],
            quarantined_files=notes["quarantined_files"],
        ),
        message=doc["message"],
        warning=doc["warning"],
        offer=None if doc["offer"] is None else Offer[doc["offer"]],
        done=tuple(doc["done"]),
        notes_key=None
        if key is None
        else NotesKey(base64.b64decode(key["key"], validate=True), key["id"]),
    )
