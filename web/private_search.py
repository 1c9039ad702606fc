"""Searching by a person's name or date of birth without putting it in an address.

An address (URL) lands in the request log of `zvt serve` (werkzeug) or gunicorn, in web servers'
and proxies' access logs and in the browser's history, and logs never hold personal data. So a
page that searches by name or date of birth (the case list, the FG's access-log search) works
post/redirect/get:

1. its form is posted, with the CSRF token;
2. the view keeps the personal terms in the session under a random key (`redirect_with`) and
   redirects (303) to the page's own address with that key (`?zoekopdracht=...`) and the
   filters that are no personal data (a case number, a status, a date range);
3. the page reads the terms back with `recall` and searches.

The result is an ordinary GET page: its page links, reloading, the back and forward buttons and a
bookmark of the filters all work, also without JavaScript, and the address holds only the key
(a posted result page would make the back button ask to send the form again). The session is the
signed cookie (web/security.py): HttpOnly, Secure in production, sent to this site only, and
cleared at logging out, at the idle timeout and after the session's maximum hours. It keeps the
last `KEPT` searches, so going back a few searches still finds them; a key it no longer knows
(after logging in again, in another browser) gives `EXPIRED`. A term that arrives in an address
after all (typed, an old bookmark) is not searched: the page says to use its form (400).
"""
from __future__ import annotations

import secrets
from typing import Any

from flask import redirect, session, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

PARAM = "zoekopdracht"
SESSION_KEY = "zoekopdrachten"
KEPT = 10

EXPIRED = ("Deze zoekopdracht is niet meer bewaard, bijvoorbeeld omdat u opnieuw bent ingelogd. Vul uw "
           "zoekopdracht opnieuw in.")


class Expired(LookupError):
    """The address names a search the session no longer keeps."""


def redirect_with(endpoint: str, terms: dict[str, str], filters: dict[str, str]) -> Response:
    """303 to `endpoint` with `filters` in its address and the personal `terms` (those not
    empty) kept in the session under the key in the address."""
    args: dict[str, Any] = dict(filters)
    terms = {name: value for name, value in terms.items() if value}
    if terms:
        args[PARAM] = _keep(terms)
    return redirect(url_for(endpoint, **args), code=303)


def recall(args: MultiDict) -> dict[str, str]:
    """The personal terms of the search the address names ({} when it names none). Expired when
    the session no longer keeps it."""
    key = args.get(PARAM, "")
    if not key:
        return {}
    for kept_key, terms in session.get(SESSION_KEY, []):
        if secrets.compare_digest(kept_key, key):
            return dict(terms)
    raise Expired(key)


def _keep(terms: dict[str, str]) -> str:
    """The key of `terms` in the session: the same search again keeps its key (and becomes the
    newest), so its addresses in the history stay valid."""
    kept = [(key, stored) for key, stored in session.get(SESSION_KEY, []) if stored != terms]
    same = [key for key, stored in session.get(SESSION_KEY, []) if stored == terms]
    key = same[0] if same else secrets.token_urlsafe(12)
    session[SESSION_KEY] = (kept + [(key, terms)])[-KEPT:]
    return key
