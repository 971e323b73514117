"""The canonical text: what every version becomes before anything compares it.

Fetched HTML, rendered pages, PDFs, plain text and markdown files all end here, in one form:

    # Heading            (one to six #, a space, the heading's words)
    A paragraph's words, on one line
    - a list item        (nested items indented two spaces a level; "1. " for ordered lists)
    | a | table | row |

one block a line (a <br> inside a block continues it on the next line, indented like the
block), blank lines between blocks. A line of words that would read as one of those markers
starts with a backslash, so policy text is never taken for structure. Link targets, HTML
entities, emphasis, images and invisible characters are gone; only the words stay.

Markdown goes through a CommonMark parser (markdown-it.rs, through markdown-it-pyrs: the
markdown-it-py parser took 0.07 s a side on the 720 KB stress pair, this one 0.01 s) whose tree
is written with the same block lines as HTML (see `htmltext._Renderer`), so links, entities,
emphasis and nesting are dealt with here, once.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from markdown_it_pyrs import MarkdownIt, Node

# ---------------------------------------------------------------------------------------------
# Inline text

# U+FFFD is what a parser makes of a stray NUL or broken byte, and control characters (terminal
# escapes among them) are never policy text: both are dropped.
_INVISIBLE = dict.fromkeys(
    [
        *map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\ufffd"),
        *range(0x00, 0x09),
        *range(0x0E, 0x20),
        *range(0x7F, 0xA0),
    ],
    None,
)
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2002\u2003\u2009\t\r\f\v"), " ")
_ODD = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\xa0\u2002\u2003\u2007\u2009\u202f\u200b-\u200d\u2060\ufeff\ufffd\xad]"
)
BREAK = "\x01"  # a <br> inside a block; becomes a newline after white space is folded
_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_TRACKING = re.compile(
    r"^(utm_[a-z]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_ga|_gl|yclid|igshid|ref_src)$", re.I
)


def _strip_tracking(match: re.Match[str]) -> str:
    url = match.group(0)
    base, sep, query = url.partition("?")
    if not sep:
        return url
    query, hash_sep, fragment = query.partition("#")
    kept = [p for p in query.split("&") if p and not _TRACKING.match(p.split("=", 1)[0])]
    rebuilt = base + ("?" + "&".join(kept) if kept else "")
    return rebuilt + (hash_sep + fragment if hash_sep else "")


def normalise_inline(text: str) -> str:
    """One block's text: invisible characters gone, white space folded, tracking removed.

    A BREAK (a <br>) is the only line break that survives.
    """
    if (  # the common case, checked at C speed: folded already, nothing invisible
        text.isprintable()
        and "  " not in text
        and "\ufffd" not in text
        and text[:1] != " "
        and text[-1:] != " "
    ):
        return _URL.sub(_strip_tracking, text) if "http" in text else text
    lines = []
    odd = _ODD.search(text) is not None
    for part in text.split(BREAK):
        if odd:
            part = part.translate(_SPACES).translate(_INVISIBLE)
        part = " ".join(part.split())
        if part:
            lines.append(part)
    if not lines:
        return ""
    joined = "\n".join(lines)
    return _URL.sub(_strip_tracking, joined) if "http" in joined else joined


# ---------------------------------------------------------------------------------------------
# Block lines

# What a line of the canonical text may start with to be structure rather than words.
_MARKER = re.compile(r"(?:#{1,6}(?: |$)|[-*+•●▪◦‣](?: |$)|\d{1,9}[.)](?: |$)|\||\\|>)")


def escape_start(line: str) -> str:
    """A line of words that would read as a heading, an item or a row: a backslash first."""
    return "\\" + line if line and _MARKER.match(line) else line


def words_block(lead: str, text: str, continuation: str, *, marked: bool) -> str:
    """A block's lines: the lead (a list marker, or indentation) and then its words."""
    if "\n" not in text:
        return lead + (text if marked else escape_start(text))
    first, *rest = text.split("\n")
    head = lead + (first if marked else escape_start(first))
    return "\n".join([head, *(continuation + escape_start(x) for x in rest)])


