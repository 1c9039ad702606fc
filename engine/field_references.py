"""Where a draft mentions a form's field, and the form without that field.

Before the form editor removes a field it shows the proceseigenaar what uses it. Two kinds:
- what `remove_field` adjusts itself, so that the draft still passes the check: the form's
  if/then rules and `dependentRequired`, the date and list rules of its other fields
  (engine/date_rules.py, engine/list_rules.py), and the UI schema's `ui:dossier`,
  `ui:samenvatting`, `ui:terugkoppeling` and `ui:persoon` (engine/ui_schema.py);
- what only a person can change: BPMN scripts, conditions, timers and properties such as
  `termijn` and `bericht_partner`, DMN cells, other forms that show the field from the case
  (`readOnly`), and the need-to-know rules of engine/policy.py that read it.
The draft's check does not see the second kind (a script may read a name no form fills, the case
data may have it from elsewhere), so a case would get stuck at run time: hence the warning.
Its own place in `ui:order`, its help text and `required` are the field's own and go silently.
Before one choice of a field goes, `choice_mentions` shows where its code is named.

A name is found as a whole identifier (`niveau` is not found in `voorgesteld_niveau`), also in a
string (`"niveau"`); finding one too many is safe here, missing one is not.
"""
from __future__ import annotations

import copy
import io
import re
import textwrap
import tokenize
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from . import policy, zvt_namespace
from .date_rules import RELATIVE
from .list_rules import KEYWORDS as LIST_RULES
from .ui_schema import DOSSIER, DOSSIER_PARTS, FEEDBACK, PERSON, SUMMARY

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# BPMN and DMN elements whose text is an expression or a script -> how the page names them
_EXPRESSIONS = {
    "script": "het script", "preScript": "het script vooraf", "postScript": "het script achteraf",
    "conditionExpression": "de voorwaarde", "condition": "de voorwaarde",
    "timeDate": "de timer", "timeDuration": "de timer", "timeCycle": "de timer",
    "loopCardinality": "het aantal keren", "completionCondition": "de voorwaarde om te stoppen",
    "text": "een cel",
}
_NOT_OWNERS = {"extensionElements", "properties", "property", "multiInstanceLoopCharacteristics",
               "inputExpression", "inputEntry", "outputEntry", "input", "output", "rule"}
_FIELD_RULES = (*RELATIVE, *LIST_RULES)


@dataclass(frozen=True)
class Mention:
    where: str  # Dutch, for the page: "het script van ‘Deelnemers bijwerken’"
    text: str = ""  # the line that mentions it, shortened
    fixed: bool = False  # True: remove_field adjusts it; False: only a person can


def _pattern(name: str) -> re.Pattern:
    return re.compile(rf"(?<![A-Za-z0-9_.]){re.escape(name)}(?![A-Za-z0-9_])")


def _line(text: str, pattern: re.Pattern) -> str:
    line = next((ln.strip() for ln in text.splitlines() if pattern.search(ln)), text.strip())
    return line if len(line) <= 120 else line[:117] + "…"


def _owner(element, itself: bool = False) -> str:
    """The element an expression belongs to: its nearest named ancestor, or (an attribute's) itself."""
    for node in ([element] if itself else []) + list(element.iterancestors()):
        local = etree.QName(node).localname
        if local in _NOT_OWNERS or local.endswith("EventDefinition") or not node.get("id"):
            continue
        return f"‘{node.get('name')}’ ({node.get('id')})" if node.get("name") else f"‘{node.get('id')}’"
    return "het proces"


