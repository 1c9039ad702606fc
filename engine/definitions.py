"""Reading a folder of BPMN/DMN files and forms into deployable process versions.

Everything is checked before anything is stored: a deployment with one problem stores
nothing, and the error lists every problem with file, element and reason.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.dmn.specs.business_rule_task_mixin import BusinessRuleTaskMixin
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from . import budget, date_rules, due_dates, list_rules, partner_choices, step_actions, ui_schema, zvt_namespace
from .errors import DefinitionRefused, Problem
from .outbox import element_message
from .roles import ROLES
from .sandbox import ScriptRefused, check_expression, check_script

# lxml 6 already refuses external entities and entity expansion bombs; saying so
# explicitly keeps it that way if defaults ever change.
# Deploy limits. The covenant's largest process is 57 KB with 692 XML elements, diagram included;
# a 50 MB file of small elements kept the parser busy for most of an hour.
MAX_FILE_BYTES = 1024 * 1024
MAX_ELEMENTS = 10_000
DEPLOY_SECONDS = 60.0
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_DMN_QUESTION_MARK = re.compile(r'(\?)(?=(?:[^\'"]|[\'"][^\'"]*[\'"])*$)')


@dataclass
class ProcessBundle:
    """One executable process with everything it needs, ready to store as a version."""

    process_id: str
    name: str | None
    spec: object
    subprocess_specs: dict
    files: dict[str, str]
    forms: dict[str, dict]
    content_hash: str = field(init=False)

    def __post_init__(self):
        canonical = json.dumps({"files": self.files, "forms": self.forms}, sort_keys=True, ensure_ascii=False)
        self.content_hash = hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def form_key(process_id: str, task_id: str) -> str:
    return f"{process_id}/{task_id}"


def start_events(process_spec) -> list:
    return [ts for ts in process_spec.task_specs.values() if isinstance(ts, StartEvent)]


def is_scheduled(process_spec) -> bool:
    """A process that starts by a timer on its start event: the engine keeps one instance
    of it waiting for that moment (see Engine.deploy)."""
    return any(isinstance(ts.event_definition, TimerEventDefinition) for ts in start_events(process_spec))


def start_form_key(process_spec) -> str | None:
    """The form filled in to start the process: the form of its (none) start event."""
    for ts in start_events(process_spec):
        if isinstance(ts.event_definition, NoneEventDefinition):
            return form_key(process_spec.name, ts.bpmn_id)
    return None


def read_folder(processes_dir: Path, forms_dir: Path, seconds: float = DEPLOY_SECONDS) -> list[ProcessBundle]:
    """Parse and check every BPMN/DMN file below processes_dir; raise DefinitionRefused on any problem.

    Within a time limit (engine/budget.py): a hostile definition that sends the parser or our
    checks into a loop is refused instead of keeping deploy busy."""
    try:
        with budget.wall_clock_limit(seconds):
            return _read_folder(processes_dir, forms_dir)
    except budget.BudgetExceeded:
        raise DefinitionRefused([Problem(str(processes_dir), None, f"reading and checking the definitions took "
                                                                    f"more than {seconds:g} s")]) from None


def _read_folder(processes_dir: Path, forms_dir: Path) -> list[ProcessBundle]:
    processes_dir, forms_dir = Path(processes_dir), Path(forms_dir)
    if not processes_dir.is_dir():
        raise DefinitionRefused([Problem(str(processes_dir), None, "folder does not exist")])
    problems: list[Problem] = []
    sources: dict[str, str] = {}
    parser = SpiffBpmnParser(validator=BpmnValidator())

    paths = sorted(p for p in processes_dir.rglob("*") if p.suffix.lower() in (".bpmn", ".dmn") and p.is_file())
    if not paths:
        raise DefinitionRefused([Problem(str(processes_dir), None, "no .bpmn or .dmn files found")])
    for path in paths:
        name = path.relative_to(processes_dir).as_posix()
        if path.stat().st_size > MAX_FILE_BYTES:
            problems.append(Problem(name, None, f"file is larger than {MAX_FILE_BYTES // 1024} KB"))
            continue
        try:
            text = path.read_text(encoding="utf-8")
            tree = etree.fromstring(text.encode("utf-8"), _XML_PARSER)
        except (UnicodeDecodeError, etree.XMLSyntaxError) as exc:
            problems.append(Problem(name, None, f"malformed XML: {exc}"))
            continue
        if sum(1 for _ in tree.iter()) > MAX_ELEMENTS:
            problems.append(Problem(name, None, f"file has more than {MAX_ELEMENTS:,} XML elements"))
            continue
        sources[name] = text
        try:
            if path.suffix.lower() == ".dmn":
                problems += [Problem(name, element_id, reason) for element_id, reason in _dmn_language_problems(tree)]
                parser.add_dmn_xml(tree, filename=name)
            else:
                lowering = zvt_namespace.lower(tree)
                problems += [Problem(name, element_id, reason) for element_id, reason in lowering]
                if not lowering:
                    parser.add_bpmn_xml(tree, filename=name)
        except ValidationException as exc:
            problems.append(_problem_from_validation(exc, name))
    if problems:
        raise DefinitionRefused(problems)

    for pid, process_parser in parser.process_parsers.items():
        if not process_parser.process_executable:
            problems.append(Problem(process_parser.filename, pid, 'process is not executable (set isExecutable="true")'))
    dmn_files = _dmn_files_by_table(parser, problems)

    bundles = []
    for pid in sorted(parser.get_process_ids()):
        bundle = _bundle(parser, pid, sources, dmn_files, forms_dir, problems)
        if bundle is not None:
            bundles.append(bundle)
    _check_stray_forms(forms_dir, bundles, problems)
    _check_context_steps(forms_dir, bundles, problems)
    if problems:
        raise DefinitionRefused(_unique(problems))
    return bundles


def _bundle(parser, pid, sources, dmn_files, forms_dir, problems) -> ProcessBundle | None:
    main_file = parser.process_parsers[pid].filename
    try:
        spec = parser.get_spec(pid)
        subprocess_specs = parser.get_subprocess_specs(pid)
    except ValidationException as exc:
        problems.append(_problem_from_validation(exc, main_file))
        return None

    files = {main_file: sources[main_file]}
    forms: dict[str, dict] = {}
    before = len(problems)
    for process_spec in [spec, *subprocess_specs.values()]:
        spec_file = getattr(process_spec, "file", None) or main_file
        files.setdefault(spec_file, sources.get(spec_file, ""))
        for task_spec in process_spec.task_specs.values():
            _check_task_spec(task_spec, process_spec.name, spec_file, subprocess_specs, forms_dir, forms, problems)
            if isinstance(task_spec, BusinessRuleTaskMixin):
                dmn_file = dmn_files.get(task_spec.dmnEngine.decision_table.id)
                if dmn_file:
                    files.setdefault(dmn_file, sources[dmn_file])
    _check_start_events(spec, main_file, problems)
    if len(problems) > before:
        return None
    return ProcessBundle(pid, spec.description if spec.description != pid else None, spec, subprocess_specs, files, forms)


def _check_start_events(spec, file, problems) -> None:
    # A timer start beside another start would leave a waiting start timer inside every
    # instance started by hand; two plain starts would make "the" start form ambiguous.
    starts = start_events(spec)
    timers = [ts for ts in starts if isinstance(ts.event_definition, TimerEventDefinition)]
    plain = [ts for ts in starts if isinstance(ts.event_definition, NoneEventDefinition)]
    if timers and len(starts) > 1:
        problems.append(Problem(file, timers[0].bpmn_id, "a process with a timer start event can have no other start event"))
    if len(plain) > 1:
        problems.append(Problem(file, plain[1].bpmn_id, "a process can have only one plain start event"))


def _check_task_spec(task_spec, process_id, file, subprocess_specs, forms_dir, forms, problems) -> None:
    element = getattr(task_spec, "bpmn_id", None)
    if element is None:
        return  # SpiffWorkflow's own glue (start, joins, end); it runs no user code

    def refuse(reason: str) -> None:
        problems.append(Problem(file, element, reason))

    def check(source, what, mode="eval"):
        if source is None:
            return
        try:
            (check_script if mode == "exec" else check_expression)(source)
        except ScriptRefused as exc:
            refuse(f"{what} refused: {exc}")

    check(getattr(task_spec, "script", None), "script", "exec")
    check(getattr(task_spec, "prescript", None), "pre-script", "exec")
    check(getattr(task_spec, "postscript", None), "post-script", "exec")
    for condition, target in getattr(task_spec, "cond_task_specs", None) or []:
        if condition is not None:
            check(condition.args[0], f"condition of the flow to '{target}'")
    event_definition = getattr(task_spec, "event_definition", None)
    if isinstance(event_definition, TimerEventDefinition):
        check(event_definition.expression, "timer expression")
    elif isinstance(event_definition, ConditionalEventDefinition):
        check(event_definition.expression, "event condition")
    elif expression := getattr(event_definition, "expression", None):
        check(expression, "event expression")
    if isinstance(task_spec, LoopTask):
        check(getattr(task_spec, "condition", None), "loop condition")
        check(getattr(task_spec, "cardinality", None), "multi-instance cardinality")
    if isinstance(task_spec, BusinessRuleTaskMixin):
        _check_decision_table(task_spec.dmnEngine.decision_table, refuse)
    try:
        element_message(task_spec)
        step_actions.check(task_spec)
    except ValueError as exc:
        refuse(str(exc))
    for reason in due_dates.declaration_problems(task_spec):
        refuse(reason)
    if isinstance(task_spec, SubWorkflowTask) and task_spec.spec not in subprocess_specs:
        refuse(f"calls process '{task_spec.spec}', which is not deployed with it")
    if isinstance(task_spec, UserTask):
        if task_spec.lane is None:
            refuse(f"user task is in no lane; put it in a lane with a role (zvt:rol: {', '.join(sorted(ROLES))})")
        elif task_spec.lane not in ROLES:
            refuse(f"lane role '{task_spec.lane}' is not a role; give the lane zvt:rol, one of: {', '.join(sorted(ROLES))}")
        _load_form(forms_dir, process_id, element, forms, refuse)
    elif isinstance(task_spec, StartEvent) and isinstance(task_spec.event_definition, NoneEventDefinition):
        _load_form(forms_dir, process_id, element, forms, refuse)


def _check_decision_table(table, refuse) -> None:
    def check(source, what):
        try:
            check_expression(source)
        except ScriptRefused as exc:
            refuse(f"decision table '{table.id}' {what} refused: {exc}")

    for column in table.inputs:
        if column.expression:
            check(column.expression, f"input '{column.label or column.id}'")
    for rule in table.rules:
        for entry in rule.inputEntries:
            input_expr = entry.input.expression or "dmninputexpr"
            for lhs in entry.lhs:
                if lhs is not None:
                    check(_dmn_rule_expression(input_expr, lhs), f"rule {rule.row_number}")
        for entry in rule.outputEntries:
            if entry.text:
                check(entry.text, f"rule {rule.row_number} output")


def _dmn_rule_expression(input_expr: str, match_expr: str) -> str:
    # The same rewriting SpiffWorkflow's DMNEngine.evaluate does at run time, so that what
    # is checked here is exactly what will be evaluated.
    match_expr = _DMN_QUESTION_MARK.sub("dmninputexpr", match_expr)
    if "dmninputexpr" in match_expr:
        return match_expr
    try:
        ast.parse(match_expr)
        return f"({input_expr}) == ({match_expr})"
    except SyntaxError:
        return f"{input_expr} {match_expr}"


@functools.lru_cache(maxsize=2048)
def schema_error(text: str) -> SchemaError | None:
    """What is wrong with the form `text` (canonical JSON) as a JSON Schema, or None.

    Checking a form against the 2020-12 metaschema is most of the time a deploy takes (about a
    tenth of a second per form: the metaschema resolves its $dynamicRefs for every keyword), and
    the answer depends on the form's text alone, so it is remembered: a deploy of unchanged forms
    and a draft's checks in the browser ask it again and again."""
    try:
        Draft202012Validator.check_schema(json.loads(text))
    except SchemaError as exc:
        return exc
    return None


