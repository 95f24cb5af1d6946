"""The ``dask`` executor: ``kg.build.build_document`` on a Dask distributed cluster.

    kg build SOURCES --out BUILD --executor dask                      # a LocalCluster here
    kg build SOURCES --out BUILD --executor dask --scheduler tcp://head:8786

The client reads each source file and sends its bytes with the task; the worker builds the
document in a temporary folder of its own and returns the outcome with the shard's N-Quads,
which the client writes into the build folder. So workers need neither the sources nor the
build folder (no shared file system), only the same version of kg installed. At most
``_WINDOW_PER_THREAD`` tasks per worker thread are in flight, so the client's memory does not
grow with the corpus. The NLP backend is made once per worker process (kg.annotate caches it).

``--file-timeout`` holds on the workers: each worker builds its documents in one child process
(a pebble pool of one, made on the first task), which is killed and replaced when a document
runs over the limit. Dask workers are daemonic processes by default, which may not have
children: start them with ``DASK_DISTRIBUTED__WORKER__DAEMON=False`` (a LocalCluster made here
is). Without a time limit documents run in the worker process itself.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from .errors import BuildError

_CONNECT_SECONDS = 5      # a scheduler that does not answer within this is an error
_WINDOW_PER_THREAD = 4    # tasks in flight per worker thread (at least _WINDOW_MIN)
_WINDOW_MIN = 16
_HINT_INSTALL = "Install the Dask extra: pip install 'kg[dask]'."
_HINT_DAEMON = ("Start the workers with DASK_DISTRIBUTED__WORKER__DAEMON=False (see docs/SCALE.md), "
                "or build without --file-timeout.")


def run_dask(paths: list[Path], shards: Path, options):
    """Yield one DocOutcome per path, in completion order; shards are written here."""
    from .store import write_atomic

    distributed = _import()
    with _Cluster(distributed, options) as client:
        if options.file_timeout:
            _check_can_fork(client)
        window = max(_WINDOW_MIN, _WINDOW_PER_THREAD * sum(client.nthreads().values()))
        todo, running = iter(paths), {}
        done = distributed.as_completed(loop=client.loop)
        try:
            for path in _take(todo, window):
                _submit(client, done, running, path, options)
            for future in done:
                outcome, data = _result(future, running.pop(future))
                if data is not None:
                    write_atomic(shards / f"{outcome.id}.nq", data)
                yield outcome
                for path in _take(todo, 1):
                    _submit(client, done, running, path, options)
        finally:
            if running:  # stopped early: running tasks end on the workers, their results are dropped
                client.cancel(list(running), force=True)


def _take(iterator, n: int) -> list:
    return [x for _, x in zip(range(n), iterator)]


def _import():
    try:
        import distributed
    except ImportError as err:
        raise BuildError(f"--executor dask needs the packages dask and distributed ({err})",
                         hint=_HINT_INSTALL) from None
    return distributed


class _Cluster:
    """A Client of the scheduler at ``options.scheduler``, or of a LocalCluster of
    ``options.workers`` processes with one thread each, closed on leaving."""

    def __init__(self, distributed, options):
        self.distributed, self.options, self.cluster, self.client = distributed, options, None, None
        self.config = None

    def __enter__(self):
        import dask

        address = self.options.scheduler
        if address:
            _probe(address)
        try:
            if not address:  # workers that may have a child process (the --file-timeout pool),
                # also when a nanny restarts one: the setting holds while the cluster lives
                self.config = dask.config.set({"distributed.worker.daemon": False})
                self.cluster = address = self.distributed.LocalCluster(
                    n_workers=max(1, self.options.workers), threads_per_worker=1,
                    processes=True, dashboard_address=None, silence_logs=50)
            self.client = self.distributed.Client(address, timeout=_CONNECT_SECONDS,
                                                  set_as_default=False)
        except Exception as err:  # noqa: BLE001 - any failure to connect is one clear error
            self.__exit__(None, None, None)
            raise _unreachable(self.options.scheduler, err) from None
        return self.client

    def __exit__(self, *exc):
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        if self.config is not None:
            self.config.__exit__(None, None, None)


def _probe(address: str) -> None:
    """Connect once to ``address`` with distributed's own comm layer, so that a bad address
    fails within _CONNECT_SECONDS and before a Client is half made."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from distributed.comm import connect
    from distributed.comm.addressing import normalize_address
    from distributed.security import Security

    async def once():
        comm = await connect(normalize_address(address), timeout=_CONNECT_SECONDS,
                             **Security().get_connection_args("client"))
        await comm.close()

    try:  # in a thread of its own: the caller may have a running event loop (Jupyter)
        with ThreadPoolExecutor(max_workers=1) as thread:
            thread.submit(asyncio.run, once()).result()
    except Exception as err:  # noqa: BLE001 - bad scheme, no port, refused, timeout, not dask
        raise _unreachable(address, err) from None


