"""The end-to-end tests' X session: Xvfb on a display of its own with trayer as the tray
host, started for each test and stopped with every process in it. And two devices syncing
one data folder through two real Syncthing instances."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.syncthing_pair import SyncthingPair, syncthing_pair
from tests.e2e.xsession import XSession, x_session


@pytest.fixture
def session() -> Iterator[XSession]:
    with x_session(dict(os.environ)) as xs:
        yield xs


@pytest.fixture
def sync_pair(tmp_path: Path) -> Iterator[SyncthingPair]:
    """Devices A and B (SEC ids device-a, device-b), their Syncthing instances connected.
    How long they took to start and to settle is printed (`pytest -s` or `-rA` shows it)."""
    with syncthing_pair(tmp_path / "pair") as pair:
        yield pair
        settles = ", ".join(f"{took:.1f}" for took in pair.settle_times_s)
        print(f"Syncthing pair: started in {pair.start_s:.1f} s; settled in [{settles}] s")
