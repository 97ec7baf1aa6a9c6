"""Creating and upgrading the schema, and loading the shipped configuration
into it.  Both are idempotent: ``flask --app app init`` can run any time."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from config.catalog import HotlineConfig
from ivr.models import Line
from routing.models import Category, Department

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(engine: Engine) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    return config


def upgrade_schema(engine: Engine) -> None:
    command.upgrade(alembic_config(engine), "head")


def sync_configuration(session: Session, config: HotlineConfig) -> dict[str, int]:
    """Make the line, department and category rows match the YAML.

    Rows no longer in the YAML are marked inactive, never deleted: old cases
    still refer to them.
    """
    counts = {}
    counts["lines"] = _sync(session, Line, "id", {
        line.id: dict(name=line.name("zh-CN"), numbers=list(line.numbers), time_zone=line.time_zone)
        for line in config.lines.values()
    })
    counts["departments"] = _sync(session, Department, "code", {
        d.code: dict(name=d.name("zh-CN"), names=dict(d.names), calendar=d.calendar,
                     duty_number=d.duty_number, district=d.district)
        for d in config.departments.values()
    })
    counts["categories"] = _sync(session, Category, "code", {
        c.code: dict(kind=c.kind, name=c.name("zh-CN"), names=dict(c.names), department_code=c.department,
                     priority=c.priority, time_limit=str(c.time_limit), verify_first=c.verify_first,
                     lines=list(c.lines))
        for c in config.categories.values()
    })
    session.flush()
    return counts


def _sync(session: Session, model, key: str, wanted: dict[str, dict]) -> int:
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
