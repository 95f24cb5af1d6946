"""Errors raised by the library. Only the CLI turns them into messages and exit codes."""
from __future__ import annotations


class KGError(Exception):
    """Base class: ``str(err)`` says what was wrong and where; ``hint`` says what to do."""

    hint: str = ""

    def __init__(self, message: str, *, hint: str | None = None, path: str | None = None):
        super().__init__(message)
        self.path = path
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:
        msg = super().__str__()
        if self.path and self.path not in msg:
            msg = f"{self.path}: {msg}"
        return msg


class ReadError(KGError):
    """A source file cannot be read (missing, binary, undecodable, bad front matter)."""

    hint = "Give UTF-8, GB18030/GBK or Big5 text as .txt, .md (YAML front matter) or .html."


class BackendError(KGError):
    """An NLP backend is unknown, not installed, or has no model."""

    hint = "Choose a backend with --nlp (lac, hanlp, hanlp-restful); see README, 'Using HanLP'."


class BuildError(KGError):
    """A build folder is missing or incomplete."""

    hint = "Run `kg build SOURCES --out BUILD_DIR` first."


class QueryError(KGError):
    """A SPARQL query is missing, unreadable or malformed."""

    hint = "Name a query of queries/ (see `kg query --list`) or give a path to a .rq file."


class ValidationError(KGError):
    """Shapes or data cannot be loaded for validation."""

    hint = "Check that the shapes and data files are RDF (Turtle, TriG, N-Quads, JSON-LD)."
