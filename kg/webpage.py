"""The text and metadata of an HTML news page, by trafilatura.

trafilatura finds the main content of the page (navigation, footers, sidebars, scripts,
styles and comments left out) and its metadata (title, date, site name, address, author).
A page where it finds no main content (a fragment, a page of one short paragraph) falls back
to trafilatura's baseline extraction of every paragraph of the body, so a page with text
never gives nothing. Paragraphs and line breaks become lines with a blank line between them.
"""
from __future__ import annotations

import logging

# trafilatura logs what it drops ("discarding data: None") as warnings: not for our users' stderr
logging.getLogger("trafilatura").addHandler(logging.NullHandler())

__all__ = ["html_to_text"]

#: trafilatura's metadata field -> Document.meta key (title, date, source, media as in front matter)
_META = {"title": "title", "date": "date", "url": "source", "sitename": "media", "author": "author"}


def html_to_text(html: str) -> tuple[str, dict]:
    """``(text, meta)`` of an HTML page: one paragraph a line, blank lines between them."""
    import trafilatura

    if not html.strip():
        return "", {}
    tree = _tree(html)
    if tree is None:  # markup without any element (only a comment)
        return "", {}
    found = trafilatura.bare_extraction(tree, with_metadata=True, include_comments=False,
                                        include_tables=True, deduplicate=False)
    text = found.text if found is not None and found.text else ""
    if not text.strip():
        text = trafilatura.baseline(_tree(html))[1]
    meta = {}
    if found is not None:
        meta = {key: " ".join(str(getattr(found, attr)).split()) for attr, key in _META.items()
                if getattr(found, attr, None)}
    lines = [" ".join(line.split()) for line in text.split("\n")]
    text = "\n\n".join(line for line in lines if line)
    return (text + "\n" if text else ""), meta


def _tree(html: str):
    """The page as an lxml tree, a fragment ("<p>…</p>") or plain text put in a body; None
    when there is no element at all."""
    import lxml.html
    from trafilatura import load_html

    tree = load_html(html)
    if tree is not None and tree.tag == "html":
        return tree
    for markup in (html, html.encode("utf-8")):  # bytes: a str with an encoding declaration
        try:
            return lxml.html.document_fromstring(markup)
        except (ValueError, lxml.etree.ParserError):  # an encoding declaration; "Document is empty"
            continue
    return None
