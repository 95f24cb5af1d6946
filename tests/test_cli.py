"""The command line through click's CliRunner: help, exit codes, formats, errors with hints."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import types

import pytest
import rdflib
from click.testing import CliRunner

from kg.cli import main
from test_build import fake_pipeline, write  # noqa: F401 - the stand-in pipeline fixture

QUERY = """# Which persons are named? (test)
SELECT ?person ?name WHERE { ?person a <https://schema.org/Person> ; <http://www.w3.org/2000/01/rdf-schema#label> ?name }
ORDER BY ?name
"""


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def built(tmp_path, fake_pipeline):  # noqa: F811
    src = write(tmp_path / "src", {"a.txt": "张三 李四", "b.txt": "王五"})
    result = run("build", src, "--out", tmp_path / "out", "--workers", 1)
    assert result.exit_code == 0, result.output
    (tmp_path / "persons.rq").write_text(QUERY, encoding="utf-8")
    return tmp_path / "out"


@pytest.mark.parametrize("command", [[], ["build"], ["validate"], ["query"], ["export"], ["annotate"], ["serve"], ["push"], ["docs"]])
def test_cli_help_texts(command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout and "Exit status" in result.stdout


def test_cli_version():
    result = run("--version")
    assert result.exit_code == 0 and "kg, version" in result.stdout


def test_cli_python_dash_m():
    out = subprocess.run([sys.executable, "-m", "kg", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "Usage: kg" in out.stdout


def test_cli_build_summary_on_stderr(tmp_path, fake_pipeline):  # noqa: F811
    src = write(tmp_path / "src", {"a.txt": "张三"})
    result = run("build", src, "--out", tmp_path / "out")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "built 1 document(s)" in result.stderr and "SHACL: conforms" in result.stderr


def test_cli_build_bad_file_exit_1_names_the_file(tmp_path, fake_pipeline):  # noqa: F811
    src = write(tmp_path / "src", {"a.txt": "张三", "bad.txt": "BROKEN", "c.txt": "王五"})
    result = run("build", src, "--out", tmp_path / "out", "--workers", 2)
    assert result.exit_code == 1
    assert f"failed: {src / 'bad.txt'}: " in result.stderr and "0x81" in result.stderr
    assert sorted(p.name for p in (tmp_path / "out/shards").iterdir()) == ["a.txt.nq", "c.txt.nq"]


def test_cli_build_quiet_still_names_failures(tmp_path, fake_pipeline):  # noqa: F811
    src = write(tmp_path / "src", {"a.txt": "张三", "bad.txt": "BROKEN"})
    result = run("build", src, "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == 1
    assert "bad.txt" in result.stderr and "built" not in result.stderr


def test_cli_build_nothing_built_exit_2(tmp_path, fake_pipeline):  # noqa: F811
    src = write(tmp_path / "src", {"bad.txt": "BROKEN"})
    result = run("build", src, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: nothing built") and "hint: " in result.stderr


def test_cli_build_missing_source_is_usage_error(tmp_path):
    result = run("build", tmp_path / "nope", "--out", tmp_path / "out")
    assert result.exit_code == 2 and "does not exist" in result.stderr


def test_cli_validate_exit_codes(built, tmp_path):
    assert run("validate", built).exit_code == 0
    src = write(tmp_path / "bad", {"v.txt": "VIOLATE"})
    run("build", src, "--out", tmp_path / "bad-out", "--no-validate")
    result = run("validate", tmp_path / "bad-out", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["conforms"] is False


def test_cli_query_csv(built, tmp_path):
    result = run("query", built, tmp_path / "persons.rq", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["person", "name"]
    assert [r[1] for r in rows[1:]] == ["张三", "李四", "王五"]


def test_cli_query_defaults_to_csv_when_not_a_terminal(built, tmp_path):
    result = run("query", built, tmp_path / "persons.rq")
    assert result.stdout.splitlines()[0] == "person,name"


@pytest.mark.parametrize("fmt", ["json", "tsv", "table"])
def test_cli_query_formats(built, tmp_path, fmt):
    result = run("query", built, tmp_path / "persons.rq", "--format", fmt)
    assert result.exit_code == 0
    if fmt == "json":
        data = json.loads(result.stdout)
        assert data[0] == {"person": "http://example.org/kg/person/张三", "name": "张三"} and len(data) == 3
    elif fmt == "tsv":
        assert result.stdout.splitlines()[1].split("\t")[1] == "张三"
    else:
        lines = result.stdout.splitlines()
        assert lines[0].split() == ["person", "name"] and set(lines[1]) <= {"-", " "}
        assert lines[-1] == "(3 rows)"


def test_cli_query_unknown_name_exit_2_with_hint(built):
    result = run("query", built, "no-such-question")
    assert result.exit_code == 2
    assert "error: " in result.stderr and "hint: " in result.stderr


def test_cli_query_malformed_sparql_exit_2(built, tmp_path):
    (tmp_path / "bad.rq").write_text("SELEKT", encoding="utf-8")
    result = run("query", built, tmp_path / "bad.rq")
    assert result.exit_code == 2 and "malformed SPARQL" in result.stderr


def test_cli_query_without_build_is_usage_error():
    assert run("query").exit_code == 2


def test_cli_query_list():
    result = run("query", "--list")
    assert result.exit_code == 0
    for line in result.stdout.splitlines():
        name, question = line.split(None, 1)
        assert question, line


def test_cli_export_file_and_stdout(built, tmp_path):
    result = run("export", built, "--format", "nq", "-o", tmp_path / "g.nq")
    assert result.exit_code == 0 and result.stdout == ""
    ds = rdflib.Dataset().parse(tmp_path / "g.nq", format="nquads")
    assert len(list(ds.quads((None, None, None, None)))) > 0
    out = run("export", built, "--format", "ttl")
    assert len(rdflib.Graph().parse(data=out.stdout, format="turtle")) > 0


def test_cli_export_without_store_exit_2(tmp_path):
    result = run("export", tmp_path)
    assert result.exit_code == 2 and "no graph.trig" in result.stderr and "kg build" in result.stderr


def test_cli_annotate_prints_json_lines(tmp_path, monkeypatch):
    calls = []

    def to_jsonl(path, nlp="lac", lines=False):
        calls.append((str(path), nlp, lines))
        yield json.dumps({"doc": str(path), "start": 0, "end": 2, "text": "张三", "mentions": []}) + "\n"

    monkeypatch.setitem(sys.modules, "kg.annotate", types.SimpleNamespace(to_jsonl=to_jsonl))
    write(tmp_path, {"x.txt": "张三"})
    result = run("annotate", tmp_path / "x.txt", "--lines")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["text"] == "张三"
    assert calls == [(str(tmp_path / "x.txt"), "lac", True)]


def test_cli_serve_delegates_to_kg_serve_run(built, monkeypatch):
    seen = {}
    monkeypatch.setattr("kg.serve.run", lambda build_dir, host, port, options: seen.update(
        b=build_dir, h=host, p=port, o=options))
    result = run("serve", built, "--port", 7999, "--timeout", 5)
    assert result.exit_code == 0
    assert seen["b"] == str(built) and (seen["h"], seen["p"], seen["o"].timeout) == ("127.0.0.1", 7999, 5.0)


def test_cli_annotate_compare_same_backend_agrees(tmp_path):
    path = write(tmp_path, {"a.txt": "市委书记张三出席会议。"}) / "a.txt"
    result = CliRunner().invoke(main, ["annotate", "--nlp", "lac", "--compare", "lac", str(path)])
    assert result.exit_code == 0
    assert result.stdout.strip() == ""  # no disagreement rows


def test_cli_build_missing_backend_says_what_to_install(tmp_path):
    pytest.importorskip("kg.annotate.lac")
    if __import__("importlib").util.find_spec("hanlp") is not None:
        pytest.skip("hanlp is installed here")
    src = write(tmp_path / "src", {"a.txt": "张三出席。"})
    result = CliRunner().invoke(main, ["build", str(src), "--out", str(tmp_path / "o"), "--nlp", "hanlp"])
    assert result.exit_code == 2
    assert "hint: pip install" in result.stderr


def test_cli_nlp_options_reach_the_backend(tmp_path, monkeypatch):
    seen = {}

    def fake_build(sources, out, options):
        seen.update(options.nlp_options)
        raise SystemExit(0)

    monkeypatch.setattr("kg.build_graph", fake_build)
    src = write(tmp_path / "src", {"a.txt": "张三出席。"})
    CliRunner().invoke(main, ["build", str(src), "--nlp", "hanlp-restful", "--nlp-option", "url=http://127.0.0.1:9/x",
                              "--nlp-option", "timeout=5"])
    assert seen == {"url": "http://127.0.0.1:9/x", "timeout": 5}
    bad = CliRunner().invoke(main, ["build", str(src), "--nlp-option", "novalue"])
    assert bad.exit_code == 2 and "KEY=VALUE" in bad.output
