"""The picker's fixtures: the framework, a ranking with a week of answers, a picker on a fixed
clock and a recorder of its signals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot

from sec_desktop.framework import Framework, load_framework
from sec_desktop.reminders.ranking import UsageRanking
from sec_desktop.ui.picker.window import Picker
from tests.ui.picker.support import BERLIN, HISTORY, NOW, Recorder, make_picker


@pytest.fixture(scope="module")
def framework() -> Framework:
    return load_framework()


@pytest.fixture
def ranking(framework: Framework) -> UsageRanking:
    """A week of answers, the last one OKR management."""
    made = UsageRanking(framework, tz=BERLIN)
    for index, activity in enumerate(HISTORY):
        made.record_answer(activity, NOW - timedelta(hours=len(HISTORY) - index))
    return made


@pytest.fixture
def picker(qtbot: QtBot, framework: Framework, ranking: UsageRanking) -> Picker:
    return make_picker(qtbot, framework, ranking)


@pytest.fixture
def recorder(picker: Picker) -> Recorder:
    return Recorder(picker)
