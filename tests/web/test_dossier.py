"""The case page as a dossier: every step with what was entered, in the labels of its form, and
whether the betrokkene was informed (art. 41 UAVG), for every reader of the case."""
import html
import re
import shutil

from tests.processes.conftest import FORMS, PROCESSES
from tests.processes.test_datalek import melding
from tests.processes.test_zvt_casus import new_case, scenario_afronden, scenario_art_41


def deploy_casus(engine, tmp_path):
    """zvt_casus alone: the scheduled processes of the whole folder would fire their own timers."""
    (tmp_path / "processes").mkdir()
    for name in ("zvt_casus.bpmn", "afwegingskader.dmn"):
        shutil.copy(PROCESSES / name, tmp_path / "processes")
    shutil.copytree(FORMS / "zvt_casus", tmp_path / "forms" / "zvt_casus")
    engine.deploy(tmp_path / "processes", tmp_path / "forms")


def steps_on_page(body: str) -> list[str]:
    start = body.index('id="kop-dossier"')
    dossier = body[start:body.index("</section>", start)]
    return re.split(r'<li class="zvt-dossier__step">', dossier)[1:]


def step_named(steps: list[str], name: str) -> str:
    """The one step whose name (the timeline's 'what') is `name`, as text."""
    [step] = [s for s in steps if text(re.search(r'zvt-timeline__what">(.*?)</span>', s, re.S).group(1)).strip() == name]
    return text(step)


def text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)))


def test_every_step_of_a_finished_case_is_readable_with_the_labels_of_its_form(auth, client, engine):
    engine.deploy(PROCESSES, FORMS)
    case = scenario_afronden(engine)
    auth.login("procesregisseur")
    body = client.get(f"/casussen/{case.id}").get_data(as_text=True)
    steps = steps_on_page(body)
    shown = [text(step) for step in steps]

    # Aanmelding, beoordeling, informeren, the plangesprek's privacycheck, plan, privacycheck, zorgoverleg.
    entered = [h for h in engine.history(case.id) if h.data and h.task_type in ("UserTask", "StartEvent")]
    assert len(entered) == 7
    forms = engine_forms(engine, case.id)
    for entry in entered:
        schema = forms[f"zvt_casus/{entry.bpmn_id}"]
        step = step_named(steps, entry.name)
        assert entry.actor in step
        for field, value in entry.data.items():
            prop = schema["properties"].get(field)
            if prop is None or prop.get("readOnly") or value is None:
                continue
            assert prop["title"] in step, (entry.bpmn_id, field)
    # Values in Dutch, as the form offered them: a choice's title, Ja/Nee, a Dutch date, rows.
    informeren = step_named(steps, "Betrokkene informeren")
    assert "Hoe is de betrokkene geïnformeerd? In een gesprek" in informeren
    assert "Datum 27 november 2026" in informeren  # a date in the past: no day of the week
    plan = step_named(steps, "Plan van aanpak opstellen")
    assert "Betalingsregeling aanbieden" in plan and "Huisbezoek plannen" in plan
    # Scripts and the DMN are steps too, done by the engine; gateways only repeat an answer.
    assert any("automatisch" in s for s in shown)
    assert not any("Oppakken?" in s for s in shown)


def engine_forms(engine, case_id):
    from engine.db import Definition, Instance

    with engine.database.unit_of_work(write=False) as uow:
        instance = uow.session.get(Instance, case_id)
        return dict(uow.session.get(Definition, instance.definition_id).forms)


def test_the_dossier_is_newest_first_and_can_be_read_oldest_first(auth, client, engine):
    engine.deploy(PROCESSES, FORMS)
    case = scenario_afronden(engine)
    auth.login("procesregisseur")

    def names(query=""):
        body = client.get(f"/casussen/{case.id}{query}").get_data(as_text=True)
        return [text(step) for step in steps_on_page(body)]

    newest, oldest = names(), names("?volgorde=oudste")
    assert newest == oldest[::-1] and len(newest) > 6
    assert "Naam van de betrokkene" in oldest[0] and "Casus afgesloten" in newest[0]
    assert names("?volgorde=iets") == newest  # anything else: the default


