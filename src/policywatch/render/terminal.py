"""What people read in a terminal or a cron mail: check results, lists, histories."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..check import CHANGED, FAILED, NEW, UNCHANGED, Outcome, Tally
from ..detect import json_sentence, json_title, quoted
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
        flags = (news or {}).get("flags") or []
        for flag in flags:
            line.append_text(_flag(flag))
            line.append("; ")
        line.append("CHANGED", "bold yellow")
        line.append(f" {outcome.snapshot} (was {outcome.previous})")
        counts = (news or {}).get("changes")
        if counts:
            line.append(": " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    else:
        line.append("unchanged", "dim")
        if outcome.not_modified:
            line.append(" (304 Not Modified)", "dim")
    return line


CHECK_SENTENCE = 300  # characters of a flag's sentence on a check line


def _flag(flag: dict[str, Any]) -> Text:
    """A flag from the JSON of a change, as the diff shows it: 'EXPANDED biometric
    (faceprints, voiceprints): “the sentence that says so”'."""
    line = Text()
    style = "bold red" if flag["severity"] in ("high", "critical") else "bold yellow"
    line.append_text(text(json_title(flag), style))
    sentence = quoted(json_sentence(flag), CHECK_SENTENCE)
    if sentence:
        line.append_text(text(": " + sentence))
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


def _table(*columns: str) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def policy_list(console: Console, rows: Sequence[dict[str, Any]]) -> None:
    table = _table("policy", "snapshots", "last check", "last change", "status")
    for row in rows:
        if row["failing_since"]:
            status = text(f"failing since {day(row['failing_since'])}: {row['last_reason']}", "red")
        elif row["last_status"]:
            status = text(row["last_status"])
        else:
            status = text("never checked", "dim")
        if not row["configured"]:
            status.append(" (not in the config)", "dim")
        table.add_row(
            text(row["id"], "bold"),
            str(row["snapshots"]),
            day(row["last_check"]),
            day(row["last_change"]),
            status,
        )
    console.print(table)


def history(console: Console, policy_id: str, rows: Sequence[dict[str, Any]]) -> None:
    table = _table("snapshot", "characters", "source", "note")
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
        table.add_row(
            text(row["snapshot"]),
            f"{row['characters']:,}",
            text(row["source"] or ""),
            text("; ".join(notes)),
        )
    console.print(text(f"{policy_id}: {len(rows)} snapshot(s)", "bold"))
    console.print(table)


def taxonomy_table(console: Console, categories: Sequence[Any]) -> None:
    table = _table("category", "severity", "what it means", "law")
    for category in categories:
        table.add_row(
            text(category.id, "bold"),
            text(category.severity),
            text(category.explain),
            text(category.legal_hook, "dim"),
        )
    console.print(table)