def _expressions(files: Mapping[str, str]) -> Iterable[tuple[str, str]]:
    """(where, text) of every expression, script and property value in the draft's BPMN and DMN files."""
    for path, text in sorted(files.items()):
        if not path.endswith((".bpmn", ".dmn")):
            continue
        try:
            root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            continue  # the draft's check names a broken file
        for element in root.iter(etree.Element):
            local = etree.QName(element).localname
            for attribute, value in element.attrib.items():  # ZVT's settings (engine/zvt_namespace.py)
                setting = etree.QName(attribute)
                if setting.namespace == zvt_namespace.NAMESPACE and value:
                    what = "de termijn" if setting.localname == "termijn" else f"de instelling ‘zvt:{setting.localname}’"
                    yield f"{what} van {_owner(element, itself=True)}", value
            if local == "property" and (setting_value := element.get("value")):
                what = "de termijn" if element.get("name") == "termijn" else f"de instelling ‘{element.get('name')}’"
                yield f"{what} van {_owner(element)}", setting_value
            elif local in _EXPRESSIONS and (expression := element.text) and expression.strip():
                yield f"{_EXPRESSIONS[local]} van {_owner(element)}", expression
            elif local == "dataObject" and (data_id := element.get("id")):
                yield f"het gegeven {_owner(element)}", data_id


def names_in_use(process_id: str, forms: Mapping[str, tuple[dict, dict]], files: Mapping[str, str]) -> set[str]:
    """Every field name of the draft's forms and every name its expressions use: a new field's
    name made from its title stays clear of them."""
    names = set(policy.participant_keys(process_id))
    for schema, _ui in forms.values():
        names.update(schema.get("properties") or {})
    for _where, text in _expressions(files):
        names.update(_variables(text))
    return names


def _variables(source: str) -> set[str]:
    """The names a script or expression uses, without its comments and strings (Dutch words there
    are no variables); every word when it is no Python at all."""
    try:
        return {t.string for t in tokenize.generate_tokens(io.StringIO(textwrap.dedent(source)).readline)
                if t.type == tokenize.NAME}
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return set(_IDENTIFIER.findall(source))


def mentions(process_id: str, task_id: str, name: str, forms: Mapping[str, tuple[dict, dict]],
             files: Mapping[str, str]) -> list[Mention]:
    """Where the draft mentions field `name` of form `task_id`, besides the field's own entries."""
    schema, ui = forms[task_id]
    pattern = _pattern(name)
    found: list[Mention] = []
    prop = (schema.get("properties") or {}).get(name)
    if isinstance(prop, dict) and prop.get("readOnly"):
        found.append(Mention("dit formulier: het veld komt uit de casus, een eerdere stap of een script vult het"))
    if name in policy.participant_keys(process_id):
        found.append(Mention("ZVT zelf: met dit veld bepaalt ZVT welke organisaties de casus mogen zien "
                             "of een terugkoppeling krijgen"))
    for where, text in _expressions(files):
        if pattern.search(text):
            found.append(Mention(where, _line(text, pattern)))
    for other, (other_schema, _other_ui) in sorted(forms.items()):
        other_prop = (other_schema.get("properties") or {}).get(name)
        if other != task_id and isinstance(other_prop, dict) and other_prop.get("readOnly"):
            found.append(Mention(f"het formulier ‘{other_schema.get('title') or other}’ ({other}): "
                                 "het toont dit veld uit de casus"))
    found += _ui_mentions(ui, name)
    found += _schema_mentions(schema, name)
    return found


def choice_mentions(process_id: str, task_id: str, name: str, code: str, forms: Mapping[str, tuple[dict, dict]],
                    files: Mapping[str, str]) -> list[Mention]:
    """Where the draft names choice `code` of field `name` of form `task_id`: as a string in a
    script, condition or DMN cell (`"oppakken"` or `'oppakken'`), as the whole value of a setting,
    in the if/then rules of the forms that have the field, and in ZVT itself when the field's
    codes are organisations (need-to-know). Only a person can change these."""
    pattern = re.compile(rf"([\"']){re.escape(code)}\1")
    found = [Mention("ZVT zelf: de keuzes van dit veld zijn organisaties; met dit veld bepaalt ZVT welke "
                     "organisaties de casus mogen zien")] if name in policy.participant_keys(process_id) else []
    found += [Mention(where, _line(text, pattern)) for where, text in _expressions(files)
              if pattern.search(text) or text.strip() == code]
    for form_id, (schema, _ui) in sorted(forms.items(), key=lambda form: form[0] != task_id):
        count = sum(1 for rule in _rules(schema) if _names_choice(rule, name, code))
        if count:
            form = "dit formulier" if form_id == task_id else f"het formulier ‘{schema.get('title') or form_id}’ ({form_id})"
            found.append(Mention(f"{count} {'regel' if count == 1 else 'regels'} van {form} (als … dan …)"))
    return found


