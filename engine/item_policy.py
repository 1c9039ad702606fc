"""Need to know per data item: who may read an item a partner brought into a case, and with whom
it may be shared. Deny by default; the facts (kinds of data, police partners, professional
secrecy) come from engine/gegevensdeling.json.

Rules (convenant: Politiegegevens, Gegevensdeling; DOMAIN.md "Police data"), for a reader who
may open the case at all (engine/policy.py decides that first):

- The organisation that brought the item in always reads it.
- Police items (Wpg art. 8/13 and art. 9): the police always. Art. 9 items stay hidden from
  everyone else, the procesregisseur too, until the consent of the designated police or OM
  officer is recorded. An ad-hoc partner never reads a police item unless the police decided
  so for that item, recorded.
- The municipality's procesregisseur, who directs the case and prepares the privacy check,
  reads every other item.
- Anyone else: only when the item is shared with their organisation (a privacy check decided
  it, with a reason) and not withdrawn since.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .identity import User
from .policy import Decision, directs_cases

RULES_FILE = Path(__file__).with_name("gegevensdeling.json")


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    explanation: str
    police: bool = False
    wpg_article: str | None = None
    needs_consent: bool = False


@dataclass(frozen=True)
class SharingRules:
    """engine/gegevensdeling.json, read."""

    kinds: dict[str, Kind]
    police_partners: frozenset[str]
    wpg_notice: str
    secrecy_partners: frozenset[str]
    secrecy_bases: dict[str, tuple[str, bool]]  # code -> (label, whether a weighing must be written)
    purposes: dict[str, str]
    # Purposes that may share before the betrokkene is informed (the crisis; engine/informing.py).
    before_informing: frozenset[str] = frozenset()

    def kind(self, code: str) -> Kind:
        return self.kinds[code]

    def kinds_for(self, partner: str) -> list[Kind]:
        """The kinds a partner's employee may choose: police kinds only for the police."""
        return [k for k in self.kinds.values() if not k.police or partner in self.police_partners]


@cache
def rules(path: Path = RULES_FILE) -> SharingRules:
    raw = json.loads(path.read_text(encoding="utf-8"))
    try:
        kinds = {k["code"]: Kind(k["code"], k["label"], k["uitleg"], bool(k.get("politie")), k.get("wpg_artikel"),
                                 bool(k.get("toestemming_nodig"))) for k in raw["soorten"]}
        result = SharingRules(
            kinds, frozenset(raw["politie_partners"]), raw["wpg_geheimhouding"], frozenset(raw["beroepsgeheim_partners"]),
            {b["code"]: (b["label"], bool(b.get("afweging_nodig"))) for b in raw["beroepsgeheim_gronden"]},
            {d["code"]: d["label"] for d in raw["doelen"]},
            frozenset(d["code"] for d in raw["doelen"] if d.get("voor_informeren") is True))
    except (KeyError, TypeError) as exc:
        raise ValueError(f"{path.name}: missing or malformed entry {exc}") from None
    if any(k.police and not k.wpg_article for k in kinds.values()):
        raise ValueError(f"{path.name}: every police kind needs its wpg_artikel")
    return result


@dataclass(frozen=True)
class ItemFacts:
    """What the rules need to know of one item."""

    source_partner: str
    classification: str
    consent_recorded: bool
    adhoc_allowed: bool
    shared_with: frozenset[str]


def may_read_item(user: User, item: ItemFacts, adhoc_partners: frozenset[str],
                  sharing: SharingRules | None = None) -> Decision:
    sharing = sharing or rules()
    kind = sharing.kinds.get(item.classification)
    if kind is None:
        return Decision(False, "unknown kind of data")
    if user.partner == item.source_partner:
        return Decision(True, "the organisation brought the item in")
    if kind.police:
        if user.partner in sharing.police_partners:
            return Decision(True, "police read police data")
        if kind.needs_consent and not item.consent_recorded:
            return Decision(False, "Wpg art. 9 data without the designated officer's consent")
        if user.partner in adhoc_partners and not item.adhoc_allowed:
            return Decision(False, "police data and an ad-hoc partner the police did not allow")
    if directs_cases(user):
        return Decision(True, "procesregisseur directs the case")
    if user.partner in item.shared_with:
        return Decision(True, "shared with the organisation")
    return Decision(False, "not shared with the organisation")


def may_share_with(partner: str, item: ItemFacts, adhoc_partners: frozenset[str],
                   sharing: SharingRules | None = None) -> Decision:
    """Whether the item may be shared with the partner at all: the reader rules above, for a
    reader of that organisation who holds no role that reads more."""
    reader = User("", "", partner, frozenset({"partnermedewerker"}))
    decision = may_read_item(reader, ItemFacts(item.source_partner, item.classification, item.consent_recorded,
                                               item.adhoc_allowed, frozenset({partner})), adhoc_partners, sharing)
    return decision
