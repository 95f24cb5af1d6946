"""graph.trig and graph.ttl written piece by piece, a re-run copying the pieces that did not change.

    write_pieces(lines, "trig", prefixes, tmp, GEN/graph.trig, previous=OLD)   # True when written

Both files are pyoxigraph's serialization of sorted lines (kg.stream.write): graph.trig of the
sorted N-Quads of graph.nq, graph.ttl of the sorted, distinct N-Triples of their union.
pyoxigraph's serializer writes a subject's statements together and keeps no state across
subjects but the graph it is in, so the file is the prefixes followed by the serializations of
**pieces**: runs of whole subjects of one graph, a piece ending where the graph does or after a
subject whose CRC-32 is 0 modulo ``PIECE_SUBJECTS`` (boundaries set by the content, so a change
moves none of the other pieces). Serialized alone (the prefixes dropped; in TriG the graph's
opening line kept for its first piece, its closing brace for its last), the pieces of a file,
concatenated after its prefixes, are its bytes.

Each file's pieces are recorded in ``<generation>/pieces/<file>.json``: per piece, a hash of
its lines, of its place in its graph (first, last), of the format, the prefixes and
pyoxigraph's version, and the offset and length of its bytes. A re-run copies the bytes of a
piece whose hash the previous generation recorded from that generation's file, and serializes
only the others: the same bytes as a serialization of the whole, at the cost of reading the
lines and hashing them.
"""
from __future__ import annotations

import hashlib
import json
import os
import zlib
from pathlib import Path

PIECES = "pieces"
FORMAT = 1
#: a piece ends after a subject whose CRC-32 is 0 modulo this: ~8 subjects a piece (400 news
#: items: ~2,400 pieces in graph.trig, ~1,250 in graph.ttl; a re-run of 4 changed items and 2
#: removed serializes ~1 % of the one and ~7 % of the other again)
PIECE_SUBJECTS = 8


def index_path(output: Path) -> Path:
    """Where the pieces of the file ``output`` (in a generation folder) are recorded."""
    output = Path(output)
    return output.parent / PIECES / f"{output.name}.json"


def pieces(lines, named: bool):
    """(first, last, lines) per piece of sorted ``lines`` (without newlines: N-Quads lines,
    each quad in a named graph, when ``named``; else N-Triples lines without their " ."):
    first and last say whether the piece opens or closes its graph."""
    piece, subject, graph, first = [], "", "", True
    for line in lines:
        if piece and line.startswith(subject) and (not named or line.endswith(graph)):
            piece.append(line)  # the subject (and graph) of the line before
            continue
        s = line[:line.index(" ") + 1]
        g = line[line.rindex(" <", 0, len(line) - 2) + 1:] if named else ""  # '<graph> .'
        if piece:
            if g != graph:
                yield first, True, piece
                piece, first = [], True
            elif s != subject and zlib.crc32(subject.encode("utf-8")) % PIECE_SUBJECTS == 0:
                yield first, False, piece
                piece, first = [], False
        piece.append(line)
        subject, graph = s, g
    if piece:
        yield first, True, piece


def _text(piece: list[str], fmt: str) -> str:
    """The N-Quads (trig) or N-Triples (ttl) text of a piece's lines."""
    end = "\n" if fmt == "trig" else " .\n"
    return end.join(piece) + end


def _header(data: bytes) -> bytes:
    """The prefix lines that start a serialization."""
    end = 0
    while data.startswith(b"@prefix ", end):
        end = data.index(b"\n", end) + 1
    return data[:end]


def _serialize(text: str, fmt: str, prefixes: dict, first: bool, last: bool) -> tuple[bytes, bytes] | None:
    """(prefix lines, the piece's bytes in the file) of one piece; None when the serializer
    did not write it as this module expects (the caller then serializes the whole file)."""
    import pyoxigraph as ox

    rdf = ox.RdfFormat.N_QUADS if fmt == "trig" else ox.RdfFormat.N_TRIPLES
    data = ox.serialize(ox.parse(text.encode("utf-8"), format=rdf),
                        format=ox.RdfFormat.TRIG if fmt == "trig" else ox.RdfFormat.TURTLE,
                        **({"prefixes": prefixes} if prefixes else {}))
    header = _header(data)
    body = data[len(header):]
    if fmt == "trig":
        opener = body.index(b"\n") + 1 if body.endswith(b"}\n") else -1
        if opener <= 0 or not body[:opener].endswith(b"{\n"):
            return None
        body = (body[:-2] if not last else body)[0 if first else opener:]
    return header, body


def _base(fmt: str, prefixes: dict) -> "hashlib._Hash":
    from importlib.metadata import version

    h = hashlib.blake2b(digest_size=16)
    h.update(json.dumps([FORMAT, fmt, version("pyoxigraph"), sorted(prefixes.items())]).encode("utf-8"))
    return h


def _previous(previous: Path | None, name: str) -> tuple[dict, Path | None]:
    """The pieces the ``previous`` generation recorded for its file ``name`` ({} when none,
    or when the file is not the one they were recorded for)."""
    if previous is None:
        return {}, None
    old = Path(previous) / name
    try:
        found = json.loads(index_path(old).read_text(encoding="utf-8"))
        if found.get("format") != FORMAT or found.get("size") != old.stat().st_size:
            return {}, None
    except (OSError, ValueError, AttributeError):
        return {}, None
    return found.get("pieces", {}), old


def write_pieces(lines, fmt: str, prefixes: dict, tmp: Path, name: str, previous: Path | None = None) -> dict | None:
    """Write the TriG (``fmt`` trig, of N-Quads ``lines``, all in named graphs) or Turtle (ttl,
    of N-Triples ``lines`` without " .") of sorted ``lines`` (without newlines) to ``tmp``, copying the unchanged pieces of
    the ``previous`` generation's file ``name``. Returns the record of its pieces, for
    ``record`` once ``tmp`` is in place; None when a piece did not come out as expected
    (nothing usable written: the caller serializes the whole)."""
    base = _base(fmt, prefixes)
    old, old_path = _previous(previous, name)
    recorded, offset, header = {}, 0, None
    source = open(old_path, "rb") if old_path is not None else None
    try:
        with open(tmp, "wb") as out:
            for first, last, piece in pieces(lines, fmt == "trig"):
                h = base.copy()
                text = _text(piece, fmt)
                h.update(b"%d%d" % (first, last))
                h.update(text.encode("utf-8"))
                key = h.hexdigest()
                where = old.get(key) if header is not None else None
                body = None
                if where is not None:
                    source.seek(where[0])
                    body = source.read(where[1])
                    body = body if len(body) == where[1] else None
                if body is None:
                    made = _serialize(text, fmt, prefixes, first, last)
                    if made is None or (header is not None and made[0] != header):
                        return None
                    if header is None:
                        header = made[0]
                        out.write(header)
                        offset = len(header)
                    body = made[1]
                out.write(body)
                recorded[key] = (offset, len(body))
                offset += len(body)
    finally:
        if source is not None:
            source.close()
    return {"format": FORMAT, "size": offset, "pieces": recorded}


def record(output: Path, found: dict) -> None:
    """Record the pieces (write_pieces' record) of the file ``output``, now in place."""
    path = index_path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(found, separators=(",", ":")) + "\n", encoding="utf-8")
    os.replace(tmp, path)
