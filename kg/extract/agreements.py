"""Agreements: "A、B与C(共同)签署/签订 [“title”]type", and "A与B…协议签约仪式".

Two frames name an agreement:

- a signing verb (签署, 签订, 签约, 缔结, 达成) followed by an agreement's type; its parties
  are the list that ends at the verb (``kg.extract.parties``). Each verb closes one
  agreement, so several may share a sentence ("A与B签订…协议、C与D签订…协议"); one verb
  may sign several ("签署了A协议和B备忘录"); "分别" makes one agreement per pair.
- a noun phrase that names a signing: "A与B战略合作协议签约仪式", "A与B举行战略合作签署仪式".

Signers may stand between the list and the verb ("A市市长甲与B集团董事长乙代表双方签署": the
bodies of their posts sign), and so may a count of parties ("A与B、C三方签署").

A clause without two parties may refer to earlier ones: "双方" to the last two bodies
named together (or the two sides of a meeting: "A书记甲会见了B董事长乙"), "…，并与B签署" and "还与B、C签署" to the subject of the sentence or of the
previous one (``SigningContext``). A title naming two parties ("A与B合作协议") names them, not
the persons who sign it.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from kg.extract.parties import body_pair, dedupe as _dedupe, full_form, list_parties, sentence_subject
from kg.extract.view import Name, SentView
from kg.vocab import vocab

_VERB = re.compile(r"(?:共同|正式|现场|分别|一次性|成功)?(?:签署|签订|签约|缔结|达成)(?!仪式|活动|方|国)了?")
_CLAUSE = "，,；;：:。"
#: a clause that opens with the second party: its first party is the subject ("并与B签署")
_ELIDED = re.compile(r"^(?:该[\u4e00-\u9fff]{1,2}|我[省市区县]|本[省市区县]|学校|公司|集团)?"
                     r"(?:并|还|也|又|同时|此外|另外|随后|现场|将|已|分别|先后|共同|再次)*(?:与|同|和|跟)")
_BOTH = re.compile(r"双方|两家|两方")
#: "分别": one agreement per pair
_EACH = re.compile(r"分别(?:与|和|同)|(?:与|和|同)(?=[^，,；;]*分别)")


#: verbs of watching a signing: its subjects are witnesses, not parties
_WITNESS = re.compile(r"(?:见证|观摩|目睹|见证了|共同见证|一同见证)(?:了|下)?$")


@dataclass
class AgreementMention:
    type: str
    title: str
    parties: list[Name]
    end: int = 0  # local end of the words that name the agreement
    ceremony: bool = False  # named by a signing ceremony ("A与B…协议签约仪式")


class SigningContext:
    """What a clause without its own parties refers to, carried from sentence to sentence."""

    def __init__(self) -> None:
        self.pair: list[Name] | None = None  # the last two bodies named together ("双方")
        self.subject: Name | None = None  # the last sentence subject that is a body
        self.stated: list = []  # the article's agreements so far (AgreementFact)
        self.known: set[str] = set()  # the organizations the article names anywhere

    def record(self, fact, facts: list) -> None:
        """Add the AgreementFact to ``facts`` unless it restates one of the article's
        agreements (a headline, then the body); the fuller statement wins."""
        old = next((f for f in self.stated if restates(fact.parties, fact.type, fact.title, f)), None)
        if old is None:
            self.stated.append(fact)
            facts.append(fact)
        elif sum(map(len, fact.parties)) > sum(map(len, old.parties)):
            facts[facts.index(old)] = self.stated[self.stated.index(old)] = fact

    def after(self, view: SentView) -> None:
        self.pair = body_pair(view) or self.pair
        self.subject = sentence_subject(view) or self.subject


def find_agreements(view: SentView, ctx: SigningContext | list[Name] | None = None) -> list[AgreementMention]:
    """Agreements signed in the sentence (``ctx``: what "双方" and an elided subject mean;
    a bare list is the pair "双方" refers to)."""
    if not isinstance(ctx, SigningContext):
        pair, ctx = ctx, SigningContext()
        ctx.pair = pair
    out = _verb_agreements(view, ctx)
    out += _noun_agreements(view, [a.end for a in out])
    for a in out:
        a.parties = _dedupe([full_form(view, p, ctx.known) for p in a.parties])
    return out


def _verb_agreements(view: SentView, ctx: SigningContext) -> list[AgreementMention]:
    text, out, prev = view.text, [], 0
    for m in _VERB.finditer(text):
        if m.start() < prev or _WITNESS.search(text, max(0, m.start() - 6), m.start()):
            continue  # "出席仪式并见证签约": who witnesses a signing signs nothing
        objs = agreement_types(text, m.end(), m.group(0))
        if not objs:
            continue
        clause = max(prev, *(text.rfind(c, 0, m.start()) + 1 for c in _CLAUSE))
        parties = _referred(view, clause, m.start(), _dedupe(list_parties(view, clause, m.start())), ctx,
                            out[-1].parties[0] if out else None)
        if 1 <= len(parties) <= 2 and (other := _unnamed_partner(view, parties[0].end, m.start())) \
                and all(other.start <= p.start and p.end <= other.end for p in parties[1:]):
            parties = [parties[0], other]  # 某市与字节跳动签署: the tagger named no body after 与
        if parties and not _adverbial(view, _signer_end(view, parties[-1].end, m.start()), m.start()):
            parties = []  # "A与B多家机构签署": the list does not end where the signing begins
        title = (m.end(), objs[0][2] - len(objs[0][0]))
        if re.search(r"[与同]", text[title[0]:title[1]]):  # 甲乙签署了“A与B合作协议”: the title names them
            named = _dedupe(list_parties(view, *title))
            parties = named if len(named) >= 2 else parties
        for group in _groups(view, clause, m.end(), parties):
            out += [AgreementMention(t, title, group, end) for t, title, end in objs]
        prev = objs[-1][2]
    return out


#: what may stand between the last party and the verb before a preposition: "今天（3月1日）正式"
_ADVERBIAL_POS = {"d", "ad", "TIME", "t", "w", "c", "f"}
_PREP = {"等", "就", "在", "于", "对", "围绕", "针对"}
#: who the signers stand for, or how many parties sign: "A与B代表双方签署", "A与B、C三方签署"
_ON_BEHALF = re.compile(r"代表|双方|各方|两地|[两三四五六七八九十多]方?|方")


_PARTNER = re.compile(r"(?:与|同|跟)([\u4e00-\u9fffA-Za-z0-9]{2,8}?)(?:共同|正式|现场)?")
_NOT_IN_PARTNER = {"p", "u", "d", "r", "c", "w", "f", "TIME", "PER", "m", "q"}


def _unnamed_partner(view: SentView, i: int, j: int) -> Name | None:
    """The second party right between 与 and the signing verb when no tagger named it
    ("某市与字节跳动签署"): two to eight characters of more than one word, no function word, person,
    number or reference to a kind of bodies (与相关企业, 与各方, 与企业)."""
    from kg.extract.name_checks import quantified

    m = _PARTNER.fullmatch(view.text, i, j)
    if not m:
        return None
    s, e = m.span(1)
    toks = [(a, b, pos) for a, b, pos in view.tokens if s <= a < e]
    if len(toks) < 2 or toks[0][0] != s or toks[-1][1] != e or any(pos in _NOT_IN_PARTNER for *_, pos in toks) \
            or quantified(m.group(1)) or any(n.start < e and s < n.end for n in view.names):
        return None
    return Name(s, e, m.group(1), "organization")


def _signer_end(view: SentView, i: int, j: int) -> int:
    """Where the person who signs for the party ending at ``i`` ends ("B集团董事长李东|代表双方签署"):
    a title, then a person's name, before ``j``; else ``i``."""
    titles = vocab().titles
    for n in view.names_of("person"):
        if i < n.start < j and view.text[i:n.start] in titles:
            return n.end
    return i


