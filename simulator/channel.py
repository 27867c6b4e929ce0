"""The phone simulator, as `app.bootstrap` plugs it in: its page and endpoints, and the USSD hop observer."""

from __future__ import annotations

from flask import Flask

from app.channels import Channel
from app.runtime import EXTENSION_KEY, Runtime
from simulator.calls import observer
from simulator.routes import bp


def setup(app: Flask) -> None:
    """Hops of simulator sessions are reported to the simulator (the gateway's observer hook)."""
    runtime: Runtime = app.extensions[EXTENSION_KEY]
    runtime.ussd.observers.append(observer(runtime.redis))


CHANNEL = Channel(name="simulator", blueprints=(bp,), setup=setup)
