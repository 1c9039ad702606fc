"""The minimal web app: built by the factory, safe headers, Dutch."""
import pytest

from engine.migrate import upgrade
from web import create_app
from zvt.config import Config


@pytest.fixture
def client(tmp_path):
    url = f"sqlite:///{tmp_path / 'web.sqlite3'}"
    upgrade(url)
    app = create_app(Config.from_env({"ZVT_DATABASE_URL": url, "ZVT_ENV": "development"}))
    app.config["TESTING"] = True
    return app.test_client()


def test_the_home_page_is_dutch_and_counts_open_tasks(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert '<html lang="nl">' in body
    assert "Open taken: 0" in body


def test_every_response_carries_the_security_headers(client):
    for path in ("/", "/health", "/bestaat-niet"):
        headers = client.get(path).headers
        assert headers["Content-Security-Policy"] == "default-src 'self'"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"


def test_health_reports_ok_when_the_database_answers(client):
    response = client.get("/health")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
