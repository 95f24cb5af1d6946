"""kg.folder and kg.build: a build folder is always one whole build.

Builds are staged in BUILD/.builds/<id>/ and switched in by one rename of BUILD/current; a
failed, interrupted or SIGKILLed build leaves the previous build whole; leftovers are cleaned
by the next build; an old-layout folder is migrated. The stand-in pipeline of test_build.py
keeps these fast; the kill tests run the build in a child process that really dies.
"""
from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import rdflib

import kg
from kg import folder
from kg.build import BuildOptions, build
from kg.errors import BuildError
from kg.store import build_id, load_store, open_store, read_quads, serialize
from test_build import EX, QUIET, fake_pipeline, write  # noqa: F401 - the stand-in pipeline fixture

TESTS = Path(__file__).resolve().parent


def doc_graphs(out: Path) -> dict[str, set[str]]:
    """The documents each output of ``out`` says the build holds (they must all agree)."""
    trig = rdflib.Dataset().parse(out / "graph.trig", format="trig")
    stats = json.loads((out / "stats.json").read_text(encoding="utf-8"))
    store = {g.value for g in open_store(out).named_graphs()} - {str(EX.build)}
    meta = rdflib.Dataset().parse(out / "metadata.trig", format="trig")
    return {"graph.trig": {str(g.identifier).rsplit("/", 1)[1] for g in trig.graphs() if len(g)},
            "stats.json": set(stats["documents"]),
            "store": {g.rsplit("/", 1)[1] for g in store},
            "shards": {p.name[:-3] for p in (out / "shards").iterdir()},
            "manifest": set(json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]),
            "metadata": {str(q[2]) for q in meta.quads((EX.build, EX.source, None, None))}}


def assert_one_build(out: Path, docs: set[str]) -> None:
    found = doc_graphs(out)
    assert found == {k: docs for k in found}, found
    assert "conforms" in (out / "report.txt").read_text(encoding="utf-8")


def assert_clean(out: Path) -> None:
    """Only the current and the previous generation, no temporary or staging leftovers."""
    keep = {Path(os.readlink(out / n)).name for n in ("current", ".previous") if (out / n).is_symlink()}
    assert {p.name for p in (out / ".builds").iterdir()} == keep
    assert [p.name for p in out.rglob("*") if ".tmp" in p.name or ".old-" in p.name] == []


# ------------------------------------------------------------------ layout


def test_folder_layout_links_into_current_generation(tmp_path, fake_pipeline):
    build([write(tmp_path / "src", {"a.txt": "张三"})], tmp_path / "out", QUIET)
    out = tmp_path / "out"
    assert os.readlink(out / "current") == f".builds/{build_id(out)}"
    for name in ("graph.trig", "graph.ttl", "metadata.trig", "shards", "store", "report.ttl",
                 "report.txt", "stats.json", "manifest.json", "search.sqlite", "resolution.json"):
        assert os.readlink(out / name) == f"current/{name}", name
        assert (out / name).exists(), name
    assert json.loads((out / "stats.json").read_text())["build"] == build_id(out)


def test_folder_build_id_changes_previous_kept_older_removed(tmp_path, fake_pipeline):
    src, out = write(tmp_path / "src", {"a.txt": "张三"}), tmp_path / "out"
    assert build_id(out) is None
    ids = []
    for text in ("张三", "李四", "王五"):
        write(src, {"a.txt": text})
        build([src], out, QUIET)
        ids.append(build_id(out))
    assert len(set(ids)) == 3
    assert Path(os.readlink(out / ".previous")).name == ids[1]
    assert {p.name for p in (out / ".builds").iterdir()} == set(ids[1:])


def test_folder_without_validation_has_no_report_link(tmp_path, fake_pipeline):
    src, out = write(tmp_path / "src", {"a.txt": "张三"}), tmp_path / "out"
    build([src], out, QUIET)
    build([src], out, BuildOptions(workers=1, progress=False, validate=False))
    assert not (out / "report.txt").exists() and not (out / "report.txt").is_symlink()
    assert (out / ".previous" / "report.txt").is_file()  # the previous build keeps its own


# ------------------------------------------------------------------ failures never switch


def _fail_validation(monkeypatch, error):
    def fail(*args, **kwargs):
        raise error
    monkeypatch.setattr(sys.modules["kg.validate"], "validate", fail)


@pytest.mark.parametrize("how", ["nothing-built", "exception", "interrupt"])
def test_folder_failed_build_keeps_previous_whole(tmp_path, fake_pipeline, monkeypatch, how):
    src, out = write(tmp_path / "src", {"a.txt": "张三", "b.txt": "王五"}), tmp_path / "out"
    build([src], out, QUIET)
    before = build_id(out)
    if how == "nothing-built":  # every file fails now: the previous shards must survive
        write(src, {"a.txt": "BROKEN", "b.txt": "BROKEN"})
        expected = BuildError
    else:
        write(src, {"c.txt": "赵六"})
        expected = OSError if how == "exception" else KeyboardInterrupt
        _fail_validation(monkeypatch, OSError("disk full") if how == "exception" else KeyboardInterrupt())
    with pytest.raises(expected):
        build([src], out, QUIET)
    assert build_id(out) == before
    assert_one_build(out, {"a.txt", "b.txt"})
    assert_clean(out)


