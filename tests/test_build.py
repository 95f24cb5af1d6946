"""kg.build: shards per document, atomic outputs, a bad file skipped, stats.json.

Most tests run the orchestration over a tiny stand-in pipeline (``fake_pipeline``), so they
test what kg/build.py does whatever the stages find; ``test_build_real_pipeline_*`` run the
real stages on a hand-written article.
"""
from __future__ import annotations

import dataclasses
import importlib
import json
import os
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import rdflib

import kg
from kg.build import BuildOptions, build

build_module = sys.modules["kg.build"]
from kg.document import Article, Document, Sentence
from kg.errors import BackendError, BuildError, ReadError
from kg.store import read_query

EX = rdflib.Namespace("http://example.org/kg/")
SCHEMA = rdflib.Namespace("https://schema.org/")


# ------------------------------------------------------------------ a stand-in pipeline


@dataclass
class FakeReport:
    conforms: bool
    results: list = field(default_factory=list)
    graph: rdflib.Graph = field(default_factory=rdflib.Graph)

    def count(self, severity):
        return len(self.results) if severity == "Violation" else 0

    def text(self, lang="both"):
        return "conforms / 符合" if self.conforms else "1 violation / 1 处违反"

    @property
    def exit_code(self):
        return 0 if self.conforms else 1

    def render(self, fmt="text", lang="both"):
        if fmt == "json":
            return json.dumps({"conforms": self.conforms, "results": self.results}) + "\n"
        return self.text(lang) + "\n"


def _read_file(path):
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if "BROKEN" in text:
        raise ReadError("cannot decode byte 0x81 at offset 3", path=str(path))
    doc = Document(path=str(path), id=path.name, text=text)
    doc.articles = [Article(0, len(text), sentences=[Sentence(0, len(text), text)])]
    return doc


def _document_dataset(doc):
    if "EXPLODE" in doc.text:
        raise RuntimeError("map failed on purpose")
    ds = rdflib.Dataset()
    ds.bind("ex", EX)
    ds.bind("schema", SCHEMA)
    g = ds.graph(EX[f"doc/{doc.id}"])
    g.add((EX[f"doc/{doc.id}"], rdflib.RDF.type, SCHEMA.NewsArticle))
    for i, name in enumerate(doc.text.split()):
        g.add((EX[f"person/{name}"], rdflib.RDF.type, SCHEMA.Person))
        g.add((EX[f"person/{name}"], rdflib.RDFS.label, rdflib.Literal(name, lang="zh")))
    return ds


def _metadata_graph(info):
    g = rdflib.Graph(identifier=EX.build)
    g.add((EX.build, EX.backend, rdflib.Literal(info["backend"])))
    assert {"kg", "python"} <= set(info["versions"]) and info["ended"] >= info["started"]
    for source in info["sources"]:
        g.add((EX.build, EX.source, rdflib.Literal(Path(source).name)))
    return g


def _validate(path, shapes=None, *, engine="pyshacl"):
    g = rdflib.Dataset()
    g.parse(path, format="trig")
    bad = any("VIOLATE" in str(q[2]) for q in g.quads((None, None, None, None)))
    return FakeReport(conforms=not bad, results=[{"focus": "x"}] if bad else [])


class _Backend:
    name = "fake"


def _get_backend(name="lac", **opts):
    if name != "lac":
        raise BackendError(f"unknown backend {name!r}")
    return _Backend()


def _iter_sources(paths):
    found = []
    for p in map(Path, paths):
        found += sorted(p.glob("*.txt")) if p.is_dir() else [p]
    return found


STAND_INS = {
    "kg.read": {"read_file": _read_file, "iter_sources": _iter_sources},
    "kg.annotate": {"get_backend": _get_backend, "annotate": lambda doc, backend, lexicon=None: doc},
    "kg.extract": {"extract": lambda doc: doc},
    "kg.link": {"link": lambda doc: doc},
    "kg.map": {"document_dataset": _document_dataset, "metadata_graph": _metadata_graph},
    "kg.validate": {"validate": _validate},
}


#: the stage functions kg/build.py imports: its name -> (stage module, function)
BUILD_IMPORTS = {"iter_sources": ("kg.read", "iter_sources"), "read_file": ("kg.read", "read_file"),
                 "get_backend": ("kg.annotate", "get_backend"), "annotate": ("kg.annotate", "annotate"),
                 "extract": ("kg.extract", "extract"), "link": ("kg.link", "link"),
                 "document_dataset": ("kg.map", "document_dataset"),
                 "metadata_graph": ("kg.map", "metadata_graph"), "validate_graph": ("kg.validate", "validate")}


