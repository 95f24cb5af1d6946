"""The domain lexicon: post titles, agreement types, meeting nouns, initiatives, body aliases.

Entries live in ``kg/data/lexicon/*.txt`` (UTF-8, one entry a line, ``#`` comments), with
TAB-separated columns ``surface  LABEL  [canonical]``; LABEL is one of POST, AGREEMENT,
EVENT, INITIATIVE, ORG. Matching uses HanLP's pure-Python trie (``hanlp_trie``, no torch),
longest match first, left to right.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from kg.document import LABELS
from kg.errors import KGError

__all__ = ["Lexicon", "LexEntry", "LEXICON_DIR"]

LEXICON_DIR = Path(__file__).resolve().parent.parent / "data" / "lexicon"


@dataclass(frozen=True)
class LexEntry:
    start: int  # offsets into the text given to ``Lexicon.find`` (0 for ``entries``)
    end: int
    surface: str
    label: str
    canonical: str  # the surface itself when the file gives no canonical form


class Lexicon:
    """Surface -> [(label, canonical)] over a ``hanlp_trie.Trie``."""

    def __init__(self, rows: list[tuple[str, str, str]] = ()):
        from hanlp_trie import Trie

        self._trie = Trie()
        self._rows: list[tuple[str, str, str]] = []
        for surface, label, canonical in rows:
            self.add(surface, label, canonical)
        self.sources: list[str] = []

    def add(self, surface: str, label: str, canonical: str | None = None) -> None:
        if label not in LABELS:
            raise KGError(f"lexicon label {label!r} is not one of {', '.join(LABELS)}")
        values = self._trie[surface] or []
        pair = (label, canonical or surface)
        if pair not in values:
            self._trie[surface] = values + [pair]
            self._rows.append((surface, label, canonical or surface))

    @classmethod
    def load(cls, paths) -> "Lexicon":
        """Read lexicon files (or every ``*.txt`` of a folder)."""
        lex = cls()
        for p in map(Path, paths):
            files = sorted(p.glob("*.txt")) if p.is_dir() else [p]
            for f in files:
                lex._read(f)
                lex.sources.append(f.name)
        return lex

    @classmethod
    @functools.lru_cache(maxsize=1)
    def default(cls) -> "Lexicon":
        """The domain lexicon (loaded once per process): the rule vocabulary extraction uses
        (kg/data/rules: post titles, event nouns, agreement types, short forms of bodies) and
        the entries of kg/data/lexicon/ (known initiatives) — one vocabulary, not two copies."""
        from kg.vocab import vocab

        lex = cls.load([LEXICON_DIR])
        v = vocab()
        for title in v.titles:
            lex.add(title, "POST")
        for noun in v.event_nouns:
            lex.add(noun, "EVENT")
        for kind in v.agreement_types:
            lex.add(kind, "AGREEMENT")
        for short, long in v.abbreviations.items():
            lex.add(short, "ORG", long)
        for short, (long, _) in v.bodies.items():
            if "{" not in long:  # 市委 -> 中共{city}市委 needs the document's city: kg.link's work
                lex.add(short, "ORG", long)
        lex.sources.append("kg/data/rules")
        return lex

    def _read(self, path: Path) -> None:
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cols = [c.strip() for c in line.split("\t")]
            if len(cols) < 2 or not cols[0]:
                raise KGError(f"{path}: line {no}: expected 'surface<TAB>LABEL[<TAB>canonical]', got {line!r}",
                              hint="Separate the columns with one TAB character.")
            try:
                self.add(cols[0], cols[1], cols[2] if len(cols) > 2 and cols[2] else None)
            except KGError as e:
                raise KGError(f"{path}: line {no}: {e}") from None

    # ------------------------------------------------------------ lookups
    def find(self, text: str) -> list[LexEntry]:
        """Non-overlapping entries in ``text``, longest match first, left to right."""
        out = []
        for start, end, values in self._trie.parse_longest(text):
            for label, canonical in values:
                out.append(LexEntry(start, end, text[start:end], label, canonical))
        return out

    def entries(self, label: str | None = None) -> list[LexEntry]:
        """Every entry (with ``label`` when given), in file order."""
        return [LexEntry(0, len(s), s, lab, c) for s, lab, c in self._rows if label in (None, lab)]

    def canonical(self, surface: str, label: str | None = None) -> str | None:
        """The canonical form of ``surface`` (as ``label``), ``None`` when not in the lexicon."""
        for lab, c in self._trie[surface] or []:
            if label in (None, lab):
                return c
        return None

    def __contains__(self, surface: str) -> bool:
        return bool(self._trie[surface])

    def __len__(self) -> int:
        return len(self._rows)

    def __repr__(self) -> str:
        return f"<Lexicon {len(self)} entries from {', '.join(self.sources) or 'code'}>"
