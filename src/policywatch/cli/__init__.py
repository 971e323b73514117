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

# Each command and where it lives, loaded when it is named: `policywatch diff` imports none of
# the code that fetches or publishes (a module costs 0.2-1.4 ms to import).
COMMANDS = {
    "check": "fetching:check",
    "diff": "reading:diff",
    "changelog": "publishing:changelog",
    "report": "publishing:report_",
    "taxonomy": "reading:taxonomy_",
    "list": "reading:list_",
    "history": "reading:history",
    "show": "reading:show",
    "import": "backfill:import_",
    "validate": "fetching:validate",
    "reextract": "backfill:reextract",
}


@click.group(cls=Group, lazy={name: f"{__name__}.{where}" for name, where in COMMANDS.items()})
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
