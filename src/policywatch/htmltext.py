"""HTML as canonical blocks: what is never content dropped, then one line per heading, paragraph,
list item or table row, as the page's elements delimit them.

Never content, with selectors or without: the head, scripts, styles, images and embedded media,
form controls, dialogs, comments and hidden elements. Cloudflare's e-mail obfuscation (a fresh token in every fetch) is
decoded to the address it hides. Link targets are dropped, but a `mailto:` address that the
link's words do not show is kept: how to reach a company is policy content.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

from .canonical import BREAK, normalise_inline, row_line, words_block

_DROP_TAGS = (
    "script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "canvas",
    "head", "link", "meta", "button", "input", "select", "textarea", "video", "audio", "picture",
    "img", "map", "dialog",
)  # fmt: skip
_HIDDEN_STYLE = re.compile(r"(display\s*:\s*none|visibility\s*:\s*hidden)", re.I)
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_BLOCKS = {
    "p", "div", "section", "article", "main", "header", "footer", "blockquote", "pre", "figure",
    "figcaption", "address", "details", "summary", "dl", "dt", "dd", "ul", "ol", "li", "table",
    "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "hr", "form", "fieldset", "center",
    "body", "html", "legend", "menu",
}  # fmt: skip
# Nodes of a page that hold no text of it: comments, declarations, the doctype.
NON_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)


def _decode_cfemail(token: str) -> str | None:
    """Cloudflare e-mail obfuscation: a fresh hex token on every fetch hides a fixed address."""
    try:
        data = bytes.fromhex(token)
    except ValueError:
        return None
    if len(data) < 2:
        return None
    key = data[0]
    try:
        return bytes(b ^ key for b in data[1:]).decode("utf-8")
    except UnicodeDecodeError:
        return None


def unhide_cfemail(soup: BeautifulSoup) -> None:
    for element in soup.select("[data-cfemail]"):
        address = _decode_cfemail(str(element.get("data-cfemail", "")))
        element.replace_with(NavigableString(address or ""))


def _is_hidden(tag: Tag) -> bool:
    if tag.has_attr("hidden"):
        return True
    style = tag.get("style")
    return isinstance(style, str) and bool(_HIDDEN_STYLE.search(style))


def strip_non_content(soup: BeautifulSoup) -> None:
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for node in soup.find_all(string=lambda s: isinstance(s, NON_TEXT)):
        node.extract()
    for tag in soup.find_all(_is_hidden):
        if not tag.decomposed:
            tag.decompose()


def _mail_address(link: Tag) -> str:
    """A mailto link's address, when its words do not show it: how to reach the company is content."""
    href = str(link.get("href", "")).strip()
    if not href.lower().startswith("mailto:"):
        return ""
    address = href[7:].split("?", 1)[0].strip()
    if not address or address.lower() in link.get_text().lower():
        return ""
    return f" ({address})"


class _Renderer:
    """Walks the DOM and writes one line per block."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.buffer: list[str] = []
        self.prefix = ""
        self.continuation = ""

    def flush(self) -> None:
        text = normalise_inline("".join(self.buffer))
        self.buffer.clear()
        if not text:
            return
        marked = bool(self.prefix)
        lead = self.prefix or self.continuation
        self.prefix = ""
        self.blocks.append(words_block(lead, text, self.continuation, marked=marked))

    def walk(self, node: Tag, depth: int = 0) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, NON_TEXT):
                    self.buffer.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name == "br":
                self.buffer.append(BREAK)
            elif name in _HEADINGS:
                self.flush()
                self.walk(child, depth)
                self.buffer.insert(0, "#" * _HEADINGS[name] + " ")
                self._flush_as_is()
            elif name == "li":
                self.flush()
                parent = child.parent
                ordered = parent is not None and parent.name == "ol"
                number = len(child.find_previous_siblings("li")) + 1 if ordered else 0
                indent = "  " * depth
                saved = self.continuation
                self.prefix = indent + (f"{number}. " if ordered else "- ")
                self.continuation = indent + "  "
                self.walk(child, depth + 1)
                self.flush()
                self.continuation = saved
                self.prefix = ""
            elif name in ("ul", "ol"):
                self.flush()
                self.walk(child, depth)
                self.flush()
            elif name == "tr":
                self.flush()
                cells = [
                    normalise_inline(cell.get_text(" "))
                    for cell in child.find_all(["td", "th"], recursive=False)
                ]
                if any(cells):
                    self.blocks.append(row_line(cells, self.continuation))
            elif name == "a":
                self.walk(child, depth)
                self.buffer.append(_mail_address(child))
            elif name in _BLOCKS:
                self.flush()
                self.walk(child, depth)
                self.flush()
            else:
                self.walk(child, depth)

    def _flush_as_is(self) -> None:
        text = normalise_inline("".join(self.buffer)).replace("\n", " ")
        self.buffer.clear()
        if text.strip("# "):
            self.blocks.append(text)


def render(roots: list[Tag]) -> list[str]:
    renderer = _Renderer()
    for root in roots:
        renderer.walk(root)
        renderer.flush()
    return renderer.blocks
