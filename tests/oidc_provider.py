"""A real OpenID Connect provider for the tests: npm oidc-provider (package.json), started on a
free loopback port by scripts/oidc_provider.mjs with invented clients and users, and a browser
stand-in (`ProviderBrowser`) that signs in there over real HTTP the way a person's browser does.

The fixture `oidc_provider` (session scope) is there for every test: tests/conftest.py registers this module.
"""
from __future__ import annotations

import json
import re
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "oidc_provider.mjs"
# Where the app's links point in development (zvt/config.py DEV_BASE_URL): the callback
# addresses registered at the provider; the tests hand such an address to the Flask test client.
APP_BASE = "http://127.0.0.1:5000"
CLIENT_ID = "zvt-test"
CLIENT_SECRET = "test-client-secret-of-an-invented-partner"
PASSWORD = "test-wachtwoord"
PARTNERS = ("gemeente_heerenveen", "woonfriesland", "politie")
MFA_ACR = "urn:test:loa:substantial"

# Invented people. amr/acr as a provider writes them after a password alone or with a second factor.
USERS = [
    {"login": "anna", "sub": "sub-anna", "amr": ["pwd", "otp"],
     "claims": {"name": "Anna de Vries", "email": "anna@gemeente.example", "email_verified": True}},
    {"login": "bram", "sub": "sub-bram", "amr": ["pwd"],
     "claims": {"name": "Bram Jansen", "email": "bram@gemeente.example", "email_verified": True}},
    {"login": "carla", "sub": "sub-carla", "acr": MFA_ACR,
     "claims": {"name": "Carla Bos", "email": "carla@woonfriesland.example", "email_verified": True,
                "organisation": "woonfriesland", "roles": ["ZVT-Medewerker", "Kantine"]}},
    {"login": "dirk", "sub": "sub-dirk", "amr": ["pwd", "otp"],
     "claims": {"name": "Dirk Smit", "email": "dirk@gemeente.example", "email_verified": True}},
    {"login": "eva", "sub": "sub-eva", "amr": ["pwd", "otp"],
     "claims": {"name": "Eva Mulder", "email": "eva@elders.example", "email_verified": True,
                "organisation": "elders", "roles": ["ZVT-Medewerker"]}},
    {"login": "frank", "sub": "sub-frank", "amr": ["pwd", "otp"],
     "claims": {"name": "Frank Visser", "email": "frank@gemeente.example", "email_verified": False}},
]


@dataclass(frozen=True)
class Provider:
    issuer: str

    def settings(self, **overrides) -> dict:
        """A partner's single sign-on settings for this provider (Partner.sso)."""
        return {"issuer": self.issuer, "client_id": CLIENT_ID, "mfa": {"acr": [MFA_ACR], "amr": ["otp", "mfa"]},
                **overrides}


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory) -> Provider:
    with running_provider(tmp_path_factory.mktemp("oidc"), APP_BASE) as provider:
        yield provider


@contextmanager
def running_provider(folder: Path, app_base: str):
    """The provider, with the test client registered for the app at `app_base`."""
    settings = {
        "host": "127.0.0.1", "port": 0,
        "clients": [{
            "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "redirect_uris": [f"{app_base}/inloggen/organisatie/{code}/terug" for code in PARTNERS]
                             + [f"{app_base}/test-rp"],
            "post_logout_redirect_uris": [f"{app_base}/inloggen/organisatie/uitgelogd"],
        }],
        "users": [dict(user, password=PASSWORD) for user in USERS],
    }
    path = folder / "provider.json"
    path.write_text(json.dumps(settings), encoding="utf-8")
    process = subprocess.Popen(["node", str(SCRIPT), str(path)], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        if not line:
            pytest.fail(f"the OpenID Connect provider did not start: {process.stderr.read()}", pytrace=False)
        yield Provider(json.loads(line)["issuer"])
    finally:
        process.terminate()
        process.wait(timeout=10)


_FORM = re.compile(r'<form[^>]*action="([^"]+)"', re.S)
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


class ProviderBrowser:
    """The person's browser at the provider: its own cookies (its session there), following
    redirects until the provider sends it back to the app."""

    def __init__(self):
        self.http = requests.Session()

    def follow(self, url: str, response: requests.Response | None = None) -> tuple[str | None, requests.Response]:
        """Follow redirects from `url` at the provider; (the app address it ends at, or None, last response)."""
        for _ in range(10):
            if url.startswith(APP_BASE):
                return url[len(APP_BASE):], response
            response = self.http.get(url, allow_redirects=False, timeout=10)
            if not response.is_redirect:
                return None, response
            url = urljoin(url, response.headers["location"])
        raise AssertionError("too many redirects")

    def sign_in(self, url: str, login: str, password: str = PASSWORD) -> str:
        """At the provider's authorization `url`: sign in (when asked) and return the app path
        (with query) the provider sends the browser back to."""
        back, page = self.follow(url)
        if back is not None:
            return back  # signed in at the provider already
        action = _FORM.search(page.text)
        assert action is not None, page.text[:500]
        response = self.http.post(urljoin(page.url, unescape(action.group(1))),
                                  data={"login": login, "password": password}, allow_redirects=False, timeout=10)
        assert response.is_redirect, response.text[:500]
        back, page = self.follow(urljoin(page.url, response.headers["location"]), response)
        assert back is not None, page.text[:500]
        return back

    def end_session(self, url: str) -> str:
        """At the provider's end session `url`: confirm the logout; the app path it returns to."""
        page = self.http.get(url, timeout=10)
        assert page.status_code == 200, page.text[:500]
        fields = dict(_HIDDEN.findall(page.text))
        action = _FORM.search(page.text)
        response = self.http.post(urljoin(page.url, unescape(action.group(1))), data={**fields, "logout": "yes"},
                                  allow_redirects=False, timeout=10)
        assert response.is_redirect, response.text[:500]
        back, _ = self.follow(urljoin(page.url, response.headers["location"]), response)
        assert back is not None
        return back

    def signed_in_at(self, provider: Provider) -> bool:
        """Whether the provider still has a session for this browser: an authorization request
        with prompt=none comes back with a code, or with login_required."""
        response = self.http.get(f"{provider.issuer}/auth", params={
            "client_id": CLIENT_ID, "response_type": "code", "scope": "openid", "prompt": "none",
            "redirect_uri": f"{APP_BASE}/inloggen/organisatie/{PARTNERS[0]}/terug",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "S256",
        }, allow_redirects=False, timeout=10)
        back, _ = self.follow(urljoin(response.url, response.headers["location"]), response)
        assert back is not None
        query = urlsplit(back).query
        assert "code=" in query or "error=login_required" in query, back
        return "code=" in query
