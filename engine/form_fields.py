"""A new field on a task form, as the form editor adds it: six kinds in plain words, each the
JSON Schema shape the project's forms already use (processes/README.md, "Forms"), with a field
name and option codes made from the texts the proceseigenaar typed.

A field name is the key under which the answer lands in the case data, and BPMN scripts,
conditions and `termijn` expressions read it as a Python variable (engine/sandbox.py). So it must
be a readable snake_case identifier, not a Python keyword, not a name the sandbox already gives
scripts (`min`, `datetime`, `add_werkdagen`), and unique on the form. A name made from the title
also stays clear of every other name the process uses (`taken`): two forms writing the same key
overwrite each other's answers in the case. Option codes are made once, from the option texts,
and then stay: running cases and scripts compare against the code, never against the text.

Pure functions over (JSON Schema, UI schema); messages are Dutch at B1 level, for the page.
"""
from __future__ import annotations

import builtins
import copy
import keyword
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .sandbox import DEFAULT_NAMESPACES
from .termijnen import SCRIPT_HELPERS

MAX_TITLE = 200
MAX_HELP = 1000
MAX_OPTIONS = 30  # a longer list is a register, not a question; it belongs in a decision table
MAX_FIELDS = 100
MAX_NAME = 40  # long enough for three or four words, short enough to read in a script
SHORT_TEXT, LONG_TEXT = 200, 4000  # the maxLength the project's forms use for a line and for a story

# kind -> the words on the page. Keys are the form values of the editor's radio buttons.
KINDS: dict[str, str] = {
    "korte_tekst": "Korte tekst: één regel, bijvoorbeeld een naam",
    "lange_tekst": "Lange tekst: een paar zinnen of meer",
    "datum": "Datum",
    "ja_nee": "Ja of nee",
    "keuze": "Eén keuze uit een lijst",
    "meerdere_keuzes": "Meerdere keuzes uit een lijst",
}
CHOICE_KINDS = frozenset({"keuze", "meerdere_keuzes"})

# Names a script already has: a field with one of these names would hide the function.
RESERVED = frozenset(dir(builtins)) | frozenset(DEFAULT_NAMESPACES) | frozenset(SCRIPT_HELPERS)
_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
# Little words a name reads well without ("Datum van het gesprek" -> datum_gesprek); never "niet"
# or "geen", which turn the meaning around.
_FILLERS = frozenset("de het een van u uw is en of op in aan te voor met er dat die dit wordt zijn bij naar om".split())


@dataclass(frozen=True)
class NewField:
    kind: str
    title: str
    help: str = ""
    required: bool = False
    options: list[str] = field(default_factory=list)
    name: str = ""  # empty: made from the title


