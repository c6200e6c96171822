"""merge the second half's domain branches (transport, supervision, subsidies, operations)

Each domain's migration grew from 0009 in its own branch of work; this joins them into one
head so that `flask db upgrade` has a single target.

Revision ID: 0016
Revises: 0011, 0012, 0013
Create Date: 2026-12-05

"""

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = ('0011', '0012', '0013')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
