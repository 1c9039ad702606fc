"""Every field error names the check that failed, so a UI can word it in its own language."""
import json
from pathlib import Path

import pytest

from engine.errors import InvalidTaskData
from engine.validation import check_data

FORMS = Path(__file__).resolve().parents[2] / "forms"


def refused(data, form: str, case: dict | None = None) -> list[tuple[str, str | None]]:
    schema = json.loads((FORMS / f"{form}.schema.json").read_text())
    with pytest.raises(InvalidTaskData) as error:
        check_data(data, schema, case=case)
    return sorted((e.field, e.code) for e in error.value.errors)


def test_a_field_error_carries_the_json_schema_keyword_that_failed():
    assert refused({"betrokkene_naam": "A", "betrokkene_geboortedatum": "morgen", "reden_aanmelding": "x" * 4001,
                    "situaties": ["overlast", "overlast"], "leefgebieden": "wonen", "zelfregie": "ja",
                    "toestemming": "misschien", "grondslag_afgewogen": False, "stiekem": 1},
                   "zvt_casus/aanmelding") == [
        ("betrokkene_adres", "required"),
        ("betrokkene_geboortedatum", "format"),
        ("betrokkene_naam", "minLength"),
        ("betrokkene_op_de_hoogte", "required"),
        ("grondslag_afgewogen", "const"),
        ("grote_maatschappelijke_impact", "required"),
        ("leefgebieden", "type"),
        ("reden_aanmelding", "maxLength"),
        ("situaties", "uniqueItems"),
        ("stiekem", "additionalProperties"),
        ("toestemming", "oneOf"),
        ("zelfregie", "type"),
    ]


def test_the_engine_s_own_checks_have_a_code_too():
    assert refused({"voorgesteld_niveau": 2, "typename": "x"}, "zvt_casus/beoordeling") == [
        ("typename", "reserved"), ("voorgesteld_niveau", "readOnly")]
    with pytest.raises(InvalidTaskData) as error:
        check_data({"iets": 1}, None)
    assert [(e.field, e.message, e.code) for e in error.value.errors] == [("", "this task takes no data", "noForm")]


def test_a_field_required_by_another_field_is_named_itself():
    schema = json.loads((FORMS / "zvt_casus/zorgoverleg.schema.json").read_text())
    data = {"datum": "2026-12-01", "betrokkene_uitgenodigd": True, "betrokkene_aanwezig": True,
            "aanwezige_partners": ["politie"], "voortgang": "Gaat goed.", "effect": "Rustiger.",
            "besluit_overleg": "afronden", "afsluiten_naar_niveau": 1, "niveau_wijziging": 2}
    with pytest.raises(InvalidTaskData) as error:
        check_data(data, schema)
    assert [(e.field, e.message, e.code) for e in error.value.errors] == [
        ("reden_niveau_wijziging", "this field is required", "dependentRequired")]


def test_conditions_report_the_keyword_inside_the_branch():
    assert refused({"afhandeling": "verlengen", "verlenging_maanden": 3, "verlenging_redenen": "Druk.",
                    "redenen_verstuurd": True, "antwoord_toelichting": "Al geantwoord."},
                   "rechten_betrokkene/beantwoorden_of_verlengen") == [
        ("antwoord_toelichting", "not"), ("verlenging_maanden", "oneOf")]
