"""The merge of a build in bounded memory: quads sorted and made distinct on disk.

    merged = merge(quads, folder / "graph.nq", prefixes)   # sorted, distinct N-Quads file
    write(merged, "trig", folder / "graph.trig")            # graph.trig, graph.ttl, streamed
    write(merged, "ttl", folder / "graph.ttl")

A year of news is a million quads; holding them as Python objects, deduplicated in a dict and
sorted in a list, is what made the main process of ``kg build`` grow with the corpus.  Here the
quads are written as text lines in sorted runs of ``CHUNK`` lines to temporary files, merged
(``heapq.merge``) and deduplicated on the way, so memory is bounded by ``CHUNK``, not by the
corpus.  The order is kg.store.sorted_quads' (graph, then N-Quads text) and
kg.store.union_triples' (N-Triples text), so the files are byte for byte those that
kg.store.serialize writes from a list.  pyoxigraph parses the sorted file and serializes TriG
or Turtle from that stream to the output file.
"""
from __future__ import annotations

import heapq
import os
import tempfile
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path

CHUNK = 200_000  # lines per sorted run (~60 MB of text for this project's quads)


@dataclass
class Merged:
    """A sorted, distinct N-Quads file, how many quads it holds and the prefixes its TriG
    (``prefixes``) and its Turtle (``triple_prefixes``: graph names do not count) can use;
    ``named``: every quad is in a named graph (its line ends with the graph's IRI)."""

    path: Path
    quads: int
    prefixes: dict[str, str] = field(default_factory=dict)
    triple_prefixes: dict[str, str] = field(default_factory=dict)
    named: bool = False


