"""Alembic environment: the models' metadata (the app's model registry,
``app.MODEL_MODULES``), and the engine either handed in by database.setup
(the service) or built from the settings (developers)."""
from __future__ import annotations

from logging.config import fileConfig

from alembic import context

from app import model_metadata

metadata = model_metadata()

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _engine():
    engine = config.attributes.get("engine")
    if engine is not None:
        return engine
    from config.settings import load_settings
    from database import make_engine
    return make_engine(load_settings().database_url)


def run_migrations_offline() -> None:
    from config.settings import load_settings
    context.configure(url=load_settings().database_url, target_metadata=metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with _engine().connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode lets SQLite alter tables by copying them; dropping the old copy of a table
            # other rows refer to fails while foreign keys are enforced.  They are off during the
            # migration (the pragma only works outside a transaction), checked at its end, and on again.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                              compare_type=True)
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"the migration leaves rows referring to nothing: {broken[:5]}")
            connection.commit()
        finally:
            if sqlite:
                connection.rollback()
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
