"""The process catalogue: every deployed process with its versions, for the proceseigenaar.

Per version: number, content hash, who deployed it and when, how many cases run and ran on it,
and what changed against the version before (engine/bpmn_compare.py). Any version's files (BPMN,
DMN) and forms can be downloaded, to read or to start a change from. Definitions hold no personal
data, so reading them is not written to the access log; the policy still decides who may.
"""
from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from . import policy
from .api import Engine
from .bpmn_compare import Comparison, compare
from .casework import Forbidden
from .db import Definition, Instance
from .errors import NotFound
from .identity import User
from .ui_schema import UI_SUFFIX


@dataclass(frozen=True)
class Version:
    version: int
    content_hash: str
    deployed_at: datetime
    deployed_by: str
    running: int  # cases open on it
    completed: int
    scheduled: int  # a scheduled process's next case, waiting for its start timer
    reason: str | None = None  # why it was deployed (a draft's deploy), when said


@dataclass(frozen=True)
class Process:
    process_id: str
    name: str  # of the latest version
    versions: list[Version]  # newest first

    @property
    def latest(self) -> Version:
        return self.versions[0]


@dataclass(frozen=True)
class VersionDetail:
    process: Process
    version: Version
    files: list[str]
    forms: list[str]  # "<task_id>" of each form, and "<task_id> (opmaak)" for a UI schema
    changes: Comparison | None  # against the version before; None for the first


def _check(user: User) -> None:
    decision = policy.may_read_processes(user)
    if not decision:
        raise Forbidden(decision.reason)


def processes(engine: Engine, user: User) -> list[Process]:
    """Every deployed process, by name, with its versions newest first."""
    _check(user)
    with engine.database.unit_of_work(write=False) as uow:
        return _processes(uow.session)


def _processes(session, process_id: str | None = None) -> list[Process]:
    counts: dict[tuple[int, str], int] = {}
    count_query = select(Instance.definition_id, Instance.status, func.count()).group_by(
        Instance.definition_id, Instance.status)
    query = select(Definition.id, Definition.process_id, Definition.version, Definition.name, Definition.content_hash,
                   Definition.deployed_at, Definition.deployed_by, Definition.reason).order_by(Definition.version.desc())
    if process_id is not None:
        query = query.where(Definition.process_id == process_id)
        count_query = count_query.where(Instance.process_id == process_id)
    for definition_id, status, count in session.execute(count_query):
        counts[(definition_id, status)] = count
    found: dict[str, Process] = {}
    for definition_id, pid, version, name, content_hash, deployed_at, deployed_by, reason in session.execute(query):
        entry = Version(version, content_hash, deployed_at, deployed_by, counts.get((definition_id, "running"), 0),
                        counts.get((definition_id, "completed"), 0), counts.get((definition_id, "scheduled"), 0),
                        reason)
        if pid not in found:
            found[pid] = Process(pid, name or pid, [])
        found[pid].versions.append(entry)
    return sorted(found.values(), key=lambda p: p.name.casefold())


def version_detail(engine: Engine, user: User, process_id: str, version: int) -> VersionDetail:
    """One version with what changed against the version before it. NotFound when there is none."""
    _check(user)
    with engine.database.unit_of_work(write=False) as uow:
        current = _definition(uow.session, process_id, version)
        [process] = _processes(uow.session, process_id)
        entry = next(v for v in process.versions if v.version == version)
        before = uow.session.scalar(select(Definition).where(
            Definition.process_id == process_id, Definition.version < version).order_by(Definition.version.desc()))
        changes = compare(before.files, before.forms, current.files, current.forms) if before is not None else None
        return VersionDetail(process, entry, sorted(current.files), _form_names(current.forms, process_id), changes)


def version_zip(engine: Engine, user: User, process_id: str, version: int) -> bytes:
    """The version's files and forms as a zip, laid out as the folders `zvt deploy` reads:
    processes/<file> and forms/<process_id>/<task_id>.schema.json (.ui.json)."""
    _check(user)
    with engine.database.unit_of_work(write=False) as uow:
        files = version_files(_definition(uow.session, process_id, version))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(files.items()):
            archive.writestr(name, text)
    return buffer.getvalue()


def version_files(definition: Definition) -> dict[str, str]:
    """A deployed version as the files of the folders `zvt deploy` reads, by path."""
    files = {f"processes/{name}": text for name, text in definition.files.items()}
    for key, schema in definition.forms.items():
        ui = key.endswith(UI_SUFFIX)
        owner, task_id = key.removesuffix(UI_SUFFIX).split("/", 1)
        files[f"forms/{owner}/{task_id}{'.ui.json' if ui else '.schema.json'}"] = (
            json.dumps(schema, ensure_ascii=False, indent=2) + "\n")
    return files


def _definition(session, process_id: str, version: int) -> Definition:
    definition = session.scalar(select(Definition).where(Definition.process_id == process_id,
                                                         Definition.version == version))
    if definition is None:
        raise NotFound(f"process {process_id} has no version {version}")
    return definition


def _form_names(forms: dict, process_id: str) -> list[str]:
    names = []
    for key in sorted(forms):
        owner, task_id = key.removesuffix(UI_SUFFIX).split("/", 1)
        label = task_id if owner == process_id else f"{owner}/{task_id}"
        names.append(f"{label} (opmaak)" if key.endswith(UI_SUFFIX) else label)
    return names
