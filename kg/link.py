"""Link: canonical entities with stable keys; aliases merged within a document.

Names are made canonical by rules that hold in every build, so the same entity gets the
same key (and, in kg.map, the same IRI) in every document and every build:

- short forms of bodies take the place the document is about (kg.home, on the gazetteer of
  divisions): 市委 -> 中共重庆市委, 市公安局 -> 重庆市公安局, 省政府 -> 江西省人民政府,
  区委 -> 中共江北区委, 县政府 -> X县人民政府; 温州市政府 -> 温州市人民政府;
  national short forms: 住建部 -> 住房和城乡建设部;
- abbreviated parts of body names are spelled out: 发展改革委 -> 发展和改革委员会;
- a short alias in brackets is an alias: 中国信息通信研究院（信通院）;
- places: 重庆市 -> 重庆, 渝 -> 重庆, 浙江省温州市 -> 温州 (kg.gazetteer); a venue named after a
  division also names it; events: a leading year or 党的 does not make another event;
- a body the extraction left untyped takes the gazetteer's categories (新华社: Media) or,
  named like a brand, Company;
- an initiative named by the tail of another one in the same document is that one
  (基层智治体系 after “141”基层智治体系).
"""
from __future__ import annotations

import re

from kg import gazetteer as gz
from kg.document import Document, Entity, EntityFact, key_of
from kg.home import LOCAL, PLACE_END, head_place, home, local_body
from kg.vocab import abbreviates, paren_of, strip_paren, vocab
from kg.extract.name_checks import branch_of_place

__all__ = ["link", "Canon"]


class Canon:
    """Canonical names for one document."""

    def __init__(self, doc: Document):
        self.city, self.province, self.district = home(doc)
        self.named = {e.name for e in doc.facts.entities if e.kind == "place"}

    def name(self, kind: str, name: str) -> str:
        name = name.strip()
        if kind == "organization":
            return self.org(name)
        if kind == "place":
            return self.place(name)
        return name

    def org(self, name: str) -> str:
        v = vocab()
        if name[:-1] in v.provinces and name[-1] in "省市":
            return name[:-1]  # 海南省 signing an agreement: the province, named as the place is
        core, paren = strip_paren(name), paren_of(name)
        if paren and abbreviates(paren, core):
            name = core
        local = LOCAL.fullmatch(name)  # 区委, 县政府, 区公安局: the body of the home county
        if local and self.district and self.district.name.endswith(local.group(1)):
            return local_body(self.district.name, local.group(2))
        if name in v.bodies:
            long, _ = v.bodies[name]
            if "{city}" in long and self.city:
                return long.replace("{city}", self.city)
            if "{province}" in long and self.province:
                return long.replace("{province}", self.province)
            if "{" not in long:
                return long
            return name
        seat = re.fullmatch(r"(.{2,12}[省市区县])政府", name)  # 绍兴市政府 -> 绍兴市人民政府
        if seat and gz.place_of(seat.group(1)) and not seat.group(1).endswith("特别行政区"):
            return seat.group(1) + "人民政府"
        if re.fullmatch(r"[\u4e00-\u9fff]{2,6}[省市区县]委", name) and not name.startswith("中共"):
            return "中共" + name  # 深圳市委 -> 中共深圳市委, as 市委 in a document about 深圳
        for short, long in v.abbreviations.items():
            if short in name and long not in name:
                name = name.replace(short, long)
        if self.city and re.match(r"市(?!场|民|级|域)", name) and len(name) > 3:
            return self.city + name
        if self.province and re.match(r"省(?!级|内)", name) and len(name) > 3:
            return self.province + name
        return name

    def place(self, name: str) -> str:
        """重庆市, 渝 -> 重庆; 杭州市, 浙江省杭州市 -> 杭州 (a province or city is named by its
        short form); 上海市长宁区 -> 长宁 when the text also says 长宁, else 长宁区; 日本国 -> 日本."""
        v = vocab()
        for prov, (abbr, _) in v.provinces.items():
            if name in (abbr, prov + "市", prov + "省"):
                return prov
        p = gz.place_of(name)
        if p and p.level != "county" and len(p.short) >= 2:
            return p.short if p.level != "foreign-city" else p.name
        if p and p.level == "county":
            return p.short if p.short in self.named and len(p.short) >= 2 else p.name
        if re.fullmatch(r"[\u4e00-\u9fff]{2,3}市", name):
            return name[:-1]
        head = head_place(name)
        if head and len(name) - len(head) <= 2 and not PLACE_END.search(name):
            return self.place(head)  # 山东众成, 中国国家: the tagger ran past the place
        return name

    def aliases(self, kind: str, name: str) -> set[str]:
        out = set()
        if kind == "organization":
            core = strip_paren(name)
            if core != name and not branch_of_place(name):
                out |= {core, paren_of(name)}  # 某党校（某行政学院）: two names of one body
        return out  # 某某之星（青岛）, 某某之星（新加坡）: a place in brackets tells branches apart


