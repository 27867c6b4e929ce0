"""api tables: citizens' refresh tokens and agencies' API keys (both hashed).

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.timeutil

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('api_agency_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('key_id', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('key_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_api_agency_key_agency_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_agency_key')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_agency_key_key_hash')),
    sa.UniqueConstraint('key_id', name=op.f('uq_api_agency_key_key_id'))
    )
    with op.batch_alter_table('api_agency_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_agency_key_agency_id'), ['agency_id'], unique=False)

    op.create_table('api_refresh_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=False),
    sa.Column('family_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('rotated_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizen.id'], name=op.f('fk_api_refresh_token_citizen_id_citizen')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_refresh_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_refresh_token_token_hash'))
    )
    with op.batch_alter_table('api_refresh_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_refresh_token_citizen_id'), ['citizen_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_refresh_token_family_id'), ['family_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('api_refresh_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_refresh_token_family_id'))
        batch_op.drop_index(batch_op.f('ix_api_refresh_token_citizen_id'))
    op.drop_table('api_refresh_token')
    with op.batch_alter_table('api_agency_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_agency_key_agency_id'))
    op.drop_table('api_agency_key')
