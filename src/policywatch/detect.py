"""Find data-practice language in clauses and flag what a change adds or removes.

A mention is a match of a category's patterns. Its sentence decides how much it weighs:
negated or disclaimed ("we do not collect biometric data"), a first-person practice ("we may
collect ..."), or a quoted legal definition ("... as defined in Cal. Civ. Code 1798.140").
Where the patterns match is search.py's; what an ambiguous word needs around it, frames.py's;
how a clause's flag reads against the whole documents, novelty.py's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from . import frames
from .category import Category, milder
from .flag import Flag
from .search import first_matches, matches, matches_in

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[^a-z])|\n+")
_NEGATION = re.compile(
    r"\b(?:not|never|no|none|neither|nor|no longer|don[’']t|doesn[’']t|didn[’']t|won[’']t|"
    r"cannot|can[’']t|isn[’']t|aren[’']t|refrain from)\b",
    re.IGNORECASE,
)
# Between a negation and the term, these end the negation's reach. "However" does not ("we do
# not, however, sell"), nor does a parenthesis; a condition does ("X will not work if you
# refuse cookies" denies nothing about cookies), and "without" is no denial at all.
_RESET = re.compile(
    r"\b(?:but|except|unless|although|though|other than|instead|if|when|whether)\b|[;:]", re.I
)
_PARENTHESIS = re.compile(r"\([^()]*\)")
# A denial of a manner is none of the practice: "We don't automatically track your precise
# location" leaves tracking it when you allow it (Reddit 2023, beside "more specific location
# information if you authorize your device"); "automatically or otherwise" is every manner, a
# denial still.
_MANNER = re.compile(r"\s+(?:automatically|by default)\b(?!,?\s+or\b)", re.IGNORECASE)
# After the term, an exception means the practice happens after all.
_EXCEPTION = re.compile(r"\b(?:except|unless|other than|apart from|besides)\b", re.IGNORECASE)
# After the term: "... is not collected", "children under 13 may not use the Services".
_POSTFIX_NEGATION = re.compile(
    r"^[^.;]{0,40}?\b(?:is|are|will be|be|was|were|may|must|can|shall)\s+(?:not|never)\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:we|us|our)\b", re.IGNORECASE)
_PRACTICE_VERB = re.compile(
    r"\b(?:collect|use|process|share|sell|disclos|store|retain|obtain|receiv|analy[sz]|creat|"
    r"generat|train|infer|transfer|access|scan|record|keep|combin|match|verif|send|rely|"
    r"requir|ask|captur|extract|identif)\w*",
    re.IGNORECASE,
)
# A quoted legal definition. Not "this means that" (an explanation) nor "where permitted by
# law" or "as required by law" (conditions of a practice, not definitions).
_DEFINITION = re.compile(
    r"\b(?:as defined|is defined|are defined|defined (?:in|under|by)|"
    r"(?<!this )(?<!which )(?<!that )means(?! that)|refers to|the term|"
    r"categories of (?:personal|sensitive) information|1798\.\d+|civ(?:il)?\.? code|"
    r"this category (?:covers|includes)|examples include|these characteristics include|"
    # The CCPA's own enumerations (1798.140(v)(1)(A), (c), (v)(1)(F), protected classes)
    r"real name, alias, postal address|40 years or older|"
    r"physiological, behaviou?ral,? and biological characteristics|"
    r"information regarding (?:a consumer[’']s |your )?interactions? with|"
    r"under (?:applicable |california |illinois |state |federal |u\.s\. |us )?laws?|"
    r"statutes?|regulations? (?:define|consider))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Mention:
    category: str
    term: str
    start: int
    end: int
    negated: bool
    definition: bool
    first_person: bool
    admission: bool = False  # "... may be deemed a 'sale'"

    @property
    def key(self) -> str:
        return term_of(self.term)


def term_of(words: str) -> str:
    """A term as flags give it: lower case, its white space single spaces."""
    return " ".join(words.lower().split())


_REACH = 800  # characters looked at on each side of a match to find its sentence
_LOOKBACK = 400  # how far back in its sentence a negation can reach a term


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the sentence around a match (looking no further than _REACH each way)."""
    left = max(0, start - _REACH)
    begin = left
    for boundary in _SENTENCE_END.finditer(text, left, start):
        begin = boundary.end()
    if begin == left and left > 0:
        begin = start - min(start, 200)
    following = _SENTENCE_END.search(text, end, min(len(text), end + _REACH))
    return begin, following.start() if following else min(len(text), end + _REACH)


# Names of rights and links, not denials: "Do Not Sell or Share My Personal Information".
_NOT_A_DENIAL = re.compile(r"\bdo not (?:sell|share)(?: (?:or|and|/) (?:sell|share))? my\b", re.I)


