"""Incremental builds (kg/manifest.py): a re-run rebuilds only new and changed files, reuses the
other shards, drops the documents of files that are gone, and equals a clean build byte for byte.
Also: the same sources give the same bytes across Python hash seeds.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import kg
from kg import manifest
from kg.build import BuildOptions, build
from kg.store import open_store
from test_build import QUIET, fake_pipeline, real_pipeline, write  # noqa: F401 - stand-in pipeline

TESTS = Path(__file__).resolve().parent
CONTENT = ("graph.trig", "graph.ttl")


@pytest.fixture
def read_calls(fake_pipeline, monkeypatch):
    """The files the stand-in reader was asked to read (the build runs in this process)."""
    calls = []
    read = sys.modules["kg.read"].read_file
    monkeypatch.setattr(sys.modules["kg.read"], "read_file", lambda p: calls.append(Path(p).name) or read(p))
    return calls


def content(out: Path) -> dict[str, bytes]:
    files = {n: (out / n).read_bytes() for n in CONTENT}
    files.update({f"shards/{p.name}": p.read_bytes() for p in sorted((out / "shards").iterdir())})
    return files


def store_quads(out: Path) -> set[str]:
    """The store's quads but the build metadata (its graph's name ends in /build)."""
    return {str(q) for q in open_store(out) if not q.graph_name.value.endswith("/build")}


def stats(out: Path) -> dict:
    return json.loads((out / "stats.json").read_text(encoding="utf-8"))


def test_incremental_rerun_equals_clean_build(tmp_path, read_calls):
    src, out = write(tmp_path / "src", {"a.txt": "张三", "b.txt": "王五", "c.txt": "李四 赵六"}), tmp_path / "out"
    build([src], out, QUIET)
    first_inode = (out / "shards/c.txt.nq").stat().st_ino
    read_calls.clear()
    write(src, {"a.txt": "张三 孙七", "d.txt": "周八"})  # a changed, d new, b removed, c unchanged
    (src / "b.txt").unlink()
    result = build([src], out, QUIET)
    assert sorted(read_calls) == ["a.txt", "d.txt"]
    assert stats(out)["files"] == {"reused": ["c.txt"], "removed": ["b.txt"], "changed": ["a.txt"], "new": ["d.txt"]}
    assert "reused 1, rebuilt 2 (1 changed, 1 new), removed 1" in result.summary()
    assert (out / "shards/c.txt.nq").stat().st_ino == first_inode  # hard-linked, not rebuilt
    assert stats(out)["documents"]["c.txt"]["reused"] is True
    clean = tmp_path / "clean"
    build([src], clean, QUIET)
    assert content(out) == content(clean)
    assert store_quads(out) == store_quads(clean)
    assert {k: v for k, v in stats(out).items() if k in ("triples", "quads", "classes", "chars")} == \
           {k: v for k, v in stats(clean).items() if k in ("triples", "quads", "classes", "chars")}


def test_incremental_unchanged_rerun_builds_nothing(tmp_path, read_calls):
    src, out = write(tmp_path / "src", {"a.txt": "张三", "b.txt": "王五"}), tmp_path / "out"
    build([src], out, BuildOptions(workers=2, progress=False))
    before = content(out)
    read_calls.clear()
    result = build([src], out, BuildOptions(workers=2, progress=False))
    assert read_calls == [] and result.exit_code == 0
    assert stats(out)["files"] == {"reused": ["a.txt", "b.txt"], "removed": []}
    assert content(out) == before


@pytest.mark.parametrize("change", ["rebuild-flag", "code", "data", "backend-options"])
def test_incremental_version_key_change_rebuilds_all(tmp_path, read_calls, monkeypatch, change):
    src, out = write(tmp_path / "src", {"a.txt": "张三", "b.txt": "王五"}), tmp_path / "out"
    build([src], out, QUIET)
    read_calls.clear()
    options = BuildOptions(workers=1, progress=False)
    if change == "rebuild-flag":
        options.rebuild = True
    elif change == "backend-options":
        options.nlp_options = {"model": "other"}
    else:
        found = dict(manifest._code_versions(), **{f"kg-{change}": "0" * 64})
        monkeypatch.setattr(manifest, "_code_versions", lambda: found)
    build([src], out, options)
    assert sorted(read_calls) == ["a.txt", "b.txt"]
    reason = "forced" if change == "rebuild-flag" else "outdated"
    assert stats(out)["files"] == {"reused": [], "removed": [], reason: ["a.txt", "b.txt"]}


def test_incremental_file_now_failing_is_dropped(tmp_path, read_calls):
    src, out = write(tmp_path / "src", {"a.txt": "张三", "b.txt": "王五"}), tmp_path / "out"
    build([src], out, QUIET)
    write(src, {"b.txt": "BROKEN"})
    result = build([src], out, QUIET)
    assert [e.path for e in result.errors] == [str(src / "b.txt")]
    assert sorted(stats(out)["documents"]) == ["a.txt"]
    assert sorted(json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]) == ["a.txt"]
    write(src, {"b.txt": "王五"})  # fixed: built again, not taken from an older generation
    read_calls.clear()
    build([src], out, QUIET)
    assert read_calls == ["b.txt"]


def test_manifest_records_hash_and_versions(tmp_path, fake_pipeline):
    src, out = write(tmp_path / "src", {"a.txt": "张三"}), tmp_path / "out"
    build([src], out, BuildOptions(workers=1, progress=False, nlp_options={"auth": "secret-token"}))
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entry = data["files"]["a.txt"]
    assert entry["sha256"] == manifest.file_hash(src / "a.txt") and entry["key"] == data["key"]
    assert entry["shard"] == "shards/a.txt.nq" and entry["outcome"]["quads"] == 3
    assert {"kg", "kg-code", "kg-data", "backend", "backend-options", "rdflib"} <= set(data["versions"])
    assert "secret-token" not in (out / "manifest.json").read_text(encoding="utf-8")


def test_stats_quads_count_lines_not_a_trailing_blank(tmp_path, fake_pipeline):
    src, out = write(tmp_path / "src", {"a.txt": "张三 李四"}), tmp_path / "out"
    build([src], out, QUIET)
    text = (out / "shards/a.txt.nq").read_text(encoding="utf-8")
    assert text.endswith(" .\n") and "\n\n" not in text
    assert stats(out)["documents"]["a.txt"]["quads"] == len(text.splitlines()) == stats(out)["quads"] == 5


# ------------------------------------------------------------------ same bytes across hash seeds

SEEDED = textwrap.dedent("""
    import sys, types
    sys.path.insert(0, {tests!r})
    import rdflib
    import test_build as tb
    import kg.build as kb
    def dataset(doc):  # adds in set order: differs with the hash seed unless outputs are sorted
        ds = rdflib.Dataset()
        ds.bind("ex", tb.EX)
        g = ds.graph(tb.EX["doc/" + doc.id])
        for name in set(doc.text.split()):
            g.add((tb.EX["person/" + name], rdflib.RDFS.label, rdflib.Literal(name, lang="zh")))
            ds.graph(tb.EX.shared).add((tb.EX["person/" + name], rdflib.RDF.type, tb.SCHEMA.Person))
        return ds
    stand_ins = dict(tb.STAND_INS, **{{"kg.map": dict(tb.STAND_INS["kg.map"], document_dataset=dataset)}})
    for name, funcs in stand_ins.items():
        sys.modules[name] = types.SimpleNamespace(__name__=name, **funcs)
    for attr, (module, name) in tb.BUILD_IMPORTS.items():
        setattr(kb, attr, tb._forward(module, name))
    kb.build([sys.argv[1]], sys.argv[2], kb.BuildOptions(workers=2, progress=False))
