"""Checks a SPARQL request before any evaluation: the server is read-only and never fetches.

The decision is taken on a real parse of the query (rdflib's SPARQL 1.1 grammar), not on its
text: the parse tree says what the engine will execute, so every ``SERVICE`` (in subqueries,
``FILTER EXISTS``, after ``.``/``}``/``;`` without a space, spelled with ``\\u`` escapes…),
every ``FROM`` / ``FROM NAMED`` and any update operation is found wherever it is and however
it is written. Text that does not parse as a query is refused (400, or 403 when it parses as
an update). Parsing runs in a checker process (:func:`check_text` is its handler), after two
linear resource limits: size (in the app) and nesting depth; then the count of patterns is
bounded. Anything refused raises :class:`Refused` with a message for the user.

This is the first layer; the second, which does not depend on parsing, is that query
workers cannot open network connections at all (:mod:`kg.serve.sandbox`).
"""
from __future__ import annotations

import hashlib
import re
import sys
import threading
from collections import OrderedDict

MAX_DEPTH = 64         # nesting of { ( [ in the text: deeper queries are refused (400)
MAX_PATTERNS = 1000    # triple patterns + group patterns + filters… in the parse tree (400)
_STACK = 512 * 2**20   # the parser's thread: pyparsing recurses per pattern and per level
READ_ONLY = "this endpoint is read-only; updates and LOAD are refused (只读端点：拒绝更新与 LOAD)"
NO_SERVICE = ("SERVICE: federated queries are refused; this endpoint never contacts other "
              "servers (拒绝联邦查询 SERVICE)")
TOO_DEEP = "the query is nested too deeply (more than {} levels); simplify it (查询嵌套过深)"
_PATTERN_NODES = ("GroupGraphPatternSub", "OptionalGraphPattern", "MinusGraphPattern",
                  "GraphGraphPattern", "GroupOrUnionGraphPattern", "SubSelect", "Filter", "Bind",
                  "InlineData", "ServiceGraphPattern")


class Refused(ValueError):
    """A request the read-only server will not evaluate; ``status`` is the HTTP status."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def nesting_depth(text: str) -> int:
    """The deepest nesting of brackets, counting characters only (strings included): a
    resource limit taken before parsing, linear in the text, not a security decision."""
    depth = deepest = 0
    for m in re.finditer(r"[{(\[]|[})\]]", text):
        if m.group() in "{([":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(0, depth - 1)
    return deepest


def check_text(query: str) -> tuple:
    """What the query text alone decides: ``("ok", from_iris)`` or ``("refused", message,
    status)``. Runs in a checker process (it may take the parser a while)."""
    try:
        return ("ok", _from_iris(_parsed_query(query)))
    except Refused as err:
        return ("refused", str(err), err.status)


def check_update_text(update: str) -> tuple:
    """In the test-only writable mode: updates pass, but LOAD and SERVICE never do."""
    try:
        tree = _parse(update, update=True)
    except Refused as err:
        return ("refused", str(err), err.status)
    names = _names(tree)
    for bad in ("Load", "ServiceGraphPattern"):
        if bad in names:
            word = "LOAD" if bad == "Load" else "SERVICE"
            return ("refused", f"{word} is refused even in writable mode: the server never fetches", 403)
    return ("ok", ())


def _parsed_query(query: str):
    try:
        tree = _parse(query, update=False)
    except Refused as err:
        try:
            update = _parse(query, update=True)
        except Refused:
            raise err from None
        ops = sorted({op.name.upper() for op in dict.get(update, "request") or []})
        raise Refused(f"{', '.join(ops) or 'update'}: {READ_ONLY}", 403) from None
    names = _names(tree)
    if "ServiceGraphPattern" in names:
        raise Refused(NO_SERVICE, 403)
    return tree


def _parse(text: str, update: bool):
    """rdflib's parse tree, on a thread with a large stack; parse errors become Refused."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    if nesting_depth(text) > MAX_DEPTH:
        raise Refused(TOO_DEEP.format(MAX_DEPTH))
    out: dict = {}

    def run():
        try:
            out["tree"] = (parseUpdate if update else parseQuery)(text)
        except ParseBaseException as err:
            out["error"] = Refused(f"syntax error at {err.lineno}:{err.col}: {err.msg} "
                                   f"(语法错误，第 {err.lineno} 行第 {err.col} 列)", 400)
        except RecursionError:
            out["error"] = Refused("the query is nested too deeply or too long for the parser; "
                                   "simplify or split it (查询嵌套过深或过长)", 400)
        except (ValueError, TypeError) as err:  # e.g. an invalid \\u escape
            out["error"] = Refused(f"syntax error: {err}", 400)

    _on_big_stack(run)
    if "error" in out:
        raise out["error"]
    return out["tree"]


def _on_big_stack(fn) -> None:
    old_limit, old_size = sys.getrecursionlimit(), threading.stack_size()
    sys.setrecursionlimit(max(old_limit, 40_000))
    try:
        threading.stack_size(_STACK)
        t = threading.Thread(target=fn, daemon=True)
        t.start()
        t.join()
    finally:
        threading.stack_size(old_size)
        sys.setrecursionlimit(old_limit)


