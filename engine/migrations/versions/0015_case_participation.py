"""a partner opting out of a case (and back in) and an ad-hoc partner admitted to one, each a row

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'case_participation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('partner', sa.String(length=64), nullable=False),
        sa.Column('change', sa.String(length=20), nullable=False),
        sa.Column('by', sa.String(length=255), nullable=False),
        sa.Column('at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('declaration_signed_by', sa.String(length=255), nullable=True),
        sa.Column('declaration_signed_on', sa.String(length=10), nullable=True),
        sa.Column('declaration_document', sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(['instance_id'], ['instances.id'],
                                name=op.f('fk_case_participation_instance_id_instances')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_participation')),
    )
    with op.batch_alter_table('case_participation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_participation_instance_id'), ['instance_id'], unique=False)


def downgrade() -> None:
    op.drop_table('case_participation')
