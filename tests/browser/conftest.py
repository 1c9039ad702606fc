"""Browser tests: the real app on a real HTTP server, driven by Debian's Chromium through Playwright.

    def test_something(live_server, page, shots):
        page.goto("/inloggen")            # the context's base URL is the live server
        shots.take(page, "inloggen")      # test-output/browser/test_something/01-inloggen.png
        assert not page.problems, str(page.problems)

`live_server` runs the app (development configuration, demo accounts, every process deployed, no
cases) in a thread on 127.0.0.1 and a port of its own, on a copy of a deployed SQLite file; each
xdist worker and each test has its own. `browser` is one Chromium per session (per worker), `page`
a page in a fresh context per test, which records console errors, page errors, CSP violations and
pages answered with an HTTP error in `page.problems`. `make_page(**context_options)` opens more
pages the same way, e.g. one with JavaScript switched off. `file_aanmelding` and `open_task` set
up a case without clicking, for tests about one page; the walkthrough does everything by hand.
`make test` installs Chromium (`apt-get install chromium`); without it these tests fail, never skip.
"""
from __future__ import annotations

import re
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from werkzeug.serving import WSGIRequestHandler, make_server

from engine import Engine, casework
from engine.identity import Origin, User
from engine.views import TaskView
from tests.conftest import Clock
from tests.processes.conftest import FORMS, PROCESSES
from tests.processes.test_zvt_casus import aanmelding
from tests.web.conftest import DEMO_PASSWORDS, FAST_HASHER, build_app
from zvt import demo

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "browser"
AXE_URL = "/static/vendor/axe-core/axe.min.js"
# Actions and assertions wait this long at most (Playwright's defaults are 30 s and 5 s).
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("Debian's Chromium is missing: the browser tests need `chromium` on the PATH. "
                    "`make test` installs it; or run `apt-get install --no-install-recommends chromium`.",
                    pytrace=False)
    return path


# -- the app on a real server -------------------------------------------------------------------------

@dataclass
class LiveServer:
    url: str
    engine: Engine  # the same database as the app: for setting up a case without clicking


@pytest.fixture(scope="session")
def deployed_template(sqlite_template, tmp_path_factory) -> Path:
    """The migrated SQLite template with the demo accounts and every process deployed, made once
    per test worker: deploying all processes takes a second or two, copying a file nothing.

    Demo accounts first, then the processes: so `demo.load` starts none of its invented cases and
    the inbox holds only what the test files."""
    path = tmp_path_factory.mktemp("browser") / "deployed.sqlite3"
    shutil.copyfile(sqlite_template, path)
    # The moment only stamps the accounts and the deployment; the tests' own clock runs the app.
    engine = Engine(f"sqlite:///{path}", clock=Clock(datetime(2026, 11, 27, 16, 0, tzinfo=timezone.utc)))
    try:
        demo.load(engine, hasher=FAST_HASHER)
        engine.deploy(PROCESSES, FORMS)
    finally:
        engine.close()
    return path


class _QuietRequestHandler(WSGIRequestHandler):
    """No line per request (a walkthrough makes hundreds); errors and tracebacks are still logged."""

    def log_request(self, code="-", size="-") -> None:
        pass


@pytest.fixture
def live_server(deployed_template, tmp_path, clock):
    """The app on http://127.0.0.1:<free port>, on its own copy of the deployed SQLite template:
    the demo accounts, every process, no cases. The test clock stands still (Friday 27 November
    2026, 17:00 in Heerenveen), so due dates and screenshots are the same on every run."""
    with serving(deployed_template, tmp_path, clock) as server:
        yield server


@contextmanager
def serving(deployed_template: Path, folder: Path, clock, settings=lambda url: {}):
    """The live server; `settings(url)` gives the app's further Config settings, for an app that
    must know its own address (its links, the callback it registers at a sign-in provider)."""
    path = folder / "zvt.sqlite3"
    shutil.copyfile(deployed_template, path)
    database_url = f"sqlite:///{path}"
    engine = Engine(database_url, clock=clock)
    apps = []
    # Port 0: the system picks a free one; the app is built once the address is known.
    server = make_server("127.0.0.1", 0, lambda environ, respond: apps[0](environ, respond), threaded=True,
                         request_handler=_QuietRequestHandler)
    url = f"http://127.0.0.1:{server.server_port}"
    apps.append(build_app(database_url, clock, environment="development", **settings(url)))
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url, engine)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        apps[0].extensions["zvt_engine"].close()
        engine.close()