# "... may be deemed a 'sale'": an admission, whatever denial came before it in the sentence
# ("Although we do not sell your personal information for money, our sharing ... may be deemed
# a sale"). TAXONOMY.md: the change from a negation to such an admission is the one to catch.
_ADMISSION = re.compile(
    r"\b(?:considered|deemed|treated as|regarded as|constitutes?|qualif(?:y|ies) as)"
    r"\s+(?:an?\s+|the\s+)?(?:[“\"'‘]?\w+[”\"'’]?,?\s+(?:or|and|and/or)\s+(?:an?\s+)?)?[“\"'‘]?$",
    re.IGNORECASE,
)
# An exception belongs to the verb it follows: in "we neither sell X nor share Y except ...",
# or "we do not sell X and do not share Y except ...", it is not an exception to the selling.
_NEXT_CLAUSE = re.compile(r"\b(?:nor|not|never|don[’']t|doesn[’']t)\b|;", re.IGNORECASE)
# The negation denies a state, not the practice that follows: "deleting your account where your
# phone has not been online for 120 days".
_STATE = re.compile(
    r"\b(?:been|be)\s+(?!(?:\w+\s+)?(?:\w*(?:collect|us|shar|sold|sell|disclos|stor|retain|kept|"
    r"keep|process|transfer|track|record|provid|access|obtain|receiv|combin|link|train|infer)))\w+",
    re.IGNORECASE,
)


def _negated(before: str, term: str, after: str) -> bool:
    if _ADMISSION.search(before):
        return False
    context = before + term + after[:40]
    names = [m.span() for m in _NOT_A_DENIAL.finditer(context)]
    cues = [c for c in _NEGATION.finditer(before) if not any(a <= c.start() < b for a, b in names)]
    if cues and not _MANNER.match(before, cues[-1].end()):
        tail = _PARENTHESIS.sub(" ", before[cues[-1].end() :])
        own = _NEXT_CLAUSE.split(after, maxsplit=1)[0]
        if not _RESET.search(tail) and not _EXCEPTION.search(own) and not _STATE.search(tail):
            return True
    return bool(_POSTFIX_NEGATION.search(after))


_TRAP_REACH = 240  # characters before a match where a false positive covering it may begin


def _excluded(text: str, match: re.Match[str], category: Category) -> bool:
    """Whether a known false positive ("coded into our DNA") covers the match."""
    start, end = match.span()
    traps = matches_in(
        category, text, max(0, start - _TRAP_REACH), min(len(text), end + 80), exclusions=True
    )
    return any(trap.start() <= start and end <= trap.end() for trap in traps)


def read_mention(
    text: str, match: re.Match[str], category: Category, framed: bool = True, lead: str = ""
) -> Mention | None:
    """A match read in its sentence; None when a known false positive covers it, or when an
    ambiguous word ("sell", "cookies") stands outside a data-practice frame (unless framed is
    False: any sense of the word will do). `lead` leads in the text when it is a list item."""
    if category.excludes and _excluded(text, match, category):
        return None
    s_start, s_end = sentence_span(text, match.start(), match.end())
    sentence = text[s_start:s_end]
    ambiguous = category.ambiguous_pattern
    if (
        framed
        and ambiguous is not None
        and ambiguous.fullmatch(match.group(0))
        and not frames.framed(sentence, (match.start() - s_start, match.end() - s_start), category)
        and not frames.framed_by_lead_in(text, s_start, sentence, match, category, lead)
    ):
        return None
    before = text[max(s_start, match.start() - _LOOKBACK) : match.start()]
    after = text[match.end() : s_end]
    admission = bool(_ADMISSION.search(before))
    first_person = bool(_FIRST_PERSON.search(sentence) and _PRACTICE_VERB.search(sentence))
    return Mention(
        category=category.id,
        term=match.group(0),
        start=match.start(),
        end=match.end(),
        negated=_negated(before, match.group(0), after),
        definition=bool(_DEFINITION.search(sentence)) and not first_person,
        first_person=first_person,
        admission=admission,
    )


def mentions(
    text: str, taxonomy: Iterable[Category], lowered: str | None = None, lead: str = ""
) -> list[Mention]:
    """Every mention of every category in a text, in order of position; `lead` is what leads
    the text in, when it is a list item."""
    lowered = text.lower() if lowered is None else lowered
    found = [
        mention
        for category in taxonomy
        for match in matches(text, lowered, category)
        if (mention := read_mention(text, match, category, lead=lead)) is not None
    ]
    found.sort(key=lambda m: (m.start, m.category))
    return found


def _terms(found: Sequence[Mention]) -> list[str]:
    return list(dict.fromkeys(m.key for m in found))


