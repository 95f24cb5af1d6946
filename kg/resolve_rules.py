"""The rules that decide which names across documents are one person or body (kg.resolve).

Each rule proposes an ``Edge``: this IRI (in one document, or in every document) is that IRI,
with the rule's name and a reason a researcher can check. Rules read only what kg.corpus
gathered: labels, the sentences naming an entity in each document, its posts, the dates.

Persons (the tagger's mistakes, found in the sentences themselves):
- ``pair``: a name that is two known names glued (赵某钱某) names both;
- ``glue``: a name that is a known name plus one or two characters of the next word (某某强
  of "某某强调", 某某在 of "某某在京") or one of the word before (应某某) is that name: in every
  document when the name is known in ≥ 20 documents and ≥ 10× more than the variant (a
  character before it: only a function word or a title's tail, 扎某某 may be the fuller name); in a
  document that names it alone when the glued characters are a function word or a title's
  tail (GLUE_AFTER, GLUE_BEFORE: 某某等, 某某说, 长某某), never when they could end a name
  (刘某 and 刘某某 in one list are two persons); a relation (…夫人, …之子) is another person;
- ``cut``: a name that every sentence naming it in a document shows inside exactly one longer
  known name (某某 in sentences holding 丁某某) is that longer name, in that document, unless
  the longer one is the name glued to a function word (长某某 is not a fuller 某某);
- ``short-form``: a foreign surname (某斯基) is the full name ending in it (某·某斯基) that the
  same document gives; across documents when exactly one full name ends in it and the surname
  has ≥ 3 characters or the two share a post title.
Bodies: ``alias``: a body named ``X（Y）`` is ``X`` when the corpus names ``X``; a body named
only by a short alias (信某院) is the one body that has this alias and spells it out; ``local``: a short form only the document's home spells out (省委, 市政府
left unresolved by kg.link) is a body of that document alone.
Homonyms (``homonym``): one name whose documents give posts in bodies of different provinces,
with no body and no document in common, at overlapping dates, is as many
persons; the largest group keeps the IRI, the others get IRIs minted from name and places.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .corpus import Corpus, Known

__all__ = ["Edge", "person_edges", "org_edges", "region", "homonym_groups", "LOCAL_FORMS"]

#: characters the tagger glues to a name: the first of the next word (某某等, 某某在京, 某某说)
#: or the last of the word before (应某某 of 应某某邀请, 长某某 of 委员长某某): function words
#: and the last characters of titles; grammar, not names
GLUE_AFTER = frozenset("等在说称作时向与和同对将是也已曾就于为还均都指表会到")
GLUE_BEFORE = frozenset("应向与和同对由据请让给被为从及长记理席统任员使")
#: a name followed by these names another person: never a glued variant of that name
RELATIONS = ("夫人", "妻子", "丈夫", "之子", "之女", "儿子", "女儿", "父亲", "母亲", "之妻", "遗孀")
#: short forms of bodies that only the document's home spells out (kg.link, kg.vocab bodies)
LOCAL_FORMS = frozenset({"市委", "省委", "区委", "县委", "市政府", "省政府", "区政府", "县政府",
                         "市人大常委会", "省人大常委会", "市政协", "省政协"})
GLUE_MIN_DOCS, GLUE_RATIO, PAIR_RATIO = 20, 10, 2


@dataclass(frozen=True)
class Edge:
    src: str
    dst: tuple[str, ...]   # one IRI (merge) or several (a name that glues two persons)
    doc: str | None        # None: in every document
    rule: str
    reason: str
    alias: bool = False    # the variant's name becomes an alias (skos:altLabel) of the target


def person_edges(corpus: Corpus) -> list[Edge]:
    ents = {k.iri: k for k in corpus.entities.values() if k.kind == "person"}
    names = corpus.by_label("person")
    docs = {label: len(ents[iri].docs) for label, iri in names.items()}
    edges = [e for k in _sorted(ents) for e in _pair(k, names, docs)]
    paired = {e.src for e in edges}
    glued = [e for k in _sorted(ents) if k.iri not in paired for e in _glue(k, names, docs, ents)]
    edges += glued
    variants = {(e.src, e.doc) for e in glued} | {(p, None) for p in paired}
    supers = _superstrings(names)
    for k in _sorted(ents):
        if k.iri not in paired:
            edges += _cut(k, names, supers, docs, variants)
            edges += _short_form(k, names, ents)
    return edges


def _sorted(ents: dict[str, Known]) -> list[Known]:
    return [ents[i] for i in sorted(ents)]


def _pair(k: Known, names, docs) -> list[Edge]:
    v = k.label
    for i in range(2, len(v) - 1):
        a, b = v[:i], v[i:]
        if a in names and b in names and "·" not in v \
                and min(docs[a], docs[b]) >= max(3, PAIR_RATIO * docs[v]):
            return [Edge(k.iri, (names[a], names[b]), None, "pair", f"{v} = {a} + {b}, both known names")]
    return []


def _glue(k: Known, names, docs, ents) -> list[Edge]:
    v = k.label
    cands = [(v[:-n], v[-n:]) for n in (1, 2) if len(v) - n >= 2] + ([(v[1:], v[0])] if len(v) >= 3 else [])
    cands = [(c, s) for c, s in cands if c in names and "·" not in v and s not in names
             and not v.endswith(RELATIONS)]
    if not cands:
        return []
    c, s = max(cands, key=lambda cs: (docs[cs[0]], len(cs[0]), cs[0]))
    target = names[c]
    before = not v.startswith(c)
    if docs[c] >= GLUE_MIN_DOCS and docs[c] >= GLUE_RATIO * docs[v] and (not before or s in GLUE_BEFORE):
        return [Edge(k.iri, (target,), None, "glue",
                     f"{v} = {c} + “{s}”: {c} is named in {docs[c]} documents, {v} in {docs[v]}")]
    out = []
    if s[0] not in (GLUE_BEFORE if before else GLUE_AFTER):
        return out
    for doc in sorted(k.docs):
        other = ents[target].docs.get(doc)
        if other and any(v not in sent for sent in other.sentences):
            out.append(Edge(k.iri, (target,), doc, "glue", f"{v} = {c} + “{s}”; the document names {c} alone"))
    return out


def _superstrings(names) -> dict[str, list[str]]:
    out = defaultdict(list)
    for c in sorted(names):
        subs = {c[i:j] for i in range(len(c)) for j in range(i + 2, len(c) + 1)} - {c}
        for u in subs:
            out[u].append(c)
    return out


def _cut(k: Known, names, supers, docs, variants) -> list[Edge]:
    v, out = k.label, []
    for doc in sorted(k.docs):
        sents = k.docs[doc].sentences
        cands = [c for c in supers.get(v, ()) if sents and all(c in s for s in sents)
                 and (names[c], doc) not in variants and (names[c], None) not in variants
                 and not _glued(c, v)]
        cands = [c for c in cands if not any(c != o and c in o for o in cands)]  # the longest
        if len(cands) == 1:
            c = cands[0]
            out.append(Edge(k.iri, (names[c],), doc, "cut",
                            f"every sentence naming {v} in the document holds {c}"))
    return out


def _glued(c: str, v: str) -> bool:
    """``c`` is ``v`` glued to a function word or a title's tail (长某某, 某某等)."""
    return (len(c) == len(v) + 1 and ((c.startswith(v) and c[-1] in GLUE_AFTER)
                                       or (c.endswith(v) and c[0] in GLUE_BEFORE)))


