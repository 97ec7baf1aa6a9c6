"""when each call was last heard of

call.last_seen_at: the last webhook, status callback or queue wait round of
the call.  The live board and the operator queue count a call quiet for
long as gone, even when its final status callback was lost.  Existing calls
are taken as last heard of when they ended, or else when they started.

Revision ID: c39b78630955
Revises: 455c14b68b03
Create Date: 2026-11-30 13:37:17.618600
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import database


revision = 'c39b78630955'
down_revision = '455c14b68b03'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', database.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_call_last_seen_at'), ['last_seen_at'], unique=False)
    op.execute("UPDATE call SET last_seen_at = COALESCE(ended_at, started_at)")


def downgrade() -> None:
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_last_seen_at'))
        batch_op.drop_column('last_seen_at')

