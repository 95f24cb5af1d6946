"""Fair sharing of worker processes between clients (a client is a remote address).

A few clients looping slow queries must not take every worker from everyone else. Each
operation first takes a slot of a :class:`FairShare`: at most ``slots`` operations run at
once (one per worker), at most ``share`` of them for one client. A request that cannot run
yet waits in its client's queue; when a slot frees, it goes to the waiting client with the
fewest running operations (a newcomer before a client that already runs some), ties taken in
turn (round robin). A client with ``queue_limit`` requests already waiting is told to come
back later (:class:`Overloaded`, HTTP 429 with ``Retry-After``) instead of piling up more.

Runs on the event loop only (no locks): every change of state happens between awaits.
"""
from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict, deque


class Overloaded(Exception):
    """The client already has as many requests waiting as it may (429)."""


class WaitedTooLong(Exception):
    """No slot became free for this client within the time limit (503)."""


class FairShare:
    """Slots for ``slots`` concurrent operations, at most ``share`` per client."""

    def __init__(self, slots: int, share: int | None = None, queue_limit: int | None = None):
        self.slots = max(1, slots)
        self.share = max(1, share if share is not None else self.slots // 2)
        self.queue_limit = max(1, queue_limit if queue_limit is not None else 2 * self.slots)
        self.running: dict[str, int] = {}
        self._waiting: OrderedDict[str, deque[asyncio.Future]] = OrderedDict()

    @property
    def free(self) -> int:
        return self.slots - sum(self.running.values())

    def waiting(self, client: str) -> int:
        return sum(not f.done() for f in self._waiting.get(client, ()))

    @contextlib.asynccontextmanager
    async def slot(self, client: str, timeout: float):
        """Hold one slot for ``client`` while the block runs; raise Overloaded or WaitedTooLong."""
        await self._acquire(client, timeout)
        try:
            yield
        finally:
            self._release(client)

    async def _acquire(self, client: str, timeout: float) -> None:
        if self.waiting(client) >= self.queue_limit:
            raise Overloaded(f"{self.waiting(client)} requests of this client are already waiting "
                             f"and {self.running.get(client, 0)} running; ask again later "
                             "(请求过多，请稍后再试)")
        granted = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(client, deque()).append(granted)
        self._dispatch()
        try:
            async with asyncio.timeout(timeout):
                await asyncio.shield(granted)
        except BaseException as err:
            if granted.done() and not granted.cancelled():
                self._release(client)  # granted just as the wait ended: give it back
            else:
                granted.cancel()
                self._dispatch()
            if isinstance(err, TimeoutError):
                raise WaitedTooLong(f"no worker became free within {timeout:g} s") from None
            raise

    def _release(self, client: str) -> None:
        left = self.running.get(client, 0) - 1
        if left > 0:
            self.running[client] = left
        else:
            self.running.pop(client, None)
        self._dispatch()

    def _dispatch(self) -> None:
        """Give free slots to waiting requests: fewest running first, then in turn."""
        while self.free > 0:
            client = self._next_client()
            if client is None:
                return
            queue = self._waiting[client]
            granted = queue.popleft()
            self._waiting.move_to_end(client)  # its turn is over
            if not queue:
                del self._waiting[client]
            self.running[client] = self.running.get(client, 0) + 1
            granted.set_result(None)

    def _next_client(self) -> str | None:
        best = None
        for client in list(self._waiting):
            queue = self._waiting[client]
            while queue and queue[0].done():  # given up (timeout, disconnect)
                queue.popleft()
            if not queue:
                del self._waiting[client]
                continue
            running = self.running.get(client, 0)
            if running < self.share and (best is None or running < self.running.get(best, 0)):
                best = client
        return best