def _forward(module: str, name: str):
    """Call ``sys.modules[module].name`` as it is at call time (tests swap modules there)."""
    def call(*args, **kwargs):
        return getattr(sys.modules[module], name)(*args, **kwargs)
    return call


@pytest.fixture
def fake_pipeline(monkeypatch):
    """Replace the stages by the stand-ins above (forked workers inherit them): in sys.modules,
    and the names kg/build.py imported from them look there at each call."""
    for name, funcs in STAND_INS.items():
        monkeypatch.setitem(sys.modules, name, types.SimpleNamespace(__name__=name, **funcs))
    for attr, (module, name) in BUILD_IMPORTS.items():
        monkeypatch.setattr(build_module, attr, _forward(module, name))


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


QUIET = BuildOptions(workers=1, progress=False)


# ------------------------------------------------------------------ orchestration


def test_build_one_shard_per_document(tmp_path, fake_pipeline):
    src = write(tmp_path / "src", {"a.txt": "张三 李四", "b.txt": "王五", "c.txt": "赵六"})
    result = build([src], tmp_path / "out", QUIET)
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "out/shards").iterdir()) == ["a.txt.nq", "b.txt.nq", "c.txt.nq"]
    for name in ("graph.trig", "graph.ttl", "report.ttl", "report.txt", "stats.json"):
        assert (tmp_path / "out" / name).is_file(), name
    assert (tmp_path / "out/store/CURRENT").is_file()


def test_build_graph_trig_has_one_named_graph_per_document_metadata_apart(tmp_path, fake_pipeline):
    src = write(tmp_path / "src", {"a.txt": "张三", "b.txt": "王五"})
    build([src], tmp_path / "out", QUIET)
    ds = rdflib.Dataset()
    ds.parse(tmp_path / "out/graph.trig", format="trig")
    graphs = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert graphs == {str(EX["doc/a.txt"]), str(EX["doc/b.txt"])}
    union = rdflib.Graph().parse(tmp_path / "out/graph.ttl", format="turtle")
    assert (EX["person/张三"], rdflib.RDF.type, SCHEMA.Person) in union
    assert (EX.build, None, None) not in union
    # the build metadata: its own file and named graph, and in the store beside the content
    meta = rdflib.Dataset().parse(tmp_path / "out/metadata.trig", format="trig")
    assert (EX.build, EX.source, rdflib.Literal("a.txt"), EX.build) in meta
    assert kg.query(tmp_path / "out", f"ASK {{ GRAPH <{EX.build}> {{ ?s ?p ?o }} }}").rows == [(True,)]


@pytest.mark.parametrize("workers", [1, 2])
def test_build_bad_file_does_not_lose_others(tmp_path, fake_pipeline, workers):
    src = write(tmp_path / "src", {"a.txt": "张三", "bad.txt": "BROKEN", "c.txt": "EXPLODE", "d.txt": "赵六"})
    result = build([src], tmp_path / "out", BuildOptions(workers=workers, progress=False))
    assert result.exit_code == 1
    assert sorted(e.path for e in result.errors) == [str(src / "bad.txt"), str(src / "c.txt")]
    assert "0x81" in next(e.error for e in result.errors if e.path.endswith("bad.txt"))
    assert "map failed on purpose" in next(e.error for e in result.errors if e.path.endswith("c.txt"))
    assert sorted(p.name for p in (tmp_path / "out/shards").iterdir()) == ["a.txt.nq", "d.txt.nq"]
    stats = json.loads((tmp_path / "out/stats.json").read_text(encoding="utf-8"))
    assert sorted(stats["documents"]) == ["a.txt", "d.txt"]
    assert {e["path"] for e in stats["errors"]} == {str(src / "bad.txt"), str(src / "c.txt")}


def test_build_nothing_built_raises(tmp_path, fake_pipeline):
    src = write(tmp_path / "src", {"bad.txt": "BROKEN"})
    with pytest.raises(BuildError, match="nothing built.*bad.txt"):
        build([src], tmp_path / "out", QUIET)


def test_build_no_sources_raises(tmp_path, fake_pipeline):
    (tmp_path / "empty").mkdir()
    with pytest.raises(BuildError, match="no source files"):
        build([tmp_path / "empty"], tmp_path / "out", QUIET)


def test_build_unknown_backend_is_one_error_not_per_file(tmp_path, fake_pipeline):
    src = write(tmp_path / "src", {"a.txt": "张三", "b.txt": "王五"})
    with pytest.raises(BackendError, match="unknown backend"):
        build([src], tmp_path / "out", BuildOptions(nlp="nope", workers=1, progress=False))


