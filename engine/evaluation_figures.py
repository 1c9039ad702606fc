"""The yearly evaluation's figures: `zvt:actie="managementrapportage_cijfers"` on the script task
before "Managementrapportage opstellen" (processes/jaarlijkse_evaluatie.bpmn).

Nobody counts by hand: the action computes the management information of the evaluation year
(engine/management_report.py, the same tables as /managementinformatie, small numbers hidden) and
puts it in the task's data as lines of text, one field per part of the rapportage. The form shows
them read-only; the teamleider writes what they mean. The case keeps them as they were on the day
the evaluation started: figures of a closed year do not change afterwards, except that a late
correction in a case is not in them.
"""
from __future__ import annotations

from datetime import date, datetime

from .management_info import CASUS, Period
from .management_report import THRESHOLD, Report, build, lines

# The processes the rapportage's part "Datalekken, verzoeken van betrokkenen en klachten" is about.
PRIVACY_PROCESSES = frozenset({"datalek", "rechten_betrokkene", "klacht"})
ONLY_CASUS = frozenset({CASUS})


def fill(session, instance, data: dict, now: datetime) -> dict:
    try:
        period = Period(date.fromisoformat(data["periode_van"]), date.fromisoformat(data["periode_tot"]))
    except (KeyError, TypeError, ValueError) as exc:
        # A process that names this action must set the year first (periode_bepalen does): the step fails.
        raise ValueError("managementrapportage_cijfers needs periode_van and periode_tot as ISO dates") from exc
    report = build(session, period, now)
    return {
        "cijfers_uitleg": (f"Berekend door ZVT op {now.date().isoformat()} over {report.label}. Een aantal van 1 "
                           f"tot en met {THRESHOLD - 1} staat er als \"niet getoond\", net als soms één ander "
                           "getal, zodat niemand te herkennen is. Doorlooptijden in kalenderdagen; \"9 van de 10 "
                           "binnen\": zo lang duurde het hoogstens bij 9 van de 10."),
        "cijfers_casussen": _text(report, [("casussen", ONLY_CASUS), ("niveaus", None), ("partners", None)]),
        "cijfers_doorlooptijden_uitkomsten": _text(report, [
            ("uitkomsten", ONLY_CASUS), ("doorlooptijd_casussen", ONLY_CASUS),
            ("doorlooptijd_stappen", ONLY_CASUS), ("termijnen", ONLY_CASUS)]),
        "cijfers_datalekken_verzoeken_klachten": _text(report, [
            ("casussen", PRIVACY_PROCESSES), ("uitkomsten", PRIVACY_PROCESSES),
            ("doorlooptijd_casussen", PRIVACY_PROCESSES), ("termijnen", PRIVACY_PROCESSES)]),
    }


def _text(report: Report, parts: list[tuple[str, frozenset[str] | None]]) -> str:
    out = []
    for key, processes in parts:
        table = report.table(key)
        found = lines(table, processes)
        out.append(f"{table.title}:")
        out.extend(f"- {line}" for line in found) if found else out.append("- geen in deze periode")
    return "\n".join(out)
