"""The roles of DOMAIN.md. A user task's lane must have one of these as its role (`zvt:rol`)."""

ROLES = frozenset({
    "procesregisseur",
    "partnermedewerker",
    "teamleider",
    "proceseigenaar",
    "fg",
    "beheerder",
    "manager",
})
