"""HanLP RESTful backend (extra ``kg[restful]``): ``get_backend("hanlp-restful", url=..., auth=...)``.

Sends sentences to HanLP's API (or a self-hosted one) with ``hanlp_restful.HanLPClient``,
which posts JSON to ``{url}/parse`` and gets back a dict keyed by task (``tok/fine``,
``pos/ctb``, ``ner/msra``, ``srl``, ``dep``) with token offsets; the mapping onto our labels
and character offsets is the native backend's (``kg.annotate.hanlp.convert``), so both
backends give the same ``Analysis`` for the same HanLP output. No torch is needed.

Sentences go in batches of at most ``max_chars`` characters (one request each); a sentence
longer than that is cut at punctuation and its pieces' results are joined back. Failed
requests are retried (timeouts, connection errors, 429 and 5xx) with a growing pause;
401/403 fail at once with a message about the key.
"""
from __future__ import annotations

import os
import re
import time
from urllib.error import HTTPError, URLError

from kg.annotate import Analysis
from kg.annotate.hanlp import convert, make_analysis, split_batch
from kg.errors import BackendError

DEFAULT_URL = "https://www.hanlp.com/api"
TASKS = ["tok/fine", "pos/ctb", "ner/msra", "srl", "dep"]
_CUT = re.compile(r"(?<=[。！？；;!?，,、])")


class RestfulBackend:
    """``analyze(texts)`` through HanLP's RESTful API."""

    name = "hanlp-restful"

    def __init__(self, url: str | None = None, auth: str | None = None, *, timeout: float = 30,
                 retries: int = 3, backoff: float = 1.0, max_chars: int = 2000,
                 tasks: list[str] | None = None, language: str = "zh", ner: str | None = None):
        try:
            from hanlp_restful import HanLPClient
        except ImportError:
            raise BackendError("the hanlp-restful backend needs hanlp_restful, which is not installed",
                               hint="pip install 'kg[restful]'") from None
        self.url = (url or os.environ.get("HANLP_URL") or DEFAULT_URL).rstrip("/")
        auth = auth if auth is not None else os.environ.get("HANLP_AUTH") or None
        self.client = HanLPClient(self.url, auth=auth, language=language, timeout=timeout)
        self.retries, self.backoff, self.max_chars = retries, backoff, max_chars
        self.tasks, self.ner_key = list(tasks or TASKS), ner
        self.version = f"hanlp-restful {_version()}; {self.url}"
        self.provenance = {"backend": self.name, "url": self.url, "tasks": self.tasks}
        self.requests = 0  # how many requests were sent (for tests and stats)

    def analyze(self, texts: list[str]) -> list[Analysis]:
        pieces = [_cut(t, self.max_chars) for t in texts]
        flat = [p for ps in pieces for p in ps]
        results: list[dict] = []
        for batch in self._batches(flat):
            results += self._parse(batch)
        out, i = [], 0
        for text, ps in zip(texts, pieces):
            parts = [convert(p, d, ner_key=self.ner_key) for p, d in zip(ps, results[i:i + len(ps)])]
            out.append(_join(ps, parts))
            i += len(ps)
        return out

    def _batches(self, texts: list[str]):
        batch, size = [], 0
        for t in texts:
            if batch and size + len(t) > self.max_chars:
                yield batch
                batch, size = [], 0
            batch.append(t)
            size += len(t)
        if batch:
            yield batch

    def _parse(self, batch: list[str]) -> list[dict]:
        live = [t for t in batch if t.strip()]
        docs = iter(split_batch(dict(self._post(live)), len(live)) if live else [])
        return [next(docs) if t.strip() else {} for t in batch]

    def _post(self, sentences: list[str]):
        for attempt in range(self.retries + 1):
            try:
                self.requests += 1
                return self.client.parse(sentences, tasks=self.tasks)
            except HTTPError as e:
                if e.code in (401, 403):
                    raise BackendError(
                        f"HanLP API at {self.url} refused the key (HTTP {e.code})",
                        hint="Give a valid key with `kg build --nlp-option auth=KEY` or HANLP_AUTH; "
                             "leave it empty for anonymous access.") from None
                if e.code != 429 and e.code < 500 or attempt == self.retries:
                    raise BackendError(f"HanLP API at {self.url} answered HTTP {e.code}: "
                                       f"{_body(e)}") from None
            except (URLError, TimeoutError, ConnectionError, OSError) as e:
                if attempt == self.retries:
                    raise BackendError(f"HanLP API at {self.url} is unreachable after "
                                       f"{attempt + 1} attempts: {e}",
                                       hint="Check the URL (HANLP_URL) and the network.") from None
            time.sleep(self.backoff * 2 ** attempt)


def _cut(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut after punctuation if possible."""
    if len(text) <= limit:
        return [text]
    pieces, cur = [], ""
    for part in _CUT.split(text):
        for i in range(0, len(part), limit):
            chunk = part[i:i + limit]
            if len(cur) + len(chunk) > limit:
                pieces.append(cur)
                cur = ""
            cur += chunk
    return pieces + ([cur] if cur else [])


def _join(pieces: list[str], parts: list[Analysis]) -> Analysis:
    """The analyses of consecutive pieces of one text as one analysis of that text."""
    if len(parts) == 1:
        return parts[0]
    tokens, mentions, srl, off = [], [], [], 0
    for piece, an in zip(pieces, parts):
        tokens += [(s + off, e + off, p) for s, e, p in an.tokens]
        mentions += [(s + off, e + off, lab) for s, e, lab in an.mentions]
        srl += [{k: (v[0] + off, v[1] + off) for k, v in f.items()} for f in an.srl]
        off += len(piece)
    return make_analysis(tokens=tokens, mentions=mentions, srl=srl)


def _body(e: HTTPError) -> str:
    try:
        return (e.read() or b"").decode("utf-8", "replace")[:200] or str(e.reason)
    except Exception:
        return str(e.reason)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("hanlp-restful")
    except PackageNotFoundError:
        return "unknown"


def create(**options) -> RestfulBackend:
    return RestfulBackend(**options)
