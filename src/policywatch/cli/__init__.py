"""The policywatch command: parse options, call the library, pick a renderer."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..commandline import (
    EXIT_CHANGED,
    EXIT_FAILED,
    VERSION_HELP,
    Env,
    Failure,
    Group,
    format_option,
    formats,
    now_of,
    now_option,
    parse_time,
    pass_env,
    wait_option,
)
from ..output import console, emit, lines, print_json
from .fetching import check, validate
from .publishing import changelog, report_


@click.group(cls=Group)
@click.option(
    "--config",
    "-c",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default="policies.yaml",
    show_default=True,
    help="The configuration file listing the policies.",
)
@click.option(
    "--archive",
    "archive_path",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="The snapshots folder [default: snapshots/ beside the configuration].",
)
@click.version_option(__version__, prog_name="policywatch", help=VERSION_HELP)
@click.pass_context
def main(ctx: click.Context, config_path: Path, archive_path: Path | None) -> None:
    """Watch privacy policies and report, clause by clause, what changed."""
    from ..collector import for_command

    for_command(ctx.invoked_subcommand)
    ctx.obj = Env(config_path, archive_path)


@main.command()
@pass_env
def init(env: Env) -> None:
    """Write a commented policies.yaml and an empty snapshots/ folder (never overwrites)."""
    path = env.config_path
    if path.exists():
        raise Failure(f"{path} already exists; not overwriting it")
    from importlib import resources

    starter = resources.files("policywatch").joinpath("starter.yaml").read_text(encoding="utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(starter)
    env.archive().root.mkdir(parents=True, exist_ok=True)
    click.echo(
        f"wrote {path} and {env.archive().root}/; edit the policies, then run 'policywatch check'"
    )


@main.command()
@click.argument("first", metavar="A")
@click.argument("second", metavar="[B]", required=False)
@formats(
    "text",
    "json",
    "markdown",
    help="text for people, json for programs, markdown for an issue or an e-mail.",
)
@click.option(
    "--context",
    type=click.IntRange(0),
    default=1,
    show_default=True,
    help="Unchanged clauses shown around each change.",
)
@click.option("--side-by-side", is_flag=True, help="Old and new in two columns.")
@click.option("--no-color", is_flag=True, help="No colour: mark edits as [-old-] and {+new+}.")
@click.option("--exit-code", is_flag=True, help="Exit 1 when the versions differ.")
@pass_env
def diff(
    env: Env,
    first: str,
    second: str | None,
    fmt: str,
    context: int,
    side_by_side: bool,
    no_color: bool,
    exit_code: bool,
) -> None:
    """Compare two versions clause by clause.

    A and B are snapshot refs (ID, ID@previous, ID~2, ID@2026-06-02) or files (.md, .txt,
    .html, .pdf). With only ID, compares its last two snapshots.
    """
    from ..diff import SideError, names_a_policy, read_side, read_sides, snapshot_side

    archive = env.archive()
    try:
        if second is None and not names_a_policy(first):
            # One version alone: say what is wrong with it exactly as beside another.
            read_side(first, archive)
            raise Failure(
                f"'{first}' is one version: give another to compare it with (A B), "
                "or a policy id alone for its last two snapshots"
            )
        if second is None:
            # What went wrong is said of the id as typed, not of refs made of it.
            previous, latest = archive.last_two(first)
            first, second = previous.ref, latest.ref
            old, new = snapshot_side(previous), snapshot_side(latest)
        else:
            old, new = read_sides(first, second, archive)
    except SideError as exc:
        raise Failure(str(exc)) from None
    taxonomy = env.taxonomy()
    # Two snapshots: the archive's cache may hold their comparison (files are not kept there).
    if any(Path(spec).is_file() for spec in (first, second)):
        from ..diff import compare_texts

        comparison = compare_texts(old, new, taxonomy)
    else:
        from ..cache import Comparisons

        comparison = Comparisons.of(archive, taxonomy).compare(old, new, full=True)
    if fmt == "json":
        print_json(comparison.to_json())
    elif fmt == "markdown":
        from ..render.markdown import render as render_markdown

        click.echo(render_markdown(comparison, taxonomy), nl=False)
    else:
        from ..render.diffview import render as render_terminal

        out = console(no_color=no_color)
        render_terminal(
            out,
            comparison,
            context=context,
            side_by_side=side_by_side,
            color=out.is_terminal and out.color_system is not None,
            taxonomy=list(taxonomy),
        )
    if exit_code and comparison.differs:
        sys.exit(EXIT_CHANGED)


@main.command("taxonomy")
@format_option
@pass_env
def taxonomy_(env: Env, fmt: str) -> None:
    """The data-practice categories in force (shipped, plus the config's `taxonomy:` file)."""
    categories = env.taxonomy()
    if fmt == "json":
        print_json([c.to_json() for c in categories])
        return
    from ..render.terminal import taxonomy_table

    taxonomy_table(lines(), list(categories))


@main.command("list")
@format_option
@pass_env
def list_(env: Env, fmt: str) -> None:
    """Each policy with its last check, last change, snapshots and failing-since."""
    from ..render.terminal import policy_list
    from ..status import policy_rows

    rows = policy_rows(env.archive(), [p.id for p in env.config().policies])
    emit(fmt, rows, lambda out: policy_list(out, rows))


@main.command()
@click.argument("policy_id", metavar="ID")
@format_option
@pass_env
def history(env: Env, policy_id: str, fmt: str) -> None:
    """The snapshots of a policy, oldest first."""
    from ..render.terminal import history as render_history
    from ..status import snapshot_rows

    archive = env.archive()
    rows = snapshot_rows(archive, policy_id)
    if not rows:
        raise Failure(f"no snapshots of '{policy_id}' in {archive.root}")
    emit(fmt, rows, lambda out: render_history(out, policy_id, rows))


@main.command()
@click.argument("ref")
@click.option("--raw", is_flag=True, help="The raw bytes as fetched instead of the text.")
@click.option("--meta", is_flag=True, help="The snapshot's metadata (JSON) instead of the text.")
@pass_env
def show(env: Env, ref: str, raw: bool, meta: bool) -> None:
    """The text of one snapshot: ID, ID@latest, ID@previous, ID~N, ID@YYYY-MM-DD."""
    from ..render.safe import plain

    snapshot = env.archive().resolve(ref)
    if meta:
        print_json(snapshot.meta)
    elif raw:
        data = snapshot.raw()
        if sys.stdout.isatty():
            raise Failure("refusing to write raw bytes to a terminal; redirect to a file")
        sys.stdout.buffer.write(data)
    else:
        body = snapshot.text
        click.echo(plain(body) if sys.stdout.isatty() else body, nl=False)


@main.command("import")
@click.argument("policy_id", metavar="ID")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, exists=True))
@click.option("--at", "at", default=None, help="The time of the saved pages (UTC if no zone).")
@click.option(
    "--ota",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    default=None,
    help="An Open Terms Archive versions clone: record each commit of --service/--terms.",
)
@click.option("--service", default=None, help="With --ota: the service's folder, e.g. TikTok.")
@click.option("--terms", default=None, help="With --ota: the terms type, e.g. 'Privacy Policy'.")
@click.option("--accept", is_flag=True, help="Archive pages the guards would refuse.")
@format_option
@wait_option
@pass_env
def import_(
    env: Env,
    policy_id: str,
    files: tuple[Path, ...],
    at: str | None,
    ota: Path | None,
    service: str | None,
    terms: str | None,
    accept: bool,
    fmt: str,
    wait: float,
) -> None:
    """Record saved pages (HTML, PDF, text) as snapshots of a configured policy.

    FILES may be files or folders of them. Each file is dated by --at, else by a
    YYYY-MM-DDTHH-MM-SSZ stamp in its name, else by its modification time; files are recorded
    oldest first, through the same extraction and dedupe as check. With --ota, each version
    committed to an Open Terms Archive versions repository is recorded, dated by its commit.
    """
    from ..backfill import BackfillError, import_files, import_versions, ota_versions

    policy = env.config().get(policy_id)
    if ota is not None and files:
        raise Failure("give saved files or --ota, not both")
    if ota is None and not files:
        raise Failure("give the saved files (or folders) to import, or --ota DIR")
    if ota is not None and not (service and terms):
        raise Failure("--ota needs --service and --terms (the file is SERVICE/TERMS.md)")
    moment = parse_time(at, "--at") if at else None
    archive = env.archive()
    try:
        versions = ota_versions(ota, service or "", terms or "") if ota is not None else None
    except BackfillError as exc:
        raise Failure(str(exc)) from None
    with archive.lock(wait):
        if versions is not None:
            results = import_versions(archive, policy, versions, accept=accept)
        else:
            results = import_files(archive, policy, list(files), moment, accept=accept)
    from ..render.terminal import import_report

    emit(fmt, [r.to_json() for r in results], lambda out: import_report(out, results))
    if any(r.error for r in results):
        sys.exit(EXIT_FAILED)


@main.command()
@click.argument("ids", nargs=-1)
@format_option
@wait_option
@now_option
@pass_env
def reextract(env: Env, ids: tuple[str, ...], fmt: str, wait: float, now: str | None) -> None:
    """Re-derive the text of stored snapshots from their raw bytes with today's extractor.

    The result is a technical change: it is never reported as a change of the policy.
    """
    from ..backfill import reextract as run_reextract

    config = env.config()
    archive = env.archive()
    moment = now_of(now)
    report: list[dict[str, Any]] = []
    with archive.lock(wait):
        for policy in config.select(ids):
            results = run_reextract(archive, policy, moment)
            report.append(
                {
                    "policy": policy.id,
                    "snapshots": len(results),
                    "texts_changed": sum(r.changed for r in results),
                    "now_same_as_previous": sum(r.technical for r in results),
                    "formatting_only": sum(r.formatting_only for r in results),
                    "errors": [{"snapshot": r.stamp, "error": r.error} for r in results if r.error],
                }
            )
    from ..render.terminal import reextract_report

    emit(fmt, report, lambda out: reextract_report(out, report))
    if any(row["errors"] for row in report):
        sys.exit(EXIT_FAILED)


for command in (check, changelog, report_, validate):
    main.add_command(command)
