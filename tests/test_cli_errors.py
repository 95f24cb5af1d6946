"""Issue 11, point 1: every error the CLI reports is `error: …` + `hint: …` on stderr, exit 2."""
from __future__ import annotations

import os
import socket
import sys
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from test_build import STAND_INS, fake_pipeline, write  # noqa: F401 - the stand-in pipeline fixture


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def assert_error(result, *fragments):
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: "), result.stderr
    assert "\nhint: " in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


@pytest.fixture
def real_read(fake_pipeline, monkeypatch):  # noqa: F811
    """The stand-in pipeline, but kg.read is the real reader."""
    import kg.read as read

    funcs = dict(STAND_INS["kg.read"], read_file=read.read_file, iter_sources=read.iter_sources)
    monkeypatch.setitem(sys.modules, "kg.read", types.SimpleNamespace(__name__="kg.read", **funcs))


def test_build_out_is_an_existing_file(tmp_path, fake_pipeline):  # noqa: F811
    src = write(tmp_path / "src", {"a.txt": "张三"})
    (tmp_path / "taken").write_text("x")
    assert_error(run("build", src, "--out", tmp_path / "taken"), "is a file, not a folder", "--out")
    assert_error(run("build", src, "--out", tmp_path / "taken" / "sub"), "is a file, not a folder")


def test_build_out_unwritable_folder(tmp_path, fake_pipeline, monkeypatch):  # noqa: F811
    src = write(tmp_path / "src", {"a.txt": "张三"})
    mkdir = Path.mkdir

    def refuse(self, *args, **kwargs):
        if self.name == "shards":
            raise PermissionError(13, "Permission denied", str(self))
        return mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refuse)
    assert_error(run("build", src, "--out", tmp_path / "out"), "cannot write there", "Permission denied")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes anywhere")
def test_build_out_read_only_folder(tmp_path, fake_pipeline):  # noqa: F811
    src = write(tmp_path / "src", {"a.txt": "张三"})
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        assert_error(run("build", src, "--out", locked / "out"), "cannot write there")
    finally:
        locked.chmod(0o755)


def test_build_folder_without_text_files(tmp_path, real_read):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "x.dat").write_text("x")
    result = run("build", tmp_path / "src", "--out", tmp_path / "out")
    assert_error(result, "no source files")
    assert "kg build" not in result.stderr.split("hint: ", 1)[1]  # not "run kg build first"


def test_build_empty_file_warns_naming_it(tmp_path, real_read):
    src = write(tmp_path / "src", {"a.txt": "张三", "empty.txt": ""})
    result = run("build", src, "--out", tmp_path / "out", "--workers", 1)
    assert result.exit_code == 0, result.output
    assert f"warning: {src / 'empty.txt'}: " in result.stderr and "empty" in result.stderr
    assert "a.txt:" not in result.stderr


def test_build_nothing_built_names_the_path_once(tmp_path, real_read):
    src = tmp_path / "src"
    src.mkdir()
    (src / "binary.txt").write_bytes(b"ab\0\0\0cd")
    result = run("build", src, "--out", tmp_path / "out")
    assert_error(result, "binary file")
    assert result.stderr.count(str(src / "binary.txt")) == 1, result.stderr


def test_build_same_folder_twice_is_built_once(tmp_path, real_read):
    src = write(tmp_path / "src", {"a.txt": "张三", "b.txt": "王五"})
    result = run("build", src, src, src / "a.txt", "--out", tmp_path / "out", "--workers", 1)
    assert result.exit_code == 0, result.output
    assert "same file name" not in result.stderr and "built 2 document(s)" in result.stderr


def test_build_same_name_in_two_folders_still_refused(tmp_path, real_read):
    one = write(tmp_path / "one", {"a.txt": "张三"})
    two = write(tmp_path / "two", {"a.txt": "王五"})
    result = run("build", one, two, "--out", tmp_path / "out", "--workers", 1)
    assert result.exit_code == 1 and "same file name" in result.stderr


def test_serve_busy_port_says_so_before_serving(tmp_path, monkeypatch):
    (tmp_path / "b").mkdir()
    monkeypatch.setattr("kg.serve.run", lambda *a, **kw: pytest.fail("served on a busy port"))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("serve", tmp_path / "b", "--port", port)
    assert_error(result, f"127.0.0.1:{port}", "--port")
    assert "http://" not in result.stderr  # the URL is not printed as if serving


@pytest.mark.parametrize("args, fragment", [
    (["export", ".", "--format", "xx"], "'xx' is not one of"),
    (["query", ".", "x", "--format", "yaml"], "'yaml' is not one of"),
    (["validate", ".", "--format", "rdf"], "'rdf' is not one of"),
    (["build", "--bogus", "."], "No such option"),
    (["frob"], "No such command"),
])
def test_usage_errors_have_error_and_hint(args, fragment):
    result = run(*args)
    assert_error(result, fragment, "--help")
    assert "Error:" not in result.stderr
