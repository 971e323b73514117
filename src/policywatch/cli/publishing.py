"""The commands that publish every policy's history as a document: `changelog` (markdown,
JSON or an Atom feed) and `report` (the static HTML report, which `check --report` refreshes
too)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ..archive import Archive
from ..commandline import (
    DEFAULT_DAYS,
    Command,
    Env,
    Failure,
    format_option,
    formats,
    now_of,
    now_option,
    parse_time,
    pass_env,
)
from ..output import print_json


@click.command(cls=Command)
@click.argument("ids", nargs=-1)
@click.option(
    "--since",
    default=None,
    help="From this date (YYYY-MM-DD) or span back (30d, 6w, 3m, 1y: calendar months and years).",
)
@click.option("--until", default=None, help="Up to this date (YYYY-MM-DD), inclusive.")
@click.option(
    "--only-flagged",
    is_flag=True,
    help="Only changes that carry a flag, in the entries that have some.",
)
@click.option("--oldest-first", is_flag=True, help="Oldest change first (newest is the default).")
@formats("markdown", "json", "atom", help="markdown (CommonMark), json entries, or an Atom feed.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write to this file (atomically) instead of standard output.",
)
@now_option
@pass_env
def changelog(
    env: Env,
    ids: tuple[str, ...],
    since: str | None,
    until: str | None,
    only_flagged: bool,
    oldest_first: bool,
    fmt: str,
    output: Path | None,
    now: str | None,
) -> None:
    """A readable history of each policy's recorded changes, newest first.

    Byte-identical for the same archive, so a changelog kept in git shows only real news.
    """
    from ..changelog import entries as changelog_entries
    from ..changelog import newest_first
    from ..dates import parse_since
    from ..render import changelog as render_changelog

    archive = env.archive()
    moment = now_of(now)
    if env.config_path.exists():
        config = env.config()
        names = {p.id: p.name for p in config.policies}
        chosen = list(ids) or [p.id for p in config.policies if archive.snapshots(p.id)]
    else:
        names = {}
        chosen = list(ids) or archive.policy_ids()
    for policy_id in chosen:
        archive.snapshots_named(policy_id)
    try:
        start = parse_since(since, moment) if since else None
    except (ValueError, OverflowError):
        raise Failure(
            f"--since: '{since}' is not a date (YYYY-MM-DD) or a span (30d, 6w, 1y)"
        ) from None
    end = None
    if until:
        end = parse_time(until, "--until")
        if len(until.strip()) == 10:  # a whole day: up to its end
            end = end.replace(hour=23, minute=59, second=59)
    taxonomy = env.taxonomy()
    found = changelog_entries(
        archive,
        [(i, names.get(i, i)) for i in chosen],
        taxonomy,
        since=start,
        until=end,
        only_flagged=only_flagged,
    )
    ordered = found if oldest_first else newest_first(found)
    if fmt == "json":
        data = json.dumps([e.to_json() for e in ordered], indent=2, ensure_ascii=False) + "\n"
        payload = data.encode("utf-8")
    elif fmt == "atom":
        payload = render_changelog.atom(
            found, taxonomy, "urn:policywatch:changelog", "Privacy policy changes"
        )
    else:
        span = " ".join(
            x for x in (f"since {since}" if since else "", f"until {until}" if until else "") if x
        )
        empty = f"No recorded changes{' ' + span if span else ''}."
        payload = render_changelog.markdown(ordered, list(taxonomy), empty=empty).encode("utf-8")
    if output is None:
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
    else:
        from ..archive import write_atomic

        write_atomic(output, payload)
    if not found:
        click.echo("policywatch: no recorded changes in that range", err=True)


def _report_policies(env: Env, archive: Archive) -> list[tuple[str, str, str]]:
    """The policies a report (and the changelog) covers: the configuration's, or without one
    every policy in the archive."""
    if env.config_path.exists():
        return [(p.id, p.name, p.url) for p in env.config().policies]
    return [(i, i, "") for i in archive.policy_ids()]


def _report_folder(env: Env, output: Path | None) -> Path:
    return output if output is not None else env.config_path.parent / "report"


def report_folder_ready(output: Path, archive: Archive) -> None:
    from ..render.reportfolder import ReportError, prepare

    try:
        prepare(output, archive.root)
    except ReportError as exc:
        raise Failure(f"report: {exc}", 1) from None


def build_report(env: Env, output: Path, days: int) -> Any:
    from ..render.reportfolder import ReportError
    from ..render.site import build

    archive = env.archive()
    try:
        return build(archive, _report_policies(env, archive), env.taxonomy(), output, days=days)
    except ReportError as exc:
        raise Failure(f"report: {exc}", 1) from None


@click.command("report", cls=Command)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="The report's folder [default: report/ beside the configuration].",
)
@click.option(
    "--days",
    type=click.IntRange(1, 36500),
    default=DEFAULT_DAYS,
    show_default=True,
    help="The index shows the flags of this many days, up to the archive's latest check.",
)
@format_option
@pass_env
def report_(env: Env, output: Path | None, days: int, fmt: str) -> None:
    """A static HTML report of every policy's history: open index.html in the folder.

    Relative links only, no script, nothing fetched: it works from file:// or any web
    server. Only files whose bytes change are written, so a rebuild with nothing new writes
    nothing.
    """
    from ..render.safe import plain

    built = build_report(env, _report_folder(env, output), days)
    if fmt == "json":
        print_json(built.to_json())
        return
    click.echo(
        f"{plain(built.output / 'index.html')}: {len(built.written)} file(s) written, "
        f"{built.unchanged} unchanged, {len(built.removed)} removed"
    )
