"""HTML documentation of the ontology with pyLODE (the ``docs`` extra).

    build_docs("site/")        # -> site/index.html (ontology/*.ttl), site/model.svg
    kg docs site/              # the click command ``docs`` below, attached by kg.cli

pyLODE is imported on first use; without it a ``KGError`` names the extra to install.
pyLODE 3.4.1 (the newest for Python 3.11) cannot be imported from a wheel (it reads its own
pyproject.toml), hence ``pylode>=3.3,<3.4.1`` in the extra.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import click

from kg.errors import KGError


def build_docs(out_dir) -> Path:
    """Write ``index.html`` for the ontology (and the model diagram beside it); the HTML path."""
    try:
        from pylode import OntPub
    except Exception as err:  # ImportError, or a broken pyLODE install (see the module doc)
        raise KGError(f"cannot load pyLODE: {err}", hint="pip install 'kg[docs]'") from err
    from kg.validate import ontology_graph, resource_dir

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    html = OntPub(ontology_graph(), sort_subjects=True).make_html()
    index = out / "index.html"
    index.write_text(str(html), encoding="utf-8")
    diagram = resource_dir("ontology") / "model.svg"
    if diagram.is_file():
        shutil.copyfile(diagram, out / "model.svg")
    return index


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
