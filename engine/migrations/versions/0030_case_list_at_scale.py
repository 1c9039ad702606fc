"""case list at scale: search keys, and indexes for paging, searching and need to know in SQL

Casussen with a million closed and a hundred thousand open cases (issue 15, bench/scale.py): the
list now applies the need-to-know rule and pages in SQL (engine/case_visibility.py). That needs
- `instances.search_name` and `instances.search_birth`, the search keys the engine writes at every
  save (engine/case_search.py), filled here for the cases there are;
- an index on (status, id): a page of the running cases, newest first, and their count; on
  PostgreSQL it also holds the process and the participants, so need to know is answered from the
  index alone (an index-only scan) instead of from a hundred thousand wide rows;
- on PostgreSQL, a trigram index on the name key (any part of a name), and one on the running cases
  only (what a search looks in unless the reader asks for closed cases too): the pg_trgm extension,
  which PostgreSQL 13 and later let the database's owner create. On SQLite plain indexes stand in.

Revision ID: 0030
Revises: 0029
"""
import sqlalchemy as sa
from alembic import op

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    op.add_column('instances', sa.Column('search_name', sa.Text(), nullable=True))
    op.add_column('instances', sa.Column('search_birth', sa.Text(), nullable=True))
    _fill_search_keys(op.get_bind())
    op.create_index('ix_instances_status_id', 'instances', ['status', 'id'],
                    postgresql_include=['process_id', 'participants'])
    op.create_index('ix_instances_search_birth', 'instances', ['search_birth'])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.create_index('ix_instances_search_name', 'instances', ['search_name'], postgresql_using='gin',
                        postgresql_ops={'search_name': 'gin_trgm_ops'})
        op.create_index('ix_instances_search_name_running', 'instances', ['search_name'], postgresql_using='gin',
                        postgresql_ops={'search_name': 'gin_trgm_ops'}, postgresql_where=sa.text("status = 'running'"))
    else:
        op.create_index('ix_instances_search_name', 'instances', ['search_name'])
        op.create_index('ix_instances_search_name_running', 'instances', ['search_name'],
                        sqlite_where=sa.text("status = 'running'"))


def _fill_search_keys(connection) -> None:
    from engine.case_search import keys
    from engine.ui_schema import person_fields

    definitions = sa.table('definitions', sa.column('id', sa.Integer), sa.column('process_id', sa.String),
                           sa.column('forms', sa.JSON))
    fields = {definition: person_fields(forms or {}, process_id) for definition, process_id, forms in
              connection.execute(sa.select(definitions.c.id, definitions.c.process_id, definitions.c.forms))}
    instances = sa.table('instances', sa.column('id', sa.Integer), sa.column('definition_id', sa.Integer),
                         sa.column('data', sa.JSON), sa.column('search_name', sa.Text),
                         sa.column('search_birth', sa.Text))
    last = 0
    while True:
        rows = connection.execute(sa.select(instances.c.id, instances.c.definition_id, instances.c.data)
                                  .where(instances.c.id > last).order_by(instances.c.id).limit(BATCH)).all()
        if not rows:
            return
        changes = []
        for number, definition, data in rows:
            name, birth = keys(fields.get(definition, (None, None)), data if isinstance(data, dict) else {})
            if name is not None or birth is not None:
                changes.append({'number': number, 'name': name, 'birth': birth})
        if changes:
            connection.execute(sa.update(instances).where(instances.c.id == sa.bindparam('number'))
                               .values(search_name=sa.bindparam('name'), search_birth=sa.bindparam('birth')), changes)
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_index('ix_instances_search_name_running', table_name='instances')
    op.drop_index('ix_instances_search_name', table_name='instances')
    op.drop_index('ix_instances_search_birth', table_name='instances')
    op.drop_index('ix_instances_status_id', table_name='instances')
    op.drop_column('instances', 'search_birth')
    op.drop_column('instances', 'search_name')
