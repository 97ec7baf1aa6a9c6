"""calls by when they joined a queue

The call-centre figures and the wallboard read the calls that joined an operator queue in a
period (reports/callcentre_sql.py): an index on call.queued_at, so that a day or a month is a
range of it rather than a scan of every call.

Revision ID: a7c3e91f0b24
Revises: a7c3e9b1d2f4
Create Date: 2026-12-01 00:10:00.000000
"""
from __future__ import annotations

from alembic import op


revision = 'a7c3e91f0b24'
down_revision = 'a7c3e9b1d2f4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.create_index('ix_call_queued_at', ['queued_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_index('ix_call_queued_at')
