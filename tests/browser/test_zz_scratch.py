from tests.browser.conftest import login, wait_for_diagram
from tests.browser.test_responsive import case_with_plan_open, PHONE, TABLET
from pathlib import Path
OUT = Path("/tmp/shots"); OUT.mkdir(exist_ok=True)

def crops(page, name, height):
    total = page.evaluate("document.documentElement.scrollHeight")
    w = page.viewport_size["width"]
    for i, y in enumerate(range(0, total, height)):
        page.screenshot(path=str(OUT / f"{name}-{i}.png"), full_page=True, clip={"x": 0, "y": y, "width": w, "height": min(height, total - y)})

def test_scratch(make_page, live_server):
    number, plan = case_with_plan_open(live_server)
    for label, vp in [("p", PHONE), ("t", TABLET), ("d", {"width": 1280, "height": 900})]:
        page = make_page(viewport=vp)
        login(page, "procesregisseur")
        page.goto(f"/casussen/{number}"); wait_for_diagram(page); page.wait_for_timeout(300)
        crops(page, f"{label}-casus", 900 if label == "p" else 1200)
        page.goto("/taken"); crops(page, f"{label}-taken", 900)
        page.goto(f"/taken/{plan}"); crops(page, f"{label}-plan", 1200)
    nojs = make_page(viewport=PHONE, java_script_enabled=False)
    login(nojs, "procesregisseur")
    nojs.goto(f"/casussen/{number}"); crops(nojs, "nojs-casus", 900)
