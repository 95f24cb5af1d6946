"""The pool of worker processes (:mod:`.worker`): started together, killed past a deadline,
replaced at once by a spare, closed whole."""
from __future__ import annotations

import multiprocessing
import queue
import threading
import time

from .worker import Source, _main, _recv


class QueryTimeout(Exception):
    """The query ran past the wall-clock limit and its worker was stopped."""


class Busy(Exception):
    """No worker became free within the time limit."""


class _Worker:
    def __init__(self, ctx, source: Source):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_main, args=(child, source), daemon=True)
        self.proc.start()
        child.close()
        self._killing = threading.Lock()

    def kill(self) -> None:
        """Stop the process and close its pipe; safe to call twice (a call thread retiring the
        worker while the pool closes at shutdown)."""
        with self._killing:
            self.proc.kill()
            self.proc.join(5)
            self.conn.close()  # a no-op the second time


class WorkerPool:
    """A fixed number of worker processes (and ``spares`` started ones waiting to replace a
    killed worker without delay); ``call`` runs one operation with a deadline."""

    def __init__(self, source: Source, size: int = 2, spares: int = 1):
        self.source = source
        self.size = size
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._spare: queue.Queue[_Worker] = queue.Queue()  # started, takes a killed one's place
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.guard: tuple[bool, str] = (False, "no worker started")  # sandbox.block_network()
        spares = 0 if source.writable else spares  # one process only may open a writable store
        started = [self._spawn() for _ in range(size + spares)]  # started together, then awaited
        for i, worker in enumerate(started):
            self._ready(worker, spare=i >= size)

    @property
    def alive(self) -> int:
        """Workers started and not retired (a worker that failed to open the store is retired)."""
        with self._lock:
            return len(self._all)

    def _spawn(self) -> _Worker:
        worker = _Worker(self._ctx, self.source)
        with self._lock:
            self._all.add(worker)
        return worker

    def _ready(self, worker: _Worker, spare: bool = False) -> None:
        try:
            self.guard = worker.conn.recv()[1]
        except (EOFError, OSError):
            return self._retire(worker)
        (self._spare if spare else self._idle).put(worker)

    def _replace(self) -> None:
        """Put the spare worker (already started) in place of a killed one at once, and start
        a new spare in the background; without a spare, the new worker takes the place."""
        if self._closed:
            return
        try:
            self._idle.put(self._spare.get_nowait())
            spare = True
        except queue.Empty:
            spare = False
        worker = self._spawn()
        threading.Thread(target=self._ready, args=(worker, spare), daemon=True).start()

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    def call(self, op: str, payload: dict | None = None, timeout: float = 30.0):
        """Run ``op`` in a free worker (waiting at most ``timeout`` for one, then ``timeout``
        for the answer); raise QueryTimeout (worker killed) or Busy."""
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise Busy(f"all workers stayed busy for {timeout:g} s") from None
        deadline = time.monotonic() + timeout
        try:
            if worker.conn.poll(0):  # stale bytes: never reuse such a worker
                raise EOFError
            worker.conn.send((op, payload or {}))
            if worker.conn.poll(max(0.0, deadline - time.monotonic())):
                answer = _recv(worker.conn)
                self._idle.put(worker)
                return answer
        except (EOFError, OSError, BrokenPipeError):
            self._retire(worker)
            self._replace()
            return ("error", 500, "the query worker died (out of memory?); it was restarted")
        self._retire(worker)
        self._replace()
        raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped")

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.kill()
