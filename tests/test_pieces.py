"""kg.pieces: graph.trig and graph.ttl written piece by piece, a re-run copying unchanged pieces."""
from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from kg import pieces, stream
from kg.store import serialize

EX = "http://example.org/"


def _quads(n_subjects: int, graphs: int = 3, changed: int | None = None) -> list:
    """Subjects spread over graphs, each with a label and a link; subject ``changed`` gets a
    different label."""
    out = []
    for i in range(n_subjects):
        g = ox.NamedNode(f"{EX}graph/{i % graphs}")
        s = ox.NamedNode(f"{EX}node/{i:04d}")
        label = "改了" if i == changed else f"节点{i}"
        out.append(ox.Quad(s, ox.NamedNode(f"{EX}label"), ox.Literal(label, language="zh"), g))
        out.append(ox.Quad(s, ox.NamedNode(f"{EX}next"), ox.NamedNode(f"{EX}node/{(i + 1) % n_subjects:04d}"), g))
        out.append(ox.Quad(s, ox.NamedNode(f"{EX}shared"), ox.Literal(str(i % 5)), ox.NamedNode(f"{EX}graph/s")))
    return out


PREFIXES = {"ex": EX, "n": f"{EX}node/"}


@pytest.mark.parametrize("fmt", ["trig", "ttl"])
@pytest.mark.parametrize("per_piece", [1, 3, 1000])
def test_pieces_write_the_bytes_of_one_serialization(tmp_path, monkeypatch, fmt, per_piece):
    monkeypatch.setattr(pieces, "PIECE_SUBJECTS", per_piece)  # one subject a piece, a few, or one piece a graph
    quads = _quads(60)
    merged = stream.merge(quads, tmp_path / "m.nq", PREFIXES)
    out = stream.write(merged, fmt, tmp_path / f"graph.{fmt}", pieces=True)
    assert out.read_bytes() == serialize(quads, fmt, prefixes=PREFIXES)
    found = json.loads(pieces.index_path(out).read_text(encoding="utf-8"))
    assert found["size"] == out.stat().st_size
    assert sum(n for _, n in found["pieces"].values()) == out.stat().st_size - min(o for o, _ in found["pieces"].values())


@pytest.mark.parametrize("fmt", ["trig", "ttl"])
def test_pieces_rerun_copies_unchanged_pieces_and_serializes_the_changed(tmp_path, monkeypatch, fmt):
    before, after = tmp_path / "before", tmp_path / "after"
    before.mkdir(), after.mkdir()
    old = stream.write(stream.merge(_quads(200), before / "m.nq", PREFIXES), fmt, before / f"graph.{fmt}", pieces=True)
    calls = []
    real = pieces._serialize
    monkeypatch.setattr(pieces, "_serialize", lambda text, *a: calls.append(text) or real(text, *a))
    quads = _quads(200, changed=123)
    new = stream.write(stream.merge(quads, after / "m.nq", PREFIXES), fmt, after / f"graph.{fmt}", before,
                       pieces=True)
    assert new.read_bytes() == serialize(quads, fmt, prefixes=PREFIXES) != old.read_bytes()
    # the first piece (for the prefixes) and the one of the changed subject, not the others
    assert len(calls) <= 2 and any("改了" in c for c in calls)
    assert len(json.loads(pieces.index_path(new).read_text(encoding="utf-8"))["pieces"]) > 20


def test_pieces_of_a_file_that_changed_since_they_were_recorded_are_not_copied(tmp_path, monkeypatch):
    before, after = tmp_path / "before", tmp_path / "after"
    before.mkdir(), after.mkdir()
    old = stream.write(stream.merge(_quads(50), before / "m.nq", PREFIXES), "trig", before / "graph.trig", pieces=True)
    old.write_bytes(old.read_bytes() + b"# edited\n")  # no longer the file its pieces describe
    quads = _quads(50)
    new = stream.write(stream.merge(quads, after / "m.nq", PREFIXES), "trig", after / "graph.trig", before,
                       pieces=True)
    assert new.read_bytes() == serialize(quads, "trig", prefixes=PREFIXES)


def test_pieces_other_prefixes_serialize_again(tmp_path):
    before, after = tmp_path / "before", tmp_path / "after"
    before.mkdir(), after.mkdir()
    quads = _quads(50)
    stream.write(stream.merge(quads, before / "m.nq", PREFIXES), "ttl", before / "graph.ttl", pieces=True)
    new = stream.write(stream.merge(quads, after / "m.nq", {"ex": EX}), "ttl", after / "graph.ttl", before,
                       pieces=True)
    assert new.read_bytes() == serialize(quads, "ttl", prefixes={"ex": EX})


def test_pieces_of_quads_in_the_default_graph_are_written_whole(tmp_path):
    quads = _quads(10) + [ox.Quad(ox.NamedNode(f"{EX}x"), ox.NamedNode(f"{EX}p"), ox.Literal("默认"))]
    merged = stream.merge(quads, tmp_path / "m.nq", PREFIXES)
    out = stream.write(merged, "trig", tmp_path / "graph.trig", pieces=True)
    assert out.read_bytes() == serialize(quads, "trig", prefixes=PREFIXES)
    assert not pieces.index_path(out).exists()
