"""Creating and upgrading the schema, and keeping rows in step with a
configuration.  Both are idempotent: ``flask --app app init`` can run any time."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(engine: Engine) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    return config


def upgrade_schema(engine: Engine) -> None:
    command.upgrade(alembic_config(engine), "head")


def sync_rows(session: Session, model, key: str, wanted: dict[str, dict]) -> int:
    """Make ``model``'s rows match ``wanted`` (values by key column): rows are
    added or updated and marked active; rows no longer wanted are marked
    inactive, never deleted, since other rows may still refer to them."""
    existing = {getattr(row, key): row for row in session.scalars(select(model))}
    for ident, values in wanted.items():
        row = existing.get(ident)
        if row is None:
            row = model(**{key: ident})
            session.add(row)
        for name, value in values.items():
            setattr(row, name, value)
        row.active = True
    for ident, row in existing.items():
        if ident not in wanted:
            row.active = False
    session.flush()
    return len(wanted)
