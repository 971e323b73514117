"""Word senses: the frame an ambiguous word ("sell", "sharing", "cookies", "UK") needs around it
to be a data practice, in its own sentence or in what leads in the list it stands in (issue 13:
such words count only inside a data-practice frame)."""

from __future__ import annotations

import re

from .category import Category
from .segment import last_sentence

LIST_LINE = re.compile(r"(?:- |\| |\d{1,9}\. )")  # a canonical text's list item or table row


# A data-practice frame: what an ambiguous word ("sell", "sharing", "cookies") needs around it
# in its sentence to be a practice: a verb of collecting, using, sharing, keeping or inferring,
# and personal data or a recipient.
_FRAME_VERB = re.compile(
    r"\b(?:collect|use|using|process|shar|sell|sold|sale|disclos|stor|retain|keep|kept|"
    r"obtain|receiv|gather|infer|transfer|provid|access|track|record|place|set|serv|read|"
    r"delet|eras|remov|destroy|purg|hold|held|"
    r"combin|link|identif|measur|analy[sz]|target)\w*",
    re.IGNORECASE,
)
_DATA_OR_RECIPIENT = re.compile(
    r"\b(?:personal|data|information|info|identifiers?|details|profiles?|activit(?:y|ies)|"
    r"browsing|device|e-?mail|phone numbers?|addresses|location|history|"
    r"third[- ]part(?:y|ies)|partners?|advertisers?|affiliates?|vendors?|service providers?|"
    r"brokers?|companies|authorities|agencies|governments?|police|courts?|law enforcement)\b",
    re.IGNORECASE,
)


def in_frame(sentence: str, term_span: tuple[int, int]) -> bool:
    """Whether a sentence frames a term as a data practice: a practice verb besides the term
    itself, or the term as the verb, and personal data or a recipient."""
    a, b = term_span
    rest = sentence[:a] + " " + sentence[b:]
    verb = _FRAME_VERB.search(sentence[a:b]) or _FRAME_VERB.search(rest)
    return bool(verb) and bool(_DATA_OR_RECIPIENT.search(rest))


def framed(sentence: str, term_span: tuple[int, int], category: Category) -> bool:
    """Whether an ambiguous term stands in its category's frame (its own patterns, looked for
    in the whole sentence, or in_frame's)."""
    a, b = term_span
    for word, frame in category.word_frames:
        if word.fullmatch(sentence[a:b]):
            return bool(frame.search(sentence))
    if category.frame_pattern is None:
        return in_frame(sentence, term_span)
    return bool(category.frame_pattern.search(sentence))


def framed_by_lead_in(
    text: str, s_start: int, sentence: str, match: re.Match[str], category: Category, lead: str
) -> bool:
    """Whether a list item's ambiguous word stands in the frame of what leads the list in: the
    item continues its heading ("How We Use the Information We Collect: - For marketing and
    advertising purposes") or the sentence before it that ends in a colon. `lead` leads in a
    text that is itself a list item (segment.lead_in_of)."""
    lead = lead_in(text, s_start) or lead
    if not lead:
        return False
    shift = len(lead) + 1 - s_start
    return framed(f"{lead} {sentence}", (match.start() + shift, match.end() + shift), category)


_LEAD_REACH = 4000  # characters looked back over a list's earlier items for what leads it in


def lead_in(text: str, at: int) -> str:
    """What leads in the list whose item holds `at`: the item it is nested in, its heading's
    words, or the last sentence of the paragraph before it when that ends in a colon; "" for
    text not in a list item (segment.lead_in_of says the same of a clause)."""
    line = text.rfind("\n", 0, at) + 1
    indent = _indent(text, line)
    if not LIST_LINE.match(text, line + indent):
        return ""
    floor = max(0, line - _LEAD_REACH)
    end = line
    while end > floor:
        start = text.rfind("\n", 0, end - 1) + 1
        raw = text[start:end]
        row = raw.strip()
        end = start
        if not row or row.startswith("|"):
            continue
        item = LIST_LINE.match(row)
        if item is not None:
            if _indent(raw, 0) >= indent:
                continue
            return last_sentence(row[item.end() :])  # the item it is nested in
        if row.startswith("#"):
            return row.lstrip("#").strip()
        if row.endswith(":"):
            return last_sentence(row)
        return ""
    return ""


def _indent(text: str, line: int) -> int:
    """How far a line of a canonical text is indented: a nested list item's depth."""
    end = text.find("\n", line)
    row = text[line : end if end >= 0 else len(text)]
    return len(row) - len(row.lstrip(" "))
