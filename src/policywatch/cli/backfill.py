"""The commands of backfill.py: `import` of saved pages and Open Terms Archive versions, and
`reextract` of stored snapshots with today's extractor."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..commandline import (
    EXIT_FAILED,
    Command,
    Env,
    Failure,
    format_option,
    now_of,
    now_option,
    parse_time,
    pass_env,
    wait_option,
)
from ..output import emit


@click.command("import", cls=Command)
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


@click.command(cls=Command)
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
