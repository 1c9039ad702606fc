"""keyed hash chains: history chained like the access log, and audit_chains

From this revision on, rows of `access_log` and `history` are chained with HMAC-SHA256 under
ZVT_AUDIT_KEY (engine/chain.py). The rows already there keep what they have: access-log rows
their plain SHA-256 chain, and history rows, which had no chain, get one here, with plain
SHA-256 (a migration has no key). `audit_chains` records the last of these rows per chain;
`zvt db upgrade` then checks them and seals that row with the key (engine/audit.py), so a
plain SHA-256 row after it is recognised as written without the key.

Revision ID: 0017
Revises: 0016
"""
from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op

import engine.db
from engine.chain import GENESIS, data_digest, plain_digest

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

_HISTORY = sa.table(
    'history', sa.column('id', sa.Integer()), sa.column('instance_id', sa.Integer()),
    sa.column('task_id', sa.String()), sa.column('process_id', sa.String()), sa.column('bpmn_id', sa.String()),
    sa.column('name', sa.String()), sa.column('task_type', sa.String()), sa.column('lane', sa.String()),
    sa.column('state', sa.String()), sa.column('actor', sa.String()),
    sa.column('finished_at', engine.db.UTCDateTime(timezone=True)), sa.column('data', sa.JSON()),
    sa.column('data_digest', sa.String()), sa.column('previous_hash', sa.String()), sa.column('hash', sa.String()),
)
_BATCH = 1000


def upgrade() -> None:
    op.create_table(
        'audit_chains',
        sa.Column('chain', sa.String(length=20), nullable=False),
        sa.Column('legacy_last_id', sa.Integer(), nullable=True),
        sa.Column('legacy_last_hash', sa.String(length=64), nullable=True),
        sa.Column('seal', sa.String(length=64), nullable=True),
        sa.Column('broken_at', engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('broken_row', sa.Integer(), nullable=True),
        sa.Column('broken_problem', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('chain', name=op.f('pk_audit_chains')),
    )
    with op.batch_alter_table('history', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_digest', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('previous_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
    connection = op.get_bind()
    last = _chain_history(connection)
    with op.batch_alter_table('history', schema=None) as batch_op:
        batch_op.alter_column('previous_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_history_hash'), ['hash'])
    chains = sa.table('audit_chains', sa.column('chain', sa.String()), sa.column('legacy_last_id', sa.Integer()),
                      sa.column('legacy_last_hash', sa.String()))
    head = connection.execute(sa.text("SELECT id, hash FROM access_log ORDER BY id DESC LIMIT 1")).first()
    rows = [{"chain": "access_log", "legacy_last_id": head.id, "legacy_last_hash": head.hash}] if head else []
    if last is not None:
        rows.append({"chain": "history", "legacy_last_id": last[0], "legacy_last_hash": last[1]})
    if rows:
        op.bulk_insert(chains, rows)


def _chain_history(connection) -> tuple[int, str] | None:
    """Chain the existing history rows in id order with plain SHA-256; the last (id, hash)."""
    previous, last, updates = GENESIS, None, []
    result = connection.execute(sa.select(_HISTORY).order_by(_HISTORY.c.id).execution_options(yield_per=_BATCH))
    for row in result:
        values = SimpleNamespace(**{**row._mapping, "previous_hash": previous, "data_digest": data_digest(row.data)})
        previous = plain_digest('history', values)
        updates.append({"row_id": row.id, "data_digest": values.data_digest, "previous_hash": values.previous_hash,
                        "hash": previous})
        last = (row.id, previous)
    for start in range(0, len(updates), _BATCH):
        connection.execute(
            _HISTORY.update().where(_HISTORY.c.id == sa.bindparam('row_id'))
            .values(data_digest=sa.bindparam('data_digest'), previous_hash=sa.bindparam('previous_hash'),
                    hash=sa.bindparam('hash')),
            updates[start:start + _BATCH])
    return last


def downgrade() -> None:
    with op.batch_alter_table('history', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_history_hash'), type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('previous_hash')
        batch_op.drop_column('data_digest')
    op.drop_table('audit_chains')