def _short_form(k: Known, names, ents) -> list[Edge]:
    v = k.label
    if "·" in v or len(v) < 2:
        return []
    full = sorted(c for c in names if "·" in c and c.rsplit("·", 1)[1] == v)
    if not full:
        return []
    if len(full) == 1:
        c = ents[names[full[0]]]
        titles = {t for s in k.docs.values() for t, _, _ in s.posts} & \
                 {t for s in c.docs.values() for t, _, _ in s.posts}
        if len(v) >= 3 or titles - {None}:
            why = "shares the post " + "、".join(sorted(titles - {None})) if titles - {None} else "has ≥ 3 characters"
            return [Edge(k.iri, (c.iri,), None, "short-form", f"the one full name ending in {v}; {v} {why}", True)]
    out = []
    for doc in sorted(k.docs):
        here = [c for c in full if doc in ents[names[c]].docs]
        if len(here) == 1:
            out.append(Edge(k.iri, (names[here[0]],), doc, "short-form",
                            f"the document gives the full name {here[0]}", True))
    return out


def org_edges(corpus: Corpus) -> list[Edge]:
    """A body named ``X（Y）`` is the body ``X`` when that is a name of the corpus (unless Y is a
    place: 某某之星（苏州） is X's branch in that place, not X); a body named
    only by an abbreviation (信某院) is the one body whose alias it is and which it abbreviates."""
    from .vocab import abbreviates, strip_paren

    ents = {k.iri: k for k in corpus.entities.values() if k.kind == "organization"}
    names = corpus.by_label("organization")
    out, owners = [], defaultdict(set)
    from .extract.name_checks import branch_of_place

    for k in _sorted(ents):
        core = strip_paren(k.label)
        if core != k.label and core in names and names[core] != k.iri and core not in LOCAL_FORMS \
                and not branch_of_place(k.label):  # 某某之星（青岛）: a branch, told apart by its place
            out.append(Edge(k.iri, (names[core],), None, "alias",
                            f"{k.label} is {core} with a second name in brackets", True))
        for a in k.aliases:
            if a != core and len(a) < len(core) and abbreviates(a, core):
                owners[a].add(k.iri)
    for alias in sorted(owners):
        if alias in names and len(owners[alias]) == 1 and alias not in LOCAL_FORMS:
            (owner,) = owners[alias]
            if owner != names[alias]:
                out.append(Edge(names[alias], (owner,), None, "alias",
                                f"{alias} abbreviates {ents[owner].label}, whose alias it is (and no other body's)", True))
    return out


