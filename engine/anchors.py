"""Anchors: the heads of the access log's and history's chains, written outside the database.

An anchor is one line `<time> <chain> <row id> <hash>`, written to one or both places the
database's account cannot rewrite:
- ZVT_AUDIT_ANCHOR_FILE: appended (O_APPEND, fsynced); the operator makes the file append-only,
  e.g. `chattr +a`, and owned by the account the scheduler runs as, not the database's;
- ZVT_AUDIT_ANCHOR_SYSLOG: one syslog message per anchor (logging.handlers.SysLogHandler, to a
  local socket such as /dev/log or over UDP), facility authpriv, tag `zvt-anchor`, the line as
  its text. Authpriv, because syslog daemons keep it apart by default (rsyslog and journald in
  a file or journal only root reads, such as /var/log/auth.log or /var/log/secure) and it needs
  no local rule. `zvt audit verify` cannot read syslog back: the operator exports the lines
  (`grep zvt-anchor: /var/log/auth.log`) and gives them with `--anchors FILE`; `parse_line`
  reads a syslog line from its tag on.
Once a day the latest heads also go by mail to the FG accounts (outbox kind `anker`): the same
lines, row ids and hashes only. `zvt audit verify` compares the chains with the anchors
(engine/audit.py): rows deleted after an anchored head, and a chain rewritten up to an anchor
(even by someone with the key), show.

`Watch` is the scheduler's part: every hour it verifies what was added since the last verified
head, anchors the new head and mails the FG once a day; once a day, and at start, it verifies
everything. A broken chain becomes an incident for the beheerder and an error in the log. So
does an anchor that could not be written (a file that is not writable, a syslog socket without
a daemon): the verification still counts, the place's newest heads wait in memory and go with
its next successful write, and the incident (table `audit_anchor_failures`) stays until then.
UDP has no answer: a syslog server that is down over UDP is not noticed, a local socket is.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from logging.handlers import SysLogHandler
from pathlib import Path

from sqlalchemy import select

from . import audit, chain
from .accounts import usable_accounts
from .db import Account, AuditAnchorFailure, OutboxMail
from .partner_register import day_of

log = logging.getLogger(__name__)

CHECK_EVERY = timedelta(hours=1)
FULL_CHECK_EVERY = timedelta(days=1)
MAIL_EVERY = timedelta(days=1)
MAIL_KIND = "anker"
MAIL_LINK = "/fg/toegangslog"
SYSLOG_TAG = "zvt-anchor"
SYSLOG_FACILITY = SysLogHandler.LOG_AUTHPRIV
SYSLOG_TIMEOUT = 5  # seconds a local syslog socket may keep the scheduler waiting


class AnchorFileError(ValueError):
    """A line of the anchor file is not an anchor."""


def format_line(anchor: audit.Anchor) -> str:
    at = anchor.at.isoformat(timespec="seconds") if anchor.at else "-"
    return f"{at} {anchor.chain} {anchor.row_id} {anchor.hash}"


def parse_line(line: str, where: str = "") -> audit.Anchor:
    """A line as `format_line` writes it; the time may be left out (`<chain> <row id> <hash>`).
    A line copied from syslog holds it after the tag (`<syslog's time and host> zvt-anchor: <line>`)."""
    tagged = line.partition(f"{SYSLOG_TAG}:")
    parts = (tagged[2] if tagged[1] else line).split()
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


class _Syslog(SysLogHandler):
    """Raises what went wrong instead of printing it to stderr, as logging's handlers do, so
    that the scheduler can say so and raise an incident."""

    def handleError(self, record):  # logging's name
        raise  # noqa: PLE0704 - emit calls this inside its except clause: re-raise what failed there


def send_syslog(address: str | tuple[str, int], anchors: list[audit.Anchor]) -> None:
    """One syslog message per anchor, the anchor's line as its text: `address` a local socket
    (a path such as /dev/log) or (host, port) over UDP. Raises OSError when it cannot be sent
    (a socket without a daemon behind it, a host that does not resolve)."""
    if not anchors:
        return
    handler = _Syslog(address=address, facility=SYSLOG_FACILITY)
    try:
        sock = getattr(handler, "socket", None)  # SysLogHandler's, which typeshed leaves out
        if sock is not None and sock.fileno() != -1:
            sock.settimeout(SYSLOG_TIMEOUT)
        handler.ident = f"{SYSLOG_TAG}: "
        # No closing NUL: rsyslog would write it as "#000" after the hash, and the line would no
        # longer read as an anchor; today's daemons do not need it.
        handler.append_nul = False
        for anchor in anchors:
            handler.emit(logging.makeLogRecord({"msg": format_line(anchor), "levelno": logging.INFO,
                                                "levelname": "INFO", "name": __name__}))
    finally:
        handler.close()


@dataclass(frozen=True)
class Place:
    """Where anchors are written outside the database: "file" or "syslog"."""

    target: str
    where: str  # the file's path or the syslog address, for the log
    write: Callable[[list[audit.Anchor]], None]  # raises OSError

    def __str__(self) -> str:
        return f"the anchor file {self.where}" if self.target == "file" else f"syslog at {self.where}"


def _syslog_text(address: str | tuple[str, int]) -> str:
    return address if isinstance(address, str) else f"{address[0]}:{address[1]} (UDP)"


def _why(exc: OSError) -> str:
    """The kind of error and the system's words for it, not the message (which may repeat a path)."""
    return f"{type(exc).__name__} ({exc.strerror})" if exc.strerror else type(exc).__name__


