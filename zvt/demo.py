"""Demonstration data for the development configuration: the covenant's partners, one
account per role and a few invented cases, so that `make run` shows a working team.

Every person here is invented. Demo accounts carry `demo = True`; production refuses them.
"""
from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlalchemy import func, select

from engine import Engine
from engine.db import Account, Instance, Partner

from .config import DEMO_OIDC_ISSUER

# The eight convenantpartners and the grondslag each shares data on (convenant, "Grondslag").
WONINGCORPORATIE = ("AVG art. 6 lid 1 sub b (uitvoering van de huurovereenkomst) of sub f "
                    "(gerechtvaardigd belang)")
ZORG = ("AVG art. 6 lid 1 sub a (toestemming), of sub b jo. art. 9 lid 2 sub h AVG, de WGBO en de "
        "Handreiking Gegevensdeling Bemoeizorg")
PARTNERS = [
    ("gemeente_heerenveen", "Gemeente Heerenveen",
     "AVG art. 6 lid 1 sub e (taak van algemeen belang of openbaar gezag)"),
    ("accolade", "Accolade", WONINGCORPORATIE),
    ("woonfriesland", "WoonFriesland", WONINGCORPORATIE),
    ("elkien", "Elkien", WONINGCORPORATIE),
    ("politie", "Politie", "Art. 20 Wet politiegegevens"),
    ("ggz_friesland", "GGZ Friesland", ZORG),
    ("vnn", "Verslavingszorg Noord-Nederland (VNN)", ZORG),
    ("veiligheidsregio_fryslan", "Veiligheidsregio Fryslân", ZORG),
]
# An ad-hoc partner: no convenantpartner, it takes part in one case only after the procesregisseur
# admits it with its signed declaration (case page, "Ad-hocpartner toelaten"); invented.
ADHOC_PARTNERS = [
    ("buurtteam_zuid", "Buurtteam Heerenveen-Zuid",
     "Getekende verklaring per casus (ad-hocpartner, convenant: Uitgangspunten)"),
]




# The partner that directs the team: its procesregisseur directs every case (Partner.directs).
DIRECTING = "gemeente_heerenveen"
# The day the demo covenant was signed.
SIGNED_ON = "2026-01-01"


def demo_register(code: str, name: str) -> dict:
    """A demo partner's register entry besides its contacts: who asks for its accounts and who
    authorises them (invented people, at a domain kept for examples)."""
    return {"directs": code == DIRECTING, "joined_on": SIGNED_ON,
            "contact_name": f"Contactpersoon {name}", "contact_email": f"contact.{code}@example.nl",
            "officer_name": f"Gemachtigde {name}", "officer_email": f"gemachtigde.{code}@example.nl"}


def demo_contacts(code: str, name: str) -> dict[str, str]:
    """The contact register of a demo partner: invented functional addresses at example.nl."""
    return {"fg": f"Functionaris gegevensbescherming van {name}: fg.{code}@example.nl",
            "verantwoordelijke": f"Verantwoordelijke bij een datalek bij {name}: datalek.{code}@example.nl"}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    partner: str
    role: str

    @property
    def password(self) -> str:
        # Known on purpose: listed in the README, refused outside development.
        return f"demo-{self.role}"

    @property
    def email(self) -> str:
        # Invented, at a domain kept for examples: a development mail server may receive it.
        return f"{self.username}@example.nl"


ACCOUNTS = [
    DemoAccount("procesregisseur", "Demo Procesregisseur", "gemeente_heerenveen", "procesregisseur"),
    DemoAccount("partnermedewerker", "Demo Medewerker WoonFriesland", "woonfriesland", "partnermedewerker"),
    DemoAccount("politie", "Demo Medewerker Politie", "politie", "partnermedewerker"),
    DemoAccount("teamleider", "Demo Teamleider", "gemeente_heerenveen", "teamleider"),
    # A datalek at WoonFriesland is for its own people: its responsible person and its FG.
    DemoAccount("verantwoordelijke_woonfriesland", "Demo Teamleider WoonFriesland", "woonfriesland", "teamleider"),
    DemoAccount("fg_woonfriesland", "Demo FG WoonFriesland", "woonfriesland", "fg"),
    DemoAccount("proceseigenaar", "Demo Proceseigenaar", "gemeente_heerenveen", "proceseigenaar"),
    DemoAccount("fg", "Demo Functionaris Gegevensbescherming", "gemeente_heerenveen", "fg"),
    DemoAccount("beheerder", "Demo Beheerder", "gemeente_heerenveen", "beheerder"),
    DemoAccount("manager", "Demo Manager Accolade", "accolade", "manager"),
    DemoAccount("medewerker_buurtteam", "Demo Medewerker Buurtteam Zuid", "buurtteam_zuid", "partnermedewerker"),
]
# Every convenantpartner has its own FG (AVG art. 37), who hears of a datalek at their organisation
# and supervises its staff's access; the municipality's and WoonFriesland's are above.
ACCOUNTS += [DemoAccount(f"fg_{code}", f"Demo FG {name}", code, "fg") for code, name, _grondslag in PARTNERS
             if code not in ("gemeente_heerenveen", "woonfriesland")]


