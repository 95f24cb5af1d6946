"""Extraction: rules over annotated sentences that fill ``Document.facts``.

Each rule module works on one sentence (``SentView``); this module walks the articles,
keeps the article's context (its main event, its date) and turns mentions into facts
that name entities by their surface names. ``kg.link`` merges them afterwards.
"""
from __future__ import annotations

import re

from kg import dates
from kg.document import (AgreementFact, Article, Document, EntityFact, Facts, IndicatorFact, RoleFact,
                         Span)
from kg.extract.agreements import SigningContext, ceremony_event, find_agreements, on_site
from kg.extract.ordinals import OpenCount, colon_list
from kg.extract.events import EventMention, find_events, part_of_event
from kg.extract.roles import RoleMention, find_roles, signatories, signing_parties, signing_place, talk_speakers
from kg.extract.initiatives import find_initiatives
from kg.extract.names import add_known_persons, find_names, parent_org, visited_venues
from kg.extract.numbers import find_numbers
from kg.extract.posts import byline_posts, find_posts
from kg.extract.post_titles import title_categories
from kg.extract.srl import srl_agreements, srl_roles
from kg.extract.view import Name, SentView, org_categories
from kg.vocab import vocab

__all__ = ["extract"]

_SAME_DAY = re.compile(r"当天|当日|同日|同一天")
_AT_MEETING = re.compile(r"^(?:在)?(?:会上|会议上|会议期间|会中)")
#: an event only cited, not reported: "贯彻党的二十大精神", "按照X会议部署"
_CITED = re.compile(r"^(?:和|及|、)?[^，。；]{0,12}?(?:精神|以来|决策部署|部署|要求|确定|提出)")
#: a time coarser than a day: the article's date is no better guess for it
_VAGUE_TIME = re.compile(r"(?:19|20)\d{2}年|\d{1,2}月|[上中下]旬|月[底初末]|年[底初末]|[春夏秋冬]季|[本下上]月|[本下上]周|"
                         r"明年|年内|月内|将于|将在|即将|拟于|计划于")
#: "会议地点：X", "活动地点：X": the venue stated on a line of its own
_VENUE_LINE = re.compile(r"(?:(?:^|[。；\s])(?:会议|活动|论坛|举办|大会)?地点[：:]|主?会场设在)\s*([^，。；\s]{2,40})")
#: "新华社北京7月2日电": the city the report is filed from
_DATELINE = re.compile(r"^(?:[^，。：]{0,12}?社)?([\u4e00-\u9fff]{2,4}?)(?:(?:\d{1,2}月)?\d{1,2}日)?电")
#: a sentence opening with a bare noun that refers back to a body: "论坛由…担任…", "该联盟将…"
_BARE = re.compile(r"[“\"]?(?:该|本)?([\u4e00-\u9fff]{2,3}?)(?=由|将|是|已|现|目前|共|设|自|下设)")


def _signing_ceremony(view: SentView, e: EventMention) -> bool:
    """A bare "仪式" in a sentence about signing ("出席仪式并见证签约")."""
    return view.text[e.start:e.end] == "仪式" and bool(re.search(r"签约|签署|签字", view.text))


def extract(doc: Document) -> Document:
    """Fill ``doc.facts`` from the annotated sentences of every article."""
    doc.facts = Facts()
    for article in doc.articles:
        _Article(doc, article).run()
    return doc


