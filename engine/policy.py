"""Need to know: who may see a case and who may do its tasks. Deny by default.

This is the one place that decides; the engine's case functions and the web views ask it,
nothing else grants access. Rules from DOMAIN.md ("Need to know") and the covenant:

- A case with a person's data is visible only to caseworkers (partnermedewerker,
  procesregisseur) of the partners that take part in it, and to the procesregisseur of the
  partner that directs the team (the municipality; Partner.directs in the register, told by
  `User.directs`), who directs every case. Proceseigenaar, beheerder and manager never see personal data through
  their role.
- Who takes part is read from the case itself: the partners chosen in the beoordeling and kept
  by the privacy check before each overleg (a partner that opted out drops out), the
  partner that reported a datalek and the partners responsible for the data, the partner that
  received a rights request or a complaint. Which data fields say so per process, and which
  processes the directing procesregisseur directs, are covenant facts in
  processes/process_rules.json (engine/process_rules.py), not code.
- A teamleider (of the directing partner) or an FG (of a partner taking part) sees a case only while
  it holds an open task in their lane: an escalation or an advice needs the case, and only for
  as long as it is open. Their role alone is no reason to read every case.
- A task whose lane is bound to one partner (`zvt:partner`, e.g. a datalek's duties go to the
  breached partner) is for that partner's staff alone, and its open lane counts only for them
  (`lane_key`): the directing partner's teamleider then does not see a breach at another partner.
- A task is for users whose role is the task's lane and who may see the case.
- Processes without citizens' data (evaluation, access review, covenant) are open to the roles
  that work in them.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import overload

from .identity import User
from .process_rules import active as rules

PERSONAL_DATA_ROLES = frozenset({"procesregisseur", "partnermedewerker", "teamleider", "fg"})
CASEWORK_ROLES = frozenset({"procesregisseur", "partnermedewerker"})


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # English, for the access log and for tests; never shown as such to users

    def __bool__(self) -> bool:
        return self.allowed


def holds_personal_data(process_id: str) -> bool:
    # Unknown processes count as holding personal data: deny by default.
    return rules().rule(process_id).personal_data


def participant_keys(process_id: str) -> frozenset[str]:
    """The data keys from which a process's cases know who takes part (need-to-know) and who hears
    back: a form editor warns before a field with such a name is removed."""
    rule = rules().rule(process_id)
    feedback = frozenset({rule.feedback[0]}) if rule.feedback else frozenset()
    return frozenset(rule.partner_fields) | frozenset(rule.partner_list_fields) | feedback


def participants(process_id: str, data: dict, directing: str | None = None) -> frozenset[str]:
    """The partner codes taking part in a case, as its data says now; `directing`: the code of the
    partner that directs the team (partner_register.directing), for processes it always takes part in."""
    rule = rules().rule(process_id)
    single = rule.partner_fields
    if rule.partner_fields_until is not None and rule.partner_fields_until in data:
        single = ()
    found: set[str] = {directing} if rule.directing_partner and directing else set()
    for key in single:
        if isinstance(data.get(key), str):
            found.add(data[key])
    for key in rule.partner_list_fields:
        value = data.get(key)
        if isinstance(value, list):
            found.update(v for v in value if isinstance(v, str))
    return frozenset(found)


def directs_cases(user: User) -> bool:
    """The procesregisseur of the directing partner: directs every case, decides the sharing."""
    return user.directs and user.has("procesregisseur")


@overload
def lane_key(lane: str, partner: str | None) -> str: ...
@overload
def lane_key(lane: None, partner: str | None) -> None: ...
def lane_key(lane: str | None, partner: str | None) -> str | None:
    """How an open task's lane counts in `open_lanes`: the role, or "role@partner" when only that
    partner's staff may do it."""
    return lane if partner is None or lane is None else f"{lane}@{partner}"


def may_view_case(user: User, process_id: str, case_participants: Iterable[str],
                  open_lanes: Iterable[str] = ()) -> Decision:
    rule = rules().rule(process_id)
    if not rule.personal_data:
        if user.roles & rule.open_to_roles:
            return Decision(True, "role works in this process")
        return Decision(False, "no role in this process")
    if not user.roles & PERSONAL_DATA_ROLES:
        return Decision(False, "role grants no access to personal data")
    if directs_cases(user) and rule.directed_by_procesregisseur:
        return Decision(True, "procesregisseur directs the case")
    taking_part = user.partner in set(case_participants)
    if taking_part and user.roles & CASEWORK_ROLES:
        return Decision(True, "organisation takes part in the case")
    open_lanes = set(open_lanes)
    if user.directs and user.has("teamleider") and "teamleider" in open_lanes:
        return Decision(True, "open escalation for the teamleider")
    if taking_part and user.has("fg") and "fg" in open_lanes:
        return Decision(True, "open task for the FG")
    if any(lane_key(role, user.partner) in open_lanes for role in user.roles & PERSONAL_DATA_ROLES):
        return Decision(True, "open task for the user's own organisation")
    if not taking_part:
        return Decision(False, "organisation does not take part in the case")
    return Decision(False, "role needs an open task in this case")


