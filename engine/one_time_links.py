"""Links sent by e-mail that work once and until they expire.

An account request by a partner's contactpersoon, an approval by its gemachtigde, a first password
or a reset: people who cannot (yet) sign in are reached by a link in an e-mail. The link holds a
random token (256 bits); only its SHA-256 is stored, so reading the database opens nothing. A
link is looked at (`peek`, showing the page) without being used, and used once (`redeem`, in the
transaction of what it does): of two requests racing with one token, one wins.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from .clock import aware
from .db import OneTimeLink
from .errors import EngineError


class LinkInvalid(EngineError):
    """The link is unknown, used or expired; `reason` says which ("unknown", "used", "expired")."""

    def __init__(self, reason: str):
        super().__init__(f"one-time link {reason}")
        self.reason = reason


def token_hash(token: str) -> str:
    """How a secret token is stored (one-time links, API clients' tokens): its SHA-256 only. The
    tokens are 32 random bytes, so no salt or slow hash is needed."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue(session, purpose: str, subject: dict, now: datetime, lifetime: timedelta) -> str:
    """A new link's token, stored (as its hash) in the caller's transaction."""
    token = secrets.token_urlsafe(32)
    now = aware(now)
    session.add(OneTimeLink(token_hash=token_hash(token), purpose=purpose, subject=dict(subject), created_at=now,
                            expires_at=now + lifetime))
    session.flush()
    return token


def peek(session, token: str, purpose: str, now: datetime) -> OneTimeLink:
    """The link, if it may still be used for `purpose`; else LinkInvalid. Uses nothing."""
    link = session.scalar(select(OneTimeLink).where(OneTimeLink.token_hash == token_hash(token or ""),
                                                    OneTimeLink.purpose == purpose))
    if link is None:
        raise LinkInvalid("unknown")
    if link.used_at is not None:
        raise LinkInvalid("used")
    if aware(link.expires_at) <= aware(now):
        raise LinkInvalid("expired")
    return link


def redeem(session, token: str, purpose: str, now: datetime) -> OneTimeLink:
    """Use the link once, in the caller's transaction; LinkInvalid when it cannot be (also when
    another request used it a moment ago)."""
    link = peek(session, token, purpose, now)
    won = session.execute(update(OneTimeLink).where(OneTimeLink.id == link.id, OneTimeLink.used_at.is_(None))
                          .values(used_at=aware(now))).rowcount == 1
    if not won:
        raise LinkInvalid("used")
    return link


def withdraw(session, purpose: str, subject: dict, now: datetime) -> int:
    """Make every unused link for `purpose` about exactly `subject` unusable (a new reset link
    replaces the old one); how many."""
    links = session.scalars(select(OneTimeLink).where(OneTimeLink.purpose == purpose,
                                                      OneTimeLink.used_at.is_(None))).all()
    count = 0
    for link in links:
        if link.subject == subject:
            link.used_at = aware(now)
            count += 1
    return count
