"""PDFs of a case: the dossier and the plan van aanpak, for whoever may read the case, each print
in the access log; nobody else gets one."""
import io
import re

from pypdf import PdfReader

from engine import access_log
from tests.processes.conftest import FORMS, PROCESSES
from tests.processes.test_zvt_casus import PLAN, new_case, scenario_afronden


def pdf_text(response) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    reader = PdfReader(io.BytesIO(response.get_data()))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def prints(engine, number):
    with engine.database.unit_of_work(write=False) as uow:
        return [(a.username, a.result) for a in access_log.for_case(uow.session, number) if a.action == "print"]


def test_the_dossier_pdf_holds_every_step_with_its_answers_and_is_logged(auth, client, engine):
    engine.deploy(PROCESSES, FORMS)
    case = scenario_afronden(engine)
    auth.login("procesregisseur")
    response = client.get(f"/casussen/{case.id}/dossier.pdf")
    assert f'filename="casus-{case.id}-dossier.pdf"' in response.headers["Content-Disposition"]
    text = pdf_text(response)
    assert f"Dossier casus {case.id}" in text and "Mevrouw A. de Vries" in text
    for step in ("Aanmelding beoordelen", "Betrokkene informeren", "Plan van aanpak opstellen", "Zorgoverleg"):
        assert step in text
    assert "Betalingsregeling aanbieden" in text and "Hoe is de betrokkene geïnformeerd?" in text
    assert "De betrokkene is geïnformeerd op vrijdag 27 november 2026" in text
    assert prints(engine, case.id) == [("procesregisseur", "toegestaan")]


def test_the_plan_pdf_holds_the_latest_plan_and_a_case_without_one_has_none(auth, client, engine):
    engine.deploy(PROCESSES, FORMS)
    case = scenario_afronden(engine)
    auth.login("procesregisseur")
    text = pdf_text(client.get(f"/casussen/{case.id}/plan-van-aanpak.pdf"))
    assert "Plan van aanpak" in text and PLAN["doelen"] in text and "Huisbezoek plannen" in text
    assert "Pagina 1 van 1" in text
    case_page = client.get(f"/casussen/{case.id}").get_data(as_text=True)
    assert "plan-van-aanpak.pdf" in case_page and "dossier.pdf" in case_page

    fresh = new_case(engine)
    assert client.get(f"/casussen/{fresh.id}/plan-van-aanpak.pdf").status_code == 404
    assert "plan-van-aanpak.pdf" not in client.get(f"/casussen/{fresh.id}").get_data(as_text=True)


def test_who_may_not_read_the_case_gets_no_pdf_and_the_attempt_is_logged(auth, client, engine):
    engine.deploy(PROCESSES, FORMS)
    case = scenario_afronden(engine)  # WoonFriesland, GGZ and the municipality take part
    auth.login("politie")
    for path in ("dossier.pdf", "plan-van-aanpak.pdf"):
        response = client.get(f"/casussen/{case.id}/{path}")
        assert response.status_code == 403 and response.mimetype == "text/html"
    assert prints(engine, case.id) == [("politie", "geweigerd"), ("politie", "geweigerd")]


def test_text_that_looks_like_markup_or_a_link_stays_text_in_the_pdf(auth, client, engine):
    engine.deploy(PROCESSES, FORMS)
    case = new_case(engine, reden_aanmelding='<img src="file:///etc/passwd"> <b>vet</b> http://192.0.2.1/x')
    auth.login("procesregisseur")
    text = pdf_text(client.get(f"/casussen/{case.id}/dossier.pdf"))
    # Compared without spaces: the PDF may wrap the line anywhere, also inside the address.
    typed = '<img src="file:///etc/passwd"> <b>vet</b> http://192.0.2.1/x'
    assert "".join(typed.split()) in "".join(text.split())


def test_after_a_zorgoverleg_revised_the_plan_the_pdf_holds_the_new_plan(auth, client, engine):
    from tests.processes.test_zvt_casus import PLAN_BIJSTELLEN, PRIVACYCHECK, to_plan, zorgoverleg

    engine.deploy(PROCESSES, FORMS)
    case = to_plan(engine)
    case.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
    case.complete("zorgoverleg", zorgoverleg("doorgaan", plan_veranderen=True), role="procesregisseur")
    case.complete("plan_bijstellen", PLAN_BIJSTELLEN, role="procesregisseur")
    auth.login("procesregisseur")
    text = pdf_text(client.get(f"/casussen/{case.id}/plan-van-aanpak.pdf"))
    assert "Plan van aanpak bijstellen" in text and "Gesprek met het werkplein" in text
    assert "Betalingsregeling aanbieden" not in text  # the old plan is replaced, not merged
