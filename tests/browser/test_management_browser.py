"""Managementinformatie in a real browser at 1280 and 360 px: the manager picks a period, reads the
tables and the charts, and downloads the CSV; the page fits a phone and axe finds nothing serious."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from engine.retention_rules import load as load_retention_rules
from tests.browser.conftest import axe, login, serving
from tests.browser.test_responsive import page_width
from tests.management_cases import NAMES, spread
from tests.processes.conftest import PROCESSES


@pytest.fixture
def server(deployed_template, tmp_path, clock):
    """The live server as `zvt` runs it, with the retention rules (they name how cases end), and the
    invented cases of tests/management_cases.py."""
    rules = load_retention_rules(PROCESSES / "retention.json")
    with serving(deployed_template, tmp_path, clock, settings=lambda url: {"retention": rules}) as running:
        spread(running.engine, clock)
        yield running


@pytest.mark.parametrize("width", [1280, 360])
def test_the_manager_chooses_a_quarter_reads_tables_and_charts_and_downloads_the_csv(make_page, server, shots,
                                                                                      width):
    page = make_page(base_url=server.url, viewport={"width": width, "height": 900})
    login(page, "manager")
    page.get_by_role("link", name="Managementinformatie").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Management\u00adinformatie 2026")
    shots.take(page, f"{width}-jaar")

    page.get_by_label("Een kwartaal").check()
    page.get_by_label("Kwartaal", exact=True).select_option("4")
    page.get_by_role("button", name="Cijfers tonen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Management\u00adinformatie 2026, 4e kwartaal")
    expect(page.get_by_label("Een kwartaal")).to_be_checked()
    assert re.search(r"soort=kwartaal&jaar=2026&kwartaal=4", page.url)

    outcomes = page.get_by_role("table", name=re.compile("^Hoe casussen eindigden"))
    row = outcomes.get_by_role("row", name=re.compile("Niet opgepakt"))
    expect(row.get_by_role("cell").last).to_have_text("6")
    chart = page.get_by_role("img", name="Casussen per niveau")
    expect(chart).to_be_visible()
    assert page.locator("#grafiek-niveaus-uitleg").text_content().startswith("Niveau 0: 0 casussen; Niveau 1: 0")
    box = chart.bounding_box()
    assert box is not None and box["width"] <= width and box["height"] > 100
    page.get_by_text("Wat betekenen de woorden?").click()
    expect(page.get_by_text("Zo lang duurde het hoogstens bij 9 van de 10.")).to_be_visible()
    shots.take(page, f"{width}-kwartaal")

    measured = page_width(page)
    assert measured["scroll"] <= width, measured
    found = axe(page, f"managementinformatie {width} px")
    assert not found.serious, found.describe(found.serious)
    assert not any(name in page.content() for name in NAMES)

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV-bestand").click()
    assert download.value.suggested_filename == "managementinformatie-2026-10-01-2026-12-31.csv"
    content = open(download.value.path(), encoding="utf-8-sig").read()
    assert content.splitlines()[0] == "periode;tabel;rij;kolom;waarde"
    assert "2026, 4e kwartaal;Hoe casussen eindigden;Casus zorg- en veiligheidsteam – Niet opgepakt;Casussen;6" in content
    assert not page.problems, str(page.problems)
