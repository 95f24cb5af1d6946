"""Executors: where ``kg.build.build_document`` runs, one call per source file.

``run(paths, shards, options)`` yields one ``DocOutcome`` per path, in completion order, with a
progress bar on stderr. ``local`` (the default) runs a pool of processes on this machine
(``pebble``: a task over ``options.file_timeout`` is stopped by killing its worker, which the
pool replaces); ``dask`` runs the same function on a Dask distributed cluster
(kg.executor_dask). With one worker and no time limit the documents run in this process.

Worker processes die with their parent: on Linux each asks the kernel for SIGKILL when its
parent goes (``prctl(PR_SET_PDEATHSIG)``), and everywhere a watchdog thread exits the worker
when its parent process id changes. SIGTERM or SIGINT of this process while documents are
built stops the workers and raises ``BuildError`` ("stopped by SIGTERM"), which the CLI
reports with exit status 2.
"""
from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from pathlib import Path

EXECUTORS = ("local", "dask")

_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_WATCH_SECONDS = 0.5   # how often a worker checks that its parent is alive


def run(paths: list[Path], shards: Path, options):
    """Yield one DocOutcome per path, in completion order, with a progress bar on stderr."""
    from tqdm import tqdm

    _check(options)
    if options.executor == "dask":
        from .executor_dask import run_dask as engine
    else:
        engine = _local
    bar = tqdm(total=len(paths), unit="doc", file=sys.stderr, leave=False,
               disable=not (options.progress and sys.stderr.isatty()))
    done, outcomes = 0, engine(paths, shards, options)
    try:
        with bar, _stop_on_signals() as guard, contextlib.closing(outcomes):
            for outcome in outcomes:
                with guard.outside():
                    yield outcome
                done += 1
                bar.update()
    except _Stopped as stop:
        from .errors import BuildError

        raise BuildError(f"kg build stopped by {stop.name} after {done} of {len(paths)} file(s); "
                         "its worker processes were stopped",
                         hint="Run the same kg build again to build everything.") from None


def _check(options) -> None:
    from .errors import BuildError

    hint = "Use --executor local (this machine) or --executor dask [--scheduler ADDRESS]."
    if options.executor not in EXECUTORS:
        raise BuildError(f"unknown executor {options.executor!r}; known: {', '.join(EXECUTORS)}",
                         hint=hint)
    if options.scheduler and options.executor != "dask":
        raise BuildError(f"--scheduler {options.scheduler} is for --executor dask, not "
                         f"--executor {options.executor}", hint=hint)


def in_process(options, files: int) -> bool:
    """The local executor builds ``files`` files in this process, starting no worker process."""
    return (options.workers <= 1 or files == 1) and not options.file_timeout


def _local(paths: list[Path], shards: Path, options):
    from concurrent.futures import as_completed

    from .build import build_document

    if in_process(options, len(paths)):
        for p in paths:
            yield build_document(p, shards, options.nlp, options.nlp_options)
        return
    with worker_pool(min(options.workers, len(paths))) as pool:
        futures = {pool.schedule(build_document, args=(p, shards, options.nlp, options.nlp_options),
                                 timeout=options.file_timeout): p for p in paths}
        for future in as_completed(futures):
            yield outcome_of(future, futures[future], options.file_timeout)


@contextlib.contextmanager
def worker_pool(workers: int):
    """A pebble ProcessPool whose workers die with this process; stopped (not drained) when
    the block is left by an exception, a signal or a closed generator."""
    from pebble import ProcessPool

    pool = ProcessPool(max_workers=workers, initializer=die_with_parent, initargs=(os.getpid(),))
    try:
        yield pool
    except BaseException:
        pool.stop()
        pool.join()
        raise
    pool.close()
    pool.join()


def outcome_of(future, path: Path, timeout: float | None):
    """The DocOutcome of a pool task; a task over the time limit or whose worker died is a
    failed file, not a failed build."""
    from concurrent.futures import TimeoutError as Timeout

    from pebble import ProcessExpired

    from .build import DocOutcome

    try:
        return future.result()
    except Timeout:
        error = (f"took longer than {timeout:g} s (--file-timeout); its worker process was "
                 "stopped and the other files are built")
        hint = "Split the file, or give a larger --file-timeout."
    except ProcessExpired as err:
        error = f"its worker process died ({_exit_reason(err.exitcode)}) while building it"
        hint = "The file may need more memory than the machine has: split it, or use fewer --workers."
    except Exception as err:  # noqa: BLE001 - e.g. an outcome that could not be pickled
        error, hint = f"{type(err).__name__}: {err}", ""
    return DocOutcome(path=str(path), id=Path(path).name, error=error, hint=hint)


def _exit_reason(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            pass
    return f"exit status {code}"


# ------------------------------------------------------------------ workers die with their parent

def die_with_parent(parent: int) -> None:
    """Worker initializer: exit when ``parent`` (the process that made the pool) goes away.

    Linux: the kernel sends SIGKILL when the parent thread that forked us ends (prctl). Other
    systems: a daemon thread polls os.getppid(), which changes when the parent dies (macOS and
    other POSIX systems reparent orphans; on Windows it does not change: there a worker ends
    when the pool's pipe closes, after the document it is building). SIGINT is ignored: the
    parent decides how a Ctrl-C stops the build."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        _prctl_pdeathsig(signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="kg-watch-parent",
                     daemon=True).start()


def _prctl_pdeathsig(signum: int) -> bool:
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    except (OSError, AttributeError):  # no libc with prctl: the watchdog still runs
        return False


def _watch_parent(parent: int) -> None:
    import time

    while os.getppid() == parent:
        time.sleep(_WATCH_SECONDS)
    os._exit(1)


# ------------------------------------------------------------------ SIGTERM / SIGINT

class _Stopped(BaseException):
    """Raised in the main thread by SIGTERM/SIGINT. Not an Exception, so that no ``except
    Exception`` (build_document's "one bad file") takes it for a failed file."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.name = signal.Signals(signum).name


class _Guard:
    """Turns SIGTERM/SIGINT into _Stopped in the executor's frames only: a signal that comes
    while the caller holds a yielded outcome waits until the executor resumes."""

    def __init__(self):
        self.previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
        self.pending: int | None = None
        self.away = False

    def handler(self, signum, frame):
        self.restore()  # a second signal acts as before: the user insists
        if self.away:
            self.pending = signum
        else:
            raise _Stopped(signum)

    def restore(self):
        for s, handler in self.previous.items():
            signal.signal(s, signal.SIG_DFL if handler is None else handler)

    @contextlib.contextmanager
    def outside(self):
        self.away = True
        try:
            yield
        finally:
            self.away = False
        if self.pending is not None:
            raise _Stopped(self.pending)


@contextlib.contextmanager
def _stop_on_signals():
    """While documents are built, SIGTERM and SIGINT raise _Stopped in this (main) thread:
    the executor's cleanup stops the workers."""
    guard = _Guard()
    if threading.current_thread() is not threading.main_thread():
        yield guard
        return
    for s in guard.previous:
        signal.signal(s, guard.handler)
    try:
        yield guard
    finally:
        guard.restore()
