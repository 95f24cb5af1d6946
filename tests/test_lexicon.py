"""kg.annotate.lexicon: the file format, longest match, canonical forms."""
from __future__ import annotations

import pytest

from kg.annotate.lexicon import LEXICON_DIR, Lexicon
from kg.document import LABELS
from kg.errors import KGError


@pytest.fixture
def lex(tmp_path):
    (tmp_path / "a.txt").write_text(
        "# comment\n\n书记\tPOST\n副书记\tPOST\n主任\tPOST\n主任委员\tPOST\n"
        "住建部\tORG\t住房和城乡建设部\n合作协议\tAGREEMENT\n战略合作协议\tAGREEMENT\n", encoding="utf-8")
    return Lexicon.load([tmp_path])


def test_lexicon_longest_match(lex):
    text = "市委副书记出席，专家委员会主任委员发言，双方签署战略合作协议。"
    got = [(e.surface, e.label, text[e.start:e.end]) for e in lex.find(text)]
    assert got == [("副书记", "POST", "副书记"), ("主任委员", "POST", "主任委员"),
                   ("战略合作协议", "AGREEMENT", "战略合作协议")]


def test_lexicon_canonical_and_entries(lex):
    [e] = lex.find("住建部专家")
    assert (e.start, e.end, e.canonical) == (0, 3, "住房和城乡建设部")
    assert lex.canonical("住建部", "ORG") == "住房和城乡建设部"
    assert lex.canonical("书记", "POST") == "书记"
    assert lex.canonical("书记", "ORG") is None and lex.canonical("局长") is None
    assert [e.surface for e in lex.entries("AGREEMENT")] == ["合作协议", "战略合作协议"]
    assert len(lex) == 7 and "主任" in lex


@pytest.mark.parametrize("line", ["书记", "书记\tBOSS", "\tPOST"])
def test_lexicon_bad_line_names_file_and_line(tmp_path, line):
    p = tmp_path / "bad.txt"
    p.write_text(f"# header\n{line}\n", encoding="utf-8")
    with pytest.raises(KGError, match=r"bad.txt: line 2"):
        Lexicon.load([p])


def test_lexicon_default_is_cached_and_general():
    lex = Lexicon.default()
    assert lex is Lexicon.default()
    assert {e.label for e in lex.entries()} <= set(LABELS)
    for surface, label in [("书记", "POST"), ("院士", "POST"), ("谅解备忘录", "AGREEMENT"),
                           ("签约仪式", "EVENT"), ("发改委", "ORG")]:
        assert lex.canonical(surface, label), surface
    assert lex.canonical("发展改革委", "ORG") == "发展和改革委员会"
    for f in LEXICON_DIR.glob("*.txt"):  # every file explains the format
        assert f.read_text(encoding="utf-8").startswith("#")
