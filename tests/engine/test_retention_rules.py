"""The retention file: read whole, refused with one line that names the place of the mistake."""
import json

import pytest

from engine import DefinitionRefused, Engine
from engine.retention_rules import RetentionRulesInvalid, load, parse
from tests.conftest import FIXTURES

GOOD = {"housekeeping": {"login_attempts_days": 180, "sent_mail_days": 90},
        "processes": {"proef_casus": {"months": 24, "outcome_field": "uitkomst", "by_outcome": {"kort": 1},
                                      "figures": ["uitkomst", "niveau", "naam"]},
                      "parallel_overleg": {"keep": True}}}


def test_the_term_follows_the_outcome_and_the_figures_keep_codes_and_numbers_only():
    rule = parse(GOOD).rule("proef_casus")
    assert rule.term({"uitkomst": "kort"}) == (1, "proef_casus: uitkomst=kort: 1 months")
    assert rule.term({"uitkomst": "anders"}) == (24, "proef_casus: uitkomst=anders: 24 months")
    assert rule.term({"uitkomst": "Jan de Vries"}) == (24, "proef_casus: 24 months")  # free text is never quoted
    assert rule.anonymous_figures({"uitkomst": "kort", "niveau": 3, "naam": "Jan de Vries"}) == {
        "uitkomst": "kort", "niveau": 3}
    assert parse(GOOD).destroying() == ["proef_casus"]


@pytest.mark.parametrize("change, message", [
    (lambda r: r.pop("housekeeping"), "housekeeping: must have exactly login_attempts_days, sent_mail_days"),
    (lambda r: r["housekeeping"].update(sent_mail_days=0), "housekeeping.sent_mail_days: must be a whole number"),
    (lambda r: r["processes"]["proef_casus"].update(months="24"), "processes.proef_casus.months: must be a whole"),
    (lambda r: r["processes"]["proef_casus"].pop("outcome_field"), "processes.proef_casus.by_outcome: needs"),
    (lambda r: r["processes"]["proef_casus"].update(jaren=2), "processes.proef_casus: unknown key 'jaren'"),
    (lambda r: r["processes"]["parallel_overleg"].update(months=3), "processes.parallel_overleg: a process that is kept"),
    (lambda r: r["processes"]["proef_casus"].update(figures=["Naam van"]), "processes.proef_casus.figures: must be"),
])
def test_a_mistake_is_refused_naming_where_it_is(change, message):
    raw = json.loads(json.dumps(GOOD))
    change(raw)
    with pytest.raises(RetentionRulesInvalid, match="^rules.json: " + message.replace("(", r"\(")):
        parse(raw, "rules.json")


def test_a_missing_or_broken_file_says_so(tmp_path):
    with pytest.raises(RetentionRulesInvalid, match="does not exist"):
        load(tmp_path / "retention.json")
    (tmp_path / "retention.json").write_text('{"housekeeping": ')
    with pytest.raises(RetentionRulesInvalid, match="not valid JSON: line 1"):
        load(tmp_path / "retention.json")


def test_a_deploy_refuses_a_process_without_a_retention_rule_and_stores_nothing(database_url, clock):
    rules = parse({**GOOD, "processes": {"proef_casus": {"months": 24}}}, "retention.json")
    engine = Engine(database_url, clock=clock, retention=rules)
    try:
        with pytest.raises(DefinitionRefused, match="parallel_overleg: has no retention rule in retention.json"):
            engine.deploy(FIXTURES / "processes", FIXTURES / "forms")
        assert not engine.is_deployed("proef_casus")
    finally:
        engine.close()
