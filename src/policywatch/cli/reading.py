"""The commands that read what is recorded and print it: `diff` of two versions, `show` of
one, a policy's `history`, the `list` of policies and the `taxonomy` in force."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..commandline import (
    EXIT_CHANGED,
    Command,
    Env,
    Failure,
    format_option,
    formats,
    pass_env,
)
from ..output import console, emit, lines, print_json


@click.command(cls=Command)
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
@click.option(
    "--only-flagged",
    is_flag=True,
    help="Only the changes that carry a flag (with --exit-code: exit 1 only when one does).",
)
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
    only_flagged: bool,
    exit_code: bool,
) -> None:
    """Compare two versions clause by clause.

    A and B are snapshot refs (ID, ID@previous, ID~2, ID@2026-06-02) or files (.md, .txt,
    .html, .pdf). With only ID, compares its last two snapshots.
    """
    # The differ before the sides: what exists when read_sides forks is frozen out of the
    # collector's reach, and the differ's modules are most of it (2-5 ms on the stress pair).
    from ..diff import compare_texts
    from ..sides import SideError, names_a_policy, read_side, read_sides, snapshot_side

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
    files = any(Path(spec).is_file() for spec in (first, second))
    policies = {side.label.partition("@")[0] for side in (old, new)}
    if not files and len(policies) > 1:
        # Allowed (two services' policies side by side), but seldom meant: say so.
        click.echo(f"note: these are two policies' versions ({old.label}, {new.label})", err=True)
    # Two snapshots: the archive's cache may hold their comparison (files are not kept there).
    if files:
        comparison = compare_texts(old, new, taxonomy)
    else:
        from ..cache import Comparisons

        comparison = Comparisons.of(archive, taxonomy).compare(old, new, full=True)
    if only_flagged:
        comparison = comparison.only_flagged()
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


@click.command("taxonomy", cls=Command)
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


@click.command("list", cls=Command)
@format_option
@pass_env
def list_(env: Env, fmt: str) -> None:
    """Each policy with its last check, last change, snapshots and failing-since."""
    from ..render.terminal import policy_list
    from ..status import policy_rows

    rows = policy_rows(env.archive(), [p.id for p in env.config().policies])
    emit(fmt, rows, lambda out: policy_list(out, rows))


@click.command(cls=Command)
@click.argument("policy_id", metavar="ID")
@format_option
@pass_env
def history(env: Env, policy_id: str, fmt: str) -> None:
    """The snapshots of a policy, oldest first."""
    from ..render.terminal import history as render_history
    from ..status import snapshot_rows

    archive = env.archive()
    archive.snapshots_named(policy_id)
    rows = snapshot_rows(archive, policy_id)
    emit(fmt, rows, lambda out: render_history(out, policy_id, rows))


@click.command(cls=Command)
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
