"""`zvt demo-data`: partners, one account per role, invented cases; development only."""
import secrets

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner
from sqlalchemy import select

from engine import Engine
from engine.db import Account, Partner
from engine.roles import ROLES
from tests.processes.conftest import FORMS, PROCESSES
from web import create_app
from zvt import demo
from zvt.cli import main
from zvt.config import Config, ConfigError


@pytest.fixture
def loaded(database_url, clock):
    engine = Engine(database_url, clock=clock)
    engine.deploy(PROCESSES, FORMS)
    # Cheap hashing parameters: the test is about what is stored, not about argon2's cost.
    first = demo.load(engine, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    yield engine, first
    engine.close()


def test_demo_data_holds_the_eight_partners_with_their_grondslag_and_one_ad_hoc_partner(loaded):
    engine, first = loaded
    with engine.database.unit_of_work(write=False) as uow:
        partners = {p.id: (p.grondslag, p.kind, p.active) for p in uow.session.scalars(select(Partner))}
    assert first.partners == 9 and len(partners) == 9
    assert partners["politie"][0] == "Art. 20 Wet politiegegevens"
    assert "6 lid 1 sub e" in partners["gemeente_heerenveen"][0]
    kinds = {code: kind for code, (_, kind, active) in partners.items() if active}
    assert sorted(code for code, kind in kinds.items() if kind == "adhoc") == ["buurtteam_zuid"]
    assert sum(kind == "convenant" for kind in kinds.values()) == 8


def test_the_ad_hoc_partner_sees_no_case_until_it_is_admitted_and_is_offered_for_admission(loaded):
    from engine import caselist, participation
    from engine.identity import Origin, User
    engine, first = loaded
    assert first.cases > 0
    buurtteam = User("medewerker_buurtteam", "Demo Medewerker Buurtteam Zuid", "buurtteam_zuid", frozenset({"partnermedewerker"}))
    partnermedewerker = User("partnermedewerker", "Demo Medewerker WoonFriesland", "woonfriesland",
                             frozenset({"partnermedewerker"}))
    every = caselist.Filters(status="all")
    assert caselist.list_cases(engine, partnermedewerker, every, Origin("192.0.2.1", "test")).total > 0
    assert caselist.list_cases(engine, buurtteam, every, Origin("192.0.2.1", "test")).total == 0
    assert ("buurtteam_zuid", "Buurtteam Heerenveen-Zuid") in participation.adhoc_candidates(engine)


def test_there_is_a_demo_account_for_every_role_with_a_working_password(loaded):
    engine, _ = loaded
    with engine.database.unit_of_work(write=False) as uow:
        accounts = {a.username: (a.roles, a.demo, a.password_hash, a.partner_id)
                    for a in uow.session.scalars(select(Account))}
    assert {role for roles, *_ in accounts.values() for role in roles} == ROLES
    assert all(is_demo for _, is_demo, _, _ in accounts.values())
    password_hash = accounts["procesregisseur"][2]
    assert password_hash.startswith("$argon2id$")
    assert PasswordHasher().verify(password_hash, "demo-procesregisseur")
    assert accounts["politie"][3] == "politie"


def test_every_demo_account_has_an_invented_address_at_example_nl(loaded):
    engine, _ = loaded
    with engine.database.unit_of_work(write=False) as uow:
        addresses = {a.username: a.email for a in uow.session.scalars(select(Account))}
    assert addresses == {a.username: f"{a.username}@example.nl" for a in demo.ACCOUNTS}


def test_loading_twice_adds_nothing_and_the_demo_cases_are_at_three_stages(loaded):
    engine, first = loaded
    assert first.cases == 3
    again = demo.load(engine, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    assert (again.partners, again.accounts, again.cases) == (0, 0, 0)
    open_tasks = sorted(t.bpmn_id for t in engine.ready_tasks())
    assert open_tasks == ["beoordeling", "privacycheck"]


def test_demo_data_is_refused_in_production(tmp_path, monkeypatch):
    monkeypatch.setenv("ZVT_ENV", "production")
    monkeypatch.setenv("ZVT_DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite3'}")
    monkeypatch.setenv("ZVT_SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("ZVT_AUDIT_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("ZVT_SMTP_HOST", "smtp.gemeente.example")
    monkeypatch.setenv("ZVT_MAIL_FROM", "zvt@gemeente.example")
    monkeypatch.setenv("ZVT_BASE_URL", "https://zvt.gemeente.example")
    result = CliRunner().invoke(main, ["demo-data"])
    assert result.exit_code != 0
    assert "development configuration only" in result.output


def test_production_refuses_to_start_on_a_database_with_demo_accounts(loaded, database_url):
    config = Config(database_url=database_url, environment="production",
                    secret_key=secrets.token_urlsafe(48), audit_key=secrets.token_urlsafe(48))
    with pytest.raises(ConfigError, match="demo accounts"):
        create_app(config)


def test_every_convenantpartner_has_its_own_fg_account_so_a_datalek_anywhere_reaches_one(loaded):
    engine, _ = loaded
    with engine.database.unit_of_work(write=False) as uow:
        convenant = {p.id for p in uow.session.scalars(select(Partner).where(Partner.kind == "convenant"))}
        fgs = {a.partner_id for a in uow.session.scalars(select(Account)) if "fg" in a.roles and a.active}
        passwords = {a.username: a.password_hash for a in uow.session.scalars(select(Account)) if "fg" in a.roles}
    assert len(convenant) == 8 and convenant <= fgs
    assert PasswordHasher().verify(passwords["fg_politie"], "demo-fg")


def test_the_readmes_demo_account_table_lists_exactly_the_demo_accounts():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Demo accounts (development only)", 1)[1]
    # The first table of the section, up to the blank line after it.
    table = section[section.index("| username |"):].split("\n\n", 1)[0]
    rows = [[cell.strip().strip("`") for cell in line.strip("|").split("|")]
            for line in table.splitlines() if line.startswith("| `")]
    listed = {username: (password, role) for username, password, role, _partner in rows}
    assert listed == {a.username: (a.password, a.role) for a in demo.ACCOUNTS}
