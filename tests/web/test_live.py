"""The live fan-out: in-process by default, across processes through the real Redis."""

from __future__ import annotations

import asyncio
import uuid

from ccops.web.live import InProcessFanout, RedisFanout, make_fanout


def test_in_process_subscribers_get_every_published_message() -> None:
    async def scenario() -> None:
        hub = InProcessFanout()
        a, b = hub.subscribe(), hub.subscribe()
        await hub.publish({"n": 1})
        assert await a.get(1) == {"n": 1} and await b.get(1) == {"n": 1}
        a.close()
        await hub.publish({"n": 2})
        assert hub.subscribers == 1 and await b.get(1) == {"n": 2}
        await hub.stop()
        assert await b.get(1) is None and b.closed

    asyncio.run(scenario())


def test_a_slow_subscriber_keeps_the_latest_messages_and_never_blocks_the_publisher() -> None:
    async def scenario() -> None:
        hub = InProcessFanout()
        slow = hub.subscribe()
        for n in range(1000):
            await hub.publish({"n": n})
        assert slow.drain() == 64
        assert await slow.get(0.05) is None

    asyncio.run(scenario())


def test_without_a_redis_url_the_fan_out_is_in_process() -> None:
    assert type(make_fanout(None)) is InProcessFanout


def test_redis_fan_out_reaches_subscribers_of_another_worker(redis_url: str) -> None:
    channel = f"ccops:test:{uuid.uuid4().hex}"

    async def scenario() -> None:
        worker_a, worker_b = RedisFanout(redis_url, channel), RedisFanout(redis_url, channel)
        await worker_a.start()
        await worker_b.start()
        try:
            on_a, on_b = worker_a.subscribe(), worker_b.subscribe()
            await worker_a.publish({"type": "events", "accepted": 3})
            assert await on_b.get(2) == {"type": "events", "accepted": 3}
            assert await on_a.get(2) == {"type": "events", "accepted": 3}  # once, via Redis
            assert await on_a.get(0.2) is None
        finally:
            await worker_a.stop()
            await worker_b.stop()

    asyncio.run(scenario())


def test_redis_fan_out_delivers_locally_when_redis_is_unreachable() -> None:
    async def scenario() -> None:
        hub = RedisFanout("redis://127.0.0.1:1/0", f"ccops:test:{uuid.uuid4().hex}")
        hub._client = __import__("redis.asyncio", fromlist=["x"]).from_url(hub.url)
        sub = hub.subscribe()
        await hub.publish({"n": 1})
        assert await sub.get(1) == {"n": 1}
        await hub._client.aclose()

    asyncio.run(scenario())