def _load_form(forms_dir: Path, process_id: str, task_id: str, forms: dict, refuse) -> None:
    path = forms_dir / process_id / f"{task_id}.schema.json"
    if not path.is_file():
        if (forms_dir / process_id / f"{task_id}.ui.json").is_file():
            refuse(f"UI schema for {process_id}/{task_id} without a form ({path.as_posix()})")
        return  # a user task or start without a form takes no data
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        refuse(f"form {path.as_posix()} is not valid JSON: {exc}")
        return
    invalid = schema_error(json.dumps(schema, sort_keys=True))
    if invalid is not None:
        where = "/".join(str(p) for p in invalid.absolute_path) or "(root)"
        refuse(f"form {path.as_posix()} is not a valid JSON Schema at {where}: {invalid.message}")
        return
    if schema.get("type") != "object":
        refuse(f'form {path.as_posix()} must describe an object ("type": "object")')
        return
    for name, field_schema in (schema.get("properties") or {}).items():
        if isinstance(field_schema, dict) and field_schema.get("readOnly") and name in (schema.get("required") or []):
            refuse(f"form {path.as_posix()}: read-only field '{name}' comes from the case and cannot be required")
            return
    date_problems = date_rules.problems(schema) + list_rules.problems(schema) + partner_choices.problems(schema)
    for problem in date_problems:
        refuse(f"form {path.as_posix()}: {problem}")
    if date_problems:
        return
    forms[form_key(process_id, task_id)] = schema
    ui_path = forms_dir / process_id / f"{task_id}.ui.json"
    if ui_path.is_file():
        try:
            ui = json.loads(ui_path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            refuse(f"UI schema {ui_path.as_posix()} is not valid JSON: {exc}")
            return
        for problem in ui_schema.problems(ui, schema):
            refuse(f"UI schema {ui_path.as_posix()}: {problem}")
        forms[form_key(process_id, task_id) + ui_schema.UI_SUFFIX] = ui


def _check_stray_forms(forms_dir: Path, bundles: list[ProcessBundle], problems: list[Problem]) -> None:
    # A form file whose task id does not exist is almost always a renamed task; refusing it
    # beats a form that silently never shows.
    known: dict[str, set[str]] = {}
    for bundle in bundles:
        for process_spec in [bundle.spec, *bundle.subprocess_specs.values()]:
            known.setdefault(process_spec.name, set()).update(
                ts.bpmn_id for ts in process_spec.task_specs.values()
                if isinstance(ts, UserTask) or (isinstance(ts, StartEvent) and isinstance(ts.event_definition, NoneEventDefinition))
            )
    for process_id, task_ids in known.items():
        folder = forms_dir / process_id
        if not folder.is_dir():
            continue
        for path in sorted([*folder.glob("*.schema.json"), *folder.glob("*.ui.json")]):
            task_id = path.name.removesuffix(".schema.json").removesuffix(".ui.json")
            if task_id not in task_ids:
                problems.append(Problem(path.as_posix(), task_id, f"form for a user task or start event that process '{process_id}' does not have"))


def _check_context_steps(forms_dir: Path, bundles: list[ProcessBundle], problems: list[Problem]) -> None:
    # A step a task page shows must be one whose answers are kept: a user task or start event
    # of the same process with a form (stray forms are refused above).
    for bundle in bundles:
        for key, ui in bundle.forms.items():
            if not key.endswith(ui_schema.UI_SUFFIX):
                continue
            process_id, task_id = key.removesuffix(ui_schema.UI_SUFFIX).split("/", 1)
            for keyword in ui_schema.PER_PROCESS:
                first = ui_schema.per_process(bundle.forms, process_id, keyword)
                if keyword in ui and first is not None and first[0] != task_id:
                    problems.append(Problem((forms_dir / process_id / f"{task_id}.ui.json").as_posix(), task_id,
                                            f"{keyword} is on the form of '{first[0]}' already; a process has it "
                                            "on one form"))
            for step in ui_schema.context_steps(ui):
                # The task itself may be named: in a loop (the zorgoverleg) its previous round.
                if form_key(process_id, step) not in bundle.forms:
                    problems.append(Problem((forms_dir / process_id / f"{task_id}.ui.json").as_posix(), task_id,
                                            f"ui:context names '{step}', which is no user task or start event "
                                            f"of '{process_id}' with a form"))


# What a DMN file must declare its cells to be written in: they are Python expressions, run in our
# sandbox. DMN's default is FEEL, so a file without it is misread by every standard DMN tool;
# dmn-js and Camunda Modeler offer "python" under that name.
DMN_EXPRESSION_LANGUAGE = "python"


def _dmn_language_problems(tree) -> list[tuple[str | None, str]]:
    found = []
    if tree.get("expressionLanguage") != DMN_EXPRESSION_LANGUAGE:
        found.append((tree.get("id"), f'declare expressionLanguage="{DMN_EXPRESSION_LANGUAGE}" on <definitions>: '
                                      "the cells are Python expressions, which DMN tools otherwise read as FEEL"))
    for element in tree.iter():
        language = element.get("expressionLanguage") if isinstance(element.tag, str) else None
        if element is not tree and language not in (None, DMN_EXPRESSION_LANGUAGE):
            found.append((element.get("id"), f'expressionLanguage "{language}" is not supported; the engine runs '
                                             f'"{DMN_EXPRESSION_LANGUAGE}" only'))
    return found


def _dmn_files_by_table(parser, problems) -> dict[str, str]:
    files = {}
    for decision_id, dmn_parser in parser.dmn_parsers.items():
        try:
            dmn_parser.parse()
        except Exception as exc:  # noqa: BLE001 - DMNParser raises bare exceptions as well as ValidationException
            problems.append(Problem(dmn_parser.filename or "?", decision_id, f"decision cannot be read: {exc}"))
            continue
        for table in dmn_parser.decision.decisionTables:
            files[table.id] = dmn_parser.filename
    return files


def _problem_from_validation(exc: ValidationException, default_file: str) -> Problem:
    file = getattr(exc, "file_name", None) or default_file
    element = getattr(exc, "id", None) or getattr(exc, "name", None)
    line = getattr(exc, "line_number", None)
    reason = str(exc).split("\n")[0]
    if line:
        reason = f"{reason} (line {line})"
    return Problem(file, element, reason)


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))
