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
from kg.extract.agreements import body_pair, find_agreements
from kg.extract.events import EventMention, find_events, find_roles, part_of_event
from kg.extract.initiatives import find_initiatives
from kg.extract.names import find_names, parent_org, visited_venues
from kg.extract.numbers import find_numbers
from kg.extract.posts import byline_posts, find_posts
from kg.extract.srl import srl_agreements, srl_roles
from kg.extract.view import Name, SentView, org_categories
from kg.vocab import vocab

__all__ = ["extract"]

_SAME_DAY = re.compile(r"当天|当日|同日|同一天")
_AT_MEETING = re.compile(r"^(?:在)?(?:会上|会议上|会议期间|会中)")
#: a sentence opening with a bare noun that refers back to a body: "论坛由…担任…", "该联盟将…"
_BARE = re.compile(r"[“\"]?(?:该|本)?([\u4e00-\u9fff]{2,3}?)(?=由|将|是|已|现|目前|共|设|自|下设)")


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
        self.events = [find_events(v) for v in self.views]
        self.main, self.main_date = self._main_event()
        self.last_date: str | None = None  # the latest date stated so far ("同日" refers to it)
        self.pair = None  # the last two bodies named together ("双方" refers to them)
        self.orgs_seen: list[str] = []  # organizations named so far, in order
        self.last_held: str | None = None  # the latest event said to be held ("会上" refers to it)

    # ------------------------------------------------------------ context
    def _main_event(self) -> tuple[str | None, str | None]:
        """The article's main event: the first one said to be held on a stated date, else the
        first said to be held (a headline: "上海召开…大会"), else the first named."""
        held, first = None, None
        for v, evs in zip(self.views, self.events):
            for e in evs:
                if not e.name:
                    continue
                date = self.date(v)
                if e.held and date:
                    return e.name, date
                held = held or (e.held and (e.name, date))
                first = first or (e.name, date)
        return held or first or (None, None)

    def date(self, view: SentView) -> str | None:
        """The date the sentence states, its year from the document or the nearest stated year."""
        return dates.resolve_date(view.text, year_hint=dates.year_near(self.doc, view.sent.start))

    def topic(self, view: SentView, evs: list[EventMention]) -> str | None:
        """The body the sentence is about: one it says is founded, or the latest body named
        so far whose name ends with the bare noun the sentence opens with ("论坛由…")."""
        founded = next((e.founded for e in evs if e.founded), None)
        if founded:
            return founded
        m = _BARE.match(view.text)
        if not m or vocab().event_nouns.get(m.group(1)) == "Meeting":
            return None  # "会议由…主持" is about the meeting
        return next((o for o in reversed(self.orgs_seen) if o.endswith(m.group(1)) and o != m.group(1)), None)

    def _event_for(self, view: SentView, evs: list[EventMention], pos: int) -> str | None:
        """The event a statement at ``pos`` is about: the last one named before it in the
        sentence; for "会上"/"会议期间", the latest event said to be held; else the main one."""
        named = [e for e in evs if e.name and e.end <= pos]
        if named:
            return named[-1].name
        if self.last_held and _AT_MEETING.search(view.text):
            return self.last_held
        return self.main

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
                self.orgs_seen.append(n.text)
                parent = parent_org(n.text)
                self.entity("organization", n.text, ev, categories=org_categories(n.text, parent) or n.categories,
                            part_of=parent)
                if parent:
                    self.entity("organization", parent, ev, categories=org_categories(parent))
            elif not (n.kind == "place" and _inside(n, inside)):
                self.entity(n.kind, n.text, ev)
        posts, orgs = find_posts(view, self.topic(view, evs))
        self.facts.posts.extend(posts)
        for org_text, name, _ in orgs:
            if name is None:
                self.entity("organization", org_text, ev, categories=org_categories(org_text),
                            part_of=parent_org(org_text))
        self._events(view, evs)
        self._roles(view, evs)
        self._agreements(view, evs)
        self._initiatives(view, inits)
        # numbers inside the names of events and initiatives (50人论坛) are not indicators
        view.names += [Name(s, e, view.text[s:e], "initiative") for s, e in inside]
        self._numbers(view)

    def _events(self, view: SentView, evs: list[EventMention]) -> None:
        ev = view.evidence
        date = self.date(view)
        if date is None and _SAME_DAY.search(view.text):
            date = self.main_date or self.last_date
        parents = dict(part_of_event(view, evs))
        for s, e, _ in visited_venues(view.text):  # "欢迎莅临X参会": the article's event is at X
            if self.main and not any(x.name for x in evs):
                self.entity("event", self.main, ev, place=view.text[s:e])
        for e in evs:
            if not e.name:
                continue
            held = e.held
            if held:
                self.last_held = e.name
            self.entity("event", e.name, ev, categories={e.type}, part_of=parents.get(e.name),
                        date=date if held else None, place=e.place if held else None,
                        aliases={e.alias} if e.alias else set())
            if held and e.place and e.place not in {x.name for x in evs if x.name}:
                self.entity("place", e.place, ev)

    def _roles(self, view: SentView, evs: list[EventMention]) -> None:
        seen = set()
        for agent, role in find_roles(view) + srl_roles(view):
            if (agent.text, role) in seen:
                continue  # a frame and a rule stating the same role give one fact
            seen.add((agent.text, role))
            # "曹立军主持召开市委常委会会议", "在A期间举办的B上演讲": the (last) event the clause goes on
            # to name, else the last one before
            ahead = [e for e in evs if e.name and e.start >= agent.end
                     and not re.search(r"[，。；,;]", view.text[agent.end:e.start])]
            event = ahead[-1].name if ahead else self._event_for(view, evs, agent.start)
            if event:
                kind = agent.kind if agent.kind != "place" else "organization"
                if agent.kind == "place":
                    self.entity("organization", agent.text, view.evidence,
                                categories={"GovernmentBody"}, also_place=True)
                self.facts.roles.append(RoleFact(event, agent.text, kind, role, view.evidence))

    def _agreements(self, view: SentView, evs: list[EventMention]) -> None:
        rules = find_agreements(view, self.pair)
        self.pair = body_pair(view) or self.pair
        found = {frozenset(p.text for p in a.parties) for a in rules}
        frames = [a for a in srl_agreements(view) if frozenset(p.text for p in a.parties) not in found]
        for a in rules + frames:
            event = self._event_for(view, evs, len(view.text))
            date = self.date(view) or (self.main_date if event and event == self.main else None) \
                or (self.last_date if _SAME_DAY.search(view.text) else None)
            parties = []
            for p in a.parties:
                parties.append(p.text)
                if p.kind == "place":
                    self.entity("organization", p.text, view.evidence, categories={"GovernmentBody"},
                                also_place=True)
            self.facts.agreements.append(AgreementFact(a.type, parties, view.evidence, a.title, date, event))

    def _initiatives(self, view: SentView, inits) -> None:
        for i in inits:
            self.entity("initiative", i.name, view.evidence, categories={i.kind}, count=i.count,
                        components=list(i.components))

    def _numbers(self, view: SentView) -> None:
        for n in find_numbers(view, now=dates.year_near(self.doc, view.sent.start)):
            self.facts.indicators.append(IndicatorFact(
                n.value, n.unit, n.label, view.evidence, surface=view.text[n.start:n.end], approx=n.approx,
                target_year=n.target_year))



def _inside(n: Name, spans) -> bool:
    """A place named only inside an initiative or event name (数字中国建设…)."""
    return any(s <= n.start and n.end <= e and (s, e) != (n.start, n.end) for s, e in spans)
