"""The self-test's Qt and tray part on the offscreen platform, which has no system tray, and
`sec-desktop --self-test` with the tray wait taken from the environment."""

from __future__ import annotations

import io

from PySide6.QtWidgets import QApplication

from sec_desktop.cli.main import EXIT_BAD_INPUT, main
from sec_desktop.cli.self_test import run_self_test


def test_offscreen_has_qt_and_svg_but_no_tray(qapp: QApplication) -> None:
    assert qapp.platformName() == "offscreen"
    out = io.StringIO()
    code = run_self_test(out, tray_timeout_s=0.2)
    lines = out.getvalue().splitlines()
    assert code == 1
    # Each check's line is "  ok   NAME: DETAIL" or "  FAIL NAME: DETAIL".
    [qt_line] = [line for line in lines if line[7:].startswith("Qt: ")]
    assert qt_line.startswith("  ok   Qt: Qt 6.")
    assert qt_line.endswith("on the offscreen platform, SVG icons")
    assert "  FAIL tray: no system tray appeared within 0.2 s" in lines
    assert lines[-1] == "Self-test failed: tray: no system tray appeared within 0.2 s"
    # The checks before Qt's all passed; only the tray failed.
    assert sum(line.startswith("  FAIL ") for line in lines) == 1
    # The test run's application was reused, not replaced by a second one.
    assert QApplication.instance() is qapp


def test_cli_self_test_fails_without_a_tray(qapp: QApplication) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--self-test"], env={"SEC_DESKTOP_TRAY_WAIT_S": "0.2"}, out=out, err=err)
    assert code == 1
    assert out.getvalue().splitlines()[-1] == (
        "Self-test failed: tray: no system tray appeared within 0.2 s"
    )
    assert err.getvalue() == ""
    assert QApplication.instance() is qapp


def test_cli_self_test_clamps_a_negative_wait_to_zero(qapp: QApplication) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--self-test"], env={"SEC_DESKTOP_TRAY_WAIT_S": "-3"}, out=out, err=err)
    assert code == 1
    assert "no system tray appeared within 0 s" in out.getvalue()


def test_cli_self_test_rejects_a_wait_that_is_not_a_number(qapp: QApplication) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--self-test"], env={"SEC_DESKTOP_TRAY_WAIT_S": "abc"}, out=out, err=err)
    assert code == EXIT_BAD_INPUT
    assert err.getvalue() == (
        "sec-desktop: $SEC_DESKTOP_TRAY_WAIT_S must be a number of seconds, not 'abc'.\n"
    )
    # Bad input stops before any check runs.
    assert out.getvalue() == ""
