"""access_reviews, access_review_lists, access_review_rights

The toegangsreview (issue 14) generates its lists from the accounts when it starts: per partner,
every active account's roles in scope, which the partner's gemachtigde confirms or lets go through
a one-time link; at the deadline what was not confirmed lapses. These tables are that record.

Revision ID: 0026
Revises: 0025
"""
import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'access_reviews',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('instance_id', sa.Integer(), sa.ForeignKey('instances.id'), nullable=False, unique=True),
        sa.Column('label', sa.String(length=20), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('roles', sa.JSON(), nullable=False),
        sa.Column('started_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('deadline', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('closed_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    )
    op.create_table(
        'access_review_lists',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('review_id', sa.Integer(), sa.ForeignKey('access_reviews.id'), nullable=False),
        sa.Column('partner_id', sa.String(length=64), sa.ForeignKey('partners.id'), nullable=False),
        sa.Column('sent_at', engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('sent_count', sa.Integer(), nullable=False),
        sa.Column('completed_at', engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.UniqueConstraint('review_id', 'partner_id'),
    )
    op.create_table(
        'access_review_rights',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('list_id', sa.Integer(), sa.ForeignKey('access_review_lists.id'), nullable=False),
        sa.Column('account_id', sa.Integer(), sa.ForeignKey('accounts.id'), nullable=False),
        sa.Column('role', sa.String(length=40), nullable=False),
        sa.Column('decision', sa.String(length=20), nullable=True),
        sa.Column('decided_by', sa.String(length=255), nullable=True),
        sa.Column('decided_at', engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.UniqueConstraint('list_id', 'account_id', 'role'),
    )
    op.create_index('ix_access_review_rights_account_id', 'access_review_rights', ['account_id'])


def downgrade() -> None:
    op.drop_index('ix_access_review_rights_account_id', table_name='access_review_rights')
    op.drop_table('access_review_rights')
    op.drop_table('access_review_lists')
    op.drop_table('access_reviews')
