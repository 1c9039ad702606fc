"""Fill a PostgreSQL database with many cases for bench/scale.py: a few cases started and stepped
through the real engine (templates), then copied in SQL (INSERT ... SELECT over generate_series)
with invented names, dates, partners and assignees of their own.

What a copy has, as the engine would have written it: its `instances` row (the template's stored
workflow state, with the SpiffWorkflow ids of its open tasks and timers replaced by fresh ones, so
a copy can be opened and stepped like the template), its open `human_tasks` and `timers` rows, its
`history` rows (the template's, moved in time, the start event's name replaced), its search keys
(engine/case_search.py), one `access_log`
row (a procesregisseur read it), and for one case in a hundred a `case_participation` row (GGZ
Friesland opted out, and is left out of `participants`, as engine/participation.py does).

The copies' history and access-log rows are chained as the engine chains its rows (engine/chain.py),
under the key the templates were written with (the development key, which the benchmark's app runs
with: ZVT_ENV=development), so `zvt audit verify` finds both chains intact on a filled database. A
chain runs row by row, so the copies first go into temporary tables, their ids drawn from the
tables' sequences in order; then one pass per table reads them in id order (a server-side cursor),
gives each its data digest and keyed hash with engine/chain.py's functions, and COPYs them into the
table in batches (a thread sends the rows while the next are hashed). No UPDATE: the tables stay as
compact as the engine's. The pass takes about as long as `zvt audit verify` over the same rows.
The spread (invented, roughly a regional ZVT over ten years): zvt_casus cases referred by the
housing corporations, GGZ, the police and the municipality; each taken-up case has the municipality,
its referrer and 0-2 more partners; open cases wait for their beoordeling (20 %) or their
privacycheck (78 %), 2 % are complaints (klacht); 0.3 % of the open tasks are unassigned, the rest
are spread over 2,000 procesregisseurs (regisseur0001..2000), a quarter of them overdue. Closed cases
are 70 % not taken up at the beoordeling (short history) and 30 % closed after a zorgoverleg.
"""
from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import select, text

ROOT = Path(__file__).resolve().parent.parent
DIRECTING = "gemeente_heerenveen"
REGISSEURS = 2000  # accounts the open tasks are assigned to; the bench users are the first ones
UNASSIGNED_PER_MILLE = 3
CHAIN_BATCH = 20_000  # rows read, hashed and copied at a time when chaining the copies

FIRST_NAMES = ["Anna", "Bram", "Chloë", "Daan", "Eva", "Fenna", "Gert", "Hüseyin", "Iris", "Jelle", "Kees", "Lotte",
               "Mirthe", "Noah", "Otto", "Petra", "Quinten", "Roos", "Sanne", "Tjeerd", "Ula", "Vera", "Wiebe",
               "Xander", "Yara", "Zoë", "Aukje", "Bauke", "Durk", "Froukje", "Geertje", "Hylke", "Janneke",
               "Klaas", "Lieuwe", "Marit", "Nynke", "Oene", "Pier", "Rients"]
SURNAMES = ["Bakker", "Visser", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Dijk",
            "Dijkstra", "Hoekstra", "van der Meer", "Jansma", "Postma", "de Jong", "Kuipers", "Wiersma", "Bouma",
            "Sikkema", "Terpstra", "Veenstra", "Zijlstra", "Brouwer", "Smit", "Meijer", "de Haan", "Huisman",
            "Çelik", "Yılmaz", "Kooistra", "Vries", "Hofstra", "Wijnja", "Feenstra", "Haringsma", "Schaap",
            "Nauta", "de Wit", "Bergsma"]
# (partner, weight): who refers a case.
REFERRERS = [("woonfriesland", 30), ("elkien", 20), ("accolade", 10), ("ggz_friesland", 15), ("politie", 10),
             (DIRECTING, 15)]
EXTRA_PARTNERS = ["vnn", "ggz_friesland", "politie", "veiligheidsregio_fryslan", "woonfriesland"]

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _keys(names: list[str]) -> list[str]:
    """The names as the engine keeps them for the search (engine/case_search.py): casefolded per
    character, so a name made of parts has the key made of their keys."""
    from engine.case_search import name_key
    return [name_key(name) for name in names]