#: a body with no body-type suffix and no other category is, in news about the digital
#: economy, a company or brand (华为, 中国联通, 天翼云)
_BRAND = re.compile(r"[\u4e00-\u9fff]{2,6}|[A-Za-z][A-Za-z0-9]{1,10}")


def _gazetteer_categories(e: Entity) -> set[str]:
    """Categories of a body the extraction left untyped: those of the gazetteer's organization
    of that name or alias (新华社 -> Media); a known brand or a brand-like name is a company."""
    for n in [e.name, *sorted(e.aliases)]:
        if n in gz.orgs():
            return set(gz.orgs()[n])
    if e.name in gz.brands() or _BRAND.fullmatch(e.name):
        return {"Company"}
    return set()


def _branch_categories(e: Entity, groups, key) -> set[str]:
    """A branch named by its body and a place in brackets (某某之星（苏州）) is of its body's
    kind, when the document names the body or the gazetteers know it."""
    if not branch_of_place(e.name):
        return set()
    core = strip_paren(e.name)
    body = groups.get(("organization", key("organization", core)))
    if body is not None and body.categories:
        return set(body.categories)
    return _gazetteer_categories(Entity("organization", key("organization", core), core))


def _event_key(name: str) -> str:
    k = re.sub(r"[()]", "", key_of(name))
    return re.sub(r"^党的", "", k)


_YEAR = re.compile(r"^(?:19|20)\d{2}年?度?")


def link(doc: Document) -> Document:
    """Fill ``doc.entities`` and rewrite the facts' names to canonical names."""
    canon = Canon(doc)
    groups: dict[tuple[str, str], Entity] = {}
    by_surface: dict[tuple[str, str], str] = {}  # (kind, surface) -> canonical name
    listed: dict[tuple[str, str], set] = {}  # each group's evidence as a set: no scan of the list

    def key(kind: str, name: str) -> str:
        return _event_key(name) if kind == "event" else key_of(name)

    def canonical(kind: str, name: str) -> str:
        if (kind, name) in by_surface:
            return by_surface[(kind, name)]
        c = canon.name(kind, name)
        by_surface[(kind, name)] = c
        return c

    def add(f: EntityFact) -> Entity:
        name = canonical(f.kind, f.name)
        k = (f.kind, key(f.kind, name))
        e = groups.get(k)
        if e is None:
            e = groups[k] = Entity(f.kind, k[1], name)
        if f.name != e.name:
            e.aliases.add(f.name)
        e.aliases |= canon.aliases(f.kind, name) | f.aliases
        e.categories |= f.categories
        seen = listed.get(k)
        if seen is None:
            seen = listed[k] = set(e.evidence)
        if f.evidence not in seen:
            seen.add(f.evidence)
            e.evidence.append(f.evidence)
        e.date = e.date or f.date
        e.count = e.count or f.count
        e.also_place = e.also_place or f.also_place
        return e

    for f in doc.facts.entities:  # 中国信息通信研究院（信通院）: 信通院 names the same body
        if f.kind == "organization":
            core, paren = strip_paren(f.name), paren_of(f.name)
            if paren and abbreviates(paren, core):
                by_surface[("organization", paren)] = canon.name("organization", core)
    for f in doc.facts.entities:
        add(f)
        head = head_place(f.name) if f.kind == "place" else None
        if head:  # 越南海防港, 湛江海东新区: the venue names its country or city too
            add(EntityFact("place", head, f.evidence))
    merged = _merge_tails(groups, by_surface)
    # references between entities, now that every name is known
    for f in doc.facts.entities:
        k = (f.kind, key(f.kind, canonical(f.kind, f.name)))
        while k not in groups:  # a surface whose group was merged into a fuller name
            k = merged[k]
        e = groups[k]
        if f.part_of and not e.part_of:
            parent = _ensure(groups, f.kind, canonical(f.kind, f.part_of), f.evidence, key)
            if parent is not e:
                e.part_of = parent.key
        if f.place:  # a venue inside the place known so far is more precise: it wins
            place = _ensure(groups, "place", canonical("place", f.place), f.evidence, key).key
            if not e.place or (place != e.place and place.startswith(e.place)):
                e.place = place
        if f.components and not e.components:
            e.components = [_ensure(groups, "initiative", c, f.evidence, key).key
                            for c in f.components]
    for e in groups.values():
        e.aliases.discard(e.name)
    for e in groups.values():
        if e.kind == "organization" and not e.categories:
            e.categories |= _branch_categories(e, groups, key) or _gazetteer_categories(e)
    # a name the document also gives a body ("论坛" that is founded) is that body, not an event
    bodies = {k for (kind, k) in groups if kind == "organization"}
    for k in [k for (kind, k) in groups if kind == "event" and k in bodies]:
        del groups[("event", k)]
    doc.entities = groups
    _rewrite_facts(doc, canonical, groups, key)
    return doc


