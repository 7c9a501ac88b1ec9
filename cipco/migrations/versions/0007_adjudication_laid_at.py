"""When the adjudication charge was laid (R5: within 48 hours of discovery)

Revision ID: 0007
Revises: 0006

Adds ``referral.adjudication_laid_at``. Existing referrals keep it empty: the time a charge
was laid was never recorded, and the performance return counts them as "laid, time not
recorded" rather than guessing.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cipco.models.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("adjudication_laid_at", cipco.models.types.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_column("adjudication_laid_at")