def test_build_same_file_name_twice_is_refused(tmp_path, fake_pipeline):
    a = write(tmp_path / "x", {"a.txt": "张三"}) / "a.txt"
    b = write(tmp_path / "y", {"a.txt": "李四"}) / "a.txt"
    result = build([a, b], tmp_path / "out", QUIET)
    assert [e.path for e in result.errors] == [str(b)]
    assert "same file name" in result.errors[0].error


def test_build_stats_json(tmp_path, fake_pipeline):
    src = write(tmp_path / "src", {"a.txt": "张三 李四", "b.txt": "王五"})
    build([src], tmp_path / "out", QUIET)
    stats = json.loads((tmp_path / "out/stats.json").read_text(encoding="utf-8"))
    assert stats["classes"] == {"schema:NewsArticle": 2, "schema:Person": 3}
    assert stats["documents"]["a.txt"]["classes"] == {"schema:NewsArticle": 1, "schema:Person": 2}
    assert stats["documents"]["a.txt"]["chars"] == len("张三 李四")
    assert stats["chars"] == len("张三 李四") + len("王五")
    assert stats["triples"] == 2 + 3 * 2 + 1 + 2  # articles, persons (type + label), metadata
    assert set(stats["timings"]) >= {"read", "annotate", "extract", "link", "map", "store", "validate"}
    assert stats["backend"]["name"] == "lac"
    assert stats["kg_version"] == kg.__version__
    assert {k: stats["validation"][k] for k in ("conforms", "violations")} == {"conforms": True, "violations": 0}
    assert stats["errors"] == []


def test_build_violations_give_exit_code_1(tmp_path, fake_pipeline):
    src = write(tmp_path / "src", {"a.txt": "VIOLATE"})
    result = build([src], tmp_path / "out", QUIET)
    assert (result.conforms, result.violations, result.exit_code) == (False, 1, 1)
    assert "violation" in (tmp_path / "out/report.txt").read_text(encoding="utf-8")


def test_build_without_validation_writes_no_report(tmp_path, fake_pipeline):
    src = write(tmp_path / "src", {"a.txt": "张三"})
    build([src], tmp_path / "out", QUIET)  # an earlier build with a report
    result = build([src], tmp_path / "out", BuildOptions(workers=1, progress=False, validate=False))
    assert result.conforms is None and result.exit_code == 0
    assert not (tmp_path / "out/report.ttl").exists()


def test_build_rebuild_removes_shards_of_files_not_built(tmp_path, fake_pipeline):
    src = write(tmp_path / "src", {"a.txt": "张三", "b.txt": "王五"})
    build([src], tmp_path / "out", QUIET)
    (src / "b.txt").unlink()
    build([src], tmp_path / "out", QUIET)
    assert [p.name for p in (tmp_path / "out/shards").iterdir()] == ["a.txt.nq"]
    ds = rdflib.Dataset().parse(tmp_path / "out/graph.trig", format="trig")
    assert str(EX["doc/b.txt"]) not in {str(g.identifier) for g in ds.graphs() if len(g)}


def test_build_failure_leaves_no_partial_file(tmp_path, fake_pipeline, monkeypatch):
    src = write(tmp_path / "src", {"a.txt": "张三"})
    build([src], tmp_path / "out", QUIET)
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir() if p.is_file()}
    write(src, {"b.txt": "王五"})

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(sys.modules["kg.validate"], "validate", fail)
    with pytest.raises(OSError, match="disk full"):
        build([src], tmp_path / "out", QUIET)
    leftovers = [p.name for p in (tmp_path / "out").rglob("*") if ".tmp" in p.name or ".old" in p.name]
    assert leftovers == []
    assert (tmp_path / "out/report.txt").read_bytes() == before["report.txt"]
    assert (tmp_path / "out/stats.json").read_bytes() == before["stats.json"]
    rdflib.Dataset().parse(tmp_path / "out/graph.trig", format="trig")  # whole, parses


def _validate_noting_pid(path, shapes=None, *, engine="pyshacl"):
    Path(path).with_name("validated-by").write_text(f"{os.getpid()} {Path(path).name}", encoding="utf-8")
    return _validate(path, shapes, engine=engine)


def _killed(*args, **kwargs):
    os._exit(3)  # as the kernel's OOM killer would end it, without a Python exception


