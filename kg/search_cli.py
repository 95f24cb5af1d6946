"""Click commands `kg index` and `kg search` (the full-text index, kg/search.py); kg/cli.py
attaches them with ``add_command``."""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import click

from .search import KINDS


@click.command("index", epilog="\b\nExit status: 0 done, 2 error (no store in BUILD).")
@click.argument("build_dir", metavar="BUILD", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Index file to write [BUILD/search.sqlite].")
def index(build_dir, output):
    """(Re)make the full-text index of BUILD: names and aliases of its entities, its evidence
    sentences (SQLite FTS5), which `kg search` and `kg serve`'s /search read.

    \b
    Example:
      kg index build/ && kg search build/ 签署
    """
    from .search import index_path, write_index
    from .store import open_store

    started = time.perf_counter()
    path = write_index(open_store(build_dir), output or index_path(build_dir))
    with _connection(path) as db:
        counts = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('entities', 'sentences')"))
    click.echo(f"wrote {path}: {counts['entities']} entities, {counts['sentences']} sentences "
               f"in {time.perf_counter() - started:.1f} s", err=True)


def _connection(path):
    from contextlib import closing

    from .search import open_index

    return closing(open_index(path))


@click.command("search", epilog="\b\nExit status: 0 done (also when nothing matched), 2 error (no index).")
@click.argument("build_dir", metavar="BUILD", type=click.Path(exists=True, path_type=Path))
@click.argument("words", metavar="TEXT", nargs=-1, required=True)
@click.option("--kind", type=click.Choice(KINDS), help="Only entities or only evidence sentences [both].")
@click.option("--limit", type=click.IntRange(min=0), default=10, show_default=True, help="Results of each kind.")
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True, help="Results skipped first.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def search(build_dir, words, kind, limit, offset, fmt):
    """Find entities by name or alias and evidence sentences by words in BUILD's index
    (BUILD/search.sqlite, or the index file given as BUILD). Words separated by spaces must
    all be found; any length works ("京", "签署", "一网通办").

    \b
    Examples:
      kg search build/ 袁家军
      kg search build/ 数字 重庆 --kind sentences --limit 20 --offset 20
      kg search build/ 一网通办 --format json
    """
    from .search import search as run

    result = run(build_dir, " ".join(words), kind=kind, limit=limit, offset=offset)
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for name in KINDS:
        if kind in (None, name):
            _print_table(build_dir, name, result, offset)


def _print_table(build_dir: Path, kind: str, result: dict, offset: int) -> None:
    """One table of a kind on stdout; what part of how many matches it is on stderr."""
    from .output import render
    from .store import prefixes

    rows, total = result[kind], result["total"][kind]
    if kind == "entities":
        names = ["name", "types", "mentions", "iri"]
        cells = [(r["name"], " ".join(r["types"]), r["mentions"], r["iri"]) for r in rows]
    else:
        names = ["date", "sentence", "title", "evidence"]
        cells = [(r["date"], r["text"], r["title"], r["evidence"]) for r in rows]
    shown = f"{offset + 1}–{offset + len(rows)} of {total}" if rows else f"none of {total} shown"
    click.echo(f"{kind}: {shown}", err=True)
    if rows:
        folder = build_dir if build_dir.is_dir() else build_dir.parent
        width = shutil.get_terminal_size((0, 0)).columns
        click.echo(render("table", names, cells, prefixes(folder), width))
