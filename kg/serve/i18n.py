"""Every text of the pages in Chinese and English; ``?lang=`` or Accept-Language chooses.

Names of vocabulary terms come from the ontology's zh/en ``rdfs:label`` (ontology/kg.ttl) and,
for the standard terms it reuses without labelling them (org:heldBy, prov:wasDerivedFrom …),
from ``STANDARD`` below. Literal dates without a year (xsd:gMonthDay) read as 10月29日 / Oct 29.
"""
from __future__ import annotations

import functools
import re

TEXT = {
    "title": ("智慧城市治理知识图谱", "Smart-city governance knowledge graph"),
    "intro": ("输入人名、机构或词语查找实体和原文句子，或选一个常用问题；每个答案都可追溯到原文句子。",
              "Find a person, body or phrase by name, or pick a question; every answer leads back "
              "to the sentence that says so."),
    "run": ("运行查询", "Run query"),
    "canned": ("常用问题", "Questions"),
    "pick": ("选择一个问题…", "Pick a question…"),
    "editor": ("SPARQL 查询", "SPARQL query"),
    "results": ("结果", "Results"),
    "rows": ("行", "rows"),
    "of": ("共", "of"),
    "page_size": ("每页", "per page"),
    "prev": ("上一页", "Previous"),
    "next": ("下一页", "Next"),
    "error": ("错误", "Error"),
    "running": ("查询中…", "Running…"),
    "truncated": ("结果已按 --max-rows 截断", "cut at the server's --max-rows"),
    "other_lang": ("English", "中文"),
    "endpoint_note": ("SPARQL 端点：/sparql（只读）", "SPARQL endpoint: /sparql (read-only)"),
    "search": ("查找", "Find"),
    "search_hint": ("人名、机构、举措或原文词语，如 签署", "a name, body, initiative or words, e.g. 签署"),
    "entities": ("实体", "Entities"),
    "sentences": ("原文句子", "Sentences"),
    "no_match": ("没有找到。", "Nothing found."),
    "mentions": ("次提及", "mentions"),
    "entity": ("实体", "Entity"),
    "not_found": ("未找到该实体", "No such entity"),
    "not_found_text": ("图谱中没有关于此 IRI 的陈述。", "The graph states nothing about this IRI."),
    "labels": ("名称", "Names"),
    "types": ("类型", "Types"),
    "facts": ("全部陈述", "All statements"),
    "incoming": ("指向此实体的陈述", "Statements pointing here"),
    "evidence": ("证据句子", "Evidence sentences"),
    "all_evidence": ("全部证据句子", "All evidence sentences"),
    "evidence_for": ("证据：", "Evidence for "),
    "source": ("来源文章", "Source article"),
    "date": ("日期", "Date"),
    "first_stated": ("首次", "First stated"),
    "last_stated": ("最近", "Last stated"),
    "no_evidence": ("没有证据句子。", "No evidence sentences."),
    "neighbourhood": ("关系网络", "Network"),
    "network_note": ("点击节点打开其页面；点击连线查看支持它的句子；可拖动和缩放。",
                     "Click a node to open its page, a link to see the sentences behind it; drag and zoom."),
    "network_cut": ("仅显示前 {n} 条关系", "showing the first {n} links"),
    "property": ("属性", "Property"),
    "value": ("值", "Value"),
    "subject": ("主语", "Subject"),
    "relation": ("关系", "Relation"),
    "name": ("名称", "Name"),
    "posts": ("职务", "Posts"),
    "post": ("职务", "Post"),
    "holder": ("任职者", "Held by"),
    "body": ("机构", "Body"),
    "person": ("人物", "Person"),
    "people": ("人物", "People"),
    "bodies": ("机构", "Bodies"),
    "events": ("活动", "Events"),
    "agreements": ("协议", "Agreements"),
    "places": ("地点", "Places"),
    "initiatives": ("治理举措", "Initiatives"),
    "articles": ("文章", "Articles"),
    "others": ("其他", "Other"),
    "n_sentences": ("{n} 句", "{n} sentences"),
    "back": ("返回首页", "Back to the start page"),
    "download": ("下载：", "Download:"),
    "none": ("（无）", "(none)"),
    "more": ("更多", "more"),
}