# Setting up a case without clicking, for the tests about one page: as the demo partnermedewerker
# of WoonFriesland files it, through the same casework call as the aanmelding page.
AANMELDER = User("partnermedewerker", "Demo Medewerker WoonFriesland", "woonfriesland",
                 frozenset({"partnermedewerker"}))


def file_aanmelding(server: LiveServer, **changes) -> int:
    """A new zvt_casus (the engine tests' aanmelding) waiting for its beoordeling; its number."""
    return casework.start_case(server.engine, AANMELDER, "zvt_casus", aanmelding(**changes),
                               Origin("192.0.2.1", "browser test setup"))


def open_task(server: LiveServer, number: int, bpmn_id: str) -> TaskView:
    [task] = [t for t in server.engine.ready_tasks(number) if t.bpmn_id == bpmn_id]
    return task


# -- the browser ----------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path)
        yield browser
        browser.close()


@dataclass
class PageProblems:
    """What the browser complained about on a page: console errors, uncaught errors, CSP violations,
    and pages (documents, not their parts) the server answered with an HTTP error.

    Chromium also logs a page answered with 4xx/5xx as a console error ("Failed to load resource").
    A task form sent back with its errors is answered with 400 on purpose, so those are kept apart in
    `http_errors`, where a test can expect them; a failing script, style sheet or font stays a
    console error."""
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    http_errors: list[tuple[int, str]] = field(default_factory=list)  # (status, url) of a page
    _console: list[tuple[str, str]] = field(default_factory=list)  # (text, url)
    _failed_pages: set[str] = field(default_factory=set)  # every page url in http_errors, ever

    def console_error(self, text: str, url: str) -> None:
        self._console.append((text, url))

    def page_failed(self, status: int, url: str) -> None:
        self.http_errors.append((status, url))
        self._failed_pages.add(url)

    def take_http_errors(self) -> list[tuple[int, str]]:
        """The pages answered with an HTTP error so far, for a test that expected them; forgotten after."""
        taken = list(self.http_errors)
        self.http_errors.clear()
        return taken

    @property
    def console_errors(self) -> list[str]:
        return [f"{text} ({url})" for text, url in self._console
                if not (url in self._failed_pages and text.startswith("Failed to load resource: the server responded"))]

    def __bool__(self) -> bool:
        return bool(self.console_errors or self.page_errors or self.csp_violations or self.http_errors)

    def __str__(self) -> str:
        return (f"console errors: {self.console_errors}; page errors: {self.page_errors}; "
                f"CSP violations: {self.csp_violations}; pages with an HTTP error: {self.http_errors}")

    def clear(self) -> None:
        self._console.clear()
        self.page_errors.clear()
        self.csp_violations.clear()
        self.http_errors.clear()
        self._failed_pages.clear()


# A `securitypolicyviolation` listener in every document, before the page's own scripts. Init
# scripts come in through the DevTools protocol, so the page's CSP does not block this one.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("CSP violation: " + event.violatedDirective + " blocked " + (event.blockedURI || "inline")
                + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""


@pytest.fixture
def make_page(browser: Browser, live_server):
    """Opens a page in a context of its own (no cookies from another page), Dutch, 1280 px wide;
    `context_options` go to `browser.new_context`, e.g. `java_script_enabled=False`. The page
    records its problems in `page.problems` (a PageProblems)."""
    contexts = []

    def open_page(**context_options) -> Page:
        options = dict(base_url=live_server.url, locale="nl-NL", timezone_id="Europe/Amsterdam",
                       viewport={"width": 1280, "height": 900})
        options.update(context_options)
        context = browser.new_context(**options)
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(_CSP_LISTENER)
        page = context.new_page()
        problems = PageProblems()

        def on_console(message: ConsoleMessage) -> None:
            if message.type != "error":
                return
            text = message.text
            if "Content Security Policy" in text or text.startswith("CSP violation"):
                problems.csp_violations.append(text)
            else:
                problems.console_error(text, message.location.get("url", ""))

        def on_response(response: Response) -> None:
            request = response.request
            if response.status >= 400 and request.is_navigation_request() and request.frame == page.main_frame:
                problems.page_failed(response.status, response.url)

        page.on("console", on_console)
        page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        page.on("response", on_response)
        page.problems = problems
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(make_page) -> Page:
    """A page in a fresh context, with JavaScript, recording its problems in `page.problems`."""
    return make_page()


