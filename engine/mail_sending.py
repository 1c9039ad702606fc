"""Sending the outbox over SMTP: the scheduler calls `send_pending` every round.

Mails are written as `outbox` rows in the transaction of what caused them (engine/outbox.py for
the steps' notifications); this module only sends what is queued. Several senders may run at once
against one PostgreSQL: each claims its own rows, marks each sent in a short transaction, and a
mail the server refuses or cannot take is tried again with a growing pause until it goes out.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from sqlalchemy import case, select, update

from . import claims
from .account_mail import SECRET_LINK_KINDS
from .claims import DEFAULT_LEASE, RETRY_AFTER
from .db import OutboxMail

# The logger keeps the name it had before sending moved out of engine/outbox.py: operators'
# log filters and alerts on mail failures go on working.
log = logging.getLogger("engine.outbox")

# After the n-th failed send a mail waits RETRY_AFTER[n-1] (engine/claims.py), and the last
# pause from then on: a mail is never given up.
# From this many failures on a mail's failure is logged as an error, for the beheerder to see.
ERROR_AFTER_ATTEMPTS = 3

FOOTER = ("Dit bericht is automatisch verstuurd door ZVT. U kunt er niet op antwoorden.\n"
          "In deze e-mail staan met opzet geen gegevens over personen. Die ziet u na het inloggen.")
# A one-time link goes to people who may have no account (a contactpersoon, a gemachtigde, a new
# employee): the page behind the link shows what it is about.
LINK_FOOTER = ("Dit bericht is automatisch verstuurd door ZVT. U kunt er niet op antwoorden.\n"
               "In deze e-mail staan met opzet geen namen. Die ziet u op de pagina achter de link.")


@dataclass(frozen=True)
class MailSettings:
    """How to reach the mail server and what the links point to (zvt/config.py reads them)."""

    host: str | None  # None: nothing is sent, mails stay queued (development)
    sender: str
    base_url: str  # the web app as users reach it, without a trailing slash
    port: int = 25
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    timeout: float = 30.0  # seconds for connecting and for each SMTP command


@dataclass(frozen=True)
class _Claimed:
    id: int
    recipient: str
    subject: str
    body: str
    link: str
    created_at: datetime
    kind: str = ""


_told_no_host = False


def send_pending(database, settings: MailSettings, now: datetime, owner: str,
                 lease: timedelta = DEFAULT_LEASE, batch: int = 50) -> int:
    """Send the queued mails that are due; return how many went out.

    Several senders may run at once against one PostgreSQL: each claims a batch of unsent rows
    (FOR UPDATE SKIP LOCKED, so they never wait for each other) for `lease`, sends them and
    marks each sent in a short transaction of its own, then claims the next batch. A sender
    that dies leaves its claims to run out; then another sends those rows. A sender that has
    used half its lease stops and lets go of the rest, so nobody else sends them meanwhile.
    A failed mail waits RETRY_AFTER and is tried again, however often it takes.
    """
    global _told_no_host
    if not settings.host:
        if not _told_no_host:
            log.warning("ZVT_SMTP_HOST is not set: e-mail notifications stay queued in the outbox")
            _told_no_host = True
        return 0
    deadline = time.monotonic() + lease.total_seconds() / 2
    sent = 0
    while time.monotonic() < deadline:
        claimed = _claim(database, now, owner, lease, batch)
        if not claimed:
            break
        count, go_on = _send_batch(database, settings, claimed, now, owner, deadline)
        sent += count
        if not go_on:
            break
    return sent


def _claim(database, now: datetime, owner: str, lease: timedelta, batch: int) -> list[_Claimed]:
    with database.unit_of_work() as uow:
        ids = claims.claim(uow.session, OutboxMail, (OutboxMail.sent_at.is_(None),), (OutboxMail.id,), batch, owner,
                           now, lease)
        if not ids:
            return []
        rows = [_Claimed(*r) for r in uow.session.execute(
            select(OutboxMail.id, OutboxMail.recipient, OutboxMail.subject, OutboxMail.body, OutboxMail.link,
                   OutboxMail.created_at, OutboxMail.kind).where(OutboxMail.id.in_(ids)).order_by(OutboxMail.id))]
        uow.commit()
        return rows


def _send_batch(database, settings: MailSettings, claimed: list[_Claimed], now: datetime, owner: str,
                deadline: float) -> tuple[int, bool]:
    """Send the claimed rows over one connection; (how many were sent, whether to go on)."""
    try:
        smtp = _connect(settings)
    except (OSError, smtplib.SMTPException) as exc:
        # The server is down or refuses us: every mail of the batch waits for the next try.
        for row in claimed:
            _failed(database, row, exc, now, owner)
        return 0, False
    sent = 0
    try:
        for index, row in enumerate(claimed):
            if time.monotonic() >= deadline:
                _release(database, [r.id for r in claimed[index:]], owner)
                return sent, False
            try:
                message = _message(row, settings, now)
            except ValueError as exc:  # an address that cannot go in a header (a line break in it)
                _failed(database, row, exc, now, owner)
                continue
            try:
                smtp.send_message(message)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError,
                    smtplib.SMTPNotSupportedError) as exc:
                # This mail was refused; the connection is fine for the next one.
                _failed(database, row, exc, now, owner)
                continue
            except (OSError, smtplib.SMTPException) as exc:
                # The connection broke: this mail failed, the rest waits for the next round.
                _failed(database, row, exc, now, owner)
                _release(database, [r.id for r in claimed[index + 1:]], owner)
                return sent, False
            _mark_sent(database, row.id, now)
            sent += 1
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return sent, True


def _connect(settings: MailSettings) -> smtplib.SMTP:
    assert settings.host, "send_pending sends nothing without a host"
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        smtp.ehlo()
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.user:
            smtp.login(settings.user, settings.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _message(row: _Claimed, settings: MailSettings, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Date"] = format_datetime(now)
    # Stable per outbox row: should a mail ever go out twice, the copies are recognisably one.
    domain = parseaddr(settings.sender)[1].rpartition("@")[2] or "zvt.invalid"
    message["Message-ID"] = f"<outbox.{row.id}.{row.created_at:%Y%m%d%H%M%S}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    footer = LINK_FOOTER if row.kind in SECRET_LINK_KINDS else FOOTER
    message.set_content(f"{row.body}\n\n{settings.base_url}{row.link}\n\n-- \n{footer}\n")
    return message


def _mark_sent(database, mail_id: int, now: datetime) -> None:
    with database.unit_of_work() as uow:
        uow.session.execute(update(OutboxMail).where(OutboxMail.id == mail_id, OutboxMail.sent_at.is_(None)).values(
            sent_at=now, lock_owner=None, lock_expires_at=None, retry_at=None,
            # A one-time link opens something: once it is in the person's mailbox, the database
            # need not hold it, so a copy of the database or a backup opens nothing.
            link=case((OutboxMail.kind.in_(SECRET_LINK_KINDS), ""), else_=OutboxMail.link)))
        uow.commit()


def _failed(database, row: _Claimed, exc: Exception, now: datetime, owner: str) -> None:
    with database.unit_of_work() as uow:
        mail = uow.session.get(OutboxMail, row.id)
        if mail is None or mail.sent_at is not None or mail.lock_owner != owner:
            return  # our claim ran out and someone else has it now
        mail.attempts += 1
        mail.last_error = f"{type(exc).__name__}: {exc}"[:4000]
        mail.retry_at = now + RETRY_AFTER[min(mail.attempts, len(RETRY_AFTER)) - 1]
        mail.lock_owner = mail.lock_expires_at = None
        attempts, retry_at = mail.attempts, mail.retry_at
        uow.commit()
    level = logging.ERROR if attempts >= ERROR_AFTER_ATTEMPTS else logging.WARNING
    log.log(level, "mail %s (%s) could not be sent (attempt %d), again from %s: %s",
            row.id, row.subject, attempts, retry_at.isoformat(), exc)


def _release(database, ids: list[int], owner: str) -> None:
    if not ids:
        return
    with database.unit_of_work() as uow:
        claims.release(uow.session, OutboxMail, ids, owner)
        uow.commit()