def _weighted(hash_sql: str, choices: list[tuple[str, int]]) -> str:
    total = sum(weight for _, weight in choices)
    parts, upto = [], 0
    for value, weight in choices:
        upto += weight
        parts.append(f"WHEN {hash_sql} % {total} < {upto} THEN '{value}'")
    return "CASE " + " ".join(parts) + " END"


# -- the templates ------------------------------------------------------------------------------

def _templates(engine) -> dict[str, int]:
    """The cases copied: started and stepped through the engine, as a caseworker would."""
    from bench.web_load import _TO_PRIVACYCHECK, _aanmelding

    def new_case(number: int) -> int:
        return engine.start("zvt_casus", _aanmelding(number), actor="bench",
                            context={"aanmelder_partner": "woonfriesland"})

    def step(case: int, bpmn_id: str, data: dict) -> None:
        [task] = [t for t in engine.ready_tasks(case) if t.bpmn_id == bpmn_id]
        engine.complete(task.id, data, actor="bench")

    found = {"open_beoordeling": new_case(1)}
    case = new_case(2)
    for bpmn_id, data in _TO_PRIVACYCHECK:
        step(case, bpmn_id, data)
    found["open_privacycheck"] = case
    case = new_case(3)
    step(case, "beoordeling", {"niveau": 3, "besluit_beoordeling": "niet_oppakken",
                               "toelichting_besluit": "Reguliere hulp loopt al via het wijkteam.",
                               "advies_alternatief": "Neem contact op met het wijkteam."})
    found["closed_short"] = case
    case = new_case(4)
    for bpmn_id, data in _TO_PRIVACYCHECK:
        step(case, bpmn_id, data)
    step(case, "privacycheck", {"uitgenodigde_partners": [DIRECTING, "woonfriesland", "ggz_friesland"],
                                "noodzaak_nagegaan": True})
    step(case, "zorgoverleg", {"datum": "2026-11-23", "betrokkene_uitgenodigd": True, "betrokkene_aanwezig": True,
                               "aanwezige_partners": [DIRECTING, "woonfriesland"], "voortgang": "Regeling getroffen.",
                               "effect": "Eerste doel gehaald.", "besluit_overleg": "afronden",
                               "afsluiten_naar_niveau": 2})
    found["closed_long"] = case
    found["open_klacht"] = engine.start("klacht", {
        "ontvangen_op": "2026-11-26T10:30:00+01:00", "vorm": "schriftelijk", "klager_naam": "Klager Bench",
        "klager_contact": "klager@voorbeeld.nl", "soort_klacht": "werkwijze",
        "omschrijving": "Er is over mij vergaderd zonder dat iemand mij heeft verteld waarom."},
        actor="bench", context={"ontvangen_door": DIRECTING, "regiepartner": DIRECTING})
    return found


# -- the copies ---------------------------------------------------------------------------------