def _adverbial(view: SentView, i: int, j: int) -> bool:
    """Only adverbs, times and brackets stand in [i, j) before a preposition ("在北京", "就…")."""
    for s, e, pos in view.tokens:
        if s >= j:
            break
        if s >= i:
            if pos == "p" or view.text[s:e] in _PREP:  # "在北京", "就…", "等单位"
                return True
            if pos not in _ADVERBIAL_POS and not _BOTH.fullmatch(view.text[s:e]) \
                    and not _ON_BEHALF.fullmatch(view.text[s:e]):  # "中国和X双方", "…三方", "代表双方"
                return False
    return True


#: a topic or place between the first party and 与: "A就某事与B签署", "A在北京与B签署"
_TOPIC = re.compile(r"(?:就|围绕|针对|在|于|通过)[^，,；;。：:]{1,24}(?:与|同|跟|和)$")


def _referred(view: SentView, clause: int, verb: int, parties: list[Name],
              ctx: SigningContext, first: Name | None = None) -> list[Name]:
    """Parties a clause refers to: "双方", the subject before "并与B" (``first``: the first
    party of the sentence's agreement before), or the party before a topic ("A就…与B")."""
    head = view.text[clause:verb]
    if len(parties) == 1:
        lead = [n for n in view.names_of("organization") + view.names_of("place")
                if clause <= n.start and n.end < parties[0].start
                and _TOPIC.fullmatch(view.text, n.end, parties[0].start)]
        if lead:
            return [min(lead, key=lambda n: n.start), parties[0]]
    if len(parties) < 2 and _BOTH.search(head):
        own = body_pair(view)  # "A与B举行会谈，双方签署…"
        pair = own if own and own[1].end <= clause else ctx.pair
        if pair:
            return list(pair)
    refers = _ELIDED.match(head)
    if refers and len(parties) == 2 and parties[0].start < clause + refers.end() - 1:
        parties = parties[1:]  # "学校还与B": 学校 refers to the subject
    # "并与B、C签署": every party stands after the connective, the subject is the first one
    after = refers and all(p.start >= clause + refers.end() for p in parties)
    if parties and refers and (len(parties) == 1 or after):
        own = sentence_subject(view)
        subject = own if own and own.end <= clause else first or ctx.subject
        if subject and all(subject.text != p.text for p in parties):
            return [subject, *parties]
    return parties


