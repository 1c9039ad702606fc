"""Tables and database connections.

The schema itself is created by the Alembic migrations in engine/migrations; these
mapped classes must stay in step with them (a test compares the two).
"""
from __future__ import annotations

import select
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    event,
    false,
    text,
)
from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes on every backend.

    SQLite has no timezone type and hands back naive values; storing UTC and
    re-attaching the zone on the way out keeps comparisons and arithmetic right
    on both SQLite and PostgreSQL.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass a timezone-aware value")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Definition(Base):
    """One deployed version of one process, with everything needed to run it."""

    __tablename__ = "definitions"
    __table_args__ = (
        UniqueConstraint("process_id", "version"),
        UniqueConstraint("process_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(255), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(255))
    content_hash: Mapped[str] = mapped_column(String(64))
    # Serialised SpiffWorkflow specs ({"spec": ..., "subprocess_specs": ...}), stored once
    # per version so that an instance's state holds only its own tasks.
    # Deferred: every step loads its definition, but needs these only on a spec-cache miss
    # (specs) or for the diagram (files).
    specs: Mapped[str] = mapped_column(Text, deferred=True)
    files: Mapped[dict] = mapped_column(JSON, deferred=True)  # file name -> source text
    forms: Mapped[dict] = mapped_column(JSON)  # "<process_id>/<task_id>" -> JSON Schema
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deployed_by: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str | None] = mapped_column(Text)  # why this version came (a draft's deploy)


class ProcessDraft(Base):
    """A changed version of a process, uploaded to be checked and deployed (engine/process_drafts.py)."""

    __tablename__ = "process_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(255), index=True)
    base_version: Mapped[int | None] = mapped_column(Integer)  # the latest version when it was uploaded
    files: Mapped[dict] = mapped_column(JSON)  # "processes/<file>" or "forms/<process_id>/<file>" -> text
    uploaded_by: Mapped[str] = mapped_column(String(255))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Instance(Base):
    __tablename__ = "instances"
    # A scheduled process has exactly one instance waiting for its start timer; the database
    # enforces it, so two deploys or two schedulers racing can never start it twice.
    # Casussen pages the running (or closed) cases newest first (on PostgreSQL from the index alone:
    # it holds what need to know reads besides the open tasks, engine/case_visibility.py), and
    # searches by name (a trigram index on PostgreSQL: any part of a name) or by date of birth
    # (engine/caselist.py).
    __table_args__ = (Index(
        "uq_instances_one_scheduled", "process_id", unique=True,
        postgresql_where=text("status = 'scheduled'"), sqlite_where=text("status = 'scheduled'")),
        Index("ix_instances_status_id", "status", "id", postgresql_include=["process_id", "participants"]),
        Index("ix_instances_search_name", "search_name", postgresql_using="gin",
              postgresql_ops={"search_name": "gin_trgm_ops"}),
        Index("ix_instances_search_birth", "search_birth"),
        # The running cases alone, which a search looks in unless the reader asks for closed ones
        # too: a tenth of the cases, so a tenth of the index to read.
        Index("ix_instances_search_name_running", "search_name", postgresql_using="gin",
              postgresql_ops={"search_name": "gin_trgm_ops"},
              postgresql_where=text("status = 'running'"), sqlite_where=text("status = 'running'")))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("definitions.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(255), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    # Optimistic concurrency: every save bumps it, a save based on an older revision fails.
    revision: Mapped[int] = mapped_column(Integer)
    state: Mapped[str | None] = mapped_column(Text)  # the live frontier of the workflow
    data: Mapped[dict] = mapped_column(JSON)
    # Indexed: the management information selects cases by when they started and closed.
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    started_by: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Partner codes taking part, as the policy reads them from the data at every save: the
    # inbox filters on it without loading every case's data.
    participants: Mapped[list] = mapped_column(JSON, default=list)
    # Set while the procesregisseur has paused the case's deadlines (Engine.pause_deadlines):
    # since when, by whom and why. Every pause and resume is also a history row.
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_by: Mapped[str | None] = mapped_column(String(255))
    pause_reason: Mapped[str | None] = mapped_column(Text)
    # Retention (engine/retention.py): when a closed case's personal data goes, set at closing
    # from processes/retention.json; a legal hold (why, by whom, since when) stops it.
    destroy_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    hold_reason: Mapped[str | None] = mapped_column(Text)
    held_by: Mapped[str | None] = mapped_column(String(255))
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The person's name as the search matches it, and the date of birth as stored
    # (engine/case_search.py): written at every save, cleared with the data.
    search_name: Mapped[str | None] = mapped_column(Text)
    search_birth: Mapped[str | None] = mapped_column(Text)

    __mapper_args__ = {"version_id_col": revision}


class HumanTask(Base):
    """An open user task, kept in step with the workflow so an inbox is one query."""

    __tablename__ = "human_tasks"
    __table_args__ = (Index(None, "lane", "assignee"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # SpiffWorkflow task id
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(255))
    bpmn_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    lane: Mapped[str | None] = mapped_column(String(255))
    # The partner whose staff alone may do the task (its lane's `zvt:partner`), or None for any
    # partner taking part. Several partners' people share a role; a datalek's duties are its breached
    # partner's own.
    partner: Mapped[str | None] = mapped_column(String(64))
    form: Mapped[str | None] = mapped_column(String(511))
    assignee: Mapped[str | None] = mapped_column(String(255), index=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Timer(Base):
    """A waiting timer event of a workflow, mirrored so the scheduler can find due ones."""

    __tablename__ = "timers"
    # The open incidents, which /metrics counts at every scrape (engine/monitoring.py): few rows.
    __table_args__ = (Index("ix_timers_incident", "incident_at", postgresql_where=text("incident_at IS NOT NULL"),
                            sqlite_where=text("incident_at IS NOT NULL")),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # SpiffWorkflow task id
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    bpmn_id: Mapped[str] = mapped_column(String(255))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # A scheduler claims a due timer for a while (its lease); when it dies, the claim runs out
    # and another scheduler fires the timer.
    lock_owner: Mapped[str | None] = mapped_column(String(255))
    lock_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # failed firings since the last success
    last_error: Mapped[str | None] = mapped_column(Text)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # after a failure: not before then
    incident_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # out of attempts: a person must look


class HistoryEntry(Base):
    """A finished task, written when it finishes; the live workflow forgets it."""

    __tablename__ = "history"
    # The management information selects finished user tasks by period (engine/management_info.py).
    __table_args__ = (Index(None, "task_type", "finished_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36), index=True)
    process_id: Mapped[str] = mapped_column(String(255))
    bpmn_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    task_type: Mapped[str] = mapped_column(String(64))
    lane: Mapped[str | None] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(255))
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # What a person entered to finish it (a form, the start data); the live task data is
    # overwritten by the next round of a loop, this keeps every zorgoverleg's record.
    data: Mapped[dict | None] = mapped_column(JSON)
    # The SHA-256 of `data` when it was written (engine/chain.py): the chain covers this digest,
    # so destroying the data at its retention date leaves the chain whole and provable.
    data_digest: Mapped[str | None] = mapped_column(String(64))
    # The keyed hash chain (engine/chain.py), filled in when the row is written.
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # A user task: when it opened and when it was due (its human_tasks row, deleted as it finished),
    # for the lead times and deadlines of the management information. None for other elements,
    # a task without a due moment, and rows from before schema revision 0028.
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Partner(Base):
    """A convenantpartner, or an ad-hoc partner admitted for one case."""

    __tablename__ = "partners"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # a code such as "politie"
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(20))  # "convenant" or "adhoc"
    grondslag: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean)
    # The contact register (convenant, Datalekken: "De contactgegevens ..."): how to reach the
    # partner's FG or privacy desk ("fg") and its person responsible for a breach ("verantwoordelijke"),
    # each one line of text: {"fg": "...", "verantwoordelijke": "..."}. Functional addresses, not people.
    contacts: Mapped[dict | None] = mapped_column(JSON)
    # The partner register (issue 14): the day the partner joined (signed the covenant, or was
    # admitted for a case) and the first day it no longer takes part (ISO dates, Europe/Amsterdam;
    # None: not set / still taking part). From `left_on` on, its accounts can no longer be used.
    joined_on: Mapped[str | None] = mapped_column(String(10))
    left_on: Mapped[str | None] = mapped_column(String(10))
    # The partner that directs the team (regie): its procesregisseur directs every case and it
    # answers every rights request (covenant). One partner, the municipality; read, never coded.
    directs: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Who asks for the partner's accounts (contactpersoon) and who authorises them and reviews
    # the partner's access rights (gemachtigde, the covenant's "geautoriseerde functionaris"):
    # a name and an e-mail address each, reached by one-time links.
    contact_name: Mapped[str | None] = mapped_column(String(255))
    contact_email: Mapped[str | None] = mapped_column(String(255))
    officer_name: Mapped[str | None] = mapped_column(String(255))
    officer_email: Mapped[str | None] = mapped_column(String(255))
    # Single sign-on: the partner's OpenID Connect provider, client id, claim mapping and MFA rule
    # (engine/sso.py parses it; docs/sso.md); None: its people sign in with a local account only.
    # Never the client secret: that comes from the environment or a secrets file (zvt/config.py).
    sso: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))


class Account(Base):
    """A personal account: one person, one partner, one or more roles; never shared."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("external_issuer", "external_subject", name="uq_accounts_external_subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(255), unique=True)
    display_name: Mapped[str] = mapped_column(String(255))
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"), index=True)
    roles: Mapped[list] = mapped_column(JSON)
    password_hash: Mapped[str] = mapped_column(String(255))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The TOTP time step (Unix time // 30) of the last code accepted: a code is refused
    # unless it is from a later step, so a code seen over a shoulder cannot be used again.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # Raised by logging out: a browser session remembers the value it signed in with and
    # stops working once they differ, so a copied session cookie dies with the logout.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    active: Mapped[bool] = mapped_column(Boolean)
    # A demonstration account (`zvt demo-data`): never usable in production.
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Where notifications go (engine/outbox.py); an account without one gets none.
    email: Mapped[str | None] = mapped_column(String(255))
    # Why and when the account was switched off (engine/account_state.py REASONS); None while active.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deactivated_reason: Mapped[str | None] = mapped_column(String(40))
    # Single sign-on: the person at their organisation's OpenID Connect provider, as the issuer
    # and the subject claim the partner's settings name (engine/sso.py); None: not linked.
    external_issuer: Mapped[str | None] = mapped_column(String(500))
    external_subject: Mapped[str | None] = mapped_column(String(255))


class AccountEvent(Base):
    """What happened to an account and who did it: requested, approved, a role granted or
    withdrawn, switched off, a reset sent (engine/account_state.py). Never deleted with the account's
    use: the covenant asks for formal registration and deregistration, and this is the record."""

    __tablename__ = "account_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A username, or who acted outside an account: "gemachtigde:<partner>", "systeem".
    actor: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict | None] = mapped_column(JSON)


class AccountRequest(Base):
    """A request for a new account, an extra role or an account switched back on
    (engine/account_requests.py), and the answer of the partner's gemachtigde: who asked, who
    decided (name and address from the register at that moment), when, and why a refusal."""

    __tablename__ = "account_requests"
    __table_args__ = (Index("ix_account_requests_partner_status", "partner_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "nieuw", "rol", "heractiveren"
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))  # set once there is one
    username: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(255))
    function: Mapped[str] = mapped_column(String(255))  # the person's job, as the requester wrote it
    roles: Mapped[list] = mapped_column(JSON)  # the roles asked for (kind "rol": the ones to add)
    reason: Mapped[str] = mapped_column(Text)
    # A username, or "contactpersoon:<partner>" for a request through the contactpersoon's link.
    requested_by: Mapped[str] = mapped_column(String(255))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20))  # "open", "goedgekeurd", "geweigerd"
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(255))  # account_state.officer_actor(partner)
    officer_name: Mapped[str | None] = mapped_column(String(255))
    officer_email: Mapped[str | None] = mapped_column(String(255))
    refusal_reason: Mapped[str | None] = mapped_column(Text)


class OneTimeLink(Base):
    """A link sent by e-mail that works once and until it expires (engine/one_time_links.py): an
    account request, an approval, a password or two-factor reset. Only the token's SHA-256 is kept,
    so a copy of the database opens nothing."""

    __tablename__ = "one_time_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(40))
    subject: Mapped[dict] = mapped_column(JSON)  # what the link is about: {"account": 12}, {"partner": "elkien"}
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)



class OutboxMail(Base):
    """An e-mail notification, written in the transaction of the step that caused it and sent
    later by the scheduler (engine/outbox.py): a rolled-back step leaves none, a failing mail
    server delays it. It names a case number and a link, never a person's data."""

    __tablename__ = "outbox"
    # What the sender looks for each round: unsent rows, by when they may be tried.
    # And for the retention job, which prunes sent mails by when they were sent.
    __table_args__ = (Index(
        "ix_outbox_unsent", "retry_at", "id",
        postgresql_where=text("sent_at IS NULL"), sqlite_where=text("sent_at IS NULL")),
        Index("ix_outbox_sent_at", "sent_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # nieuwe_taak, herinnering, escalatie, terugkoppeling, anker
    recipient: Mapped[str] = mapped_column(String(255))  # one e-mail address
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    # The page the mail points to, relative to ZVT_BASE_URL ("/taken/<id>", "/casussen/<n>"):
    # joined to the base only when sent, so the engine needs no web configuration.
    link: Mapped[str] = mapped_column(String(255))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # failed sends so far
    last_error: Mapped[str | None] = mapped_column(Text)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # after a failure: not before then
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A sender claims a batch for a while (its lease); when it dies, the claim runs out.
    lock_owner: Mapped[str | None] = mapped_column(String(255))
    lock_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AccessLogEntry(Base):
    """One access to a person's data (NEN 7513): append-only, each row chained to the one
    before by a keyed hash (engine/chain.py), so a changed, removed or added row shows."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    username: Mapped[str] = mapped_column(String(255), index=True)
    partner: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(255))  # the roles the user acted in, comma-separated
    on_behalf_of: Mapped[str | None] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(20))  # read, create, change, delete, print, export, search, transfer
    object_type: Mapped[str] = mapped_column(String(64))  # case, task, form, history, ...
    object_id: Mapped[str] = mapped_column(String(64))
    instance_id: Mapped[int | None] = mapped_column(Integer, index=True)  # the case: whose data it is
    origin_ip: Mapped[str] = mapped_column(String(64))
    origin_device: Mapped[str] = mapped_column(String(255))
    result: Mapped[str] = mapped_column(String(20))  # "toegestaan" or "geweigerd"
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Destruction(Base):
    """What is left of a case whose personal data was destroyed (engine/retention.py): the
    destruction record (which case, when, by which rule) and the anonymous figures the yearly
    management report counts. Never a person's data: only codes, numbers, dates and counts."""

    __tablename__ = "destructions"

    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), primary_key=True)  # the case number
    process_id: Mapped[str] = mapped_column(String(255), index=True)
    version: Mapped[int] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(String(255))  # "zvt_casus: uitkomst=afschalen: 24 months"
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    destroy_at: Mapped[datetime] = mapped_column(UTCDateTime)
    destroyed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    destroyed_by: Mapped[str] = mapped_column(String(255))  # the scheduler or `zvt retention run`
    participants: Mapped[list] = mapped_column(JSON)  # partner codes
    figures: Mapped[dict] = mapped_column(JSON)  # the rule's listed fields that hold codes or numbers
    counts: Mapped[dict] = mapped_column(JSON)  # rows wiped or removed, per table


class AuditChain(Base):
    """What the verification of one hash chain ("access_log" or "history") needs besides its rows
    (engine/audit.py): the seal over the rows from before the audit key, and the open incident
    when a scheduled verification found the chain broken."""

    __tablename__ = "audit_chains"

    chain: Mapped[str] = mapped_column(String(20), primary_key=True)
    # The last row chained with plain SHA-256 before the key (revision 0017), its hash, and the
    # HMAC of both under the key, written by `zvt db upgrade` after checking those rows.
    legacy_last_id: Mapped[int | None] = mapped_column(Integer)
    legacy_last_hash: Mapped[str | None] = mapped_column(String(64))
    seal: Mapped[str | None] = mapped_column(String(64))
    # Set by the scheduled verification when the chain is broken: the first broken row and what
    # is wrong with it, never a person's data. Cleared when a later full verification is intact.
    broken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    broken_row: Mapped[int | None] = mapped_column(Integer)
    broken_problem: Mapped[str | None] = mapped_column(Text)


class AuditAnchorFailure(Base):
    """An open incident: the scheduler could not write the chains' heads to one of the places
    outside the database (engine/anchors.py), "file" or "syslog". Removed when a write there
    succeeds again. Holds the kind of error, never a person's data."""

    __tablename__ = "audit_anchor_failures"

    target: Mapped[str] = mapped_column(String(20), primary_key=True)
    failed_since: Mapped[datetime] = mapped_column(UTCDateTime)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    problem: Mapped[str] = mapped_column(Text)


class SchedulerHeartbeat(Base):
    """One per scheduler process (`zvt scheduler`, or `zvt serve`'s thread): when it was last seen
    and what its rounds did, written by the scheduler (engine/heartbeat.py) and read by the web
    app's /ready and /metrics, which run in other processes. Host, process id and counts only."""

    __tablename__ = "scheduler_heartbeats"

    owner: Mapped[str] = mapped_column(String(255), primary_key=True)  # host:pid, as its timer claims
    interval_seconds: Mapped[int] = mapped_column(Integer)  # its time between two rounds
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)  # its heartbeat, every interval and every round
    round_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How long its last finished round took.
    last_round_seconds: Mapped[float | None] = mapped_column(Float)
    # Since it started: Prometheus counters.
    rounds: Mapped[int] = mapped_column(Integer, default=0)
    rounds_failed: Mapped[int] = mapped_column(Integer, default=0)
    timers_fired: Mapped[int] = mapped_column(Integer, default=0)
    timers_failed: Mapped[int] = mapped_column(Integer, default=0)
    mails_sent: Mapped[int] = mapped_column(Integer, default=0)


class LoginAttempt(Base):
    """Every login attempt, kept to slow down guessing across processes and hosts."""

    __tablename__ = "login_attempts"
    # The last one for the retention job's pruning (engine/retention.py), every scheduler round.
    __table_args__ = (Index(None, "username", "at"), Index(None, "origin_ip", "at"),
                      Index("ix_login_attempts_at", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(255))
    origin_ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    success: Mapped[bool] = mapped_column(Boolean)

class TaskDraft(Base):
    """What a person typed into an open task's form and did not send yet (engine/drafts.py).

    One per task and account, never shown to anyone else. The rows go with the task: deleting
    the open task's row (completed, closed by a deadline, cancelled) deletes them in the same
    transaction, by the database's ON DELETE CASCADE."""

    __tablename__ = "task_drafts"

    task_id: Mapped[str] = mapped_column(ForeignKey("human_tasks.id", ondelete="CASCADE"), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("accounts.username", ondelete="CASCADE"), primary_key=True,
                                          index=True)
    data: Mapped[dict] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)



class CaseBasis(Base):
    """A partner's grondslag for sharing data in one case, and for GGZ, VNN and the GGD how
    they break their professional secrecy (convenant: Gegevensdeling, Uitgangspunten viii):
    recorded before the partner's first data item in the case."""

    __tablename__ = "case_bases"
    __table_args__ = (UniqueConstraint("instance_id", "partner"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    partner: Mapped[str] = mapped_column(String(64))
    grondslag: Mapped[str] = mapped_column(Text)
    secrecy_basis: Mapped[str | None] = mapped_column(String(40))  # engine/gegevensdeling.json
    secrecy_weighing: Mapped[str | None] = mapped_column(Text)  # conflict van plichten: who weighed, and why
    recorded_by: Mapped[str] = mapped_column(String(255))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseItem(Base):
    """A piece of information a partner brings into a case, with where it comes from and what
    kind it is: the kind decides who may read it (engine/item_policy.py)."""

    __tablename__ = "case_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    source_partner: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    classification: Mapped[str] = mapped_column(String(20))  # engine/gegevensdeling.json "soorten"
    subject: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    # Police art. 9: the designated police or OM officer's consent, as the police recorded it.
    consent_officer: Mapped[str | None] = mapped_column(String(255))
    consent_function: Mapped[str | None] = mapped_column(String(255))
    consent_on: Mapped[str | None] = mapped_column(String(10))  # the date given, ISO
    consent_recorded_by: Mapped[str | None] = mapped_column(String(255))
    # Police items and ad-hoc partners: only when the police decided so for this item.
    adhoc_allowed_by: Mapped[str | None] = mapped_column(String(255))
    adhoc_reason: Mapped[str | None] = mapped_column(Text)


class Disclosure(Base):
    """The register of disclosures: each sharing of data items with partners, who gave what to
    whom, on which grondslag, for which purpose, when (DOMAIN: Disclosure register)."""

    __tablename__ = "disclosures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    giver_partner: Mapped[str] = mapped_column(String(64))  # whose data it is
    decided_by: Mapped[str] = mapped_column(String(255))
    recipients: Mapped[list] = mapped_column(JSON)
    items: Mapped[list] = mapped_column(JSON)
    grondslag: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(String(40))


class ItemShare(Base):
    """One data item shared with one partner, with the reason that partner needs it; withdrawn
    when a later privacy check decides the partner no longer does."""

    __tablename__ = "item_shares"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("case_items.id"), index=True)
    partner: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosures.id"))
    shared_by: Mapped[str] = mapped_column(String(255))
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_by: Mapped[str | None] = mapped_column(String(255))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CaseParticipation(Base):
    """A change in who takes part in a case outside its forms: a partner opts out (and stays out
    until it opts back in), or the procesregisseur admits an ad-hoc partner that signed the
    covenant's declaration for this case, and records when the betrokkene heard of it
    (engine/participation.py). Rows are only added."""

    __tablename__ = "case_participation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    partner: Mapped[str] = mapped_column(String(64))
    # "afgemeld", "weer_mee", "toegelaten"; or "geinformeerd": the betrokkene was told that the
    # admitted ad-hoc partner takes part (on `told_on`, how in `reason`), which changes no participation.
    change: Mapped[str] = mapped_column(String(20))
    by: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    declaration_signed_by: Mapped[str | None] = mapped_column(String(255))
    declaration_signed_on: Mapped[str | None] = mapped_column(String(10))
    declaration_document: Mapped[str | None] = mapped_column(String(255))
    told_on: Mapped[str | None] = mapped_column(String(10))  # ISO date, with "geinformeerd"


class AccessReview(Base):
    """One toegangsreview (engine/access_review.py): the lists its case generated from the
    accounts when it started, per partner, and when its deadline's lapse was applied."""

    __tablename__ = "access_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), unique=True)
    label: Mapped[str] = mapped_column(String(20))  # "2027-K1"
    kind: Mapped[str] = mapped_column(String(20))  # "volledig" or "geprivilegieerd"
    roles: Mapped[list] = mapped_column(JSON)  # the roles in scope
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the unconfirmed rights lapsed


class AccessReviewList(Base):
    """One partner's list in a review, completed by its gemachtigde through a one-time link."""

    __tablename__ = "access_review_lists"
    __table_args__ = (UniqueConstraint("review_id", "partner_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("access_reviews.id"))
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the last link mailed; None: no address
    sent_count: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the gemachtigde sent the list


class AccessReviewRight(Base):
    """One account's role on a list, and what became of it: "nog_nodig" or "vervalt" (the
    gemachtigde), "verlopen" (not confirmed by the deadline) or "behouden" (it would have been
    the last beheerder's)."""

    __tablename__ = "access_review_rights"
    __table_args__ = (UniqueConstraint("list_id", "account_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("access_review_lists.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    role: Mapped[str] = mapped_column(String(40))
    decision: Mapped[str | None] = mapped_column(String(20))
    decided_by: Mapped[str | None] = mapped_column(String(255))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiClient(Base):
    """A partner system that uses the REST API (engine/api_clients.py): its token, of which only the
    SHA-256 is kept, acts as its own service account (`account_id`), so the policy and the access
    log treat it as that account. `window_start`/`window_count`: its requests in the current
    minute, counted in the database so every worker and host shares one count (engine/api_limits.py)."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # "woonfriesland-crm"; in the access log's origin
    name: Mapped[str] = mapped_column(String(255))  # what the system is, as the beheerder named it
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(255))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    per_minute: Mapped[int] = mapped_column(Integer)  # requests allowed per minute
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


@dataclass(frozen=True)
class DatabaseLimits:
    """How long the app waits for the database before it gives up and says "try again soon".

    Without limits a worker waits for as long as the database or the network does: a lock held
    by a stuck request, or a network that silently drops packets (TCP gives up after ~15 minutes).
    `statement_timeout` bounds one statement, including its wait for a lock (PostgreSQL's
    statement_timeout; on SQLite the busy timeout, the wait for the write lock); None means no
    bound (migrations). `connect_timeout` bounds opening a connection, `network_timeout` how long
    a PostgreSQL server may be silent: unacknowledged data (tcp_user_timeout) and an idle
    connection's keepalive probes. A slow but healthy query is not silent: the server's TCP
    stack acknowledges and answers probes while it works.
    """

    statement_timeout: float | None = 10.0
    connect_timeout: int = 5
    network_timeout: int = 10


# Migrations may rewrite big tables and wait for the app's transactions: no statement bound.
# SQLite's busy timeout cannot be unbounded; five minutes is "as long as it takes" for a lock.
MIGRATION_LIMITS = DatabaseLimits(statement_timeout=None)
_SQLITE_UNBOUNDED_WAIT = 300.0


def make_sql_engine(database_url: str, limits: DatabaseLimits = DatabaseLimits()) -> SqlEngine:
    # hide_parameters: a failing statement's parameters are what a person typed; they must not
    # reach an exception message and so a log (engine/logsafe.py has the rest of that rule).
    if database_url.startswith("sqlite"):
        busy = limits.statement_timeout if limits.statement_timeout is not None else _SQLITE_UNBOUNDED_WAIT
        engine = create_engine(database_url, connect_args={"timeout": busy}, hide_parameters=True,
                               pool_timeout=busy)
        _configure_sqlite(engine)
        return engine
    engine = create_engine(database_url, connect_args=_postgres_connect_args(database_url, limits),
                           hide_parameters=True, pool_timeout=limits.statement_timeout or 30)
    _drop_closed_connections(engine)
    return engine


def _drop_closed_connections(engine: SqlEngine) -> None:
    """A pooled connection the server has closed (a restart, a failover, an idle timeout) is
    replaced when it is taken from the pool, before a statement is sent on it.

    Written here instead of SQLAlchemy's `pool_pre_ping`, which sends a statement and waits for
    its answer on every checkout: a round trip more for each transaction (a start with its first
    step has two). An idle connection has nothing
    to read, so its socket turns readable only when the server sent it something on its own, its
    goodbye (FATAL) and the closing of the socket: one poll() without waiting tells. A peer that
    vanished without a word is found by the TCP keepalives and timeouts (_postgres_connect_args),
    as it was with the ping, which would have waited for them too."""
    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, _record, _proxy):
        if dbapi_connection.closed or dbapi_connection.broken:
            raise DisconnectionError("the connection is closed")
        waiting = select.poll()
        waiting.register(dbapi_connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
        if waiting.poll(0):
            # SQLAlchemy's documented way: the pool discards it and tries another (or a new one).
            raise DisconnectionError("the server closed the connection")


def _postgres_connect_args(database_url: str, limits: DatabaseLimits) -> dict:
    """libpq's own settings (psycopg hands them over). A setting in the URL's query wins: the
    operator wrote it there on purpose."""
    network = limits.network_timeout
    args: dict[str, int | str] = {
        "connect_timeout": max(2, limits.connect_timeout),  # libpq treats less than 2 as 2
        # An idle connection (waiting for a result counts) is probed after half the network
        # timeout, then every sixth of it, three times: a dead peer is noticed after about the timeout.
        "keepalives": 1,
        "keepalives_idle": max(1, network // 2),
        "keepalives_interval": max(1, network // 6),
        "keepalives_count": 3,
        # Data we sent that is not acknowledged for this long ends the connection: this is what
        # catches a network that goes silent while a statement is sent.
        "tcp_user_timeout": network * 1000,
    }
    query = make_url(database_url).query
    args = {name: value for name, value in args.items() if name not in query}
    options = query.get("options", "")
    if limits.statement_timeout is not None and "statement_timeout" not in options:
        # Set at connection start, so it holds from the first statement on, on every connection
        # of the pool; the server cancels a statement after it and reports query_canceled.
        timeout = f"-c statement_timeout={int(limits.statement_timeout * 1000)}"
        args["options"] = f"{options} {timeout}".strip()
    return args


def _configure_sqlite(engine: SqlEngine) -> None:
    # pysqlite's own transaction handling defers BEGIN and cannot take the write lock
    # up front. We emit BEGIN ourselves (SQLAlchemy's documented recipe) so a writing
    # unit of work can say BEGIN IMMEDIATE: two writers then queue instead of both
    # reading the same revision and one failing late with "database is locked".
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted and overwritten content is zeroed, not left in free pages of the file: the
        # covenant asks that destroyed personal data cannot be recovered (engine/retention.py).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")
