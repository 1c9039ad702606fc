"""The web app as built by the factory: Dutch, behind a login, safe headers."""
import pytest
from argon2 import PasswordHasher

from engine import Engine
from engine.migrate import upgrade
from web import create_app
from zvt import demo
from zvt.config import Config


@pytest.fixture
def client(tmp_path):
    url = f"sqlite:///{tmp_path / 'web.sqlite3'}"
    upgrade(url)
    engine = Engine(url)
    demo.load(engine, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    engine.close()
    app = create_app(Config.from_env({"ZVT_DATABASE_URL": url, "ZVT_ENV": "development"}))
    app.config["TESTING"] = True
    yield app.test_client()
    app.extensions["zvt_engine"].close()


def login(client, username="procesregisseur"):
    page = client.get("/inloggen").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    return client.post("/inloggen", data={"csrf_token": token, "gebruikersnaam": username,
                                          "wachtwoord": f"demo-{username}"})


def test_the_home_page_needs_a_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response.location.startswith("/inloggen")


def test_the_home_page_is_dutch_and_counts_only_the_users_own_tasks(client):
    assert login(client).status_code == 302
    response = client.get("/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert '<html lang="nl"' in body
    assert "U heeft 0 taken en er staan 0 open voor uw rol." in " ".join(body.split())


def test_every_response_carries_the_security_headers(client):
    for path in ("/", "/inloggen", "/health", "/bestaat-niet"):
        headers = client.get(path).headers
        assert headers["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self'")
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
