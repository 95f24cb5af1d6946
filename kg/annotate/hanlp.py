"""HanLP 2.x native backend (extra ``kg[hanlp]``): ``get_backend("hanlp", model=...)``.

Loads a HanLP component with ``hanlp.load`` (by default the small Chinese multi-task model:
tok/pos/ner/srl/dep) and turns its output into ``Analysis`` objects in local character
offsets. The conversion functions (``convert``, ``align_tokens``, tag maps) are pure Python
and shared with the RESTful backend; ``hanlp`` and torch are imported only when a backend
is created, so ``import kg.annotate.hanlp`` stays light.

Offline, ``hanlp.load(ID)`` reads ``$HANLP_HOME/<path of the model's URL, without .zip>``.
We check that folder first and fail at once with a ``BackendError`` naming it, instead of
letting HanLP retry a download for half a minute. A mirror named by ``HANLP_URL`` (or
``download=True``) lets HanLP fetch missing models.
"""
from __future__ import annotations

import os
from dataclasses import fields
from pathlib import Path

from kg.errors import BackendError

from kg.annotate import Analysis

#: HanLP's small Chinese multi-task model (tok, pos, ner, srl, dep, sdp, con).
DEFAULT_MODEL = "CLOSE_TOK_POS_NER_SRL_DEP_SDP_CON_ELECTRA_SMALL_ZH"
#: Tasks asked of a multi-task model, by preference within each kind.
TASK_KEYS = {
    "tok": ("tok/fine", "tok/coarse", "tok"),
    "pos": ("pos/ctb", "pos/pku", "pos/863", "pos"),
    "ner": ("ner/msra", "ner/ontonotes", "ner/pku", "ner"),
    "srl": ("srl",),
    "dep": ("dep",),
}

#: NER tags of MSRA, PKU and OntoNotes (and LAC-style short forms) -> our labels.
NER_LABELS = {
    "PERSON": "PERSON", "PER": "PERSON", "NR": "PERSON", "nr": "PERSON",
    "ORGANIZATION": "ORG", "ORG": "ORG", "NT": "ORG", "nt": "ORG",
    "LOCATION": "PLACE", "LOC": "PLACE", "GPE": "PLACE", "FAC": "PLACE", "NS": "PLACE",
    "ns": "PLACE",
    "DATE": "TIME", "TIME": "TIME", "t": "TIME",
}

#: CTB POS tags -> the LAC tag set that Token.pos and the extraction rules use.
CTB_TO_LAC = {
    "NN": "n", "NR": "nz", "NT": "t", "PN": "r", "DT": "r", "CD": "m", "OD": "m", "M": "q",
    "VV": "v", "VA": "a", "VC": "v", "VE": "v", "JJ": "a", "AD": "d", "P": "p", "BA": "p",
    "LB": "p", "SB": "p", "CC": "c", "CS": "c", "LC": "f", "DEC": "u", "DEG": "u", "DER": "u",
    "DEV": "u", "AS": "u", "SP": "xc", "ETC": "u", "MSP": "u", "IJ": "xc", "ON": "xc",
    "PU": "w", "FW": "x", "URL": "x", "EM": "x", "NOI": "x", "X": "x",
}
#: PKU tags that differ from LAC's (the rest are the same letters).
PKU_TO_LAC = {"nr": "PER", "ns": "LOC", "nt": "ORG", "t": "TIME", "nx": "nz", "Ng": "n",
              "Vg": "v", "Ag": "a", "Tg": "t", "Dg": "d", "y": "xc", "e": "xc", "o": "xc"}
#: LAC's entity POS for our labels (tokens inside a mention get it, as LAC does).
LABEL_POS = {"PERSON": "PER", "ORG": "ORG", "PLACE": "LOC", "TIME": "TIME"}


def make_analysis(**values) -> Analysis:
    """An ``Analysis`` with the values its fields accept (``dep`` only where it exists)."""
    names = {f.name for f in fields(Analysis)}
    return Analysis(**{k: v for k, v in values.items() if k in names})


