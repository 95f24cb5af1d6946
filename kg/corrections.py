"""Researchers' corrections: a small YAML file among the build's sources, applied by kg.resolve.

The build looks for ``corrections.yaml`` (or ``corrections.yml``) in the sources it is given
(``find``); being input, it survives every rebuild. The file is a list of entries, each with
an author and a date; three kinds:

    - same: [丁某某, 丁某]            # these name one entity; the first is the name kept
      author: 张三
      date: 2024-03-01
      note: 丁某 is 丁某某 cut short by the tagger   # optional
    - distinct: [刘某, 刘某某]         # these are different: never merged by the resolution
      author: 张三
      date: 2024-03-01
    - distinct: [王某, {name: 王某, document: 20230105_03.md}]
      author: 李四                    # the 王某 of that document is another 王某
      date: 2024-03-02
    - drop: https://w3id.org/citykg/id/post/0123456789abcdef    # this fact is wrong
      document: 20230105_03.md        # optional: only what this document says
      author: 李四
      date: 2024-03-02

An entity is named by its name (a label of the graph) or by its IRI, or by a mapping
``{name: …, document: …}`` / ``{iri: …, document: …}`` that means "as this document names it".
``kind: organization`` makes the names of an entry bodies (default: ``person``). ``drop`` takes
the IRI of a fact (post, role, agreement, indicator) or of an entity, as the graph shows it
(after resolution); dropping an entity drops the posts and roles it holds.

``load`` reads the file and raises ``CorrectionsError`` naming the file, line and entry of the
first problem. ``provenance_quads`` writes the applied entries into the named graph
``GRAPH["corrections"]``: one ``kg:Correction`` per entry (``kg:SameEntityCorrection``,
``kg:DistinctEntityCorrection``, ``kg:DropCorrection``) with ``dcterms:creator``,
``dcterms:date``, ``rdfs:comment`` and ``kg:concerns`` the IRIs it is about.
"""
from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError
from .ns import DCTERMS, GRAPH, ID, KG, PROV, RDF, RDFS, XSD

__all__ = ["NAMES", "Ref", "Correction", "CorrectionsError", "find", "load", "provenance_quads",
           "CORRECTIONS_GRAPH"]

#: file names the build looks for among its sources
NAMES = ("corrections.yaml", "corrections.yml")
#: the named graph that holds the applied corrections
CORRECTIONS_GRAPH = GRAPH["corrections"]
ACTIONS = {"same": KG.SameEntityCorrection, "distinct": KG.DistinctEntityCorrection,
           "drop": KG.DropCorrection}
KINDS = ("person", "organization")
_HINT = "Fix the entry (see the format in kg/corrections.py and the README, 'Corrections')."


class CorrectionsError(BuildError):
    """The corrections file cannot be read or has a malformed entry."""

    hint = _HINT


@dataclass(frozen=True)
class Ref:
    """An entity or fact named by a correction: a name or an IRI, in one document or in all."""

    name: str | None = None
    iri: str | None = None
    document: str | None = None

    def __str__(self) -> str:
        what = self.iri or self.name or ""
        return f"{what} @ {self.document}" if self.document else what


@dataclass(frozen=True)
class Correction:
    action: str            # same | distinct | drop
    refs: tuple[Ref, ...]
    kind: str              # person | organization (same, distinct)
    author: str
    date: _dt.date
    note: str
    path: str
    line: int              # 1-based line of the entry

    @property
    def where(self) -> str:
        return f"{self.path}, line {self.line}"

    @property
    def key(self) -> str:
        """What the entry says (not where it is): its IRI stays when entries are reordered."""
        return json.dumps([self.action, self.kind, [str(r) for r in self.refs], self.author,
                           self.date.isoformat()], ensure_ascii=False)


