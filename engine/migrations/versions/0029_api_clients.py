"""api_clients

The REST API for partner systems (issue 15): one row per partner system, its token (only the
SHA-256 of it), the service account it acts as, when it expires or was revoked, and its rate
limit with the count of the current minute, shared by every worker through the database.

Revision ID: 0029
Revises: 0028
"""
import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'api_clients',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('code', sa.String(length=64), nullable=False, unique=True),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('account_id', sa.Integer(), sa.ForeignKey('accounts.id'), nullable=False, unique=True),
        sa.Column('token_hash', sa.String(length=64), nullable=False, unique=True),
        sa.Column('created_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(length=255), nullable=False),
        sa.Column('expires_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('revoked_by', sa.String(length=255), nullable=True),
        sa.Column('last_used_at', engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('per_minute', sa.Integer(), nullable=False),
        sa.Column('window_start', engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('window_count', sa.Integer(), nullable=False, server_default='0'),
    )


def downgrade() -> None:
    op.drop_table('api_clients')
