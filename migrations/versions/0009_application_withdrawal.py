"""workers may withdraw an application: status 'withdrawn'

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

NAME = 'ck_job_applications_status_known'


def upgrade():
    with op.batch_alter_table('job_applications') as batch_op:
        batch_op.drop_constraint(op.f(NAME), type_='check')
        batch_op.create_check_constraint(
            op.f(NAME), "status IN ('submitted','contacted','hired','declined','withdrawn')"
        )


def downgrade():
    # A withdrawn application goes back to the state nearest to it: declined.
    op.execute("UPDATE job_applications SET status = 'declined' WHERE status = 'withdrawn'")
    with op.batch_alter_table('job_applications') as batch_op:
        batch_op.drop_constraint(op.f(NAME), type_='check')
        batch_op.create_check_constraint(
            op.f(NAME), "status IN ('submitted','contacted','hired','declined')"
        )
