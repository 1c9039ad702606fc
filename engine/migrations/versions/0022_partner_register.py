"""partners: joined_on, left_on, directs, contact person and gemachtigde

The partner register that forms, policy and processes read at run time (issue 14): when a partner
joined and left (its accounts stop on the leaving day), which partner directs the team (until now
the code named the municipality), and who asks for and who authorises the partner's accounts.

Revision ID: 0022
Revises: 0021
"""
import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('partners') as batch:
        batch.add_column(sa.Column('joined_on', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('left_on', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('directs', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('contact_name', sa.String(length=255), nullable=True))
        batch.add_column(sa.Column('contact_email', sa.String(length=255), nullable=True))
        batch.add_column(sa.Column('officer_name', sa.String(length=255), nullable=True))
        batch.add_column(sa.Column('officer_email', sa.String(length=255), nullable=True))
    # Until now the code named the directing partner; a database made then has it under this code.
    op.execute(sa.text("UPDATE partners SET directs = :yes WHERE id = 'gemeente_heerenveen'").bindparams(yes=True))


def downgrade() -> None:
    with op.batch_alter_table('partners') as batch:
        for column in ('officer_email', 'officer_name', 'contact_email', 'contact_name', 'directs', 'left_on',
                       'joined_on'):
            batch.drop_column(column)
