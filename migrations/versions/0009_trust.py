"""trust: proof of CNIC ownership (citizen.cnic_verified_at, pending_cnic_link), SIM-swap hold.

Existing CNIC links were made without proof: they stay, unverified (NULL), so bills issued to those
CNICs are not announced to those numbers until the identity port or an officer confirms them.

Revision ID: 0009
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.timeutil

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('citizen', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cnic_verified_at', app.timeutil.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sim_swap_hold_until', app.timeutil.UTCDateTime(timezone=True),
                                      nullable=True))
    op.create_table('pending_cnic_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=False),
    sa.Column('cnic', sqlmodel.sql.sqltypes.AutoString(length=13), nullable=False),
    sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizen.id'], name=op.f('fk_pending_cnic_link_citizen_id_citizen')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_cnic_link'))
    )
    with op.batch_alter_table('pending_cnic_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_cnic_link_citizen_id'), ['citizen_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_cnic_link_cnic'), ['cnic'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_cnic_link_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pending_cnic_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_cnic_link_status'))
        batch_op.drop_index(batch_op.f('ix_pending_cnic_link_cnic'))
        batch_op.drop_index(batch_op.f('ix_pending_cnic_link_citizen_id'))
    op.drop_table('pending_cnic_link')
    with op.batch_alter_table('citizen', schema=None) as batch_op:
        batch_op.drop_column('sim_swap_hold_until')
        batch_op.drop_column('cnic_verified_at')