def row_line(cells: list[str], indent: str = "") -> str:
    """A table row; empty cells at its end are layout (a row shorter than the header)."""
    cells = list(cells)
    while cells and not cells[-1]:
        cells.pop()
    return indent + "| " + " | ".join(c.replace("\n", " ").replace("|", "/") for c in cells) + " |"


def join_blocks(blocks: list[str]) -> str:
    """Blocks a blank line apart, the last line ended: the newline goes on the last block, not
    on a copy of the whole text (0.5 ms for 720 KB of markdown)."""
    return "\n\n".join([*blocks[:-1], blocks[-1] + "\n"]) if blocks else ""


# ---------------------------------------------------------------------------------------------
# Plain text: words, with paragraphs, bullets and numbered lines as a reader sees them

_BULLET_LINE = re.compile(r"^([-*+•●▪◦‣])\s+|^(\d{1,9})[.)]\s+")


def text_block(text: str) -> str:
    """A paragraph of plain text or PDF; a leading bullet or number makes it a list item."""
    bullet = _BULLET_LINE.match(text)
    if bullet is None:
        return words_block("", text, "", marked=False)
    lead = f"{bullet.group(2)}. " if bullet.group(2) else "- "
    return words_block(lead, text[bullet.end() :], "  ", marked=True)


def plain_blocks(text: str) -> list[str]:
    """Plain text as canonical blocks: blank-line separated, its lines kept."""
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            blocks.append(text_block("\n".join(current)))
            current.clear()

    for line in text.splitlines():
        folded = normalise_inline(line)
        if not folded:
            flush()
        elif _BULLET_LINE.match(folded):
            flush()  # each bulleted line is an item of its own
            current.append(folded)
        else:
            current.append(folded)
    flush()
    return blocks


def from_plain(text: str) -> str:
    """Plain text as canonical text."""
    return join_blocks(plain_blocks(text))


# ---------------------------------------------------------------------------------------------
# Markdown

# Emphasis markers the parser left as text ("**Term****:**", "****"): never words.
_EMPTY_EMPHASIS = re.compile(r"\*{2,}|(?<![\w_])_{2,}(?![\w_])")
# An escaped link whose target stayed as text: "\[term\](#annotation-35)" reads "[term]".
_FRAGMENT_TARGET = re.compile(r"(?<=\])\(#[^()\s]*\)")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it_pyrs import MarkdownIt

    return MarkdownIt("commonmark").enable_many(["table", "strikethrough"])


def _mail_suffix(href: str, words: str) -> str:
    """A mailto link's address, when its words do not show it: how to reach a company is content."""
    if not href.lower().startswith("mailto:"):
        return ""
    address = href[7:].split("?", 1)[0].strip()
    if not address or address.lower() in words.lower():
        return ""
    return f" ({address})"


_BR_TAG = re.compile(r"^<br\s*/?>$", re.I)
_BLOCK_NODES = frozenset(
    {
        "paragraph", "heading", "lheading", "bullet_list", "ordered_list", "list_item", "table", "blockquote",
        "code_block", "fence", "html_block", "hr", "thead", "tbody", "trow", "tcell",
    }
)  # fmt: skip


def _inline_words(nodes: Iterable[Node], out: list[str]) -> None:
    """The words of inline nodes: text and code, links without targets, <br> as a break."""
    for node in nodes:
        name = node.name
        if name in ("text", "text_special"):
            out.append(node.meta.get("content", ""))
        elif name == "softbreak":
            out.append(" ")
        elif name == "hardbreak":
            out.append(BREAK)
        elif name == "link":
            start = len(out)
            _inline_words(node.children, out)
            out.append(_mail_suffix(str(node.meta.get("url", "")), "".join(out[start:])))
        elif name == "html_inline":
            if _BR_TAG.match(str(node.meta.get("content", "")).strip()):
                out.append(BREAK)
        elif name != "image":  # emphasis, strikethrough, code: their words
            _inline_words(node.children, out)