""")


def _build_with_seed(seed: int, src: Path, out: Path, code: str | None = None) -> None:
    env = dict(os.environ, PYTHONHASHSEED=str(seed))
    args = ["-c", code, str(src), str(out)] if code else ["-m", "kg", "build", str(src), "--out", str(out), "-q"]
    subprocess.run([sys.executable, *args], env=env, check=True, capture_output=True, timeout=600)


def _exports(out: Path) -> dict[str, bytes]:
    return {fmt: kg.export(out, fmt) for fmt in ("ttl", "nt", "trig", "nq", "jsonld")}


def test_same_sources_same_bytes_across_hash_seeds(tmp_path):
    words = " ".join(f"人{i}" for i in range(40))
    src = write(tmp_path / "src", {"a.txt": words, "b.txt": words[::-1], "c.txt": "张三 李四 王五"})
    code = SEEDED.format(tests=str(TESTS))
    _build_with_seed(1, src, tmp_path / "one", code)
    _build_with_seed(2, src, tmp_path / "two", code)
    assert content(tmp_path / "one") == content(tmp_path / "two")
    assert _exports(tmp_path / "one") == _exports(tmp_path / "two")
    assert (tmp_path / "one/metadata.trig").read_bytes() != b""  # times differ: kept apart


@pytest.mark.slow
@real_pipeline
def test_same_bytes_across_hash_seeds_real_pipeline(tmp_path, repo_root):
    dev = sorted((repo_root.parent / "shared" / "eval" / "dev").glob("*.md"))[:3]
    if not dev:
        pytest.skip("no dev articles in ../shared/eval/dev")
    src = tmp_path / "src"
    src.mkdir()
    for f in [*sorted((repo_root / "seeds").glob("*.txt")), *dev]:
        (src / f.name).write_bytes(f.read_bytes())
    _build_with_seed(1, src, tmp_path / "one")
    _build_with_seed(2, src, tmp_path / "two")
    assert content(tmp_path / "one") == content(tmp_path / "two")
    assert _exports(tmp_path / "one") == _exports(tmp_path / "two")


@pytest.mark.slow
@real_pipeline
def test_incremental_real_pipeline_equals_clean_build(tmp_path, repo_root):
    dev = sorted((repo_root.parent / "shared" / "eval" / "dev").glob("*.md"))[:4]
    if len(dev) < 4:
        pytest.skip("needs four dev articles in ../shared/eval/dev")
    src, out, clean = tmp_path / "src", tmp_path / "out", tmp_path / "clean"
    src.mkdir()
    for f in dev[:3]:
        (src / f.name).write_bytes(f.read_bytes())
    options = BuildOptions(workers=2, progress=False)
    build([src], out, options)
    (src / dev[0].name).write_text(dev[0].read_text(encoding="utf-8") + "\n会议由市长主持。\n", encoding="utf-8")
    (src / dev[1].name).unlink()
    (src / dev[3].name).write_bytes(dev[3].read_bytes())
    build([src], out, options)
    assert stats(out)["files"] == {"reused": [dev[2].name], "removed": [dev[1].name],
                                   "changed": [dev[0].name], "new": [dev[3].name]}
    build([src], clean, options)
    assert content(out) == content(clean)
    assert store_quads(out) == store_quads(clean)
