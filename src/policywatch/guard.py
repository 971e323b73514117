"""Pages that are not the policy: bot challenges, error, login and maintenance pages, short text."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Markers of challenge and block pages, as they appear in the markup of real ones.
_CHALLENGE_MARKERS = (
    (b"cf-browser-verification", "a Cloudflare browser check"),
    (b"challenge-platform", "a Cloudflare challenge page"),
    (b"cf_chl_", "a Cloudflare challenge page"),
    (b"sgcaptcha", "a captcha redirect page (SiteGround)"),
    (b"_incapsula_resource", "an Imperva/Incapsula block page"),
    (b"px-captcha", "a PerimeterX captcha page"),
    (b"captcha-delivery.com", "a DataDome captcha page"),
    (b"g-recaptcha", "a captcha page"),
    (b"h-captcha", "a captcha page"),
)
_TITLE_PROBLEMS = (
    (re.compile(r"^just a moment", re.I), "a bot-challenge page ('Just a moment...')"),
    (re.compile(r"attention required", re.I), "a Cloudflare block page ('Attention Required')"),
    (re.compile(r"access denied|forbidden|request blocked|you have been blocked", re.I),
     "an 'access denied' page"),
    (re.compile(r"are you a (human|robot)|verify(ing)? you are human|captcha|bot check", re.I),
     "a bot-challenge page"),
    (re.compile(r"\b(404|not found|page not found|error 5\d\d|internal server error|"
                r"bad gateway|service unavailable)\b", re.I), "an error page"),
    (re.compile(r"maintenance|temporarily unavailable|be right back", re.I), "a maintenance page"),
    (re.compile(r"^(log ?in|sign ?in)\b|\b(log ?in|sign ?in) (to|\|)", re.I), "a login page"),
)  # fmt: skip
_TEXT_PROBLEMS = (
    (re.compile(r"enable javascript and cookies to continue|checking your browser before "
                r"accessing|verify you are human by completing", re.I), "a bot-challenge page"),
    (re.compile(r"\baccess (to this page )?(has been )?denied\b|you don't have permission to "
                r"access", re.I), "an 'access denied' page"),
    (re.compile(r"(down|offline) for (scheduled )?maintenance|undergoing maintenance", re.I),
     "a maintenance page"),
)  # fmt: skip
_LOGIN_PATH = re.compile(r"/(log-?in|sign-?in|signon|auth|sso|accounts?/login)(/|$|\?)", re.I)
# A page whose text is this short cannot hide a policy behind its error words.
_SHORT_PAGE = 3000


def page_problem(body: bytes, title: str, text: str, final_url: str = "") -> str | None:
    """Why this page is not a policy (bot check, error, login ...), or None when it may be one."""
    head = body[:200_000].lower()
    short = len(text) < _SHORT_PAGE
    if short:
        for marker, label in _CHALLENGE_MARKERS:
            if marker in head:
                return f"blocked: {label}"
        for pattern, label in _TEXT_PROBLEMS:
            if pattern.search(text):
                return f"blocked: {label}"
    for pattern, label in _TITLE_PROBLEMS:
        if pattern.search(title) and short:
            return f"not the policy: {label} (title {title[:80]!r})"
    path = urlsplit(final_url).path
    if final_url and _LOGIN_PATH.search(path):
        return f"not the policy: redirected to a login page ({path})"
    return None


def too_short(text: str, min_length: int) -> str | None:
    length = len(text.strip())
    if length < min_length:
        return f"text too short: {length} characters, min_length is {min_length}"
    return None


def shrank(old_text: str, new_text: str) -> str | None:
    """A text that lost more than half its length is more likely a broken page than a policy."""
    old, new = len(old_text.strip()), len(new_text.strip())
    if old and new < old / 2:
        return (
            f"text shrank by more than half ({old:,} -> {new:,} characters); "
            "not archived (use --accept if the change is real)"
        )
    return None


_SCRIPT_BLOCKS = re.compile(rb"<(script|style|noscript|template)\b.*?</\1\s*>", re.I | re.S)
_TAGS = re.compile(rb"<[^>]*>")
_APP_SHELL = re.compile(
    rb"""id=["'](?:root|app|__next|__nuxt|main-app)["']|enable javascript|requires javascript|"""
    rb"""javascript (?:is )?required|you need to enable javascript""",
    re.I,
)
_SHELL_TEXT = 500  # characters of visible text below which a script-built page is empty


def needs_javascript(body: bytes) -> bool:
    """A page whose text is built by its scripts: almost no text, scripts that fill it."""
    head = body[:500_000]
    if b"<script" not in head.lower():
        return False
    visible = _TAGS.sub(b" ", _SCRIPT_BLOCKS.sub(b" ", head))
    length = len(b" ".join(visible.split()))
    return length < _SHELL_TEXT or (length < 2 * _SHELL_TEXT and bool(_APP_SHELL.search(head)))


NEEDS_JAVASCRIPT = (
    "needs JavaScript: the page builds its text with scripts "
    "(set render: auto or render: true for this policy)"
)
