"""history.opened_at and history.due_at; indexes for the management information

The management information (engine/management_info.py) reports how long each user task took
(doorlooptijd) and whether it was done before its due moment. A user task's open row
(human_tasks) knows both, but it is deleted when the task is done, and the history row written
then knew neither. From this revision on the history row of a finished user task keeps when the
task opened and when it was due; rows from before stay without (the figures count what they can).

The figures select by period: instances by when they started or closed, history rows by when they
finished.

Revision ID: 0028
Revises: 0027
"""
import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('history') as batch:
        batch.add_column(sa.Column('opened_at', engine.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('due_at', engine.db.UTCDateTime(timezone=True), nullable=True))
    op.create_index('ix_history_task_type_finished_at', 'history', ['task_type', 'finished_at'])
    op.create_index('ix_instances_started_at', 'instances', ['started_at'])
    op.create_index('ix_instances_completed_at', 'instances', ['completed_at'])


def downgrade() -> None:
    op.drop_index('ix_instances_completed_at', table_name='instances')
    op.drop_index('ix_instances_started_at', table_name='instances')
    op.drop_index('ix_history_task_type_finished_at', table_name='history')
    with op.batch_alter_table('history') as batch:
        batch.drop_column('due_at')
        batch.drop_column('opened_at')