def pick(doc: dict, kind: str, prefer: str | None = None):
    """The first key of ``doc`` for a task kind (``ner`` -> ``ner/msra``…), or None."""
    keys = ((prefer,) if prefer else ()) + TASK_KEYS[kind]
    return next((k for k in keys if k in doc), None)


def align_tokens(text: str, tokens: list[str]) -> list[tuple[int, int]]:
    """Character spans of ``tokens`` in ``text`` (tokens skip whitespace; if HanLP has
    normalized a token so that it is not found next, its length is taken as is)."""
    spans, pos = [], 0
    for tok in tokens:
        i = text.find(tok, pos)
        if i < 0 or text[pos:i].strip():
            while pos < len(text) and text[pos].isspace():
                pos += 1
            i = pos
        end = min(i + len(tok), len(text))
        spans.append((i, end))
        pos = end
    return spans


def map_pos(tag: str, tagset: str) -> str:
    if tagset.endswith("ctb"):
        return CTB_TO_LAC.get(tag, tag.lower())
    if tagset.endswith("pku"):
        return PKU_TO_LAC.get(tag, tag)
    return tag


def convert(text: str, doc: dict, *, ner_key: str | None = None) -> Analysis:
    """One sentence's HanLP output (a dict keyed by task, token offsets) -> ``Analysis``."""
    if not doc:  # a blank text, not sent to HanLP
        return make_analysis()
    tok_key = pick(doc, "tok")
    words = doc[tok_key] if tok_key else list(text)
    spans = align_tokens(text, words)

    def char_span(b: int, e: int) -> tuple[int, int]:
        e = min(e, len(spans))
        return (spans[b][0], spans[e - 1][1]) if e > b else (spans[b][0], spans[b][0])

    mentions = []
    nk = pick(doc, "ner", ner_key)
    for _surface, tag, b, e in (doc.get(nk) or []) if nk else []:
        label = NER_LABELS.get(tag)
        if label and 0 <= b < e <= len(spans):
            s, t = char_span(b, e)
            while s < t and text[s].isspace():
                s += 1
            while t > s and text[t - 1].isspace():
                t -= 1
            if t > s:
                mentions.append((s, t, label))
    pos_key = pick(doc, "pos")
    tags = doc[pos_key] if pos_key else ["x"] * len(words)
    tokens = [(s, e, map_pos(t, pos_key or "")) for (s, e), t in zip(spans, tags)]
    for s, e, label in mentions:  # LAC marks tokens of a name with the entity tag
        tokens = [(ts, te, LABEL_POS[label] if s <= ts and te <= e else t) for ts, te, t in tokens]
    srl = [frame for pas in doc.get("srl") or [] if (frame := _frame(pas, char_span, len(spans)))]
    dep = [(int(h), rel) for h, rel in doc.get("dep") or []]
    return make_analysis(tokens=tokens, mentions=sorted(set(mentions)), srl=srl, dep=dep)


def _frame(pas, char_span, n: int) -> dict | None:
    """A predicate-argument structure [[text, label, b, e], …] -> {"predicate": (s, e), …}."""
    frame: dict = {}
    for _surface, label, b, e in pas:
        if not 0 <= b < e <= n:
            continue
        key = "predicate" if label == "PRED" else label
        frame.setdefault(key, char_span(b, e))
    return frame if "predicate" in frame else None


def split_batch(doc: dict, n: int) -> list[dict]:
    """A batched HanLP result (every task a list per sentence) -> one dict per sentence."""
    return [{k: v[i] for k, v in doc.items() if isinstance(v, list) and len(v) == n}
            for i in range(n)]


# ------------------------------------------------------------------ the model on disk


def hanlp_home(home: str | os.PathLike | None = None) -> Path:
    return Path(home or os.environ.get("HANLP_HOME") or Path.home() / ".hanlp")


