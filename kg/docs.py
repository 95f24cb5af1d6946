"""HTML documentation of the ontology with pyLODE (the ``docs`` extra).

    build_docs("site/")        # -> site/index.html (ontology/*.ttl), site/model.svg
    kg docs site/              # the click command ``docs`` below, attached by kg.cli

pyLODE is imported on first use; without it a ``KGError`` names the extra to install.
pyLODE configures the root logger at DEBUG when imported (``logging.basicConfig`` in
``pylode/profiles/supermodel/loader.py``), which would print ``INFO:root:…`` and
``DEBUG:asyncio:…``: ``_logging_kept`` puts the root logger back as it was after that import
and after making the HTML, so only warnings and errors reach stderr (through the application's
handlers, or Python's last-resort handler when it has none).
pyLODE 3.4.1 (the newest for Python 3.11) cannot be imported from a wheel (it reads its own
pyproject.toml), hence ``pylode>=3.3,<3.4.1`` in the extra.
"""
from __future__ import annotations

import logging
import shutil
from contextlib import contextmanager
from pathlib import Path

import click

from kg.errors import KGError


def build_docs(out_dir) -> Path:
    """Write ``index.html`` for the ontology (and the model diagram beside it); the HTML path."""
    from kg.validate import ontology_graph, resource_dir

    with _logging_kept():  # pyLODE's logging.info(…) adds a handler to a root logger without one
        with _logging_kept():  # pyLODE's import calls logging.basicConfig(level=DEBUG)
            try:
                from pylode import OntPub
            except Exception as err:  # ImportError, or a broken pyLODE install (see the module doc)
                raise KGError(f"cannot load pyLODE: {err}", hint="pip install 'kg[docs]'") from err
        html = OntPub(ontology_graph(), sort_subjects=True).make_html()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    index = out / "index.html"
    index.write_text(str(html), encoding="utf-8")
    diagram = resource_dir("ontology") / "model.svg"
    if diagram.is_file():
        shutil.copyfile(diagram, out / "model.svg")
    return index


@contextmanager
def _logging_kept():
    """Undo what a library does to the root logger (handlers added, level lowered) meanwhile."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)
        for handler in [h for h in handlers if h not in root.handlers]:
            root.addHandler(handler)
        root.setLevel(level)


@click.command("docs", epilog="\b\nExit status: 0 written, 2 error (pyLODE missing or failing).")
@click.argument("out_dir", metavar="OUT", type=click.Path(file_okay=False, path_type=Path),
                default=Path("docs/ontology"))
def docs(out_dir: Path) -> None:
    """Write HTML documentation of the ontology into OUT (default docs/ontology).

    \b
    Example:
      kg docs site/ontology      # then open site/ontology/index.html
    """
    index = build_docs(out_dir)
    click.echo(str(index))
