"""Checks a SPARQL request before any evaluation: the server is read-only and never fetches.

The checks work on the query's tokens with strings, IRIs and comments taken out, so a keyword
inside a literal ("SERVICE" as text) or a name (``?service``, ``ex:load``) is not mistaken for
the operation. Anything refused raises :class:`Refused` with a message for the user.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

# Lexical pieces of SPARQL 1.1 (grammar §19.8), matched left to right.
_STRING = r"'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'|\"(?:[^\"\\\n\r]|\\.)*\""
_IRIREF = r"<[^<>\"{}|^`\\\x00-\x20]*>"
_COMMENT = r"#[^\n\r]*"
_LEXER = re.compile(f"(?P<s>{_STRING})|(?P<i>{_IRIREF})|(?P<c>{_COMMENT})", re.S)

UPDATE_WORDS = ("INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH", "USING")
_WORD = r"(?<![\w:?$@\-.]){}(?![\w:\-])"


class Refused(ValueError):
    """A request the read-only server will not evaluate; ``status`` is the HTTP status."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Scanned:
    """The query with strings and comments blanked, and the IRIs it names after FROM."""

    text: str
    from_iris: tuple[str, ...]


def blank(query: str) -> str:
    """The query with strings and comments replaced by spaces (same length, IRIs kept)."""
    out: list[str] = []
    pos = 0
    for m in _LEXER.finditer(query):
        out.append(query[pos:m.start()])
        piece = m.group(0)
        out.append(piece if m.group("i") else " " * len(piece))
        pos = m.end()
    out.append(query[pos:])
    return "".join(out)


def scan(query: str) -> Scanned:
    """Blank strings and comments; collect the IRIs named after FROM / FROM NAMED."""
    text = blank(query)
    prefixes = dict(re.findall(r"(?i)\bPREFIX\s+([\w.\-]*):\s*<([^>]*)>", text))
    found = []
    for m in re.finditer(r"(?i)(?<![\w:?$])FROM(?:\s+NAMED)?\s+(<([^>]*)>|([\w.\-]*):([^\s{}]*))", text):
        if m.group(2) is not None:
            found.append(m.group(2))
        elif m.group(3) in prefixes:
            found.append(prefixes[m.group(3)] + m.group(4))
        else:
            raise Refused(f"FROM {m.group(1)}: unknown prefix {m.group(3)!r}")
    return Scanned(text, tuple(found))


def has_word(text: str, word: str) -> bool:
    return re.search(_WORD.format(word), text, re.I) is not None


def check_query(query: str, graph_exists) -> Scanned:
    """Refuse updates, LOAD, SERVICE (anywhere) and FROM on IRIs that are not graphs of the store.

    ``graph_exists(iri) -> bool`` says whether the store holds a named graph with that IRI.
    The text-only part of the checks is remembered per query text (clients repeat queries);
    the FROM graphs are checked against the dataset each time.
    """
    scanned, refusal = _check_text(query)
    if refusal is not None:
        raise Refused(*refusal)
    check_graphs(scanned.from_iris, graph_exists, "FROM")
    return scanned


@functools.lru_cache(maxsize=1024)
def _check_text(query: str) -> tuple[Scanned | None, tuple[str, int] | None]:
    """(scanned query, None) or (None, (message, status)) for what the query text alone decides."""
    try:
        scanned = scan(query)
    except Refused as err:
        return None, (str(err), err.status)
    for word in ("LOAD", *UPDATE_WORDS):
        if has_word(scanned.text, word):
            return None, (f"{word}: this endpoint is read-only; updates and LOAD are refused "
                          "(只读端点：拒绝更新与 LOAD)", 403)
    if has_word(scanned.text, "SERVICE"):
        return None, ("SERVICE: federated queries are refused; this endpoint never contacts "
                      "other servers (拒绝联邦查询 SERVICE)", 403)
    return scanned, None


def check_graphs(iris, graph_exists, where: str) -> None:
    """Each dataset IRI (FROM, default-graph-uri, named-graph-uri) must name a local graph."""
    for iri in iris:
        if not re.match(r"(?i)^[a-z][a-z0-9+.\-]*:", iri) or iri.lower().startswith("file:"):
            raise Refused(f"{where} <{iri}>: file and relative IRIs are refused; "
                          "name a graph of this dataset (拒绝 file: 与相对 IRI)", 403)
        if not graph_exists(iri):
            raise Refused(f"{where} <{iri}>: no such graph in this dataset; the server never "
                          "fetches remote data (数据集中没有该图，服务器不会抓取远程数据)", 403)


def check_update(update: str) -> None:
    """In the test-only writable mode: updates pass, but LOAD and SERVICE never do."""
    text = blank(update)
    for word in ("LOAD", "SERVICE"):
        if has_word(text, word):
            raise Refused(f"{word} is refused even in writable mode: the server never fetches", 403)


def add_using(update: str, using: list[str], using_named: list[str]) -> str:
    """Apply the protocol's using-graph-uri / using-named-graph-uri to each DELETE/INSERT … WHERE.

    The protocol forbids combining them with USING or WITH in the update itself (400).
    """
    if not using and not using_named:
        return update
    text = blank(update)
    if has_word(text, "USING") or has_word(text, "WITH"):
        raise Refused("using-graph-uri/using-named-graph-uri conflict with USING or WITH in the update")
    clause = "".join(f" USING <{g}>" for g in using) + "".join(f" USING NAMED <{g}>" for g in using_named)
    out, depth, pos, template = [], 0, 0, False
    for m in re.finditer(r"[{}]|(?<![\w:?$@])(?:INSERT|DELETE|WHERE)(?![\w:])", text, re.I):
        tok = m.group(0).upper()
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
        elif depth == 0 and tok in ("INSERT", "DELETE"):
            template = not text[m.end():].lstrip().upper().startswith(("DATA", "WHERE"))
        elif depth == 0 and tok == "WHERE" and template:
            out += [update[pos:m.start()], clause.strip(), " "]
            pos, template = m.start(), False
    out.append(update[pos:])
    return "".join(out)