def _copy(connection, template: int, count: int, first: datetime, last: datetime, *, name_field: str,
          vary_partners: bool) -> int:
    """`count` copies of the case `template`, started evenly from `first` to `last`; returns how many."""
    if count <= 0:
        return 0
    t = connection.execute(text("SELECT status, state, data::jsonb ? 'deelnemende_partners', started_at "
                                "FROM instances WHERE id = :id"), {"id": template}).one()
    status, state, chosen, started = t
    base = connection.execute(text("SELECT coalesce(max(id), 0) FROM instances")).scalar()
    open_ids = [r[0] for r in connection.execute(text("SELECT id FROM human_tasks WHERE instance_id = :id UNION ALL "
                                                      "SELECT id FROM timers WHERE instance_id = :id"), {"id": template})]
    state_sql = "t.state"
    for old in open_ids:
        state_sql = f"replace({state_sql}, '{old}', md5('{old}:' || c.n)::uuid::text)"
    referrer = _weighted("c.h1", REFERRERS)
    extra1 = f"(CASE WHEN c.h3 % 3 > 0 THEN ({_array(EXTRA_PARTNERS)})[1 + c.h3 % 5] END)"
    extra2 = f"(CASE WHEN c.h3 % 7 = 0 THEN ({_array(EXTRA_PARTNERS)})[1 + c.h2 % 5] END)"
    span = (last - first).total_seconds()
    connection.execute(text("DROP TABLE IF EXISTS bench_copies"))
    connection.execute(text(f"""
        CREATE TEMP TABLE bench_copies AS
        SELECT n, :base + n AS id, h1, h2, h3,
               ({_array(FIRST_NAMES)})[1 + h1 % {len(FIRST_NAMES)}] || ' ' || ({_array(SURNAMES)})[1 + h2 % {len(SURNAMES)}]
                 || '-' || ({_array(SURNAMES)})[1 + h3 % {len(SURNAMES)}] AS name,
               ({_array(_keys(FIRST_NAMES))})[1 + h1 % {len(FIRST_NAMES)}] || ' '
                 || ({_array(_keys(SURNAMES))})[1 + h2 % {len(SURNAMES)}]
                 || '-' || ({_array(_keys(SURNAMES))})[1 + h3 % {len(SURNAMES)}] AS search_name,
               to_char(date '1940-01-01' + (h2 % 25000), 'YYYY-MM-DD') AS birth,
               {referrer.replace('c.', '')} AS referrer,
               (CAST(:first AS timestamptz) + make_interval(secs => :span * n / :count)) - CAST(:started AS timestamptz)
                 AS shift
        FROM (SELECT n, abs(hashtext('a' || n)) AS h1, abs(hashtext('b' || n)) AS h2, abs(hashtext('c' || n)) AS h3
              FROM generate_series(1, :count) n) g"""),
        {"base": base, "first": first, "span": span, "count": count, "started": started})
    connection.execute(text("ALTER TABLE bench_copies ADD COLUMN partners jsonb, ADD COLUMN opted_out boolean"))
    if vary_partners:
        connection.execute(text(f"""
            UPDATE bench_copies c SET opted_out = (c.n % 100 = 7),
                   partners = (SELECT jsonb_agg(DISTINCT p) FROM unnest(ARRAY['{DIRECTING}', c.referrer,
                               {extra1}, {extra2}]) p WHERE p IS NOT NULL)"""))
    data_sql = f"t.data::jsonb || jsonb_build_object('{name_field}', c.name)"
    participants_sql = "t.participants"
    if vary_partners:
        data_sql = (f"t.data::jsonb || jsonb_build_object('{name_field}', c.name, 'betrokkene_geboortedatum', c.birth, "
                    "'aanmelder_partner', c.referrer)")
        if chosen:
            # The beoordeling chose the partners; an opted-out GGZ stays in the forms' choice, not in participants.
            data_sql += " || jsonb_build_object('deelnemende_partners', " \
                        "CASE WHEN c.opted_out THEN c.partners || CAST('[\"ggz_friesland\"]' AS jsonb) ELSE c.partners END)"
            participants_sql = "CAST(c.partners AS json)"
        else:
            participants_sql = "CAST(jsonb_build_array(c.referrer) AS json)"
    connection.execute(text(f"""
        INSERT INTO instances (id, definition_id, process_id, status, revision, state, data, started_at, started_by,
                               updated_at, completed_at, participants, destroy_at, search_name, search_birth)
        SELECT c.id, t.definition_id, t.process_id, t.status, 1, {state_sql if state else 'NULL'},
               CAST({data_sql} AS json), t.started_at + c.shift, t.started_by, t.updated_at + c.shift,
               t.completed_at + c.shift, {participants_sql}, t.destroy_at + c.shift, c.search_name,
               {'c.birth' if vary_partners else 't.search_birth'}
        FROM bench_copies c, instances t WHERE t.id = :template"""), {"template": template})
    connection.execute(text(f"""
        INSERT INTO human_tasks (id, instance_id, process_id, bpmn_id, name, lane, partner, form, assignee, due_at,
                                 created_at)
        SELECT md5(t.id || ':' || c.n)::uuid::text, c.id, t.process_id, t.bpmn_id, t.name, t.lane, t.partner, t.form,
               CASE WHEN t.lane <> 'procesregisseur' OR c.h2 % 1000 < {UNASSIGNED_PER_MILLE} THEN NULL
                    ELSE 'regisseur' || lpad((1 + c.h3 % {REGISSEURS})::text, 4, '0') END,
               now() + make_interval(days => c.h1 % 60 - 15), now() - make_interval(days => c.h2 % 30)
        FROM bench_copies c, human_tasks t WHERE t.instance_id = :template"""), {"template": template})
    connection.execute(text("""
        INSERT INTO timers (id, instance_id, bpmn_id, due_at, attempts)
        SELECT md5(t.id || ':' || c.n)::uuid::text, c.id, t.bpmn_id, now() + make_interval(days => 1 + c.h1 % 60), 0
        FROM bench_copies c, timers t WHERE t.instance_id = :template"""), {"template": template})
    connection.execute(text(f"""
        INSERT INTO bench_history (id, instance_id, task_id, process_id, bpmn_id, name, task_type, lane, state,
                                   actor, finished_at, data, data_digest, opened_at, due_at)
        SELECT nextval(pg_get_serial_sequence('history', 'id')), c.id, md5(h.task_id || ':' || c.n)::uuid::text,
               h.process_id, h.bpmn_id, h.name, h.task_type, h.lane, h.state, h.actor, h.finished_at + c.shift,
               CASE WHEN h.data::jsonb ? '{name_field}'
                    THEN CAST(h.data::jsonb || jsonb_build_object('{name_field}', c.name) AS json) ELSE h.data END,
               -- the template's digest where the data is the template's; `_chain` computes the others
               CASE WHEN h.data::jsonb ? '{name_field}' THEN NULL ELSE h.data_digest END,
               h.opened_at + c.shift, h.due_at + c.shift
        FROM bench_copies c, history h WHERE h.instance_id = :template"""), {"template": template})
    connection.execute(text("""
        INSERT INTO bench_access_log (id, at, username, partner, role, action, object_type, object_id, instance_id,
                                      origin_ip, origin_device, result)
        SELECT nextval(pg_get_serial_sequence('access_log', 'id')), t.started_at + c.shift + interval '1 hour',
               'regisseur' || lpad((1 + c.h3 % 2000)::text, 4, '0'), :directing, 'procesregisseur', 'read', 'case',
               c.id::text, c.id, '192.0.2.1', 'bench', 'toegestaan'
        FROM bench_copies c, instances t WHERE t.id = :template"""), {"template": template, "directing": DIRECTING})
    if vary_partners:
        connection.execute(text("""
            INSERT INTO case_participation (instance_id, partner, change, by, at, reason)
            SELECT c.id, 'ggz_friesland', 'afgemeld', 'medewerker_ggz', t.started_at + c.shift + interval '2 days',
                   'Geen zorgvraag bij GGZ.'
            FROM bench_copies c, instances t WHERE t.id = :template AND c.opted_out"""), {"template": template})
    connection.execute(text("SELECT setval(pg_get_serial_sequence('instances', 'id'), "
                            "(SELECT max(id) FROM instances))"))
    return count


