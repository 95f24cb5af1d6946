"""Where two NLP backends disagree on mentions: ``kg annotate --nlp A --compare B FILE``.

    a = annotate(read_file(path), get_backend("lac"))
    b = annotate(read_file(path), get_backend("hanlp-restful"))
    for d in compare(a, b): print(d.to_row())

Both documents must come from the same file (same text and sentences). By default only the
backends' own mentions are compared (not the lexicon's or the number rule's, which both
runs share). Kinds of disagreement, per sentence:

- ``label``: the same span, different labels;
- ``boundary``: overlapping spans of different extent (e.g. 青州市 vs 青州市副市长);
- ``only-a`` / ``only-b``: a mention that overlaps nothing in the other run.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from kg.document import Document, Mention
from kg.errors import KGError

BACKEND_LABELS = ("PERSON", "ORG", "PLACE", "TIME")


@dataclass(frozen=True)
class Disagreement:
    kind: str  # "label", "boundary", "only-a", "only-b"
    sentence: tuple[int, int]  # document span of the sentence
    a: Mention | None
    b: Mention | None

    def to_row(self) -> dict:
        def m(x: Mention | None):
            return None if x is None else {"start": x.start, "end": x.end, "text": x.text,
                                           "label": x.label, "source": x.source}
        return {"kind": self.kind, "start": self.sentence[0], "end": self.sentence[1],
                "a": m(self.a), "b": m(self.b)}


def _mentions(sentence, backend_only: bool, source: str) -> list[Mention]:
    return sorted((m for m in sentence.mentions if m.label in BACKEND_LABELS
                   and (not backend_only or m.source == source)), key=lambda m: (m.start, m.end))


def compare(doc_a: Document, doc_b: Document, *, backend_only: bool = True) -> list[Disagreement]:
    """The disagreements on mentions between two annotations of the same document."""
    if doc_a.text != doc_b.text:
        raise KGError(f"cannot compare annotations of different texts ({doc_a.path}, {doc_b.path})")
    src_a, src_b = doc_a.provenance.get("backend", ""), doc_b.provenance.get("backend", "")
    out: list[Disagreement] = []
    for sa, sb in zip(doc_a.sentences, doc_b.sentences):
        out += _sentence(sa.start, sa.end, _mentions(sa, backend_only, src_a),
                         _mentions(sb, backend_only, src_b))
    return out


def _sentence(start: int, end: int, ma: list[Mention], mb: list[Mention]) -> list[Disagreement]:
    def overlaps(x: Mention, y: Mention) -> bool:
        return x.start < y.end and y.start < x.end

    out, span = [], (start, end)
    for x in ma:
        same = [y for y in mb if (y.start, y.end) == (x.start, x.end)]
        if same:
            if all(y.label != x.label for y in same):
                out.append(Disagreement("label", span, x, same[0]))
            continue
        near = [y for y in mb if overlaps(x, y)]
        out += [Disagreement("boundary", span, x, y) for y in near] or [Disagreement("only-a", span, x, None)]
    out += [Disagreement("only-b", span, None, y) for y in mb if not any(overlaps(x, y) for x in ma)]
    return out


def summary(disagreements: list[Disagreement]) -> dict[str, int]:
    """Counts per kind (for the report line on stderr)."""
    return dict(Counter(d.kind for d in disagreements))
