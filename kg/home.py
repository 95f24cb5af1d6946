"""The place a document is about, and what it makes of short forms of bodies and places.

``home(doc)`` gives the city, the province and the county (a ``kg.gazetteer.Place``) the
document is about; ``LOCAL``/``local_body`` spell out 区委, 县政府 … as the bodies of that
county; ``head_place`` reads the division or country a longer place name starts with.
"""
from __future__ import annotations

import re
from collections import Counter

from kg import gazetteer as gz
from kg.document import Document
from kg.vocab import vocab

__all__ = ["home", "head_place", "local_body", "LOCAL", "PLACE_END"]


#: last characters of the names of places and venues (…港, …园, …中心): general geography
PLACE_END = re.compile(r"(?:[港湾岛屿山峰河江湖海洋区县市州镇乡村街路道巷园馆厅堂场城站楼塔桥院宫寺庙"
                        r"带圈峡谷口滩洲原坝林]|基地|中心|会址|广场|大厦|[A-Z0-9]+[FL层]?)$")


def head_place(name: str) -> str | None:
    """The division or country a longer name starts with (越南海防港 -> 越南), if any; none for a
    natural region named after a place (四川盆地, 长江流域: the basin is no part of the province)."""
    if name.endswith(vocab().natural_heads):
        return None
    found = gz.find(name)
    if found and found[0][0] == 0 and found[0][2] == "PLACE" and found[0][1] < len(name):
        return name[: found[0][1]]
    return None


LOCAL = re.compile(r"([区县])(委|政府|人民政府|人大常委会|政协|[\u4e00-\u9fff]{1,8}[局委办])")


def local_body(county: str, rest: str) -> str:
    """区委 -> 中共长宁区委; 县政府 -> X县人民政府; 区公安局 -> 长宁区公安局."""
    if rest == "委":
        return "中共" + county + "委"
    if rest in ("政府", "人民政府"):
        return county + "人民政府"
    return county + rest


def home(doc: Document) -> tuple[str | None, str | None, gz.Place | None]:
    """The city, the province and the county the document is about.

    City and province as ``_home_city`` finds them; the county is the county-level division
    (from the gazetteer) its places and the names of its bodies and events name most often,
    inside the city (else the province) when one is known. A county gives the city it belongs
    to, and a city its province, when the text does not name them more; a county-level city the
    text names as a city (某某市, no prefecture named) is the city itself.
    """
    city, prov = _home_city(doc)
    home = gz.place_of(city) if city else None
    area = home or (gz.place_of(prov) if prov else None)
    district = _home_county(doc, area if area and area.level != "county" else None)
    if district and not city and district.name.endswith("市") \
            and any(district.name in e.name for e in doc.facts.entities):
        city, home = district.short, district  # 某某市 (a county-level city): its 市委, 市政府 are its own
    elif district and not city:
        parent = gz.division(district.parent) if district.parent else None
        if parent and (parent.level == "prefecture" or parent.municipality):
            city, home = parent.short, parent
    if home and home.level == "prefecture" and not prov and home.parent:
        prov = gz.division(home.parent).short
    return city, prov, district


def _home_county(doc: Document, area: gz.Place | None) -> gz.Place | None:
    counts: Counter[gz.Place] = Counter()
    for e in doc.facts.entities:
        if e.kind not in ("place", "organization", "event"):
            continue
        for start, end, kind in gz.find(e.name):
            ps = [p for p in gz.candidates(e.name[start:end]) if kind == "PLACE"
                  and p.level == "county" and (area is None or gz.inside(p, area))]
            if ps:
                counts[ps[0]] += 1
    return counts.most_common(1)[0][0] if counts else None


def _home_city(doc: Document) -> tuple[str | None, str | None]:
    """The city and the province the document is about.

    The province is its most named province-level place. The city is its most named city:
    a place the text names (深圳, 杭州市) that starts the names of its bodies, events and
    initiatives more often than any municipality does (北京, 上海, 天津, 重庆 are cities whose
    bodies are 市委, 市政府 …). Places inside brackets (腾讯云计算（北京）有限责任公司) do not count.
    """
    v = vocab()
    abbrs = {abbr for abbr, _ in v.provinces.values()}
    named = [re.sub("市$", "", e.name) for e in doc.facts.entities if e.kind == "place"]
    named += [m.group(1) for e in doc.facts.entities if e.kind in ("organization", "event")
              for m in [_CITY_PREFIX.match(e.name)] if m]  # 成都市城市运行管理中心, 成都市委
    cities = {c for c in named if _CITY.fullmatch(c) and c not in v.provinces and c not in abbrs}
    provinces: Counter[str] = Counter()
    towns: Counter[str] = Counter()
    for e in doc.facts.entities:
        if e.kind not in ("place", "initiative", "organization", "event"):
            continue
        name = _BRACKETS.sub("", e.name)
        for prov, (abbr, _) in v.provinces.items():
            if prov in name or (e.kind == "place" and name == abbr):
                provinces[prov] += 1
        for k in (2, 3):  # the cities that start the name (cities have 2-3 characters)
            if len(name) >= k and name[:k] in cities:
                towns[name[:k]] += 1
    prov = provinces.most_common(1)[0][0] if provinces else None
    municipal = prov if prov and v.provinces[prov][1] == "municipality" else None
    city = towns.most_common(1)[0][0] if towns else None
    known = city and towns[city] == 1 and gz.place_of(city) and gz.place_of(city).level == "prefecture"
    if city and (towns[city] >= 2 or known) and towns[city] > (provinces[municipal] if municipal else 0):
        others = [p for p, _ in provinces.most_common() if v.provinces[p][1] != "municipality"]
        return city, others[0] if others else None
    if municipal:
        return municipal, None
    return None, prov


_CITY = re.compile(r"[\u4e00-\u9fff]{2,3}")
_CITY_PREFIX = re.compile(r"([\u4e00-\u9fff]{1,2}[^城\W])市(?=[\u4e00-\u9fff])")  # not 超大城市…
_BRACKETS = re.compile(r"[（(][^（）()]*[）)]")