def _unreachable(address: str | None, err: Exception) -> BuildError:
    if not address:
        return BuildError(f"--executor dask: cannot start a local Dask cluster: {err}",
                          hint="Check that dask and distributed are installed alike, or give "
                               "--scheduler the address of a running cluster.")
    return BuildError(f"--scheduler: cannot connect to the Dask scheduler at {address}: {err}",
                      hint="Give --scheduler the address `dask scheduler` prints "
                           "(tcp://HOST:8786), check that it runs and that the port is reachable.")


def _check_can_fork(client) -> None:
    daemonic = [w for w, d in client.run(_is_daemonic).items() if d]
    if daemonic:
        raise BuildError(f"--file-timeout needs Dask workers that may start a child process; "
                         f"{len(daemonic)} worker(s) are daemonic ({daemonic[0]} …)",
                         hint=_HINT_DAEMON)


def _is_daemonic() -> bool:
    import multiprocessing

    return bool(multiprocessing.current_process().daemon)


def _submit(client, done, running: dict, path: Path, options) -> None:
    from .build import DocOutcome

    try:
        data = path.read_bytes()
    except OSError as err:
        data = DocOutcome(str(path), path.name, error=f"cannot read ({err.strerror or err})")
    if isinstance(data, bytes) and len(data) > 1 << 20:  # large files travel beside the graph
        data = client.scatter(data, hash=False)
    future = client.submit(build_remote, str(path), data, options.nlp, options.nlp_options,
                           options.file_timeout, pure=False)
    running[future] = path
    done.add(future)


def _result(future, path: Path):
    from .build import DocOutcome

    try:
        return future.result()
    except Exception as err:  # noqa: BLE001 - the task or its worker failed: this file failed
        error = f"on the Dask cluster: {type(err).__name__}: {err}"
        return DocOutcome(str(path), path.name, error=error), None


# ------------------------------------------------------------------ on a worker

def build_remote(path: str, data, nlp: str, nlp_options: dict, timeout: float | None):
    """Build the source ``path`` (its bytes ``data``) in a temporary folder of this worker;
    return (DocOutcome naming ``path``, N-Quads bytes of its shard or None)."""
    from .build import DocOutcome, build_document
    from .executor import outcome_of

    name = Path(path).name
    if isinstance(data, DocOutcome):  # the client could not read the file
        return data, None
    if timeout and _is_daemonic():  # a worker that joined after the check in run_dask
        return DocOutcome(path, name, fatal=True, hint=_HINT_DAEMON, error=(
            "--file-timeout: this Dask worker is a daemonic process, which may not start the "
            "child process that enforces the limit")), None
    with tempfile.TemporaryDirectory(prefix="kg-doc-") as tmp:
        source, shards = Path(tmp, "src", name), Path(tmp, "shards")
        source.parent.mkdir()
        source.write_bytes(data)
        if timeout:
            future = _child_pool().schedule(build_document, args=(source, shards, nlp, nlp_options),
                                            timeout=timeout)
            outcome = outcome_of(future, source, timeout)
        else:
            outcome = build_document(source, shards, nlp, nlp_options)
        shard = shards / f"{outcome.id}.nq"
        quads = shard.read_bytes() if outcome.error is None and shard.exists() else None
    return _renamed(outcome, str(source), path), quads


def _renamed(outcome, temporary: str, path: str):
    """The outcome as if built from ``path``: messages name the user's file, not the copy."""
    outcome.path = path
    if outcome.error:
        outcome.error = outcome.error.replace(temporary, path)
    outcome.warnings = [w.replace(temporary, path) for w in outcome.warnings]
    return outcome


_POOL = None


def _child_pool():
    """This worker's pool of one child process, for documents under a time limit. Forked on
    Linux (Dask workers default to spawn), so the child has what the worker has: backends
    registered by ``--preload`` modules, the imported pipeline."""
    global _POOL
    if _POOL is None or not _POOL.active:
        import multiprocessing
        import multiprocessing.util

        from pebble import ProcessPool

        from .executor import die_with_parent

        method = "fork" if sys.platform.startswith("linux") else None
        _POOL = ProcessPool(max_workers=1, initializer=die_with_parent, initargs=(os.getpid(),),
                            context=multiprocessing.get_context(method))
        # stopped before multiprocessing's exit joins the (idle) child: else the worker hangs
        multiprocessing.util.Finalize(None, _stop_child_pool, exitpriority=10)
    return _POOL


def _stop_child_pool() -> None:
    if _POOL is not None:
        _POOL.stop()
        _POOL.join(timeout=5)
