"""The one-page PDF with the plan, whose report it is (name and company from the settings) and
the period-over-period line; it stays one page for a long period and long names."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import pypdf
import pytest

from sec_desktop.analytics.plan_records import PlanStore
from sec_desktop.analytics.targets import Quarter
from sec_desktop.framework import Framework
from sec_desktop.settings import Settings, save_settings
from tests.helpers.ids import SECURITY

from .conftest import DEVICE


def _pdf(path: Path) -> tuple[int, str]:
    reader = pypdf.PdfReader(path)
    text = " ".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))


@pytest.fixture
def planned(isolated_dirs: dict[str, Path], framework: Framework) -> None:
    store = PlanStore(isolated_dirs["data"], DEVICE)
    profile = framework.profiles["default"]
    store.save_quarter(Quarter(2026, 1), {"strategy": 0.30, SECURITY: 0.20}, framework, profile)


def test_the_pdf_has_the_plan_the_name_and_the_change_on_one_page(
    planned: None, isolated_dirs: dict[str, Path], make_window: Any, shown: Any, tmp_path: Path
) -> None:
    save_settings(isolated_dirs["config"], Settings(user_name="Ana Müller", company="Northwind"))
    window = make_window()
    shown(window, lambda: window.set_period_kind("month"))
    pages, text = _pdf(window.export_pdf(tmp_path / "report.pdf"))
    assert pages == 1
    assert "Ana Müller · Northwind" in text
    rows = {r.id: r for r in window.view.data.plan_rows}
    strategy = rows["strategy"]
    assert "Plan 2026-Q1: Strategy" in text
    assert f"vs 30.0%, {strategy.verdict.describe()}" in text
    assert "plan 30.0%" in text and "plan 20.0%" in text  # the bars' Plan column
    # March 2026 is under way on the window's 19 March: 19 days against as many before.
    assert "Against 29 Jan \u2013 16 Feb 2026, the first 19 of the 31 days before" in text
    assert "(dashed line: plan)" in text


def test_without_a_plan_or_a_name_the_pdf_says_so_and_leaves_the_name_out(
    make_window: Any, shown: Any, tmp_path: Path
) -> None:
    window = make_window()
    pages, text = _pdf(window.export_pdf(tmp_path / "report.pdf"))
    assert pages == 1
    assert "No plan for this period." in text
    assert " · Northwind" not in text
    # Thursday of the week shown: its 4 days so far against the first 4 of the week before.
    assert "Against 9 \u2013 12 Mar 2026, the first 4 of the 7 days before" in text


def test_a_year_with_long_names_still_fits_one_page(
    planned: None, isolated_dirs: dict[str, Path], make_window: Any, shown: Any, tmp_path: Path
) -> None:
    save_settings(
        isolated_dirs["config"],
        Settings(user_name="A" * 80, company="Northwind Health Technologies " + "B" * 50),
    )
    window = make_window()
    shown(window, lambda: window.set_period_kind("year"))
    pages, text = _pdf(window.export_pdf(tmp_path / "year.pdf"))
    assert pages == 1
    assert "A" * 80 in text
    assert "Targets cover only part of the period for Strategy, Security & Compliance." in text