# -- the copies' hash chains ---------------------------------------------------------------------

def _stage(connection) -> None:
    """Temporary tables that take the copies' history and access-log rows, with their ids, until
    they are chained (`_chain`); they last as long as the connection."""
    for name in ("history", "access_log"):
        connection.execute(text(f"DROP TABLE IF EXISTS bench_{name}"))
        connection.execute(text(f"CREATE TEMP TABLE bench_{name} (LIKE {name})"))
        connection.execute(text(f"ALTER TABLE bench_{name} ALTER COLUMN previous_hash DROP NOT NULL, "
                                "ALTER COLUMN hash DROP NOT NULL"))


def _chain(connection, name: str, key: bytes) -> int:
    """Chain the staged rows of `name` ("history" or "access_log") onto the table's last row in id
    order, as engine/chain.link does (a history row's data digest, then the keyed hash of its fields
    and the previous row's hash), and copy them into the table. Returns how many."""
    from psycopg.copy import QueuedLibpqWriter

    from engine import chain

    table = chain.CHAINS[name].__table__
    columns = [column.name for column in table.columns]
    previous = connection.scalar(select(table.c.hash).order_by(table.c.id.desc()).limit(1)) or chain.GENESIS
    connection.execute(text(f"ALTER TABLE bench_{name} ADD PRIMARY KEY (id)"))
    # The data as its text, written back as it is; parsed only where its digest is not the template's
    # (the name was replaced, see `_copy`), as `zvt audit verify` parses it (engine/audit.py).
    selected = ", ".join("data::text" if column == "data" else column for column in columns)
    driver = connection.connection.driver_connection
    count = 0
    with driver.cursor(name=f"bench_{name}") as staged, driver.cursor() as writer:
        staged.execute(f"SELECT {selected} FROM bench_{name} ORDER BY id")
        while batch := staged.fetchmany(CHAIN_BATCH):
            # Queued: a thread sends the rows while this one hashes the next.
            with writer.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN",
                             writer=QueuedLibpqWriter(writer)) as copy:
                for found in batch:
                    row = SimpleNamespace(**dict(zip(columns, found)))
                    if name == "history" and row.data_digest is None and row.data not in (None, "null"):
                        row.data_digest = chain.data_digest(json.loads(row.data))
                    row.previous_hash = previous
                    row.hash = previous = chain.keyed_digest(name, row, key)
                    copy.write_row([getattr(row, column) for column in columns])
            count += len(batch)
    connection.execute(text(f"DROP TABLE bench_{name}"))
    return count


