"""The end-to-end tests' X session: Xvfb on a display of its own with trayer as the tray
host, started for each test and stopped with every process in it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.e2e.xsession import XSession, x_session


@pytest.fixture
def session() -> Iterator[XSession]:
    with x_session(dict(os.environ)) as xs:
        yield xs
