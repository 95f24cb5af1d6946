"""The full-text index of a build (BUILD/search.sqlite): names of entities, evidence sentences.

    write_index(store, path)                       read a build's store, write an SQLite FTS5 index
    update_index(store, old, path, changed)        the same index, from the previous build's and
                                                   the subjects whose statements changed
    search(path, text, kind=, limit=, offset=)     ranked, paged matches: the dict /search sends

Chinese has no spaces between words, so nothing is segmented: each kind of row (entity names,
sentences) has two FTS5 tables. One uses the ``trigram`` tokenizer and finds any substring of
three or more characters (an FTS5 phrase). The other holds each row's single characters and
pairs of adjacent characters as tokens (``unicode61``, no positions) and finds the shorter terms
("签署", "京") by one token lookup. The query text is split at spaces into terms that must all
match; every term is quoted as an FTS5 string, so no user text is FTS5 or SQL syntax (and SQL
gets it as parameters only). Text is NFKC-normalized and case-folded on both sides.

Ranking: entities whose name is the query first, then bm25 (over the trigram tables: when some
term has three characters or more), then the number of evidence sentences that support the
entity; sentences by bm25, then by the number of facts and entities they support, then shorter
first. The graph is read from the store (kg.search_graph); bench/search.py measures all this.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
import unicodedata
from contextlib import closing
from pathlib import Path

from .errors import BuildError, QueryError

INDEX_NAME = "search.sqlite"
KINDS = ("entities", "sentences")
SCHEMA_VERSION = "2"  # 2: row ids spaced GAP apart, so that a re-run inserts rows in place
#: write_index numbers the rows GAP, 2 GAP, …: update_index gives a new row an id between its
#: neighbours' in the order wanted (rowid order is the order of results without bm25)
GAP = 1 << 16

_TABLES = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE entity(id INTEGER PRIMARY KEY, iri TEXT, name TEXT, names TEXT, types TEXT,
                    mentions INTEGER, folded TEXT);
CREATE TABLE entity_name(name TEXT, entity INTEGER);
CREATE TABLE article(id INTEGER PRIMARY KEY, iri TEXT, document TEXT, title TEXT, date TEXT);
CREATE TABLE sentence(id INTEGER PRIMARY KEY, evidence TEXT, text TEXT, article INTEGER,
                      start INTEGER, "end" INTEGER, about TEXT, weight INTEGER, folded TEXT);
"""
_FTS = """
CREATE VIRTUAL TABLE {t}_fts USING fts5(folded, content='{t}', content_rowid='id', tokenize='trigram');
CREATE VIRTUAL TABLE {t}_grams USING fts5(grams, content='', detail=none,
                                          tokenize='unicode61 remove_diacritics 0');
"""


def index_path(build_dir) -> Path:
    return Path(build_dir) / INDEX_NAME


