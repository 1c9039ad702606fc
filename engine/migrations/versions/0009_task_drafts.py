"""task drafts: what a person typed into an open task's form, kept until the task closes

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'task_drafts',
        sa.Column('task_id', sa.String(length=36), nullable=False),
        sa.Column('username', sa.String(length=255), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('saved_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['task_id'], ['human_tasks.id'], name=op.f('fk_task_drafts_task_id_human_tasks'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['username'], ['accounts.username'],
                                name=op.f('fk_task_drafts_username_accounts'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('task_id', 'username', name=op.f('pk_task_drafts')),
    )
    with op.batch_alter_table('task_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_drafts_username'), ['username'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('task_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_drafts_username'))
    op.drop_table('task_drafts')