def model_folder(model: str, home: str | os.PathLike | None = None) -> Path:
    """The folder ``hanlp.load(model)`` reads, laid out as HanLP's ``get_resource`` does."""
    import hanlp  # noqa: F401  (fills hanlp.pretrained.ALL; HANLP_URL is read here)
    from hanlp.pretrained import ALL
    from hanlp.utils.io_util import path_from_url, split_if_compressed
    from hanlp_common.constant import HANLP_URL

    url = ALL.get(model, model)
    if not url.startswith(("http:", "https:")):
        return Path(url)
    url, _, anchor = url.partition("#")
    folder, _ = split_if_compressed(path_from_url(url, str(hanlp_home(home)), HANLP_URL))
    return Path(folder) / anchor.lstrip("/") if anchor else Path(folder)


def missing_model(model: str, folder: Path, home) -> BackendError:
    return BackendError(
        f"HanLP model {model} is not on this machine: expected the folder {folder} "
        f"(HANLP_HOME={hanlp_home(home)}).",
        hint=f"Unzip the model so that {folder}/config.json exists (HANLP_HOME is "
             f"{hanlp_home(home)}), or set HANLP_URL to a mirror, or use --nlp hanlp-restful; "
             "see README, 'Using HanLP'.")


class HanLPBackend:
    """``analyze(texts)`` with a HanLP component loaded through ``hanlp.load``."""

    name = "hanlp"

    def __init__(self, model: str | None = None, *, home=None, ner: str | None = None,
                 tasks: list[str] | None = None, batch_size: int = 32,
                 download: bool | None = None, devices=None):
        self.model = model or os.environ.get("KG_HANLP_MODEL") or DEFAULT_MODEL
        self.ner_key, self.batch_size = ner, batch_size
        try:
            import hanlp
        except ImportError as e:
            raise BackendError(f"the hanlp backend needs HanLP ({e.name} is not installed)",
                               hint="pip install torch==2.13.0 'kg[hanlp]'") from None
        folder = model_folder(self.model, home)
        if download is None:
            download = bool(os.environ.get("HANLP_URL"))
        if not (folder / "config.json").is_file() and not (folder / "meta.json").is_file():
            if not download:
                raise missing_model(self.model, folder, home)
        target = str(folder) if folder.is_dir() else self.model
        try:
            self.component = hanlp.load(target, devices=devices, verbose=False)
        except Exception as e:  # HanLP raises anything from FileNotFoundError to HTTPError
            raise BackendError(f"HanLP could not load {self.model} from {target}: {e}",
                               hint=missing_model(self.model, folder, home).hint) from e
        self.is_mtl = hasattr(self.component, "tasks") and isinstance(self.component.tasks, dict)
        self.tasks = self._tasks(tasks)
        self.version = f"hanlp {hanlp.__version__}; model {self.model}"
        self.provenance = {"backend": self.name, "version": hanlp.__version__,
                           "model": self.model, "model_path": str(folder),
                           "tasks": self.tasks}

    def _tasks(self, wanted: list[str] | None) -> list[str]:
        if not self.is_mtl:
            return ["ner"]
        have = list(self.component.tasks)
        if wanted:
            return [t for t in wanted if t in have]
        picked = (next((k for k in keys if k in have), None) for keys in TASK_KEYS.values())
        return [k for k in picked if k]

    def analyze(self, texts: list[str]) -> list[Analysis]:
        out: list[Analysis] = []
        for i in range(0, len(texts), self.batch_size):
            batch = texts[i:i + self.batch_size]
            out += [convert(t, d, ner_key=self.ner_key) for t, d in zip(batch, self._run(batch))]
        return out

    def _run(self, batch: list[str]) -> list[dict]:
        live = [t for t in batch if t.strip()]
        results = iter(self._predict(live) if live else [])
        return [next(results) if t.strip() else {} for t in batch]

    def _predict(self, texts: list[str]) -> list[dict]:
        if self.is_mtl:
            return split_batch(dict(self.component(texts, tasks=self.tasks)), len(texts))
        # a single NER component (e.g. RNNNamedEntityRecognizer) reads lists of characters
        return [{"ner": [list(m) for m in ents]} for ents in self.component([list(t) for t in texts])]


def create(**options) -> HanLPBackend:
    return HanLPBackend(**options)