def test_folder_second_concurrent_build_is_refused(tmp_path, fake_pipeline):
    src, out = write(tmp_path / "src", {"a.txt": "张三"}), tmp_path / "out"
    out.mkdir()
    with open(out / ".lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(BuildError, match="another kg build"):
            build([src], out, QUIET)
    build([src], out, QUIET)  # released: builds


def test_folder_next_build_removes_leftovers(tmp_path, fake_pipeline):
    src, out = write(tmp_path / "src", {"a.txt": "张三"}), tmp_path / "out"
    build([src], out, QUIET)
    stale = out / ".builds" / "20200101T000000000000Z-99999999"  # a killed build's staging
    (stale / "shards").mkdir(parents=True)
    (stale / "shards" / "x.txt.nq").write_text("")
    (out / ".store.tmp-4242").mkdir()
    (out / ".graph.trig.tmp-4242").write_text("half")
    build([src], out, QUIET)
    assert not stale.exists() and not (out / ".store.tmp-4242").exists()
    assert_clean(out)


def test_folder_old_layout_is_migrated_then_replaced(tmp_path, fake_pipeline):
    out = tmp_path / "out"
    (out / "shards").mkdir(parents=True)  # a build folder as kg made it before generations
    shard = out / "shards" / "old.txt.nq"
    shard.write_text(f"<{EX}x> <{EX}p> \"old\" <{EX}doc/old.txt> .\n", encoding="utf-8")
    quads = read_quads(shard)
    load_store(out, quads)
    serialize(quads, "trig", out / "graph.trig")
    (out / "stats.json").write_text(json.dumps({"documents": {"old.txt": {}}}))
    (out / ".store.tmp-77").mkdir()
    build([write(tmp_path / "src", {"a.txt": "张三"})], out, QUIET)
    assert_one_build(out, {"a.txt"})
    legacy = out / ".previous"
    assert os.readlink(legacy) == ".builds/legacy" and (legacy / "shards" / "old.txt.nq").is_file()
    assert_clean(out)


def test_folder_migrate_resumes_after_interruption(tmp_path):
    out = tmp_path / "out"
    (out / "store").mkdir(parents=True)
    (out / "stats.json").write_text("{}")
    (out / ".builds" / "legacy").mkdir(parents=True)
    (out / ".builds/legacy/graph.trig").write_text("")  # moved before the interruption
    folder.migrate(out)
    assert folder.current(out) == (out / ".builds/legacy").resolve()
    assert sorted(p.name for p in folder.current(out).iterdir()) == ["graph.trig", "stats.json", "store"]
    assert all((out / n).is_symlink() for n in ("graph.trig", "stats.json", "store"))


# ------------------------------------------------------------------ SIGKILL at each stage

CHILD = textwrap.dedent("""
    import os, signal, sys, types
    sys.path.insert(0, {tests!r})
    import test_build as tb
    import kg.build as kb, kg.folder, kg.manifest
    for name, funcs in tb.STAND_INS.items():
        sys.modules[name] = types.SimpleNamespace(__name__=name, **funcs)
    for attr, (module, name) in tb.BUILD_IMPORTS.items():
        setattr(kb, attr, tb._forward(module, name))
    stage = sys.argv[1]

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    def die_if(test, orig):
        def call(*args, **kwargs):
            if test(*args, **kwargs):
                die()
            return orig(*args, **kwargs)
        return call

    stand_in = {{"read": "read_file", "annotate": "annotate", "extract": "extract", "link": "link",
                 "map": "document_dataset", "merge": "serialize", "store": "_storing",
                 "validate": "_validation"}}
    if stage == "write":
        kb._write_shard = die
    elif stage == "stats":
        kb.write_atomic = die_if(lambda path, data: path.name == "stats.json", kb.write_atomic)
    elif stage == "manifest":
        kg.manifest.write = die
    elif stage == "switch":  # after .previous is written, before current is renamed
        kg.folder._link = die_if(lambda path, target: path.name == "current", kg.folder._link)
    elif stage == "merge-ttl":  # graph.trig staged, graph.ttl not yet
        kb.write = die_if(lambda merged, fmt, *a, **k: fmt == "ttl", kb.write)
    else:
        setattr(kb, stand_in[stage], die)
    kb.build([sys.argv[2]], sys.argv[3], kb.BuildOptions(workers=1, progress=False))
""")

KILL_STAGES = ["read", "annotate", "extract", "link", "map", "write", "merge", "merge-ttl", "store",
               "validate", "stats", "manifest", "switch"]


@pytest.mark.parametrize("stage", KILL_STAGES)
def test_folder_sigkill_at_each_stage_leaves_previous_build_whole(tmp_path, fake_pipeline, stage):
    src, out = write(tmp_path / "src", {"a.txt": "张三", "b.txt": "王五"}), tmp_path / "out"
    build([src], out, QUIET)
    before = build_id(out)
    write(src, {"c.txt": "赵六", "a.txt": "张三 李四"})
    (src / "b.txt").unlink()
    child = subprocess.run([sys.executable, "-c", CHILD.format(tests=str(TESTS)), stage, str(src), str(out)],
                           capture_output=True, text=True, timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert build_id(out) == before
    assert_one_build(out, {"a.txt", "b.txt"})
    assert kg.query(out, f"ASK {{ <{EX['person/李四']}> ?p ?o }}").rows == [(False,)]
    result = build([src], out, QUIET)  # the next build cleans up and shows the new sources
    assert result.exit_code == 0 and build_id(out) != before
    assert_one_build(out, {"a.txt", "c.txt"})
    assert_clean(out)
