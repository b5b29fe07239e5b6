"""One notes key for all the user's devices, driven through the command line on two devices
whose data folders are synced by copying files: join with the passphrase, never a new key
made silently, a clear refusal without the key, passphrase change, recovery code, and
`encryption off` on one device never making the other write plain text silently."""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest

from sec_desktop.cli.main import main
from sec_desktop.doctor import CheckResult, DoctorContext, Status, check_notes_key
from sec_desktop.privacy.keychain import SecretStore
from sec_desktop.privacy.notes import cipher_from
from sec_desktop.store import EntryStore, device_id
from sec_desktop.store.entry import NOTE_ENCRYPTED_FIELD
from tests.helpers.ids import INCIDENT
from tests.helpers.keyrings import MemoryKeyring, install

from .conftest import NOW, TZ, Result

PASSPHRASE = "correct horse battery staple"  # noqa: S105 - the tests' own passphrase


@dataclass
class Device:
    """One machine: its own copy of the data folder, config folder and keychain."""

    data: Path
    config: Path
    keychain: MemoryKeyring
    run: Callable[..., Result]

    @property
    def id(self) -> str:
        return device_id(self.config)

    def doctor_says(self) -> CheckResult:
        """`doctor`'s notes-key verdict on this device, asked of its own keychain."""
        ctx = DoctorContext(self.data, self.config / "backups", self.id, NOW, {})
        return check_notes_key(ctx, get_keyring=lambda: self.keychain)

    def notes(self) -> dict[str, str | None]:
        """Every entry's note as this device reads it with its own keychain."""
        keyring.set_keyring(self.keychain)
        key = SecretStore(lock_dir=self.config).get_notes_key()
        store = EntryStore(self.data, self.id, cipher=cipher_from(key) if key else None)
        try:
            return {e.id: e.note for e in store.entries()}
        finally:
            store.close()


def sync(source: Device, target: Device) -> None:
    """What a sync engine does: every file of the source's data folder, copied whole (each
    device writes only its own files, so nothing the target wrote is overwritten)."""
    for path in source.data.rglob("*"):
        if path.is_file() and not path.name.startswith(".") and "/quarantine/" not in str(path):
            dest = target.data / path.relative_to(source.data)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
    # A migrated or moved-aside file is gone on the source: so it goes on the target.
    for name in ("encryption.json",):
        if not (source.data / name).exists() and (target.data / name).exists():
            (target.data / name).unlink()


