"""Parts of an initiative listed before it in a frame other than a plain list.

- By the role each part plays: "以A为中心、B和C为支撑的一中心两翼" (the parts of a
  count-named layout: A, B, C; their number must be the count).
- By the sites it is built at: "在A、B、C等3地启动建设X" (X's parts are the places).
The parts are named as the text writes them; quotes are dropped.
"""
from __future__ import annotations

import re

from kg.extract.counted import cn_number
from kg.extract.view import SentView, clean_name

#: what a part is to the whole in "以A为中心、B为支撑的…"
_ROLE = r"(?:中心|核心|龙头|引领|主体|基础|支撑|骨干|重点|主轴|纽带|保障|抓手|依托|支点|两翼|主线|牵引)"
_FRAMED = re.compile(r"以((?:[^以，。；：]{2,60}?为" + _ROLE + r"[，、,]?){2,5})的$")
_SITES = re.compile(r"在((?:[^，。；、在]{2,12}、)+[^，。；、在]{2,16}?)(等)?(\d{1,2}|[一二两三四五六七八九十]{1,3})?个?"
                    r"(?:地|省|市|区|地区|省份|城市|区域)?(?:启动|开始|加快|规划|率先|统筹)?(?:建设|布局|设立|打造)$")
_MAX = 20


def framed_parts(view: SentView, pos: int, count: int) -> list[str]:
    """Parts named by their roles right before ``pos``: "以A为中心，B、C为支撑的" → [A, B, C]."""
    m = _FRAMED.search(view.text[:pos].rstrip("“"))
    if not m:
        return []
    items = []
    for group in re.split(r"为" + _ROLE + r"[，、,]?", m.group(1)):
        items += [clean_name(i.strip("“”")) for i in re.split(r"、|以及|和|及", group) if i.strip("“”")]
    if not items or any(not 2 <= len(i) <= _MAX for i in items) or count and len(items) != count:
        return []
    return items


def sites_before(view: SentView, pos: int) -> list[str]:
    """The places an initiative is built at, listed before it: "在A、B等2地启动建设X" → [A, B].
    The places must be places (tagged so, or known to the names of the sentence)."""
    m = _SITES.search(view.text[:pos])
    if not m:
        return []
    items = [clean_name(i) for i in re.split(r"、|以及|和|及", m.group(1))]
    count = cn_number(m.group(3)) if m.group(3) else 0
    if count and (len(items) > count or len(items) < count and not m.group(2)):
        return []
    base = m.start(1)
    places = {view.text[s:e] for s, e, label in view.lac if label == "PLACE" and s >= base}
    places |= {view.text[s:e] for s, e, pos_ in view.tokens if pos_ in ("LOC", "ns", "j") and s >= base}
    places |= {n.text for n in view.names if n.kind == "place" and n.start >= base}
    if len(items) < 2 or sum(i in places for i in items) * 2 < len(items):
        return []  # most of them must be places
    return items
