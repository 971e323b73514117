"""What people read in a terminal or a cron mail: check results, lists, histories."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..comparison import counts_line
from ..flag import FlagGroup, grouped, left_to_diff, quoted
from ..outcome import CHANGED, FAILED, NEW, UNCHANGED, Outcome, Tally
from .safe import text


def day(stamp: str | None) -> str:
    """A stamp or ISO time shown as 'YYYY-MM-DD HH:MM UTC'."""
    if not stamp:
        return "-"
    value = stamp.replace("Z", "")
    date_part, _, time_part = value.partition("T")
    clock = time_part.replace("-", ":")[:5]
    return f"{date_part} {clock} UTC" if clock else date_part


def outcome_line(outcome: Outcome, news: dict[str, Any] | None = None) -> Text:
    line = Text()
    line.append_text(text(outcome.policy_id, "bold"))
    line.append(": ")
    if outcome.status == FAILED:
        line.append("FAILED", "bold red")
        line.append(" ")
        line.append_text(text(outcome.reason or "unknown reason"))
        if outcome.failing_since:
            line.append(f" (failing since {day(outcome.failing_since)})", "dim")
    elif outcome.status == NEW:
        line.append("first snapshot", "green")
        line.append(f" {outcome.snapshot}")
    elif outcome.status == CHANGED and outcome.technical:
        line.append("re-extracted", "cyan")
        line.append(f" {outcome.snapshot} (extraction settings changed; not a policy change)")
    elif outcome.status == CHANGED and outcome.formatting_only:
        line.append("formatting only", "dim")
        line.append(f" {outcome.snapshot} (layout, links or markup; no word changed)")
    elif outcome.status == CHANGED and outcome.returns_to:
        line.append("back to an earlier text", "yellow")
        line.append(f" {outcome.snapshot}: the same text as {day(outcome.returns_to)}")
    elif outcome.status == CHANGED:
        groups = grouped((news or {}).get("flags") or [])
        told = [_flag(group) for group in groups[:CHECK_FLAGS]]
        if len(groups) > CHECK_FLAGS:
            told.append(text(left_to_diff(len(groups) - CHECK_FLAGS, outcome.policy_id), "bold"))
        for said in told:  # a line each, led by the id as the CHANGED line is
            line.append_text(said)
            line.append("\n")
            line.append_text(text(outcome.policy_id, "bold"))
            line.append(": ")
        line.append("CHANGED", "bold yellow")
        line.append(f" {outcome.snapshot} (was {outcome.previous})")
        counts = (news or {}).get("changes")
        if counts:
            line.append(": " + counts_line(counts))
    else:
        line.append("unchanged", "dim")
        if outcome.not_modified:
            line.append(" (304 Not Modified)", "dim")
    return line


# A check line per flag, each led by the policy's id (grep finds them all): at most CHECK_FLAGS
# of them, each naming CHECK_TERMS terms and quoting CHECK_SENTENCE characters; the diff says
# the rest.
CHECK_FLAGS = 6
CHECK_TERMS = 4
CHECK_SENTENCE = 300


def _flag(group: FlagGroup) -> Text:
    """A group of flags of a change, as the diff names them: 'EXPANDED biometric (faceprints,
    voiceprints): “the sentence that says so”', and how many more clauses say it."""
    line = Text()
    style = "bold red" if group.severity in ("high", "critical") else "bold yellow"
    line.append_text(text(group.title(CHECK_TERMS), style))
    sentence = quoted(group.sentence, CHECK_SENTENCE)
    if sentence:
        line.append_text(text(": " + sentence))
    line.append(group.more, "dim")
    return line


def check_report(
    console: Console,
    outcomes: Sequence[Outcome],
    tally: Tally,
    quiet: bool,
    news: dict[str, dict[str, Any]] | None = None,
) -> None:
    """Flagged changes first, then other changes, failures, and the count of the unchanged."""
    news = news or {}
    order = {NEW: 1, CHANGED: 1, FAILED: 2, UNCHANGED: 3}

    def rank(o: Outcome) -> tuple[int, str]:
        flagged = bool(news.get(o.policy_id, {}).get("flags"))
        return (0 if flagged else order[o.status], o.policy_id)

    for outcome in sorted(outcomes, key=rank):
        if outcome.status == UNCHANGED or (quiet and not outcome.is_news):
            continue
        console.print(outcome_line(outcome, news.get(outcome.policy_id)))
    if quiet:
        return
    console.print(
        f"{tally.changed} changed, {tally.counts[FAILED]} failed, "
        f"{tally.counts[UNCHANGED]} unchanged ({tally.total} checked)",
        markup=False,
        highlight=False,
    )


