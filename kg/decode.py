"""Bytes of a source file to text: UTF-8 (with or without BOM), GB18030/GBK, Big5, or what
charset-normalizer finds; UTF-8 with a few damaged bytes is read with U+FFFD in their place
and a warning naming their byte offsets. Binary files (NUL bytes, control characters) and
undecodable bytes are refused with a ``ReadError`` naming the file."""
from __future__ import annotations

import re

from kg.errors import ReadError

__all__ = ["decode"]

# The most frequent Chinese characters, simplified and traditional: a right decoding of a
# short Chinese text is full of them, a wrong one (Big5 read as GBK or back) is not.
_COMMON = set(
    "的一是不了在人有我他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对"
    "可里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三"
    "已老从动两长知民样现分将外但身些与高意进把法此实二理美点月明其种声全工己话儿者向情部正名定女问"
    "力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却"
    "代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期"
    "死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉"
    "望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条"
    "院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区发展城市治理数字设会议"
    "這們個來國說時為對過還發後從實現學經動點與開關體長問機當間見義產種頭將進麼樣車書東員總邊電區"
    "陽務條熱會議數設發展處應該際級線場報導歲萬億內網統團參選舉辦區縣鄉鎮協議記者"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
_ESCAPED = re.compile(r"[\udc80-\udcff]+")  # bytes that are not UTF-8, under surrogateescape
#: UTF-8 with damage: at least this many well-decoded non-ASCII characters per bad byte
#: (GBK or Big5 text read as UTF-8 gives fewer than one).
GOOD_PER_BAD = 20
_SHOWN = 5  # byte offsets named in the warning


def _cjk_score(text: str) -> int:
    return sum(1 for c in text if c in _COMMON)


def decode(data: bytes, path: str = "<bytes>", warnings: list[str] | None = None) -> tuple[str, str]:
    """Decode ``data``; return ``(text, encoding)``. Refuses binary or undecodable input.

    UTF-8 with a few damaged bytes is decoded with U+FFFD in their place; the warning that
    names the file and the bytes' offsets is appended to ``warnings`` when it is given.
    """
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    nul = body.find(b"\x00")
    if nul >= 0:
        raise ReadError(f"{path}: binary file (NUL byte at offset {nul + 3 * bom}), not text; "
                        "save it as UTF-8 text (UTF-16 is not read)", path=path)
    encoding = "utf-8-sig" if bom else "utf-8"
    try:
        return _check_text(body.decode("utf-8"), path), encoding
    except UnicodeDecodeError as e:
        first = e.start + 3 * bom
    damaged = _damaged_utf8(body, 3 if bom else 0)
    if damaged is not None:
        text, offsets, bad, places = damaged
        if warnings is not None:
            warnings.append(_damage_warning(path, offsets, bad, places))
        return _check_text(text, path), encoding
    if bom:
        raise ReadError(f"{path}: starts with a UTF-8 BOM but is not UTF-8 (byte offset {first} "
                        "and many more)", path=path)
    return _legacy(data, path)


def _damaged_utf8(data: bytes, shift: int) -> tuple[str, list[int], int, int] | None:
    """UTF-8 but for a few bytes: (text with U+FFFD, byte offsets of the first places, bad
    byte count, places: runs of bad bytes)."""
    escaped = data.decode("utf-8", "surrogateescape")
    runs = list(_ESCAPED.finditer(escaped))
    bad = sum(m.end() - m.start() for m in runs)
    good = len(escaped) - len(escaped.encode("ascii", "ignore")) - bad
    if good < GOOD_PER_BAD * bad:
        return None
    offsets, pos, byte = [], 0, 0
    for m in runs[:_SHOWN]:
        byte += len(escaped[pos:m.start()].encode("utf-8", "surrogateescape"))
        pos = m.start()
        offsets.append(byte + shift)
    return data.decode("utf-8", "replace"), offsets, bad, len(runs)


def _damage_warning(path: str, offsets: list[int], bad: int, places: int) -> str:
    where = ", ".join(map(str, offsets)) + (", …" if places > len(offsets) else "")
    return (f"{path}: {bad} byte(s) not valid UTF-8 in {places} place(s) (at byte offset {where}), "
            "read as U+FFFD; the rest of the file is UTF-8")


def _legacy(data: bytes, path: str) -> tuple[str, str]:
    """Not UTF-8: GB18030 or Big5, whichever reads as common Chinese, else charset-normalizer."""
    found = {}
    for enc in ("gb18030", "big5"):
        try:
            found[enc] = data.decode(enc)
        except UnicodeDecodeError:
            continue
    if found:
        enc = max(found, key=lambda e: (_cjk_score(found[e]), e == "gb18030"))
        if _cjk_score(found[enc]) > 0:
            return _check_text(found[enc], path), enc
    return _normalizer(data, path)


def _normalizer(data: bytes, path: str) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.chaos > 0.3:
        raise ReadError(f"{path}: cannot detect the text encoding (not UTF-8, GB18030/GBK or Big5); "
                        "the file may be binary", path=path)
    return _check_text(str(best), path), best.encoding


def _check_text(text: str, path: str) -> str:
    controls = len(_CONTROL.findall(text))
    if controls > max(2, len(text) // 100):
        raise ReadError(f"{path}: binary file ({controls} control characters), not text", path=path)
    return text
