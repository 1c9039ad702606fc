"""The roles of DOMAIN.md. A user task's lane must carry one of these names exactly."""

ROLES = frozenset({
    "procesregisseur",
    "partnermedewerker",
    "teamleider",
    "proceseigenaar",
    "fg",
    "beheerder",
    "manager",
})
