"""The resolution report (BUILD/resolution.json): counts, and why each merge and split was made.

    {"persons": {"before": 2873, "after": 2790, "names_with_several_iris": 0},
     "organizations": {...},
     "decisions": [{"kind", "rule", "from", "from_iri", "to", "to_iri", "documents", "reason"}],
     "homonym_candidates": [{"name", "iri", "split", "groups": [{"regions", "documents"}]}],
     "corrections": [{"where", "action", "author", "date", "refs", "status", "iris"}]}

``documents`` lists the documents where the decision holds ("all" when it holds in every
document naming the entity).
"""
from __future__ import annotations

from collections import defaultdict

__all__ = ["report", "counts"]


def counts(res, kind: str) -> dict:
    """IRIs of ``kind`` before and after the resolution, and names borne by several IRIs after."""
    before, after = set(), set()
    for iri, k in res.corpus.entities.items():
        if k.kind == kind:
            before.add(iri)
            for doc in k.docs:
                after |= {t for t in res.target(iri, doc) if t not in res.dropped.get(None, set())}
    names = defaultdict(set)
    for t in after:
        names[res.label(t)].add(t)
    shared = {n: sorted(i) for n, i in names.items() if len(i) > 1}
    return {"before": len(before), "after": len(after), "names_with_several_iris": len(shared),
            "shared_names": dict(sorted(shared.items()))}


def report(res) -> dict:
    groups = defaultdict(list)
    for (iri, doc), t in sorted(res.targets.items()):
        e = res.first.get((iri, doc))
        groups[(iri, t, e.rule if e else "", e.reason if e else "")].append(doc)
    decisions = []
    for (iri, t, rule, reason), docs in sorted(groups.items()):
        k = res.corpus.entities[iri]
        every = len(docs) == len(k.docs)
        decisions.append({"kind": k.kind, "rule": rule, "from": k.label, "from_iri": iri,
                          "to": [res.label(x) for x in t], "to_iri": list(t),
                          "documents": "all" if every else docs, "reason": reason})
    return {"persons": counts(res, "person"), "organizations": counts(res, "organization"),
            "decisions": decisions, "homonym_candidates": res.splits,
            "corrections": [{"where": c.where, "action": c.action, "author": c.author,
                             "date": c.date.isoformat(), "refs": [str(r) for r in c.refs],
                             "status": status, "iris": sorted(set(iris))}
                            for c, iris, status in res.applied]}