def table(console: Console, columns: Sequence[str], rows: Sequence[Sequence[Text]]) -> None:
    """On a terminal, columns folded to fit its width. Piped (a file, cron mail, grep), one line
    a row, the columns two spaces apart and nothing padded or wrapped, so a long URL or reason
    stays whole on its line."""
    if console.is_terminal:
        folded = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
        for column in columns:
            folded.add_column(column, overflow="fold")
        for row in rows:
            folded.add_row(*row)
        console.print(folded)
        return
    lines = [[Text(column, "bold") for column in columns], *rows]
    widths = [max(line[k].cell_len for line in lines) for k in range(len(columns))]
    for line in lines:
        out = Text()
        for k, cell in enumerate(line):
            out.append_text(cell)
            out.append(" " * (widths[k] - cell.cell_len + 2))
        out.rstrip()
        console.print(out, soft_wrap=True)


def policy_list(console: Console, rows: Sequence[dict[str, Any]]) -> None:
    cells = []
    for row in rows:
        if row["failing_since"]:
            status = text(f"failing since {day(row['failing_since'])}: {row['last_reason']}", "red")
        elif row["last_status"]:
            status = text(row["last_status"])
        else:
            status = text("never checked", "dim")
        if not row["configured"]:
            status.append(" (not in the config)", "dim")
        cells.append(
            [
                text(row["id"], "bold"),
                text(row["snapshots"]),
                text(day(row["last_check"])),
                text(day(row["last_change"])),
                status,
            ]
        )
    table(console, ("policy", "snapshots", "last check", "last change", "status"), cells)


def history(console: Console, policy_id: str, rows: Sequence[dict[str, Any]]) -> None:
    cells = []
    for row in rows:
        notes = []
        if row["returns_to"]:
            notes.append(f"back to the text of {day(row['returns_to'])}")
        if row["technical"]:
            notes.append("technical (re-extraction), not a policy change")
        if row.get("formatting_only"):
            notes.append("formatting only: no word changed")
        if row["accepted"]:
            notes.append("accepted by hand")
        cells.append(
            [
                text(row["snapshot"]),
                text(f"{row['characters']:,}"),
                text(row["source"] or ""),
                text("; ".join(notes)),
            ]
        )
    console.print(text(f"{policy_id}: {len(rows)} snapshot(s)", "bold"))
    table(console, ("snapshot", "characters", "source", "note"), cells)


def taxonomy_table(console: Console, categories: Sequence[Any]) -> None:
    cells = [
        [
            text(category.id, "bold"),
            text(category.name),
            text(category.severity),
            text(category.explain),
            text(category.legal_hook, "dim"),
        ]
        for category in categories
    ]
    # The id is what flags and the JSON say, the name what summaries say: both, to find either.
    table(console, ("category", "name", "severity", "what it means", "law"), cells)


def import_report(console: Console, results: Sequence[Any]) -> None:
    """A line for each imported file: refused, a new snapshot, or the same text as before."""
    for r in results:
        line = text(r.file)
        if r.error:
            line.append(": refused: ")
            line.append_text(text(r.error))
        elif r.outcome and r.outcome.snapshot:
            line.append(f": new snapshot {r.outcome.snapshot}")
            if r.outcome.returns_to:
                line.append(f" (back to the text of {r.outcome.returns_to})")
        else:
            line.append(": same text as the snapshot before it; nothing new")
        console.print(line)


def validate_report(console: Console, reports: Sequence[Any]) -> None:
    """validate --fetch: each policy OK or PROBLEM, and what generic extraction kept."""
    for r in reports:
        line = text(r.policy_id)
        line.append(": OK " if r.ok else ": PROBLEM ")
        line.append_text(text(r.summary))
        console.print(line)
        if r.dropped:
            console.print(
                f"  kept {r.characters:,} characters; left out {len(r.dropped)} link-dense "
                f"block(s) around the body, {r.dropped_characters:,} characters:"
            )
            for d in r.dropped:
                console.print(Text("    - ").append_text(text(str(d))))
        elif r.generic and r.characters:
            console.print(f"  kept {r.characters:,} characters; nothing left out around the body")


def reextract_report(console: Console, rows: Sequence[dict[str, Any]]) -> None:
    """reextract: per policy, what re-deriving did to its stored texts."""
    for row in rows:
        line = text(row["policy"])
        line.append(
            f": {row['snapshots']} snapshot(s), {_texts(row)}; "
            f"{row['now_same_as_previous']} identical to the one before (technical), "
            f"{row['formatting_only']} with the same words as the one before (formatting only)"
        )
        console.print(line)
        for err in row["errors"]:
            console.print(
                Text(f"  {err['snapshot']}: kept as it was: ").append_text(text(err["error"]))
            )


def _texts(row: dict[str, Any]) -> str:
    """What re-deriving did to the stored texts: a text is said to differ only when it did."""
    changed, errors = row["texts_changed"], len(row["errors"])
    unchanged = row["snapshots"] - changed - errors
    if not changed:
        return "every text unchanged" if not errors else f"{unchanged} text(s) unchanged"
    if not unchanged:
        return f"{changed} text(s) re-derived differently"
    return f"{changed} text(s) re-derived differently, {unchanged} unchanged"
