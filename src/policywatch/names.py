"""What only names, and so states no practice: a clause's titles and labels, the quoted
names of settings, and the names of a version's sections (a heading, or a line with its very
text)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .change import Change
from .detect import COMPANY_VOICE, LABEL_END, LABEL_WORDS, title
from .segment import HEADING, PARAGRAPH, Clause

# The name of a setting, a button or a page, quoted (two to six words, the first a capital):
# right before what it names ('the "Behavioral Advertising" setting'), or in a parenthesis of
# such names alone in a sentence about settings ('device-level settings ... ("Reset
# advertising ID" and "Limit Ad Tracking")'). A quoted name elsewhere may be the practice
# itself ('We use "Face Recognition" to suggest tags').
_NAME = r"[“\"](?=[A-Z])(?:[^\s“”\".!?()]+ ){1,5}[^\s“”\".!?()]+[”\"]"
_CONTROL = r"(?:settings?|buttons?|links?|options?|toggles?|menus?|tabs?|switch(?:es)?|controls?)"
_NAMED_CONTROL = re.compile(rf"{_NAME}(?= (?i:{_CONTROL})\b)")
_NAMES_ALONE = re.compile(rf"\({_NAME}(?:,? (?:and |or )?{_NAME})*\)")
_ABOUT_CONTROLS = re.compile(rf"\b{_CONTROL}\b", re.IGNORECASE)


def titles(text: str, spans: list[tuple[int, int]], kind: str) -> list[tuple[int, int]]:
    """The parts of a clause that only name what follows, and so state no practice: a short
    lead-in sentence before others ("Your Contacts. If you choose to sync ..."), a short
    paragraph alone, or a label before a colon or a dash ("Data Sharing: We do not sell ...",
    "Identifiers – We collect ..."), where the company does not speak ("We collect
    faceprints." is a statement), and the quoted name of a setting ('the "Behavioral
    Advertising" setting'). Short list items, table cells and later sentences are titles
    only in capitals (detect.title): "billing address;" under "We collect:" is a kind of data."""
    found = []
    for k, (a, b) in enumerate(spans):
        label = LABEL_END.search(text, a, b)
        if (
            label is not None
            and len(text[a : label.start()].split()) <= LABEL_WORDS
            and not COMPANY_VOICE.search(text, a, label.start())
        ):
            found.append((a, label.end()))
        lead_in = k == 0 and len(spans) > 1
        alone = len(spans) == 1 and kind in (PARAGRAPH, HEADING)
        if title(text[a:b], listed=not (lead_in or alone)):
            found.append((a, b))
        found.extend(m.span() for m in _NAMED_CONTROL.finditer(text, a, b))
        if _ABOUT_CONTROLS.search(text, a, b):
            found.extend(m.span() for m in _NAMES_ALONE.finditer(text, a, b))
    return found


NAME_WORDS = 15  # a longer heading may be a sentence set in bold, and is read as one


def section_names(clauses: Sequence[Clause]) -> set[str]:
    return {c.key for c in clauses if c.kind == HEADING and len(c.text.split()) <= NAME_WORDS}


def names_only(change: Change, old_names: set[str], new_names: set[str]) -> bool:
    """A change of section names only: headings, and lines with the very text of a heading of
    the same version (a table of contents, or a glossary's terms listed again). A name states
    no practice: its flags are dropped, unless it turns "we do not" into "we may"."""
    return all(c.key in old_names for c in change.old) and all(
        c.key in new_names for c in change.new
    )
