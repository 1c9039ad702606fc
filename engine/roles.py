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

# Each role's name on the pages, in Dutch.
ROLE_TITLES = {"procesregisseur": "Procesregisseur", "partnermedewerker": "Partnermedewerker",
               "teamleider": "Teamleider", "proceseigenaar": "Proceseigenaar",
               "fg": "Functionaris gegevensbescherming (FG)", "beheerder": "Beheerder", "manager": "Manager"}

# Roles that can do more than work on their own cases: the beheerder manages accounts, the
# proceseigenaar changes the processes, the FG reads the access log. Granting one is mailed to the
# other beheerders, and the access review looks at these every quarter.
PRIVILEGED_ROLES = frozenset({"beheerder", "proceseigenaar", "fg"})
