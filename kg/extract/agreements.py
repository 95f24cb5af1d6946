"""Agreements: "A、B与C(共同)签署/签订 [“title”]type".

Each signing verb closes one agreement; its parties are the organizations between the
previous agreement (or the start of the clause) and the verb. Several agreements may
share a sentence ("A与B签订…协议、C与D签订…协议").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.vocab import vocab
from kg.extract.view import Name, SentView

_VERB = re.compile(r"(?:共同|正式|现场)?(?:签署|签订|签约|缔结|达成)了?")


@dataclass
class AgreementMention:
    type: str
    title: str
    parties: list[Name]


def find_agreements(view: SentView, pair: list[Name] | None = None) -> list[AgreementMention]:
    """Agreements signed in the sentence; ``pair`` are the two bodies "双方" refers to."""
    text = view.text
    out: list[AgreementMention] = []
    prev = 0
    for m in _VERB.finditer(text):
        found = agreement_type(text[m.end():])
        if not found:
            continue
        typ, title, length = found
        clause = max(prev, *(text.rfind(c, 0, m.start()) + 1 for c in "，,；;：:"))
        parties = [n for n in view.names if n.kind in ("organization", "place")
                   and clause <= n.start and n.end <= m.start()]
        parties = _dedupe(parties)
        if len(parties) < 2 and pair and re.search(r"双方|两家|两方", text[clause:m.start()]):
            parties = list(pair)
        # A分别与B、C签署 / A与B、C分别签署: one agreement per pair
        split = re.search(r"分别(?:与|和|同)|(?:与|和|同)(?=[^，,；;]*分别$)", text[clause:m.start()])
        if split and len(parties) >= 3:
            lead = [p for p in parties if p.end <= clause + split.start()]
            if len(lead) == 1:
                out += [AgreementMention(typ, title, [lead[0], p]) for p in parties if p is not lead[0]]
                prev = m.end() + length
                continue
        if len(parties) >= 2:
            out.append(AgreementMention(typ, title, parties))
        prev = m.end() + length
    return out


def agreement_type(rest: str) -> tuple[str, str, int] | None:
    """(type, title, length) of the agreement named at the start of ``rest``:
    "“重庆市高校重点实验室”合作协议" -> ("合作协议", "“重庆市高校重点实验室”合作协议", 15)."""
    v = vocab()
    q = re.match(r"[“《\"]([^”》\"]{1,40})[”》\"]", rest)
    if q and q.group(0).startswith("《"):  # 《A B全面合作协议》: the type ends the title
        typ = next((t for t in v.agreement_types if q.group(1).endswith(t)), None)
        if typ:
            return typ, q.group(0), q.end()
    after = rest[q.end():] if q else rest
    mod = re.match(r"[\u4e00-\u9fff]{0,12}?(?=" + "|".join(map(re.escape, v.agreement_types)) + ")", after)
    if not mod:
        return None
    typ = next(t for t in v.agreement_types if after[mod.end():].startswith(t))
    length = (q.end() if q else 0) + mod.end() + len(typ)
    head = after[: mod.end()]
    if head and _type_modifier(head):
        return head + typ, (q.group(0) + head + typ if q else ""), length
    if q:
        return typ, q.group(0) + head + typ, length
    # 数字政府研究合作协议: an unquoted subject before the type names the agreement
    named = len(head) >= 2 and not _GENERIC_MOD.match(head)
    return typ, (head + typ if named else ""), length


#: words before an agreement type that name no agreement ("相关合作协议", "了合作协议")
_GENERIC_MOD = re.compile(r"^(?:了|的|相关|有关|多项|一系列|系列|各类|各项|一批|多个|[一二两三四五六七八九十\d]+[项份个])")


def _type_modifier(mod: str) -> bool:
    """"战略" in 战略合作协议 is part of the type; "相关" is not."""
    return mod in {"战略", "全面战略", "框架", "战略框架", "投资", "项目", "共建", "人才", "数据"}


def body_pair(view: SentView) -> list[Name] | None:
    """Two bodies joined by 与/和/同 ("省政府与华为技术有限公司"): whom a later "双方" means."""
    bodies = [n for n in view.names if n.kind == "organization"]
    for a, b in zip(bodies, bodies[1:]):
        if re.fullmatch(r"[与和同及]", view.text[a.end:b.start]):
            return [a, b]
    return None


def _dedupe(names: list[Name]) -> list[Name]:
    seen, out = set(), []
    for n in names:
        if n.text not in seen:
            seen.add(n.text)
            out.append(n)
    return out
