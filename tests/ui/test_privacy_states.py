"""The keychain states, each with the app started: the right message shows, nothing blocks.

The app asks the keychain with `privacy.assess` on a worker thread (`ui.jobs`) and gets the
answer back on the GUI thread; the store then gets the key and a warning joins the notices.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import keyring
import keyring.core
import pytest
from keyring.backend import KeyringBackend
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel

from sec_desktop.privacy.keychain import key_id_for
from sec_desktop.privacy.notes import encrypt_notes
from sec_desktop.privacy.state import PrivacyState
from sec_desktop.store.notes_crypto import UNREADABLE_NOTE, NoteCipher
from sec_desktop.store.paths import device_id
from sec_desktop.ui.app import AppOptions, SecDesktopApp
from tests.helpers.entries import make_entry, save_entries
from tests.helpers.ids import INCIDENT
from tests.helpers.keyrings import HangingKeyring, LockedKeyring, MemoryKeyring

WAIT_MS = 20_000
SHARED_PASSPHRASE = "our shared passphrase"  # noqa: S105 - the test's own
NOW = datetime.now(UTC).replace(microsecond=0)


@dataclass
class PrivacyWatch:
    """Counts the GUI event loop's turns while the keychain check runs in the background."""

    app: SecDesktopApp
    ticks_while_waiting: int = 0

    def start(self) -> None:
        self.poll = QTimer(self.app, interval=10)
        self.poll.timeout.connect(self._tick)
        self.poll.start()

    def _tick(self) -> None:
        if self.app.privacy is None:
            self.ticks_while_waiting += 1
        else:
            self.poll.stop()

    @property
    def state(self) -> PrivacyState | None:
        return self.app.privacy


@pytest.fixture
def use_backend(monkeypatch: pytest.MonkeyPatch):
    def use(backend: KeyringBackend | None) -> None:
        monkeypatch.setattr(keyring.core, "_keyring_backend", None)
        if backend is not None:
            keyring.set_keyring(backend)

    return use


@pytest.fixture
def started(qtbot, isolated_dirs) -> Iterator[Callable[..., tuple[SecDesktopApp, PrivacyWatch]]]:
    apps: list[SecDesktopApp] = []

    def start(timeout_s: float = 5.0) -> tuple[SecDesktopApp, PrivacyWatch]:
        qapp = QApplication.instance()
        assert isinstance(qapp, QApplication)
        options = AppOptions(
            isolated_dirs["data"], isolated_dirs["config"], ZoneInfo("UTC"), tray_wait_s=0
        )
        app = SecDesktopApp(qapp, options, secrets_timeout_s=timeout_s)
        apps.append(app)
        watch = PrivacyWatch(app)
        watch.start()
        app.start()
        # Offscreen there is no tray: the app shows its small window instead.
        qtbot.waitUntil(lambda: app.tray.fallback is not None, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: watch.state is not None, timeout=WAIT_MS)
        QApplication.processEvents()
        return app, watch

    yield start
    for app in apps:
        app.shutdown()


def shown_text(app: SecDesktopApp) -> str:
    """What the window shows and what the tray menu lists."""
    fallback = app.tray.fallback
    assert fallback is not None
    labels = " ".join(label.text() for label in fallback.findChildren(QLabel))
    app.tray.menu.aboutToShow.emit()
    menu = " ".join(a.text() for a in app.tray.menu.actions())
    return labels + "\n" + menu


def encrypted_folder(data_dir: Path, device: str) -> tuple[NoteCipher, str]:
    """A folder whose one note is encrypted with a key the test keyring doesn't hold."""
    key = bytes([5]) * 32
    cipher = NoteCipher(key, key_id_for(key))
    # Older than the app's recent list, so only the privacy check reads it at start.
    start = NOW - timedelta(days=40, hours=2)
    old = make_entry(start, 60, INCIDENT, tz="UTC", device=device, note="breach at a customer")
    (entry,) = save_entries(data_dir, device, [old])
    encrypt_notes(data_dir, device, cipher)
    return cipher, entry.id


