"""Whether the betrokkene of a zvt_casus case has heard of a recipient before that recipient is
first given the case's data items (AVG art. 14 lid 3 c: inform at the latest at the first
disclosure to another recipient). engine/sharing.py asks it for every new share.

The case's data says it (processes/zvt_casus.bpmn; docs/processen.md, "Informing deadline"):
- Informing happened when a form that records it was completed: "Betrokkene informeren",
  "Betrokkene alsnog informeren", "Betrokkene informeren over nieuwe ontvangers", or the final
  art. 41 decision "nu informeren". Each of them, and no other form, holds `datum_geinformeerd`.
- `bekende_ontvangers` are the partners the betrokkene hears of: the partners of the beoordeling
  (set as the informing step starts, and told in it), then each partner a privacy check adds,
  after "Betrokkene informeren over nieuwe ontvangers" or, under an active art. 41 decision, when
  that decision is recorded to cover it (`ontvangers_onder_art41`).
- `art41_besluit` (engine/art41.py) says whether a decision not to inform is active.

So a new share with partner P waits unless the betrokkene was informed and P is among
`bekende_ontvangers`, or an active art. 41 decision covers P (P is among `bekende_ontvangers`:
the partners at the decision and those recorded under it since). A purpose that may go first
(the crisis: "voor_informeren" in engine/gegevensdeling.json) does not wait; sharing decides that.

An ad-hoc partner is admitted on the case page, outside the privacy check's forms, so the
process never tells the betrokkene of it: it is known once the procesregisseur recorded that the
betrokkene was told, or, under an active art. 41 decision, that the decision covers it
(engine/participation.py, `record_told`: when, and how or why).

Missing keys mean a case from before these steps: without `bekende_ontvangers` the partners that
take part (`deelnemende_partners`) count as known, as the step "Nieuwe ontvangers toetsen" counts
them; without `datum_geinformeerd` informing did not happen.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .art41 import decision_of

NOT_INFORMED = "not_informed"  # the betrokkene has not been informed, and no art. 41 decision is active
NOT_TOLD = "not_told"  # informed (or art. 41), but not of this partner yet


@dataclass(frozen=True)
class Informing:
    informed: bool
    art41_active: bool
    known: frozenset[str]  # the partners the betrokkene heard of, or that the art. 41 decision covers


def of_case(data: Mapping | None, adhoc_told: frozenset[str] = frozenset()) -> Informing:
    """What the case's data says, with the ad-hoc partners the betrokkene was told of
    (engine/taking_part.py)."""
    data = data or {}
    known = data.get("bekende_ontvangers")
    if not isinstance(known, list):
        known = data.get("deelnemende_partners")
    informed = isinstance(data.get("datum_geinformeerd"), str) and bool(data["datum_geinformeerd"])
    return Informing(informed, bool(decision_of(data).get("actief")),
                     frozenset(p for p in known or [] if isinstance(p, str)) | adhoc_told)


def waits(informing: Informing, partner: str) -> str | None:
    """Why a new share with the partner must wait for informing (NOT_INFORMED, NOT_TOLD), or None."""
    if not (informing.informed or informing.art41_active):
        return NOT_INFORMED
    return None if partner in informing.known else NOT_TOLD
