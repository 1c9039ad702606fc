"""The dossier of a case: every recorded step with what was entered, and whether the betrokkene
was informed (art. 41 UAVG), read back from the case's history with the labels of its forms."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from engine.ui_schema import INFORMING_PARTS, SUMMARY, UI_SUFFIX, dossier_part, per_process
from engine.views import HistoryView

from .forms import dutch_date, summarize
from .forms.schema import options_of

# Pausing and resuming the deadlines, moving the case to a newer version of its process and
# skipping a broken timer are steps of the whole case, not of the process diagram.
CASE_STEPS = frozenset({"DeadlinesPaused", "DeadlinesResumed", "CaseMigrated", "IncidentSkipped"})
# Steps a person takes; the rest of the timeline (scripts, decisions, deadlines) the engine does.
HUMAN_STEPS = frozenset({"UserTask", "ManualTask", "StartEvent"}) | CASE_STEPS
ORDERS = {"nieuwste": "Nieuwste eerst", "oudste": "Oudste eerst"}
# Which steps decide whether the betrokkene is informed (art. 14 AVG) or, by a recorded decision,
# not (art. 41 UAVG), and which hold the plan van aanpak, the process says in its UI schemas
# ("ui:dossier", engine/ui_schema.py).


@dataclass(frozen=True)
class Step:
    entry: HistoryView
    who: str  # the person, or "automatisch"
    answers: list[tuple[str, dict]]  # (label, display node): what was entered, in the form's order


@dataclass(frozen=True)
class Informing:
    """Whether the betrokkene knows the team processes their data: shown to every reader."""
    state: str  # "informed", "not_informed", "to_inform" or "open"
    text: str  # one Dutch sentence
    moment: datetime | None = None  # when it was recorded
    actor: str | None = None


def steps(history: Sequence[HistoryView], forms: Mapping[str, dict], order: str = "nieuwste") -> list[Step]:
    """The case's steps for its dossier. Gateways are left out: the answer that chose the way is
    already there as the task before it, and "Oppakken?" after "Aanmelding beoordelen" only
    repeats it."""
    shown = []
    for entry in history:
        if not entry.name or entry.task_type.endswith("Gateway"):
            continue
        shown.append(Step(entry, entry.actor if entry.task_type in HUMAN_STEPS else "automatisch",
                          [] if entry.task_type in CASE_STEPS else answers(entry, forms)))
    return shown[::-1] if order == "nieuwste" else shown


def answers(entry: HistoryView, forms: Mapping[str, dict]) -> list[tuple[str, dict]]:
    """What the step entered, with the labels of its form."""
    key = f"{entry.process_id}/{entry.bpmn_id}"
    return summarize(forms.get(key), entry.data, forms.get(key + UI_SUFFIX))


def context(entries: Sequence[HistoryView], forms: Mapping[str, dict]) -> list[Step]:
    """The earlier steps a task page shows above its form (the form's `ui:context`)."""
    return [Step(entry, entry.actor, answers(entry, forms)) for entry in entries]


def summary(process_id: str, data: Mapping, forms: Mapping[str, dict]) -> list[tuple[str, dict]]:
    """The case's facts for the top of its page and PDFs ("ui:samenvatting"): (label, display node)
    of each field the case holds, with the labels of the form that asked them."""
    found = per_process(forms, process_id, SUMMARY)
    if found is None:
        return []
    form = forms.get(f"{process_id}/{found[0]}") or {}
    return summarize(form, {name: data[name] for name in found[1] if name in data}, {"ui:order": found[1]})


def informing(process_id: str, history: Sequence[HistoryView], forms: Mapping[str, dict]) -> Informing | None:
    """The art. 41 status from the last step that decided it; None for a process without those steps."""
    prefix = f"{process_id}/"
    if not any(key.startswith(prefix) and key.endswith(UI_SUFFIX) and ui.get("ui:dossier") in INFORMING_PARTS
               for key, ui in forms.items() if isinstance(ui, dict)):
        return None
    decided = [h for h in history if dossier_part(forms, h.process_id, h.bpmn_id) in INFORMING_PARTS
               and h.state == "completed" and h.data]
    if not decided:
        return Informing("open", "Nog niet vastgelegd. De procesregisseur informeert de betrokkene, of legt "
                                 "vast waarom dat (nog) niet kan.")
    last = decided[-1]
    data = last.data or {}  # has data: `decided` holds only steps with data

    def title(field: str) -> str:
        schema = forms.get(f"{last.process_id}/{last.bpmn_id}") or {}
        options = dict(options_of((schema.get("properties") or {}).get(field) or {}) or [])
        return str(options.get(data.get(field), data.get(field, "")))

    part = dossier_part(forms, last.process_id, last.bpmn_id)
    if part == "geinformeerd":
        how = title("manier")
        return Informing("informed", f"De betrokkene is geïnformeerd op {dutch_date(data.get('datum_geinformeerd', ''))}"
                                     f"{' (' + how.lower() + ')' if how else ''}.", last.finished_at, last.actor)
    if part == "niet_informeren":
        return Informing("not_informed", "De betrokkene is niet geïnformeerd. Besluit op grond van artikel 41 "
                                         f"UAVG, grond {title('grond')}. Opnieuw beslissen op "
                                         f"{dutch_date(data.get('herzien_op', ''))}.", last.finished_at, last.actor)
    if part == "art41_slotbesluit" and data.get("slotbesluit") == "nu_informeren":
        return Informing("informed", "De betrokkene is geïnformeerd bij het afsluiten van de casus, op "
                                     f"{dutch_date(data.get('datum_geinformeerd', ''))}.", last.finished_at, last.actor)
    if part == "art41_slotbesluit":
        return Informing("not_informed", "De betrokkene is niet geïnformeerd. Bij het afsluiten is besloten dat "
                                         "de beperking (artikel 41 UAVG) doorloopt tot "
                                         f"{dutch_date(data.get('beperking_tot', ''))}.", last.finished_at, last.actor)
    if data.get("herziening") == "verlengen":
        return Informing("not_informed", "De betrokkene is niet geïnformeerd. Het besluit op grond van artikel 41 "
                                         "UAVG is verlengd. Opnieuw beslissen op "
                                         f"{dutch_date(data.get('nieuwe_herziendatum', ''))}.", last.finished_at,
                         last.actor)
    return Informing("to_inform", "Besloten om de betrokkene nu te informeren. Dat is nog niet vastgelegd.",
                     last.finished_at, last.actor)


def latest_plan(process_id: str, history: Sequence[HistoryView], forms: Mapping[str, dict]) -> Step | None:
    """The case's plan van aanpak as last recorded, or None when there is none (yet)."""
    plans = [h for h in history if h.process_id == process_id and dossier_part(forms, process_id, h.bpmn_id) == "plan"
             and h.state == "completed" and h.data]
    return context(plans[-1:], forms)[0] if plans else None