def may_do_task(user: User, lane: str | None, process_id: str, case_participants: Iterable[str],
                open_lanes: Iterable[str] = (), partner: str | None = None) -> Decision:
    if lane is None or not user.has(lane):
        return Decision(False, f"task is for role {lane}")
    if partner is not None and user.partner != partner:
        return Decision(False, f"task is for the staff of {partner}")
    return may_view_case(user, process_id, case_participants, open_lanes)


def may_pause_deadlines(user: User, process_id: str, case_participants: Iterable[str],
                        open_lanes: Iterable[str] = ()) -> Decision:
    """Pausing and resuming a case's deadlines is for the procesregisseur who directs it: only in
    the processes a procesregisseur directs (a datalek's legal hours to the AP never pause), and
    only for whoever may do the case's procesregisseur tasks (the role, the case visible)."""
    if not rules().rule(process_id).directed_by_procesregisseur:
        return Decision(False, "deadlines of this process cannot be paused")
    return may_do_task(user, "procesregisseur", process_id, case_participants, open_lanes)


def may_read_feedback(user: User, process_id: str, data: dict) -> Decision:
    """The terugkoppeling page: for the partner employees of the organisation that referred the case."""
    feedback = rules().rule(process_id).feedback
    if feedback is None:
        return Decision(False, "process reports back to nobody")
    key, roles = feedback
    if not user.roles & roles:
        return Decision(False, "role does not receive feedback")
    if not isinstance(data.get(key), str) or user.partner != data[key]:
        return Decision(False, "organisation did not refer the case")
    return Decision(True, "organisation referred the case")


def may_read_processes(user: User) -> Decision:
    """The process catalogue: the proceseigenaar changes the processes, the beheerder deploys
    them. The definitions hold no personal data, but scripts and forms are the team's own design."""
    if user.roles & {"proceseigenaar", "beheerder"}:
        return Decision(True, "role looks after the processes")
    return Decision(False, "only the proceseigenaar and the beheerder read the process catalogue")


def may_change_processes(user: User) -> Decision:
    """Uploading a changed version of a process, checking it and deploying it (a new version for
    new cases): the proceseigenaar's work, and the beheerder's, who also deploys with `zvt deploy`."""
    if user.roles & {"proceseigenaar", "beheerder"}:
        return Decision(True, "role looks after the processes")
    return Decision(False, "only the proceseigenaar and the beheerder change the processes")


def may_migrate_cases(user: User) -> Decision:
    """Moving running cases to a newer version of their process (engine/migrating.py): part of
    looking after the processes. The page shows case numbers and task names, no case data."""
    if user.roles & {"proceseigenaar", "beheerder"}:
        return Decision(True, "role looks after the processes")
    return Decision(False, "only the proceseigenaar and the beheerder move cases to another version")


def may_manage_incidents(user: User) -> Decision:
    """The beheerder looks after the scheduler's incidents. The page shows where a timer broke
    (case number, process, element, kind of error), not the case's data or the error's text,
    which a script may have filled with it; the full text is for `zvt incidents` on the server."""
    if "beheerder" in user.roles:
        return Decision(True, "beheerder manages incidents")
    return Decision(False, "only a beheerder manages incidents")


def may_manage_partners(user: User) -> Decision:
    """The partner register (/beheer/partners): codes, names, dates and how to reach a partner's
    FG, contactpersoon and gemachtigde. No case data; the beheerder manages partners (DOMAIN.md)."""
    if "beheerder" in user.roles:
        return Decision(True, "beheerder manages the partner register")
    return Decision(False, "only a beheerder manages the partner register")


def may_audit_access(user: User) -> Decision:
    """Searching the access log and the inzage-overzicht for a betrokkene: the FG's supervision
    (AVG art. 39) and rights requests. The log says who looked at whose case: nobody else reads it."""
    if "fg" in user.roles:
        return Decision(True, "the FG supervises access")
    return Decision(False, "only the FG reads the access log")


