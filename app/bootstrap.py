"""The composition root: everything a process shares, built once and wired explicitly.

`create_app` calls `build_runtime` and `install_channels`. A reader finds here what
each part depends on: the providers and registries the services are handed, which
handler acts on which domain event after a commit, and which channels are plugged in
(the bootstrap pattern of *Architecture Patterns with Python*, ch. 13).
"""

from __future__ import annotations

from functools import partial

from flask import Flask

from app import messages, metrics, redis_conn
from app.bus import MessageBus
from app.channels import Channel
from app.citizens import cnic_vault
from app.db import Database
from app.identity.registry import identity_provider
from app.messages import formatting
from app.notifications.jobs import kick_outbox
from app.notifications.service import Dispatcher, NotificationQueued
from app.runtime import Runtime
from app.settings import Settings
from payments.jobs import PaymentCallbackAccepted, enqueue_charges, enqueue_confirmations
from payments.providers import Wallets
from payments.refunds import RefundApproved, enqueue_refunds
from payments.service import PaymentStarted
from payments.settlement import PaymentMoved
from sms.jobs import enqueue_queued
from sms.providers import SmsProviders
from sms.service import SmsQueued
from ussd.effects import Context
from ussd.gateway import Gateway


def channels() -> tuple[Channel, ...]:
    """Every channel of the app, one line each (imported here: channels import the runtime)."""
    from analytics.channel import CHANNEL as ANALYTICS
    from app.api.channel import CHANNEL as API
    from app.health import CHANNEL as HEALTH
    from app.landing import CHANNEL as LANDING
    from console.channel import CHANNEL as CONSOLE
    from payments.channel import CHANNEL as PAYMENTS
    from simulator.channel import CHANNEL as SIMULATOR
    from sms.channel import CHANNEL as SMS
    from ussd.channel import CHANNEL as USSD

    return (HEALTH, LANDING, API, PAYMENTS, USSD, SMS, CONSOLE, SIMULATOR, ANALYTICS)


def build_runtime(settings: Settings, installed: tuple[Channel, ...]) -> Runtime:
    cnic_vault.configure(settings)  # the column type seals CNICs with this process-wide key
    formatting.configure(settings.TIMEZONE)  # dates in citizens' texts are on their calendar
    db = Database(settings.database_url)
    replica = Database(settings.DATABASE_REPLICA_URL, read_only=True) if settings.DATABASE_REPLICA_URL else db
    redis = redis_conn.connect(settings.REDIS_URL, settings.INSTANCE_PATH.resolve(),
                               sentinel=redis_conn.sentinel_config(settings))
    wallets = Wallets(settings)
    dispatchers: dict[str, Dispatcher] = {c.name: c.dispatcher for c in installed if c.dispatcher is not None}
    gateway = Gateway(
        Context(db=db, redis=redis, secret_key=settings.SECRET_KEY, region=settings.DEFAULT_REGION,
                wallets=wallets, zone=settings.TIMEZONE, identity=identity_provider(settings),
                sim_swap_hold_hours=settings.SIM_SWAP_HOLD_HOURS),
        session_ttl=settings.USSD_SESSION_TTL_SECONDS, resume_window=settings.USSD_RESUME_WINDOW_SECONDS,
        default_language=settings.DEFAULT_LANGUAGE,
    )
    runtime = Runtime(settings=settings, db=db, redis=redis, bus=MessageBus(), dispatchers=dispatchers,
                      wallets=wallets, sms=SmsProviders(settings), ussd=gateway, replica=replica)
    runtime.bus.handlers.update({
        NotificationQueued: [lambda _events: kick_outbox(runtime)],
        PaymentStarted: [partial(enqueue_charges, runtime)],
        PaymentCallbackAccepted: [partial(enqueue_confirmations, runtime)],
        SmsQueued: [partial(enqueue_queued, runtime)],
        PaymentMoved: [metrics.count_payments],
        RefundApproved: [partial(enqueue_refunds, runtime)],
    })
    db.publish = runtime.bus.publish
    return runtime


def install_channels(app: Flask, installed: tuple[Channel, ...]) -> None:
    for channel in installed:
        messages.register(channel.texts)
        for blueprint in channel.blueprints:
            app.register_blueprint(blueprint)
        for command in channel.commands:
            app.cli.add_command(command)
        if channel.setup is not None:
            channel.setup(app)
