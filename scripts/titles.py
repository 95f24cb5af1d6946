"""Derive bare post titles and title modifiers from the CLUENER2020 train set.

Source: CLUENER2020 (https://github.com/CLUEbenchmark/CLUENER2020), train split only
(``position`` labels). Never the published dev or test splits.

Refresh:
    python scripts/titles.py ../shared/data/cluener/train.jsonl
writes kg/data/rules/titles_cluener.txt (bare titles). The words that may stand before a
title (副, 常务, 首席, 联合 ...) are kept by hand in kg/data/rules/title_modifiers.txt.

Method: a span labelled ``position`` that occurs on its own at least twice is a candidate
bare title; the head of every span is the longest candidate that ends it (研究部主任 -> 主任).
A head is a post (held in a body, not an occupation) when, often enough, an organization
span (company, government, organization) ends right before it (浙商银行|行长): at least once
and in >= 15% of its occurrences.
"""
from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "kg" / "data" / "rules" / "titles_cluener.txt"
ORG_LABELS = ("company", "government", "organization")
#: roles a person plays at an event or in a team, and occupations, that CLUENER labels
#: position but that are no post held in a body (hand-checked against the derived list).
NOT_POSTS = {"嘉宾", "工人", "士兵", "战士", "球员", "民警", "领导", "站主", "访问学者", "高管",
             "中场", "前锋", "后卫", "门将", "中卫", "主力", "领队", "队长", "主帅", "ceo", "CEO",
             "业务员", "信贷员"}
MIN_COUNT, MIN_SHARE = 2, 0.15


def spans(path: Path):
    """(position span, an organization ends right before it) for every labelled span."""
    for line in path.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        org_ends = {b + 1 for k in ORG_LABELS for locs in d["label"].get(k, {}).values() for _, b in locs}
        for span, locs in d["label"].get("position", {}).items():
            for a, _ in locs:
                yield span, a in org_ends


def heads(items: list[tuple[str, bool]]) -> dict[str, tuple[int, int]]:
    """head -> (occurrences, occurrences in a body)."""
    count = collections.Counter(s for s, _ in items)
    bare = {s for s, n in count.items() if n >= MIN_COUNT and 2 <= len(s) <= 6}
    out: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for span, after_org in items:
        head = next((span[i:] for i in range(len(span) - 1) if span[i:] in bare), None)
        if head:
            out[head][0] += 1
            out[head][1] += after_org
    return {h: (n, k) for h, (n, k) in out.items()}


def main(argv: list[str]) -> None:
    src = Path(argv[1] if len(argv) > 1 else "../shared/data/cluener/train.jsonl")
    found = heads(list(spans(src)))
    keep = sorted(h for h, (n, k) in found.items()
                  if n >= MIN_COUNT and k >= 1 and k / n >= MIN_SHARE and h not in NOT_POSTS)
    header = ("# Bare post titles derived from the CLUENER2020 train set (position labels), by\n"
              "# scripts/titles.py; refresh: python scripts/titles.py ../shared/data/cluener/train.jsonl\n"
              "# Generated file: do not edit. Hand-kept titles and flags are in titles.txt.\n")
    OUT.write_text(header + "".join(h + "\n" for h in keep), encoding="utf-8")
    print(f"{len(keep)} titles -> {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
