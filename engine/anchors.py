"""Anchors: the heads of the access log's and history's chains, written outside the database.

An anchor is one line `<time> <chain> <row id> <hash>` appended to ZVT_AUDIT_ANCHOR_FILE (opened
O_APPEND, fsynced; the operator makes the file append-only, e.g. `chattr +a`, and owned by the
account the scheduler runs as, not the database's). Once a day the latest heads also go by mail
to the FG accounts (outbox kind `anker`): the same lines, row ids and hashes only. `zvt audit
verify` compares the chains with the anchors (engine/audit.py): rows deleted after an anchored
head, and a chain rewritten up to an anchor (even by someone with the key), show.

`Watch` is the scheduler's part: every hour it verifies what was added since the last verified
head, anchors the new head and mails the FG once a day; once a day, and at start, it verifies
everything. A broken chain becomes an incident for the beheerder and an error in the log.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from . import audit, chain
from .accounts import usable_accounts
from .db import Account, OutboxMail

log = logging.getLogger(__name__)

CHECK_EVERY = timedelta(hours=1)
FULL_CHECK_EVERY = timedelta(days=1)
MAIL_EVERY = timedelta(days=1)
MAIL_KIND = "anker"
MAIL_LINK = "/fg/toegangslog"


class AnchorFileError(ValueError):
    """A line of the anchor file is not an anchor."""


def format_line(anchor: audit.Anchor) -> str:
    at = anchor.at.isoformat(timespec="seconds") if anchor.at else "-"
    return f"{at} {anchor.chain} {anchor.row_id} {anchor.hash}"


def parse_line(line: str, where: str = "") -> audit.Anchor:
    """A line as `format_line` writes it; the time may be left out (`<chain> <row id> <hash>`)."""
    parts = line.split()
    if len(parts) == 3:
        parts = ["-", *parts]
    try:
        at, name, row_id, digest = parts
        anchor = audit.Anchor(None if at == "-" else datetime.fromisoformat(at), name, int(row_id), digest)
    except ValueError:
        raise AnchorFileError(f"{where}not an anchor (expected '<time> <chain> <row id> <hash>')") from None
    if name not in chain.CHAINS or len(digest) != 64:
        raise AnchorFileError(f"{where}not an anchor (unknown chain or a hash that is not 64 characters)")
    return anchor


def read(path: Path | None) -> list[audit.Anchor]:
    if path is None or not path.exists():
        return []
    with path.open(encoding="ascii") as lines:
        return [parse_line(line, f"{path}:{number}: ") for number, line in enumerate(lines, 1) if line.strip()]


def append(path: Path, anchors: list[audit.Anchor]) -> None:
    """Append the anchors and wait until they are on disk; never rewrites what is there."""
    if not anchors:
        return
    data = "".join(format_line(anchor) + "\n" for anchor in anchors).encode("ascii")
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, data)  # one write with O_APPEND: lines of two writers never mix
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def mail_fg(session, anchors: list[audit.Anchor], now: datetime) -> int:
    """Queue the heads for every FG account with an e-mail address; how many mails."""
    accounts = session.scalars(usable_accounts(with_email=True).order_by(Account.username))
    recipients = [a for a in accounts if "fg" in (a.roles or ())]
    body = ("Dit zijn de controlegetallen van de toegangslog en de geschiedenis van ZVT op "
            f"{now:%d-%m-%Y %H:%M} (UTC). Bewaar deze e-mail. Met deze regels kan later worden aangetoond "
            "dat de logboeken tot dit moment niet zijn veranderd (zvt audit verify --anchor \"regel\"):\n\n"
            + "\n".join(format_line(anchor) for anchor in anchors))
    for account in recipients:
        session.add(OutboxMail(kind=MAIL_KIND, recipient=account.email, subject="ZVT: controlegetallen van de logboeken",
                               body=body, link=MAIL_LINK, created_at=now, attempts=0))
    return len(recipients)


def _mailed_since(session, moment: datetime) -> bool:
    return session.scalar(select(OutboxMail.id).where(OutboxMail.kind == MAIL_KIND, OutboxMail.created_at > moment)
                          .limit(1)) is not None


@dataclass
class Watch:
    """The scheduler's hourly check, with what it verified last (in memory: a scheduler that
    restarts verifies everything once more; the database cannot tell it what to skip)."""

    anchor_file: Path | None = None
    verified: dict = field(default_factory=dict)  # chain -> (id, hash) verified intact
    last_check: datetime | None = None
    last_full: datetime | None = None

    def due(self, now: datetime) -> bool:
        return self.last_check is None or now - self.last_check >= CHECK_EVERY

    def run(self, database, now: datetime) -> list[audit.Report]:
        """Verify (from the last verified head, or all of it once a day), record incidents,
        anchor the new heads and mail them to the FG once a day. The reports."""
        full = self.last_full is None or now - self.last_full >= FULL_CHECK_EVERY
        anchors = read(self.anchor_file) if full else []
        # Read in a reading transaction: on SQLite a writing one would hold the database's write
        # lock (BEGIN IMMEDIATE) for as long as a full check takes, seconds at 100,000 rows.
        with database.unit_of_work(write=False) as uow:
            reports = [audit.verify(uow.session, database.audit_key, name, anchors,
                                    None if full else self.verified.get(name)) for name in chain.CHAINS]
        fresh = []
        for report in reports:
            if not report.intact:
                self.verified.pop(report.chain, None)  # the next check reads the whole chain again
                log.error("the %s hash chain is broken at row %s: %s; run `zvt audit verify`",
                          report.chain, report.broken_row, report.problem)
                continue
            if report.head is not None and report.head != self.verified.get(report.chain):
                fresh.append(audit.Anchor(now, report.chain, *report.head))
            self.verified[report.chain] = report.head
        if self.anchor_file is not None:
            append(self.anchor_file, fresh)
        with database.unit_of_work() as uow:
            for report in reports:
                audit.mark(uow.session, report, now)
            heads = [audit.Anchor(now, r.chain, *r.head) for r in reports if r.intact and r.head is not None]
            if heads and not _mailed_since(uow.session, now - MAIL_EVERY):
                mail_fg(uow.session, heads, now)
            uow.commit()
        self.last_check = now
        if full:
            self.last_full = now
        return reports
