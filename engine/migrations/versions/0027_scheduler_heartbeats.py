"""scheduler_heartbeats, and an index on the timers' open incidents

The scheduler runs in its own process, often on another host than the web app, so what the web
app's /ready and /metrics say about it has to come through the database: each scheduler keeps one
row with when it was last seen and what its rounds did (engine/heartbeat.py). Host, process id and
counts only. The partial index lets /metrics count the open incidents at every scrape without
reading every waiting timer.

Revision ID: 0027
Revises: 0026
"""
import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'scheduler_heartbeats',
        sa.Column('owner', sa.String(length=255), nullable=False),
        sa.Column('interval_seconds', sa.Integer(), nullable=False),
        sa.Column('started_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('seen_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('round_finished_at', engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_round_seconds', sa.Float(), nullable=True),
        sa.Column('rounds', sa.Integer(), nullable=False),
        sa.Column('rounds_failed', sa.Integer(), nullable=False),
        sa.Column('timers_fired', sa.Integer(), nullable=False),
        sa.Column('timers_failed', sa.Integer(), nullable=False),
        sa.Column('mails_sent', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('owner', name=op.f('pk_scheduler_heartbeats')),
    )
    op.create_index('ix_timers_incident', 'timers', ['incident_at'],
                    postgresql_where=sa.text('incident_at IS NOT NULL'), sqlite_where=sa.text('incident_at IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_timers_incident', table_name='timers')
    op.drop_table('scheduler_heartbeats')
