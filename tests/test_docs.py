"""kg/docs.py: `kg docs OUT` writes the HTML and prints its path, with no log noise of pyLODE's."""
from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from kg.docs import _logging_kept


def test_kg_docs_writes_only_the_path_and_nothing_to_stderr(tmp_path):
    pytest.importorskip("pylode", reason="the docs extra (pyLODE) is not installed")
    out = subprocess.run([sys.executable, "-m", "kg", "docs", str(tmp_path / "site")],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""  # pyLODE's INFO:root:… and DEBUG:asyncio:… no more
    assert out.stdout == f"{tmp_path / 'site' / 'index.html'}\n"
    assert "<html" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


def test_build_docs_keeps_warnings_and_the_applications_logging(tmp_path):
    pytest.importorskip("pylode", reason="the docs extra (pyLODE) is not installed")
    code = (
        "import logging, sys\n"
        "from kg.docs import build_docs\n"
        f"build_docs({str(tmp_path / 'site')!r})\n"
        "logging.getLogger('pylode').info('not shown')\n"
        "logging.getLogger('pylode').warning('a warning is still shown')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stderr == "a warning is still shown\n"


@pytest.fixture
def root_logger():
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    yield root
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


@pytest.mark.parametrize(("own", "level"), [(False, logging.WARNING), (True, logging.INFO)])
def test_logging_kept_undoes_what_an_import_does_to_the_root_logger(root_logger, own, level):
    mine = [logging.StreamHandler()] if own else []
    root_logger.handlers[:] = mine
    root_logger.setLevel(level)
    with _logging_kept():
        logging.basicConfig(level=logging.DEBUG)  # what pyLODE's import does (a no-op on a configured root)
        root_logger.addHandler(logging.StreamHandler())
        root_logger.setLevel(logging.DEBUG)
    assert root_logger.handlers == mine and root_logger.level == level
