"""operators on duty

operator_presence: when each operator's live board last reported in; the
operator queue is sized by the operators on duty.

Revision ID: beb1a06616ee
Revises: c39b78630955
Create Date: 2026-11-30 13:43:02.004283
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import database


revision = 'beb1a06616ee'
down_revision = 'c39b78630955'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('operator_presence',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('seen_at', database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_operator_presence_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_operator_presence'))
    )
    with op.batch_alter_table('operator_presence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operator_presence_seen_at'), ['seen_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('operator_presence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operator_presence_seen_at'))

    op.drop_table('operator_presence')
