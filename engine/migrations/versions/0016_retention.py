"""retention: a closed case's destruction date and legal hold, and the destruction records

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('destroy_at', engine.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('hold_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('held_by', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('held_at', engine.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_instances_destroy_at'), ['destroy_at'], unique=False)
    op.create_table(
        'destructions',
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.String(length=255), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('rule', sa.String(length=255), nullable=False),
        sa.Column('started_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('completed_at', engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('destroy_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('destroyed_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('destroyed_by', sa.String(length=255), nullable=False),
        sa.Column('participants', sa.JSON(), nullable=False),
        sa.Column('figures', sa.JSON(), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_destructions_instance_id_instances')),
        sa.PrimaryKeyConstraint('instance_id', name=op.f('pk_destructions')),
    )
    with op.batch_alter_table('destructions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_destructions_process_id'), ['process_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_destructions_destroyed_at'), ['destroyed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('destructions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_destructions_destroyed_at'))
        batch_op.drop_index(batch_op.f('ix_destructions_process_id'))
    op.drop_table('destructions')
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instances_destroy_at'))
        batch_op.drop_column('held_at')
        batch_op.drop_column('held_by')
        batch_op.drop_column('hold_reason')
        batch_op.drop_column('destroy_at')