@pytest.fixture
def devices(
    tmp_path: Path, isolated_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> tuple[Device, Device, Device]:
    made = []
    for name in ("a", "b", "c"):
        data, config = tmp_path / name / "data", tmp_path / name / "config"
        keychain = MemoryKeyring()
        env = dict(os.environ)
        env.update(SEC_DESKTOP_DATA_DIR=str(data), SEC_DESKTOP_CONFIG_DIR=str(config))

        def run(
            *args: str, _env: dict[str, str] = env, _keychain: MemoryKeyring = keychain
        ) -> Result:
            keyring.set_keyring(_keychain)
            out, err = io.StringIO(), io.StringIO()
            code = main(["--tz", TZ, *args], now=lambda: NOW, env=_env, out=out, err=err)
            result = Result(code, out.getvalue(), err.getvalue())
            assert "Traceback" not in result.out + result.err
            return result

        made.append(Device(data, config, keychain, run))
    install(monkeypatch, made[0].keychain)
    return made[0], made[1], made[2]


@pytest.fixture
def secret_file(tmp_path: Path) -> Callable[[str], str]:
    def write(text: str) -> str:
        path = tmp_path / f"secret-{abs(hash(text))}.txt"
        path.write_text(text + "\n", encoding="utf-8")
        return str(path)

    return write


def log_note(device: Device, start: str, note: str) -> Result:
    end = f"{int(start[:2]):02d}:30"
    return device.run("log", INCIDENT, "--start", start, "--end", end, "--note", note)


def test_a_second_device_joins_the_key_with_the_passphrase_and_both_read_all_notes(
    devices: tuple[Device, Device, Device], secret_file: Callable[[str], str]
) -> None:
    a, b, _ = devices
    on = a.run("encryption", "on", "--passphrase-file", secret_file(PASSPHRASE))
    assert on.code == 0, on.err
    assert log_note(a, "09:00", "written on A").code == 0
    sync(a, b)

    # B has no key: its note is refused, with how to unlock; nothing is written in plain text.
    refused = log_note(b, "10:00", "written on B")
    assert refused.code == 1
    assert "sec-desktop encryption unlock" in refused.err
    assert not any(b"written on B" in p.read_bytes() for p in b.data.rglob("*") if p.is_file())
    status = b.run("encryption", "status").out
    assert "This device: holds no notes key; run `sec-desktop encryption unlock`" in status
    assert "protected by a passphrase" in status
    verdict = b.doctor_says()
    assert verdict.status is Status.PROBLEM and "holds no notes key" in verdict.message

    # `on` without the passphrase never makes a key of its own; a wrong one opens nothing.
    assert b.run("encryption", "on").code == 1
    assert b.keychain.values == {}
    wrong = b.run("encryption", "on", "--passphrase-file", secret_file("not the passphrase"))
    assert wrong.code == 1 and "does not open the notes key" in wrong.err
    joined = b.run("encryption", "on", "--passphrase-file", secret_file(PASSPHRASE))
    assert joined.code == 0, joined.err
    assert "the folder's key" in b.run("encryption", "status").out
    assert a.doctor_says().status is b.doctor_says().status is Status.OK

    assert log_note(b, "10:00", "written on B").code == 0
    sync(b, a)
    sync(a, b)
    for device in (a, b):
        assert sorted(n or "" for n in device.notes().values()) == ["written on A", "written on B"]
    for path in a.data.rglob("*.json"):
        assert b"written on" not in path.read_bytes()


def test_the_passphrase_can_be_changed_and_a_recovery_code_unlocks_too(
    devices: tuple[Device, Device, Device], secret_file: Callable[[str], str]
) -> None:
    a, b, c = devices
    assert a.run("encryption", "on", "--passphrase-file", secret_file(PASSPHRASE)).code == 0
    assert log_note(a, "09:00", "secret plan").code == 0
    changed = a.run("encryption", "passphrase", "--passphrase-file", secret_file("a new one 123"))
    assert changed.code == 0, changed.err
    printed = a.run("encryption", "recovery-code")
    assert printed.code == 0, printed.err
    code = printed.out.split("\n\n")[1].strip()
    assert len(code.replace("-", "")) == 32
    sync(a, b)
    sync(a, c)

    old = b.run("encryption", "unlock", "--passphrase-file", secret_file(PASSPHRASE))
    assert old.code == 1 and "does not open" in old.err
    assert (
        b.run("encryption", "unlock", "--passphrase-file", secret_file("a new one 123")).code == 0
    )
    # The code as written down: lower case and spaces are fine.
    typed = code.lower().replace("-", " ")
    assert c.run("encryption", "unlock", "--recovery-code-file", secret_file(typed)).code == 0
    for device in (b, c):
        assert list(device.notes().values()) == ["secret plan"]


def test_encryption_off_on_one_device_never_makes_the_other_write_plain_silently(
    devices: tuple[Device, Device, Device], secret_file: Callable[[str], str]
) -> None:
    a, b, _ = devices
    assert a.run("encryption", "on", "--passphrase-file", secret_file(PASSPHRASE)).code == 0
    sync(a, b)
    assert b.run("encryption", "unlock", "--passphrase-file", secret_file(PASSPHRASE)).code == 0
    off = b.run("encryption", "off")
    assert off.code == 0, off.err
    sync(b, a)

    assert "turned off on" in a.doctor_says().message
    refused = log_note(a, "09:00", "should not be plain")
    assert refused.code == 1
    assert f"turned off on device {b.id}" in refused.err
    assert "sec-desktop encryption off" in refused.err
    assert not any(b"should not be plain" in p.read_bytes() for p in a.data.rglob("*.json"))

    # A agrees; from then on its notes are plain, as the folder says.
    assert a.run("encryption", "off").code == 0
    assert log_note(a, "09:00", "now plain").code == 0
    (shard,) = (a.data / "entries" / a.id).glob("*.json")
    (doc,) = json.loads(shard.read_text())["tables"]["entries"].values()
    assert doc["note"] == "now plain" and NOTE_ENCRYPTED_FIELD not in doc


def test_a_new_key_for_a_shared_folder_needs_a_passphrase(
    devices: tuple[Device, Device, Device], secret_file: Callable[[str], str]
) -> None:
    a, _, _ = devices
    assert a.run("encryption", "on", "--passphrase-file", secret_file(PASSPHRASE)).code == 0
    refused = a.run("encryption", "on", "--new-key")
    assert refused.code == 1 and "needs a passphrase" in refused.err
    status = a.run("encryption", "status").out
    assert "the folder's key" in status


def test_a_device_that_turned_encryption_on_alone_before_the_shared_key_arrived_joins_it(
    devices: tuple[Device, Device, Device], secret_file: Callable[[str], str]
) -> None:
    a, b, _ = devices
    assert a.run("encryption", "on", "--passphrase-file", secret_file(PASSPHRASE)).code == 0
    assert log_note(a, "09:00", "from A").code == 0
    # B had not received A's files yet: it turned encryption on with a key of its own (the
    # app's default does the same), later than A, so its state record wins the merge.
    assert b.run("encryption", "on").code == 0
    assert log_note(b, "10:00", "from B, own key").code == 0
    sync(a, b)
    sync(b, a)
    # The shared key is the folder's key on both: B is told to unlock, never A.
    assert "the folder's key" in a.run("encryption", "status").out
    refused = log_note(b, "11:00", "from B again")
    assert refused.code == 1 and "sec-desktop encryption unlock" in refused.err
    assert b.run("encryption", "unlock", "--passphrase-file", secret_file(PASSPHRASE)).code == 0
    assert log_note(b, "11:00", "from B again").code == 0
    sync(b, a)
    # B re-sealed its earlier note with the shared key: every note reads on both devices.
    for device in (a, b):
        assert sorted(n or "" for n in device.notes().values()) == [
            "from A",
            "from B again",
            "from B, own key",
        ], device.id
