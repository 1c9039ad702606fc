"""A new version of a process, prepared outside the team's running system and checked before it runs.

The proceseigenaar downloads a version (engine/catalogue.py: a zip with `processes/` and `forms/`),
changes it in Camunda Modeler, bpmn.io or a text editor, and uploads the zip as a draft. A draft is
checked exactly as `zvt deploy` checks a folder (engine/definitions.py: parse, sandbox, forms,
UI schemas, due dates, DMN) and by ZVT's own rules for changes (engine/zvt_rules.py), compared with the version that runs now (engine/bpmn_compare.py),
and deployed as a new version with a reason, which the version keeps. Nothing of a draft runs or
is seen by caseworkers before that.

The upload is untrusted input: a zip of at most MAX_ZIP_BYTES, MAX_ENTRIES entries of at most
definitions.MAX_FILE_BYTES each (read with a cap, so a zip bomb stops there), only the paths a
version has (`processes/<name>.bpmn|.dmn`, `forms/<process_id>/<task>.schema.json|.ui.json`, no
folders above them), UTF-8 text, exactly one BPMN file.
"""
from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from . import policy, zvt_rules
from .api import Engine
from .bpmn_compare import Comparison, compare
from .casework import Forbidden
from .catalogue import version_files
from .clock import aware
from .db import Definition, ProcessDraft
from .definitions import MAX_FILE_BYTES, read_folder
from .errors import DefinitionRefused, EngineError, NotFound, Problem
from .identity import User
from .queries import latest_definition
from .views import DeployedVersion

MAX_ZIP_BYTES = 2 * 1024 * 1024
MAX_ENTRIES = 200
_PROCESS_FILE = re.compile(r"processes/([A-Za-z0-9_.-]{1,100}\.(?:bpmn|dmn))")
_FORM_FILE = r"forms/{process_id}/([A-Za-z0-9_.-]{{1,100}}\.(?:schema|ui)\.json)"


class DraftRefused(EngineError):
    """The upload is no version of this process; the message is Dutch, for the page."""


@dataclass(frozen=True)
class DraftView:
    id: int
    process_id: str
    base_version: int | None
    uploaded_by: str
    uploaded_at: datetime
    files: list[str]


@dataclass(frozen=True)
class DraftCheck:
    draft: DraftView
    problems: list[Problem]  # as `zvt deploy` words them; empty: it can be deployed
    changes: Comparison | None  # against the latest version; None when it cannot be read


def _check(user: User) -> None:
    decision = policy.may_change_processes(user)
    if not decision:
        raise Forbidden(decision.reason)