def screenshot(app: SecDesktopApp, artifacts_dir: Path, name: str) -> None:
    fallback = app.tray.fallback
    assert fallback is not None
    QApplication.processEvents()  # let the window lay out the new notice first
    assert fallback.grab().save(str(artifacts_dir / f"privacy-{name}.png"))


def test_no_backend_says_notes_are_unencrypted(started, use_backend, artifacts_dir) -> None:
    use_backend(None)  # conftest's environment: keyring finds no backend
    app, watch = started()
    assert watch.state is not None
    assert watch.state.keyring.state.value == "no-backend"
    expected = "⚠ No keychain is available, so notes are stored unencrypted."
    assert expected in shown_text(app)
    screenshot(app, artifacts_dir, "no-backend")


def test_locked_keychain_says_so_and_notes_stay_sealed(
    started, use_backend, isolated_dirs, artifacts_dir
) -> None:
    device = device_id(isolated_dirs["config"])
    _, entry_id = encrypted_folder(isolated_dirs["data"], device)
    use_backend(LockedKeyring())
    app, watch = started()
    assert watch.state is not None
    assert watch.state.keyring.state.value == "locked"
    assert "⚠ The keychain is locked: encrypted notes can't be read or saved." in shown_text(app)
    entry = app.store.get(entry_id)
    assert entry is not None
    assert entry.note == UNREADABLE_NOTE
    assert any(entry_id in p.message() for p in app.store.problems)
    screenshot(app, artifacts_dir, "locked")


def test_hanging_keychain_times_out_while_the_gui_keeps_running(
    started, use_backend, artifacts_dir
) -> None:
    hanging = HangingKeyring()
    use_backend(hanging)
    try:
        app, watch = started(timeout_s=1.0)
        assert hanging.entered.is_set()
        assert not hanging.release.is_set()  # the answer came while the keychain still hung
        # The GUI thread kept turning its event loop while the keychain call was stuck.
        assert watch.ticks_while_waiting > 0
        assert watch.state is not None
        assert watch.state.keyring.state.value == "timed-out"
        expected = "⚠ The keychain is not answering, so notes are stored unencrypted for now."
        assert expected in shown_text(app)
        screenshot(app, artifacts_dir, "hanging")
    finally:
        hanging.release.set()


def test_lost_key_names_the_unreadable_notes(
    started, use_backend, isolated_dirs, artifacts_dir
) -> None:
    device = device_id(isolated_dirs["config"])
    _, entry_id = encrypted_folder(isolated_dirs["data"], device)
    use_backend(MemoryKeyring())  # a keychain, but wiped: the key is gone
    app, watch = started()
    assert watch.state is not None
    assert watch.state.notes.unreadable_ids() == [entry_id]
    assert "1 note can't be read (kept as they are)." in shown_text(app)
    screenshot(app, artifacts_dir, "lost-key")


def test_available_keychain_turns_encryption_on_quietly(started, use_backend) -> None:
    backend = MemoryKeyring()
    use_backend(backend)
    app, watch = started()
    assert watch.state is not None
    assert watch.state.done == ("Encryption of notes was turned on.",)
    assert not watch.state.warning
    assert "⚠" not in shown_text(app)
    assert backend.values  # the key went to the keychain


def test_a_folder_encrypted_on_another_device_asks_for_the_passphrase_and_unlocks(
    qtbot, started, use_backend, isolated_dirs, artifacts_dir
) -> None:
    from PySide6.QtWidgets import QInputDialog

    from sec_desktop.privacy.keychain import SecretStore
    from sec_desktop.privacy.notes import enable_encryption

    data_dir = isolated_dirs["data"]
    other = SecretStore(backend=MemoryKeyring())
    old = make_entry(NOW - timedelta(days=40), 60, INCIDENT, tz="UTC", device="desk-b")
    (entry,) = save_entries(data_dir, "desk-b", [replace(old, note="from the desk")])
    enable_encryption(data_dir, "desk-b", other, passphrase=SHARED_PASSPHRASE)
    here = MemoryKeyring()
    use_backend(here)
    app, watch = started()
    assert watch.state is not None and watch.state.offer is not None
    assert watch.state.offer.value == "Unlock notes with your passphrase"
    assert "unlock it here with your passphrase" in shown_text(app)
    assert here.values == {}  # no key of its own was made
    screenshot(app, artifacts_dir, "unlock-offer")

    dialog = app.ask_unlock()
    assert isinstance(dialog, QInputDialog)
    dialog.grab().save(str(artifacts_dir / "privacy-unlock-dialog.png"))
    dialog.setTextValue(SHARED_PASSPHRASE)
    dialog.accept()
    qtbot.waitUntil(lambda: app.privacy is not None and app.privacy.offer is None, timeout=WAIT_MS)
    got = app.store.get(entry.id)
    assert got is not None and got.note == "from the desk"
    assert here.values  # the folder's key, kept in this device's keychain