# zh/en names of the standard terms the ontology reuses without labelling them.
STANDARD = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": ("类型", "type"),
    "http://www.w3.org/2000/01/rdf-schema#label": ("名称", "label"),
    "http://www.w3.org/2004/02/skos/core#prefLabel": ("首选名称", "preferred name"),
    "http://www.w3.org/2004/02/skos/core#altLabel": ("别名", "alias"),
    "http://www.w3.org/2004/02/skos/core#inScheme": ("所属词表", "in scheme"),
    "http://www.w3.org/2004/02/skos/core#Concept": ("概念", "concept"),
    "http://www.w3.org/ns/prov#wasDerivedFrom": ("证据来源", "derived from"),
    "http://www.w3.org/ns/prov#used": ("使用", "used"),
    "http://www.w3.org/ns/prov#startedAtTime": ("开始时间", "started"),
    "http://www.w3.org/ns/prov#endedAtTime": ("结束时间", "ended"),
    "http://www.w3.org/ns/prov#Activity": ("活动（溯源）", "activity"),
    "http://www.w3.org/ns/prov#Entity": ("实体（溯源）", "entity"),
    "http://www.w3.org/ns/org#heldBy": ("任职者", "held by"),
    "http://www.w3.org/ns/org#holds": ("担任", "holds"),
    "http://www.w3.org/ns/org#postIn": ("所在机构", "post in"),
    "http://www.w3.org/ns/org#subOrganizationOf": ("上级机构", "sub-organization of"),
    "http://www.w3.org/ns/org#Organization": ("机构", "organization"),
    "http://www.w3.org/ns/org#Post": ("职务", "post"),
    "http://www.w3.org/ns/org#Membership": ("成员关系", "membership"),
    "http://purl.org/dc/terms/date": ("日期", "date"),
    "http://purl.org/dc/terms/title": ("标题", "title"),
    "http://purl.org/dc/terms/identifier": ("标识", "identifier"),
    "http://purl.org/dc/terms/source": ("来源", "source"),
    "http://purl.org/dc/terms/isPartOf": ("属于", "part of"),
    "http://purl.org/dc/terms/hasPart": ("包含", "has part"),
    "http://purl.org/dc/terms/subject": ("主题", "subject"),
    "http://www.w3.org/ns/oa#exact": ("原文", "exact text"),
    "http://www.w3.org/ns/oa#start": ("起始偏移", "start offset"),
    "http://www.w3.org/ns/oa#end": ("结束偏移", "end offset"),
    "http://www.w3.org/ns/oa#TextQuoteSelector": ("引文选择器", "text quote selector"),
    "http://www.w3.org/ns/oa#TextPositionSelector": ("位置选择器", "text position selector"),
    "http://www.w3.org/2006/time#hasTime": ("时间", "time"),
    "http://www.w3.org/2006/time#inDateTime": ("日期时间", "in date-time"),
    "http://www.w3.org/2006/time#inXSDDate": ("日期", "date"),
    "http://www.w3.org/2006/time#year": ("年", "year"),
    "http://www.w3.org/2006/time#month": ("月", "month"),
    "http://www.w3.org/2006/time#day": ("日", "day"),
    "http://www.w3.org/2006/time#unitType": ("时间单位", "unit"),
    "http://www.w3.org/2006/time#unitDay": ("日", "day"),
    "http://www.w3.org/2006/time#Instant": ("时刻", "instant"),
    "http://www.w3.org/2006/time#DateTimeDescription": ("日期描述", "date-time description"),
    "http://data.europa.eu/m8g/PublicOrganisation": ("公共机构", "public organisation"),
}
for _local, _names in {"Person": ("人物", "person"), "Place": ("地点", "place"), "Event": ("活动", "event"),
                       "NewsArticle": ("新闻文章", "news article"), "QuantitativeValue": ("数值", "quantity"),
                       "CreativeWork": ("作品", "creative work"), "location": ("地点", "location"),
                       "author": ("记者", "author"), "publisher": ("媒体", "publisher"),
                       "isPartOf": ("所在文档", "part of"), "headline": ("标题", "headline"),
                       "name": ("名称", "name"), "value": ("数值", "value"),
                       "unitText": ("单位", "unit")}.items():
    for _base in ("https://schema.org/", "http://schema.org/"):
        STANDARD[_base + _local] = _names


