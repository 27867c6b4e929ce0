"""Rabta: government services on every phone.

`create_app()` builds the web app; nothing happens at import time.
"""

from __future__ import annotations

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


def create_app(settings: Settings | None = None) -> Flask:
    """The web app with its runtime; nothing happens at import time. Wiring is in `app.bootstrap`."""
    from app import observability
    from app.bootstrap import build_runtime, channels, install_channels
    from app.cookie_sessions import CookieSessionsWhenPresent
    from app.errors_http import register_error_handlers
    from app.runtime import EXTENSION_KEY

    settings = settings or Settings()
    instance_path = settings.INSTANCE_PATH.resolve()
    instance_path.mkdir(parents=True, exist_ok=True)
    _configure_logging(settings)

    app = Flask(__name__, instance_path=str(instance_path))
    app.session_interface = CookieSessionsWhenPresent()
    app.config.update(SECRET_KEY=settings.SECRET_KEY, MAX_CONTENT_LENGTH=settings.MAX_REQUEST_BYTES,
                      JSON_SORT_KEYS=False)
    installed = channels()
    runtime = build_runtime(settings, installed)
    app.extensions[EXTENSION_KEY] = runtime
    observability.install_early(app, runtime)
    register_error_handlers(app)
    install_channels(app, installed)
    observability.install(app, runtime)
    return app


def _configure_logging(settings: Settings) -> None:
    from app import logs

    logs.configure(level=settings.LOG_LEVEL, json_lines=settings.json_logs)