def test_build_validates_graph_trig_in_a_child_process(tmp_path, fake_pipeline, monkeypatch):
    monkeypatch.setattr(sys.modules["kg.validate"], "validate", _validate_noting_pid)
    src = write(tmp_path / "src", {"a.txt": "VIOLATE 张三"})
    result = build([src], tmp_path / "out", QUIET)
    assert (result.conforms, result.violations) == (False, 1)
    pid, name = (tmp_path / "out/current/validated-by").read_text(encoding="utf-8").split()
    assert int(pid) != os.getpid() and name == "graph.trig"
    assert {"validate", "validate_wait", "index"} <= set(result.stats["timings"])
    assert [p.name for p in (tmp_path / "out/current").iterdir() if p.name.startswith(".")] == []


def test_build_validation_process_killed_is_a_build_error(tmp_path, fake_pipeline, monkeypatch):
    src = write(tmp_path / "src", {"a.txt": "张三"})
    build([src], tmp_path / "out", QUIET)
    before = (tmp_path / "out/stats.json").read_bytes()
    write(src, {"b.txt": "王五"})
    monkeypatch.setattr(build_module, "validate_into", _killed)
    with pytest.raises(BuildError, match="SHACL validation stopped") as err:
        build([src], tmp_path / "out", QUIET)
    assert "--no-validate" in err.value.hint
    assert (tmp_path / "out/stats.json").read_bytes() == before  # the build in place stays


def test_write_atomic_keeps_old_file_when_writing_fails(tmp_path):
    from kg.store import write_atomic

    target = write_atomic(tmp_path / "x.ttl", "old")

    class Boom(str):
        def encode(self, *args):
            raise ValueError("boom")

    with pytest.raises(ValueError):
        write_atomic(target, Boom())
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.ttl"]


# ------------------------------------------------------------------ the real stages

ARTICLE = """数字城市治理推进会在杭州举行

2025年10月29日，数字城市治理推进会在杭州国际博览中心举行。市委书记王建国主持会议并讲话。
会上，杭州市人民政府与浙江大学签署《城市大脑建设合作协议》。
浙江大学校长李明出席会议。杭州已建成城市大脑应用场景120余个。
新华社记者 陈晓
"""


def missing_stages() -> list[str]:
    """Stage functions of docs/ARCHITECTURE.md that cannot be imported yet."""
    missing = []
    for module, names in {"kg.read": ["read_file", "iter_sources"], "kg.annotate": ["get_backend", "annotate"],
                          "kg.extract": ["extract"], "kg.link": ["link"],
                          "kg.map": ["document_dataset", "metadata_graph"], "kg.validate": ["validate"]}.items():
        try:
            mod = importlib.import_module(module)
        except ImportError:
            missing.append(module)
            continue
        missing += [f"{module}.{n}" for n in names if not hasattr(mod, n)]
    return missing


real_pipeline = pytest.mark.skipif(bool(missing_stages()),
                                   reason=f"stages not written yet: {', '.join(missing_stages())}")


@real_pipeline
def test_build_real_pipeline_hand_written_article(tmp_path):
    src = write(tmp_path / "src", {"hz.txt": ARTICLE, "broken.txt": ""})
    (src / "broken.txt").write_bytes(b"\x00\x01binary")
    result = build([src], tmp_path / "out", BuildOptions(workers=2, progress=False))
    assert [e.path for e in result.errors] == [str(src / "broken.txt")]
    assert result.exit_code == 1
    assert [p.name for p in (tmp_path / "out/shards").iterdir()] == ["hz.txt.nq"]
    persons = kg.query(tmp_path / "out", read_query("persons"))
    assert {"王建国", "李明"} <= {row[persons.vars.index("name")] for row in persons.rows}
    stats = json.loads((tmp_path / "out/stats.json").read_text(encoding="utf-8"))
    assert stats["documents"]["hz.txt"]["sentences"] >= 4
    assert stats["backend"]["name"] == "lac"


def test_validation_child_is_forked_before_the_documents_only_when_they_are_built_in_process(tmp_path):
    """Forking a worker beside the validation pool's threads can deadlock the worker: the
    validation's child is forked early only when the documents are built in this process."""
    local = BuildOptions(workers=2, progress=False)
    assert build_module._builds_in_process(local, files=1)
    assert not build_module._builds_in_process(local, files=3)
    assert build_module._builds_in_process(dataclasses.replace(local, workers=1), files=3)
    assert not build_module._builds_in_process(dataclasses.replace(local, workers=1, file_timeout=5.0), files=1)
    assert not build_module._builds_in_process(dataclasses.replace(local, executor="dask"), files=1)
    with build_module._validation_process(local, None, early=False) as pool:
        assert pool.pool is None  # no process until it is given the validation
    with build_module._validation_process(local, None, early=True) as pool:
        assert pool.pool is not None
