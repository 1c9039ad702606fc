"""Processen in Chromium: the proceseigenaar finds a new version from the menu, reads what changed,
and downloads it; axe finds nothing serious on either page."""
import shutil

from playwright.sync_api import Page, expect

from tests.browser.conftest import axe, login
from tests.processes.conftest import FORMS, PROCESSES


def test_the_proceseigenaar_reads_what_a_new_version_changed_and_downloads_it(live_server, page: Page, shots, tmp_path):
    folder = tmp_path / "v2"
    shutil.copytree(PROCESSES, folder / "processes")
    shutil.copytree(FORMS, folder / "forms")
    path = folder / "processes" / "zvt_casus.bpmn"
    path.write_text(path.read_text().replace('name="Aanmelding beoordelen"', 'name="Aanmelding bekijken"')
                    .replace("# Teamnorm: de procesregisseur beoordeelt", "# Teamnorm (2027): de procesregisseur beoordeelt"))
    live_server.engine.deploy(folder / "processes", folder / "forms", actor="proceseigenaar")

    login(page, "proceseigenaar")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Processen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Processen")
    versions = page.get_by_role("region", name="Versies van Casus zorg- en veiligheidsteam")
    expect(versions.get_by_role("row")).to_have_count(3)  # the header, version 2, version 1
    shots.take(page, "processen")
    result = axe(page, "processen")
    assert result.serious == [], result.describe(result.serious)

    versions.get_by_role("link", name="Versie 2", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Casus zorg- en veiligheidsteam, versie 2")
    changed = page.get_by_role("region", name="Wat is er veranderd sinds de vorige versie?")
    expect(changed).to_contain_text("Aanmelding beoordelen → Aanmelding bekijken")
    script = changed.locator("pre").filter(has_text="Teamnorm (2027)")
    expect(script.locator("ins")).to_contain_text("Teamnorm (2027)")  # the line as it becomes
    expect(script.locator("del")).to_contain_text("# Teamnorm: de procesregisseur")  # and as it was
    expect(script).not_to_contain_text("niveau_historie")  # lines far from the change are left out
    shots.take(page, "versie-2")
    result = axe(page, "versie 2")
    assert result.serious == [], result.describe(result.serious)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download versie 2 (zip)").click()
    assert download.value.suggested_filename == "zvt_casus-versie-2.zip"
