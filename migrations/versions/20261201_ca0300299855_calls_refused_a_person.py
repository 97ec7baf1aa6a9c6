"""calls refused a person

call.operator_refused_at and call.operator_refused_reason: when the operators'
desk first refused a caller who asked for a person in the call, and why
(closed, queue_full, wait_too_long).  The call-centre figures count these
calls (reports/callcentre_sql.py), by the moment of the refusal: an index on
it, so that a day or a month is a range of it.  Calls logged before this
revision kept no refusal; they stay uncounted.

Revision ID: ca0300299855
Revises: d20844cba723
Create Date: 2026-12-01 07:00:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import database


revision = 'ca0300299855'
down_revision = 'd20844cba723'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.add_column(sa.Column('operator_refused_at', database.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('operator_refused_reason', sa.String(length=16), nullable=True))
        batch_op.create_index('ix_call_operator_refused_at', ['operator_refused_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_index('ix_call_operator_refused_at')
        batch_op.drop_column('operator_refused_reason')
        batch_op.drop_column('operator_refused_at')
