"""How ``kg query`` prints a QueryResult: ``--format table|csv|tsv|json``.

CSV, TSV and JSON are for machines: every value as it is, IRIs in full. The table is for
people on a terminal: IRIs under a prefix of the build (``kgid:person/1256015561cfa913``,
``kg:speaker``), each cell on one line, the columns fitted to the terminal's width (long cells
cut with …, CJK characters counted two columns wide). When a row also gives an entity's name
(a variable ``xName`` or ``xLabel`` beside ``x``, or ``name``/``label`` beside the first
variable), that entity's IRI column is the first to be narrowed.
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata

_IRI_STARTS = ("http://", "https://", "urn:")
_MIN_NAMED = 12  # narrowest a named entity's IRI column gets before the other columns are cut
_MIN = 6         # narrowest any column gets; a table that still does not fit runs over


def render(fmt: str, names, rows, prefixes: dict | None = None, width: int = 0) -> str:
    """The text of ``rows`` as ``fmt``; ``prefixes`` and ``width`` (0: no limit) shape the table."""
    if fmt == "table":
        return table(names, rows, prefixes, width)
    return FORMATTERS[fmt](names, rows)


def cell(value) -> str:
    return "" if value is None else str(value)


def to_csv(names, rows, delimiter=",") -> str:
    """The csv module writes each value as ``cell`` would (None empty, others ``str``), so the
    rows go to it as they are (half the time of a list of cells per row, on 100 k rows)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(names)
    writer.writerows(rows)
    return buf.getvalue()


def to_tsv(names, rows) -> str:
    clean = [[cell(v).replace("\t", " ").replace("\n", " ") for v in row] for row in rows]
    return "\n".join("\t".join(r) for r in [list(names), *clean]) + "\n"


def to_json(names, rows) -> str:
    return json.dumps([dict(zip(names, row)) for row in rows], ensure_ascii=False, indent=2) + "\n"


def width_of(text: str) -> int:
    """Terminal columns of ``text``: East Asian wide and full-width characters take two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(names, rows, prefixes: dict | None = None, width: int = 0) -> str:
    """Aligned columns under a ruled header, then ``(N rows)``; see the module doc."""
    short = shortener(prefixes or {})
    cells = [list(names), *[[short(cell(v)).replace("\n", " ").replace("\t", " ") for v in row] for row in rows]]
    widths = [max(width_of(r[i]) for r in cells) for i in range(len(names))]
    if width:
        widths = fit(widths, width, named_iri_columns(names, rows))
    lines = ["  ".join(pad(cut(c, w), w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + f"\n({len(rows)} rows)\n"


def shortener(prefixes: dict[str, str]):
    """A function writing an IRI under the longest matching namespace of ``prefixes``
    (prefix -> namespace IRI) as ``prefix:local``; other text comes back as it is."""
    spaces = {iri: name for name, iri in prefixes.items() if iri}
    if not spaces:
        return lambda text: text
    match = re.compile("|".join(map(re.escape, sorted(spaces, key=len, reverse=True)))).match

    def short(text: str) -> str:
        found = match(text)
        if found is None or found.end() == len(text) or any(c.isspace() for c in text):
            return text
        return f"{spaces[found.group()]}:{text[found.end():]}"

    return short


def named_iri_columns(names, rows) -> list[int]:
    """Indices of the variables holding IRIs of entities whose name the row gives too."""
    names = list(names)
    found = []
    for i, name in enumerate(names):
        named = any(f"{name}{s}" in names for s in ("Name", "Label", "_name", "_label"))
        if named or (i == 0 and ("name" in names or "label" in names)):
            values = [row[i] for row in rows if row[i] is not None]
            if values and all(isinstance(v, str) and v.startswith(_IRI_STARTS) for v in values):
                found.append(i)
    return found


def fit(widths: list[int], limit: int, first=()) -> list[int]:
    """Column widths whose sum, with two spaces between columns, is at most ``limit``: the
    columns ``first`` are narrowed first (to _MIN_NAMED), then the widest of all (to _MIN)."""
    widths = list(widths)
    for group, floor in ((list(first), _MIN_NAMED), (range(len(widths)), _MIN)):
        over = sum(widths) + 2 * (len(widths) - 1) - limit
        if over <= 0:
            break
        widths = narrow(widths, group, over, floor)
    return widths


def narrow(widths: list[int], group, over: int, floor: int) -> list[int]:
    """Cap the columns ``group`` at the widest width (not below ``floor``) that saves ``over``."""
    cap = max([widths[i] for i in group], default=floor)
    while cap > floor and sum(max(0, widths[i] - cap) for i in group) < over:
        cap -= 1
    group = set(group)
    return [min(w, max(cap, floor)) if i in group else w for i, w in enumerate(widths)]


def cut(text: str, width: int) -> str:
    """``text`` if it fits ``width`` columns, else its start and … in ``width`` columns."""
    if width_of(text) <= width:
        return text
    out, used = [], 0
    for c in text:
        w = width_of(c)
        if used + w > width - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


def pad(text: str, width: int) -> str:
    return text + " " * (width - width_of(text))


FORMATTERS = {"table": table, "csv": to_csv, "tsv": to_tsv, "json": to_json}
