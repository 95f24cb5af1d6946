"""The command line: thin wrappers around the API of ``kg``.

Data goes to stdout, logs and progress to stderr. The library raises ``KGError``; only this
module turns it into ``error: …`` / ``hint: …`` and an exit status.
"""
from __future__ import annotations

import dataclasses
import json
import shutil
import sys
from pathlib import Path

import click

import kg
from kg.errors import KGError
from kg.output import FORMATTERS, render

EXIT_CODES = """\b
Exit status:
  0  done (and the graph conforms to the shapes)
  1  some files failed (the others were built), or SHACL violations
  2  nothing built, bad usage, or an error (message and hint on stderr)"""


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KGError as err:
            click.echo(f"error: {err}", err=True)
            if err.hint:
                click.echo(f"hint: {err.hint}", err=True)
            ctx.exit(2)
        except click.UsageError as err:  # bad option or argument: the same form as other errors
            click.echo(f"error: {err.format_message()}", err=True)
            command = err.ctx.command_path if err.ctx else "kg"
            click.echo(f"hint: see `{command} --help`", err=True)
            ctx.exit(2)


def run() -> None:
    """The entry point of ``kg`` and ``python -m kg``: ``main``, then the end of the process
    without the interpreter's teardown, which frees every object one by one (after a build,
    the NLP model and the caches: ~0.2 s). Output is flushed and the exit handlers run first;
    with a thread of its own still running, a command ends as usual."""
    import atexit
    import os
    import threading

    try:
        main(prog_name="kg")
        code = 0
    except SystemExit as end:
        code = end.code
    if code is not None and not isinstance(code, int):
        click.echo(code, err=True)
        code = 1
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed, or a broken pipe: nothing more to say there
            pass
    atexit._run_exitfuncs()
    os._exit(code or 0)


@click.group(cls=_Group, epilog=EXIT_CODES)
@click.version_option(kg.__version__, prog_name="kg")
def main():
    """Build an RDF knowledge graph from Chinese smart-city governance news.

    \b
    Examples:
      kg build seeds/ --out build/         # read, annotate, extract, link, map, validate, store
      kg validate build/                   # SHACL report in zh and en
      kg query build/ agreements           # a canned research question (kg query --list)
      kg export build/ --format ttl -o graph.ttl
      kg annotate article.txt              # JSON lines of entity mentions
      kg serve build/                      # SPARQL endpoint and web page on 127.0.0.1:7878
    """


@main.command(epilog=EXIT_CODES)
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "-o", default="build", show_default=True, type=click.Path(path_type=Path),
              help="Build folder to write.")
@click.option("--nlp", default="lac", show_default=True, help="NLP backend: lac, hanlp, hanlp-restful.")
@click.option("--nlp-option", "nlp_options", multiple=True, metavar="KEY=VALUE",
              help="Backend option, repeatable: url=…, auth=… (hanlp-restful), model=… (hanlp).")
@click.option("--workers", "-j", type=click.IntRange(min=1), help="Document processes [min(2, CPUs)].")
@click.option("--shapes", type=click.Path(exists=True, path_type=Path), help="SHACL shapes folder.")
@click.option("--no-validate", is_flag=True, help="Skip SHACL validation.")
@click.option("--rebuild", is_flag=True, help="Rebuild every file, even those unchanged since the last build.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where documents are built: local processes, or a Dask distributed cluster.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Dask scheduler address (tcp://host:8786); default: a LocalCluster. Only with --executor dask.")
@click.option("--file-timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Time limit per source file: a file over it is reported as failed [no limit].")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary (failures and warnings are still printed).")
def build(sources, out, nlp, nlp_options, workers, shapes, no_validate, rebuild, executor, scheduler,
          file_timeout, quiet):
    """Build a graph from SOURCES (.txt, .md, .html files or folders).

    \b
    Writes OUT/graph.trig, graph.ttl, metadata.trig, shards/<doc>.nq, report.ttl,
    report.txt, stats.json, manifest.json and store/, made whole in OUT/.builds/<id>/
    and switched in when the build succeeds. A re-run rebuilds only new and changed
    files (--rebuild: all). Example:
      kg build seeds/ ../shared/eval/dev/*.md --out build/ --workers 2
    """
    from kg.build import BuildOptions

    options = BuildOptions(nlp=nlp, nlp_options=_key_values(nlp_options), shapes=shapes,
                           validate=not no_validate, progress=not quiet, rebuild=rebuild,
                           executor=executor, scheduler=scheduler, file_timeout=file_timeout)
    if workers:
        options.workers = workers
    result = kg.build_graph(sources, out, options)
    for d in result.documents if quiet else ():
        for w in d.warnings:
            click.echo(f"warning: {w}", err=True)
    for e in result.errors if quiet else ():
        click.echo(f"failed: {e.message}", err=True)
    if not quiet:
        click.echo(result.summary(), err=True)
    sys.exit(result.exit_code)


