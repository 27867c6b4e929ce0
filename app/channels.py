"""What a channel (the app API, USSD, SMS, the payment rails, the console...) plugs into the app.

Each channel package has a `channel.py` exposing `CHANNEL`; `app.bootstrap.CHANNELS`
lists them, one line each. A channel that can deliver notifications names a
`dispatcher`: outbox rows whose `channel` is this channel's name go to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import click
from flask import Blueprint, Flask

from app.notifications.service import Dispatcher


@dataclass(frozen=True)
class Channel:
    name: str
    blueprints: tuple[Blueprint, ...] = ()
    texts: dict[str, dict[str, str]] = field(default_factory=dict)  # its own wording, added to the catalogue
    commands: tuple[click.Command, ...] = ()  # `rabta <command>` groups
    dispatcher: Dispatcher | None = None  # delivers notifications whose channel is `name`
    setup: Callable[[Flask], None] | None = None  # app-level HTTP behaviour (e.g. response headers)