def test_an_answer_with_a_note_on_a_locked_folder_waits_for_the_passphrase(
    qtbot, started, use_backend, isolated_dirs
) -> None:
    from PySide6.QtWidgets import QInputDialog

    from sec_desktop.privacy.keychain import SecretStore
    from sec_desktop.privacy.notes import enable_encryption
    from sec_desktop.reminders import Disposition, PromptRequest, SlotAnswer
    from sec_desktop.store.entry import NOTE_ENCRYPTED_FIELD

    data_dir = isolated_dirs["data"]
    enable_encryption(
        data_dir, "desk-b", SecretStore(backend=MemoryKeyring()), passphrase=SHARED_PASSPHRASE
    )
    use_backend(MemoryKeyring())
    app, watch = started()
    assert watch.state is not None and watch.state.offer is not None
    with qtbot.waitSignal(app.driver.promptDue, timeout=WAIT_MS) as due:
        app.log_now()
    request = due.args[0]
    assert isinstance(request, PromptRequest)
    app.picker.answered.emit(
        [SlotAnswer(s, Disposition.TAGGED, INCIDENT, note="incident call") for s in request.slots]
    )
    # Nothing is written yet, in plain text or at all: the app asks for the passphrase.
    assert app.store.entries() == []
    asked = [d for d in QApplication.topLevelWidgets() if isinstance(d, QInputDialog)]
    assert len(asked) == 1 and asked[0].isVisible()
    asked[0].setTextValue(SHARED_PASSPHRASE)
    asked[0].accept()
    qtbot.waitUntil(lambda: len(app.store.entries()) == 1, timeout=WAIT_MS)
    (entry,) = app.store.entries()
    assert entry.note == "incident call"
    stored = [
        p for p in (data_dir / "entries").rglob("*.json") if b"incident call" in p.read_bytes()
    ]
    assert stored == []
    assert any(NOTE_ENCRYPTED_FIELD.encode() in p.read_bytes() for p in data_dir.rglob("*.json"))


def test_encryption_turned_off_on_another_device_is_said_and_needs_a_yes_here(
    qtbot, started, use_backend, isolated_dirs
) -> None:
    from sec_desktop.privacy.keychain import SecretStore
    from sec_desktop.privacy.notes import disable_encryption, enable_encryption, unlock_folder_key
    from sec_desktop.store.notes_crypto import plain_agreed
    from sec_desktop.store.notes_crypto import read_marker as read_marker_now
    from sec_desktop.store.paths import device_id as own_id

    data_dir = isolated_dirs["data"]
    other_keychain, here = MemoryKeyring(), MemoryKeyring()
    other = SecretStore(backend=other_keychain)
    enable_encryption(data_dir, "desk-b", other, passphrase=SHARED_PASSPHRASE)
    unlock_folder_key(data_dir, SecretStore(backend=here), SHARED_PASSPHRASE)
    disable_encryption(data_dir, "desk-b", other)
    use_backend(here)
    app, watch = started()
    assert watch.state is not None and watch.state.offer is not None
    assert watch.state.offer.value == "Store notes unencrypted, as another device chose"
    assert "Encryption of notes was turned off on desk-b" in shown_text(app)
    app.tray.privacyActionRequested.emit()  # the user says yes in the tray menu
    qtbot.waitUntil(lambda: app.privacy is not None and app.privacy.offer is None, timeout=WAIT_MS)
    assert not app.privacy.warning
    assert plain_agreed(data_dir, own_id(isolated_dirs["config"]), read_marker_now(data_dir))
