"""Find data-practice language in clauses and flag what a change adds or removes.

A mention is a match of a category's patterns. Its sentence decides how much it weighs:
negated or disclaimed ("we do not collect biometric data"), a first-person practice ("we may
collect ..."), or a quoted legal definition ("... as defined in Cal. Civ. Code 1798.140").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from .flag import Flag
from .search import first_matches, matches, matches_in
from .taxonomy import SEVERITIES, Category

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
        return " ".join(self.term.lower().split())


_REACH = 800  # characters looked at on each side of a match to find its sentence
_LOOKBACK = 400  # how far back in its sentence a negation can reach a term


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
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
    if cues:
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


def _framed(sentence: str, term_span: tuple[int, int], category: Category) -> bool:
    """Whether an ambiguous term stands in its category's frame (its own patterns, looked for
    in the whole sentence, or in_frame's)."""
    if category.frame_pattern is None:
        return in_frame(sentence, term_span)
    return bool(category.frame_pattern.search(sentence))


def _mention(
    text: str, match: re.Match[str], category: Category, framed: bool = True
) -> Mention | None:
    """A match read in its sentence; None when a known false positive covers it, or when an
    ambiguous word ("sell", "cookies") stands outside a data-practice frame (unless framed is
    False: any sense of the word will do)."""
    if category.excludes and _excluded(text, match, category):
        return None
    s_start, s_end = _sentence(text, match.start(), match.end())
    sentence = text[s_start:s_end]
    ambiguous = category.ambiguous_pattern
    if (
        framed
        and ambiguous is not None
        and ambiguous.fullmatch(match.group(0))
        and not _framed(sentence, (match.start() - s_start, match.end() - s_start), category)
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


def mentions(text: str, taxonomy: Iterable[Category], lowered: str | None = None) -> list[Mention]:
    """Every mention of every category in a text, in order of position."""
    lowered = text.lower() if lowered is None else lowered
    found = [
        mention
        for category in taxonomy
        for match in matches(text, lowered, category)
        if (mention := _mention(text, match, category)) is not None
    ]
    found.sort(key=lambda m: (m.start, m.category))
    return found


def _terms(found: Sequence[Mention]) -> list[str]:
    return list(dict.fromkeys(m.key for m in found))


def _lower(severity: str) -> str:
    return SEVERITIES[max(0, SEVERITIES.index(severity) - 1)]


def flags_for(old_text: str, new_text: str, taxonomy: Sequence[Category]) -> list[Flag]:
    """The categories a change adds (or grows) and removes (or shrinks)."""
    if old_text == new_text:
        return []
    old = mentions(old_text, taxonomy) if old_text else []
    new = mentions(new_text, taxonomy) if new_text else []
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
                    severity = _lower(severity)
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
                    _lower(category.severity) if new_pos else category.severity,
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
        mention = _mention(text, match, category)
        if mention is not None and not mention.negated and not a_name(text, match.start()):
            return True
    return False


def names_people(sentence: str, subject: Category) -> bool:
    """Whether a sentence names the people of a category's `people` words ("the Child's
    device", "teens"), other than to deny serving them."""
    people = subject.people_pattern
    return people is not None and any(
        not m.negated and people.fullmatch(m.term) and not a_name(sentence, m.start)
        for m in mentions(sentence, [subject])
    )


TITLE_WORDS = 6  # a title: "Your Contacts.", "Direct Messages Are Private.", "Sale."
LABEL_WORDS = 8  # a label before a colon or a dash: "Data Sharing: We do not sell ..."
COMPANY_VOICE = re.compile(r"\b(?:we|us|our)\b", re.IGNORECASE)  # "We collect faceprints."
LABEL_END = re.compile(r":\s|\s[–—-]\s")
_LIST_LINE = re.compile(r"(?:- |\| |\d{1,9}\. )")


def a_name(text: str, at: int) -> bool:
    """Whether a position of a canonical text stands in a name rather than a statement: a
    heading, a label before a colon or a dash ("Children's Data: ..."), or a short sentence in
    which the company does not speak ("Children's Personal Information."). A short list item
    or table cell is a statement of a kind of data ("- Biometric information")."""
    line = text.rfind("\n", 0, at) + 1
    if text.startswith("#", line):
        return True
    begin, end = _sentence(text, at, at)
    label = LABEL_END.search(text, begin, end)
    if (
        label is not None
        and at < label.start()
        and len(text[begin : label.start()].split()) <= LABEL_WORDS
        and not COMPANY_VOICE.search(text, begin, label.start())
    ):
        return True
    return title(text[begin:end], listed=bool(_LIST_LINE.match(text, line)))


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


def term_key(term: str) -> str:
    """One term across spelling variants: case, hyphens and spaces, plurals, US and UK spelling
    ("behavioural" and "behavioral", "face-print" and "faceprints")."""
    key = "".join(ch for ch in term.lower() if ch.isalnum())
    for uk, us in _SPELLINGS:
        if uk in key:
            key = key.replace(uk, us)
    return key[:-1] if key.endswith("s") and len(key) > 3 else key


_SPELLINGS = (
    ("isation", "ization"), ("ise", "ize"), ("ising", "izing"), ("ised", "ized"),
    ("iour", "ior"), ("colour", "color"), ("centre", "center"), ("licence", "license"),
    ("programme", "program"), ("analys", "analyz"), ("catalogue", "catalog"),
    ("children", "child"), ("people", "person"),
)  # fmt: skip


@dataclass
class Statements:
    """What one version of a document says of each category, read lazily: whether it states a
    practice of it (a mention not denied), whether the company denies it in its own name, and
    whether a word stands in it at all."""

    text: str
    _states: dict[str, bool] = field(default_factory=dict)
    _denies: dict[str, bool] = field(default_factory=dict)
    _said: dict[tuple[str, str, str], bool] = field(default_factory=dict)
    _only_denied: dict[str, set[str]] = field(default_factory=dict)
    _kinds: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    _lower: str | None = None

    def states(self, category: Category) -> bool:
        found = self._states.get(category.id)
        if found is None:
            found = self._states[category.id] = present(self.text, category, self.lower)
        return found

    def denies(self, category: Category) -> bool:
        found = self._denies.get(category.id)
        if found is None:
            found = self._denies[category.id] = any(
                m.negated and m.first_person for m in mentions(self.text, [category], self.lower)
            )
        return found

    def only_denies(self, category: Category) -> set[str]:
        """The terms (as lemmas) of a category the company denies in its own name and this
        version never states: "sell" where it says "we do not sell" and only admits targeted
        advertising."""
        found = self._only_denied.get(category.id)
        if found is None:
            every = mentions(self.text, [category], self.lower)
            denied = {_lemma(term_key(m.term)) for m in every if m.negated and m.first_person}
            stated = {
                _lemma(term_key(m.term))
                for m in every
                if not m.negated and not a_name(self.text, m.start)
            }
            found = self._only_denied[category.id] = denied - stated
        return found

    def states_kind(self, category: Category, kind: str, among: Category | None = None) -> bool:
        """Whether the version says some term of a kind ("device ID" of device identifiers)
        other than to deny it, in any sense of its words (a false "yes" only keeps a flag from
        being raised); with `among`, only in sentences that name those people too."""
        key = (category.id, among.id if among else "")
        kinds = self._kinds.get(key)
        if kinds is None:
            text, lower = self.text, self.lower
            kinds = self._kinds[key] = {
                kind_of
                for match in matches(text, lower, category)
                if (kind_of := category.kind_of(match.group(0))) is not None
                and (mention := _mention(text, match, category, framed=False)) is not None
                and not mention.negated
                and (among is None or self._names(among, match.start(), match.end()))
            }
        return kind in kinds

    def _names(self, subject: Category, start: int, end: int) -> bool:
        begin, end = _sentence(self.text, start, end)
        return names_people(self.text[begin:end], subject)

    @property
    def lower(self) -> str:
        if self._lower is None:
            self._lower = self.text.lower()
        return self._lower

    def said_of(self, word: str, category: Category, among: Category | None = None) -> bool:
        """Whether the version says a word (a term key) in a sentence that states a practice
        of the category: "chat" said of voice data only where voice data is stated, not in
        the sentence about customer-support chats; with `among`, a sentence that also names
        those people. A word met more than SAID_CAP times is taken as said (a false "yes" only
        keeps a flag from being raised)."""
        key = (category.id, word, among.id if among else "")
        found = self._said.get(key)
        if found is None:
            found = self._said[key] = self._find_said(word, category, among)
        return found

    def _find_said(self, word: str, category: Category, among: Category | None) -> bool:
        text, lower = self.text, self.lower
        met, checked_to = 0, -1
        for form in _forms(word):
            at = lower.find(form)
            while at != -1:
                if (at == 0 or not lower[at - 1].isalnum()) and at >= checked_to:
                    met += 1
                    if met > SAID_CAP:
                        return True
                    begin, end = _sentence(text, at, at + len(form))
                    checked_to = end
                    if among is None or names_people(text[begin:end], among):
                        for match in matches_in(category, text, begin, end):
                            mention = _mention(text, match, category, framed=False)
                            if mention is not None and not mention.negated:
                                return True
                at = lower.find(form, at + 1)
        return False


SAID_CAP = 40  # sentences looked at for one word


# The CPRA's verbs in every form a term takes: "we do not sell" denies "a sale".
_LEMMAS = {"sale": "sell", "sold": "sell", "selling": "sell", "sharing": "share", "shared": "share"}


def _lemma(key: str) -> str:
    return _LEMMAS.get(key, key)


def _forms(key: str) -> tuple[str, ...]:
    """How a term key's word may begin when written: its stem ("ethnicity" is said where
    "ethnic" is, "addresses" where "address" is), in US and UK spelling. A word is looked for
    as a start of words, so the stem finds every ending."""
    forms = [key]
    for uk, us in _SPELLINGS:
        if us in key:
            forms.append(key.replace(us, uk))
    return tuple(dict.fromkeys(_stem(form) for form in forms))


_ENDINGS = ("ities", "ations", "ation", "ings", "ity", "ing", "ies", "ied", "es", "ed", "al", "e")


def _stem(key: str) -> str:
    for ending in _ENDINGS:
        if key.endswith(ending) and len(key) - len(ending) >= 4:
            return key[: -len(ending)]
    return key


def in_document(
    flag: Flag, text: str, old: Statements, new: Statements, by_id: dict[str, Category]
) -> Flag | None:
    """A clause's flag read against the whole documents: NEW only when the other version states
    no practice of the category; EXPANDED (NARROWED) when it does, but not these terms; NOW SAYS
    IT MAY only when the old document denied it and stated none of it; otherwise no flag. A
    quoted legal definition ("This category covers a name, signature, Social Security number
    ...") states no practice (TAXONOMY.md: boilerplate definitions are not practices): it is
    flagged only when it turns the company's denial into "may be considered a sale"."""
    category = by_id[flag.category]
    subjects = tuple(c for c in by_id.values() if c.people and c is not category)
    if flag.change == "added":
        if not old.states(category):
            denied = old.denies(category)
            if flag.definition and not denied:
                return None
            return replace(
                flag, was_negated=denied, severity="critical" if denied else flag.severity
            )
        if flag.definition:
            return None
        beyond = _beyond(flag, text, old, category, subjects, expanded=True)
        if (
            beyond is None
            and flag.admission
            and not all(a_name(text, a) for a, _ in flag.positions)
            and any(_lemma(term_key(t)) in old.only_denies(category) for t in flag.terms)
        ):
            # The old version stated the category, but denied this very practice and never
            # stated it: "we do not sell" became "may be deemed a sale" (TAXONOMY.md C13). Read
            # only for admissions: it needs every mention of the category in the old version.
            return replace(flag, was_negated=True, severity="critical")
        return beyond
    if flag.definition:
        return None
    if not new.states(category):
        return replace(flag, negated=flag.negated and new.denies(category))
    return _beyond(flag, text, new, category, subjects, expanded=False)


def _beyond(
    flag: Flag,
    text: str,
    there: Statements,
    category: Category,
    subjects: Sequence[Category],
    *,
    expanded: bool,
) -> Flag | None:
    """EXPANDED (NARROWED): the other version states the practice, but not these terms; no flag
    when it says every one of them. A term in a sentence that names a subject's people ("from
    the Child's device") is read against the other version's sentences that name them."""
    terms = tuple(
        t
        for t in flag.terms
        if any(_new_to(t, there, category, among) for among in _scopes(flag, text, t, subjects))
    )
    if not terms:
        return None
    return replace(
        flag,
        terms=terms,
        positions=_positions(flag, text, terms),
        expanded=expanded,
        narrowed=not expanded,
        was_negated=False,
        negated=False,
        severity=_lower(category.severity),
    )


# Words that name no kind of data, recipient, country or threshold in any category: filler and
# the verbs of every practice. A category's own words ("international" for transfers, "train"
# for AI training, "verification" for biometrics, not for age checks) are its `generic` list.
_GENERIC = frozenset(
    [
        "that", "this", "these", "those", "which", "who", "whom", "is", "are", "be", "been",
        "was", "were", "may", "might", "can", "could", "will", "would", "also", "such", "other",
        "more", "most", "than", "it", "they", "them", "we", "us", "my", "me", "i", "all", "some",
        "each", "every",
        "various", "different", "multiple", "certain", "including", "like", "at", "into",
        "a", "an", "the", "of", "and", "or", "to", "for", "with", "about", "you", "your", "our",
        "their", "its", "by", "from", "in", "on", "as", "any", "data", "information", "info",
        "personal", "details", "content", "technology", "technologies", "tool", "tools", "collect",
        "collects", "collection", "collected", "collecting", "process", "processes", "processing",
        "processed", "use", "used", "uses", "using", "share", "shared", "shares", "sharing",
        "disclose", "discloses", "disclosed", "disclosure",
    ]
)  # fmt: skip


_GENERIC_KEYS: dict[tuple[str, ...], frozenset[str]] = {}


def _generic(category: Category) -> frozenset[str]:
    keys = _GENERIC_KEYS.get(category.generic)
    if keys is None:
        keys = _GENERIC_KEYS[category.generic] = frozenset(term_key(w) for w in category.generic)
    return keys


def _term_words(term: str, category: Category) -> set[str]:
    """The telling words of a term: neither filler nor the category's own name for itself."""
    generic = _generic(category)
    return {
        key
        for w in re.findall(r"\w+", term.lower())
        if w not in _GENERIC and (key := term_key(w)) not in generic
    }


def _scopes(flag: Flag, text: str, term: str, subjects: Sequence[Category]) -> set[Category | None]:
    """Whose data a term of a flag is said of: everyone's (None), or the people of each subject
    its sentence names."""
    if not subjects:
        return {None}
    key = term_key(term)
    scopes: set[Category | None] = set()
    for start, end in flag.positions:
        if term_key(text[start:end]) != key:
            continue
        begin, end = _sentence(text, start, end)
        named = [s for s in subjects if names_people(text[begin:end], s)]
        scopes.update(named or [None])
    return scopes or {None}


def _new_to(
    term: str, there: Statements, category: Category, among: Category | None = None
) -> bool:
    """Whether a term names something the other version does not say of the category: some
    telling word of it stands in no sentence there that states the category ("international
    data transfer" after "international transfers", "GPS signals" where GPS is already
    listed, are not new; "voice chat" where voice is only said of support calls is). A term of
    one of the category's kinds is new where no term of its kind is said, and only there:
    "unique device identifiers" where only an IP address and "advertising identifiers" were,
    not "IDFA" where "advertising identifiers" are."""
    kind = category.kind_of(term)
    if kind is not None:
        return not there.states_kind(category, kind, among)
    words = _term_words(term, category)
    return any(not there.said_of(word, category, among) for word in words)


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


def _positions(flag: Flag, text: str, terms: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    keys = {term_key(t) for t in terms}
    return tuple((a, b) for a, b in flag.positions if term_key(text[a:b]) in keys)
