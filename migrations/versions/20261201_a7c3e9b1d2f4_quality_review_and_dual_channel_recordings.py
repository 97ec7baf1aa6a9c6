"""quality review of operators' calls; dual-channel recordings

recording.channels: 1 for a voicemail, 2 for an operator's call recorded in
dual channel (purpose operator_call).  quality_review: a supervisor's scores
for one operator's call, unique per call and reviewer.

Revision ID: a7c3e9b1d2f4
Revises: 5eda7c0ffee1
Create Date: 2026-12-01 00:10:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import database


revision = 'a7c3e9b1d2f4'
down_revision = '5eda7c0ffee1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('recording', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channels', sa.Integer(), nullable=True))
    op.create_table(
        'quality_review',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('call_sid', sa.String(length=64), nullable=False),
        sa.Column('operator', sa.String(length=100), nullable=False),
        sa.Column('reviewer', sa.String(length=100), nullable=False),
        sa.Column('scores', sa.JSON(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('possible', sa.Integer(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('reviewed_at', database.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_quality_review')),
        sa.UniqueConstraint('call_sid', 'reviewer', name=op.f('uq_quality_review_call_sid_reviewer')),
    )
    with op.batch_alter_table('quality_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quality_review_call_sid'), ['call_sid'], unique=False)
        batch_op.create_index('ix_quality_review_operator_at', ['operator', 'reviewed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('quality_review', schema=None) as batch_op:
        batch_op.drop_index('ix_quality_review_operator_at')
        batch_op.drop_index(batch_op.f('ix_quality_review_call_sid'))
    op.drop_table('quality_review')
    with op.batch_alter_table('recording', schema=None) as batch_op:
        batch_op.drop_column('channels')