# -- helpers for the tests ------------------------------------------------------------------------------

class Screenshots:
    """Full-page screenshots, numbered in order: test-output/browser/<test>/NN-<step>.png."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0
        shutil.rmtree(folder, ignore_errors=True)  # no stale pictures from an earlier run
        folder.mkdir(parents=True)

    def take(self, page: Page, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{step}.png"
        # A full-page picture draws fixed elements where the window is scrolled to: the skip link,
        # parked 200% above the window, would show up in the middle of a long form. Works with
        # JavaScript switched off too (Playwright's evaluate is not the page's script).
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shots(request) -> Screenshots:
    return Screenshots(OUTPUT / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name))


def login(page: Page, username: str) -> None:
    """Log in through the login page, with the demo password (no code in development)."""
    page.goto("/inloggen")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORDS[username])
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r"/$"))


def logout(page: Page) -> None:
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(re.compile(r"/inloggen"))


def field(scope, label: str):
    """The form control labelled `label`, with or without the form's " (verplicht)" mark."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \(verplicht\))?$"))


def group(scope, legend: str):
    """The fieldset (radio buttons, check boxes, a row) whose legend is `legend`, maybe " (verplicht)"."""
    return scope.get_by_role("group", name=re.compile(rf"^{re.escape(legend)}( \(verplicht\))?$"))


def choose(scope, legend: str, *options: str) -> None:
    """Tick these options (radio buttons or check boxes) in the group with this legend."""
    fieldset = group(scope, legend)
    for option in options:
        fieldset.get_by_label(option, exact=True).check()


def wait_for_diagram(page: Page) -> None:
    """Wait until bpmn-js has drawn the case's process in #diagram; fail if it could not.

    bpmn-js puts its empty <svg> in at once and draws the shapes only when the XML is imported, so
    wait for a shape; case-diagram.js replaces the diagram by a sentence when the import fails.
    The markers (done, open) follow the drawing: assert on them with `expect`, which retries."""
    failed = "Het diagram kan niet worden getoond."
    drawn = page.locator("#diagram .djs-shape").first
    expect(drawn.or_(page.locator("#diagram", has_text=failed))).to_be_visible()
    expect(page.locator("#diagram")).not_to_have_text(failed)


def expect_fits(page: Page, what: str = "") -> None:
    """The page fits its window's width, no sideways scrolling: waited for up to 5 s, since on a
    loaded machine Chromium was once measured mid-layout (too wide with nothing sticking out)."""
    fits = "document.documentElement.scrollWidth <= window.innerWidth"
    try:
        page.wait_for_function(fits, timeout=5000)
    except PlaywrightTimeout:
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        raise AssertionError(f"{what or page.url} is {width[0]} px wide in a window of {width[1]} px") from None


@dataclass
class AxeResult:
    serious: list[dict]  # impact "serious" or "critical"
    other: list[dict]

    def describe(self, violations: list[dict]) -> str:
        """One line per violation: rule, impact, what it asks, and (up to five) elements it found."""
        def target(node: dict) -> str:
            return " ".join(map(str, node["target"])) if isinstance(node["target"], list) else str(node["target"])

        return "; ".join(f"{v['id']} ({v['impact']}): {v['help']} at " + ", ".join(map(target, v["nodes"][:5]))
                         for v in violations)


def axe(page: Page, name: str) -> AxeResult:
    """Run axe-core, loaded from the app's own URL (the CSP allows only our origin), on the page."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    violations = page.evaluate("async () => (await axe.run(document)).violations")
    serious = [v for v in violations if v.get("impact") in ("serious", "critical")]
    other = [v for v in violations if v not in serious]
    result = AxeResult(serious, other)
    print(f"axe {name}: {len(serious)} serious or critical; others: {result.describe(other) or 'none'}")
    return result
