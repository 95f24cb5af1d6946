"""The hanlp-restful backend against a local HTTP server speaking HanLP's protocol."""
from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import pytest

pytest.importorskip("hanlp_restful", reason="needs the restful extra: pip install 'kg[restful]'")

from kg.annotate import annotate, get_backend  # noqa: E402
from kg.annotate.restful import RestfulBackend  # noqa: E402
from kg.errors import BackendError  # noqa: E402
from kg.read import read_text  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "restful_server", Path(__file__).parent / "fixtures" / "restful" / "server.py")
server_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(server_mod)

SIGN = "市大数据发展局与星河信息科技有限公司签署战略合作协议。"
CHAIR = "2024年3月5日，王建华主持召开城市治理专题会议。"
SPEAK = "青州市副市长李晓梅出席仪式并讲话。"


@pytest.fixture
def server():
    with server_mod.fake_hanlp(auth="secret") as srv:
        yield srv


def backend(server, **kw) -> RestfulBackend:
    return RestfulBackend(url=server.url, auth=kw.pop("auth", "secret"), backoff=0, **kw)


def quote(text, span):
    return text[span[0]:span[1]]


def test_restful_maps_ner_to_labels_in_char_offsets(server):
    [sign, chair, speak] = backend(server).analyze([SIGN, CHAIR, SPEAK])
    assert [(quote(SIGN, m), m[2]) for m in sign.mentions] == [
        ("市大数据发展局", "ORG"), ("星河信息科技有限公司", "ORG")]
    assert [(quote(CHAIR, m), m[2]) for m in chair.mentions] == [
        ("2024年3月5日", "TIME"), ("王建华", "PERSON")]
    assert [(quote(SPEAK, m), m[2]) for m in speak.mentions] == [
        ("青州市", "PLACE"), ("李晓梅", "PERSON")]


def test_restful_maps_ctb_pos_to_lac_tags(server):
    [sign] = backend(server).analyze([SIGN])
    tags = {quote(SIGN, t): t[2] for t in sign.tokens}
    assert tags["签署"] == "v" and tags["协议"] == "n" and tags["与"] == "c" and tags["。"] == "w"
    assert tags["星河"] == "ORG"  # inside an ORG name, as LAC tags it


def test_restful_srl_frames_in_char_offsets(server):
    [sign, chair, speak] = backend(server).analyze([SIGN, CHAIR, SPEAK])
    [frame] = sign.srl
    assert {k: quote(SIGN, v) for k, v in frame.items()} == {
        "predicate": "签署", "ARG0": "市大数据发展局与星河信息科技有限公司", "ARG1": "战略合作协议"}
    assert [quote(CHAIR, f["predicate"]) for f in chair.srl] == ["主持", "召开"]
    assert quote(CHAIR, chair.srl[0]["ARGM-TMP"]) == "2024年3月5日"
    assert [quote(SPEAK, f["predicate"]) for f in speak.srl] == ["出席", "讲话"]


def test_restful_end_to_end_annotate(server):
    doc = read_text(f"{SIGN}{CHAIR}\n\n{SPEAK}\n", "t.txt")
    annotate(doc, get_backend("hanlp-restful", url=server.url, auth="secret"))
    names = {(m.text, m.label) for s in doc.sentences for m in s.mentions if m.source == "hanlp-restful"}
    assert {("星河信息科技有限公司", "ORG"), ("王建华", "PERSON"), ("李晓梅", "PERSON")} <= names
    frames = [f for s in doc.sentences for f in s.srl]
    assert [doc.text[slice(*f["predicate"])] for f in frames] == ["签署", "主持", "召开", "出席", "讲话"]
    assert doc.text[slice(*frames[0]["ARG1"])] == "战略合作协议"
    assert doc.provenance["backend"] == "hanlp-restful" and server.url in doc.provenance["version"]
    assert server.requests[0]["tasks"] == ["tok/fine", "pos/ctb", "ner/msra", "srl", "dep"]


def test_restful_url_and_key_from_environment(server, monkeypatch):
    monkeypatch.setenv("HANLP_URL", server.url)
    monkeypatch.setenv("HANLP_AUTH", "secret")
    [an] = RestfulBackend(backoff=0).analyze([SPEAK])
    assert an.mentions


@pytest.mark.parametrize("key", ["wrong", ""])
def test_restful_authentication_failure_is_clear_and_not_retried(server, key):
    with pytest.raises(BackendError, match="refused the key .HTTP 401") as err:
        backend(server, auth=key, retries=3).analyze([SIGN])
    assert "HANLP_AUTH" in err.value.hint
    assert len(server.requests) == 1


def test_restful_retries_server_errors(server):
    server.fail = 2
    b = backend(server, retries=3)
    assert b.analyze([SIGN])[0].mentions
    assert b.requests == 3


def test_restful_gives_up_after_retries(server):
    server.fail = 10
    with pytest.raises(BackendError, match="HTTP 503"):
        backend(server, retries=1).analyze([SIGN])
    assert len(server.requests) == 2


def test_restful_unreachable_server_fails_fast():
    started = time.perf_counter()
    with pytest.raises(BackendError, match="unreachable"):
        RestfulBackend(url="http://127.0.0.1:9", retries=1, backoff=0, timeout=2).analyze([SIGN])
    assert time.perf_counter() - started < 5


def test_restful_batches_long_documents(server):
    texts = [SIGN, CHAIR, SPEAK] * 4
    one = backend(server).analyze(texts)
    b = backend(server, max_chars=60)
    assert b.analyze(texts) == one
    assert b.requests > 1
    assert all(sum(map(len, r["text"])) <= 60 for r in server.requests[1:])


def test_restful_cuts_a_sentence_longer_than_a_request(server):
    long = "甲乙丙丁，" * 30 + "。"
    [an] = backend(server, max_chars=40).analyze([long])
    assert [t[:2] for t in an.tokens] == [(i, i + 1) for i in range(len(long))]
    assert all(len(s) <= 40 for r in server.requests for s in r["text"])


def test_restful_blank_sentences_are_not_sent(server):
    assert [a.tokens for a in backend(server).analyze(["", "  "])] == [[], []]
    assert server.requests == []