def _key_values(pairs) -> dict:
    """--nlp-option url=http://… --nlp-option timeout=10 -> {"url": "http://…", "timeout": 10}."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--nlp-option")
        out[key.strip()] = _number_or_text(value)
    return out


def _number_or_text(value: str):
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


@main.command(epilog="\b\nExit status: 0 conforms (warnings allowed), 1 violations, 2 error.")
@click.argument("paths", metavar="PATH...", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--shapes", type=click.Path(exists=True, path_type=Path),
              help="SHACL shapes file or folder [the project's shapes/].")
@click.option("--engine", type=click.Choice(["auto", "pyshacl", "turbo"]), default="auto", show_default=True,
              help="turbo: pyshacl-turbo (pip install 'kg[turbo]'), the same report, several times faster; "
                   "auto: turbo when installed, else pyshacl.")
@click.option("--format", "fmt", type=click.Choice(["text", "ttl", "json"]), default="text",
              show_default=True)
@click.option("--lang", type=click.Choice(["zh", "en", "both"]), default="both", show_default=True,
              help="Language of the text report.")
def validate(paths, shapes, engine, fmt, lang):
    """Validate PATHs (build folders, or any RDF files or folders) against SHACL shapes.

    \b
    Examples:
      kg validate build/
      kg validate my-graph.ttl more.trig --shapes shapes/ --format json
    """
    report = kg.validate_graph(list(paths), shapes, engine=engine)
    click.echo(report.render(fmt, lang), nl=False)
    sys.exit(report.exit_code)


TERMINAL_PAGE = 50  # rows of a table on a terminal when no --limit is given


@main.command(epilog="\b\nExit status: 0 done, 2 error (unknown query, malformed SPARQL, no build).")
@click.argument("build_dir", metavar="BUILD", required=False, type=click.Path(path_type=Path))
@click.argument("name", metavar="NAME_OR_PATH", required=False)
@click.option("--format", "fmt", type=click.Choice(list(FORMATTERS)),
              help="Output format [table on a terminal, csv otherwise]; table: prefixed names, "
                   "cut to the terminal's width; csv, tsv, json: full IRIs.")
@click.option("--list", "list_", is_flag=True, help="List the canned queries and their questions.")
@click.option("--limit", type=click.IntRange(min=0), metavar="N",
              help=f"Rows to print, 0 for all [{TERMINAL_PAGE} for a table on a terminal, else all].")
@click.option("--offset", type=click.IntRange(min=0), default=0, metavar="M",
              help="Rows to skip first: the next page of 50 is --offset 50.")
def query(build_dir, name, fmt, list_, limit, offset):
    """Run a canned query (a name of queries/) or a .rq file over BUILD.

    A page of the answer (--limit, --offset) goes to stdout and "rows a–b of N" to stderr;
    without --limit a table on a terminal shows the first 50 rows, other output all of them.

    \b
    Examples:
      kg query --list
      kg query build/ agreements
      kg query build/ posts --limit 20 --offset 20      # rows 21–40
      kg query build/ my.rq --format json
    """
    from kg.store import list_queries, read_query

    if list_:
        listed = list_queries()
        width = max((len(n) for n, _ in listed), default=0)
        for qname, question in listed:
            click.echo(f"{qname:{width}}  {question}")
        return
    if build_dir is None or name is None:
        raise click.UsageError("give BUILD and NAME_OR_PATH, or --list")
    fmt = fmt or ("table" if sys.stdout.isatty() else "csv")
    if limit is None:
        limit = TERMINAL_PAGE if fmt == "table" and sys.stdout.isatty() else 0
    if fmt == "csv" and not (limit or offset) and _write_csv(build_dir, read_query(name)):
        return
    result = kg.query(build_dir, read_query(name))
    click.echo(_render(fmt, _page(result, limit, offset), build_dir), nl=False)


def _write_csv(build_dir, sparql: str) -> bool:
    """A whole SELECT answer as CSV written by pyoxigraph's SPARQL 1.1 CSV serializer (values
    in their lexical form, as kg serve writes them), rows ended by \\n like kg/output.py's: on
    95 k evidence rows it saves the Python terms and csv rows (1.5 of 4 s). False: not a SELECT."""
    from pyoxigraph import QueryResultsFormat, QuerySolutions

    from kg.errors import QueryError
    from kg.store import open_store

    try:
        result = open_store(build_dir).query(sparql, use_default_graph_as_union=True)
    except SyntaxError as err:
        raise QueryError(f"malformed SPARQL: {err}") from None
    if not isinstance(result, QuerySolutions):
        return False
    # the serializer ends rows by \r\n; a \r\n inside a quoted value stays as it is
    parts = result.serialize(format=QueryResultsFormat.CSV).split(b'"')
    parts[::2] = [p.replace(b"\r\n", b"\n") for p in parts[::2]]
    sys.stdout.flush()
    sys.stdout.buffer.write(b'"'.join(parts))
    sys.stdout.buffer.flush()
    return True


def _page(result, limit: int, offset: int):
    """Rows ``offset`` to ``offset + limit`` of ``result`` (limit 0: to the end); when that is
    not the whole answer, says which rows of how many on stderr, and how to get the next."""
    total = len(result.rows)
    if offset == 0 and (limit == 0 or limit >= total):
        return result
    rows = result.rows[offset:offset + limit] if limit else result.rows[offset:]
    shown = f"rows {offset + 1}–{offset + len(rows)} of {total}" if rows else f"no rows past {offset} of {total}"
    more = f"; next: --offset {offset + len(rows)}" if offset + len(rows) < total else ""
    click.echo(shown + more, err=True)
    return dataclasses.replace(result, rows=rows)


def _render(fmt: str, result, build_dir) -> str:
    """``result`` as ``fmt`` (kg/output.py): a table shows the build's prefixed names and fits
    the terminal (no limit when stdout is not one and COLUMNS is unset); csv/tsv/json: full IRIs."""
    if fmt != "table":
        return render(fmt, result.vars, result.rows)
    from kg.store import prefixes

    width = shutil.get_terminal_size((0, 0)).columns
    return render(fmt, result.vars, result.rows, prefixes(build_dir), width)


@main.command(epilog="\b\nExit status: 0 done, 2 error.")
@click.argument("build_dir", metavar="BUILD", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "trig", "nq", "jsonld"]),
              default="ttl", show_default=True,
              help="ttl and nt: union of all graphs; trig, nq, jsonld: named graphs kept.")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="File to write (atomically); stdout when absent.")
def export(build_dir, fmt, output):
    """Export the graph of BUILD.

    \b
    Examples:
      kg export build/ --format ttl -o graph.ttl
      kg export build/ --format nq | gzip > graph.nq.gz
    """
    data = kg.export(build_dir, fmt, output)
    if output is None:
        click.get_binary_stream("stdout").write(data)
    else:
        click.echo(f"wrote {output}", err=True)


@main.command(epilog="\b\nExit status: 0 done, 2 error.")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--nlp", default="lac", show_default=True, help="NLP backend: lac, hanlp, hanlp-restful.")
@click.option("--lines", is_flag=True, help="Each input line is one unit (line-per-sentence corpora).")
@click.option("--compare", "other", metavar="BACKEND",
              help="Print where BACKEND disagrees with --nlp instead (label, boundary, only-a, only-b).")
def annotate(files, nlp, lines, other):
    """Print the entity mentions of FILES as JSON lines, one per sentence.

    \b
    Examples:
      kg annotate seeds/*.txt | head -3
      kg annotate --nlp lac --compare hanlp-restful article.txt
    """
    for path in files:
        if other:
            rows, summary = kg.compare_backends(path, nlp, other, lines=lines)
            for row in rows:
                click.echo(json.dumps(row, ensure_ascii=False))
            click.echo(f"{path}: {summary}", err=True)
            continue
        for row in kg.annotate_file(path, nlp=nlp, lines=lines):
            click.echo(json.dumps(row, ensure_ascii=False))


def _attach_commands() -> None:
    """`kg serve` and `kg push` live with the server (kg/serve/cli.py), `kg docs` with the
    documentation generator; importing them loads no starlette, uvicorn or pyLODE."""
    from kg.serve.cli import push, serve

    from kg.docs import docs
    from kg.search_cli import index, search

    main.add_command(serve)
    main.add_command(push)
    main.add_command(docs)
    main.add_command(index)
    main.add_command(search)


_attach_commands()


if __name__ == "__main__":  # pragma: no cover
    main()
