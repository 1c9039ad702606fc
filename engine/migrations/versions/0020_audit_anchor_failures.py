"""audit_anchor_failures: an anchor the scheduler could not write outside the database

The scheduler writes the heads of the logs' hash chains to an append-only file and/or syslog
(engine/anchors.py). When a write fails (the file is not writable, syslog does not answer) the
verification still counts, and this table keeps one open incident per place for the beheerder's
Incidenten page until a write there succeeds again. No person's data: the place, since when,
and the kind of error.

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'audit_anchor_failures',
        sa.Column('target', sa.String(length=20), nullable=False),
        sa.Column('failed_since', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_failed_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('problem', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('target', name=op.f('pk_audit_anchor_failures')),
    )


def downgrade() -> None:
    op.drop_table('audit_anchor_failures')