# Single sign-on in development: the municipality's people may sign in through the demo provider
# (scripts/oidc_provider.mjs with scripts/demo_oidc.json, which `make run` starts on loopback).
# Production refuses this provider (zvt/config.py check_oidc_issuer).
SSO_PARTNER = "gemeente_heerenveen"
SSO_SETTINGS = {
    "issuer": DEMO_OIDC_ISSUER,
    "client_id": "zvt-demo",
    "claims": {"subject": "sub", "name": "name", "email": "email"},
    "link_by_email": True,
    "roles_from_idp": False,
    "mfa": {"amr": ["otp", "mfa", "hwk"]},
}
# Demo accounts linked to a person at the demo provider (the subject there). The demo provider's
# sso-fg is not linked: at the first login the verified e-mail address links it to `fg`.
SSO_LINKS = {"procesregisseur": "demo-procesregisseur", "teamleider": "demo-teamleider"}


@dataclass(frozen=True)
class Loaded:
    partners: int  # partners added
    accounts: int  # accounts added
    cases: int  # cases started


def load(engine: Engine, *, hasher: PasswordHasher | None = None) -> Loaded:
    """Add what is missing; running it again changes nothing (passwords are not reset; a demo
    account loaded before accounts had an e-mail address gets its invented one)."""
    hasher = hasher or PasswordHasher()
    now = engine.clock()
    added_partners = added_accounts = 0
    with engine.database.unit_of_work() as uow:
        session = uow.session
        partners = [(code, name, grondslag, "convenant") for code, name, grondslag in PARTNERS]
        partners += [(code, name, grondslag, "adhoc") for code, name, grondslag in ADHOC_PARTNERS]
        for code, name, grondslag, kind in partners:
            partner = session.get(Partner, code)
            if partner is None:
                session.add(Partner(id=code, name=name, kind=kind, grondslag=grondslag, active=True,
                                    contacts=demo_contacts(code, name), **demo_register(code, name)))
                added_partners += 1
                continue
            if partner.contacts is None:  # loaded before partners had a contact register
                partner.contacts = demo_contacts(code, name)
            if partner.officer_email is None:  # loaded before the partner register had these
                for key, value in demo_register(code, name).items():
                    setattr(partner, key, value)
        session.flush()
        municipality = session.get_one(Partner, SSO_PARTNER)
        if municipality.sso is None:  # new, or loaded before single sign-on
            municipality.sso = dict(SSO_SETTINGS)
        session.flush()
        existing = {a.username: a for a in session.scalars(select(Account))}
        for account in ACCOUNTS:
            subject = SSO_LINKS.get(account.username)
            if account.username in existing:
                known = existing[account.username]
                if known.demo and known.email is None:
                    known.email = account.email  # loaded before accounts had an address
                if known.demo and subject and known.external_subject is None:  # loaded before single sign-on
                    known.external_issuer, known.external_subject = DEMO_OIDC_ISSUER, subject
                continue
            session.add(Account(
                username=account.username, display_name=account.display_name, partner_id=account.partner,
                roles=[account.role], password_hash=hasher.hash(account.password), totp_secret=None,
                active=True, demo=True, created_at=now, email=account.email,
                external_issuer=DEMO_OIDC_ISSUER if subject else None, external_subject=subject,
            ))
            added_accounts += 1
        has_cases = session.execute(select(func.count()).select_from(Instance).where(
            Instance.process_id == "zvt_casus")).scalar_one() > 0
        uow.commit()
    cases = 0
    if not has_cases and engine.is_deployed("zvt_casus"):
        cases = _start_cases(engine)
    return Loaded(added_partners, added_accounts, cases)


# The REST API (docs/api.md): WoonFriesland's customer system, with a known token listed in the
# README like the demo passwords. Its service account is a demo account, so production refuses to
# start on a database that holds it. Loaded by `zvt demo-data` (load_api_client), apart from `load`.
API_CLIENT = "woonfriesland-crm"
API_CLIENT_PARTNER = "woonfriesland"
API_TOKEN = "zvt_demo_woonfriesland_crm"


def load_api_client(engine: Engine) -> bool:
    """Add the demo API client unless it is there; True when it was added."""
    from engine import api_clients

    if any(row.code == API_CLIENT for row in api_clients.clients(engine.database, engine.clock())):
        return False
    api_clients.add(engine.database, API_CLIENT, "Klantsysteem WoonFriesland (demo)", API_CLIENT_PARTNER,
                    ["partnermedewerker"], "demo-data", engine.clock(), days=api_clients.MAX_DAYS, token=API_TOKEN,
                    demo=True)
    return True


