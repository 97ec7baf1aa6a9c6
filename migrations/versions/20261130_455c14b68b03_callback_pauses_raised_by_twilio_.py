"""callback pauses raised by Twilio account faults

callback_pause: while a row has no resumed_at, the dispatcher places no
callback (Twilio refused the centre's own account: 21215, 21210, 21205...).

Revision ID: 455c14b68b03
Revises: dd2adef77135
Create Date: 2026-11-30 13:21:22.931293
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import database


revision = '455c14b68b03'
down_revision = 'dd2adef77135'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('callback_pause',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=True),
    sa.Column('paused_at', database.UTCDateTime(), nullable=False),
    sa.Column('resumed_at', database.UTCDateTime(), nullable=True),
    sa.Column('resumed_by', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['callback_attempt.id'], name=op.f('fk_callback_pause_attempt_id_callback_attempt'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_callback_pause'))
    )


def downgrade() -> None:
    op.drop_table('callback_pause')
