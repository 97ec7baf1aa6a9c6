"""the scheduler leader's heartbeat

scheduler_heartbeat: one row the leading scheduler rewrites every few
seconds; /readyz wants a recent one.

Revision ID: 15bf52379cb5
Revises: beb1a06616ee
Create Date: 2026-11-30 13:45:21.286466
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import database


revision = '15bf52379cb5'
down_revision = 'beb1a06616ee'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scheduler_heartbeat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('seen_at', database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduler_heartbeat'))
    )


def downgrade() -> None:
    op.drop_table('scheduler_heartbeat')