def _sorted_run(lines: list[str], folder: Path) -> Path:
    lines.sort()
    fd, name = tempfile.mkstemp(prefix="run-", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
        f.writelines(f"{line}\n" for line in lines)
    return Path(name)


def sort_lines(lines, output: Path, render=lambda line: line) -> int:
    """Write the distinct ``lines`` (str without newlines) sorted to ``output``, each passed
    through ``render``; returns how many were written. Memory: ``CHUNK`` lines (fewer lines
    are sorted in memory and written at once, more in sorted runs on disk, merged)."""
    output = Path(output)
    runs, chunk, tmp = [], [], None
    try:
        for line in lines:
            chunk.append(line)
            if len(chunk) >= CHUNK:
                if tmp is None:
                    tmp = tempfile.TemporaryDirectory(prefix=".kg-sort-", dir=output.parent)
                runs.append(_sorted_run(chunk, Path(tmp.name)))
                chunk = []
        if not runs:
            chunk.sort()
            return _write_distinct(chunk, output, render)
        runs.append(_sorted_run(chunk, Path(tmp.name)))
        del chunk
        files = [open(r, encoding="utf-8", newline="\n") for r in runs]
        try:
            return _write_distinct(heapq.merge(*((x[:-1] for x in f) for f in files)), output, render)
        finally:
            for f in files:
                f.close()
    finally:
        if tmp is not None:
            tmp.cleanup()


def _write_distinct(ordered, output: Path, render) -> int:
    """Write the sorted lines ``ordered``, each once, through ``render``: how many."""
    count = 0
    with open(output, "w", encoding="utf-8", newline="\n") as out:
        batch = []
        for line, _ in groupby(ordered):
            batch.append(render(line))
            if len(batch) >= 4096:
                out.write("".join(batch))
                count, batch = count + len(batch), []
        out.write("".join(batch))
    return count + len(batch)


def merge(quads, output: Path, prefixes: dict[str, str] | None = None) -> Merged:
    """Write the distinct ``quads`` (an iterable of pyoxigraph Quads) sorted by graph, then by
    N-Quads text, to the N-Quads file ``output``; the ``prefixes`` kept are those under which
    every IRI has a plain Turtle local name (kg.store.plain_prefixes)."""
    from .store import PrefixCheck

    check, note = PrefixCheck(prefixes or {}), {}
    count = sort_lines(keyed_lines(quads, check, note), output, nquads_line)
    return Merged(Path(output), count, check.plain(), check.plain(graphs=False), named=not note["unnamed"])


def keyed_lines(quads, check, note: dict):
    """The sort lines of ``quads`` (graph, tab, quad: sorted, they order by graph first), each
    quad fed to the PrefixCheck ``check``; ``note["unnamed"]`` says, once they are all read,
    whether one was in the default graph or in a graph named by a blank node."""
    from pyoxigraph import NamedNode

    note["unnamed"] = False
    for q in quads:
        check.add(q)
        g = q.graph_name
        if type(g) is not NamedNode:
            note["unnamed"] = True
        yield f"{g}\t{q}"


def nquads_line(sort_line: str) -> str:
    """The N-Quads line of a sort line of ``keyed_lines``."""
    return sort_line[sort_line.index("\t") + 1:] + " .\n"


def _triples(merged: Merged):
    """The triples of the sorted file as N-Triples text (without " ."), one per quad. When
    every quad is in a named graph, cut from each line (its graph is its last term; no IRI
    holds a space): what pyoxigraph writes for the quad's triple, without parsing it."""
    import pyoxigraph as ox

    if merged.named:
        with open(merged.path, encoding="utf-8", newline="\n") as f:
            for line in f:
                yield line[:line.rindex(" <")]
    else:
        for q in ox.parse(path=str(merged.path), format=ox.RdfFormat.N_QUADS):
            yield str(q.triple)


def write(merged: Merged, fmt: str, output: Path, previous: Path | None = None, pieces: bool = False) -> Path:
    """Serialize the sorted file ``merged`` as ``fmt`` (kg.store.FORMATS; ttl and nt: the union
    of the graphs, its triples sorted and distinct) to ``output``, written atomically. With
    ``pieces`` (a build's graph.trig, of quads all in named graphs, or graph.ttl), the file is
    written piece by piece and its pieces recorded (kg/pieces.py); those of the ``previous``
    generation's file of the same name that did not change are copied from it."""
    import pyoxigraph as ox

    from .errors import BuildError
    from .pieces import index_path, record, write_pieces
    from .store import FORMATS

    if fmt not in FORMATS:
        raise BuildError(f"unknown export format {fmt!r}", hint=f"Choose one of {', '.join(FORMATS)}.")
    attr, named = FORMATS[fmt]
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.tmp-{os.getpid()}")
    triples = output.with_name(f".{output.name}.nt-{os.getpid()}")
    prefixes = merged.prefixes if named else merged.triple_prefixes
    kwargs = {"prefixes": prefixes} if prefixes and fmt in ("ttl", "trig") else {}
    pieced = pieces and (fmt == "ttl" or (fmt == "trig" and merged.named))
    try:
        found = None
        if pieced:
            found = write_pieces(_sorted_lines(merged, named, triples), fmt, kwargs.get("prefixes", {}), tmp,
                                 output.name, previous)
        if found is None:
            if named:
                data = ox.parse(path=str(merged.path), format=ox.RdfFormat.N_QUADS)
            else:
                if not triples.is_file():
                    sort_lines(_triples(merged), triples, lambda line: line + " .\n")
                data = ox.parse(path=str(triples), format=ox.RdfFormat.N_TRIPLES)
            ox.serialize(data, output=str(tmp), format=getattr(ox.RdfFormat, attr), **kwargs)
        os.replace(tmp, output)
        if pieced:
            if found is not None:
                record(output, found)
            else:  # written whole: no pieces to copy from it
                index_path(output).unlink(missing_ok=True)
    finally:
        tmp.unlink(missing_ok=True)
        triples.unlink(missing_ok=True)
    return output


def _sorted_lines(merged: Merged, named: bool, triples: Path):
    """The lines of ``merged`` (``named``: its N-Quads) or the sorted, distinct N-Triples of
    their union (without " ."), without newlines: in memory when they are few, else sorted
    in ``triples`` (kg.stream.sort_lines) and read from there."""
    if named:
        with open(merged.path, encoding="utf-8", newline="\n") as f:
            if merged.quads <= CHUNK:
                yield from f.read().split("\n")[:-1]
            else:
                yield from (line[:-1] for line in f)
        return
    if merged.quads <= CHUNK:
        yield from union_triples(merged)
        return
    sort_lines(_triples(merged), triples, lambda line: line + " .\n")
    with open(triples, encoding="utf-8", newline="\n") as f:
        yield from (line[:-3] for line in f)


def union_triples(merged: Merged, ordered: bool = True) -> list[str] | set[str]:
    """The sorted (``ordered``; else a set), distinct triples of the union of the graphs of
    ``merged`` (N-Triples without " ."), in memory: the quads' lines cut when all are in
    named graphs."""
    if not merged.named:
        found = set(_triples(merged))
    else:
        with open(merged.path, encoding="utf-8", newline="\n") as f:
            lines = f.read().split("\n")
        lines.pop()  # after the last newline
        found = {line[:line.rindex(" <")] for line in lines}
    return sorted(found) if ordered else found
