"""The prompt notice over the macOS and Windows servers (fakes of the OS calls): a button
pressed on the OS's own thread reaches the notice on the Qt thread through its queued
signal and books the answer; without a backend the picker asks."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot

from sec_desktop.framework import Framework, load_framework
from sec_desktop.platform.notifications import ActionInvoked, NotificationClosed
from sec_desktop.platform.notifications_windows import USER_CANCELED, WindowsToastServer
from sec_desktop.reminders.prompts import Disposition
from sec_desktop.reminders.ranking import UsageRanking
from sec_desktop.settings import Settings
from sec_desktop.ui.prompt_notice import PromptNotice, open_desktop_server
from tests.helpers.clocks import FakeClock
from tests.ui.picker.support import BERLIN, HISTORY, NOW
from tests.ui.test_prompt_notice import due
from tests.unit.platform.test_notifications_native import FakeToaster


@pytest.fixture(scope="module")
def framework() -> Framework:
    return load_framework()


@pytest.fixture
def ranking(framework: Framework) -> UsageRanking:
    made = UsageRanking(framework, tz=BERLIN)
    for index, activity in enumerate(HISTORY):
        made.record_answer(activity, NOW - timedelta(hours=len(HISTORY) - index))
    return made


class RecordingServer(WindowsToastServer):
    """Notes the thread each read of the events runs on."""

    def __init__(self, toaster: FakeToaster) -> None:
        super().__init__(toaster)
        self.read_on: list[threading.Thread] = []

    def events(self) -> list[ActionInvoked | NotificationClosed]:
        self.read_on.append(threading.current_thread())
        return super().events()


@pytest.fixture
def toaster() -> FakeToaster:
    return FakeToaster()


@pytest.fixture
def server(toaster: FakeToaster) -> RecordingServer:
    return RecordingServer(toaster)


@pytest.fixture
def notice(
    qtbot: QtBot, framework: Framework, ranking: UsageRanking, server: RecordingServer
) -> Iterator[PromptNotice]:
    made = PromptNotice(
        ranking=lambda: ranking,
        framework=lambda: framework,
        settings=lambda: Settings(prompt_surface="notification"),
        tz=BERLIN,
        clock=FakeClock(NOW),
        open_server=lambda: server,
    )
    yield made
    made.close()


def press_on_another_thread(toaster: FakeToaster, arguments: str) -> None:
    thread = threading.Thread(target=toaster.shown[-1].on_activated, args=(arguments,))
    thread.start()
    thread.join()


def test_a_press_on_the_os_thread_is_answered_on_the_qt_thread(
    qtbot: QtBot, notice: PromptNotice, toaster: FakeToaster, server: RecordingServer
) -> None:
    request = due()
    assert notice.offer(request)
    spec = toaster.shown[-1].spec
    assert spec.stays
    key = next(key for key, label in spec.buttons if label.startswith("Same as before"))
    with qtbot.waitSignal(notice.answered, timeout=5000) as blocker:
        press_on_another_thread(toaster, key)
    [answer] = blocker.args[0]
    assert (answer.slot, answer.disposition) == (request.slots[0], Disposition.TAGGED)
    assert answer.activity_id == key.removeprefix("activity:")
    assert server.read_on == [threading.main_thread()]  # the queued signal crossed over
    assert toaster.removed == [spec.tag]  # answered: the toast is taken away
    assert notice.pending is None


def test_other_opens_the_picker_and_a_dismissal_books_nothing(
    qtbot: QtBot, notice: PromptNotice, toaster: FakeToaster
) -> None:
    request = due()
    assert notice.offer(request)
    with qtbot.waitSignal(notice.pickerWanted, timeout=5000) as blocker:
        press_on_another_thread(toaster, "other")
    assert blocker.args == [request]
    assert notice.offer(due())
    answers: list[object] = []
    notice.answered.connect(answers.append)
    with qtbot.waitSignal(notice.unanswered, timeout=5000):
        threading.Thread(target=toaster.shown[-1].on_dismissed, args=(USER_CANCELED,)).start()
    assert answers == []


def test_a_new_prompt_replaces_the_pending_toast_in_place(
    notice: PromptNotice, toaster: FakeToaster
) -> None:
    assert notice.offer(due(25))
    assert notice.offer(due(40))
    assert [s.spec.tag for s in toaster.shown] == ["sec-prompt-1", "sec-prompt-1"]
    assert notice.notification_id == 1


def test_without_a_native_backend_the_picker_asks(
    qtbot: QtBot, framework: Framework, ranking: UsageRanking, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    assert open_desktop_server({}, platform="darwin") is None  # not on a Mac here
    assert "prompts in the picker: no notification actions:" in caplog.text
    made = PromptNotice(
        ranking=lambda: ranking,
        framework=lambda: framework,
        settings=lambda: Settings(prompt_surface="notification"),
        tz=BERLIN,
        clock=FakeClock(NOW),
        open_server=lambda: open_desktop_server({}, platform="win32"),
    )
    assert not made.offer(due())
    made.close()