def _ensure(groups, kind, name, evidence, key) -> Entity:
    """The entity of that name, made (with no category) when only a reference names it."""
    k = (kind, key(kind, name))
    if k not in groups:
        groups[k] = Entity(kind, k[1], name, evidence=[evidence])
    return groups[k]


def _merge_tails(groups: dict, by_surface: dict) -> dict:
    """Merge names that are short forms of exactly one fuller name in the same document.

    An initiative named by the tail of a longer one (基层智治体系, “141”基层智治体系); an event
    named without the year another mention gives (世界城市日智慧城市论坛, 2025世界城市日智慧城市论坛).
    Returns the group key each merged group went into (surfaces that differ from the merged
    name only in what the key ignores, such as quotes, still find their group through it).
    """
    merged: dict = {}
    for kind, same in (("initiative", lambda short, e: e.key.endswith(short.key) and len(short.key) >= 5),
                       ("event", lambda short, e: _same_event(short.key, e.key, groups))):
        _merge_kind(groups, by_surface, kind, same, merged)
    return merged


def _same_event(short: str, full: str, groups: dict) -> bool:
    """世界城市日智慧城市论坛 is 2025世界城市日智慧城市论坛; 城市数字化转型推进大会 is
    上海市城市数字化转型推进大会: the fuller name adds only a year and/or a place."""
    if not full.endswith(short):
        return False
    head = _YEAR.sub("", full[: len(full) - len(short)])
    return not head or ("place", head) in groups or ("place", re.sub("[省市区县]$", "", head)) in groups


def _merge_kind(groups: dict, by_surface: dict, kind: str, same, merged: dict) -> None:
    ents = [e for (k, _), e in groups.items() if k == kind]
    ending = _ending_with(ents)  # both kinds' rules need the fuller key to end with the short one
    surfaces: dict[str, list] = {}  # canonical name -> the surfaces of this kind that map to it
    for sk, c in by_surface.items():
        if sk[0] == kind:
            surfaces.setdefault(c, []).append(sk)
    for short in sorted(ents, key=lambda e: len(e.key)):
        longer = [e for e in ending.get(short.key, ()) if e is not short and len(e.key) > len(short.key)
                  and same(short, e) and (kind, e.key) in groups]
        if len(longer) != 1:
            continue
        target = longer[0]
        target.aliases |= short.aliases | {short.name}
        have = set(target.evidence)
        target.evidence += [s for s in short.evidence if s not in have]
        target.categories |= short.categories
        target.date = target.date or short.date
        target.place = target.place or short.place
        del groups[(kind, short.key)]
        merged[(kind, short.key)] = (kind, target.key)
        moved = surfaces.pop(short.name, [])
        for sk in moved:
            by_surface[sk] = target.name
        surfaces.setdefault(target.name, []).extend(moved)


def _ending_with(ents: list) -> dict[str, list]:
    """Each key of ``ents`` -> the entities whose keys end with it and are longer: a lookup per
    entity instead of a comparison with every other (time in the number of entities)."""
    keys = {e.key for e in ents}
    out: dict[str, list] = {}
    for e in ents:
        for i in range(1, len(e.key)):
            if e.key[i:] in keys:
                out.setdefault(e.key[i:], []).append(e)
    return out


def _surfaces(groups):
    for (kind, _), e in groups.items():
        yield kind, e.name
        for a in e.aliases:
            yield kind, a


def _rewrite_facts(doc: Document, canonical, groups, key) -> None:
    def name_of(kind: str, name: str | None) -> str | None:
        if not name:
            return name
        c = canonical(kind, name)
        e = groups.get((kind, key(kind, c)))
        return e.name if e else c

    surfaces = {n for (k, n) in _surfaces(groups) if k == "organization"}  # the longest that starts a title
    for p in doc.facts.posts:
        p.person = name_of("person", p.person)
        if p.org is None:  # 信通院总工程师: the title starts with a body named elsewhere
            head = next((p.title[:n] for n in range(len(p.title) - 1, 0, -1) if p.title[:n] in surfaces), None)
            if head:
                p.org, p.title = head, p.title[len(head):]
        p.org = name_of("organization", p.org)
    for r in doc.facts.roles:
        r.event = name_of("event", r.event)
        r.agent = name_of(r.agent_kind, r.agent)
    doc.facts.roles = [r for r in doc.facts.roles if ("event", key("event", r.event)) in groups]
    for a in doc.facts.agreements:
        a.parties = list(dict.fromkeys(name_of("organization", p) for p in a.parties))
        a.event = name_of("event", a.event)
    for a in doc.articles:  # the byline's media and reporter are the linked entities
        a.media = name_of("organization", a.media) or a.media
        a.reporter = "、".join(name_of("person", r) or r for r in a.reporter.split("、")) if a.reporter else a.reporter
    for i in doc.facts.indicators:
        if i.subject and i.subject_kind:
            i.subject = name_of(i.subject_kind, i.subject)
