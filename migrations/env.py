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
        # Batch mode lets SQLite alter tables by copying them.
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