def informing_block(client, number) -> str:
    page = client.get(f"/casussen/{number}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    if 'id="kop-informeren"' not in body:
        return ""
    start = body.index('id="kop-informeren"')
    return text(body[start:body.index("</section>", start)])


def test_before_anything_is_decided_the_case_says_so(auth, client, engine, tmp_path):
    deploy_casus(engine, tmp_path)
    waiting = new_case(engine)
    auth.login("procesregisseur")
    assert "Nog niet vastgelegd." in informing_block(client, waiting.id)


def test_every_reader_sees_whether_the_betrokkene_was_informed_through_art_41(auth, client, engine, clock, tmp_path):
    deploy_casus(engine, tmp_path)
    case = scenario_art_41(engine, clock)
    history = engine.history(case.id)
    auth.login("procesregisseur")  # after the scenario moved the clock on, past any session
    assert "De betrokkene is geïnformeerd op dinsdag 2 maart 2027 (in een gesprek)." in informing_block(client, case.id)
    # The partner that filed it and takes part sees the same, as does every reader.
    auth.logout()
    auth.login("partnermedewerker")
    assert "geïnformeerd op dinsdag 2 maart 2027" in informing_block(client, case.id)
    assert [h.bpmn_id for h in history if h.bpmn_id in ("besluit_niet_informeren", "besluit_herzien",
                                                         "betrokkene_alsnog_informeren")] == [
        "besluit_niet_informeren", "besluit_herzien", "besluit_herzien", "betrokkene_alsnog_informeren"]


def test_the_art_41_states_in_order(auth, client, engine, clock, tmp_path):
    from tests.processes.test_zvt_casus import BESLUIT_41, OPPAKKEN, PLAN, PRIVACYCHECK, VERLENGEN_41

    deploy_casus(engine, tmp_path)
    auth.login("procesregisseur")
    case = new_case(engine)
    case.complete("beoordeling", {**OPPAKKEN, "informeren": "niet_informeren"}, role="procesregisseur")
    case.complete("besluit_niet_informeren", BESLUIT_41, role="procesregisseur")
    block = informing_block(client, case.id)
    assert "De betrokkene is niet geïnformeerd. Besluit op grond van artikel 41 UAVG, grond d. het voorkomen" in block
    assert "Opnieuw beslissen op vrijdag 15 januari 2027." in block and "door medewerker" in block

    case.complete("privacycheck_plangesprek", PRIVACYCHECK, role="procesregisseur")
    case.complete("plan_van_aanpak", {**PLAN, "betrokkene_aanwezig": False,
                                      "betrokkene_over_plan_geinformeerd": "nee_artikel_41"}, role="procesregisseur")
    from datetime import datetime, timedelta, timezone
    engine.fire_due_timers(datetime(2027, 1, 15, 9, 0, tzinfo=timezone(timedelta(hours=1))))
    case.complete("besluit_herzien", VERLENGEN_41,
                  role="procesregisseur")
    assert "Het besluit op grond van artikel 41 UAVG is verlengd. Opnieuw beslissen op maandag 1 maart 2027." \
        in informing_block(client, case.id)
    engine.fire_due_timers(datetime(2027, 3, 1, 9, 0, tzinfo=timezone(timedelta(hours=1))))
    case.complete("besluit_herzien", {"herziening": "nu_informeren"}, role="procesregisseur")
    assert "Besloten om de betrokkene nu te informeren. Dat is nog niet vastgelegd." in informing_block(client, case.id)


def test_a_process_without_informing_steps_shows_no_such_block(auth, client, engine):
    from engine import casework
    from engine.identity import Origin, User

    engine.deploy(PROCESSES, FORMS)
    melder = User("partnermedewerker", "Demo", "woonfriesland", frozenset({"partnermedewerker"}))
    number = casework.start_case(engine, melder, "datalek", melding(), Origin("192.0.2.1", "test"))
    auth.login("partnermedewerker")
    page = client.get(f"/casussen/{number}")
    assert page.status_code == 200
    assert 'id="kop-dossier"' in page.get_data(as_text=True) and informing_block(client, number) == ""


def test_a_task_page_shows_the_earlier_steps_its_ui_schema_names(auth, client, engine, tmp_path):
    deploy_casus(engine, tmp_path)
    case = new_case(engine)
    auth.login("procesregisseur")
    [beoordeling] = engine.ready_tasks(case.id)
    body = client.get(f"/taken/{beoordeling.id}").get_data(as_text=True)
    earlier = text(body[body.index('id="kop-eerder"'):body.index("<form", body.index('id="kop-eerder"'))])
    # The aanmelding in front of the beoordeling, as the dossier shows it, above the form.
    assert "Aanmelding" in earlier and "door w.woonfriesland" in earlier
    assert "Naam van de betrokkene Mevrouw A. de Vries" in earlier
    assert "Welke situaties spelen er? Dreigende huisuitzetting Overlast" in earlier

    from tests.processes.test_zvt_casus import OPPAKKEN
    case.complete("beoordeling", OPPAKKEN, role="procesregisseur")
    [informeren] = engine.ready_tasks(case.id)
    body = client.get(f"/taken/{informeren.id}").get_data(as_text=True)
    earlier = text(body[body.index('id="kop-eerder"'):body.index("<form", body.index('id="kop-eerder"'))])
    assert earlier.index("Aanmelding") < earlier.index("Aanmelding beoordelen")  # in the order named
    assert OPPAKKEN["toelichting_besluit"] in earlier


def test_a_zorgoverleg_shows_the_plan_and_the_previous_zorgoverleg(auth, client, engine, tmp_path):
    from tests.processes.test_zvt_casus import PLAN, PRIVACYCHECK, to_plan, zorgoverleg

    deploy_casus(engine, tmp_path)
    case = to_plan(engine)
    case.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
    case.complete("zorgoverleg", zorgoverleg("doorgaan", voortgang="Ronde 1: regeling getroffen."),
                  role="procesregisseur")
    case.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
    auth.login("procesregisseur")
    [task] = engine.ready_tasks(case.id)
    assert task.bpmn_id == "zorgoverleg"
    body = client.get(f"/taken/{task.id}").get_data(as_text=True)
    earlier = text(body[body.index('id="kop-eerder"'):body.index("<form", body.index('id="kop-eerder"'))])
    assert PLAN["doelen"] in earlier and "Ronde 1: regeling getroffen." in earlier
