"""Bytes of a page -> the policy's text, one block (heading, paragraph, list item, table row) a line.

The text is markdown-like: `#` headings, `-` or `1.` list items, `|` table rows, blank lines
between blocks. Link targets are dropped (they are the largest source of false changes), and
everything that is not content (white space, invisible characters, tracking parameters) is
normalised away. An HTML page's blocks are written by htmltext.py; without selectors, body.py
finds the policy's body among them.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag, XMLParsedAsHTMLWarning

from .body import Dropped, drop_link_dense, main_content, strip_boilerplate
from .canonical import (
    MarkdownError,
    join_blocks,
    markdown_blocks,
    normalise_inline,
    plain_blocks,
    text_block,
)
from .htmltext import render, strip_non_content, unhide_cfemail

# Bump when a change here, in htmltext.py, body.py or canonical.py changes the text derived from
# the same bytes.
EXTRACTOR_VERSION = 3  # 2: text and markdown keep their lines; 3: one canonical text (canonical.py)

HTML, PDF, TEXT, MARKDOWN = "html", "pdf", "text", "markdown"


class ExtractionError(Exception):
    """The page holds no usable policy text; the message says why."""

    def __init__(self, reason: str, *, kind: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


@dataclass(frozen=True)
class Extraction:
    text: str
    kind: str  # html, pdf or text
    title: str = ""


# ---------------------------------------------------------------------------------------------
# Bytes to characters


def sniff_kind(body: bytes, content_type: str = "", filename: str = "") -> str:
    """html, pdf or text, from the body first, then the declared type or file name."""
    head = body[:1024].lstrip()
    if head.startswith(b"%PDF-"):
        return PDF
    lowered = head[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in lowered:
        return HTML
    name = filename.lower()
    if content_type == "text/markdown" or name.endswith((".md", ".markdown")):
        return MARKDOWN
    if content_type in ("text/html", "application/xhtml+xml") or name.endswith((".html", ".htm")):
        return HTML
    if content_type == "application/pdf" or name.endswith(".pdf"):
        return PDF
    if content_type == "text/plain" or name.endswith(".txt"):
        return TEXT
    return HTML if b"<p" in lowered or b"<div" in lowered else TEXT


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)


_LATIN1_LABELS = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii"}


def decode(body: bytes, declared: str | None = None) -> str:
    """Decode a body: BOM, then valid UTF-8, then the declared or meta charset, then detection.

    Valid UTF-8 wins over a declared charset because the common real-world error is UTF-8 served
    as ISO-8859-1, which turns every quote into mojibake; bytes that decode as UTF-8 and carry
    multi-byte characters are almost never meant as anything else.
    """
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if body.startswith(bom):
            return body.decode(codec, errors="replace").lstrip("\ufeff")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    candidates = [declared] if declared else []
    match = _META_CHARSET.search(body[:4096])
    if match:
        candidates.append(match.group(1).decode("ascii", "ignore"))
    if any(c.strip().lower() in ("utf-8", "utf8") for c in candidates):
        # A page that says UTF-8 and is UTF-8 but for a stray byte or two: keep it UTF-8 (the
        # stray bytes become U+FFFD and are dropped), rather than guess a code page for all.
        text = body.decode("utf-8", errors="replace")
        if text.count("\ufffd") <= max(8, len(body) // 2000):
            return text
    for candidate in candidates:
        try:
            codec = candidate.strip().lower()
            if codec in ("utf-8", "utf8"):
                continue
            # As in browsers (WHATWG Encoding): these labels mean windows-1252, whose curly
            # quotes and dashes sit where Latin-1 has invisible control characters.
            codec = "cp1252" if codec in _LATIN1_LABELS else codec
            return body.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    from charset_normalizer import from_bytes  # requests' own detector

    best = from_bytes(body).best()
    if best is not None:
        return str(best)
    return body.decode("cp1252", errors="replace")


# ---------------------------------------------------------------------------------------------
# Inline text normalisation

# Inline normalisation and the block lines live in canonical.py: one form for every source.


# ---------------------------------------------------------------------------------------------
# HTML

# What is never content and the walk that writes the blocks live in htmltext.py; the body of a
# page read without selectors is found in body.py.


def html_fragment_blocks(html: str) -> list[str]:
    """A piece of HTML (inside markdown) as canonical blocks, with what is not content gone."""
    soup = parse_html(f"<body>{html}</body>")
    unhide_cfemail(soup)
    strip_non_content(soup)
    return render([soup.body or soup])


def parse_html(html: str) -> BeautifulSoup:
    # An XHTML page starting with <?xml ...?> is still a page: no warning for cron to mail.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(html, "lxml")


def html_title(soup: BeautifulSoup) -> str:
    title = soup.title.get_text(" ") if soup.title else ""
    return normalise_inline(title)


def extract_html(
    soup: BeautifulSoup,
    select: tuple[str, ...] = (),
    remove: tuple[str, ...] = (),
    dropped: list[Dropped] | None = None,
) -> list[str]:
    """The policy's blocks from a parsed page (the soup is modified).

    Without selectors, the link-dense blocks left out around the body are added to `dropped`.
    """
    unhide_cfemail(soup)
    for selector in remove:
        for tag in soup.select(selector):
            if not tag.decomposed:
                tag.decompose()
    strip_non_content(soup)
    if select:
        roots: list[Tag] = []
        for selector in select:
            roots.extend(t for t in soup.select(selector) if t not in roots)
        if not roots:
            shown = ", ".join(select)
            raise ExtractionError(f"selector matched nothing: {shown}", kind="selector")
        # Selected elements nested in each other would be rendered twice.
        roots = [r for r in roots if not any(p in roots for p in r.parents)]
        return render(roots)
    strip_boilerplate(soup)
    roots = main_content(soup)
    left_out = drop_link_dense(roots)  # menus and footers in plain <div>s (body.py)
    if dropped is not None:
        dropped.extend(left_out)
    return render(roots)


# ---------------------------------------------------------------------------------------------
# PDF and plain text

_PAGE_NUMBER = re.compile(r"^\s*(page\s*)?\d{1,4}(\s*(/|of)\s*\d{1,4})?\s*$", re.I)


def _paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs with wrapped lines joined."""
    blocks: list[str] = []
    for raw in re.split(r"\n\s*\n|\f", text):
        lines = [normalise_inline(line) for line in raw.splitlines()]
        lines = [line for line in lines if line and not _PAGE_NUMBER.match(line)]
        if lines:
            blocks.append(text_block(" ".join(lines)))
    return blocks


