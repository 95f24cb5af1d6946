"""Facts from semantic-role frames, for backends that give them (HanLP).

A frame is ``{"predicate": (s, e), "ARG0": (s, e), "ARG1": (s, e), …}`` in document offsets
(``Sentence.srl``). The predicate's text decides what the frame says:

    签署/签订/达成/签约   ARG0 = the parties, ARG1 = the agreement (type, quoted title)
    主持 / 出席 / 讲话 …  ARG0 = who chaired, attended or spoke

The frames only name spans; the parties are the list inside ARG0 read as the rules read
lists (``kg.extract.parties``), the persons the names the rules found inside ARG0, so a frame
and a rule that state the same fact give the same fact.
"""
from __future__ import annotations

import re

from kg.extract.agreements import AgreementMention, agreement_type
from kg.extract.parties import list_parties
from kg.extract.view import Name, SentView
from kg.vocab import vocab

_SIGN = re.compile(r"^(?:签署|签订|签约|达成|缔结)")


def _local(view: SentView, span) -> tuple[int, int] | None:
    return view.local_span(*span)


def _names_in(view: SentView, span, kinds) -> list[Name]:
    loc = _local(view, span) if span else None
    if not loc:
        return []
    return [n for n in view.names if n.kind in kinds and loc[0] <= n.start and n.end <= loc[1]]


def srl_agreements(view: SentView) -> list[AgreementMention]:
    out = []
    for frame in view.sent.srl:
        pred = _local(view, frame.get("predicate") or (0, 0))
        if not pred or not _SIGN.match(view.text[pred[0]:pred[1]]):
            continue
        arg0 = _local(view, frame.get("ARG0")) if frame.get("ARG0") else None
        parties = list_parties(view, *arg0) if arg0 else []  # members the rules did not name too
        obj = _local(view, frame.get("ARG1")) if frame.get("ARG1") else None
        if len(parties) < 2 or not obj:
            continue
        found = agreement_type(view.text[obj[0]:obj[1]])
        if found:
            out.append(AgreementMention(found[0], found[1], parties))
    return out


def srl_roles(view: SentView) -> list[tuple[Name, str]]:
    verbs = {verb: role for verb, role, _ in vocab().role_verbs}
    out = []
    for frame in view.sent.srl:
        pred = _local(view, frame.get("predicate") or (0, 0))
        if not pred:
            continue
        role = verbs.get(view.text[pred[0]:pred[1]])
        if role:
            out += [(p, role) for p in _names_in(view, frame.get("ARG0"), ("person",))]
    return out
