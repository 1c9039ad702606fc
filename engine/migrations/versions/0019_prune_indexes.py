"""Indexes for the retention job's pruning: login attempts by moment, sent mails by when sent

Every scheduler round prunes login attempts and sent mails older than their term
(engine/retention.py). Without these indexes each round read both tables whole.

Revision ID: 0019
Revises: 0018
"""
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_login_attempts_at', 'login_attempts', ['at'])
    op.create_index('ix_outbox_sent_at', 'outbox', ['sent_at'])


def downgrade() -> None:
    op.drop_index('ix_outbox_sent_at', table_name='outbox')
    op.drop_index('ix_login_attempts_at', table_name='login_attempts')
