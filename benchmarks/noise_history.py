"""Noise over real version histories (issue 12): changes and flags where no word changed.

    python benchmarks/noise_history.py [--python PATH] [--json OUT]
        [--sample 50 --seed 12 --sample-out FILE] [--history DIR] [--only ID,ID]

Each history in /work/shared/fixtures/history/<policy>/*.md (markdown files named by UTC time) is
imported into a fresh temporary project with the real CLI (`policywatch import ID DIR --accept`,
in a subprocess of `--python`, default this interpreter, so an older checkout's venv can be
measured the same way), then `policywatch changelog --format json --oldest-first` is read back.

Independently of the differ, each input file becomes a word stream: the lower-cased `\\w+` words
of its text, parsed with markdown-it-py (text and inline code only: link targets, image alt
texts, emphasis, HTML tags, list and heading markers vanish; entities decoded), reference markers (`[12]`, `[^3]`,
`(4)`, superscript digits, `<sup>5</sup>`) stripped. An entry compares the file of its `snapshot`
stamp with the file of its `previous` stamp (the last archived version: versions whose text did
not change are not archived). Per history and in total:

(a) entries whose word streams are identical, and how many of them still give a flag or a change
    (not `minor`, not `reformatted`, not a `moved` without edits). Target 0.
(b) relocation false alarms: flags whose sentence (`sentence.text` when the flag carries one,
    else the sentence of its clause text around its first position; sentences end at `. ! ?`
    before white space, and at newlines) stands word for word on the other side of the
    comparison: an `added` flag's sentence in the old version, a `removed` flag's in the new one
    (a sentence of one or two words must be a whole sentence there). Target 0.
(c) the share of identical-word entries still reported (not `formatting_only`, some change).
    Target 0.

`--sample N --seed S --sample-out FILE` draws N changes uniformly from every non-minor,
non-reformatted change of every entry and writes them as markdown for grading by hand.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

HISTORY = Path("/work/shared/fixtures/history")
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z$")

_MD = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_WORD = re.compile(r"\w+")
# Reference markers: [12], [^3], (4) standing alone, superscript digits.
_REFERENCE = re.compile(r"\[\^?\d{1,3}\]|\[\^\w+\]|\(\d{1,3}\)|[\u00b9\u00b2\u00b3\u2070-\u2079]+")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")


# --- word streams -------------------------------------------------------------------------------


def _inline_text(children: list[Any]) -> str:
    parts: list[str] = []
    in_sup = 0
    for token in children:
        if token.type == "html_inline":
            tag = token.content.lower()
            if tag.startswith("<sup"):
                in_sup += 1
            elif tag.startswith("</sup"):
                in_sup = max(0, in_sup - 1)
            parts.append(" ")
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type in ("text", "code_inline"):
            if in_sup and re.fullmatch(r"[\s\d,*†‡-]*", token.content):
                continue  # <sup>3</sup>: a reference marker
            parts.append(token.content)
        elif token.type == "image":
            parts.append(" ")  # alt text is not policy text
    return "".join(parts)


def text_of(markdown: str) -> str:
    """The text of a markdown document: one line per block, no markup."""
    blocks: list[str] = []
    for token in _MD.parse(markdown):
        if token.type == "inline":
            blocks.append(_inline_text(token.children or []))
        elif token.type in ("code_block", "fence"):
            blocks.append(token.content)
    return "\n".join(blocks)


def words(markdown: str) -> list[str]:
    """Lower-cased words of the text of a markdown document, reference markers stripped."""
    return _WORD.findall(_REFERENCE.sub(" ", text_of(markdown)).lower())


@cache
def stream(path: Path) -> tuple[str, ...]:
    return tuple(words(path.read_text(encoding="utf-8")))


@cache
def sentence_streams(path: Path) -> str:
    """The words of each sentence of a file, sentences separated by " | "."""
    text = _REFERENCE.sub(" ", text_of(path.read_text(encoding="utf-8"))).lower()
    sentences = (" ".join(_WORD.findall(s)) for s in _SENTENCE_SPLIT.split(text))
    return " | ".join(s for s in sentences if s)


SHORT = 3  # a sentence of fewer words must be a whole sentence on the other side


def stands_in(path: Path, needle: list[str]) -> bool:
    """Whether a sentence's words stand word for word, contiguously, in a file's word stream.

    A sentence of fewer than SHORT words ("Sell.", "Payment Information.") must be a whole
    sentence there: a single word is found in nearly any policy.
    """
    if not needle:
        return False
    if len(needle) < SHORT:
        return f"| {' '.join(needle)} |" in f"| {sentence_streams(path)} |"
    return f" {' '.join(needle)} " in f" {' '.join(stream(path))} "


def sentence_at(text: str, position: int) -> str:
    """The sentence of a clause text around a character offset."""
    start = 0
    for boundary in _SENTENCE_SPLIT.finditer(text):
        if boundary.start() > position:
            return text[start : boundary.start()]
        start = boundary.end()
    return text[start:]


def flag_sentence(change: dict[str, Any], flag: dict[str, Any]) -> str | None:
    sentence = flag.get("sentence")
    if isinstance(sentence, dict) and sentence.get("text"):
        return str(sentence["text"])
    if isinstance(sentence, str) and sentence:
        return sentence
    text = change.get("new_text" if flag.get("change") == "added" else "old_text") or ""
    positions = flag.get("positions") or []
    if not text or not positions:
        return None
    return sentence_at(text, int(positions[0][0]))


# --- kinds of changes ---------------------------------------------------------------------------


def is_listed(change: dict[str, Any]) -> bool:
    """A change the totals and the sample count: one that changed words (`reworded` where the
    JSON says so; before it did, anything not minor and not reformatted)."""
    if "reworded" in change:
        return bool(change["reworded"])
    return not change.get("minor") and change.get("kind") != "reformatted"


def has_word_edits(change: dict[str, Any]) -> bool:
    edits = change.get("edits")
    if edits is None:
        return change.get("old_text") != change.get("new_text")
    return any(e.get("op") in ("-", "+") for e in edits)


def is_wording_change(change: dict[str, Any]) -> bool:
    """What (a) counts: an added, removed or modified clause that is not a minor edit."""
    return change.get("kind") in ("added", "removed", "modified") and not change.get("minor")


# --- running policywatch ------------------------------------------------------------------------


def run_cli(python: str, cfg: Path, *args: str) -> str:
    command = [python, "-m", "policywatch", "--config", str(cfg), *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return done.stdout


@dataclass
class Result:
    policy: str
    files: int = 0
    archived: int = 0
    import_errors: list[str] = field(default_factory=list)
    entries: int = 0  # changelog entries with a previous snapshot
    reported: int = 0  # non-minor, non-reformatted changes
    flags: int = 0
    identical: int = 0  # entries whose word streams are identical
    identical_noisy: int = 0  # ... with a flag or a wording change (a)
    identical_noisy_changes: int = 0
    identical_noisy_flags: int = 0
    identical_reported: int = 0  # ... reported: not formatting_only and some change (c)
    formatting_only: int = 0  # entries marked formatting_only
    returns: int = 0  # entries marked as a return to an earlier text
    relocation: int = 0  # (b)
    flags_checked: int = 0  # flags with a sentence to check
    seconds: float = 0.0
    changes: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    relocation_examples: list[str] = field(default_factory=list)
    noisy_examples: list[str] = field(default_factory=list)


def measure(policy_dir: Path, python: str) -> Result:
    policy = policy_dir.name
    files = {p.stem: p for p in sorted(policy_dir.glob("*.md")) if STAMP.match(p.stem)}
    result = Result(policy, files=len(files))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"noise-{policy}-") as tmp:
        cfg = Path(tmp) / "policies.yaml"
        cfg.write_text(
            f"policies:\n  - id: {policy}\n    url: https://example.com/{policy}\n",
            encoding="utf-8",
        )
        imported = json.loads(
            run_cli(python, cfg, "import", policy, str(policy_dir), "--accept", "--format", "json")
        )
        for row in imported:
            if row.get("error"):
                result.import_errors.append(f"{Path(row['file']).name}: {row['error']}")
            elif row.get("new_snapshot"):
                result.archived += 1
        log = json.loads(run_cli(python, cfg, "changelog", "--format", "json", "--oldest-first"))
    result.seconds = time.perf_counter() - started

    for entry in log:
        if not entry.get("previous"):
            continue
        stamps = (entry["previous"], entry["snapshot"])
        missing = [s for s in stamps if s not in files]
        if missing:
            raise SystemExit(f"{policy}: no input file for snapshot {', '.join(missing)}")
        old, new = stream(files[stamps[0]]), stream(files[stamps[1]])
        changes = entry.get("changes") or []
        result.entries += 1
        result.returns += bool(entry.get("returns_to"))
        result.formatting_only += bool(entry.get("formatting_only"))
        for change in changes:
            if is_listed(change):
                result.reported += 1
                result.changes.append((entry, change))
            for flag in change.get("flags") or []:
                result.flags += 1
                sentence = flag_sentence(change, flag)
                needle = words(sentence) if sentence else []
                if not needle:
                    continue
                result.flags_checked += 1
                other = files[stamps[0] if flag.get("change") == "added" else stamps[1]]
                if stands_in(other, needle):
                    result.relocation += 1
                    if len(result.relocation_examples) < 3:
                        result.relocation_examples.append(
                            f"{stamps[1][:10]} {change['kind']} {flag.get('change')} "
                            f"{flag.get('category')}: {' '.join(sentence.split())[:120]}"
                        )
        if old == new:
            result.identical += 1
            noisy_changes = sum(is_wording_change(c) for c in changes)
            noisy_flags = sum(len(c.get("flags") or []) for c in changes)
            if noisy_changes or noisy_flags:
                result.identical_noisy += 1
                result.identical_noisy_changes += noisy_changes
                result.identical_noisy_flags += noisy_flags
                if len(result.noisy_examples) < 3:
                    result.noisy_examples.append(
                        f"{stamps[0]} -> {stamps[1]}: {noisy_changes} changes, {noisy_flags} flags"
                    )
            if changes and not entry.get("formatting_only"):
                result.identical_reported += 1
    return result


# --- output -------------------------------------------------------------------------------------


def share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "0/0"


def totals(results: list[Result]) -> Result:
    total = Result("**total**")
    for r in results:
        for name in [
            "files",
            "archived",
            "entries",
            "reported",
            "flags",
            "identical",
            "identical_noisy",
            "identical_noisy_changes",
            "identical_noisy_flags",
            "identical_reported",
            "formatting_only",
            "returns",
            "relocation",
            "flags_checked",
            "seconds",
        ]:
            setattr(total, name, getattr(total, name) + getattr(r, name))
    return total


def table(results: list[Result]) -> str:
    total = totals(results)
    lines = [
        "| policy | files | archived | entries | reported changes | flags | (a) identical words "
        "| (a) of them with flag or change (changes, flags) | (b) relocation false alarms "
        "| (c) identical words still reported | seconds |",
        "|---|" + "---:|" * 10,
    ]
    for r in [*results, total]:
        lines.append(
            f"| {r.policy} | {r.files} | {r.archived} | {r.entries} | {r.reported} | {r.flags} "
            f"| {r.identical} | {r.identical_noisy} ({r.identical_noisy_changes}, "
            f"{r.identical_noisy_flags}) | {r.relocation} of {r.flags_checked} "
            f"| {share(r.identical_reported, r.identical)} | {r.seconds:.1f} |"
        )
    return "\n".join(lines)


def edits_text(change: dict[str, Any]) -> str:
    edits = change.get("edits")
    if not edits:
        return ""
    marks = {"-": ("[-", "-]"), "+": ("{+", "+}"), "=": ("", "")}
    return "".join(f"{marks[e['op']][0]}{e['text']}{marks[e['op']][1]}" for e in edits)


def quote(text: str | None) -> str:
    if text is None:
        return "> (none)"
    return "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))


def write_sample(results: list[Result], n: int, seed: int, out: Path) -> None:
    population = [(r.policy, e, c) for r in results for e, c in r.changes]
    chosen = random.Random(seed).sample(population, min(n, len(population)))
    parts = [
        f"# {len(chosen)} changes sampled (seed {seed}) from {len(population)} "
        "non-minor, non-reformatted changes\n"
    ]
    for number, (policy, entry, change) in enumerate(chosen, 1):
        flags = ", ".join(f"{f.get('change')} {f.get('category')}" for f in change.get("flags"))
        parts.append(
            f"## {number}. {policy} {entry['previous']} -> {entry['snapshot']}: {change['kind']}\n\n"
            f"Section: {change.get('section') or '(none)'}"
            + (f"  \nFlags: {flags}" if flags else "")
            + f"\n\nOld:\n\n{quote(change.get('old_text'))}\n\nNew:\n\n{quote(change.get('new_text'))}\n"
        )
        edits = edits_text(change)
        if edits:
            parts.append(f"Edits:\n\n{quote(edits)}\n")
    out.write_text("\n".join(parts), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", default=sys.executable, help="interpreter with policywatch")
    parser.add_argument("--history", type=Path, default=HISTORY, help="folder of histories")
    parser.add_argument("--only", default="", help="comma-separated policy folders")
    parser.add_argument("--json", type=Path, help="also write the numbers as JSON here")
    parser.add_argument("--sample", type=int, default=0, help="changes to sample for grading")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--sample-out", type=Path, default=Path("noise_history_sample.md"))
    args = parser.parse_args()

    only = {name for name in args.only.split(",") if name}
    folders = [d for d in sorted(args.history.iterdir()) if d.is_dir()]
    folders = [d for d in folders if not only or d.name in only]
    results = []
    for folder in folders:
        result = measure(folder, args.python)
        results.append(result)
        print(f"{folder.name}: {result.seconds:.1f} s", file=sys.stderr, flush=True)
        for error in result.import_errors:
            print(f"  import error: {error}", file=sys.stderr)
    print(table(results))
    examples = [
        (r.policy, kind, text)
        for r in results
        for kind, texts in (("(a)", r.noisy_examples), ("(b)", r.relocation_examples))
        for text in texts
    ]
    if examples:
        print("\nExamples:\n")
        for policy, kind, text in examples:
            print(f"- {kind} {policy} {text}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "python": args.python,
                    "histories": [
                        {k: v for k, v in vars(r).items() if k != "changes"}
                        for r in [*results, totals(results)]
                    ],
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    if args.sample:
        write_sample(results, args.sample, args.seed, args.sample_out)
        print(f"\n{args.sample} changes sampled (seed {args.seed}) into {args.sample_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
