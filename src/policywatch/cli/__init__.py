"""The policywatch command: parse options, call the library, pick a renderer.

Here are the group with its global options, and `init`; the other commands live with their
kin: fetching.py (check, validate), reading.py (diff, show, history, list, taxonomy),
publishing.py (changelog, report) and backfill.py (import, reextract).
"""

from __future__ import annotations

from pathlib import Path

import click

from .. import __version__
from ..commandline import VERSION_HELP, Env, Failure, Group, pass_env
from .backfill import import_, reextract
from .fetching import check, validate
from .publishing import changelog, report_
from .reading import diff, history, list_, show, taxonomy_


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


# main.commands keeps the order the commands were first written in (--help sorts by name).
for command in (
    check,
    diff,
    changelog,
    report_,
    taxonomy_,
    list_,
    history,
    show,
    import_,
    validate,
    reextract,
):
    main.add_command(command)
