"""account_requests: asking for an account, a role or an account back, and the gemachtigde's answer

Account administration (issue 14): a teamleider, a beheerder or a partner's contactpersoon asks;
the partner's gemachtigde approves or refuses through a one-time link. A request for a new account
has no account yet, so it cannot be an account_events row: this table is its record, with who
asked and who decided, when, and why a refusal.

Revision ID: 0025
Revises: 0024
"""
import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'account_requests',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('partner_id', sa.String(length=64), sa.ForeignKey('partners.id'), nullable=False),
        sa.Column('account_id', sa.Integer(), sa.ForeignKey('accounts.id'), nullable=True),
        sa.Column('username', sa.String(length=255), nullable=False),
        sa.Column('display_name', sa.String(length=255), nullable=False),
        sa.Column('email', sa.String(length=255), nullable=False),
        sa.Column('function', sa.String(length=255), nullable=False),
        sa.Column('roles', sa.JSON(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('requested_by', sa.String(length=255), nullable=False),
        sa.Column('requested_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('decided_at', engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('decided_by', sa.String(length=255), nullable=True),
        sa.Column('officer_name', sa.String(length=255), nullable=True),
        sa.Column('officer_email', sa.String(length=255), nullable=True),
        sa.Column('refusal_reason', sa.Text(), nullable=True),
    )
    op.create_index('ix_account_requests_partner_status', 'account_requests', ['partner_id', 'status'])


def downgrade() -> None:
    op.drop_index('ix_account_requests_partner_status', table_name='account_requests')
    op.drop_table('account_requests')
