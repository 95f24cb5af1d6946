"""Executors: where ``kg.build.build_document`` runs, one call per source file.

``run(paths, shards, options)`` yields one ``DocOutcome`` per path, in completion order, with a
progress bar on stderr. ``local`` (the default) runs a process pool on this machine.
"""
from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

EXECUTORS = ("local",)


def run(paths: list[Path], shards: Path, options):
    """Yield one DocOutcome per path, in completion order, with a progress bar on stderr."""
    from tqdm import tqdm

    bar = tqdm(total=len(paths), unit="doc", file=sys.stderr, leave=False,
               disable=not (options.progress and sys.stderr.isatty()))
    with bar:
        for outcome in _local(paths, shards, options):
            yield outcome
            bar.update()


def _local(paths: list[Path], shards: Path, options):
    from .build import build_document

    if options.workers <= 1 or len(paths) == 1:
        for p in paths:
            yield build_document(p, shards, options.nlp, options.nlp_options)
        return
    with ProcessPoolExecutor(max_workers=min(options.workers, len(paths))) as pool:
        futures = [pool.submit(build_document, p, shards, options.nlp, options.nlp_options)
                   for p in paths]
        for future in as_completed(futures):
            yield future.result()
