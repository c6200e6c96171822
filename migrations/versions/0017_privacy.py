"""a worker's own data (PIPL): erasure records, and one-time codes with a purpose

Login codes and erasure confirmation codes share the SMS machinery; `purpose` keeps them apart
(existing rows are login codes).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('otp_challenges') as batch_op:
        batch_op.add_column(
            sa.Column('purpose', sa.String(length=16), server_default='login', nullable=False)
        )
    op.create_table(
        'privacy_erasures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('erased_dt', sa.DateTime(timezone=True), nullable=False),
        sa.Column('summary', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_privacy_erasures_user_id_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_erasures')),
        sa.UniqueConstraint('user_id', name=op.f('uq_privacy_erasures_user_id')),
    )


def downgrade():
    op.drop_table('privacy_erasures')
    with op.batch_alter_table('otp_challenges') as batch_op:
        batch_op.drop_column('purpose')