def flags_for(
    old_text: str, new_text: str, taxonomy: Sequence[Category], leads: tuple[str, str] = ("", "")
) -> list[Flag]:
    """The categories a change adds (or grows) and removes (or shrinks); `leads` lead in the
    old and the new text where each is a list item."""
    if old_text == new_text:
        return []
    old = mentions(old_text, taxonomy, lead=leads[0]) if old_text else []
    new = mentions(new_text, taxonomy, lead=leads[1]) if new_text else []
    flags = []
    for category in taxonomy:
        old_pos = [m for m in old if m.category == category.id and not m.negated]
        new_pos = [m for m in new if m.category == category.id and not m.negated]
        old_neg = [m for m in old if m.category == category.id and m.negated]
        new_neg = [m for m in new if m.category == category.id and m.negated]
        old_terms = set(_terms(old_pos))
        if new_pos:
            fresh = [m for m in new_pos if m.key not in old_terms]
            if fresh:
                # Only a denial the company made in its own name ("we do not sell") counts.
                was_negated = any(m.first_person for m in old_neg) and not old_pos
                only_definitions = all(m.definition for m in fresh)
                severity = category.severity
                if was_negated:
                    severity = "critical"
                elif only_definitions:
                    severity = milder(severity)
                flags.append(
                    Flag(
                        category.id,
                        "added",
                        tuple(_terms(fresh)),
                        severity,
                        was_negated=was_negated,
                        definition=only_definitions,
                        positions=tuple((m.start, m.end) for m in fresh),
                        admission=any(m.admission for m in fresh),
                    )
                )
        new_terms = set(_terms(new_pos))
        gone = [m for m in old_pos if m.key not in new_terms]
        if gone:
            flags.append(
                Flag(
                    category.id,
                    "removed",
                    tuple(_terms(gone)),
                    milder(category.severity) if new_pos else category.severity,
                    negated=bool(new_neg) and not new_pos,
                    definition=all(m.definition for m in gone),
                    positions=tuple((m.start, m.end) for m in gone),
                )
            )
    return flags


def present(text: str, category: Category, lowered: str | None = None) -> bool:
    """Whether a text mentions a category other than to deny it (stops at the first)."""
    lowered = text.lower() if lowered is None else lowered
    for match in first_matches(text, lowered, category):
        mention = read_mention(text, match, category)
        if mention is not None and not mention.negated and not a_name(text, match.start()):
            return True
    return False


TITLE_WORDS = 6  # a title: "Your Contacts.", "Direct Messages Are Private.", "Sale."
LABEL_WORDS = 8  # a label before a colon or a dash: "Data Sharing: We do not sell ..."
COMPANY_VOICE = re.compile(r"\b(?:we|us|our)\b", re.IGNORECASE)  # "We collect faceprints."
LABEL_END = re.compile(r":\s|\s[–—-]\s")


def a_name(text: str, at: int) -> bool:
    """Whether a position of a canonical text stands in a name rather than a statement: a
    heading, a label before a colon or a dash ("Children's Data: ..."), or a short sentence in
    which the company does not speak ("Children's Personal Information."). A short list item
    or table cell is a statement of a kind of data ("- Biometric information")."""
    line = text.rfind("\n", 0, at) + 1
    if text.startswith("#", line):
        return True
    begin, end = sentence_span(text, at, at)
    label = LABEL_END.search(text, begin, end)
    if (
        label is not None
        and at < label.start()
        and len(text[begin : label.start()].split()) <= LABEL_WORDS
        and not COMPANY_VOICE.search(text, begin, label.start())
    ):
        return True
    return title(text[begin:end], listed=bool(frames.LIST_LINE.match(text, line)))


def title(sentence: str, listed: bool = False) -> bool:
    """Whether a short sentence only names something: six words or fewer, the company not
    speaking, not ending as list items do; in a list item or table cell ("- Biometric
    information" under "We collect:"), only when written in capitals ("2. DIRECT MESSAGES ARE
    PRIVATE" in a table of contents)."""
    words = sentence.split()
    if len(words) > TITLE_WORDS or COMPANY_VOICE.search(sentence):
        return False
    if sentence.rstrip().endswith((";", ",", ":")):
        return False
    return not listed or sentence.upper() == sentence


_ENGLISH = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "we",
        "you",
        "your",
        "our",
        "with",
        "for",
        "is",
        "are",
        "may",
        "this",
        "that",
    ]
)


def english(text: str) -> bool:
    """Whether a text reads as English: its commonest words are English ones."""
    sample = re.findall(r"[a-zà-ÿ]+", text[:20_000].lower())
    return not sample or sum(w in _ENGLISH for w in sample) >= 0.08 * len(sample)
