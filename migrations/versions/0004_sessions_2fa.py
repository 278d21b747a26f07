"""sessions that end, and a second factor: users.session_token, TOTP columns, recovery_codes

Revision ID: 0004
Revises: 0005
Create Date: 2026-12-01 21:40:00

- users.session_token: part of every session and remember-me cookie; a new
  value ends them all. Existing users each get their own random token (old
  cookies, which carry none, stop working: everybody logs in once more).
- users.totp_secret / totp_enabled_at / totp_last_step: the TOTP second factor.
- recovery_codes: Argon2 hashes of one-time recovery codes.
"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('totp_enabled_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
    users = sa.table('users', sa.column('id', sa.Integer()), sa.column('session_token', sa.String()))
    conn = op.get_bind()
    for (user_id,) in conn.execute(sa.select(users.c.id)).all():
        conn.execute(users.update().where(users.c.id == user_id)
                     .values(session_token=secrets.token_hex(16)))
    with op.batch_alter_table('users') as batch:
        batch.alter_column('session_token', existing_type=sa.String(length=64), nullable=False)

    op.create_table('recovery_codes',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('user_id', sa.Integer(), nullable=False),
                    sa.Column('code_hash', sa.String(length=255), nullable=False),
                    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
                    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                            name=op.f('fk_recovery_codes_user_id_users'),
                                            ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes')))
    with op.batch_alter_table('recovery_codes') as batch:
        batch.create_index(batch.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('recovery_codes') as batch:
        batch.drop_index(batch.f('ix_recovery_codes_user_id'))
    op.drop_table('recovery_codes')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('totp_last_step')
        batch.drop_column('totp_enabled_at')
        batch.drop_column('totp_secret')
        batch.drop_column('session_token')