def _names_choice(node: object, name: str, code: str) -> bool:
    """Whether a piece of schema compares field `name` with `code` (const or enum)."""
    if isinstance(node, dict):
        properties = node.get("properties")
        if isinstance(properties, dict) and _has_code(properties.get(name), code):
            return True
        return any(_names_choice(v, name, code) for v in node.values())
    if isinstance(node, list):
        return any(_names_choice(v, name, code) for v in node)
    return False


def _has_code(node: object, code: str) -> bool:
    if isinstance(node, dict):
        enum = node.get("enum")
        return node.get("const") == code or (isinstance(enum, list) and code in enum) or any(
            _has_code(v, code) for v in node.values())
    return isinstance(node, list) and any(_has_code(v, code) for v in node)


def _ui_mentions(ui: Mapping, name: str) -> list[Mention]:
    found = []
    part = ui.get(DOSSIER)
    if isinstance(part, str) and name in DOSSIER_PARTS.get(part, {}):
        found.append(Mention(f"de plaats van dit formulier in het dossier (ui:dossier ‘{part}’): die vervalt", fixed=True))
    if isinstance(ui.get(SUMMARY), list) and name in ui[SUMMARY]:
        found.append(Mention("de samenvatting bovenaan de casus (ui:samenvatting): het veld gaat eruit", fixed=True))
    if ui.get(FEEDBACK) == name:
        found.append(Mention("de terugkoppeling aan de aanmelder (ui:terugkoppeling): die vervalt", fixed=True))
    person = ui.get(PERSON)
    if isinstance(person, dict) and name in person.values():
        found.append(Mention("hoe de casuslijst de persoon vindt (ui:persoon): dat vervalt", fixed=True))
    return found


def _schema_mentions(schema: Mapping, name: str) -> list[Mention]:
    found = []
    rules = [r for r in _rules(schema) if _names(r, name)]
    if rules:
        found.append(Mention(f"{len(rules)} {'regel' if len(rules) == 1 else 'regels'} van dit formulier "
                             "(als … dan …): het veld gaat eruit, een regel die ervan afhangt vervalt", fixed=True))
    dependent = schema.get("dependentRequired")
    if isinstance(dependent, dict) and (name in dependent or any(name in v for v in dependent.values()
                                                                 if isinstance(v, list))):
        found.append(Mention("een regel van dit formulier (dependentRequired): het veld gaat eruit", fixed=True))
    branches = [rule.get(part) for rule in _rules(schema) for part in ("then", "else")]
    for other, prop in [*(schema.get("properties") or {}).items(),
                        *(i for b in branches if isinstance(b, dict) for i in (b.get("properties") or {}).items())]:
        for keyword in _FIELD_RULES:
            if other != name and isinstance(prop, dict) and _refers(prop, keyword, name):
                found.append(Mention(f"het veld ‘{prop.get('title') or other}’ ({other}) vergelijkt met dit veld "
                                     f"({keyword}): die vergelijking vervalt", fixed=True))
    return found


def _rules(schema: Mapping) -> list[Mapping]:
    rules = [r for r in schema.get("allOf") or [] if isinstance(r, dict)]
    return rules + ([schema] if "if" in schema else [])