def _groups(view: SentView, clause: int, verb_end: int, parties: list[Name]) -> list[list[Name]]:
    """One party list, or one per pair for "A分别与B、C" / "A与B、C分别" / "A、B与C分别"."""
    if len(parties) < 2:
        return []
    split = _EACH.search(view.text[clause:verb_end])
    if split and len(parties) >= 3:
        cut = clause + split.start()
        lead = [p for p in parties if p.end <= cut]
        rest = [p for p in parties if p.end > cut]
        if len(lead) == 1:
            return [[lead[0], p] for p in rest]
        if len(rest) == 1:
            return [[p, rest[0]] for p in lead]
    return [parties]


def _noun_agreements(view: SentView, taken: list[int]) -> list[AgreementMention]:
    """"A与B战略合作协议签约仪式", "A与B举行了战略合作签署仪式": a signing named as a noun."""
    text, out = view.text, []
    for m in _signing_noun().finditer(text):
        if any(m.start() < t <= m.end() for t in taken):
            continue  # the verb frame already has it
        typ = m.group("type") or ""
        typ = typ if typ in vocab().agreement_types else typ + "协议"  # 战略合作签署仪式, 签约仪式
        clause = max(text.rfind(c, 0, m.start()) + 1 for c in _CLAUSE)
        parties = _dedupe(list_parties(view, clause, m.start()))
        gap = text[parties[-1].end:m.start()] if parties else ""
        if len(parties) >= 2 and not _VERB.search(text, clause, m.start()) and _PAIRED.search(text, clause, m.start()) \
                and re.fullmatch(_HOLD + (r"[\u4e00-\u9fff]{0,8}" if m.group("type") else ""), gap):
            ceremony = (m.group("sign") or m.group("bare")).endswith(("仪式", "活动"))
            out.append(AgreementMention(typ, "", parties, m.end("type") if m.group("type") else m.end(), ceremony))
    return out


#: what may stand between the parties and a signing noun: "A与B举行了…签约仪式"
_HOLD = r"(?:(?:共同|正式|隆重)?(?:举行|举办)了?)?"
_PAIRED = re.compile(r"[与和同及]")


@functools.lru_cache(maxsize=1)
def _signing_noun() -> re.Pattern:
    """"…协议签约仪式", "战略合作签署仪式", "签约仪式": a signing named as a noun."""
    types = "|".join(map(re.escape, vocab().agreement_types))
    return re.compile(rf"(?P<type>{types}|(?:全面战略|战略|全面)?合作)(?P<sign>(?:签约|签署|签字|签订)(?:仪式|活动)?)"
                      r"|(?P<bare>(?:签约|签署|签字)(?:仪式|活动))")


