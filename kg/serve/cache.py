"""Answers the server keeps: the store is read-only while it is served, so an answer stays right.

An answer is keyed by everything that shapes it: the query text, the protocol's dataset
(``default-graph-uri``/``named-graph-uri``), the formats that ``Accept`` and ``format`` choose
(two clients asking for JSON in different words share an answer), the row cap and the base IRI. Requests for a key being evaluated wait for that one evaluation instead of starting their
own (a slow query asked by eight clients at once occupies one worker, not eight). Only complete
200 answers are kept (never a timeout or an error), least recently used first out beyond a byte
budget; an answer larger than half the budget is sent but not kept.

Every 200 answer carries an ``ETag`` made of the store's identity and the key, so a client that
sends ``If-None-Match`` with it gets ``304 Not Modified`` without any evaluation.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from pathlib import Path

from . import formats

# The parts of a query payload that decide its answer (``max_rows`` included: a cut answer),
# besides the negotiated formats.
KEY_FIELDS = ("query", "default_graph", "named_graphs", "max_rows", "base_iri")


def store_tag(path: str | None, nquads: bytes | None = None) -> str:
    """A short identity of the store's content: its files' names, sizes and modification times
    (a store opened read-only does not change them), or the hash of in-memory N-Quads."""
    h = hashlib.sha1()
    if path is None:
        h.update(nquads or b"")
    else:
        for f in sorted(Path(path).iterdir()):
            st = f.stat()
            h.update(f"{f.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:12]


class AnswerCache:
    """Complete protocol answers by key, within ``max_bytes``; one evaluation per key at a time."""

    def __init__(self, max_bytes: int, tag: str):
        self.max_bytes = max_bytes
        self.tag = tag
        self.bytes = 0
        self.hits = self.misses = self.shared = 0
        self._entries: OrderedDict[str, tuple] = OrderedDict()
        self._running: dict[str, asyncio.Task] = {}

    @staticmethod
    def key(payload: dict) -> str:
        fields: list = [payload.get(k) for k in KEY_FIELDS]
        for kind in ("results", "graph"):  # the form of the query is known only once it is parsed
            try:
                fmt = formats.choose(kind, payload.get("accept"), payload.get("format"))
            except formats.NotAcceptable:
                fmt = None
            fields.append(getattr(fmt, "media_type", fmt))
        return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()

    def etag(self, key: str) -> str:
        return f'"{self.tag}-{key[:24]}"'

    def __len__(self) -> int:
        return len(self._entries)

    async def answer(self, key: str, run: Callable[[], Awaitable[tuple]]) -> tuple[tuple, str]:
        """(answer, how): ``hit`` (kept), ``shared`` (joined a running evaluation) or ``miss``."""
        kept = self._entries.get(key)
        if kept is not None:
            self._entries.move_to_end(key)
            self.hits += 1
            return kept, "hit"
        task = self._running.get(key)
        how = "shared"
        if task is None:
            how = "miss"
            # A task of its own: it finishes (and is kept) even if the asking client goes away.
            task = asyncio.ensure_future(run())
            self._running[key] = task
            task.add_done_callback(lambda t: self._finished(key, t))
        self.shared += how == "shared"
        self.misses += how == "miss"
        return await asyncio.shield(task), how

    def _finished(self, key: str, task: asyncio.Task) -> None:
        self._running.pop(key, None)
        if task.cancelled() or task.exception() is not None:  # exception() marks it retrieved
            return
        answer = task.result()
        if answer[0] == "ok":
            self._keep(key, answer)

    def _keep(self, key: str, answer: tuple) -> None:
        size = len(answer[2]) + 256
        if size > self.max_bytes // 2:
            return
        self._entries[key] = answer
        self.bytes += size
        while self.bytes > self.max_bytes:
            _, old = self._entries.popitem(last=False)
            self.bytes -= len(old[2]) + 256