def _inline_text(nodes: Sequence[Node]) -> str:
    if len(nodes) == 1 and nodes[0].name == "text":  # the commonest paragraph: words alone
        text = nodes[0].meta.get("content", "")
    else:
        out: list[str] = []
        _inline_words(nodes, out)
        text = "".join(out)
    if "](#" in text:
        text = _FRAGMENT_TARGET.sub("", text)
    if "**" in text or "__" in text:
        text = _EMPTY_EMPHASIS.sub("", text)
    return normalise_inline(text)


class _MarkdownWriter:
    """Writes the parsed markdown's blocks as canonical lines, as the HTML renderer does."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.prefix = ""  # the marker of a list item whose first block is still to come
        self.continuation = ""
        self.depth = 0

    def words(self, text: str) -> None:
        if not text:
            return
        if self.prefix:
            self.blocks.append(words_block(self.prefix, text, self.continuation, marked=True))
            self.prefix = ""
        else:
            lead = self.continuation
            self.blocks.append(words_block(lead, text, self.continuation, marked=False))

    def write(self, nodes: Sequence[Node]) -> list[str]:
        inline: list[Node] = []  # a tight list item's words stand directly in it
        for node in nodes:
            name = node.name
            if name not in _BLOCK_NODES:
                inline.append(node)
                continue
            if inline:
                self.words(_inline_text(inline))
                inline = []
            self.block(node, name)
        if inline:
            self.words(_inline_text(inline))
        return self.blocks

    def block(self, node: Node, name: str) -> None:
        if name == "paragraph":
            self.words(_inline_text(node.children))
        elif name in ("heading", "lheading"):
            text = _inline_text(node.children).replace("\n", " ")
            if text:
                self.blocks.append(f"{'#' * int(node.meta.get('level', 1))} {text}")
        elif name in ("bullet_list", "ordered_list"):
            ordered = name == "ordered_list"
            number = int(node.meta.get("start", 1)) if ordered else 0
            indent = "  " * self.depth
            saved = self.continuation
            self.depth += 1
            for item in node.children:
                self.prefix = indent + (f"{number}. " if ordered else "- ")
                self.continuation = indent + "  "
                self.write(item.children)
                self.prefix = ""
                number += 1
            self.depth -= 1
            self.continuation = saved
        elif name == "table":
            for row in (r for part in node.children for r in part.children):
                cells = [_inline_text(cell.children) for cell in row.children]
                if any(cells):
                    self.blocks.append(row_line(cells, self.continuation))
        elif name == "blockquote":
            self.write(node.children)
        elif name in ("code_block", "fence"):
            content = str(node.meta.get("content", ""))
            self.words(normalise_inline(content.replace("\n", BREAK)))
        elif name == "html_block":
            self.blocks.extend(_html_blocks(str(node.meta.get("content", ""))))


def _html_blocks(html: str) -> list[str]:
    """HTML inside markdown goes through the HTML renderer: the same words either way."""
    from .extract import html_fragment_blocks

    return html_fragment_blocks(html)


class MarkdownError(ValueError):
    """The markdown parser gave up on a text: markdown-it-pyrs panics on some inputs ("`x`[`")."""


def markdown_blocks(text: str) -> list[str]:
    """Markdown as canonical blocks (a CommonMark parse, tables and strikethrough as in GFM)."""
    try:
        tree = _parser().tree(text)
    except BaseException as exc:  # a Rust panic arrives as pyo3's PanicException, no Exception
        if type(exc).__name__ != "PanicException":
            raise
        raise MarkdownError(f"the markdown parser failed on it ({exc})") from None
    return _MarkdownWriter().write(tree.children)


def from_markdown(text: str) -> str:
    """Markdown (a saved .md file, an Open Terms Archive version) as canonical text."""
    return join_blocks(markdown_blocks(text))
