"""CSRF, security headers, cookies, deny-by-default, Dutch error pages and the served files."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.casework import Forbidden
from engine.errors import TaskAlreadyCompleted, TaskClosedByDeadline, TaskNotFound
from tests.web.conftest import add_account, build_app, client_for, totp_code
from web import vendor
from web.security import CONTENT_SECURITY_POLICY

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"
CSP = ("default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
       "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'")


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def error_app(engine, database_url, clock):
    """An app with routes that raise, to see the error pages."""
    app = build_app(database_url, clock, environment="development")
    app.config["PROPAGATE_EXCEPTIONS"] = False  # show the 500 page as production would

    def raiser(exc):
        def view():
            raise exc
        return view

    for path, exc in {
        "/test/afgerond": TaskAlreadyCompleted("task 1 was completed by someone else"),
        "/test/termijn": TaskClosedByDeadline("deadline passed"),
        "/test/weg": TaskNotFound("no task 'abc'"),
        "/test/verboden": Forbidden("jan may not see case 7 of A. Jansen"),
        "/test/kapot": RuntimeError("Geheime gegevens van A. Jansen, BSN 123456782"),
    }.items():
        app.add_url_rule(path, endpoint=path, view_func=raiser(exc))
    yield app
    app.extensions["zvt_engine"].close()


# -- deny by default -------------------------------------------------------------------

def test_every_page_but_login_and_health_needs_a_login(app, client):
    public = {"auth.login", "auth.login_code", "auth.enrol", "static", "vendor.file",
              # the operator's probes; /metrics checks its scraper itself (tests/web/test_monitoring.py)
              "probes.health", "probes.ready", "metrics.scrape",
              # signing in through one's organisation (web/sso.py): to the provider and back
              "sso.start", "sso.callback", "sso.logged_out",
              # the gemachtigde's thanks after sending the access review's list (no data)
              "toegangsreview.done"}
    # The pages behind the mailed one-time links (web/account_links.py) are @public: the link's token
    # is what lets a person in, and a made-up token shows nothing but that the link does not work.
    by_link = {"account_links.contact_request", "account_links.officer", "account_links.password",
               "account_links.totp", "toegangsreview.officer"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in public or "GET" not in rule.methods:
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule.rule)
        path = path.replace("/account/1/1", "/account/activeren/1")  # <any(...):kind>
        response = client.get(path)
        if rule.endpoint.startswith("api."):
            # The REST API (web/api/) takes a token, never the session: without one it is a 401, but
            # for its OpenAPI document, which holds no data. (A task id that is no UUID is a 404 first.)
            response = client.get(re.sub(r"<taak:[^>]+>", "00000000-0000-4000-8000-000000000000",
                                         re.sub(r"<casus:[^>]+>", "1", rule.rule)))
            assert response.status_code == (200 if rule.endpoint == "api.openapi" else 401), rule.rule
            continue
        if rule.endpoint in by_link:
            assert getattr(app.view_functions[rule.endpoint], "zvt_public", False), rule.endpoint
            assert response.status_code == 404 and "Deze link werkt niet" in text(response), rule.rule
            continue
        assert response.status_code == 302 and response.location.startswith("/inloggen"), rule.rule
    assert {r.endpoint for r in app.url_map.iter_rules()} >= by_link
    assert client.get("/health").status_code == 200
    assert client.get("/inloggen").status_code == 200
    assert client.get("/static/zvt-theme.css").status_code == 200


def test_an_unknown_address_also_sends_an_anonymous_visitor_to_the_login_page(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 302 and response.location.startswith("/inloggen")


# -- CSRF --------------------------------------------------------------------------------

def test_a_post_without_a_csrf_token_is_refused_with_a_dutch_page(client, auth):
    response = client.post("/inloggen", data={"gebruikersnaam": "procesregisseur",
                                              "wachtwoord": "demo-procesregisseur"})
    assert response.status_code == 400
    assert "Het formulier is verlopen of niet compleet." in text(response)
    assert client.get("/").status_code == 302  # not logged in

    auth.login("procesregisseur")
    response = client.post("/uitloggen")
    assert response.status_code == 400 and '<html lang="nl"' in text(response)
    assert client.get("/").status_code == 200  # still logged in: the logout did not happen


def test_a_token_from_another_session_is_refused(app, client, auth):
    foreign = auth.csrf_token("/inloggen")
    other = app.test_client()
    response = other.post("/inloggen", data={"csrf_token": foreign, "gebruikersnaam": "procesregisseur",
                                             "wachtwoord": "demo-procesregisseur"})
    assert response.status_code == 400


# -- headers and cookies ------------------------------------------------------------------

def test_every_response_carries_the_security_headers(client, auth):
    anonymous = [client.get(path) for path in ("/inloggen", "/health", "/", "/static/zvt-theme.css",
                                               "/static/vendor/utrecht/component-library.css")]
    auth.login("procesregisseur")
    logged_in = [client.get(path) for path in ("/", "/bestaat-niet")]
    for response in anonymous + logged_in:
        headers = response.headers
        for directive in CSP:
            assert directive in headers["Content-Security-Policy"], response.request.path
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "camera=()" in headers["Permissions-Policy"]
        assert "Strict-Transport-Security" not in headers  # development runs on plain HTTP


def test_pages_are_never_cached_but_static_files_may_be(client, auth):
    auth.login("procesregisseur")
    for path in ("/", "/inloggen", "/bestaat-niet"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    assert "no-store" not in client.get("/static/zvt-theme.css").headers.get("Cache-Control", "")


def test_the_session_cookie_is_httponly_and_lax_and_not_secure_in_development(client, auth):
    cookie = auth.login("procesregisseur").headers["Set-Cookie"]
    assert cookie.startswith("zvt_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_production_cookies_are_secure_and_https_is_required_by_hsts(production, clock):
    add_account(production.engine, "jan", "een lang wachtwoord", totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    response = production.auth.login("jan", "een lang wachtwoord",
                                     totp=totp_code("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", clock()))
    assert response.location == "/"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("zvt_session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_view_can_set_its_own_policy_but_the_default_is_strict():
    from web.security import content_security_policy

    assert "'unsafe-inline'" not in content_security_policy()
    relaxed = content_security_policy(style_src="'self' 'unsafe-inline'")
    assert "style-src 'self' 'unsafe-inline'" in relaxed and "script-src 'self'" in relaxed
    assert CONTENT_SECURITY_POLICY["script-src"] == "'self'"


# -- the layout -----------------------------------------------------------------------------

def test_the_layout_is_dutch_accessible_and_has_no_inline_script_or_style(client, auth):
    auth.login("partnermedewerker")
    page = text(client.get("/"))
    assert '<html lang="nl" class="zvt-theme">' in page
    assert '<a class="utrecht-skip-link utrecht-skip-link--visible-on-focus" href="#inhoud">Naar de inhoud</a>' in page
    assert '<main id="inhoud"' in page
    assert "ZVT – zorg- en veiligheidsteam" in page
    assert "Demo Medewerker WoonFriesland" in page and "WoonFriesland" in page
    assert 'href="/taken">Mijn taken</a>' in page and 'href="/aanmelding/nieuw">Nieuwe aanmelding</a>' in page
    logout_form = re.search(r'<form method="post" action="/uitloggen">.*?</form>', page, re.S).group(0)
    assert 'name="csrf_token"' in logout_form and "Uitloggen" in logout_form
    assert "<script" not in page and "<style" not in page and " style=" not in page


def test_messages_are_announced_to_screen_readers(client, auth):
    auth.login("procesregisseur")
    auth.logout()
    page = text(client.get("/inloggen"))
    assert 'role="status"' in page and "U bent uitgelogd." in page


# -- error pages -------------------------------------------------------------------------------

def test_error_pages_are_dutch_and_show_no_details(error_app, clock):
    client = client_for(error_app)
    from tests.web.conftest import AuthActions

    AuthActions(client).login("procesregisseur")
    expectations = {
        "/test/afgerond": (409, "Iemand anders heeft deze taak al afgerond."),
        "/test/termijn": (409, "De termijn van deze taak is verlopen."),
        "/test/weg": (404, "Pagina niet gevonden"),
        "/bestaat-niet": (404, "Pagina niet gevonden"),
        "/test/verboden": (403, "Geen toegang"),
        "/test/kapot": (500, "Er ging iets mis"),
    }
    for path, (status, words) in expectations.items():
        response = client.get(path)
        body = text(response)
        assert response.status_code == status, path
        assert words in body and '<html lang="nl"' in body, path
        for secret in ("A. Jansen", "123456782", "Traceback", "task 1", "RuntimeError"):
            assert secret not in body, (path, secret)
        assert response.headers["Cache-Control"] == "no-store"


def test_a_wrong_method_gets_a_dutch_405(client, auth):
    auth.login("procesregisseur")
    response = client.get("/uitloggen")
    assert response.status_code == 405 and "Dit kan zo niet" in text(response)
    assert "POST" in response.headers["Allow"]


def test_too_many_attempts_answers_429_in_dutch(client, auth):
    for _ in range(5):
        auth.login("fg", "fout")
    response = auth.login("fg")
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    assert "Wacht 1 seconde en probeer het dan opnieuw." in text(response)


# -- files from npm ------------------------------------------------------------------------------

def test_only_the_listed_npm_files_are_served(client):
    css = client.get("/static/vendor/utrecht/component-library.css")
    assert css.status_code == 200 and css.mimetype == "text/css" and b".utrecht-button" in css.data
    for path in ("/static/vendor/bpmn-js/package.json", "/static/vendor/../package.json",
                 "/static/vendor/@utrecht/component-library-css/dist/index.css",
                 "/static/vendor/utrecht/../../package-lock.json"):
        assert client.get(path).status_code in (302, 404), path


def test_every_listed_npm_file_is_installed():
    assert vendor.missing_files() == [], "run 'npm ci' (make install)"


# -- the theme ------------------------------------------------------------------------------------

def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_theme_colours_have_enough_contrast():
    css = (STATIC / "zvt-theme.css").read_text()
    colour = dict(re.findall(r"--zvt-color-([a-z-]+):\s*(#[0-9a-f]{6})", css))
    text_pairs = [("text", "background"), ("text", "surface"), ("text-muted", "background"),
                  ("text-muted", "surface"), ("primary", "background"), ("primary-hover", "background"),
                  ("primary", "primary-light"), ("primary-hover", "primary-light"), ("error", "background"),
                  ("ok", "background"), ("warning", "background"), ("text", "error-light"),
                  ("text", "ok-light"), ("text", "warning-light"), ("text", "primary-light")]
    for foreground, background in text_pairs:
        assert _contrast(colour[foreground], colour[background]) >= 4.5, (foreground, background)
    assert _contrast("#ffffff", colour["primary"]) >= 4.5  # text on the primary button
    assert _contrast(colour["control-border"], colour["background"]) >= 3  # WCAG 1.4.11
    assert "--utrecht-document-font-size: 1.0625rem" in css  # 17px
