"""The build folder: every build is made whole in a generation of its own, then switched in.

    BUILD/.builds/<id>/          one generation: shards/, graph.trig, graph.ttl, metadata.trig,
                                 store/, report.ttl, report.txt, stats.json, manifest.json,
                                 search.sqlite (when the full-text index is made), resolution.json;
                                 and for the next re-run only: graph.nq, resolved/, pieces/,
                                 counts.json, validation/
    BUILD/current -> .builds/<id>            the build in place (one symlink, renamed atomically)
    BUILD/.previous -> .builds/<id>          the generation it replaced (a running ``kg serve``
                                             may still read it until the next switch)
    BUILD/graph.trig -> current/graph.trig   stable names, one relative symlink per output
    BUILD/.lock                              held (flock) by the build writing the folder

A build stages everything in ``new_stage(out)`` and calls ``switch(out, stage)`` only when it
has succeeded: a build that fails, is interrupted or killed never touches ``current``, so the
folder always shows one whole build. Leftovers (staging folders of failed or killed builds,
generations older than the previous one, temporary files) are removed by ``clean`` at the start
of the next build and after each switch. A folder made by kg before generations (real files at
the top level) is moved into ``.builds/legacy`` by ``migrate`` and becomes the current build.

Symlinks and ``flock`` are POSIX: Linux and macOS. (On Windows, symlinks need developer mode.)
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import os
import shutil
from pathlib import Path

from .errors import BuildError

#: the outputs of a build, each a stable top-level name linked into ``current/``
NAMES = ("graph.trig", "graph.ttl", "metadata.trig", "shards", "store", "report.ttl", "report.txt",
         "stats.json", "manifest.json", "search.sqlite", "resolution.json")
GENERATIONS = ".builds"
CURRENT = "current"
PREVIOUS = ".previous"
LEGACY = "legacy"


def current(out) -> Path | None:
    """The generation folder ``BUILD/current`` points at, or None (no build switched in yet)."""
    link = Path(out) / CURRENT
    return link.resolve() if link.is_symlink() and link.is_dir() else None


def generation_id(out) -> str | None:
    """The name of the current generation (changes at every switch), or None."""
    link = Path(out) / CURRENT
    try:
        return Path(os.readlink(link)).name
    except OSError:
        return None


@contextlib.contextmanager
def lock(out: Path):
    """Hold ``BUILD/.lock`` for the whole build: a second build of the same folder is refused
    (the lock dies with its process, so a killed build never leaves it held)."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; one build at a time is then the user's care
        yield
        return
    with open(out / ".lock", "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"--out {out}: another kg build is writing this folder",
                             hint="Wait for it to finish, or build into another folder.") from None
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def migrate(out: Path) -> None:
    """Move the outputs of an old-layout build folder (real files and folders at the top level)
    into ``.builds/legacy`` and make it the current build. Resumable if interrupted."""
    old = [n for n in NAMES if (out / n).exists() and not (out / n).is_symlink()]
    if not old:
        return
    legacy = out / GENERATIONS / LEGACY
    legacy.mkdir(parents=True, exist_ok=True)
    for name in old:
        if (legacy / name).is_dir():
            shutil.rmtree(legacy / name)
        os.replace(out / name, legacy / name)
    if not (out / CURRENT).is_symlink():
        _link(out / CURRENT, Path(GENERATIONS) / LEGACY)
    link_outputs(out)


def new_stage(out: Path) -> Path:
    """A fresh generation folder ``.builds/<utc time>-<pid>`` (names sort by age)."""
    now = _dt.datetime.now(_dt.timezone.utc)
    stage = out / GENERATIONS / f"{now:%Y%m%dT%H%M%S%fZ}-{os.getpid()}"
    (stage / "shards").mkdir(parents=True)
    return stage


def switch(out: Path, stage: Path) -> None:
    """Put generation ``stage`` in place: ``.previous`` names the one it replaces, one rename of
    the ``current`` symlink switches, then the top-level names follow and old generations go."""
    before = os.readlink(out / CURRENT) if (out / CURRENT).is_symlink() else None
    if before:
        _link(out / PREVIOUS, before)
    _link(out / CURRENT, Path(GENERATIONS) / stage.name)
    link_outputs(out)
    clean(out)


def link_outputs(out: Path) -> None:
    """One relative symlink ``BUILD/<name> -> current/<name>`` per output the current build has;
    links to outputs it does not have (e.g. report.txt of a build without validation) go."""
    here = current(out)
    for name in NAMES:
        path = out / name
        if here is not None and (here / name).exists():
            if not (path.is_symlink() and os.readlink(path) == f"{CURRENT}/{name}"):
                _link(path, Path(CURRENT) / name)
        elif path.is_symlink():
            path.unlink()


def clean(out: Path) -> None:
    """Remove what no build needs: generations other than current and previous (staging folders
    of failed or killed builds among them) and temporary files at the top level."""
    keep = {Path(os.readlink(out / n)).name for n in (CURRENT, PREVIOUS) if (out / n).is_symlink()}
    for gen in (out / GENERATIONS).iterdir() if (out / GENERATIONS).is_dir() else ():
        if gen.name not in keep:
            shutil.rmtree(gen, ignore_errors=True) if gen.is_dir() else gen.unlink()
    for path in out.iterdir():
        if path.name.startswith(".") and (".tmp-" in path.name or ".old-" in path.name
                                          or path.name.startswith(".kg-write-test-")):
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() and not path.is_symlink() else path.unlink()
    if (out / PREVIOUS).is_symlink() and not (out / PREVIOUS).exists():
        (out / PREVIOUS).unlink()


def _link(path: Path, target: Path | str) -> None:
    """Make ``path`` a symlink to ``target`` atomically (a new link renamed over the old one)."""
    tmp = path.with_name(f".{path.name.lstrip('.')}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, path)
