"""data items per case with their kind and source, sharing per partner, the disclosure register,
and each partner's grondslag per case

Revision ID: 0014
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0014'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'case_bases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('partner', sa.String(length=64), nullable=False),
        sa.Column('grondslag', sa.Text(), nullable=False),
        sa.Column('secrecy_basis', sa.String(length=40), nullable=True),
        sa.Column('secrecy_weighing', sa.Text(), nullable=True),
        sa.Column('recorded_by', sa.String(length=255), nullable=False),
        sa.Column('recorded_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_case_bases_instance_id_instances')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_bases')),
        sa.UniqueConstraint('instance_id', 'partner', name=op.f('uq_case_bases_instance_id_partner')),
    )
    with op.batch_alter_table('case_bases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_bases_instance_id'), ['instance_id'], unique=False)
    op.create_table(
        'case_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('source_partner', sa.String(length=64), nullable=False),
        sa.Column('author', sa.String(length=255), nullable=False),
        sa.Column('created_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('classification', sa.String(length=20), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('consent_officer', sa.String(length=255), nullable=True),
        sa.Column('consent_function', sa.String(length=255), nullable=True),
        sa.Column('consent_on', sa.String(length=10), nullable=True),
        sa.Column('consent_recorded_by', sa.String(length=255), nullable=True),
        sa.Column('adhoc_allowed_by', sa.String(length=255), nullable=True),
        sa.Column('adhoc_reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_case_items_instance_id_instances')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_items')),
    )
    with op.batch_alter_table('case_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_items_instance_id'), ['instance_id'], unique=False)
    op.create_table(
        'disclosures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('giver_partner', sa.String(length=64), nullable=False),
        sa.Column('decided_by', sa.String(length=255), nullable=False),
        sa.Column('recipients', sa.JSON(), nullable=False),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.Column('grondslag', sa.Text(), nullable=False),
        sa.Column('purpose', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_disclosures_instance_id_instances')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosures')),
    )
    with op.batch_alter_table('disclosures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosures_instance_id'), ['instance_id'], unique=False)
    op.create_table(
        'item_shares',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('partner', sa.String(length=64), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('disclosure_id', sa.Integer(), nullable=False),
        sa.Column('shared_by', sa.String(length=255), nullable=False),
        sa.Column('shared_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('withdrawn_by', sa.String(length=255), nullable=True),
        sa.Column('withdrawn_at', engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['disclosure_id'], ['disclosures.id'], name=op.f('fk_item_shares_disclosure_id_disclosures')),
        sa.ForeignKeyConstraint(['item_id'], ['case_items.id'], name=op.f('fk_item_shares_item_id_case_items')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_item_shares')),
    )
    with op.batch_alter_table('item_shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_shares_item_id'), ['item_id'], unique=False)


def downgrade() -> None:
    for table in ('item_shares', 'disclosures', 'case_items', 'case_bases'):
        op.drop_table(table)
