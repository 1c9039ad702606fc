"""A partner's single sign-on settings (Partner.sso), read and checked whole.

The settings are partner-register data: which OpenID Connect provider the partner's people sign
in with, the client id ZVT has there, which claims hold the person's subject, name and e-mail,
whether the provider's roles count, and which `acr`/`amr` values mean the provider did MFA. The
client secret is never here (zvt/config.py reads it from the environment or a secrets file).
docs/sso.md explains every key with examples for Entra ID and Keycloak.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, overload
from urllib.parse import urlsplit

from .errors import EngineError
from .roles import ROLES

DEFAULT_SCOPES = "openid profile email"
KEYS = frozenset({"issuer", "client_id", "scopes", "claims", "partner_claim", "link_by_email", "roles_from_idp",
                  "roles_claim", "role_map", "mfa", "acr_values"})
CLAIM_KEYS = frozenset({"subject", "name", "email"})
MFA_KEYS = frozenset({"acr", "amr"})


class SsoSettingsInvalid(EngineError):
    """The partner's single sign-on settings are not usable; the message says which key and why."""


@dataclass(frozen=True)
class SsoSettings:
    issuer: str
    client_id: str
    scopes: str = DEFAULT_SCOPES
    subject_claim: str = "sub"
    name_claim: str | None = "name"
    email_claim: str | None = "email"
    # {"claim": "organisation", "value": "woonfriesland"}: a provider shared by several
    # organisations; the token must name this partner, else the person's partner is unknown.
    partner_claim: tuple[str, str] | None = None
    # A first login may link to the partner's account with the same, verified, e-mail address.
    link_by_email: bool = False
    # Roles are granted in ZVT unless this is on: then the provider's roles (mapped) count.
    roles_from_idp: bool = False
    roles_claim: str | None = None
    role_map: Mapping[str, str] = field(default_factory=dict)
    mfa_acr: frozenset[str] = frozenset()
    mfa_amr: frozenset[str] = frozenset()
    acr_values: str | None = None

    @property
    def discovery_url(self) -> str:
        """OpenID Connect Discovery: the provider's metadata, under its issuer."""
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def shows_mfa(self, claims: Mapping) -> bool:
        """Whether the id_token says the provider checked a second factor: its `acr` is one of
        the MFA values, or its `amr` holds one of them."""
        acr = claims.get("acr")
        if isinstance(acr, str) and acr in self.mfa_acr:
            return True
        amr = claims.get("amr")
        return isinstance(amr, list) and any(isinstance(value, str) and value in self.mfa_amr for value in amr)

    def roles_in(self, claims: Mapping) -> set[str]:
        """The ZVT roles the provider's roles claim maps to (values not in the map count for nothing)."""
        values = claims.get(self.roles_claim) if self.roles_claim else None
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list):
            return set()
        return {self.role_map[value] for value in values if isinstance(value, str) and value in self.role_map}


def parse(data: Mapping | None) -> SsoSettings | None:
    """The settings in `data` (a partner's `sso` column), or None when the partner has none.
    Raises SsoSettingsInvalid naming the first problem."""
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise SsoSettingsInvalid("the settings must be a JSON object")
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise SsoSettingsInvalid(f"unknown key {unknown[0]!r}; known keys: {', '.join(sorted(KEYS))}")
    issuer = _text(data, "issuer", required=True)
    parts = urlsplit(issuer)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise SsoSettingsInvalid(f"issuer must be the provider's issuer URL (https://...), not {issuer!r}")
    scopes = _text(data, "scopes") or DEFAULT_SCOPES
    if "openid" not in scopes.split():
        raise SsoSettingsInvalid("scopes must include 'openid'")
    claims = data.get("claims") or {}
    if not isinstance(claims, Mapping) or set(claims) - CLAIM_KEYS:
        raise SsoSettingsInvalid(f"claims must be an object with the keys {', '.join(sorted(CLAIM_KEYS))}")
    subject = _text(claims, "subject", prefix="claims.") or "sub"
    partner_claim = data.get("partner_claim")
    if partner_claim is not None:
        if not isinstance(partner_claim, Mapping) or set(partner_claim) != {"claim", "value"}:
            raise SsoSettingsInvalid('partner_claim must be an object {"claim": ..., "value": ...}')
        partner_claim = (_text(partner_claim, "claim", required=True, prefix="partner_claim."),
                         _text(partner_claim, "value", required=True, prefix="partner_claim."))
    roles_from_idp = _flag(data, "roles_from_idp")
    roles_claim = _text(data, "roles_claim")
    role_map = data.get("role_map") or {}
    if not isinstance(role_map, Mapping) or not all(isinstance(k, str) and isinstance(v, str)
                                                    for k, v in role_map.items()):
        raise SsoSettingsInvalid("role_map must be an object from the provider's role values to ZVT roles")
    wrong = sorted(set(role_map.values()) - ROLES)
    if wrong:
        raise SsoSettingsInvalid(f"role_map names {wrong[0]!r}, which is no ZVT role; the roles: "
                                 f"{', '.join(sorted(ROLES))}")
    if roles_from_idp and not (roles_claim and role_map):
        raise SsoSettingsInvalid("roles_from_idp needs roles_claim and role_map")
    mfa = data.get("mfa") or {}
    if not isinstance(mfa, Mapping) or set(mfa) - MFA_KEYS or not all(
            isinstance(values, list) and all(isinstance(v, str) and v for v in values) for values in mfa.values()):
        raise SsoSettingsInvalid('mfa must be an object {"acr": [...], "amr": [...]} of strings')
    return SsoSettings(
        issuer=issuer,  # exactly as the provider writes it in `iss`: a trailing slash counts
        client_id=_text(data, "client_id", required=True),
        scopes=scopes,
        subject_claim=subject,
        name_claim=_text(claims, "name", prefix="claims.") or ("name" if "name" not in claims else None),
        email_claim=_text(claims, "email", prefix="claims.") or ("email" if "email" not in claims else None),
        partner_claim=partner_claim,
        link_by_email=_flag(data, "link_by_email"),
        roles_from_idp=roles_from_idp,
        roles_claim=roles_claim,
        role_map=dict(role_map),
        mfa_acr=frozenset(mfa.get("acr", ())),
        mfa_amr=frozenset(mfa.get("amr", ())),
        acr_values=_text(data, "acr_values"),
    )


@overload
def _text(data: Mapping, key: str, *, required: Literal[True], prefix: str = "") -> str: ...
@overload
def _text(data: Mapping, key: str, *, required: bool = False, prefix: str = "") -> str | None: ...
def _text(data: Mapping, key: str, *, required: bool = False, prefix: str = "") -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 500:
        raise SsoSettingsInvalid(f"{prefix}{key} must be a non-empty text of at most 500 characters")
    return value.strip()


def _flag(data: Mapping, key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise SsoSettingsInvalid(f"{key} must be true or false")
    return value
