"""Alembic environment: runs against the engine cipco hands over (never a URL in an ini)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from cipco.models import load_all

load_all()  # every table in SQLModel.metadata
config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
