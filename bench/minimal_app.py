"""The yardstick: a minimal Flask endpoint doing one Redis read and one write."""

from __future__ import annotations

import os

import redis
from flask import Flask

app = Flask(__name__)
_redis = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))


@app.get("/healthz")
def healthz() -> str:
    return "ok"


@app.route("/minimal", methods=["GET", "POST"])
def minimal() -> str:
    value = _redis.get("bench:minimal")
    _redis.set("bench:minimal", (int(value or 0) + 1))
    return "CON ok"
