"""inspectors' photos kept with cases

case_photo: one row a photo; the file itself is under the photo directory
(HOTLINE_PHOTO_DIR, default instance/photos).

Revision ID: f3c1a9d2b7e4
Revises: e1a2b3c4d5f6
Create Date: 2026-11-30 20:30:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import database


revision = 'f3c1a9d2b7e4'
down_revision = 'e1a2b3c4d5f6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'case_photo',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=True),
        sa.Column('stored_name', sa.String(length=100), nullable=False),
        sa.Column('content_type', sa.String(length=32), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('original_name', sa.String(length=200), nullable=True),
        sa.Column('uploaded_by', sa.String(length=100), nullable=False),
        sa.Column('uploaded_at', database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_case_photo_case_id_case_file'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['task_id'], ['inspector_task.id'],
                                name=op.f('fk_case_photo_task_id_inspector_task'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_photo')),
        sa.UniqueConstraint('stored_name', name=op.f('uq_case_photo_stored_name')),
    )
    with op.batch_alter_table('case_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_photo_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_photo_case_id'))
    op.drop_table('case_photo')