def _nodes(tree):
    """Every element of a parse tree, without recursion (CompValue, ParseResults, terms)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
            stack.extend(node)


def _names(tree) -> set[str]:
    """The grammar rules present in the tree; the pattern count is bounded on the way."""
    names, patterns = set(), 0
    for node in _nodes(tree):
        name = getattr(node, "name", None)
        if not isinstance(name, str) or not isinstance(node, dict):
            continue
        names.add(name)
        if name == "TriplesBlock":
            patterns += sum(max(1, (len(t) - 1) // 2) for t in dict.get(node, "triples") or [])
        elif name in _PATTERN_NODES:
            patterns += 1
        if patterns > MAX_PATTERNS:
            raise Refused(f"the query has more than {MAX_PATTERNS} patterns; split it "
                          "(查询模式过多)", 400)
    return names


def _from_iris(tree) -> tuple[str, ...]:
    """The IRIs named by FROM / FROM NAMED, with the query's PREFIX and BASE applied."""
    prologue, query = tree[0], tree[1]
    base, prefixes = None, {}
    for decl in prologue:
        if decl.name == "Base":
            base = _resolve(str(decl.iri), base)
        elif decl.name == "PrefixDecl":
            prefixes[dict.get(decl, "prefix") or ""] = _resolve(str(decl.iri), base)
    found = []
    for clause in dict.get(query, "datasetClause") or []:
        iri = dict.get(clause, "default") or dict.get(clause, "named")
        if getattr(iri, "name", None) == "pname":
            prefix = dict.get(iri, "prefix") or ""
            if prefix not in prefixes:
                raise Refused(f"FROM {prefix}:{dict.get(iri, 'localname') or ''}: unknown prefix {prefix!r}")
            iri = prefixes[prefix] + re.sub(r"\\(.)", r"\1", dict.get(iri, "localname") or "")
        found.append(_resolve(str(iri), base))
    return tuple(found)


def _resolve(iri: str, base: str | None) -> str:
    if base is None or re.match(r"(?i)^[a-z][a-z0-9+.\-]*:", iri):
        return iri
    from rdflib import URIRef

    return str(URIRef(iri, base=base))


class Remembered:
    """Decisions on query texts, keyed by a hash of the text (never the text itself) and
    bounded in number: a client repeating a large query costs one check, not memory."""

    def __init__(self, size: int = 4096):
        self.size = size
        self._items: OrderedDict[bytes, tuple] = OrderedDict()

    @staticmethod
    def key(text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).digest()

    def get(self, key: bytes):
        answer = self._items.get(key)
        if answer is not None:
            self._items.move_to_end(key)
        return answer

    def put(self, key: bytes, answer: tuple) -> None:
        if answer[0] == "ok" and len(answer[1]) > 64:
            return  # many FROM IRIs: not worth keeping
        self._items[key] = answer
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


def check_graphs(iris, graph_exists, where: str) -> None:
    """Each dataset IRI (FROM, default-graph-uri, named-graph-uri) must name a local graph."""
    for iri in iris:
        if not re.match(r"(?i)^[a-z][a-z0-9+.\-]*:", iri) or iri.lower().startswith("file:"):
            raise Refused(f"{where} <{iri}>: file and relative IRIs are refused; "
                          "name a graph of this dataset (拒绝 file: 与相对 IRI)", 403)
        if not graph_exists(iri):
            raise Refused(f"{where} <{iri}>: no such graph in this dataset; the server never "
                          "fetches remote data (数据集中没有该图，服务器不会抓取远程数据)", 403)


# Rewriting updates for the writable test mode (no security decision: the update is checked
# on its parse by check_update_text; this only places USING clauses).
_STRING = r"'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'|\"(?:[^\"\\\n\r]|\\.)*\""
_IRIREF = r"<[^<>\"{}|^`\\\x00-\x20]*>"
_LEXER = re.compile(f"(?P<s>{_STRING})|(?P<i>{_IRIREF})|(?P<c>#[^\\n\\r]*)", re.S)


def _blank(text: str) -> str:
    """The text with strings and comments replaced by spaces (same length, IRIs kept)."""
    return _LEXER.sub(lambda m: m.group(0) if m.group("i") else " " * len(m.group(0)), text)


def _has_word(text: str, word: str) -> bool:
    return re.search(rf"(?<![\w:?$@\-.]){word}(?![\w:\-])", text, re.I) is not None


def add_using(update: str, using: list[str], using_named: list[str]) -> str:
    """Apply the protocol's using-graph-uri / using-named-graph-uri to each DELETE/INSERT … WHERE.

    The protocol forbids combining them with USING or WITH in the update itself (400).
    """
    if not using and not using_named:
        return update
    text = _blank(update)
    if _has_word(text, "USING") or _has_word(text, "WITH"):
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
