"""the hash chains' lock and head in one call on PostgreSQL

Every transaction that writes a history or access-log row takes the chains' advisory lock and then
reads the chain's last hash (engine/chain.py): two round trips to the server, one after the other,
since the head must be read after the lock is held. `zvt_chain_head(lock_key, chain)` does both in
one call. It is VOLATILE, so under READ COMMITTED its query after the lock takes a snapshot of its
own and sees the row a writer that held the lock before it committed; a single statement taking the
lock and reading the head would read with the snapshot from before it waited. SQLite has no
functions of this kind and needs none: its writers hold the database's one write lock.

Revision ID: 0031
Revises: 0030
"""
from alembic import op

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("""
        CREATE OR REPLACE FUNCTION zvt_chain_head(lock_key bigint, chain text) RETURNS text
        LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(lock_key);
            IF chain = 'history' THEN
                RETURN (SELECT hash FROM history ORDER BY id DESC LIMIT 1);
            ELSIF chain = 'access_log' THEN
                RETURN (SELECT hash FROM access_log ORDER BY id DESC LIMIT 1);
            END IF;
            RAISE EXCEPTION 'zvt_chain_head: no chain %', chain;
        END
        $$""")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS zvt_chain_head(bigint, text)")