def find(sources) -> Path | None:
    """The corrections file among ``sources`` (files and folders, searched recursively), or
    None; two such files are an error (which one would apply?)."""
    found: set[Path] = set()
    for src in map(Path, sources):
        if src.is_file() and src.name in NAMES:
            found.add(src.resolve())
        elif src.is_dir():
            found |= {p.resolve() for name in NAMES for p in src.rglob(name) if p.is_file()}
    if len(found) > 1:
        names = ", ".join(map(str, sorted(found)))
        raise CorrectionsError(f"more than one corrections file: {names}",
                               hint="Keep one corrections.yaml among the sources.")
    return next(iter(found), None)


def load(path) -> list[Correction]:
    """The entries of a corrections file (see the module's docstring)."""
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise CorrectionsError(f"cannot read {path}: {err}", path=str(path)) from None
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else []
        finally:
            loader.dispose()
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        raise CorrectionsError(f"{path}{where}: not YAML ({getattr(err, 'problem', err)})",
                               path=str(path)) from None
    if not isinstance(data, list):
        raise CorrectionsError(f"{path}, line 1: expected a list of entries (- same: …)", path=str(path))
    return [_entry(item, str(path), n.start_mark.line + 1, i + 1)
            for i, (item, n) in enumerate(zip(data, node.value))]


