"""Notifications carry the channel that delivers them; bills carry the date they were issued.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("channel", sa.String(length=16), nullable=False, server_default="sms"))
    with op.batch_alter_table("bill") as batch:
        batch.add_column(sa.Column("issued_on", sa.Date(), nullable=True))
    # Existing bills were issued the day they were created (UTC is close enough for history).
    dialect = op.get_bind().dialect.name
    created_day = "CAST(created_at AS DATE)" if dialect == "postgresql" else "date(created_at)"
    op.execute(f"UPDATE bill SET issued_on = {created_day}")
    with op.batch_alter_table("bill") as batch:
        batch.alter_column("issued_on", existing_type=sa.Date(), nullable=False)
    with op.batch_alter_table("notification") as batch:
        batch.alter_column("channel", existing_type=sa.String(length=16), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("bill") as batch:
        batch.drop_column("issued_on")
    with op.batch_alter_table("notification") as batch:
        batch.drop_column("channel")