def agreement_types(text: str, i: int, verb: str = "") -> list[tuple[str, str, int]]:
    """(type, title, end) of each agreement named from ``i`` on: "战略合作协议",
    "《A协议》和《B备忘录》"; after 签约, "X项目" is a project signing (项目签约)."""
    found = agreement_type(text[i:])
    if not found:
        return _untyped(text, i, verb)
    out = []
    while found:
        typ, title, length = found
        i += length
        out.append((typ, title, i))
        more = re.match(r"(?:、|和|及|以及)", text[i:])
        found = agreement_type(text[i + more.end():]) if more else None
        if found:
            i += more.end()
    return out


def _untyped(text: str, i: int, verb: str) -> list[tuple[str, str, int]]:
    """A signing that names no agreement type: 达成战略合作, 正式签约, 签约X项目."""
    coop = re.match(r"了?((?:全面战略|战略|全面)合作)(?:伙伴关系|关系)?(?=[，,。；;、]|$)", text[i:])
    if coop:  # 达成战略合作: a strategic cooperation agreement
        return [(coop.group(1) + "协议", "", i + coop.end())]
    if not verb.endswith("签约"):
        return []
    if re.match(r"[，,。；;！]|$", text[i:]):
        return [("协议", "", i)]  # "A与B正式签约。": an agreement of no stated type
    p = re.match(r"((?:(?![和与及])[\u4e00-\u9fff“”\dA-Za-z+＋]){0,15}?)项目", text[i:])  # “5G+智慧城市”项目
    if p and not _GENERIC_MOD.match(p.group(1)):
        return [("项目签约", p.group(0) if len(p.group(1)) >= 2 else "", i + p.end())]
    return []


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
    mod = re.match(r"[\u4e00-\u9fff\dA-Za-z.．]{0,20}?(?=" + "|".join(map(re.escape, v.agreement_types)) + ")",
                   after)
    if not mod or _VERB.search(mod.group(0)):
        return None  # "…、C与D签订B协议": the next agreement's own verb
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
_GENERIC_MOD = re.compile(r"^(?:了|的|初步|相关|有关|多项|一系列|系列|各类|各项|一批|多个|多份|[一二两三四五六七八九十\d]+[项份个])")


def _type_modifier(mod: str) -> bool:
    """"战略" in 战略合作协议 is part of the type; "相关" is not."""
    return mod in {"战略", "全面战略", "框架", "战略框架", "投资", "项目", "共建", "人才", "数据"}


#: a ceremony named only by its kind ("战略合作签署仪式") is part of the article's event
_BARE_CEREMONY = re.compile(r"^(?:全面战略|战略|全面|框架)*(?:合作)?(?:框架)?(?:协议|备忘录)?(?:签约|签署|签字|签订)(?:仪式|活动)$")
#: words that place a signing at the event the article is about
_ON_SITE = re.compile(r"现场|会上|会议上|会议期间|期间|仪式上|活动上|论坛上|峰会上|大会上|当天|当日|同日|此外")


def ceremony_event(a: AgreementMention, events) -> str | None:
    """The event an agreement named by its ceremony was signed at: the ceremony's event
    name, "" for a ceremony named only by its kind (the article's event), None otherwise."""
    if not a.ceremony:
        return None
    ev = next((e for e in events if e.name and e.start <= a.end <= e.end), None)
    if ev is None or _BARE_CEREMONY.match(ev.name):
        return ""
    return ev.name


def on_site(text: str) -> bool:
    """The sentence places its signing at the event under way ("活动现场", "会上")."""
    return bool(_ON_SITE.search(text))


def restates(parties: list[str], typ: str, title: str, old) -> bool:
    """A later sentence restating an agreement already stated (a headline, then the body):
    same type, the same title or a shorter form of it, the same number of parties, each the same body or a short form of
    it ("总台" of "中央广播电视总台")."""
    if typ != old.type or len(parties) != len(old.parties) or bool(title) != bool(old.title):
        return False
    if title and not _subsequence(*sorted((title, old.title), key=len)):
        return False  # "160架飞机采购协议" restated as "160架民用飞机采购协议"
    return all(any(_same_body(p, q) for q in old.parties) for p in parties)


def _same_body(a: str, b: str) -> bool:
    short, long = sorted((a, b), key=len)
    return short == long or (len(short) >= 2 and _subsequence(short, long) and long.endswith(short[-1]))


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)
