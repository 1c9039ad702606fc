"""The DMN editor speaks Dutch: the proceseigenaar walks the schema of decisions (DRD), opens the
afwegingskader's table, its menus, the hit policy and an input's popup, and then a decision as one
formula, and meets none of the English dmn-js would show (web/static/decision-table-dutch.js)."""
from playwright.sync_api import Page, expect

from tests.browser.conftest import axe
from tests.browser.test_catalogue import open_modeler

# What dmn-js 17 shows in English on these screens without the Dutch: its translate() keys (hit
# policies, kinds of value, tools, menus, popups) and the texts it writes without translate().
# A key ending in ": " is followed by a name, so it is matched at the start.
ENGLISH = [
    # DRD
    "Activate hand tool", "Activate lasso tool", "Create decision", "Create input data", "Create knowledge model",
    "Create knowledge source", "Append decision", "Append input data", "Append knowledge source",
    "Append business knowledge model", "Add text annotation", "Connect to other element", "Change type", "Delete",
    "Search in diagram", "Open decision table", "Open literal expression", "Definition name", "Definition ID",
    "Empty", "Decision table", "Literal expression", "Powered by bpmn.io",
    # the table and its head
    "View DRD", "Decision name", "Decision name: ", "Hit policy", "Hit policy:", "When", "And", "Then",
    "Annotation", "Annotations", "Input", "Output", "Add input", "Add output", "Input label: ", "Output label: ",
    "Input type", "Output type", "Resize", "Move rule", "Move Input", "Move Output", "Add rule", "Edit input",
    "Edit output",
    # hit policies and what they mean
    "Unique", "First", "Priority", "Any", "Collect", "Collect (Sum)", "Collect (Min)", "Collect (Max)",
    "Collect (Count)", "Rule order", "Output order", "Rules may overlap. The first matching rule will be chosen",
    # kinds of value
    "string", "boolean", "integer", "long", "double", "date", "dateTime",
    # menus and popups
    "Decision table context menu", "Add rule above", "Add rule below", "Remove rule", "Copy rule", "Cut rule",
    "Paste rule above", "Paste rule below", "Add cell description", "Input label", "Output label", "Expression",
    "Input expression", "Enter expression", "Output name", "Type", "Expression language",
    # a decision as one formula
    "Literal expression editor", "Variable name:", "Variable type:", "Expression language:", "Variable name",
    "Variable type", "name",
]

# The visible text of each element (its own text nodes) and the tool tips, screen-reader names and
# placeholders on the page, matched against `english`.
FIND_ENGLISH = """english => {
  const found = new Set();
  const check = text => {
    const value = (text || "").trim();
    english.forEach(key => {
      if (value === key.trim() || (key.endsWith(": ") && value.startsWith(key))) { found.add(key); }
    });
  };
  document.querySelectorAll("body *").forEach(element => {
    ["title", "aria-label", "placeholder"].forEach(name => check(element.getAttribute(name)));
    if (element.checkVisibility()) {
      element.childNodes.forEach(node => { if (node.nodeType === Node.TEXT_NODE) { check(node.nodeValue); } });
    }
  });
  return [...found].sort();
}"""


def check_dutch_and_accessible(page: Page, shots, step: str) -> None:
    """A picture of this step; none of dmn-js's English on the page, nothing serious for axe."""
    shots.take(page, step)
    assert page.evaluate(FIND_ENGLISH, ENGLISH) == [], f"English from dmn-js on the page ({step})"
    result = axe(page, step)
    assert result.serious == [], result.describe(result.serious)


def test_the_dmn_editor_speaks_dutch_from_the_drd_to_the_tables_popups(live_server, page: Page, shots):
    open_modeler(page, "zvt_casus")
    page.get_by_role("link", name="Naar de controle van concept 1").click()
    page.get_by_role("link", name="Beslistabel afwegingskader aanpassen").click()
    editor = page.locator("#dmn-editor")

    # The DRD: the tools on the left and those beside a chosen decision
    decision = editor.locator('[data-element-id="afwegingskader"]')
    expect(decision).to_be_visible()
    expect(editor.get_by_title("Beslissing maken")).to_be_visible()
    decision.click()
    expect(editor.get_by_title("Beslissing toevoegen en verbinden")).to_be_visible()
    editor.get_by_title("Soort veranderen").click()
    expect(page.get_by_text("Losse uitdrukking (één formule)")).to_be_visible()
    check_dutch_and_accessible(page, shots, "drd-soort-veranderen")
    page.keyboard.press("Escape")

    # The table, the menu of a rule's cell
    editor.get_by_title("Beslistabel openen").click()
    expect(page.get_by_role("button", name="Naar het schema van beslissingen (DRD)")).to_be_visible()
    expect(editor.get_by_text("Welke regel telt:")).to_be_visible()
    editor.locator('td[data-col-id="in_leefgebieden"]').first.click(button="right")
    menu = editor.get_by_label("Menu van de beslistabel")
    expect(menu.get_by_text("Regel erboven toevoegen")).to_be_visible()
    expect(menu.get_by_text("Uitleg bij deze cel toevoegen")).to_be_visible()
    check_dutch_and_accessible(page, shots, "menu-van-een-regel")
    page.keyboard.press("Escape")

    # The hit policy: which rule counts, with what each choice means as its tool tip
    hit_policy = editor.get_by_label("Welke regel telt", exact=True)
    expect(hit_policy).to_have_text("Eerste: de bovenste regel die past")
    expect(editor.get_by_title("Meer regels mogen passen. De bovenste regel die past, telt.")).to_be_visible()
    hit_policy.click()
    expect(page.get_by_text("Verzamelen en optellen")).to_be_visible()
    expect(page.get_by_text("Lijst, in de volgorde van de regels")).to_be_visible()
    check_dutch_and_accessible(page, shots, "welke-regel-telt")
    page.keyboard.press("Escape")

    # An input's popup: its name, its Python expression and its kind of value (stored in English)
    column = editor.get_by_role("columnheader").filter(has_text="Kan zelf de regie voeren")
    column.get_by_role("button", name="Invoer aanpassen").focus()
    page.keyboard.press("Enter")
    expect(editor.get_by_label("Uitdrukking (Python)")).to_have_text("zelfregie")
    kind = editor.get_by_label("Soort", exact=True)
    expect(kind).to_have_value("boolean")
    kind.click()
    expect(page.get_by_text("ja of nee (boolean)").last).to_be_visible()
    expect(page.get_by_text("getal met komma (double)")).to_be_visible()
    check_dutch_and_accessible(page, shots, "invoer-aanpassen")
    page.keyboard.press("Escape")

    # The same decision as one formula (not saved): the view of a literal expression
    page.get_by_role("button", name="Naar het schema van beslissingen (DRD)").click()
    decision.click()
    editor.get_by_title("Soort veranderen").click()
    page.get_by_text("Losse uitdrukking (één formule)").click()
    editor.get_by_title("Uitdrukking openen").click()
    expect(editor.get_by_text("Naam van de uitkomst:")).to_be_visible()
    check_dutch_and_accessible(page, shots, "losse-uitdrukking")
    # dmn-js's code editor adds inline styles, which the CSP refuses (it works without): no script failed.
    assert page.problems.page_errors == [], str(page.problems)
