"""Train the CRF entity recognizer (kg/annotate/ner.py) on CLUENER2020 train, reproducibly.

    python scripts/train_ner.py [--data ../shared/data/cluener/train.jsonl] [--out kg/data/models/ner.crfsuite]

The sentences are split 90/10 by a fixed seed (a seeded shuffle of the line numbers); the 10%
is held out: the model never sees it, and the script reports exact-span P/R/F1 on it, per
CLUENER label and per mention label (PERSON, ORG, POST, PLACE), once for the CRF alone and
once through the real `kg annotate --lines` path (LAC + lexicon + CRF, merged), into
bench/results/ner.json. Only CLUENER's train file is read: its published dev and test splits
are where the product is measured and are never used. Takes a few minutes on 2 cores.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.annotate import get_backend  # noqa: E402
from kg.annotate.ner import LABEL_OF, MODEL, NerTagger, dictionary_spans, features, tags_of_spans  # noqa: E402

SEED = 2020
HELD_OUT = 0.1
PARAMS = {"c1": 0.1, "c2": 0.05, "max_iterations": 150, "feature.possible_transitions": True}
GROUPS = {"PERSON": {"name"}, "ORG": {"company", "government", "organization"}, "POST": {"position"},
          "PLACE": {"address", "scene"}}


def load(path: Path) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """(text, [(start, end, label)]) per line; CLUENER's inclusive [s, e] made half-open."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        spans = [(s, e + 1, lab) for lab, names in row.get("label", {}).items()
                 for places in names.values() for s, e in places]
        out.append((row["text"], sorted(spans)))
    return out


def split(rows: list, seed: int = SEED) -> tuple[list, list]:
    """(train, held-out): a seeded shuffle of the line numbers, the first 10% held out."""
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    k = int(len(rows) * HELD_OUT)
    held = sorted(order[:k])
    train = sorted(order[k:])
    return [rows[i] for i in train], [rows[i] for i in held]


def featurize(texts: list[str]) -> list[list[list[str]]]:
    """Features of each text, with LAC run on all of them (the same path as tagging)."""
    analyses = get_backend("lac").analyze(texts)
    return [features(t, a.tokens, dictionary_spans(t)) for t, a in zip(texts, analyses)]


def train(rows: list, out: Path, params: dict = PARAMS) -> float:
    import pycrfsuite

    t0 = time.perf_counter()
    xs = featurize([t for t, _ in rows])
    print(f"features of {len(rows)} sentences in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    for x, (text, spans) in zip(xs, rows):
        trainer.append(x, tags_of_spans(len(text), spans))
    trainer.set_params(params)
    out.parent.mkdir(parents=True, exist_ok=True)
    t1 = time.perf_counter()
    trainer.train(str(out))
    return time.perf_counter() - t1


# ------------------------------------------------------------------ scoring
def prf(gold: Counter, pred: Counter, hit: Counter, key: str) -> dict:
    p = hit[key] / pred[key] if pred[key] else 0.0
    r = hit[key] / gold[key] if gold[key] else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4),
            "gold": gold[key], "pred": pred[key]}


def score(golds: list[set], preds: list[set], keys) -> dict:
    """Exact-span P/R/F1 per key; gold and predicted sets hold (start, end, key)."""
    gold, pred, hit = Counter(), Counter(), Counter()
    for g, p in zip(golds, preds):
        for *_, k in g:
            gold[k] += 1
        for *_, k in p:
            pred[k] += 1
        for *_, k in g & p:
            hit[k] += 1
    return {k: prf(gold, pred, hit, k) for k in keys}


def grouped(spans) -> set:
    return {(s, e, LABEL_OF[lab]) for s, e, lab in spans if lab in LABEL_OF}


def eval_crf(model: Path, rows: list) -> dict:
    """The CRF alone on the held-out rows: per CLUENER label and per mention label."""
    tagger = NerTagger(model)
    texts = [t for t, _ in rows]
    analyses = get_backend("lac").analyze(texts)
    preds = [tagger.tag(t, a.tokens) for t, a in zip(texts, analyses)]
    fine = score([set(s) for _, s in rows], [{(p.start, p.end, p.fine) for p in ps} for ps in preds],
                 sorted(LABEL_OF))  # book, game, movie are tagged but never reported
    coarse = score([grouped(s) for _, s in rows], [{(p.start, p.end, p.label) for p in ps} for ps in preds],
                   GROUPS)
    return {"fine": fine, "labels": coarse}