def demo_accounts_present(engine: Engine) -> bool:
    with engine.database.unit_of_work(write=False) as uow:
        return uow.session.scalar(select(Account.id).where(Account.demo.is_(True)).limit(1)) is not None


def _aanmelding(naam: str, situaties: list[str], leefgebieden: list[str], reden: str) -> dict:
    return {
        "betrokkene_naam": naam, "betrokkene_geboortedatum": "1970-01-01",
        "betrokkene_adres": "Demostraat 1, 8441 AA Heerenveen", "reden_aanmelding": reden,
        "urgentie": "snel", "huishouden": "Woont alleen.", "minderjarige_kinderen": False,
        "betrokken_hulpverlening": [{"organisatie": "Demo-huisartsenpraktijk", "hulp": "Huisarts"}],
        "veiligheidsrisico_huisbezoek": False,
        "situaties": situaties, "leefgebieden": leefgebieden, "zelfregie": False,
        "grote_maatschappelijke_impact": False, "betrokkene_op_de_hoogte": True, "toestemming": "ja",
        "grondslag_afgewogen": True,
    }


def _start_cases(engine: Engine) -> int:
    """Three invented cases at different stages: new, in zorgoverleg, closed."""
    def start(data: dict, partner: str) -> int:
        return engine.start("zvt_casus", data, actor="partnermedewerker", context={"aanmelder_partner": partner})

    def open_task(instance: int, bpmn_id: str):
        return next(t for t in engine.ready_tasks(instance) if t.bpmn_id == bpmn_id)

    start(_aanmelding("Demo-persoon A. Jansen", ["dreigende_huisuitzetting", "zorgmijding"],
                      ["wonen", "financien", "psychische_gezondheid"],
                      "Huurachterstand van vijf maanden; reageert niet op brieven."), "woonfriesland")

    beoordeling = {
        "niveau": 3, "besluit_beoordeling": "oppakken", "toelichting_besluit": "Meerdere leefgebieden en zorgmijding.",
        "deelnemende_partners": ["gemeente_heerenveen", "woonfriesland", "ggz_friesland"],
        "crisisoverleg": False, "informeren": "informeren",
    }
    informeren = {
        "datum_geinformeerd": "2026-11-02", "manier": "gesprek", "gegevens_en_doel": True,
        "bronnen_en_ontvangers": "WoonFriesland en GGZ Friesland", "rechten_uitgelegd": True, "uitgenodigd_voor_plan": True,
    }
    plan = {
        "doelen": "Huurachterstand oplossen; betrokkene accepteert begeleiding.",
        "eigen_doelen": "Geen schulden meer en weer rust in huis.",
        "afspraken": [{"partner": "woonfriesland", "actie": "Betalingsregeling aanbieden", "uiterlijk_op": "2026-11-13"},
                      {"partner": "ggz_friesland", "actie": "Huisbezoek met wijkverpleegkundige",
                       "uiterlijk_op": "2026-11-09"}],
        "betrokkene_aanwezig": True, "eerste_zorgoverleg_op": "2026-11-16", "evaluatie_op": "2026-12-14",
    }
    # Before every overleg (the plangesprek too): the partners of the beoordeling, who each need the data.
    privacycheck = {"uitgenodigde_partners": beoordeling["deelnemende_partners"], "noodzaak_nagegaan": True}
    for naam, sluiten in (("Demo-persoon B. de Boer", False), ("Demo-persoon C. Visser", True)):
        instance = start(_aanmelding(naam, ["overlast", "verwaarlozing"], ["wonen", "zelfzorg", "sociaal_netwerk"],
                                     "Buren melden overlast en vervuiling van de woning."), "accolade")
        for bpmn_id, data in (("beoordeling", beoordeling), ("betrokkene_informeren", informeren),
                              ("privacycheck_plangesprek", privacycheck), ("plan_van_aanpak", plan)):
            engine.complete(open_task(instance, bpmn_id).id, data, actor="procesregisseur")
        if sluiten:
            engine.complete(open_task(instance, "privacycheck").id, privacycheck, actor="procesregisseur")
            engine.complete(open_task(instance, "zorgoverleg").id, {
                "datum": "2026-11-16", "betrokkene_uitgenodigd": True, "betrokkene_aanwezig": True,
                "aanwezige_partners": beoordeling["deelnemende_partners"],
                "voortgang": "Woning is schoon, begeleiding loopt.", "effect": "Doelen bereikt.",
                "besluit_overleg": "afronden", "afsluiten_naar_niveau": 1}, actor="procesregisseur")
    return 3