def _names(node: object, name: str) -> bool:
    """Whether a piece of schema names field `name` as a property or a required field."""
    if isinstance(node, dict):
        if name in (node.get("properties") or {}) or name in (node.get("required") or []):
            return True
        return any(_names(v, name) for k, v in node.items() if k != "properties") or any(
            _names(v, name) for v in (node.get("properties") or {}).values())
    if isinstance(node, list):
        return any(_names(v, name) for v in node)
    return False


def _refers(prop: Mapping, keyword: str, name: str) -> bool:
    items = items if isinstance(items := prop.get("items"), dict) else {}
    return prop.get(keyword) == name or (keyword in LIST_RULES and any(
        isinstance(p, dict) and p.get(keyword) == name for p in (items.get("properties") or {}).values()))


def remove_field(given_schema: Mapping, given_ui: Mapping, name: str) -> tuple[dict, dict]:
    """The form and UI schema without field `name` and without every mention that would make the
    draft's check fail; the given schemas are never changed. KeyError when there is no such field."""
    schema, ui = copy.deepcopy(dict(given_schema)), copy.deepcopy(dict(given_ui))
    del schema["properties"][name]
    _drop(schema, "required", name)
    kept = [r for r in (_without(r, name) for r in schema.get("allOf") or []) if r is not None]
    if kept:
        schema["allOf"] = kept
    else:
        schema.pop("allOf", None)
    if "if" in schema:
        rest = _without({k: schema.pop(k) for k in ("if", "then", "else") if k in schema}, name)
        schema.update(rest or {})
    dependent = schema.get("dependentRequired")
    if isinstance(dependent, dict):
        dependent.pop(name, None)
        for key in list(dependent):
            _drop(dependent, key, name)
        if not dependent:
            del schema["dependentRequired"]
    branches = [rule.get(part) for rule in _rules(schema) for part in ("then", "else")]
    for prop in [*schema["properties"].values(),
                 *(p for b in branches if isinstance(b, dict) for p in (b.get("properties") or {}).values())]:
        if isinstance(prop, dict):
            _drop_rules(prop, name)
    _clean_ui(ui, name)
    return schema, ui


def _without(rule: Any, name: str) -> Any:
    """An if/then(/else) rule without the field; None when it depended on the field or says nothing more."""
    if not isinstance(rule, dict):
        return rule
    if _names(rule.get("if"), name):
        return None
    rule = dict(rule)
    for part in ("then", "else"):
        branch = rule.get(part)
        if isinstance(branch, dict):
            branch = dict(branch)
            (branch.get("properties") or {}).pop(name, None)
            if branch.get("properties") == {}:
                del branch["properties"]
            _drop(branch, "required", name)
            if branch:
                rule[part] = branch
            else:
                del rule[part]
    return rule if ("then" in rule or "else" in rule or "if" not in rule) else None


def _drop(node: dict, key: str, name: str) -> None:
    if isinstance(node.get(key), list) and name in node[key]:
        node[key] = [n for n in node[key] if n != name]
        if not node[key]:
            del node[key]


def _drop_rules(prop: dict, name: str) -> None:
    for keyword in _FIELD_RULES:
        if prop.get(keyword) == name:
            del prop[keyword]
    if isinstance(prop.get("items"), dict):
        for row_field in (prop["items"].get("properties") or {}).values():
            if isinstance(row_field, dict):
                for keyword in LIST_RULES:  # a row's list rule names a list at the top of the form
                    if row_field.get(keyword) == name:
                        del row_field[keyword]


def _clean_ui(ui: dict, name: str) -> None:
    ui.pop(name, None)
    _drop(ui, "ui:order", name)
    part = ui.get(DOSSIER)
    if isinstance(part, str) and name in DOSSIER_PARTS.get(part, {}):
        del ui[DOSSIER]
    _drop(ui, SUMMARY, name)
    if ui.get(FEEDBACK) == name:
        del ui[FEEDBACK]
    person = ui.get(PERSON)
    if isinstance(person, dict):
        if person.get("naam") == name:
            del ui[PERSON]
        elif person.get("geboortedatum") == name:
            del person["geboortedatum"]
