"""Who may read /metrics: deny by default; this machine, the addresses in ZVT_METRICS_ALLOW, or
whoever shows ZVT_METRICS_TOKEN; never a client a reverse proxy forwarded unless the app trusts
that proxy. On SQLite and PostgreSQL (the figures come from the database)."""
import secrets
from ipaddress import ip_network

import pytest

from tests.web.conftest import build_app, client_for
from zvt.config import Config, ConfigError, Monitoring, _monitoring

TOKEN = secrets.token_urlsafe(48)
URL = "postgresql+psycopg://zvt@db.example/zvt"


@pytest.fixture
def status(engine, database_url, clock):
    """status(remote_addr, headers, **settings): the status of GET /metrics from that address,
    on an app built with those settings."""
    apps = {}

    def get(remote: str = "127.0.0.1", headers: dict | None = None, **settings) -> int:
        key = repr(sorted(settings.items()))
        if key not in apps:
            apps[key] = build_app(database_url, clock, environment="development", **settings)
        response = client_for(apps[key]).get("/metrics", environ_base={"REMOTE_ADDR": remote}, headers=headers or {})
        if response.status_code == 200:
            assert b"zvt_database_up 1.0" in response.data
        else:
            assert b"zvt_" not in response.data
        return response.status_code

    yield get
    for app in apps.values():
        app.extensions["zvt_engine"].close()


def test_by_default_only_this_machine_reads_the_metrics(status):
    for loopback in ("127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"):
        assert status(loopback) == 200, loopback
    for elsewhere in ("203.0.113.5", "10.1.2.3", "2001:db8::5", "::ffff:203.0.113.5", "not an address"):
        assert status(elsewhere) == 403, elsewhere


def test_through_a_proxy_the_app_does_not_trust_the_address_is_the_proxys_and_lets_no_one_in(status):
    # nginx on the same machine: every request comes from 127.0.0.1, the client is in the header.
    for header in ({"X-Forwarded-For": "203.0.113.5"}, {"Forwarded": "for=203.0.113.5"}, {"X-Real-IP": "127.0.0.1"}):
        assert status("127.0.0.1", header) == 403, header


def test_behind_a_trusted_proxy_the_client_it_names_is_judged(status):
    assert status("127.0.0.1", {"X-Forwarded-For": "203.0.113.5"}, trusted_proxies=1) == 403
    assert status("127.0.0.1", {"X-Forwarded-For": "127.0.0.1"}, trusted_proxies=1) == 200
    # A forged first entry does not help: the proxy appends the address it saw, and that one counts.
    assert status("127.0.0.1", {"X-Forwarded-For": "127.0.0.1, 203.0.113.5"}, trusted_proxies=1) == 403


def test_the_allowed_addresses_replace_the_default(status):
    prometheus = Monitoring(metrics_allow=(ip_network("10.0.5.0/24"),))
    assert status("10.0.5.7", monitoring=prometheus) == 200
    assert status("10.0.6.7", monitoring=prometheus) == 403
    assert status("127.0.0.1", monitoring=prometheus) == 403


def test_the_bearer_token_lets_a_scraper_in_from_anywhere_and_nothing_else_does(status):
    token_only = Monitoring(metrics_allow=(), metrics_token=TOKEN)
    assert status("203.0.113.5", {"Authorization": f"Bearer {TOKEN}"}, monitoring=token_only) == 200
    assert status("203.0.113.5", {"Authorization": f"bearer {TOKEN}"}, monitoring=token_only) == 200
    assert status("127.0.0.1", {"X-Forwarded-For": "203.0.113.5", "Authorization": f"Bearer {TOKEN}"},
                  monitoring=token_only) == 200
    for wrong in (f"Bearer {TOKEN[:-1]}", f"Basic {TOKEN}", TOKEN, "Bearer ", ""):
        assert status("203.0.113.5", {"Authorization": wrong}, monitoring=token_only) == 403, wrong
    assert status("127.0.0.1", monitoring=token_only) == 403  # ZVT_METRICS_ALLOW=none: not even this machine
    # Without a token set, no Authorization header opens it.
    assert status("203.0.113.5", {"Authorization": "Bearer None"}) == 403


def test_the_settings_are_read_and_checked():
    def read(**environ):
        return _monitoring(lambda name: environ.get(name))

    assert read() == Monitoring()
    assert read(ZVT_METRICS_ALLOW="10.0.5.0/24, 2001:db8::/32 192.0.2.7").metrics_allow == (
        ip_network("10.0.5.0/24"), ip_network("2001:db8::/32"), ip_network("192.0.2.7/32"))
    assert read(ZVT_METRICS_ALLOW="none").metrics_allow == ()
    assert read(ZVT_READY_SCHEDULER_INTERVALS="0").ready_scheduler_intervals == 0
    with pytest.raises(ConfigError, match="ZVT_METRICS_ALLOW must list IP addresses or networks"):
        read(ZVT_METRICS_ALLOW="prometheus.gemeente.example")
    with pytest.raises(ConfigError, match="ZVT_READY_SCHEDULER_INTERVALS must be zero or more intervals"):
        read(ZVT_READY_SCHEDULER_INTERVALS="-1")
    keys = {"secret_key": secrets.token_urlsafe(48), "audit_key": secrets.token_urlsafe(48)}
    with pytest.raises(ConfigError, match="ZVT_METRICS_TOKEN has 5 characters"):
        Config(database_url=URL, **keys, monitoring=Monitoring(metrics_token="kort!"))
    with pytest.raises(ConfigError, match="ZVT_METRICS_TOKEN must differ"):
        Config(database_url=URL, **keys, monitoring=Monitoring(metrics_token=keys["secret_key"]))
    Config(database_url=URL, **keys, monitoring=Monitoring(metrics_token=TOKEN))
