"""The search index of a re-run, updated from the previous build's instead of written anew.

    update_index(store, old, path, subjects, evidence)   -> True, or False (nothing written)

kg.search.write_index reads the whole graph; a re-run that changed a few files of many changes
a few rows. A row depends only on statements about one node: an entity's row on its names,
types and ``prov:wasDerivedFrom`` links (subject: the entity); a sentence's row on its
evidence node's statements, on the title and date of its article (or document) and on the
nodes derived from it. So, given the IRI ``subjects`` of the quads added or removed since the
previous build and the ``evidence`` IRIs their ``prov:wasDerivedFrom`` links point to, the rows
of those nodes (and the sentences of changed articles) are deleted and read again from the new
``store``; every other row stays as it was. New rows get ids between their neighbours' in the
order kg.search wants (write_index leaves GAP between ids), so the index holds the same rows,
in the same order, as a clean build's: the same search results (bm25 included: FTS5 keeps its
totals as rows are deleted and inserted). When the ids between two neighbours run out, or the
old index is of another schema, nothing is written and the caller writes the index anew.
"""
from __future__ import annotations

import bisect
import json
import os
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from .search import (GAP, SCHEMA_VERSION, article_of, entity_key, grams, insert_entities,
                     insert_sentences, sentence_key)


class _NoRoom(Exception):
    """No free id between two neighbouring rows: the index must be written anew."""


def update_index(store, old, path, subjects, evidence=()) -> bool:
    """Write ``path``: the index ``old`` with the rows of ``subjects`` (and of the sentences
    of ``evidence``) read again from ``store``. False, and nothing written, when it cannot."""
    from .search_graph import GraphReader

    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    subjects = set(subjects)
    try:
        shutil.copyfile(old, tmp)
        with closing(sqlite3.connect(tmp)) as db:
            found = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if not found or found[0] != SCHEMA_VERSION:
                return False
            with db:
                db.execute("CREATE TEMP TABLE changed(iri TEXT PRIMARY KEY)")
                db.executemany("INSERT OR IGNORE INTO changed VALUES (?)", ((s,) for s in subjects))
                _entities(db, GraphReader(store, subjects))
                _sentences(db, store, subjects | set(evidence))
                for kind, table in (("entities", "entity"), ("sentences", "sentence")):
                    db.execute(f"UPDATE meta SET value = (SELECT count(*) FROM {table}) WHERE key = ?", (kind,))
        os.replace(tmp, path)
        return True
    except (_NoRoom, sqlite3.DatabaseError, OSError):
        return False
    finally:
        tmp.unlink(missing_ok=True)


def _entities(db, reader) -> None:
    rows = sorted(reader.entities(), key=entity_key)
    for n, folded in db.execute("SELECT id, folded FROM entity WHERE iri IN (SELECT iri FROM changed)").fetchall():
        _delete(db, "entity", n, folded)
        db.execute("DELETE FROM entity_name WHERE entity = ?", (n,))
    kept = [((-m, sum(map(len, json.loads(names))), iri), n)
            for n, m, names, iri in db.execute("SELECT id, mentions, names, iri FROM entity ORDER BY id")]
    insert_entities(db, rows, _place(kept, [entity_key(r) for r in rows]), fts=True)


def _sentences(db, store, nodes: set) -> None:
    """The sentence rows of the evidence among ``nodes`` and of the articles and documents
    among them, deleted and read again."""
    from .search_graph import GraphReader, _values

    evidence = set(nodes) | {e for (e,) in db.execute(
        "SELECT s.evidence FROM sentence s JOIN article a ON a.id = s.article "
        "WHERE a.iri IN (SELECT iri FROM changed) OR a.document IN (SELECT iri FROM changed)")}
    if nodes:
        from .ns import DCTERMS, KG

        changed = _values("a", sorted(nodes))
        query = (f"SELECT DISTINCT ?e WHERE {{ {changed} {{ ?e <{KG.inArticle}> ?a }} UNION "
                 f"{{ ?e <{DCTERMS.source}> ?a }} }}")
        evidence |= {e.value for (e,) in store.query(query, use_default_graph_as_union=True)}
        # the articles and documents of these sentences: their titles and dates
        query = (f"SELECT DISTINCT ?a WHERE {{ {_values('e', sorted(evidence))} "
                 f"?e <{KG.inArticle}>|<{DCTERMS.source}> ?a }}")
        context = {a.value for (a,) in store.query(query, use_default_graph_as_union=True)}
    else:
        context = set()
    reader = GraphReader(store, evidence | context)
    rows = sorted((r for r in reader.sentences() if r["evidence"] in evidence), key=sentence_key)
    db.execute("CREATE TEMP TABLE gone(iri TEXT PRIMARY KEY)")
    db.executemany("INSERT INTO gone VALUES (?)", ((e,) for e in evidence))
    for n, folded in db.execute("SELECT id, folded FROM sentence WHERE evidence IN (SELECT iri FROM gone)").fetchall():
        _delete(db, "sentence", n, folded)
    kept = [((len(text), -weight, ev), n)
            for n, text, weight, ev in db.execute("SELECT id, text, weight, evidence FROM sentence ORDER BY id")]
    ids = _place(kept, [sentence_key(r) for r in rows])
    articles = {tuple(a): n for n, *a in db.execute("SELECT id, iri, document, title, date FROM article")}
    last = max(articles.values(), default=0)
    for row in rows:
        if article_of(row) not in articles:
            last += 1
            articles[article_of(row)] = last
            db.execute("INSERT INTO article VALUES (?, ?, ?, ?, ?)", (last, *article_of(row)))
    insert_sentences(db, rows, ids, articles, fts=True)
    db.execute("DELETE FROM article WHERE id NOT IN (SELECT article FROM sentence)")


def _delete(db, table: str, n: int, folded: str) -> None:
    """Delete row ``n`` of ``table`` and its tokens from both FTS5 tables (given the values
    they were indexed with, as FTS5 asks of external-content and contentless tables)."""
    db.execute(f"INSERT INTO {table}_fts({table}_fts, rowid, folded) VALUES ('delete', ?, ?)", (n, folded))
    db.execute(f"INSERT INTO {table}_grams({table}_grams, rowid, grams) VALUES ('delete', ?, ?)",
               (n, " ".join(grams(folded))))
    db.execute(f"DELETE FROM {table} WHERE id = ?", (n,))


def _place(kept: list[tuple], keys: list[tuple]) -> list[int]:
    """Ids for new rows of sorted ``keys`` among the ``kept`` rows ((key, id), by id), so that
    the id order is the key order; _NoRoom when two neighbours leave no id free."""
    order = [k for k, _ in kept]
    if any(a >= b for a, b in zip(order, order[1:])):
        raise _NoRoom  # not in the order wanted: an index this module does not know
    groups: dict[int, list] = {}
    for key in keys:
        groups.setdefault(bisect.bisect_left(order, key), []).append(key)
    ids = {}
    for pos, group in groups.items():
        lo = kept[pos - 1][1] if pos else 0
        hi = kept[pos][1] if pos < len(kept) else lo + GAP * (len(group) + 1)
        if hi - lo <= len(group):
            raise _NoRoom
        for i, key in enumerate(group, 1):
            ids[key] = lo + (hi - lo) * i // (len(group) + 1)
    return [ids[k] for k in keys]
