"""Deploying the processes of a folder, and keeping each scheduled process waiting once.

Part of `Engine` (engine/api.py).
"""
from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, func, select

from .clock import aware
from .db import Definition, Instance, Timer
from .definitions import is_scheduled, read_folder
from .engine_part import EnginePart
from .errors import DefinitionRefused, Problem
from .process_rules import check_folder as check_process_rules
from .views import DeployedVersion

log = logging.getLogger(__name__)


class Deploying(EnginePart):
    def deploy(self, path, forms=None, actor: str = "zvt deploy") -> list[DeployedVersion]:
        """Deploy every executable process in the folder `path`.

        Forms are read from `forms` (default: the folder `forms` next to `path`). Each
        process is versioned by the hash of its files and forms: unchanged content deploys
        nothing new, running instances keep the version they started on. Raises
        DefinitionRefused, with nothing stored, when any file has a problem.
        """
        path = Path(path)
        bundles = read_folder(path, Path(forms) if forms is not None else path.parent / "forms")
        # The folder's process rules (who takes part, who starts) go with it.
        problems = check_process_rules(path, {b.process_id for b in bundles if is_scheduled(b.spec)})
        if problems:
            raise DefinitionRefused(problems)
        if self.retention is not None:
            # A process without a retention rule would keep its closed cases' personal data forever.
            missing = self.retention.missing(b.process_id for b in bundles)
            if missing:
                raise DefinitionRefused([Problem(
                    pid, None, f"has no retention rule in {self.retention.source}; add one "
                               "(months after closing, or 'keep': true for a process without personal data)")
                    for pid in missing])
        now = aware(self.clock())
        result = []
        with self.database.unit_of_work() as uow:
            for bundle in bundles:
                existing = uow.session.scalar(select(Definition).where(
                    Definition.process_id == bundle.process_id, Definition.content_hash == bundle.content_hash))
                if existing is not None:
                    result.append(DeployedVersion(bundle.process_id, existing.version, existing.content_hash, existing.id, False))
                    continue
                latest = uow.session.scalar(select(func.max(Definition.version)).where(
                    Definition.process_id == bundle.process_id)) or 0
                definition = Definition(
                    process_id=bundle.process_id, version=latest + 1, name=bundle.name,
                    content_hash=bundle.content_hash,
                    specs=self.store.specs_to_json(bundle.spec, bundle.subprocess_specs),
                    files=bundle.files, forms=bundle.forms, deployed_at=now, deployed_by=actor,
                )
                uow.session.add(definition)
                uow.session.flush()
                result.append(DeployedVersion(bundle.process_id, definition.version, definition.content_hash, definition.id, True))
            for bundle in bundles:
                if is_scheduled(bundle.spec):
                    self._keep_scheduled(uow.session, bundle.process_id, actor, now)
            uow.commit()
        for version in result:
            if version.new:
                log.info("deployed %s version %s (%s)", version.process_id, version.version, version.content_hash[:12])
        return result

    def _keep_scheduled(self, session, process_id: str, actor: str, now: datetime) -> None:
        """Keep exactly one instance of a scheduled process waiting, on its latest version.

        A waiting instance has done nothing yet and holds no data, so one on an older
        version is cancelled and replaced: otherwise both versions would start at the next
        moment. It stays as a row, so instance numbers are never reused.
        """
        latest = self._latest(session, process_id)
        waiting = session.scalars(select(Instance).where(
            Instance.process_id == process_id, Instance.status == "scheduled")).all()
        if any(i.definition_id == latest.id for i in waiting):
            return
        for old in waiting:
            session.execute(delete(Timer).where(Timer.instance_id == old.id))
            old.status, old.state, old.completed_at, old.updated_at = "cancelled", None, now, now
        session.flush()
        if is_scheduled(self.store.specs(latest)[0]):
            self._new_instance(session, latest, {}, actor, now)
