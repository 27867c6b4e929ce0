"""A Batch sends its commands in one round trip and answers with Redis's own replies and errors."""

from __future__ import annotations

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from app.redis_batch import Batch
from app.runtime import Runtime
from tests.support import count_statements, free_port


def test_a_batch_runs_its_commands_in_order_in_one_round_trip(runtime: Runtime) -> None:
    redis = runtime.redis
    redis.set("t:batch:b", "old")
    with count_statements(runtime.db.engine) as cost:
        replies = (Batch(redis).incr("t:batch:a").expire("t:batch:a", 60).get("t:batch:b")
                   .set("t:batch:b", "new", ex=30).set("t:batch:b", "ignored", nx=True).exists("t:batch:b")
                   .hincrby("t:batch:h", "x", 2).lpush("t:batch:l", "1", "2").ltrim("t:batch:l", 0, 0)
                   .delete("t:batch:a").execute())
    assert cost.redis == 1
    assert replies == [1, 1, b"old", b"OK", None, 1, 2, 2, b"OK", 1]
    assert redis.get("t:batch:b") == b"new" and 0 < redis.ttl("t:batch:b") <= 30
    assert redis.lrange("t:batch:l", 0, -1) == [b"2"]
    assert redis.exists("t:batch:a") == 0


def test_an_executed_batch_is_empty_and_an_empty_one_sends_nothing(runtime: Runtime) -> None:
    batch = Batch(runtime.redis).incr("t:batch:once")
    batch.execute()
    with count_statements(runtime.db.engine) as cost:
        assert batch.execute() == []
    assert cost.redis == 0 and len(batch) == 0
    assert runtime.redis.get("t:batch:once") == b"1"


def test_an_error_reply_raises_and_the_connection_is_not_reused(runtime: Runtime) -> None:
    runtime.redis.set("t:batch:text", "not a number")
    with pytest.raises(ResponseError):
        Batch(runtime.redis).incr("t:batch:text").get("t:batch:text").execute()
    # The unread reply of the failed batch does not leak into the next one.
    assert Batch(runtime.redis).get("t:batch:text").execute() == [b"not a number"]


def test_a_stale_connection_is_replaced_once_and_no_redis_is_a_connection_error(runtime: Runtime) -> None:
    redis = runtime.redis
    pooled = redis.client_id()  # the one connection in the pool
    other = Redis(connection_pool=type(redis.connection_pool)(**redis.connection_pool.connection_kwargs))
    other.client_kill_filter(_id=pooled)  # now dead, though the pool does not know it
    other.close()
    assert Batch(redis).set("t:batch:after", "1").get("t:batch:after").execute() == [b"OK", b"1"]
    nobody = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=1)
    with pytest.raises(RedisConnectionError):
        Batch(nobody).get("anything").execute()