class _Article:
    def __init__(self, doc: Document, article: Article):
        self.doc, self.article, self.facts = doc, article, doc.facts
        self.views = [SentView.of(s) for s in article.sentences]
        for v in self.views:
            find_names(v)
        add_known_persons(self.views)
        self.events = [find_events(v) for v in self.views]
        self.signing_main = False  # the main event is a signing named after its parties
        self.signing_place: str | None = None  # where the parties sign ("A与B在X签署")
        self.main, self.main_date = self._main_event()
        self.last_date: str | None = None  # the latest date stated so far ("同日" refers to it)
        # "双方", elided subjects, and the article's bodies a cut party is stretched to
        self.signing = SigningContext()
        self.signing.known = {n.text for v in self.views for n in v.names if n.kind == "organization"}
        self.org_tails: dict[str, str] = {}  # last 2 or 3 characters -> latest organization so named
        #: last 2 or 3 characters -> the first organization so named: the article's own 学会 or 公司
        #: a bare kind before a title refers to (学会秘书长), not a society named in passing
        self.first_org_tails: dict[str, str] = {}
        self.last_held: str | None = None  # the latest event said to be held ("会上" refers to it)
        self.placed: set[str] = set()  # events given a place by a sentence
        self.prev_held: str | None = None  # the event the sentence before says is held
        self.held_here = False
        self.dated: set[str] = set()  # events given a day by a sentence
        self.spans: dict[str, tuple] = {}  # event -> (first day, evidence) of a span of days
        self.counting = OpenCount()  # a count-named initiative whose parts the next sentences number

    # ------------------------------------------------------------ context
    def _main_event(self) -> tuple[str | None, str | None]:
        """The article's main event: the first one said to be held on a stated date, else the
        first said to be held (a headline: "上海召开…大会"), else the first named that is not
        only cited ("贯彻党的二十大精神")."""
        held, first = None, None
        for i, (v, evs) in enumerate(zip(self.views, self.events)):
            for e in evs:
                if not e.name:
                    continue
                date = self.date(v) or self._relative_date(e)
                if e.held and date:
                    signed = self._signing_main(before=(i, e.start))
                    return signed if signed[0] else (e.name, date)
                held = held or (e.held and (e.name, date))
                if not _CITED.match(v.text[e.end:]) and e.type != "Congress":
                    first = first or (e.name, date)
        return held or first or self._signing_main()

    def _signing_main(self, before: tuple[int, int] | None = None) -> tuple[str | None, str | None]:
        """An article about a signing that names no event: its ceremony ("出席签约仪式", "出席仪式
        并见证签约"), named after the parties that sign ("A与B签约仪式"), is the main event. So it
        is when the parties sign on a day the text states before the first event it says is held
        (``before``: sentence and offset): "5月10日，A与B在广州签署协议，同时还举行了…研讨会"."""
        cue = next(((v, e) for v, evs in zip(self.views, self.events) for e in evs
                    if not e.name and (e.signing or _signing_ceremony(v, e))), None)
        signers = next(((i, v, p) for i, v in enumerate(self.views) for p in [signing_parties(v)] if p), None)
        if not cue or not signers:
            return None, None
        i, sv, parties = signers
        if before is not None and ((i, parties[-1].end) >= before or not dates.resolve_date(
                sv.text, year_hint=dates.year_near(self.doc, sv.sent.start))):
            return None, None
        v, e = cue
        noun = v.text[e.start:e.end] if e.signing else "签约仪式"
        self.signing_main, self.signing_place = True, signing_place(sv)
        return "与".join(n.text for n in parties[:3]) + noun, self.date(sv) or self.date(v)

    def _ceremony_ref(self, view: SentView, e: EventMention | None) -> str | None:
        """A ceremony the text does not name ("出席仪式", "签约仪式") in an article whose main event
        is a signing is that signing."""
        if self.signing_main and e is not None and not e.name and (e.signing or _signing_ceremony(view, e)):
            return self.main
        return None

    def date(self, view: SentView) -> str | None:
        """The date the sentence states, its year from the document or the nearest stated year;
        a day alone ("2日下午") takes its month from the latest date stated or the article's."""
        found = dates.resolve_date(view.text, year_hint=dates.year_near(self.doc, view.sent.start))
        if found:
            return found
        stated = dates.parse_iso(getattr(self, "last_date", None))
        if stated:
            return dates.resolve_day(view.text, stated, past_only=False)
        return dates.resolve_day(view.text, self.article.date or self.doc.date)

    def _relative_date(self, e: EventMention) -> str | None:
        """"今天/日前/近日召开" → the article's date, "昨天" → the day before it."""
        return dates.relative_day(e.relative, self.article.date or self.doc.date) if e.relative else None

    def topic(self, view: SentView, evs: list[EventMention]) -> str | None:
        """The body the sentence is about: one it says is founded, or the latest body named
        so far whose name ends with the bare noun the sentence opens with ("论坛由…")."""
        founded = next((e.founded for e in evs if e.founded), None)
        if founded:
            return founded
        m = _BARE.match(view.text)
        if not m or vocab().event_nouns.get(m.group(1)) == "Meeting":
            return None  # "会议由…主持" is about the meeting
        return self.org_tails.get(m.group(1))

    def _event_for(self, view: SentView, evs: list[EventMention], pos: int) -> str | None:
        """The event a statement at ``pos`` is about: the last one named before it in the
        sentence; for "会上"/"会议期间", the latest event said to be held; else the one the sentence
        before says is held, else the main one."""
        named = [e for e in evs if e.name and e.end <= pos]
        if named:
            return named[-1].name
        if self.last_held and _AT_MEETING.search(view.text):
            return self.last_held
        return self.prev_held or self.main  # the sentence goes on about the event just held

    # ------------------------------------------------------------ facts
    def run(self) -> None:
        a = self.article
        if a.byline_span or a.reporter:
            ev = a.byline_span or Span(a.start, a.end)
            for p in byline_posts(a, ev):
                self.facts.posts.append(p)
                self.entity("person", p.person, ev)
                if p.org:
                    self.entity("organization", p.org, ev, categories={"Media"})
        for view, evs in zip(self.views, self.events):
            self.sentence(view, evs)
        self._close_events()

    def entity(self, kind, name, evidence, **kw) -> None:
        self.facts.entities.append(EntityFact(kind, name, evidence, **kw))

    def sentence(self, view: SentView, evs: list[EventMention]) -> None:
        ev = view.evidence
        self.last_date = self.date(view) or self.last_date
        inits = find_initiatives(view)
        inside = [(i.start, i.end) for i in inits] + [(e.start, e.end) for e in evs if e.name]
        for n in view.names:
            if n.kind == "organization" and not n.categories and _inside(n, inside):
                continue  # a bare name inside an initiative's name (数字普惠金融指数) is no body
            if n.kind == "organization":
                self._record_tails(n.text)
                parent = parent_org(n.text)
                self.entity("organization", n.text, ev, categories=org_categories(n.text, parent) or n.categories,
                            part_of=parent)
                if parent:
                    self.entity("organization", parent, ev, categories=org_categories(parent))
            elif not (n.kind == "place" and _inside(n, inside)):
                self.entity(n.kind, n.text, ev)
        for e in evs:  # 某某学会|数学促进企业创新发展论坛: the body that holds the event is named too
            host = vocab().parent_body(e.name) if e.name else None
            if host:
                self._record_tails(host, latest=False)
        view.bodies_by_tail = self.first_org_tails
        posts, orgs = find_posts(view, self.topic(view, evs))
        self.facts.posts.extend(posts)
        for org_text, name, title in orgs:
            if name is None:  # a body only a post names: a company when its title is a company's
                self.entity("organization", org_text, ev, categories=org_categories(org_text) or title_categories(title),
                            part_of=parent_org(org_text))
        self._events(view, evs)
        self._roles(view, evs)
        self._agreements(view, evs)
        self._initiatives(view, inits)
        # numbers inside the names of events and initiatives (50人论坛) are not indicators
        view.names += [Name(s, e, view.text[s:e], "initiative") for s, e in inside]
        self._numbers(view)

    def _record_tails(self, name: str, latest: bool = True) -> None:
        """What topic() and a bare kind before a title look up by the last two or three characters
        of a body's name: one dict each, not a scan of every body so far."""
        for k in (2, 3):
            if len(name) > k:
                if latest:
                    self.org_tails[name[-k:]] = name
                self.first_org_tails.setdefault(name[-k:], name)

    def _events(self, view: SentView, evs: list[EventMention]) -> None:
        ev = view.evidence
        date = self.date(view)
        if date is None and _SAME_DAY.search(view.text):
            date = self.last_date or self.main_date  # the day just stated: "11日…。当天，…"
        parents = dict(part_of_event(view, evs))
        for s, e, _ in visited_venues(view.text):  # "欢迎莅临X参会": the article's event is at X
            if self.main and not any(x.name for x in evs):
                self.entity("event", self.main, ev, place=view.text[s:e])
                self.placed.add(self.main)
        span = dates.is_range(view.text)
        self.prev_held = self.last_held if self.held_here else None
        self.held_here = any(e.name and e.held for e in evs)
        for e in evs:
            when = date if e.held else None
            vague = e.held and not date and self._relative_date(e)  # "近日": unless a sentence says
            own = e.name or self._hosts_event(e)
            name = own or (e.held and (when or e.place) and (self._ceremony_ref(view, e) or self.last_held or self.main))
            if not name:
                continue  # a generic noun that says nothing new of the event it refers to
            if (span and when) or vague:  # "7月1日至3日…召开": the first day, unless a sentence says which
                self.spans.setdefault(name, (when or vague, ev))
                when = None
            elif when:
                self.dated.add(name)
            if e.name and e.held:
                self.last_held = e.name
            self.entity("event", name, ev, categories={e.type} if own else set(),
                        part_of=parents.get(e.name), date=when, place=e.place if e.held else None,
                        aliases={e.alias} if e.alias and e.name else set())
            if e.held and e.place and e.place not in {x.name for x in evs if x.name}:
                self.entity("place", e.place, ev)
                self.placed.add(name)

    def _hosts_event(self, e: EventMention) -> str | None:
        """A generic signing ceremony in an article with no main event is named after its hosts
        ("A与B签约仪式"); with one, it is part of the main event."""
        return e.hosts if e.hosts and not (self.last_held or self.main) else None

    def _close_events(self) -> None:
        """What the article as a whole says of its events: the first day of a span of days for
        an event no sentence dates; for the main event, held and given no place, the venue line
        ("地点：X") or the dateline's city ("新华社北京7月2日电"); given no day, the article's."""
        if self.signing_main:  # the parties of what was signed at it are its signatories
            for a in self.facts.agreements:
                if a.event == self.main:
                    self.facts.roles += [RoleFact(a.event, p, "organization", "signatory", a.evidence) for p in a.parties]
            self.entity("event", self.main, self.views[0].evidence, categories={"Ceremony"}, date=self.main_date,
                        place=self.signing_place)
            if self.signing_place:
                self.entity("place", self.signing_place, self.views[0].evidence)
                self.placed.add(self.main)
        for name, (day, ev) in self.spans.items():
            if name not in self.dated:
                self.entity("event", name, ev, date=day)
                self.dated.add(name)
        held = next((v for v, evs in zip(self.views, self.events)
                     for e in evs if e.held and e.name == self.main), None)
        if not self.main or held is None:
            return
        if self.main not in self.placed:
            where = next(((v.evidence, m.group(1).strip()) for v in self.views for m in [_VENUE_LINE.search(v.text)] if m), None)
            m = _DATELINE.match(self.views[0].text)
            where = where or (m and (self.views[0].evidence, m.group(1)))
            if where:
                self.entity("event", self.main, where[0], place=where[1])
                self.entity("place", where[1], where[0])
        day = self.article.date or self.doc.date
        if self.main not in self.dated and not self.main_date and day and not _VAGUE_TIME.search(held.text):
            self.entity("event", self.main, held.evidence, date=day.isoformat())

    def _roles(self, view: SentView, evs: list[EventMention]) -> None:
        seen = set()
        for r in find_roles(view) + [RoleMention(a, role) for a, role in srl_roles(view)]:
            event = self._role_event(view, evs, r)
            if (r.agent.text, r.role, event) in seen or r.verb_end is None and (r.agent.text, r.role) in seen:
                continue  # a frame and a rule stating the same role give one fact
            seen |= {(r.agent.text, r.role, event), (r.agent.text, r.role)}
            self._role(view, r.agent, r.role, event)
        for person, e in talk_speakers(view, evs):
            if (person.text, "speaker", e.name) not in seen:
                self._role(view, person, "speaker", e.name)
        for party, e in signatories(view, evs):
            self._role(view, party, "signatory", e.name or self._hosts_event(e) or self._event_for(view, evs, e.start))

    def _role_event(self, view: SentView, evs: list[EventMention], r: RoleMention) -> str | None:
        """The event the verb names as its object ("出席X签约仪式"), else the (last) event the
        clause goes on to name ("曹立军主持召开市委常委会会议"), else the one before."""
        obj = None
        if r.verb_end is not None:
            obj = next((e for e in evs if 0 <= e.start - r.verb_end <= 3
                        and re.fullmatch(r"了?(?:本次|此次|这次|本届|该)?", view.text[r.verb_end:e.start])), None)
            if obj is not None and obj.name:
                return obj.name
        signing = self._ceremony_ref(view, obj) or (self.signing_main and r.role == "signatory" and self.main)
        if signing:
            return signing
        noun = obj is not None and not obj.name and view.text[obj.end - 2:obj.end]
        kin = noun and next((e for e in (self.main, self.last_held) if e and e.endswith(noun)), None)
        if kin:
            return kin  # "出席此次峰会": the main event if it is a summit, else the summit last held
        ahead = [e for e in evs if e.name and e.start >= r.agent.end and (e.held or not _CITED.match(view.text[e.end:]))
                 and not re.search(r"[，。；,;]", view.text[r.agent.end:e.start])]  # not "学习党的二十大精神"
        if ahead:
            return ahead[-1].name
        # "筹备了X，…邀请A共话": a clause after one that only names X (not held there) is not about X
        evs = [e for e in evs if e.held or e.end > r.agent.start or not re.search(r"[，；,;]", view.text[e.end:r.agent.start])]
        return self._event_for(view, evs, r.agent.start)

    def _role(self, view: SentView, agent: Name, role: str, event: str | None) -> None:
        if not event:
            return
        kind = agent.kind if agent.kind != "place" else "organization"
        if agent.kind == "place":
            self.entity("organization", agent.text, view.evidence, categories={"GovernmentBody"},
                        also_place=True)
        elif kind == "organization" and not view.name_at(agent.start, agent.end):
            self.entity("organization", agent.text, view.evidence, categories=org_categories(agent.text))
        self.facts.roles.append(RoleFact(event, agent.text, kind, role, view.evidence))

    def _agreements(self, view: SentView, evs: list[EventMention]) -> None:
        ctx = self.signing
        rules = find_agreements(view, ctx)
        ctx.after(view)
        found = {frozenset(p.text for p in a.parties) for a in rules}
        frames = [a for a in srl_agreements(view) if frozenset(p.text for p in a.parties) not in found]
        stated = self.date(view)
        for a in rules + frames:
            event = ceremony_event(a, evs)  # "" names a ceremony of the article's event
            if event == "":
                event = self.main
            elif event is None:
                event = self._event_for(view, evs, a.end or len(view.text))
                if event == self.main and stated and stated != self.main_date and not on_site(view.text):
                    event = None  # signed on a day of its own, not at the article's event
            date = stated or (self.main_date if event and event == self.main else None) \
                or (self.last_date if _SAME_DAY.search(view.text) else None)
            parties = []
            for p in a.parties:
                parties.append(p.text)
                if p.kind == "place":
                    self.entity("organization", p.text, view.evidence, categories={"GovernmentBody"},
                                also_place=True)
                elif not view.name_at(p.start, p.end, "organization"):  # a party named by its place in a list
                    self.entity("organization", p.text, view.evidence, categories=org_categories(p.text))
            ctx.record(AgreementFact(a.type, parties, view.evidence, a.title, date, event), self.facts.agreements)

    def _initiatives(self, view: SentView, inits) -> None:
        self.counting.feed(view.text)  # "一是A。" continues the enumeration of an earlier name
        for i in inits:
            fact = EntityFact("initiative", i.name, view.evidence, categories={i.kind}, count=i.count,
                              components=list(i.components))
            self.facts.entities.append(fact)
            if i.count and not i.components:  # "八方面重点任务。一是A。…二是B。"
                self.counting.open(fact.components, i.count, semi=colon_list(view.text[i.end:]))
                self.counting.feed(view.text, after=i.end)

    def _numbers(self, view: SentView) -> None:
        for n in find_numbers(view, now=dates.year_near(self.doc, view.sent.start)):
            self.facts.indicators.append(IndicatorFact(
                n.value, n.unit, n.label, view.evidence, surface=view.text[n.start:n.end], approx=n.approx,
                target_year=n.target_year))



def _inside(n: Name, spans) -> bool:
    """A place named only inside an initiative or event name (数字中国建设…)."""
    return any(s <= n.start and n.end <= e and (s, e) != (n.start, n.end) for s, e in spans)
