"""Every text of the pages in Chinese and English; ``?lang=`` or Accept-Language chooses."""
from __future__ import annotations

TEXT = {
    "title": ("智慧城市治理知识图谱", "Smart-city governance knowledge graph"),
    "intro": ("用 SPARQL 查询图谱；每个答案都可追溯到原文句子。",
              "Query the graph with SPARQL; every answer leads back to the sentence that says so."),
    "run": ("运行查询", "Run query"),
    "canned": ("常用查询", "Canned queries"),
    "results": ("结果", "Results"),
    "rows": ("行", "rows"),
    "error": ("错误", "Error"),
    "running": ("查询中…", "Running…"),
    "truncated": ("结果已截断", "results truncated"),
    "other_lang": ("English", "中文"),
    "endpoint_note": ("SPARQL 端点：/sparql（只读）", "SPARQL endpoint: /sparql (read-only)"),
    "entity": ("实体", "Entity"),
    "labels": ("名称", "Labels"),
    "types": ("类型", "Types"),
    "facts": ("事实", "Facts"),
    "incoming": ("指向此实体的事实", "Facts pointing here"),
    "evidence": ("证据句子", "Evidence sentences"),
    "source": ("来源文章", "Source article"),
    "no_evidence": ("没有证据句子。", "No evidence sentences."),
    "neighbourhood": ("邻域图", "Neighbourhood"),
    "property": ("属性", "Property"),
    "value": ("值", "Value"),
    "subject": ("主语", "Subject"),
    "back": ("返回查询", "Back to the query page"),
    "download": ("下载：", "Download:"),
    "none": ("（无）", "(none)"),
}


def t(key: str, lang: str) -> str:
    zh, en = TEXT[key]
    return zh if lang == "zh" else en


def lang_of(request) -> str:
    chosen = request.query_params.get("lang")
    if chosen in ("zh", "en"):
        return chosen
    accept = (request.headers.get("accept-language") or "").lower()
    return "en" if accept.startswith("en") else "zh"