def mail_fg(session, anchors: list[audit.Anchor], now: datetime) -> int:
    """Queue the heads for every FG account with an e-mail address; how many mails."""
    accounts = session.scalars(usable_accounts(with_email=True, day=day_of(now)).order_by(Account.username))
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


@dataclass(frozen=True)
class AnchorIncident:
    target: str  # "file" or "syslog"
    failed_since: datetime
    last_failed_at: datetime
    problem: str  # English, for the operator; no person's data


def incidents(session) -> list[AnchorIncident]:
    """The places the scheduler could not write its anchors to, for the beheerder's incidents page."""
    return [AnchorIncident(f.target, f.failed_since, f.last_failed_at, f.problem)
            for f in session.scalars(select(AuditAnchorFailure).order_by(AuditAnchorFailure.target))]


def _record_writes(session, outcome: dict[str, str | None], now: datetime) -> None:
    """Open, update or close each place's incident: `outcome` maps a place written to just now
    to None (it worked) or what went wrong."""
    for target, problem in outcome.items():
        failure = session.get(AuditAnchorFailure, target)
        if problem is None:
            if failure is not None:
                session.delete(failure)
        elif failure is None:
            session.add(AuditAnchorFailure(target=target, failed_since=now, last_failed_at=now, problem=problem))
        else:
            failure.last_failed_at, failure.problem = now, problem


@dataclass
class Watch:
    """The scheduler's hourly check, with what it verified last (in memory: a scheduler that
    restarts verifies everything once more; the database cannot tell it what to skip)."""

    anchor_file: Path | None = None
    syslog: str | tuple[str, int] | None = None  # a socket path, or (host, port) over UDP
    verified: dict = field(default_factory=dict)  # chain -> (id, hash) verified intact
    unwritten: dict = field(default_factory=dict)  # place -> {chain: newest anchor not written there yet}
    last_check: datetime | None = None
    last_full: datetime | None = None

    def due(self, now: datetime) -> bool:
        return self.last_check is None or now - self.last_check >= CHECK_EVERY

    def places(self) -> list[Place]:
        found = []
        if (anchor_file := self.anchor_file) is not None:
            found.append(Place("file", str(anchor_file), lambda anchors: append(anchor_file, anchors)))
        if (syslog := self.syslog) is not None:
            found.append(Place("syslog", _syslog_text(syslog), lambda anchors: send_syslog(syslog, anchors)))
        return found

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
        written = self._anchor(fresh)
        with database.unit_of_work() as uow:
            for report in reports:
                audit.mark(uow.session, report, now)
            _record_writes(uow.session, written, now)
            heads = [audit.Anchor(now, r.chain, *r.head) for r in reports if r.intact and r.head is not None]
            if heads and not _mailed_since(uow.session, now - MAIL_EVERY):
                mail_fg(uow.session, heads, now)
            uow.commit()
        self.last_check = now
        if full:
            self.last_full = now
        return reports

    def _anchor(self, fresh: list[audit.Anchor]) -> dict[str, str | None]:
        """Write the new heads, with those an earlier write to the same place missed, to every
        place; per place written to: None, or what went wrong (also logged as an error)."""
        outcome: dict[str, str | None] = {}
        for place in self.places():
            waiting = self.unwritten.setdefault(place.target, {})
            waiting.update((anchor.chain, anchor) for anchor in fresh)  # the newest head covers the older ones
            if not waiting:
                continue
            try:
                place.write([waiting[name] for name in chain.CHAINS if name in waiting])
            except OSError as exc:
                outcome[place.target] = problem = f"could not write the anchors to {place}: {_why(exc)}"
                log.error("%s; the next check tries again", problem)
                continue
            waiting.clear()
            outcome[place.target] = None
        return outcome