def extract_pdf(body: bytes) -> list[str]:
    from pdfminer.high_level import extract_text  # heavy import, only for PDFs
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        text = extract_text(io.BytesIO(body))
    except (PDFSyntaxError, ValueError, TypeError, KeyError, AssertionError) as exc:
        raise ExtractionError(f"not a readable PDF ({type(exc).__name__})", kind="pdf") from None
    except Exception as exc:  # pdfminer raises many private error types on broken files
        raise ExtractionError(f"not a readable PDF ({type(exc).__name__})", kind="pdf") from None
    return _paragraphs(text)


def extract_text_body(text: str) -> list[str]:
    """Plain text: words (never markup), its lines kept; a bulleted line is a list item."""
    return plain_blocks(text)


def extract_markdown(text: str) -> list[str]:
    """Markdown through a CommonMark parser, written as the HTML renderer writes a page."""
    try:
        return markdown_blocks(text)
    except MarkdownError as exc:
        raise ExtractionError(str(exc), kind="markdown") from None


# ---------------------------------------------------------------------------------------------
# The whole step


def apply_ignore(blocks: list[str], ignore: tuple[str, ...]) -> list[str]:
    """Drop the lines that match a policy's `ignore` expressions."""
    if not ignore:
        return blocks
    patterns = [re.compile(p) for p in ignore]
    kept = []
    for block in blocks:
        lines = [ln for ln in block.split("\n") if not any(p.search(ln) for p in patterns)]
        if lines:
            kept.append("\n".join(lines))
    return kept


def extract(
    body: bytes,
    *,
    content_type: str = "",
    charset: str | None = None,
    filename: str = "",
    select: tuple[str, ...] = (),
    remove: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
) -> Extraction:
    """Policy text from raw bytes; raises ExtractionError when there is none to be had."""
    kind = sniff_kind(body, content_type, filename)
    title = ""
    if kind == PDF:
        blocks = extract_pdf(body)
    elif kind == HTML:
        soup = parse_html(decode(body, charset))
        title = html_title(soup)
        blocks = extract_html(soup, select, remove)
    elif kind == MARKDOWN:
        blocks = extract_markdown(decode(body, charset))
    else:
        blocks = extract_text_body(decode(body, charset))
    blocks = apply_ignore(blocks, ignore)
    return Extraction(text=join_blocks(blocks), kind=kind, title=title)
