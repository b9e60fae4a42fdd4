"""Live fan-out: tell every open wallboard that new events landed.

One small interface, two real implementations:

- `InProcessFanout` (default): subscribers of this process get every message published in it.
- `RedisFanout` (when `CCOPS_REDIS_URL` is set): messages go through a Redis pub/sub channel, so a
  wallboard served by one API worker hears about events posted to another.

Messages are small JSON-able dicts ("what changed"), not the events themselves: a wallboard re-reads
the store for its own, permission-scoped, snapshot. A slow subscriber never blocks a publisher: its
queue keeps the latest messages and drops the oldest.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any, Protocol

log = logging.getLogger(__name__)

CHANNEL = "ccops:live"
QUEUE_SIZE = 64


class Subscription:
    """One listener's queue of messages; `get` waits for the next one."""

    def __init__(self, fanout: InProcessFanout) -> None:
        self._fanout = fanout
        self._queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(QUEUE_SIZE)
        self.closed = False

    def put(self, message: dict[str, Any] | None) -> None:
        """Deliver a message (None closes); when full, the oldest message makes room."""
        if self._queue.full():
            with contextlib.suppress(asyncio.QueueEmpty):
                self._queue.get_nowait()
        self._queue.put_nowait(message)

    async def get(self, timeout: float | None = None) -> dict[str, Any] | None:
        """The next message; None on timeout or when the fan-out stops."""
        try:
            message = await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None
        if message is None:
            self.closed = True
        return message

    def drain(self) -> int:
        """Discard waiting messages (a snapshot covers them all); how many there were."""
        n = 0
        while not self._queue.empty():
            if self._queue.get_nowait() is None:
                self.closed = True
            n += 1
        return n

    def close(self) -> None:
        """Stop listening."""
        self._fanout.unsubscribe(self)


class Fanout(Protocol):
    """What the API and the wallboard need from a fan-out."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, message: dict[str, Any]) -> None: ...

    def subscribe(self) -> Subscription: ...


class InProcessFanout:
    """Fan-out within one process: publish hands the message to every local subscriber."""

    def __init__(self) -> None:
        self._subscribers: set[Subscription] = set()

    async def start(self) -> None:
        """Nothing to start in process."""

    async def stop(self) -> None:
        """Close every subscription (open streams end)."""
        for sub in list(self._subscribers):
            sub.put(None)
        self._subscribers.clear()

    async def publish(self, message: dict[str, Any]) -> None:
        """Deliver to every subscriber of this process."""
        self.deliver(message)

    def deliver(self, message: dict[str, Any]) -> None:
        """Hand a message to the local subscribers."""
        for sub in list(self._subscribers):
            sub.put(message)

    def subscribe(self) -> Subscription:
        """A new subscription."""
        sub = Subscription(self)
        self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        """Forget a subscription."""
        self._subscribers.discard(sub)

    @property
    def subscribers(self) -> int:
        """How many listeners this process has."""
        return len(self._subscribers)


class RedisFanout(InProcessFanout):
    """Fan-out across processes through Redis pub/sub; local delivery comes back from Redis."""

    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        super().__init__()
        self.url = url
        self.channel = channel
        self._client: Any = None
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        """Connect and start listening on the channel (returns once subscribed)."""
        import redis.asyncio as redis

        self._client = redis.from_url(self.url)
        self._listener = asyncio.create_task(self._listen(), name="ccops-live-redis")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), 5)

    async def stop(self) -> None:
        """Stop listening, close the connection and every local subscription."""
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
        if self._client is not None:
            await self._client.aclose()
        await super().stop()

    async def publish(self, message: dict[str, Any]) -> None:
        """Publish to every worker; if Redis is unreachable, at least this worker hears it."""
        try:
            await self._client.publish(self.channel, json.dumps(message))
        except Exception as exc:  # noqa: BLE001 — a live view must not fail the ingest
            log.warning("live fan-out: Redis publish failed (%s); delivering locally only", exc)
            self.deliver(message)

    async def _listen(self) -> None:
        backoff = 0.2
        while True:
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                self._ready.set()
                backoff = 0.2
                while True:
                    item = await pubsub.get_message(timeout=1.0)
                    if item is None or item.get("type") != "message":
                        continue
                    try:
                        self.deliver(json.loads(item["data"]))
                    except (ValueError, TypeError):
                        log.warning("live fan-out: ignored a malformed message")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 — reconnect on any connection trouble
                log.warning("live fan-out: Redis listener error (%s); reconnecting", exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()


def make_fanout(redis_url: str | None) -> InProcessFanout:
    """The fan-out for this deployment: Redis when a URL is given, else in-process."""
    return RedisFanout(redis_url) if redis_url else InProcessFanout()
