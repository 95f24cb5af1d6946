"""The merge's input, one document at a time, kept for the next build to reuse.

    merged = merge_resolved(shards, resolution, stage / "graph.nq", names, previous)  # kg.stream.Merged

The merge (kg.stream) sorts the resolved quads of every shard; making them costs a parse, a
rewrite (kg.rewrite) and a prefix check per quad, the main cost of a re-run that changed a few
files of many. So each shard's resolved quads are also written, as the merge's sort lines, to
``<generation>/resolved/<shard>.lines`` with, in ``resolved/index.json``, the prefixes they rule out
and a **signature**: a hash of the shard's bytes, the prefixes, and every decision of the
resolution that the rewrite of this document reads (its targets, new facts, dropped IRIs, the
labels of the IRIs these name, whether a merged name becomes an alias). A later build whose
signature for a shard is the same links that file from the previous generation and feeds its
lines to the sort as they are: the same lines, so the same graph.nq, byte for byte.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from .stream import Merged, keyed_lines, nquads_line, sort_lines

RESOLVED = "resolved"
INDEX = "index.json"
FORMAT = 2  # 2: the files are named <shard>.lines (sort lines are no N-Quads: RDF tools skip them)


def _lines_name(shard: Path) -> str:
    """The file of a shard's sort lines: not named like RDF (``graph<TAB>quad`` is no N-Quads
    line), so a tool that loads every RDF file of a build folder skips it."""
    return f"{shard.stem}.lines"


def merge_resolved(shards, resolution, output: Path, names: dict, previous: Path | None = None) -> Merged:
    """The sorted, distinct N-Quads file ``output`` (in a generation folder) of the resolved
    quads of ``shards`` and of the corrections graph, reusing the ``previous`` generation's
    resolved lines of every shard whose signature holds."""
    from .store import PrefixCheck

    output = Path(output)
    folder = output.parent / RESOLVED
    folder.mkdir(parents=True, exist_ok=True)
    before = _index(previous)
    names_key = json.dumps(names, sort_keys=True)
    records: dict[str, dict] = {}

    def lines():
        for path in map(Path, shards):
            sig = signature(resolution, path, names_key)
            old, target = before.get(path.name), folder / _lines_name(path)
            if old and old["sig"] == sig and _link(Path(previous) / RESOLVED / target.name, target):
                records[path.name] = old
                with open(target, encoding="utf-8", newline="\n") as f:
                    lines = f.read().split("\n")
                lines.pop()  # after the last newline
                yield from lines
                continue
            check, record = PrefixCheck(names), {"sig": sig}
            with open(target, "w", encoding="utf-8", newline="\n") as f:
                for line in keyed_lines(resolution.quads(path), check, record):
                    f.write(f"{line}\n")
                    yield line
            records[path.name] = _noted(record, check)
        check, extra = PrefixCheck(names), {}
        yield from keyed_lines(resolution.extra_quads(), check, extra)
        records[""] = _noted(extra, check)

    count = sort_lines(lines(), output, nquads_line)
    bad = {p for r in records.values() for p in r["bad"]}
    bad_graph = {p for r in records.values() for p in r["bad_graph"]}
    (folder / INDEX).write_text(json.dumps({"format": FORMAT, "shards": {k: v for k, v in records.items() if k}},
                                           ensure_ascii=False) + "\n", encoding="utf-8")
    plain = {n: ns for n, ns in sorted(names.items()) if n not in bad | bad_graph}
    triple_plain = {n: ns for n, ns in sorted(names.items()) if n not in bad}
    return Merged(output, count, plain, triple_plain, named=not any(r["unnamed"] for r in records.values()))


def _noted(record: dict, check) -> dict:
    record["bad"], record["bad_graph"] = sorted(check.bad), sorted(check.bad_graph)
    return record


def _index(previous: Path | None) -> dict:
    """The previous generation's signatures and prefixes per shard ({} when none)."""
    if previous is None:
        return {}
    try:
        found = json.loads((Path(previous) / RESOLVED / INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found.get("shards", {}) if found.get("format") == FORMAT else {}


def _link(source: Path, target: Path) -> bool:
    try:
        os.link(source, target)
    except FileExistsError:
        return True
    except OSError:  # another file system, or no hard links there
        try:
            shutil.copyfile(source, target)
        except OSError:
            return False
    return True


def signature(resolution, path: Path, names_key: str) -> str:
    """A hash of what the resolved quads of the shard at ``path`` depend on: its bytes, the
    prefixes, and the decisions kg.rewrite.Rewriter reads for its document."""
    h = hashlib.sha256()
    real = resolution.corpus.real(path)
    digest = resolution.corpus.digests.get(real)  # name:SHA-256 of the bytes, as kg.corpus.scan read them
    if digest is None:
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
    h.update(bytes.fromhex(digest.rsplit(":", 1)[-1]))
    h.update(names_key.encode("utf-8"))
    doc = resolution.corpus.shards.get(real)
    if doc is not None:
        h.update(json.dumps(decisions(resolution, doc), ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return h.hexdigest()


def decisions(res, doc: str) -> dict:
    """What the rewrite of document ``doc`` reads of a kg.resolve.Resolution, as JSON data."""
    targets, facts = res.in_document(doc)
    named = set(targets) | {t for ts in targets.values() for t in ts}
    for options in facts.values():
        for _, binding in options:
            named |= set(binding.values())
    for _, parts in res.corpus.facts.get(doc, {}).values():  # (class, {part: IRI})
        named |= set(parts.values())
    edges = {s: bool(e.alias) for s in targets if (e := res.first.get((s, doc))) is not None}
    return {"targets": {k: list(v) for k, v in sorted(targets.items())},
            "facts": {f: [[new, sorted(b.items())] for new, b in options] for f, options in sorted(facts.items())},
            "dropped": sorted(set(res.dropped.get(None, ())) | set(res.dropped.get(doc, ()))),
            "labels": {iri: res.label(iri) for iri in sorted(named)}, "alias": edges}
