"""each user's console language

user_account.language: zh_CN or en_US; none means the centre's default (Chinese).

Revision ID: e1a2b3c4d5f6
Revises: cf78eea00eb1
Create Date: 2026-11-30 17:15:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = 'e1a2b3c4d5f6'
down_revision = 'cf78eea00eb1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('language')
