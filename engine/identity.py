"""Who is asking: the engine's policy and access log take this, never a Flask object."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    partner: str  # partner code, such as "politie"
    roles: frozenset[str]
    # The user's partner directs the team (Partner.directs, the register's regie): its procesregisseur
    # directs every case. Set where a User is built from an account (engine/accounts.py user_of).
    directs: bool = False

    def has(self, role: str) -> bool:
        return role in self.roles


@dataclass(frozen=True)
class Origin:
    """Where a request came from, for the access log (NEN 7513: origin of the access)."""

    ip: str
    device: str = ""  # the user agent, shortened