def _entry(item, path: str, line: int, number: int) -> Correction:
    def fail(problem: str):
        raise CorrectionsError(f"{path}, line {line} (entry {number}): {problem}", path=path)

    if not isinstance(item, dict):
        fail("an entry is a mapping (same:/distinct:/drop:, author:, date:)")
    actions = [a for a in ACTIONS if a in item]
    if len(actions) != 1:
        fail("give exactly one of same:, distinct:, drop:")
    action = actions[0]
    unknown = set(item) - {action, "author", "date", "note", "kind", "document"}
    if unknown:
        fail(f"unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    author, date = item.get("author"), item.get("date")
    if not isinstance(author, str) or not author.strip():
        fail("author: is missing (who made the correction)")
    if isinstance(date, str):
        try:
            date = _dt.date.fromisoformat(date)
        except ValueError:
            fail(f"date: {date!r} is not a date (YYYY-MM-DD)")
    if not isinstance(date, _dt.date) or isinstance(date, _dt.datetime):
        fail("date: is missing or not a date (YYYY-MM-DD)")
    kind = item.get("kind", "person")
    if kind not in KINDS:
        fail(f"kind: {kind!r} is not one of {', '.join(KINDS)}")
    refs = _refs(item[action], action, item.get("document"), fail)
    return Correction(action, refs, kind, author.strip(), date, str(item.get("note") or ""), path, line)


def _refs(value, action: str, document, fail) -> tuple[Ref, ...]:
    if action == "drop":
        items = value if isinstance(value, list) else [value]
    elif not isinstance(value, list) or len(value) < 2:
        fail(f"{action}: needs a list of at least two names or IRIs")
    else:
        items = value
    if document is not None and (action != "drop" or not isinstance(document, str)):
        fail("document: belongs to drop entries; name the document of a name as {name: …, document: …}")
    refs = []
    for v in items:
        if isinstance(v, str) and v.strip():
            refs.append(_ref(v.strip(), document if action == "drop" else None))
        elif isinstance(v, dict) and set(v) <= {"name", "iri", "document"} and (v.get("name") or v.get("iri")):
            ref = _ref(str(v.get("iri") or v.get("name")), v.get("document"))
            refs.append(ref)
        else:
            fail(f"{v!r} is not a name, an IRI or {{name: …, document: …}}")
    if action == "drop" and any(r.iri is None for r in refs):
        fail("drop: takes IRIs (https://w3id.org/citykg/id/…) of facts or entities")
    if len(set(refs)) != len(refs):
        fail(f"{action}: names the same thing twice")
    return tuple(refs)


def _ref(text: str, document) -> Ref:
    doc = str(document) if document is not None else None
    if text.startswith(("http://", "https://")):
        return Ref(iri=text, document=doc)
    return Ref(name=text, document=doc)


def provenance_quads(applied: list[tuple[Correction, list[str]]]) -> list:
    """pyoxigraph quads of the corrections graph: each applied entry and the IRIs it concerns."""
    import hashlib

    from pyoxigraph import Literal, NamedNode, Quad

    g = NamedNode(str(CORRECTIONS_GRAPH))
    out = []
    for c, iris in applied:
        node = NamedNode(str(ID["correction/" + hashlib.sha1(c.key.encode()).hexdigest()[:16]]))

        def add(p, o):
            out.append(Quad(node, NamedNode(str(p)), o, g))

        for cls in (ACTIONS[c.action], KG.Correction, PROV.Activity):
            add(RDF.type, NamedNode(str(cls)))
        add(RDFS.label, Literal(f"{c.action}: {'; '.join(map(str, c.refs))}", language="zh"))
        add(DCTERMS.creator, Literal(c.author))
        add(DCTERMS.date, Literal(c.date.isoformat(), datatype=NamedNode(str(XSD.date))))
        add(DCTERMS.source, Literal(c.where))
        if c.note:
            add(RDFS.comment, Literal(c.note))
        for iri in sorted(set(iris)):
            add(KG.concerns, NamedNode(iri))
    return out


# ------------------------------------------------------------------ applied by kg.resolve


def _iri(res, c: Correction, ref: Ref) -> str | None:
    """The IRI a reference names in the shards: its IRI, or the entity of that name."""
    if ref.iri:
        known = ref.iri in res.corpus.entities or any(
            ref.iri in facts for facts in res.corpus.facts.values())
        return ref.iri if known or c.action == "drop" else None
    return res.corpus.by_label(c.kind).get(ref.name)


def apply_before(res) -> None:
    """``same`` and ``distinct`` of different entities, and ``drop``: before the mentions are
    followed to their targets (a ``same`` wins over the rules; ``distinct`` pins each named
    entity, so no rule merges it into another)."""
    from .resolve_rules import Edge

    for c in res.corrections:
        iris = [_iri(res, c, r) for r in c.refs]
        missing = [str(r) for r, i in zip(c.refs, iris) if i is None]
        if missing:
            res.applied.append((c, [], f"not in this build: {', '.join(missing)}"))
            continue
        if c.action == "drop":
            for r, iri in zip(c.refs, iris):
                res.dropped[r.document].add(iri)
            res.applied.append((c, iris, "dropped"))
        elif c.action == "same":
            head, why = c.refs[0], f"{c.where}: {c.author}, {c.date.isoformat()}"
            res.pinned.add((iris[0], head.document))
            for r, iri in zip(c.refs[1:], iris[1:]):
                if iri != iris[0]:
                    res.fixed[(iri, r.document)] = Edge(iri, (iris[0],), r.document, "correction", why, True)
        elif len(set(iris)) > 1:
            for r, iri in zip(c.refs, iris):
                res.pinned.add((iri, r.document))


def apply_after(res) -> None:
    """``distinct`` naming one entity in different documents splits it there; every applied
    entry learns the IRIs it ends up concerning (for the corrections graph)."""
    from .document import key_of

    done = {id(c) for c, _, _ in res.applied}
    for c in res.corrections:
        if id(c) in done:
            continue
        iris = [_iri(res, c, r) for r in c.refs]
        if c.action == "distinct":
            for r, iri in zip(c.refs[1:], iris[1:]):
                if iri == iris[0]:
                    moved = r if r.document else c.refs[0]
                    if moved.document:
                        t = res.target(iri, moved.document)[0]
                        res.split(t, moved.document, f"{key_of(res.label(t))}|{moved.document}",
                                  "correction", f"{c.where}: {c.author}, {c.date.isoformat()}")
        concerned = [t for r, iri in zip(c.refs, iris)
                     for t in (res.target(iri, r.document) if r.document else _all_targets(res, iri))]
        res.applied.append((c, concerned, "applied"))


def _all_targets(res, iri: str) -> list[str]:
    k = res.corpus.entities.get(iri)
    docs = sorted(k.docs) if k else []
    return sorted({t for d in docs for t in res.target(iri, d)}) or [iri]
