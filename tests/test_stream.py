"""kg.stream: the on-disk merge gives the bytes kg.store.serialize writes from a list."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg import stream
from kg.store import serialize

EX = "http://example.org/"
NQ = f"""<{EX}b> <{EX}p> "二\\n行\\ttab" <{EX}doc/2> .
<{EX}a> <{EX}p> "1.0"^^<http://www.w3.org/2001/XMLSchema#decimal> <{EX}doc/1> .
<{EX}a> <{EX}p> "1.0"^^<http://www.w3.org/2001/XMLSchema#decimal> <{EX}doc/1> .
<{EX}a> <{EX}label> "甲"@zh <{EX}doc/10> .
<{EX}a> <{EX}label> "甲"@zh <{EX}doc/1> .
_:x <{EX}p> <{EX}a> <{EX}doc/1> .
<{EX}c> <{EX}q> <{EX}odd/a/b> .
<{EX}a> <{EX}p> "3"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger> <{EX}doc/1> .
<{EX}z> <{EX}p> <{EX}a> <{EX}g/x/y> .
"""
PREFIXES = {"ex": EX, "odd": f"{EX}odd/", "g": f"{EX}g/", "none": "http://unused.example/"}


def _quads():
    return list(ox.parse(NQ.encode("utf-8"), format=ox.RdfFormat.N_QUADS))


@pytest.mark.parametrize("chunk", [2, 1000])
@pytest.mark.parametrize("fmt", ["trig", "ttl", "nq", "nt"])
def test_stream_merge_writes_the_bytes_of_serialize(tmp_path, monkeypatch, fmt, chunk):
    monkeypatch.setattr(stream, "CHUNK", chunk)  # several sorted runs merged, or one
    quads = _quads()
    merged = stream.merge(iter(quads[::-1]), tmp_path / "m.nq", PREFIXES)
    assert merged.quads == len(set(quads)) == 8
    out = stream.write(merged, fmt, tmp_path / f"graph.{fmt}")
    assert out.read_bytes() == serialize(list(dict.fromkeys(quads)), fmt, prefixes=PREFIXES)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["m.nq", f"graph.{fmt}"])  # no leftovers


def test_stream_merge_prefixes_of_graph_names_count_for_trig_only(tmp_path):
    merged = stream.merge(_quads(), tmp_path / "m.nq", PREFIXES)
    # odd:a/b needs escapes; the graph names ex:doc/1 and g:x/y too, which Turtle does not write
    assert set(merged.prefixes) == {"none"}
    assert set(merged.triple_prefixes) == {"ex", "g", "none"}


def test_stream_write_refuses_an_unknown_format(tmp_path):
    from kg.errors import BuildError

    merged = stream.merge(_quads(), tmp_path / "m.nq")
    with pytest.raises(BuildError, match="unknown export format"):
        stream.write(merged, "xml", tmp_path / "g.xml")
