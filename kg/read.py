"""Read source files into a ``Document``: find them, decode, front matter, HTML to text.

``Document.text`` is the decoded text of the file (a UTF-8 BOM dropped, recorded as
``encoding="utf-8-sig"``; damaged UTF-8 bytes as U+FFFD, see ``kg.decode``); for ``.html``
it is the text trafilatura extracts from the page (``kg.webpage``), so offsets of an HTML
source refer to that text, not to the markup. Front matter stays in ``text`` but belongs to
no article and no sentence. Articles and sentences: ``kg.articles``. What was odd but could
be read (damaged bytes, no text) is said in ``Document.warnings``, naming the file.
"""
from __future__ import annotations

import datetime as _dt
import functools
import os
import re
from pathlib import Path

from kg.articles import articles, line_article
from kg.dates import resolve_date, year_near
from kg.decode import decode
from kg.document import Document
from kg.errors import ReadError

__all__ = ["read_file", "read_text", "iter_sources", "decode", "resolve_date", "year_near", "SUFFIXES"]

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
_MD = (".md", ".markdown")
_HTML = (".html", ".htm")


# ------------------------------------------------------------------ sources
def iter_sources(paths) -> list[Path]:
    """Expand folders to their .txt/.md/.markdown/.html/.htm files (recursively), sorted.

    Skipped inside folders: hidden folders (".git", ".builds") and build folders, so that
    ``kg build src/ --out src/build`` never reads its own output next time. A build folder
    holds a ``.kg-build`` marker, or ``shards/`` next to ``stats.json``, ``.builds/`` or
    ``current``, or ``store/`` next to ``stats.json``. A folder given by name is skipped too
    when it is a build folder; a file given by name is always read.
    """
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(_folder_sources(p)))
        elif p.is_file():
            out.append(p)
        else:
            raise ReadError(f"{p}: no such file or folder", path=str(p))
    return out


def _folder_sources(top: Path):
    for root, dirs, files in os.walk(top):
        if _is_build_folder(set(dirs) | set(files)):
            dirs[:] = []
            continue
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            f = Path(root, name)
            if f.suffix.lower() in SUFFIXES and f.is_file():
                yield f


def _is_build_folder(names: set[str]) -> bool:
    return (".kg-build" in names
            or ("shards" in names and bool(names & {"stats.json", ".builds", "current"}))
            or {"store", "stats.json"} <= names)


def read_file(path, *, lines: bool = False) -> Document:
    """Read one source file (.txt, .md with front matter, .html) into a ``Document``.

    ``lines=True``: one article, each non-blank line one sentence (line-per-sentence corpora).
    ``Document.warnings`` names the file and what was odd: damaged UTF-8 bytes (decoded as
    U+FFFD, their byte offsets given), no text at all (the document adds nothing).
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise ReadError(f"{path}: cannot read ({e.strerror or e})", path=str(path)) from None
    warnings: list[str] = []
    text, encoding = decode(data, str(path), warnings)
    doc = read_text(text, str(path), lines=lines)
    doc.encoding = encoding
    if next(iter(doc.sentences), None) is None:  # built (it adds nothing), but said
        warnings.append(f"{path}: empty file, nothing to build" if not text.strip() else
                        f"{path}: no text outside the front matter or markup, nothing to build")
    doc.warnings.extend(warnings)
    return doc


def read_text(text: str, path: str = "<string>", *, meta: dict | None = None,
              lines: bool = False) -> Document:
    """Build a ``Document`` from decoded text; ``path``'s suffix says .md or .html.

    ``meta`` (title, date, source, media) overrides front matter; ``lines`` as in ``read_file``.
    """
    suffix = Path(path).suffix.lower()
    fm: dict = {}
    body, where = 0, {}
    if suffix in _HTML:
        from kg.webpage import html_to_text

        text, fm = html_to_text(text)
    elif suffix in _MD:
        fm, body, where = _front_matter(text, path)
    elif text.startswith("---"):  # front matter in a .txt or a string: only when it parses
        try:
            fm, body, where = _front_matter(text, path)
        except ReadError:
            fm, body, where = {}, 0, {}
    fm.update(meta or {})
    if "date" in fm and fm["date"] is not None:
        line = where.get("date") if not (meta and "date" in meta) else None
        fm["date"] = _meta_date(fm["date"], path, line)
    doc = Document(path=str(path), id=Path(path).name, text=text, meta=fm)
    doc.date = _dt.date.fromisoformat(fm["date"]) if fm.get("date") else None
    doc.articles = line_article(doc, body) if lines else articles(doc, body)
    if doc.date is None and len(doc.articles) == 1:
        doc.date = doc.articles[0].date
    return doc


# ------------------------------------------------------------------ front matter
_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)


def _front_matter(text: str, path: str) -> tuple[dict, int, dict]:
    """Parse a leading ``---`` YAML block: (mapping, offset where the body starts, line of each
    key in the file)."""
    first = text.split("\n", 1)[0].rstrip()
    if first != "---":
        return {}, 0, {}
    close = _FENCE.search(text, len(first) + 1)
    if close is None:
        raise ReadError(f"{path}: line 1: front matter opened with '---' is never closed", path=path)
    import yaml

    try:
        data, where = _yaml(text[len(first) + 1:close.start()])
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        why = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise ReadError(f"{path}: line {line}: bad YAML front matter ({why})", path=path) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ReadError(f"{path}: line 2: front matter is not a mapping of keys to values", path=path)
    end = text.find("\n", close.end())
    return {str(k): v for k, v in data.items()}, len(text) if end < 0 else end + 1, where


def _yaml(block: str) -> tuple[object, dict]:
    """The YAML value of ``block`` and the file line (the block starts on line 2) of each
    top-level key; a timestamp that is no date ("2023-02-30") is a YAMLError with its line."""
    import yaml

    loader = _loader()(block)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    where = {}
    if isinstance(node, yaml.MappingNode):
        where = {str(k.value): k.start_mark.line + 2 for k, _ in node.value}
    return data, where


@functools.cache
def _loader():
    """yaml.SafeLoader whose timestamps that are no date raise a ConstructorError (with a mark)."""
    import yaml

    class Loader(yaml.SafeLoader):
        def timestamp(self, node):
            try:
                return self.construct_yaml_timestamp(node)
            except ValueError as e:
                raise yaml.constructor.ConstructorError(
                    None, None, f"{node.value!r} is not a valid date: {e}", node.start_mark) from None

    Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.timestamp)
    return Loader


def _meta_date(value, path: str, line: int | None = None) -> str:
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    iso = resolve_date(str(value), year_hint=None)
    if not iso or iso.startswith("--"):
        at = f"line {line}: " if line else ""
        raise ReadError(f"{path}: {at}front matter date {value!r} is not a valid date with a year",
                        hint="Write the date as YYYY-MM-DD (2023-05-18) or 2023年5月18日.", path=path)
    return iso
