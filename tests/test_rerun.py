"""What makes a re-run cost what changed: the store updated from the previous build's, the few
files to rebuild built in this process, the search index updated from the previous build's (a
first build writes it from an in-memory copy in a child process); each gives what a clean
build gives."""
from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.util

import kg.build as build_module
from kg.build import BuildOptions, build
from kg.search import write_index
from kg.store import diff_lines, diff_sorted, open_store
from test_build import QUIET, fake_pipeline, write  # noqa: F401 - stand-in pipeline
from test_search import index_content


def store_content(out: Path) -> tuple[set[str], set[str]]:
    """The store's quads (the build metadata, with its times, left out) and graph names."""
    store = open_store(out)
    quads = {str(q) for q in store if not str(q.graph_name).endswith("/build>")}
    return quads, {str(g) for g in store.named_graphs()}


def index_rows(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [line for line in db.iterdump() if "'build'" not in line]


@pytest.fixture
def calls(monkeypatch):
    """With how many workers the build built files."""
    seen = {"workers": []}
    run = build_module.run

    def noting_run(paths, shards, options):
        seen["workers"].append(options.workers)
        return run(paths, shards, options)

    monkeypatch.setattr(build_module, "run", noting_run)
    return seen


def store_made(out: Path, what: str = "store") -> str:
    """How the build in place made its store (its child process says): loaded or updated; or
    (``what="search"``) its search index: written or updated."""
    return json.loads((out / "stats.json").read_text(encoding="utf-8"))[what]


def test_rerun_updates_the_store_and_equals_a_clean_build(tmp_path, fake_pipeline, calls):
    files = {f"{n}.txt": f"人{n} 共同{n % 3}" for n in range(12)}
    src, out, clean = write(tmp_path / "src", files), tmp_path / "out", tmp_path / "clean"
    options = BuildOptions(workers=2, progress=False)
    build([src], out, options)
    assert store_made(out) == "loaded"
    write(src, {"3.txt": "人3 新人"})
    (src / "5.txt").unlink()
    build([src], out, options)
    assert store_made(out) == "updated", "the re-run loaded its store anew"
    assert calls["workers"] == [2, 1]  # one small changed file: built in this process
    build([src], clean, options)
    assert store_content(out) == store_content(clean)
    assert not any("5.txt" in g for g in store_content(out)[1])  # the removed file's graph went
    assert store_made(out, "search") == "updated", "the re-run wrote its search index anew"
    assert index_content(out / "search.sqlite") == index_content(clean / "search.sqlite")
    assert (out / "current/graph.nq").read_bytes() == (clean / "current/graph.nq").read_bytes()


def _counts(out: Path) -> tuple:
    """What stats.json counts (kg.store_child.store_counts), rows in order."""
    found = json.loads((out / "current/counts.json").read_text(encoding="utf-8"))
    return sorted(map(tuple, found["per_graph"])), sorted(map(tuple, found["classes"])), found["triples"]


def test_rerun_updates_the_counts_and_equals_a_clean_build(tmp_path, fake_pipeline):
    from kg.store_child import store_counts

    files = {f"{n}.txt": f"人{n} 共同{n % 3}" for n in range(24)}
    src, out, clean = write(tmp_path / "src", files), tmp_path / "out", tmp_path / "clean"
    build([src], out, QUIET)
    # a person named in a second document, a shared one no longer named here, a file gone
    write(src, {"2.txt": "人2 人4", "6.txt": "人6"})
    (src / "7.txt").unlink()
    build([src], out, QUIET)
    assert store_made(out) == "updated"
    build([src], clean, QUIET)
    assert _counts(out) == _counts(clean)
    rows = store_counts(open_store(out))
    assert _counts(out) == (sorted(rows["per_graph"]), sorted(rows["classes"]), rows["triples"])
    stats = [json.loads((o / "stats.json").read_text(encoding="utf-8")) for o in (out, clean)]
    assert [(s["triples"], s["classes"], {d: v["classes"] for d, v in s["documents"].items()})
            for s in stats] == [(stats[1]["triples"], stats[1]["classes"],
                                 {d: v["classes"] for d, v in stats[1]["documents"].items()})] * 2


def test_rerun_updates_the_search_index_and_finds_what_a_clean_build_finds(tmp_path, fake_pipeline):
    from kg.search import search

    files = {"a.txt": "甲一 乙二", "b.txt": "丙三 乙二", "c.txt": "丁四", "d.txt": "戊五 甲一",
             **{f"{n}.txt": f"人{n} 共同{n % 3}" for n in range(12)}}  # the update is small
    src, out, clean = write(tmp_path / "src", files), tmp_path / "out", tmp_path / "clean"
    build([src], out, QUIET)
    write(src, {"b.txt": "丙三 己六 庚七", "e.txt": "辛八 甲一"})  # a changed file, a new one
    (src / "c.txt").unlink()
    build([src], out, QUIET)
    assert (store_made(out), store_made(out, "search")) == ("updated", "updated")
    build([src], clean, QUIET)
    assert store_made(clean, "search") == "written"
    assert index_content(out / "search.sqlite") == index_content(clean / "search.sqlite")
    for text in ("甲一", "乙二", "丁四", "己六", "辛八", "甲", "七"):
        assert search(out, text) == search(clean, text), text
    assert not search(out, "丁四")["entities"]  # the removed file's only entity went


def test_rerun_that_changes_most_quads_loads_the_store_anew(tmp_path, fake_pipeline, calls):
    src, out = write(tmp_path / "src", {"a.txt": "张三", "b.txt": "王五"}), tmp_path / "out"
    build([src], out, QUIET)
    write(src, {"a.txt": "赵六 孙七 周八", "b.txt": "吴九 郑十"})
    build([src], out, QUIET)
    assert store_made(out) == "loaded"
    build([src], tmp_path / "clean", QUIET)
    assert store_content(out) == store_content(tmp_path / "clean")


def test_rerun_of_large_files_uses_the_workers(tmp_path, fake_pipeline, calls, monkeypatch):
    monkeypatch.setattr(build_module, "IN_PROCESS_BYTES", 10)
    src, out = write(tmp_path / "src", {"a.txt": "张三", "b.txt": "王五"}), tmp_path / "out"
    build([src], out, BuildOptions(workers=2, progress=False))
    write(src, {"a.txt": "张三 李四"})
    build([src], out, BuildOptions(workers=2, progress=False))
    assert calls["workers"] == [2, 2]


def test_diff_sorted_lines_and_unsorted_file(tmp_path):
    old, new, bad = tmp_path / "old.nq", tmp_path / "new.nq", tmp_path / "bad.nq"
    a, b, c = (f"<http://x/{n}> <http://x/p> \"{n}\" <http://x/g{g}> .\n" for n, g in
               (("a", 1), ("b", 1), ("c", 2)))
    old.write_text(a + b, encoding="utf-8")
    new.write_text(a + c, encoding="utf-8")
    bad.write_text(c + a, encoding="utf-8")  # graph g2 before g1
    diff = diff_sorted(old, new)
    assert (diff.added, diff.removed, diff.lines) == ([c], [b], 2)
    assert diff.graphs == {"<http://x/g1>", "<http://x/g2>"}
    assert diff_sorted(bad, new) is None and diff_sorted(old, bad) is None
    small = diff_lines(old, new)  # small files: compared as sets, the order does not matter
    assert (small.added, small.removed, small.lines, small.graphs) == ([c], [b], 2, None)
    assert (diff_lines(bad, new).added, diff_lines(bad, new).removed) == ([], [])  # the same lines


def test_index_from_memory_equals_index_from_disk(tmp_path, fake_pipeline):
    """Several labels of one entity: the display name does not depend on the store's order."""
    src, out = write(tmp_path / "src", {"a.txt": "张三 李四", "b.txt": "王五"}), tmp_path / "out"
    build([src], out, QUIET)
    memory = ox.Store()
    memory.bulk_load(path=str(out / "current/graph.nq"), format=ox.RdfFormat.N_QUADS)
    memory.bulk_load(path=str(out / "metadata.trig"), format=ox.RdfFormat.TRIG)
    extra = [ox.Quad(ox.NamedNode("http://example.org/person/张三"), ox.NamedNode(p), ox.Literal(v, language="zh"),
                     ox.NamedNode("http://example.org/g"))
             for p, v in (("http://www.w3.org/2000/01/rdf-schema#label", "甲"),
                          ("http://www.w3.org/2000/01/rdf-schema#label", "乙"))]
    memory.extend(extra)
    disk = ox.Store(str(tmp_path / "disk"))
    disk.bulk_extend(list(memory))
    write_index(memory, tmp_path / "m.sqlite")
    write_index(disk, tmp_path / "d.sqlite")
    assert index_rows(tmp_path / "m.sqlite") == index_rows(tmp_path / "d.sqlite")


def _killed(*args):
    import os

    os._exit(3)  # as the kernel's OOM killer would end it


def test_index_process_killed_is_a_build_error(tmp_path, fake_pipeline, monkeypatch):
    from kg.errors import BuildError

    src = write(tmp_path / "src", {"a.txt": "张三"})
    monkeypatch.setattr(build_module, "index_into", _killed)
    with pytest.raises(BuildError, match="search index stopped"):
        build([src], tmp_path / "out", QUIET)
    assert not (tmp_path / "out" / "stats.json").exists()


def test_rerun_reuses_the_resolved_lines_of_unchanged_documents(tmp_path, fake_pipeline):
    src, out = write(tmp_path / "src", {"a.txt": "甲一 乙二", "b.txt": "丙三"}), tmp_path / "out"
    build([src], out, QUIET)
    first = (out / "current").resolve()
    write(src, {"c.txt": "丁四"})
    build([src], out, QUIET)
    now = (out / "current").resolve()
    for name in ("a.txt.lines", "b.txt.lines"):  # linked from the previous generation, not rewritten
        assert (now / "resolved" / name).stat().st_ino == (first / "resolved" / name).stat().st_ino
    assert (now / "graph.nq").read_bytes() == clean_graph_nq(src, tmp_path)
    # a tool that loads every RDF file of a build folder (../shared/eval/score.py does) can:
    # the sort lines of resolved/ are not named like N-Quads
    for f in now.rglob("*"):
        fmt = rdflib.util.guess_format(str(f))
        if fmt in ("nquads", "nt", "trig", "turtle"):
            rdflib.Dataset().parse(f, format=fmt)


def clean_graph_nq(src: Path, tmp_path: Path) -> bytes:
    """graph.nq of a clean build of ``src``."""
    build([src], tmp_path / "clean", QUIET)
    return (tmp_path / "clean/current/graph.nq").read_bytes()


def test_rerun_after_a_correction_rewrites_the_documents_it_changes(tmp_path, fake_pipeline):
    src, out = write(tmp_path / "src", {"a.txt": "甲一 乙二", "b.txt": "丙三"}), tmp_path / "out"
    build([src], out, QUIET)
    before = (out / "current/graph.nq").read_bytes()
    # no source file changed, but 丙三 is now 甲一 in every document that names either
    write(src, {"corrections.yaml": "- same: [甲一, 丙三]\n  author: 研究者乙\n  date: 2026-02-01\n"})
    build([src], out, QUIET)
    after = (out / "current/graph.nq").read_bytes()
    assert after != before and "丙三".encode() in after  # the name stays, as an alias of 甲一
    assert after == clean_graph_nq(src, tmp_path)
