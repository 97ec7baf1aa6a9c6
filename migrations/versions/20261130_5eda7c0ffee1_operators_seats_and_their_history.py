"""operators' seats and their history

operator_seat: each operator's state (available, ringing, on a call,
wrap-up, break, offline), since when and why, the call it holds, and the
operator's skills (lines, languages).  operator_seat_change: every change
of state, for the centre's figures.

Revision ID: 5eda7c0ffee1
Revises: b7e4d2a91c08
Create Date: 2026-11-30 20:40:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import database


revision = '5eda7c0ffee1'
down_revision = 'b7e4d2a91c08'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('operator_seat',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('since', database.UTCDateTime(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=True),
    sa.Column('call_sid', sa.String(length=64), nullable=True),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_operator_seat_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_operator_seat')),
    sa.UniqueConstraint('call_sid', name=op.f('uq_operator_seat_call_sid'))
    )
    with op.batch_alter_table('operator_seat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operator_seat_state'), ['state'], unique=False)

    op.create_table('operator_seat_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('at', database.UTCDateTime(), nullable=False),
    sa.Column('previous', sa.String(length=16), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=True),
    sa.Column('call_sid', sa.String(length=64), nullable=True),
    sa.Column('by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_operator_seat_change_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operator_seat_change'))
    )
    with op.batch_alter_table('operator_seat_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operator_seat_change_at'), ['at'], unique=False)
        batch_op.create_index('ix_operator_seat_change_user_at', ['user_id', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('operator_seat_change', schema=None) as batch_op:
        batch_op.drop_index('ix_operator_seat_change_user_at')
        batch_op.drop_index(batch_op.f('ix_operator_seat_change_at'))

    op.drop_table('operator_seat_change')
    with op.batch_alter_table('operator_seat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operator_seat_state'))

    op.drop_table('operator_seat')
