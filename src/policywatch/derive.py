"""A policy's text from its pages: extraction, then the guards that refuse what is not the policy."""

from __future__ import annotations

from typing import Any

from . import extract as extraction
from .config import Policy
from .guard import NEEDS_JAVASCRIPT, needs_javascript, page_problem, too_short
from .page import Page


class Rejected(Exception):
    """The page was fetched but is not a policy version to archive."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def derive_text(
    policy: Policy,
    body: bytes,
    *,
    content_type: str = "",
    charset: str | None = None,
    filename: str = "",
    final_url: str = "",
    accept: bool = False,
    min_length: int | None = None,
) -> extraction.Extraction:
    """Extract a policy's text from raw bytes and refuse pages that are not the policy.

    With accept, a person vouches for the page: only a page with no text at all is refused.
    min_length defaults to the policy's; one page of a several-page policy passes 0.
    """
    if min_length is None:
        min_length = policy.settings.min_length
    try:
        result = extraction.extract(
            body,
            content_type=content_type,
            charset=charset,
            filename=filename,
            select=policy.select,
            remove=policy.remove,
            ignore=policy.ignore,
        )
    except extraction.ExtractionError as exc:
        # A challenge page never carries the selector: say what the page is, not just that;
        # judged on the whole page's text, so a redesigned real page is not called a challenge.
        problem = None
        if exc.kind == "selector":
            whole = _whole_page(body, content_type, charset, filename)
            problem = page_problem(body, whole.title, whole.text, final_url)
        if problem is None and exc.kind == "selector" and needs_javascript(body):
            problem = NEEDS_JAVASCRIPT
        raise Rejected(problem or exc.reason) from None
    if accept:
        problem = too_short(result.text, 1)
    else:
        problem = page_problem(body, result.title, result.text, final_url)
        if problem is None and min_length:
            problem = too_short(result.text, min_length)
            if problem is not None and needs_javascript(body):
                problem = NEEDS_JAVASCRIPT
    if problem is not None:
        raise Rejected(problem)
    return result


def _whole_page(
    body: bytes, content_type: str, charset: str | None, filename: str
) -> extraction.Extraction:
    try:
        return extraction.extract(
            body, content_type=content_type, charset=charset, filename=filename
        )
    except extraction.ExtractionError:
        return extraction.Extraction(text="", kind=extraction.HTML)


def derive_pages(policy: Policy, pages: list[Page], accept: bool = False) -> extraction.Extraction:
    """The text of a policy spread over several pages, each refused or kept like one page."""
    from .pages import PAGES_KIND, join

    texts = [derive_page(policy, page, accept, min_length=0).text for page in pages]
    text = join(tuple(p.url for p in pages), texts)
    problem = too_short(text, 1 if accept else policy.settings.min_length)
    if problem is not None:
        raise Rejected(problem)
    return extraction.Extraction(text=text, kind=PAGES_KIND)


def derive_from_raw(
    policy: Policy, raw: bytes, filename: str, content_type: str = ""
) -> extraction.Extraction:
    """Re-derive an archived snapshot's text from its raw bytes, one page or several."""
    if filename.endswith(".pages.json"):
        from .pages import pages_of

        try:
            pages = pages_of(raw)
        except (ValueError, KeyError, TypeError):
            raise Rejected(f"{filename}: not a readable record of several pages") from None
        return derive_pages(policy, pages)
    return derive_text(policy, raw, content_type=content_type, filename=filename)


def derive_fetched(policy: Policy, pages: list[Page]) -> extraction.Extraction:
    """The text a check would archive from these pages (one page, or several joined)."""
    if len(pages) > 1:
        return derive_pages(policy, pages)
    (page,) = pages
    return derive_page(policy, page)


def derive_page(
    policy: Policy, page: Page, accept: bool = False, min_length: int | None = None
) -> extraction.Extraction:
    """derive_text of one fetched or rendered page."""
    return derive_text(
        policy,
        page.body,
        content_type=page.content_type,
        charset=page.charset,
        final_url=page.final_url,
        accept=accept,
        min_length=min_length,
    )


def extraction_meta(policy: Policy) -> dict[str, Any]:
    return {
        "extractor_version": extraction.EXTRACTOR_VERSION,
        "extraction": policy.extraction_key(),
    }