class FieldRefused(ValueError):
    """The new field cannot be added; `errors` maps a part (soort, titel, hulp, keuzes, naam) to a
    Dutch message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def snake_case(text: str, limit: int = MAX_NAME) -> str:
    """Readable snake_case from Dutch text: "Datum van het gesprek?" -> "datum_gesprek"; accents
    dropped (ë -> e), little words left out, whole words only up to `limit` characters."""
    text = unicodedata.normalize("NFKD", text.replace("ß", "ss").replace("ĳ", "ij"))
    words = re.findall(r"[a-z0-9]+", "".join(c for c in text if not unicodedata.combining(c)).lower())
    words = [w for w in words if w not in _FILLERS] or words
    name = ""
    for word in words:
        longer = f"{name}_{word}" if name else word
        if len(longer) > limit:
            break
        name = longer
    return name or (words[0][:limit] if words else "")


def _unique(base: str, taken: Iterable[str]) -> str:
    taken = set(taken)
    name, number = base, 2
    while name in taken:
        name, number = f"{base}_{number}", number + 1
    return name


def name_for(title: str, taken: Iterable[str]) -> str:
    """The field name made from a title: snake_case, a valid Python name that is no keyword and
    no script function, and not in `taken`."""
    base = snake_case(title) or "veld"
    if base[0].isdigit():
        base = f"veld_{base}"[:MAX_NAME].rstrip("_")
    if keyword.iskeyword(base) or keyword.issoftkeyword(base) or base in RESERVED:
        base = f"{base}_veld"
    return _unique(base, taken)


def option_codes(texts: list[str], taken: Iterable[str] = ()) -> list[str]:
    """A code per option text, in snake_case, unique in the list and not in `taken` (the codes a
    field already has or had): ["Ja, zeker", "Ja zeker!"] -> ["ja_zeker", "ja_zeker_2"]."""
    used, codes = {str(code) for code in taken}, []
    for text in texts:
        code = _unique(snake_case(text) or "keuze", used)
        used.add(code)
        codes.append(code)
    return codes


def duplicate_option(options: Iterable[str]) -> str | None:
    """The first option whose text (ignoring case) came before; None when every text is new."""
    seen: set[str] = set()
    for option in options:
        if option.casefold() in seen:
            return option
        seen.add(option.casefold())
    return None


def twice_message(option: str) -> str:
    return f"De keuze ‘{option}’ staat er twee keer in. Elke keuze mag maar één keer."


def name_problem(name: str, properties: Mapping) -> str | None:
    """Why a name typed by the proceseigenaar cannot be a field name; None when it can."""
    if not _NAME.fullmatch(name):
        return ("Gebruik alleen kleine letters, cijfers en een liggend streepje (_), en begin met een letter. "
                "Bijvoorbeeld: reden_afwijking.")
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return (f"‘{name}’ is een woord van de programmeertaal Python. Scripts in het proces kunnen het veld "
                "dan niet lezen. Kies een andere naam.")
    if name in RESERVED:
        return f"‘{name}’ is al de naam van een functie die scripts gebruiken. Kies een andere naam."
    if name in properties:
        return f"Dit formulier heeft al een veld ‘{name}’. Kies een andere naam."
    return None


def option_texts(text: str) -> list[str]:
    """The options as typed in the text area: one per line, empty lines left out."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def check(new: NewField, properties: Mapping) -> dict[str, str]:
    """What is wrong with the new field, by part; empty when it can be added."""
    errors: dict[str, str] = {}
    if new.kind not in KINDS:
        errors["soort"] = "Kies wat voor veld het is."
    title = new.title.strip()
    if not title:
        errors["titel"] = "Vul de vraag in die de medewerker ziet."
    elif len(title) > MAX_TITLE:
        errors["titel"] = f"Gebruik hoogstens {MAX_TITLE} tekens."
    if len(new.help.strip()) > MAX_HELP:
        errors["hulp"] = f"Gebruik hoogstens {MAX_HELP} tekens."
    if new.name:
        problem = name_problem(new.name, properties)
        if problem:
            errors["naam"] = problem
    if len(properties) >= MAX_FIELDS:
        errors["titel"] = f"Dit formulier heeft al {MAX_FIELDS} velden. Verdeel de vragen over meer stappen."
    if new.kind in CHOICE_KINDS:
        errors.update(_options_problem(new.options))
    return errors


def _options_problem(options: list[str]) -> dict[str, str]:
    if len(options) < 2:
        return {"keuzes": "Geef minstens 2 keuzes, elk op een eigen regel."}
    if len(options) > MAX_OPTIONS:
        return {"keuzes": f"Gebruik hoogstens {MAX_OPTIONS} keuzes. U gaf er {len(options)}."}
    too_long = next((o for o in options if len(o) > MAX_TITLE), None)
    if too_long is not None:
        return {"keuzes": f"Een keuze mag hoogstens {MAX_TITLE} tekens hebben: ‘{too_long[:40]}…’ is langer."}
    twice = duplicate_option(options)
    return {"keuzes": twice_message(twice)} if twice is not None else {}


def shape(kind: str, title: str, options: list[str]) -> dict:
    """The field's JSON Schema, as the project's forms write that kind."""
    choices = [{"const": code, "title": text} for code, text in zip(option_codes(options), options)]
    shapes: dict[str, dict] = {
        "korte_tekst": {"title": title, "type": "string", "minLength": 1, "maxLength": SHORT_TEXT},
        "lange_tekst": {"title": title, "type": "string", "minLength": 1, "maxLength": LONG_TEXT},
        "datum": {"title": title, "type": "string", "format": "date"},
        "ja_nee": {"title": title, "type": "boolean"},
        "keuze": {"title": title, "type": "string", "oneOf": choices},
        "meerdere_keuzes": {"title": title, "type": "array", "uniqueItems": True,
                            "items": {"type": "string", "oneOf": choices}},
    }
    return shapes[kind]


def add_field(given_schema: Mapping, given_ui: Mapping, new: NewField,
              taken: Iterable[str] = ()) -> tuple[dict, dict, str]:
    """(schema, UI schema, field name) with the new field last on the form. FieldRefused with every
    problem when it cannot be added; the given schemas are never changed."""
    schema, ui = copy.deepcopy(dict(given_schema)), copy.deepcopy(dict(given_ui))
    properties = schema.setdefault("properties", {})
    errors = check(new, properties)
    if errors:
        raise FieldRefused(errors)
    title = new.title.strip()
    name = new.name or name_for(title, set(taken) | set(properties))
    properties[name] = shape(new.kind, title, new.options)
    if new.required:
        schema["required"] = [*(schema.get("required") or []), name]
    if new.help.strip():
        ui[name] = {"ui:help": new.help.strip()}
    order = ui.get("ui:order")
    if isinstance(order, list) and "*" not in order:
        ui["ui:order"] = [*order, name]
    return schema, ui, name
