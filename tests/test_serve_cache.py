"""The answer cache of `kg serve`: kept answers, shared evaluations, ETags, the byte budget."""
from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("starlette")
pyoxigraph = pytest.importorskip("pyoxigraph")
from starlette.testclient import TestClient  # noqa: E402

from kg.serve import ServeOptions, create_app  # noqa: E402
from kg.serve.cache import AnswerCache, store_tag  # noqa: E402
from tests.test_serve import SELECT, make_store  # noqa: E402


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    build = make_store(tmp_path_factory.mktemp("build"))
    with TestClient(create_app(build, ServeOptions(workers=1, timeout=10))) as c:
        yield c


def test_serve_cache_second_request_is_a_hit_with_the_same_body(client):
    q = SELECT + " # first"
    r1 = client.get("/sparql", params={"query": q})
    r2 = client.get("/sparql", params={"query": q})
    assert (r1.headers["x-kg-cache"], r2.headers["x-kg-cache"]) == ("miss", "hit")
    assert r1.content == r2.content and r1.headers["etag"] == r2.headers["etag"]
    assert r2.headers["content-type"] == r1.headers["content-type"]
    assert "Accept" in r2.headers["vary"]


def test_serve_cache_keys_on_what_shapes_the_answer(client):
    q = SELECT + " # keys"
    json_ = client.get("/sparql", params={"query": q})
    csv = client.get("/sparql", params={"query": q}, headers={"accept": "text/csv"})
    other = client.get("/sparql", params={"query": q + "\n"})
    assert csv.headers["x-kg-cache"] == other.headers["x-kg-cache"] == "miss"
    assert csv.headers["content-type"].startswith("text/csv") and csv.content != json_.content
    assert len({json_.headers["etag"], csv.headers["etag"], other.headers["etag"]}) == 3
    post = client.post("/sparql", data={"query": q})  # the same operation by another binding
    assert post.headers["x-kg-cache"] == "hit" and post.content == json_.content
    same = client.get("/sparql", params={"query": q},  # JSON asked for in other words
                      headers={"accept": "application/sparql-results+json, */*;q=0.1"})
    assert same.headers["x-kg-cache"] == "hit" and same.content == json_.content


def test_serve_cache_if_none_match_is_304_without_body(client):
    q = SELECT + " # etag"
    tag = client.get("/sparql", params={"query": q}).headers["etag"]
    r = client.get("/sparql", params={"query": q}, headers={"if-none-match": f'"nope", W/{tag}'})
    assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == tag
    r = client.get("/sparql", params={"query": q}, headers={"if-none-match": '"other"'})
    assert r.status_code == 200 and r.headers["x-kg-cache"] == "hit"


def test_serve_cache_never_keeps_errors(client):
    for _ in range(2):
        r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
        assert r.status_code == 400 and "etag" not in r.headers and "x-kg-cache" not in r.headers


def test_serve_cache_off_when_zero_or_writable(tmp_path):
    build = make_store(tmp_path)
    for opts in (ServeOptions(workers=1, cache_mb=0), ServeOptions(workers=1, writable=True)):
        with TestClient(create_app(build, opts)) as c:
            r = c.get("/sparql", params={"query": SELECT})
            assert r.status_code == 200 and "x-kg-cache" not in r.headers and "etag" not in r.headers


def test_serve_cache_writable_answers_follow_updates(tmp_path):
    with TestClient(create_app(make_store(tmp_path), ServeOptions(workers=1, writable=True))) as c:
        ask = {"query": "ASK { <http://example.org/new> ?p ?o }"}
        assert c.get("/sparql", params=ask).json()["boolean"] is False
        r = c.post("/sparql", data={"update": "INSERT DATA { GRAPH <http://example.org/g> { "
                                              "<http://example.org/new> <http://example.org/p> 1 } }"})
        assert r.status_code == 200
        assert c.get("/sparql", params=ask).json()["boolean"] is True


def test_serve_cache_store_tag_follows_the_store_content(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = store_tag(str(make_store(tmp_path / "a") / "store"))
    assert one == store_tag(str(tmp_path / "a" / "store"))
    assert store_tag(None, b"<a> <b> <c> .") != store_tag(None, b"<a> <b> <d> .")
    from tests.test_serve import NQUADS

    other = store_tag(str(make_store(tmp_path / "b", NQUADS + '<http://x/a> <http://x/b> "c" <http://x/g> .\n')
                          / "store"))
    assert other != one


def _answer(body: bytes) -> tuple:
    return ("ok", "text/plain", body, {})


def test_serve_cache_one_evaluation_for_concurrent_requests():
    cache, calls = AnswerCache(2**20, "t"), []

    async def run():
        calls.append(1)
        await asyncio.sleep(0.05)
        return _answer(b"x" * 10)

    async def main():
        got = await asyncio.gather(*(cache.answer("k", run) for _ in range(5)))
        return got, await cache.answer("k", run)

    got, again = asyncio.run(main())
    assert len(calls) == 1
    assert sorted(how for _, how in got) == ["miss"] + ["shared"] * 4
    assert again == (_answer(b"x" * 10), "hit")
    assert (cache.hits, cache.misses, cache.shared) == (1, 1, 4)


def test_serve_cache_budget_least_recently_used_out_and_big_answers_not_kept():
    cache = AnswerCache(3000, "t")

    async def main():
        for key in ("a", "b", "c"):
            await cache.answer(key, _run(b"x" * 700))
        await cache.answer("a", _run(b""))            # a is used again: b is now the oldest
        await cache.answer("d", _run(b"x" * 700))     # over budget: b goes
        await cache.answer("big", _run(b"x" * 1600))  # over half the budget: sent, not kept
        await cache.answer("err", _err)

    def _run(body):
        async def run():
            return _answer(body)
        return run

    async def _err():
        return ("error", 503, "stopped")

    asyncio.run(main())
    assert set(cache._entries) == {"a", "c", "d"} and cache.bytes <= 3000


def test_serve_cache_failed_evaluation_reaches_every_waiter_and_is_not_kept():
    cache = AnswerCache(2**20, "t")

    async def boom():
        await asyncio.sleep(0.01)
        raise RuntimeError("worker pool closed")

    async def main():
        return await asyncio.gather(*(cache.answer("k", boom) for _ in range(3)), return_exceptions=True)

    got = asyncio.run(main())
    assert all(isinstance(g, RuntimeError) for g in got) and len(cache) == 0
