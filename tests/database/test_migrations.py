"""The committed Alembic migrations build exactly the schema the models describe."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from app import model_metadata


def test_models_and_migrations_agree(migrated):
    engine = create_engine(migrated)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                                   "render_as_batch": True})
            differences = compare_metadata(context, model_metadata())
    finally:
        engine.dispose()
    assert differences == [], (
        "models and migrations disagree; run `alembic revision --autogenerate -m ...` and review it:\n"
        + "\n".join(map(str, differences)))


def test_cases_keep_their_meaning_when_the_catalogue_is_renumbered(database_url, tmp_path):
    """Sample codes that mean something else in the national catalogue move
    to the code that keeps their meaning; codes that trade places do not
    collide; the rest are left alone."""
    from alembic import command
    from sqlalchemy import text

    from database import make_engine
    from database.setup import alembic_config

    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'renumbered.sqlite3'}"
    else:
        url = _fresh_postgresql(database_url)
    engine = make_engine(url)
    try:
        config = alembic_config(engine)
        command.upgrade(config, "adbe49ea12f2")          # the 33-category sample
        now = "2026-10-09 02:00:00"
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO department (code, name, names, calendar, active) "
                "VALUES ('ROADS', '市政', '{}', 'office', true)"))
            for code, name in (("C0105", "路灯"), ("E0101", "暴露垃圾"), ("E0104", "私搭乱建"), ("C0101", "上水井盖")):
                connection.execute(text(
                    "INSERT INTO category (code, kind, name, names, department_code, priority, time_limit, "
                    "verify_first, lines, active) VALUES (:code, 'event', :name, '{}', 'ROADS', 'normal', "
                    "'1 working days', false, '[]', true)"), {"code": code, "name": name})
            for number, code in (("1", "C0105"), ("2", "E0101"), ("3", "E0104"), ("4", "C0101")):
                connection.execute(text(
                    "INSERT INTO case_file (number, channel, category_code, description, priority, status, "
                    "needs_operator, after_hours, created_at, updated_at) VALUES (:number, 'hotline', :code, '', "
                    "'normal', 'intake', false, false, :now, :now)"), {"number": number, "code": code, "now": now})
        command.upgrade(config, "head")
        with engine.connect() as connection:
            moved = dict(connection.execute(text("SELECT number, category_code FROM case_file")).all())
        assert moved == {"1": "C0118", "2": "E0102", "3": "E0101", "4": "C0101"}
        command.downgrade(config, "adbe49ea12f2")
        with engine.connect() as connection:
            back = dict(connection.execute(text("SELECT number, category_code FROM case_file")).all())
        assert back == {"1": "C0105", "2": "E0101", "3": "E0104", "4": "C0101"}
    finally:
        engine.dispose()
        if not database_url.startswith("sqlite"):
            _drop_postgresql(database_url, url)


def _fresh_postgresql(database_url: str) -> str:
    import uuid

    from sqlalchemy import text
    name = f"hotline_migrate_{uuid.uuid4().hex[:10]}"
    admin = create_engine(database_url.rsplit("/", 1)[0] + "/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return database_url.rsplit("/", 1)[0] + f"/{name}"


def _drop_postgresql(database_url: str, url: str) -> None:
    from sqlalchemy import text
    admin = create_engine(database_url.rsplit("/", 1)[0] + "/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()