def eval_annotate(rows: list) -> dict:
    """The held-out rows through `kg annotate --lines` (the merged mentions of the pipeline)."""
    from kg.annotate import to_jsonl

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "held_out.txt"
        path.write_text("".join(t.replace("\n", " ") + "\n" for t, _ in rows), encoding="utf-8")
        out = [json.loads(line) for line in to_jsonl(path, lines=True)]
    by_start = {r["start"]: r for r in out}
    golds, preds, pos = [], [], 0
    for text, spans in rows:
        golds.append(grouped(spans))
        row = by_start.get(pos + len(text) - len(text.lstrip()))
        ms = row["mentions"] if row else []
        preds.append({(m["start"] - pos, m["end"] - pos, m["label"]) for m in ms if m["label"] in GROUPS})
        pos += len(text) + 1
    return score(golds, preds, GROUPS)


SURNAMES_HEADER = """\
# Person-name vocabulary of kg/annotate/ner.py, derived from jieba's dictionary (dict.txt of the
# jieba package, https://github.com/fxsjy/jieba, MIT licence); generated, do not edit.
# Refresh: python scripts/train_ner.py --surnames > kg/data/surnames.txt   (then: make model)
# One-character lines: common surnames, most frequent first: the first character of jieba's
#   three-character words tagged nr (person names), kept when it starts >= 15 of them, starts at
#   least half of the nr words it occurs in (or >= 150), and occurs less often in transliterated
#   names (nrt) than it starts nr words.
# Two-character lines: words that are no given name after a surname: jieba's common nouns (n,
#   frequency >= 1000: 先生, 老师) and transliteration parts (nrt, frequency >= 50).
"""


def surnames() -> str:
    """The text of kg/data/surnames.txt, derived from jieba's dictionary (needs jieba)."""
    import os

    import jieba

    first, other, nrt, nouns = Counter(), Counter(), Counter(), []
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as f:
        for line in f:
            w, freq, pos = line.split()
            if not all("\u4e00" <= ch <= "\u9fff" for ch in w):
                continue
            if pos == "nr" and len(w) == 3:
                first[w[0]] += 1
                other.update(w[1:])
            if pos == "nrt":
                nrt.update(w)
            if len(w) == 2 and (pos == "n" and int(freq) >= 1000 or pos == "nrt" and int(freq) >= 50):
                nouns.append(w)
    names = [ch for ch, k in first.most_common() if k >= 15 and (k >= 150 or k / (k + other[ch]) >= 0.5)
             and nrt[ch] < k]
    return SURNAMES_HEADER + "".join(x + "\n" for x in names + sorted(set(nouns)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "cluener" / "train.jsonl")
    ap.add_argument("--out", type=Path, default=MODEL)
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "results" / "ner.json")
    ap.add_argument("--eval-only", action="store_true", help="score the existing model, do not train")
    ap.add_argument("--surnames", action="store_true", help="print kg/data/surnames.txt, derived from jieba")
    args = ap.parse_args(argv)
    if args.surnames:
        sys.stdout.write(surnames())
        return 0
    train_rows, held = split(load(args.data))
    result = {"data": str(args.data.name), "seed": SEED, "train": len(train_rows), "held_out": len(held),
              "params": PARAMS}
    if not args.eval_only:
        result["train_seconds"] = round(train(train_rows, args.out), 1)
    elif args.results.is_file():  # keep what the training run recorded
        result["train_seconds"] = json.loads(args.results.read_text(encoding="utf-8")).get("train_seconds")
    result["model_mb"] = round(args.out.stat().st_size / 1e6, 2)
    result["crf"] = eval_crf(args.out, held)
    if args.out.resolve() == MODEL.resolve():
        result["kg_annotate_lines"] = eval_annotate(held)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "params"}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