def normalize(text: str) -> str:
    """What the index and the queries compare: NFKC (full-width Latin and digits become
    ASCII) and case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


#: runs of letters and digits: the characters unicode61 keeps in tokens (categories L*, N*)
_RUN = re.compile(r"[^\W_]+")


def grams(text: str) -> list[str]:
    """The single characters and the pairs of adjacent characters of normalized ``text``
    (letters and digits only), without repeats."""
    runs = _RUN.findall(text)
    pairs = (run[i:i + 2] for run in runs for i in range(len(run) - 1))
    return list(dict.fromkeys([*(c for run in runs for c in run), *pairs]))


# ------------------------------------------------------------------ writing


def write_index(store, path) -> Path:
    """Write the index of ``store`` (a pyoxigraph Store, kg.store.open_store) to ``path``:
    built under a temporary name in the same folder, then renamed into place. A ``path`` that
    is a symbolic link (BUILD/search.sqlite to the build generation's file) stays one: the file
    it points to is replaced."""
    from .search_graph import GraphReader

    path = Path(path)
    path = path.resolve() if path.is_symlink() else path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        with closing(sqlite3.connect(tmp)) as db:
            _fill(db, GraphReader(store))
            db.execute("VACUUM")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _fill(db, graph) -> None:
    with db:
        db.executescript(_TABLES + _FTS.format(t="entity") + _FTS.format(t="sentence"))
        counts = {"entities": _write_entities(db, graph.entities()),
                  "sentences": _write_sentences(db, graph.sentences())}
        db.executemany("INSERT INTO meta VALUES (?, ?)",
                       [("schema", SCHEMA_VERSION), *((k, str(v)) for k, v in counts.items())])
        db.execute("CREATE INDEX entity_name_name ON entity_name(name)")
        for table in ("entity_fts", "sentence_fts"):  # external content: index what the rows hold
            db.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")


def entity_key(row: dict) -> tuple:
    """The order of entity rows without bm25: most mentioned, then shortest names."""
    return (-row["mentions"], sum(map(len, row["names"])), row["iri"])


def sentence_key(row: dict) -> tuple:
    """The order of sentence rows: the shortest first (bm25's order for one term found once),
    then the one supporting most facts and entities."""
    return (len(row["text"]), -len(row["about"]), row["evidence"])


def _write_entities(db, rows) -> int:
    """Rows get ids in the order of results without bm25 (entity_key), GAP apart."""
    rows = sorted(rows, key=entity_key)
    insert_entities(db, rows, [n * GAP for n in range(1, len(rows) + 1)])
    return len(rows)


def insert_entities(db, rows, ids, fts: bool = False) -> None:
    """Insert entity ``rows`` with ``ids``; with ``fts``, into the trigram table too (a
    clean index rebuilds that table once at the end)."""
    entities, names, grammed = [], [], []
    for n, row in zip(ids, rows):
        folded = sorted({normalize(x) for x in row["names"]})
        text = "\n".join(folded)
        entities.append((n, row["iri"], row["name"], _dumps(row["names"]), _dumps(row["types"]),
                         row["mentions"], text))
        names += [(x, n) for x in folded]
        grammed.append((n, " ".join(grams(text))))
    db.executemany("INSERT INTO entity VALUES (?, ?, ?, ?, ?, ?, ?)", entities)
    db.executemany("INSERT INTO entity_name VALUES (?, ?)", names)
    db.executemany("INSERT INTO entity_grams(rowid, grams) VALUES (?, ?)", grammed)
    if fts:
        db.executemany("INSERT INTO entity_fts(rowid, folded) VALUES (?, ?)", [(e[0], e[-1]) for e in entities])


def _write_sentences(db, rows) -> int:
    """Rows get ids in the order of results without bm25 (sentence_key), GAP apart."""
    articles: dict = {}
    rows = sorted(rows, key=sentence_key)
    for row in rows:
        articles.setdefault(article_of(row), len(articles) + 1)
    db.executemany("INSERT INTO article VALUES (?, ?, ?, ?, ?)", [(i, *k) for k, i in articles.items()])
    insert_sentences(db, rows, [n * GAP for n in range(1, len(rows) + 1)], articles)
    return len(rows)


def article_of(row: dict) -> tuple:
    """The article table's columns (but the id) of a sentence row."""
    return (row["article"], row["document"], row["title"], row["date"])


def insert_sentences(db, rows, ids, articles: dict, fts: bool = False) -> None:
    """Insert sentence ``rows`` with ``ids``; ``articles``: article_of(row) -> article id."""
    sentences, grammed = [], []
    for n, row in zip(ids, rows):
        folded = normalize(row["text"])
        sentences.append((n, row["evidence"], row["text"], articles[article_of(row)], row["start"],
                          row["end"], _dumps(row["about"]), len(row["about"]), folded))
        grammed.append((n, " ".join(grams(folded))))
    db.executemany("INSERT INTO sentence VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", sentences)
    db.executemany("INSERT INTO sentence_grams(rowid, grams) VALUES (?, ?)", grammed)
    if fts:
        db.executemany("INSERT INTO sentence_fts(rowid, folded) VALUES (?, ?)", [(r[0], r[-1]) for r in sentences])


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


# ------------------------------------------------------------------ reading


def open_index(path) -> sqlite3.Connection:
    """A read-only connection to the index at ``path`` (a file, or a build folder holding one)."""
    path = Path(path)
    if path.is_dir():
        path = index_path(path)
    if not path.is_file():
        raise BuildError(f"no search index at {path}",
                         hint=f"Run `kg index {path.parent}` (or rebuild) to make {path.name}.")
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    except sqlite3.DatabaseError as err:
        raise BuildError(f"{path}: not a search index ({err})",
                         hint=f"Run `kg index {path.parent}` to make it again.") from None
    return db


def search(path, text: str, *, kind: str | None = None, limit: int = 20, offset: int = 0) -> dict:
    """Entities and evidence sentences matching ``text``, ranked and paged (see the module doc).

    ``kind`` "entities" or "sentences" lists one kind only (both totals are always counted).
    ``path`` is the index file, a build folder, or a connection from open_index."""
    if kind is not None and kind not in KINDS:
        raise QueryError(f"unknown search kind {kind!r}", hint=f"Use one of: {', '.join(KINDS)}.")
    if limit < 0 or offset < 0:
        raise QueryError(f"limit and offset must not be negative (got {limit}, {offset})",
                         hint="Give a limit and an offset of 0 or more.")
    db = path if isinstance(path, sqlite3.Connection) else open_index(path)
    try:
        out = {"query": text, "total": {"entities": 0, "sentences": 0}, "entities": [], "sentences": []}
        terms = list(dict.fromkeys(normalize(t) for t in str(text).split()))
        if not any(grams(t) for t in terms):  # nothing to look for: only spaces and punctuation
            return out
        for name, finder in (("entities", _Entities(normalize(" ".join(text.split())))),
                             ("sentences", _Sentences())):
            query = finder.query(terms)
            out["total"][name] = finder.count(db, query)
            if kind in (None, name) and limit:
                out[name] = finder.page(db, query, limit, offset)
        return out
    finally:
        if db is not path:
            db.close()


def _phrase(term: str) -> str:
    """An FTS5 string: any text is one phrase once its double quotes are doubled."""
    return '"' + term.replace('"', '""') + '"'


class _Finder:
    """The SQL of one kind: FROM the trigram table when some term is long (bm25 ranks), else
    FROM the grams table; each other term narrows by rowid; instr() checks what tokens cannot.
    Without a long term there is no bm25 (the grams table keeps no counts): rows come in rowid
    order, which write_index made the order wanted (so no sort, and LIMIT stops early)."""

    table = join = ""
    columns = "t.*"
    ranked = ""  # ORDER BY after the bm25

    def query(self, terms) -> tuple[str, str, list, bool, bool]:
        """(driving table, WHERE clause, parameters, ranked by bm25, needs the row table)."""
        long = [t for t in terms if len(t) >= 3]
        short = [t for t in terms if len(t) < 3 and grams(t)]
        tri, gr = f"{self.table}_fts", f"{self.table}_grams"
        table = tri if long else gr
        clauses, params = [f"{table} MATCH ?"], []
        if long:
            params.append(" ".join(map(_phrase, long)))
        if short:
            tokens = " ".join(_phrase(g) for t in short for g in (grams(t)[-1:] if len(t) == 2 else grams(t)))
            if long:  # "+": a filter after the MATCH, not one MATCH per rowid of the list
                clauses.append(f"+{tri}.rowid IN (SELECT rowid FROM {gr} WHERE {gr} MATCH ?)")
            params.append(tokens)
        checks = [t for t in short if [t] != grams(t)[-1:]]  # "+空": no token says it all
        clauses += ["instr(t.folded, ?) > 0"] * len(checks)
        return table, " AND ".join(clauses), params + checks, bool(long), bool(checks)

    def count(self, db, query) -> int:
        table, where, params, _, joined = query
        join = f"JOIN {self.table} t ON t.id = {table}.rowid" if joined else ""
        return db.execute(f"SELECT count(*) FROM {table} {join} WHERE {where}", params).fetchone()[0]

    def page(self, db, query, limit: int, offset: int) -> list[dict]:
        table, where, params, ranked, _ = query
        first, first_params = self.first()
        order = f"bm25({table}), {self.ranked}" if ranked else f"{table}.rowid"
        sql = (f"SELECT {self.columns} FROM {table} JOIN {self.table} t ON t.id = {table}.rowid "
               f"{self.join} WHERE {where} ORDER BY {first}{order} LIMIT ? OFFSET ?")
        cursor = db.execute(sql, [*params, *first_params, limit, offset])
        names = [d[0] for d in cursor.description]
        return [self.row(dict(zip(names, r))) for r in cursor]

    def first(self) -> tuple[str, list]:
        return "", []


class _Entities(_Finder):
    table = "entity"
    ranked = "t.mentions DESC, t.id"  # without bm25: t.id, the order write_index gave

    def __init__(self, exact: str):
        self.exact = exact

    def first(self):
        return "t.id NOT IN (SELECT entity FROM entity_name WHERE name = ?), ", [self.exact]

    @staticmethod
    def row(r: dict) -> dict:
        return {"iri": r["iri"], "name": r["name"], "names": json.loads(r["names"]),
                "types": json.loads(r["types"]), "mentions": r["mentions"]}


class _Sentences(_Finder):
    table = "sentence"
    ranked = "t.weight DESC, t.id"
    columns = "t.*, a.iri AS article_iri, a.document, a.title, a.date"
    join = "JOIN article a ON a.id = t.article"

    @staticmethod
    def row(r: dict) -> dict:
        return {"text": r["text"], "document": r["document"], "article": r["article_iri"],
                "title": r["title"], "date": r["date"], "start": r["start"], "end": r["end"],
                "evidence": r["evidence"], "about": json.loads(r["about"])}
