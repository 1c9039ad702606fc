"""account_events, one_time_links, accounts.deactivated_at/deactivated_reason

Account administration (issue 14) records who requested, approved, changed and switched off an
account, and reaches people without an account (a partner's contactpersoon and gemachtigde, an
employee setting a first password) by one-time links.

Revision ID: 0023
Revises: 0022
"""
import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('accounts') as batch:
        batch.add_column(sa.Column('deactivated_at', engine.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('deactivated_reason', sa.String(length=40), nullable=True))
    op.create_table(
        'account_events',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('account_id', sa.Integer(), sa.ForeignKey('accounts.id'), nullable=False),
        sa.Column('at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('actor', sa.String(length=255), nullable=False),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('detail', sa.JSON(), nullable=True),
    )
    op.create_index('ix_account_events_account_id', 'account_events', ['account_id'])
    op.create_table(
        'one_time_links',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('token_hash', sa.String(length=64), nullable=False, unique=True),
        sa.Column('purpose', sa.String(length=40), nullable=False),
        sa.Column('subject', sa.JSON(), nullable=False),
        sa.Column('created_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('used_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table('one_time_links')
    op.drop_index('ix_account_events_account_id', table_name='account_events')
    op.drop_table('account_events')
    with op.batch_alter_table('accounts') as batch:
        batch.drop_column('deactivated_reason')
        batch.drop_column('deactivated_at')