def read_zip(content: bytes, process_id: str) -> dict[str, str]:
    """The version's files from an uploaded zip, by path; DraftRefused for anything else."""
    if len(content) > MAX_ZIP_BYTES:
        raise DraftRefused(f"Het bestand is groter dan {MAX_ZIP_BYTES // (1024 * 1024)} MB.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = [e for e in archive.infolist() if not e.is_dir()]
    except (zipfile.BadZipFile, ValueError):
        raise DraftRefused("Dit is geen zip-bestand. Download een versie, pas die aan en stuur de zip.") from None
    if len(entries) > MAX_ENTRIES:
        raise DraftRefused(f"De zip heeft meer dan {MAX_ENTRIES} bestanden.")
    form_file = re.compile(_FORM_FILE.format(process_id=re.escape(process_id)))
    files: dict[str, str] = {}
    for entry in entries:
        if not (_PROCESS_FILE.fullmatch(entry.filename) or form_file.fullmatch(entry.filename)):
            raise DraftRefused(f"De zip bevat ‘{entry.filename[:100]}’. Alleen processes/*.bpmn, processes/*.dmn "
                               f"en forms/{process_id}/*.json horen erin.")
        with archive.open(entry) as handle:
            data = handle.read(MAX_FILE_BYTES + 1)  # never more than the cap, whatever the entry claims
        if len(data) > MAX_FILE_BYTES:
            raise DraftRefused(f"‘{entry.filename}’ is groter dan {MAX_FILE_BYTES // 1024} KB.")
        try:
            files[entry.filename] = data.decode("utf-8")
        except UnicodeDecodeError:
            raise DraftRefused(f"‘{entry.filename}’ is geen tekst in UTF-8.") from None
    if sum(1 for name in files if name.endswith(".bpmn")) != 1:
        raise DraftRefused("De zip moet precies één BPMN-bestand hebben, in de map processes/.")
    return files


def upload(engine: Engine, user: User, process_id: str, content: bytes) -> int:
    """Keep an uploaded zip as a draft of the process; its id."""
    _check(user)
    files = read_zip(content, process_id)
    with engine.database.unit_of_work() as uow:
        latest = latest_definition(uow.session, process_id)
        draft = ProcessDraft(process_id=process_id, base_version=latest.version, files=files,
                             uploaded_by=user.username, uploaded_at=aware(engine.clock()))
        uow.session.add(draft)
        uow.session.flush()
        uow.commit()
        return draft.id


def start_from_latest(engine: Engine, user: User, process_id: str) -> int:
    """A new draft that is a copy of the running version, to change in the browser's modeler; its id."""
    _check(user)
    with engine.database.unit_of_work() as uow:
        latest = latest_definition(uow.session, process_id)
        draft = ProcessDraft(process_id=process_id, base_version=latest.version, files=version_files(latest),
                             uploaded_by=user.username, uploaded_at=aware(engine.clock()))
        uow.session.add(draft)
        uow.session.flush()
        uow.commit()
        return draft.id


def diagram(engine: Engine, user: User, process_id: str, draft_id: int) -> tuple[str, str]:
    """(path, text) of the draft's BPMN file, for the modeler."""
    _check(user)
    with engine.database.unit_of_work(write=False) as uow:
        files = _draft(uow.session, process_id, draft_id).files
        return next((name, text) for name, text in files.items() if name.endswith(".bpmn"))


def replace_diagram(engine: Engine, user: User, process_id: str, draft_id: int, text: str) -> None:
    """Put what the modeler saved in place of the draft's BPMN file. DraftRefused for text that
    is too large or no XML at all; everything else is for `check` to say."""
    _replace_file(engine, user, process_id, draft_id, lambda name: name.endswith(".bpmn"), text,
                  "De modeler stuurde geen procesmodel. Probeer het opnieuw.")


def decision_tables(engine: Engine, user: User, process_id: str, draft_id: int) -> dict[str, str]:
    """The draft's DMN files: path -> text."""
    _check(user)
    with engine.database.unit_of_work(write=False) as uow:
        return {n: t for n, t in _draft(uow.session, process_id, draft_id).files.items() if n.endswith(".dmn")}


def replace_decision_table(engine: Engine, user: User, process_id: str, draft_id: int, path: str, text: str) -> None:
    """Put what the DMN editor saved in place of the draft's DMN file `path`."""
    _replace_file(engine, user, process_id, draft_id, lambda name: name == path and name.endswith(".dmn"), text,
                  "De editor stuurde geen beslistabel. Probeer het opnieuw.")


def _replace_file(engine: Engine, user: User, process_id: str, draft_id: int, which, text: str,
                  not_xml: str) -> None:
    _check(user)
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise DraftRefused(f"Het bestand is groter dan {MAX_FILE_BYTES // 1024} KB.")
    if not text.lstrip().startswith("<"):
        raise DraftRefused(not_xml)
    with engine.database.unit_of_work() as uow:
        draft = _draft(uow.session, process_id, draft_id)
        name = next((n for n in draft.files if which(n)), None)
        if name is None:
            raise NotFound(f"draft {draft_id} has no such file")
        draft.files = {**draft.files, name: text}
        draft.uploaded_by, draft.uploaded_at = user.username, aware(engine.clock())
        uow.commit()


def draft_files(engine: Engine, user: User, process_id: str, draft_id: int) -> dict[str, str]:
    """Every file of the draft: path -> text (the form editor looks in them for a field's name)."""
    _check(user)
    with engine.database.unit_of_work(write=False) as uow:
        return dict(_draft(uow.session, process_id, draft_id).files)


def draft_forms(engine: Engine, user: User, process_id: str, draft_id: int) -> dict[str, tuple[dict, dict]]:
    """The draft's forms of the process: task id -> (JSON Schema, UI schema or {}). A file that is
    no JSON object is left out here: the check names it."""
    _check(user)
    with engine.database.unit_of_work(write=False) as uow:
        files = dict(_draft(uow.session, process_id, draft_id).files)
    prefix = f"forms/{process_id}/"
    found: dict[str, tuple[dict, dict]] = {}
    for name, text in sorted(files.items()):
        if name.startswith(prefix) and name.endswith(".schema.json"):
            task_id = name[len(prefix):-len(".schema.json")]
            schema, ui = _json_object(text), _json_object(files.get(f"{prefix}{task_id}.ui.json", "{}"))
            if schema is not None:
                found[task_id] = (schema, ui or {})
    return found


def replace_form(engine: Engine, user: User, process_id: str, draft_id: int, task_id: str, schema: dict,
                 ui: dict) -> None:
    """Put a task's edited form and UI schema into the draft (the form editor); the check and
    deploy judge them as any form."""
    _check(user)
    prefix = f"forms/{process_id}/{task_id}"
    with engine.database.unit_of_work() as uow:
        draft = _draft(uow.session, process_id, draft_id)
        if f"{prefix}.schema.json" not in draft.files:
            raise NotFound(f"draft {draft_id} has no form for {task_id}")
        files = {**draft.files, f"{prefix}.schema.json": json.dumps(schema, ensure_ascii=False, indent=2) + "\n"}
        if ui:
            files[f"{prefix}.ui.json"] = json.dumps(ui, ensure_ascii=False, indent=2) + "\n"
        else:
            files.pop(f"{prefix}.ui.json", None)
        draft.files = files
        draft.uploaded_by, draft.uploaded_at = user.username, aware(engine.clock())
        uow.commit()


def _json_object(text: str) -> dict | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def check(engine: Engine, user: User, process_id: str, draft_id: int, lint=None) -> DraftCheck:
    """The draft checked as `zvt deploy` would, and compared with the latest version. `lint`, when
    given, takes the draft's BPMN files (paths) and returns more problems (web/bpmn_lint.py)."""
    _check(user)
    with engine.database.unit_of_work(write=False) as uow:
        draft = _draft(uow.session, process_id, draft_id)
        latest = latest_definition(uow.session, process_id)
        view = _view(draft)
        files, latest_files, latest_forms = dict(draft.files), dict(latest.files), dict(latest.forms)
    with tempfile.TemporaryDirectory() as folder:
        processes, forms = _write(Path(folder), files)
        linted = lint(sorted(processes.glob("*.bpmn"))) if lint is not None else []
        try:
            bundles = read_folder(processes, forms)
        except DefinitionRefused as refused:
            return DraftCheck(view, list(refused.problems) + linted, None)
    bundle = next((b for b in bundles if b.process_id == process_id), None)
    if bundle is None:
        found = ", ".join(b.process_id for b in bundles) or "geen"
        return DraftCheck(view, [Problem(next(n for n in files if n.endswith(".bpmn")), None,
                                         f"the file defines no executable process '{process_id}' (found: {found})")],
                          None)
    changes = compare(latest_files, latest_forms, bundle.files, bundle.forms)
    main_file = next(name for name in files if name.endswith(".bpmn")).rsplit("/", 1)[-1]
    return DraftCheck(view, linted + zvt_rules.problems(bundle, changes, main_file), changes)


def deploy(engine: Engine, user: User, process_id: str, draft_id: int, reason: str) -> DeployedVersion:
    """Deploy the draft as the process's next version with `reason`, and remove the draft.
    Raises DefinitionRefused as `zvt deploy` does; ValueError for an empty reason."""
    _check(user)
    reason = reason.strip()
    if not reason:
        raise ValueError("a new version needs a reason")
    with engine.database.unit_of_work(write=False) as uow:
        files = dict(_draft(uow.session, process_id, draft_id).files)
    with tempfile.TemporaryDirectory() as folder:
        processes, forms = _write(Path(folder), files)
        deployed = engine.deploy(processes, forms, actor=user.username)
    version = next((v for v in deployed if v.process_id == process_id), None)
    if version is None:
        raise DefinitionRefused([Problem("processes", None, f"the files define no process '{process_id}'")])
    with engine.database.unit_of_work() as uow:
        if version.new:
            uow.session.get_one(Definition, version.definition_id).reason = reason
        uow.session.delete(_draft(uow.session, process_id, draft_id))
        uow.commit()
    return version


def discard(engine: Engine, user: User, process_id: str, draft_id: int) -> None:
    _check(user)
    with engine.database.unit_of_work() as uow:
        uow.session.delete(_draft(uow.session, process_id, draft_id))
        uow.commit()


def drafts(engine: Engine, user: User, process_id: str) -> list[DraftView]:
    """The process's drafts, newest first."""
    _check(user)
    with engine.database.unit_of_work(write=False) as uow:
        return [_view(d) for d in uow.session.scalars(select(ProcessDraft).where(
            ProcessDraft.process_id == process_id).order_by(ProcessDraft.id.desc()))]


def _write(folder: Path, files: dict[str, str]) -> tuple[Path, Path]:
    """The draft's files as the folders `zvt deploy` reads. The names were checked on upload
    (no "..", no folders above them); checked again, as the database is no trusted source either."""
    for name, text in files.items():
        path = (folder / name).resolve()
        if folder.resolve() not in path.parents:
            raise DraftRefused("Een bestandsnaam in het concept wijst buiten de map.")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (folder / "forms").mkdir(exist_ok=True)
    return folder / "processes", folder / "forms"


def _draft(session, process_id: str, draft_id: int) -> ProcessDraft:
    draft = session.get(ProcessDraft, draft_id)
    if draft is None or draft.process_id != process_id:
        raise NotFound(f"process {process_id} has no draft {draft_id}")
    return draft


def _view(draft: ProcessDraft) -> DraftView:
    return DraftView(draft.id, draft.process_id, draft.base_version, draft.uploaded_by, draft.uploaded_at,
                     sorted(draft.files))