def fill(url: str, closed: int, running: int, log=print) -> dict:
    """Migrate and deploy into the empty database at `url`, add the partners, then `closed` closed and
    `running` open cases. Returns the templates' case numbers and the seconds it took."""
    from engine import Engine
    from engine.db import Partner
    from engine.migrate import upgrade
    from zvt.demo import PARTNERS

    started = time.perf_counter()
    upgrade(url)
    engine = Engine(url)
    try:
        engine.deploy(ROOT / "processes", ROOT / "forms", actor="bench")
        with engine.database.unit_of_work() as uow:
            for code, name, grondslag in PARTNERS:
                uow.session.add(Partner(id=code, name=name, kind="convenant", grondslag=grondslag, active=True,
                                        directs=code == DIRECTING))
            uow.commit()
        templates = _templates(engine)
        key = engine.database.audit_key  # the one the templates' rows are chained with
    finally:
        engine.close()
    from sqlalchemy import create_engine
    sql = create_engine(url)
    now = datetime.now(timezone.utc)
    years_ago = now - timedelta(days=3650)
    short, klacht = int(closed * 0.7), running // 50
    beoordeling = (running - klacht) // 5
    plan = [("closed_short", short, years_ago, now - timedelta(days=30), "betrokkene_naam", True),
            ("closed_long", closed - short, years_ago, now - timedelta(days=30), "betrokkene_naam", True),
            ("open_privacycheck", running - klacht - beoordeling, now - timedelta(days=700), now - timedelta(days=14),
             "betrokkene_naam", True),
            ("open_klacht", klacht, now - timedelta(days=40), now - timedelta(days=2), "klager_naam", False),
            ("open_beoordeling", beoordeling, now - timedelta(days=14), now, "betrokkene_naam", True)]
    try:
        with sql.connect() as connection:
            connection.execute(text("SET synchronous_commit = off"))
            _stage(connection)
            for template, count, first, last, name_field, vary in plan:
                begun = time.perf_counter()
                _copy(connection, templates[template], count, first, last, name_field=name_field, vary_partners=vary)
                connection.commit()
                log(f"  {count:>9,} copies of {template} ({time.perf_counter() - begun:.0f} s)")
            begun = time.perf_counter()
            chained = {name: _chain(connection, name, key) for name in ("history", "access_log")}
            connection.commit()
            seconds = time.perf_counter() - begun
            log(f"  {sum(chained.values()):>9,} rows chained: {chained['history']:,} history, "
                f"{chained['access_log']:,} access log ({seconds:.0f} s, "
                f"{sum(chained.values()) / max(seconds, 1e-9):,.0f} rows/s)")
        with sql.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    finally:
        sql.dispose()
    return {"templates": templates, "seconds": time.perf_counter() - started}


def database_size(url: str) -> int:
    from sqlalchemy import create_engine
    sql = create_engine(url)
    try:
        with sql.connect() as connection:
            return int(connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
    finally:
        sql.dispose()
