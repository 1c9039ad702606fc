"""UI schemas: how a form is shown, beside the JSON Schema that says what it accepts.

`forms/<process_id>/<task_id>.ui.json` is optional. It follows the react-jsonschema-form
convention that process owners know from modelers: `"ui:order"` lists the fields in the order
to show them, and per field `"ui:widget"` picks another fitting widget and `"ui:help"` adds help
text. A group's or a row's fields are described under the field's own name (rows under
`"items"`). Deploy refuses a UI schema that names a field the form does not have, or a widget
that cannot show that field's answers: a typo must not silently change nothing.

`"ui:context"` (top level only) lists earlier steps of the same process, by BPMN id, whose
answers the task page shows read-only above the form: the beoordeling needs the aanmelding in
front of it; a task in a loop may name itself for its previous round. Deploy checks that each
names a user task or start event with a form.

Three more top-level keywords tell the case page what a step means, so that no process's field
names live in the code:
- `"ui:dossier"`: the step's part in the dossier. "plan": its answers are the plan van aanpak (the
  last one recorded counts; the PDF prints it). The art. 41 UAVG status, shown to every reader of
  the case, comes from the last step recorded in one of "geinformeerd" (needs a date field
  `datum_geinformeerd`; a choice `manier` is shown when there), "niet_informeren" (a choice
  `grond` and a date `herzien_op`) and "informeren_herzien" (a choice `herziening` with the
  option "verlengen" and a date `nieuwe_herziendatum`) and "art41_slotbesluit" (the final decision
  when a case closes under an active art. 41 decision: a choice `slotbesluit` with "nu_informeren"
  and "beperking_loopt_door", a date `datum_geinformeerd` and a date `beperking_tot`).
- `"ui:samenvatting"`: the fields of the case, in this order, shown at the top of the case page
  and its PDFs (name, date of birth, address, ...); one form per process.
- `"ui:terugkoppeling"`: the field whose choices word the decision the aanmelder is told
  (engine/feedback.py); one form per process.
- `"ui:persoon"`: where a case names its person, for the case list and its search
  (engine/caselist.py): `{"naam": "<text field>", "geboortedatum": "<date field>"}`, the date
  optional; one form per process (the start form). A process without it is found by number only.
Deploy refuses an unknown part, a missing or wrong field, and a keyword on two forms of a process.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .partner_choices import KEYWORD as PARTNERS

UI_SUFFIX = "#ui"  # key of a form's UI schema beside the form's own key
CONTEXT = "ui:context"
DOSSIER = "ui:dossier"
SUMMARY = "ui:samenvatting"
FEEDBACK = "ui:terugkoppeling"
PERSON = "ui:persoon"
PER_PROCESS = (SUMMARY, FEEDBACK, PERSON)  # on one form of a process at most
# part in the dossier -> the fields a form in it must have: name -> "date" or "choice" (or a set of
# options the choice must offer)
DOSSIER_PARTS: dict[str, dict[str, object]] = {
    "plan": {},
    "geinformeerd": {"datum_geinformeerd": "date"},
    "niet_informeren": {"grond": "choice", "herzien_op": "date"},
    "informeren_herzien": {"herziening": {"verlengen"}, "nieuwe_herziendatum": "date"},
    # The final decision on an art. 41 decision still active when the case closes.
    "art41_slotbesluit": {"slotbesluit": {"nu_informeren", "beperking_loopt_door"}, "datum_geinformeerd": "date",
                          "beperking_tot": "date"},
}
INFORMING_PARTS = frozenset({"geinformeerd", "niet_informeren", "informeren_herzien", "art41_slotbesluit"})
_TOP_KEYS = ("ui:order", CONTEXT, DOSSIER, SUMMARY, FEEDBACK, PERSON)
_FIELD_KEYS = {"ui:widget", "ui:help", "items"}


def widgets_for(prop: Mapping) -> set[str]:
    """The widgets a process owner may choose for a field, by what it accepts."""
    one_of = prop.get("oneOf")
    if (isinstance(one_of, list) and one_of and all(isinstance(o, dict) and "const" in o for o in one_of)) \
            or isinstance(prop.get("enum"), list) or (PARTNERS in prop and prop.get("type") != "array"):
        return {"radio", "select"}  # a partner choice gets its choices from the register (engine/partner_choices.py)
    if prop.get("type") == "string" and "format" not in prop and not prop.get("readOnly"):
        return {"text", "textarea"}
    return set()


def problems(ui: object, schema: Mapping, where: str = "") -> list[str]:
    """What is wrong with a UI schema for this JSON Schema; empty when it is fine."""
    if not isinstance(ui, dict):
        return [f"{where or 'the UI schema'} must be a JSON object"]
    properties = schema.get("properties") or {}
    found = []
    order = ui.get("ui:order")
    if order is not None:
        if not isinstance(order, list) or not all(isinstance(n, str) for n in order):
            found.append(f"{where}ui:order must be a list of field names")
        else:
            found += [f"{where}ui:order names '{n}', which the form does not have"
                      for n in order if n != "*" and n not in properties]
            if "*" not in order and set(properties) - set(order):
                found.append(f"{where}ui:order leaves out {', '.join(sorted(set(properties) - set(order)))}; "
                             "list them or end with \"*\"")
    context = ui.get(CONTEXT)
    if context is not None:
        if where:
            found.append(f"{where}{CONTEXT} belongs at the top of the UI schema")
        elif not isinstance(context, list) or not all(isinstance(n, str) and n for n in context):
            found.append(f"{CONTEXT} must be a list of BPMN ids of earlier steps")
    found += [f"{where}{key} belongs at the top of the UI schema" for key in (DOSSIER, SUMMARY, FEEDBACK, PERSON)
              if where and key in ui]
    if not where:
        found += _meaning_problems(ui, properties)
    for name, field_ui in ui.items():
        if name in _TOP_KEYS:
            continue
        if name.startswith("ui:"):
            found.append(f"{where}'{name}' is not a UI schema keyword here")
            continue
        prop = properties.get(name)
        if not isinstance(prop, dict):
            found.append(f"{where}'{name}' is not a field of the form")
            continue
        if not isinstance(field_ui, dict):
            found.append(f"{where}{name} must be a JSON object")
            continue
        found += [f"{where}{name}: unknown key '{k}'" for k in field_ui if k not in _FIELD_KEYS]
        widget = field_ui.get("ui:widget")
        if widget is not None and widget not in widgets_for(prop):
            allowed = ", ".join(sorted(widgets_for(prop))) or "none"
            found.append(f"{where}{name}: widget '{widget}' cannot show this field (possible: {allowed})")
        if "ui:help" in field_ui and not isinstance(field_ui["ui:help"], str):
            found.append(f"{where}{name}: ui:help must be text")
        nested = {k: v for k, v in field_ui.items() if k not in _FIELD_KEYS}
        if "items" in field_ui and isinstance(prop.get("items"), dict):
            found += problems(field_ui["items"], prop["items"], f"{where}{name}/items/")
        elif prop.get("type") == "object" and nested:
            found += problems(nested, prop, f"{where}{name}/")
    return found


def _meaning_problems(ui: Mapping, properties: Mapping) -> list[str]:
    found = []
    part = ui.get(DOSSIER)
    if part is not None:
        if not isinstance(part, str) or part not in DOSSIER_PARTS:
            found.append(f"{DOSSIER} must be one of {', '.join(sorted(DOSSIER_PARTS))}")
        else:
            for name, kind in DOSSIER_PARTS[part].items():
                prop = properties.get(name)
                if not _is_kind(prop, kind):
                    wanted = "a date" if kind == "date" else "a choice" + (
                        f" offering {', '.join(sorted(kind))}" if isinstance(kind, set) else "")
                    found.append(f"{DOSSIER} '{part}' needs a field '{name}' that is {wanted}")
    summary = ui.get(SUMMARY)
    if summary is not None:
        if not isinstance(summary, list) or not summary or not all(isinstance(n, str) for n in summary):
            found.append(f"{SUMMARY} must be a list of field names")
        else:
            found += [f"{SUMMARY} names '{n}', which the form does not have" for n in summary if n not in properties]
    feedback = ui.get(FEEDBACK)
    if feedback is not None and not _is_kind(properties.get(feedback) if isinstance(feedback, str) else None, "choice"):
        found.append(f"{FEEDBACK} must name a field of the form with choices")
    person = ui.get(PERSON)
    if person is not None:
        if not isinstance(person, dict) or not isinstance(person.get("naam"), str) \
                or not all(isinstance(v, str) for v in person.values()) or set(person) - {"naam", "geboortedatum"}:
            found.append(f'{PERSON} must be {{"naam": "<field>"}}, with "geboortedatum": "<field>" if the form asks it')
        else:
            naam, birth = properties.get(person["naam"]), person.get("geboortedatum")
            if not isinstance(naam, Mapping) or naam.get("type") != "string" or "format" in naam or _options(naam):
                found.append(f"{PERSON}: 'naam' must name a text field of the form")
            if birth is not None and not _is_kind(properties.get(birth), "date"):
                found.append(f"{PERSON}: 'geboortedatum' must name a date field of the form")
    return found


def _is_kind(prop: object, kind: object) -> bool:
    if not isinstance(prop, Mapping):
        return False
    if kind == "date":
        return prop.get("format") == "date"
    options = _options(prop)
    return bool(options) and (not isinstance(kind, set) or kind <= options)


def _options(prop: Mapping) -> set:
    one_of = prop.get("oneOf")
    if isinstance(one_of, list):
        return {o.get("const") for o in one_of if isinstance(o, dict) and "const" in o}
    return set(prop.get("enum") or []) if isinstance(prop.get("enum"), list) else set()


def ordered(names: list[str], ui: Mapping | None) -> list[str]:
    """The field names in the order the UI schema asks; unnamed fields keep their place at "*"."""
    order = (ui or {}).get("ui:order")
    if not order:
        return names
    rest = [n for n in names if n not in order]
    result = []
    for name in order:
        if name == "*":
            result += rest
        elif name in names:
            result.append(name)
    return result if "*" in order else result + rest


def context_steps(ui: Mapping | None) -> list[str]:
    """The BPMN ids of the earlier steps a task page shows above the form (`ui:context`)."""
    steps = (ui or {}).get(CONTEXT)
    return list(steps) if isinstance(steps, list) else []


def dossier_part(forms: Mapping[str, dict], process_id: str, bpmn_id: str) -> str | None:
    """The step's part in the dossier (`ui:dossier`), or None."""
    part = (forms.get(f"{process_id}/{bpmn_id}{UI_SUFFIX}") or {}).get(DOSSIER)
    return part if isinstance(part, str) else None


def person_fields(forms: Mapping[str, dict], process_id: str) -> tuple[str | None, str | None]:
    """(name field, date-of-birth field) of the process's cases (`ui:persoon`); None where not said."""
    found = per_process(forms, process_id, PERSON)
    person = found[1] if found and isinstance(found[1], dict) else {}
    return person.get("naam"), person.get("geboortedatum")


def per_process(forms: Mapping[str, dict], process_id: str, keyword: str) -> tuple[str, Any] | None:
    """(BPMN id of the form, value) of a keyword that a process has on one form at most, or None."""
    prefix = f"{process_id}/"
    for key, ui in sorted(forms.items()):
        if key.startswith(prefix) and key.endswith(UI_SUFFIX) and isinstance(ui, dict) and keyword in ui:
            return key[len(prefix):-len(UI_SUFFIX)], ui[keyword]
    return None
