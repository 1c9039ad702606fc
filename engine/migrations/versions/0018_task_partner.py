"""human_tasks.partner: a task only the staff of one partner may do; partners.contacts: the contact register

A lane with `zvt:partner` (the data field naming a partner) gives its user tasks to that partner's
staff alone: a datalek's duties go to the breached partner's own people. The contact register tells
a partner how to reach another's FG and its person responsible for a breach.

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('human_tasks') as batch:
        batch.add_column(sa.Column('partner', sa.String(length=64), nullable=True))
    with op.batch_alter_table('partners') as batch:
        batch.add_column(sa.Column('contacts', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('partners') as batch:
        batch.drop_column('contacts')
    with op.batch_alter_table('human_tasks') as batch:
        batch.drop_column('partner')
