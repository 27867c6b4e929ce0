"""Rabta: government services on every phone.

`create_app()` builds the web app; nothing happens at import time.
"""

from __future__ import annotations

import importlib

from flask import Flask
from sqlmodel import SQLModel

from app.settings import Settings

# Stable constraint names for migrations; must be set before any model module defines a table.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Each channel package exposes `bp` (a Blueprint) and optionally `register(app)`.
BLUEPRINT_MODULES = (
    "app.health",
    "app.api",
    "payments.routes",
    "ussd.routes",
    "sms.routes",
)


def create_app(settings: Settings | None = None) -> Flask:
    from app import observability, redis_conn
    from app.db import Database
    from app.errors_http import register_error_handlers
    from app.notifications.jobs import kick_outbox
    from app.notifications.service import OUTBOX_KICK_KEY
    from app.runtime import EXTENSION_KEY, Runtime

    settings = settings or Settings()
    instance_path = settings.INSTANCE_PATH.resolve()
    instance_path.mkdir(parents=True, exist_ok=True)
    _configure_logging(settings)

    app = Flask(__name__, instance_path=str(instance_path))
    app.config.update(SECRET_KEY=settings.SECRET_KEY, MAX_CONTENT_LENGTH=settings.MAX_REQUEST_BYTES,
                      JSON_SORT_KEYS=False)
    db = Database(settings.database_url)
    replica = Database(settings.DATABASE_REPLICA_URL, read_only=True) if settings.DATABASE_REPLICA_URL else db
    redis = redis_conn.connect(settings.REDIS_URL, instance_path, sentinel=redis_conn.sentinel_config(settings))
    runtime = Runtime(settings=settings, db=db, replica=replica, redis=redis)
    runtime.db.session_defaults[OUTBOX_KICK_KEY] = lambda: kick_outbox(runtime)
    app.extensions[EXTENSION_KEY] = runtime

    observability.install_early(app, runtime)
    register_error_handlers(app)
    for module_name in BLUEPRINT_MODULES:
        module = importlib.import_module(module_name)
        app.register_blueprint(module.bp)
        if hasattr(module, "register"):
            module.register(app)
    observability.install(app, runtime)
    return app


def _configure_logging(settings: Settings) -> None:
    from app import logs

    logs.configure(level=settings.LOG_LEVEL, json_lines=settings.json_logs)