# ------------------------------------------------------------------ homonyms

def region(org_name: str | None) -> str | None:
    """The province of China that a body's name places it in (中共某省委, 某市人民政府 -> 某省), or
    None: a national body, a foreign one, or no division in the name. Homonyms are told apart
    by provinces only: a national post and a provincial one may be one person's."""
    from . import gazetteer as gz

    if not org_name:
        return None
    places = gz.places()
    for i in range(len(org_name) - 1):
        for j in range(min(len(org_name), i + 12), i + 1, -1):
            p = places.get(org_name[i:j])
            if p is None:
                continue
            for _ in range(3):
                if p.level != "county" and p.level != "prefecture" or not p.parent:
                    break
                p = gz.division(p.parent) or p
            return p.name if p.level == "province" else None
    return None


def homonym_groups(docs: dict[str, set[str]], orgs: dict[str, set[str]], dates: dict[str, str]):
    """Groups of documents naming different persons of one name: ``docs`` doc -> regions of
    its posts, ``orgs`` doc -> bodies of its posts. Returns [(regions, docs)], largest first,
    or [] when the documents may all name one person."""
    regions = sorted({r for rs in docs.values() for r in rs})
    if len(regions) < 2:
        return []
    parent = {r: r for r in regions}

    def find(r):
        while parent[r] != r:
            r = parent[r]
        return r

    span = {r: _span(r, docs, dates) for r in regions}
    for a in regions:
        for b in regions:
            if a < b and _joined(a, b, docs, orgs, span[a], span[b]):
                parent[find(b)] = find(a)
    groups = defaultdict(set)
    for d, rs in docs.items():
        for r in rs:
            groups[find(r)].add(d)
    if len(groups) < 2:
        return []
    members = defaultdict(set)
    for r in regions:
        members[find(r)].add(r)
    return sorted(((tuple(sorted(members[g])), ds) for g, ds in groups.items()),
                  key=lambda x: (-len(x[1]), x[0]))


def _span(r: str, docs: dict, dates: dict):
    ds = sorted(dates[d] for d, rs in docs.items() if r in rs and d in dates)
    return (ds[0], ds[-1]) if ds else None


def _joined(a, b, docs, orgs, span_a, span_b) -> bool:
    """One person: a document giving both places, a shared body, or a move (one place's dates
    all before the other's)."""
    da = {d for d, rs in docs.items() if a in rs}
    db = {d for d, rs in docs.items() if b in rs}
    if da & db or set().union(*(orgs[d] for d in da)) & set().union(*(orgs[d] for d in db)):
        return True
    return bool(span_a and span_b and (span_a[1] < span_b[0] or span_b[1] < span_a[0]))