# The access-log object types that show an organisation's staff worked with a case's data: an
# allowed row of one of these makes a case one its FG supervises (`may_audit_case`). Not the FG's
# own audit work (access_log, inzage, register) nor the retention overview (legal_hold), which
# show case numbers but no case data: an FG's own look must not widen what it may look at.
# A new object type counts only once it is listed here (deny by default).
CASE_WORK_OBJECTS = frozenset({"case", "task", "draft", "caselist", "terugkoppeling", "item", "basis",
                               "participation"})


@dataclass(frozen=True)
class AuditScope:
    """What an FG reads from the access log (`audit_scope`)."""
    every_case: bool  # every row and every case's inzage-overzicht
    staff_of: str  # the FG's organisation: the rows its staff made are always in scope


def audit_scope(user: User) -> AuditScope | None:
    """The one rule for everything an FG reads from the access log: the search (/fg/toegangslog,
    by every field: name, case number, username, organisation, action, period) and the
    inzage-overzicht of a case (page and PDF). None for whoever is no FG (`may_audit_access`).

    - The directing partner's FG (the municipality, the team's coordinating party, to whom the
      betrokkene addresses every rights request; covenant, Rechten van betrokkenen): every row,
      every case.
    - Another partner's FG supervises its own organisation's processing (AVG art. 39, need to
      know): a row is in scope when its organisation's staff made it (about any case, about none,
      refused ones too), or when it is about a case the FG may audit (`may_audit_case`), whoever
      made it. The inzage-overzicht only of a case it may audit.
    """
    if not may_audit_access(user):
        return None
    return AuditScope(every_case=user.directs, staff_of=user.partner)


def may_audit_case(user: User, case_participants: Iterable[str], organisation_had_access: bool) -> Decision:
    """Whether a case is in the FG's scope (`audit_scope`): its rows, finding it by the
    betrokkene's name (which reads the case's personal data) and its inzage-overzicht. The
    directing partner's FG: every case. Another partner's FG: the cases its organisation takes part
    in now (`case_participants`) or took part in: its staff worked with the case's data
    (`organisation_had_access`: an allowed access-log row of its staff about the case whose
    object type is in `CASE_WORK_OBJECTS`)."""
    scope = audit_scope(user)
    if scope is None:
        return Decision(False, "only the FG reads the access log")
    if scope.every_case:
        return Decision(True, "the directing partner answers every rights request")
    if user.partner in set(case_participants) or organisation_had_access:
        return Decision(True, "organisation takes or took part in the case")
    return Decision(False, "organisation never took part in the case")


def may_start(user: User, process_id: str) -> Decision:
    """Who may start which process by hand (scheduled processes start themselves)."""
    if user.roles & rules().rule(process_id).starters:
        return Decision(True, "role may start this process")
    return Decision(False, "role may not start this process")


def may_manage_legal_holds(user: User) -> Decision:
    """Setting and lifting a legal hold, and the retention overview (case numbers, dates, holds;
    no case data): the procesregisseur, who directs the cases and hears of a court case, and the
    FG, who watches over retention and knows of running rights requests and complaints."""
    if user.roles & {"procesregisseur", "fg"}:
        return Decision(True, "role manages legal holds")
    return Decision(False, "only a procesregisseur or an FG sets or lifts a legal hold")


def may_manage_accounts(user: User) -> Decision:
    """Account administration (engine/account_admin.py): the accounts per partner, switching one
    off, taking a role away, reset links. Names, usernames and roles of staff; no case data."""
    if "beheerder" in user.roles:
        return Decision(True, "beheerder manages accounts")
    return Decision(False, "only a beheerder manages accounts")


def may_request_account(user: User, partner: str | None = None) -> Decision:
    """Asking for an account (the partner's gemachtigde decides): a beheerder for any partner, a
    teamleider for their own organisation's staff. `partner` None: for some partner."""
    if "beheerder" in user.roles:
        return Decision(True, "beheerder requests accounts")
    if "teamleider" in user.roles and partner in (None, user.partner):
        return Decision(True, "teamleider requests accounts for their own organisation")
    return Decision(False, "only a beheerder, or a teamleider for their own organisation, requests accounts")


def may_read_management_info(user: User) -> Decision:
    """The management information (/managementinformatie, its exports): counts and lead times
    without personal data, small numbers hidden (engine/management_report.py). For the managers of
    the partners, who evaluate the covenant, and the teamleider, who leads the team and the evaluation."""
    if user.roles & {"manager", "teamleider"}:
        return Decision(True, "role reads the management information")
    return Decision(False, "only a manager or a teamleider reads the management information")
