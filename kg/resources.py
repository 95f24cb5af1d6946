"""Where the project's data folders are: queries/, shapes/, ontology/.

A source checkout (editable install) has them at the top of the repository; a wheel ships
copies as package data under kg/data/ (setup.py's build_py copies them).
"""
from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def project_dir(name: str, pattern: str) -> Path | None:
    """The folder ``name`` holding files matching ``pattern``, or None when neither copy exists."""
    for candidate in (HERE.parent / name, HERE / "data" / name):
        if candidate.is_dir() and any(candidate.glob(pattern)):
            return candidate
    return None
