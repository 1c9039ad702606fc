"""case_participation.told_on: the day the betrokkene heard that an ad-hoc partner takes part

An ad-hoc partner is admitted outside the privacy check's forms, so the process never tells the
betrokkene of it; a share with it waits until the procesregisseur records that the betrokkene
was told (AVG art. 14 lid 3 c; engine/participation.py, engine/informing.py).

Revision ID: 0021
Revises: 0020
"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('case_participation') as batch:
        batch.add_column(sa.Column('told_on', sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('case_participation') as batch:
        batch.drop_column('told_on')
