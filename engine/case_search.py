"""The search keys a case keeps beside its data, so Casussen can search and page in SQL.

A case's person is named by the fields its process version's forms say (`ui:persoon`,
engine/ui_schema.person_fields). The case list's search by name matches a part of that name
whatever the capitals and the spaces (`name_key`: spaces collapsed, casefolded; engine/caselist.py
name_matches is `query in name_key(name)`), and its search by date of birth the ISO date as the
form stored it. Reading those fields out of every case's JSON data at every search would parse all of
it; so the engine writes both keys into `instances.search_name` and `instances.search_birth` at every
save of a case (engine/steps.py), and clears them when the case's data is destroyed
(engine/retention.py). They hold the same personal data as the case's data, and go with it.
"""
from __future__ import annotations

from sqlalchemy import select

from .db import Definition
from .ui_schema import person_fields

# (definition id, content hash) -> its person fields. A definition never changes once deployed;
# the hash keeps another database's definition with the same id apart.
_PERSON_FIELDS: dict[tuple[int, str], tuple[str | None, str | None]] = {}


def person_fields_of(session, keys: set[tuple[int, str]]) -> dict[tuple[int, str], tuple[str | None, str | None]]:
    """(name field, date-of-birth field) per (definition id, content hash)."""
    missing = {key for key in keys if key not in _PERSON_FIELDS}
    if missing:
        query = select(Definition.id, Definition.content_hash, Definition.process_id, Definition.forms).where(
            Definition.id.in_({definition for definition, _ in missing}))
        for definition, content, process_id, forms in session.execute(query):
            _PERSON_FIELDS[(definition, content)] = person_fields(forms or {}, process_id)
    return {key: _PERSON_FIELDS.get(key, (None, None)) for key in keys}


def name_key(name: str) -> str:
    """A name as the search matches it: spaces collapsed, casefolded."""
    return " ".join(name.split()).casefold()


def keys(fields: tuple[str | None, str | None], data: dict | None) -> tuple[str | None, str | None]:
    """(search_name, search_birth) of a case with these person fields and this data."""
    data = data or {}
    name_field, birth_field = fields
    name = data.get(name_field) if name_field else None
    birth = data.get(birth_field) if birth_field else None
    return (name_key(name) if isinstance(name, str) else None), (birth if isinstance(birth, str) else None)


def update(session, instance, definition: Definition | None = None) -> None:
    """Write the case's search keys from its data, by the person fields of its current version."""
    if definition is None or definition.id != instance.definition_id:
        definition = session.get(Definition, instance.definition_id)
    fields = person_fields_of(session, {(definition.id, definition.content_hash)})[(definition.id,
                                                                                    definition.content_hash)]
    instance.search_name, instance.search_birth = keys(fields, instance.data)