def t(key: str, lang: str, **values) -> str:
    zh, en = TEXT[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text


def lang_of(request) -> str:
    chosen = request.query_params.get("lang")
    if chosen in ("zh", "en"):
        return chosen
    accept = (request.headers.get("accept-language") or "").lower()
    return "en" if accept.startswith("en") else "zh"


@functools.lru_cache(maxsize=1)
def ontology_labels() -> dict[str, dict[str, str]]:
    """{term IRI: {"zh": label, "en": label}} from ontology/*.ttl (empty when not shipped)."""
    from pyoxigraph import Literal, RdfFormat, parse

    from ..resources import project_dir

    folder = project_dir("ontology", "*.ttl")
    out: dict[str, dict[str, str]] = {iri: {"zh": zh, "en": en} for iri, (zh, en) in STANDARD.items()}
    for path in sorted(folder.glob("*.ttl")) if folder else []:
        with open(path, "rb") as f:
            for q in parse(f, format=RdfFormat.TURTLE):
                if (q.predicate.value == "http://www.w3.org/2000/01/rdf-schema#label"
                        and isinstance(q.object, Literal) and q.object.language in ("zh", "en")):
                    out.setdefault(q.subject.value, {})[q.object.language] = q.object.value
    return out


def term_label(iri: str, lang: str) -> str | None:
    """The vocabulary term's name in ``lang`` (else the other language), None if unknown."""
    names = ontology_labels().get(iri)
    if not names:
        return None
    return names.get(lang) or names.get("en" if lang == "zh" else "zh")


def short(iri: str) -> str:
    """The last segment of an IRI (what is left when nothing names it)."""
    for sep in ("#", "/"):
        if sep in iri.rstrip(sep):
            return iri.rstrip(sep).rsplit(sep, 1)[1] or iri
    return iri


XSD = "http://www.w3.org/2001/XMLSchema#"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_PARTIAL = {"gMonthDay": re.compile(r"^--(\d\d)-(\d\d)"), "gMonth": re.compile(r"^--(\d\d)"),
            "gDay": re.compile(r"^---(\d\d)"), "gYearMonth": re.compile(r"^(-?\d{4,})-(\d\d)")}


def literal_text(value: str, datatype: str | None, lang: str) -> str:
    """A literal as a reader writes it: gMonthDay ``--10-29`` → 10月29日 / Oct 29, gMonth,
    gDay and gYearMonth likewise; every other literal unchanged."""
    kind = (datatype or "").removeprefix(XSD)
    m = _PARTIAL.get(kind) and _PARTIAL[kind].match(value)
    if not m:
        return value
    if kind == "gDay":
        return f"{int(m.group(1))}日" if lang == "zh" else f"day {int(m.group(1))}"
    month = int(m.group(2 if kind == "gYearMonth" else 1))
    if not 1 <= month <= 12:
        return value
    if kind == "gMonthDay":
        day = int(m.group(2))
        return f"{month}月{day}日" if lang == "zh" else f"{MONTHS[month - 1]} {day}"
    if kind == "gMonth":
        return f"{month}月" if lang == "zh" else MONTHS[month - 1]
    return f"{m.group(1)}年{month}月" if lang == "zh" else f"{MONTHS[month - 1]} {m.group(1)}"
