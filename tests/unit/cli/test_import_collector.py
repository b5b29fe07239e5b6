"""`sec-desktop import` pauses the cyclic garbage collector while it works, and only then."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from sec_desktop.interop import plan as plan_module
from tests.helpers.ids import CUSTOMER

TOGGL = str(Path(__file__).resolve().parents[2] / "fixtures" / "import" / "toggl-detailed.csv")


def test_the_collector_is_paused_during_an_import_and_on_again_after(cli, monkeypatch) -> None:
    seen: list[bool] = []
    real_build = plan_module.build_plan

    def build(*args, **kwargs):
        seen.append(gc.isenabled())
        return real_build(*args, **kwargs)

    monkeypatch.setattr(plan_module, "build_plan", build)
    assert gc.isenabled()
    result = cli("import", TOGGL, "--from", "toggl", "--default", CUSTOMER)
    assert result.code == 0, result.err
    assert seen == [False]
    assert gc.isenabled()


def test_the_collector_is_on_again_after_a_refused_import(cli) -> None:
    result = cli("import", TOGGL, "--from", "toggl")  # two rows no rule maps
    assert result.code == 2
    assert gc.isenabled()


def test_a_collector_the_caller_turned_off_stays_off(cli) -> None:
    gc.disable()
    try:
        assert cli("import", TOGGL, "--from", "toggl", "--default", CUSTOMER).code == 0
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.fixture(autouse=True)
def _collector_on_at_start() -> None:
    assert gc.isenabled()
