"""partners.sso, accounts.external_issuer/external_subject

Single sign-on with OpenID Connect (issue 14): a partner's provider settings live with the
partner in the register (never its client secret, which stays in the environment or a secrets
file), and an account is found by the provider's issuer and the person's subject there.

Revision ID: 0024
Revises: 0023
"""
import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('partners') as batch:
        batch.add_column(sa.Column('sso', sa.JSON(), nullable=True))
    with op.batch_alter_table('accounts') as batch:
        batch.add_column(sa.Column('external_issuer', sa.String(length=500), nullable=True))
        batch.add_column(sa.Column('external_subject', sa.String(length=255), nullable=True))
        batch.create_unique_constraint('uq_accounts_external_subject', ['external_issuer', 'external_subject'])


def downgrade() -> None:
    with op.batch_alter_table('accounts') as batch:
        batch.drop_constraint('uq_accounts_external_subject', type_='unique')
        batch.drop_column('external_subject')
        batch.drop_column('external_issuer')
    with op.batch_alter_table('partners') as batch:
        batch.drop_column('sso')
