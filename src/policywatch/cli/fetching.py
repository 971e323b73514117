"""The commands that fetch policies' pages: `check`, and `validate --fetch`, which gets them
as check does. Ctrl-C abandons their fetches under way, and they say in one line what was
left undone."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..commandline import (
    DEFAULT_DAYS,
    EXIT_CHANGED,
    EXIT_FAILED,
    Command,
    Env,
    Failure,
    format_option,
    now_of,
    now_option,
    pass_env,
    wait_option,
)
from ..output import console, emit, lines, print_json
from .publishing import build_report, report_folder_ready

if TYPE_CHECKING:  # the heavy modules load only in the commands that use them
    from ..outcome import Tally


@contextmanager
def _progress(total: int, enabled: bool) -> Iterator[Callable[[], None]]:
    if not enabled:
        yield lambda: None
        return
    from rich.progress import Progress

    with Progress(console=console(stderr=True), transient=True) as progress:
        task = progress.add_task("checking", total=total)
        yield lambda: progress.advance(task)


@click.command(cls=Command)
@click.argument("ids", nargs=-1)
@click.option("--quiet", "-q", is_flag=True, help="Print only changes and new failures (for cron).")
@format_option
@click.option(
    "--exit-code",
    is_flag=True,
    help="Exit 1 when the words of a policy changed; with --only-flagged, only when a change "
    "carries a flag. Formatting-only versions and re-extractions never count.",
)
@click.option(
    "--only-flagged",
    is_flag=True,
    help="Print nothing unless a change adds or removes flagged data-practice language.",
)
@click.option(
    "--accept",
    is_flag=True,
    help="Archive pages the guards would refuse (shrunk text, error-like pages): for real changes.",
)
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, help="Policies at once.")
@wait_option
@click.option(
    "--shard",
    default=None,
    metavar="I/N",
    help="Check only shard I of N (1-based): split one configuration across machines.",
)
@click.option(
    "--report",
    "report_dir",
    type=click.Path(path_type=Path),
    default=None,
    metavar="DIR",
    help="Then refresh the HTML report in DIR (as policywatch report -o DIR).",
)
@now_option
@pass_env
def check(
    env: Env,
    ids: tuple[str, ...],
    quiet: bool,
    fmt: str,
    exit_code: bool,
    only_flagged: bool,
    accept: bool,
    jobs: int | None,
    wait: float,
    shard: str | None,
    report_dir: Path | None,
    now: str | None,
) -> None:
    """Fetch each policy, archive the ones whose text changed, report changes and failures.

    Exit 0 when all went well, 1 with --exit-code when the words of a policy changed (with
    --only-flagged: when a change carries a flag), 3 when a policy could not be fetched (the
    others are still checked), 75 when another run holds the lock, 130 when interrupted
    (Ctrl-C: the policies under way are abandoned as they were).
    """
    from ..check import Interrupted, iter_check
    from ..outcome import FAILED, Tally
    from ..render.terminal import check_report
    from ..workers import Extractor, extraction_processes

    config = env.config()
    policies = config.select(ids)
    if shard is not None:
        from ..status import shard as one_shard

        try:
            policies = one_shard(policies, shard)
        except ValueError:
            raise Failure(
                f"--shard: '{shard}' is not I/N with 1 <= I <= N (for example 2/4)"
            ) from None
    env.taxonomy()  # a broken taxonomy file is a configuration error: say so before fetching
    if report_dir is not None:
        report_folder_ready(report_dir, env.archive())  # a report that cannot be written
    given = now_of(now) if now is not None else None  # a bad --now is said before fetching
    archive = env.archive()
    show_progress = fmt == "text" and not quiet and sys.stderr.isatty()
    # Outcomes are tallied as they come: a text report keeps only the ones worth a line.
    tally = Tally(keep_all=fmt == "json")
    try:
        with (
            archive.lock(wait),
            _progress(len(policies), show_progress) as advance,
            Extractor(extraction_processes(len(policies), jobs or config.jobs)) as extractor,
        ):
            # The run's time once the lock is ours: a run that waited for another records a
            # time after the one it waited for, so the archive's order is the order of writing.
            moment = given or now_of(None)
            run = iter_check(
                archive,
                policies,
                jobs=jobs or config.jobs,
                now=lambda: moment,
                accept=accept,
                chromium=config.chromium,
                extractor=extractor,
                on_interrupt=_finishing_writes,
            )
            try:
                for outcome in run:
                    tally.add(outcome)
                    advance()
            except KeyboardInterrupt as exc:
                if not isinstance(exc, Interrupted):  # it came between two outcomes
                    run.throw(exc)  # raises Interrupted
                raise
    except Interrupted as exc:
        for outcome in exc.finished:
            tally.add(outcome)
        _say_abandoned(exc.abandoned, len(policies) - tally.total - len(exc.abandoned), tally)
        raise
    from ..cache import Comparisons
    from ..status import findings

    # Kept in the archive's cache: the changelog reuses what the check compared.
    found = findings(
        archive,
        [p.id for p in policies],
        tally.kept,
        lambda: Comparisons.of(archive, env.taxonomy()),
    )
    if only_flagged:
        found = found.only_flagged()
    outcomes, news = found.outcomes, found.news
    if fmt == "json":
        checked_at = moment.isoformat().replace("+00:00", "Z")
        print_json({"checked_at": checked_at, "results": found.to_json()})
    else:
        check_report(lines(), outcomes, tally, quiet or only_flagged, news)
    if config.notify:
        from ..notify import compose, send

        message = compose(outcomes, news, moment.isoformat(), config.notify_on)
        problem = send(config.notify, message) if message else None
        if problem:
            click.echo(f"policywatch: {problem}", err=True)
    if report_dir is not None:
        try:
            build_report(env, report_dir, DEFAULT_DAYS)
        except Failure as exc:  # the archive is written: say so, and exit as the check would
            click.echo(f"Error: {exc.message}", err=True)
            sys.exit(EXIT_FAILED if tally.counts[FAILED] else 1)
    if tally.counts[FAILED]:
        sys.exit(EXIT_FAILED)
    # With --only-flagged, "changed" means a change it shows: one that carries a flag.
    if exit_code and found.words_changed:
        sys.exit(EXIT_CHANGED)


def _finishing_writes(ids: list[str]) -> None:
    click.echo(
        f"policywatch: interrupted; finishing the archive writes of {_some(ids)} "
        "(Ctrl-C again to quit at once)",
        err=True,
    )


def _say_abandoned(abandoned: list[str], not_started: int, tally: Tally) -> None:
    """The line that tells what an interrupted check left undone, and what it did archive."""
    from ..outcome import CHANGED, NEW

    archived = [o.policy_id for o in tally.kept if o.status in (NEW, CHANGED)]
    done = f"{tally.total:,} checked"
    if archived:
        done += f", new snapshots of {_some(archived)}"
    _say_interrupted(abandoned, "under way, left as they were", not_started, done)


def _say_interrupted(abandoned: list[str], state: str, not_started: int, done: str) -> None:
    """One line on stderr: what an interrupted command abandoned (in `state`), how many it
    never started, and what it had done."""
    parts = []
    if abandoned:
        parts.append(f"abandoned {_some(abandoned)} ({state})")
    if not_started:
        parts.append(f"{not_started:,} not started")
    parts.append(done)
    click.echo(f"policywatch: interrupted: {'; '.join(parts)}", err=True)


def _some(ids: list[str], most: int = 10) -> str:
    """Up to `most` ids, and how many more."""
    shown = ", ".join(ids[:most])
    return f"{shown} and {len(ids) - most:,} more" if len(ids) > most else shown


@click.command(cls=Command)
@click.option(
    "--fetch",
    "do_fetch",
    is_flag=True,
    help="Also get each policy's pages twice, as check does (rendered if need be, every page "
    "of urls): report selectors that match nothing and unstable text.",
)
@format_option
@pass_env
def validate(env: Env, do_fetch: bool, fmt: str) -> None:
    """Check the configuration (and, with --fetch, the pages it points to).

    Exit 0 when all is well, 3 when a page is a problem, 130 when interrupted (Ctrl-C: the
    fetches under way are abandoned at once).
    """

    config = env.config()
    if not do_fetch:
        if fmt == "json":
            print_json({"config": str(config.path), "policies": len(config.policies), "ok": True})
        else:
            click.echo(f"{config.path}: OK, {len(config.policies)} policies")
        return
    from ..validate import Interrupted, probe_all

    try:
        reports = probe_all(config)
    except Interrupted as exc:
        _say_interrupted(
            exc.abandoned, "under way", exc.not_started, f"{len(exc.probes):,} validated"
        )
        raise
    from ..render.terminal import validate_report

    emit(fmt, [r.to_json() for r in reports], lambda out: validate_report(out, reports))
    if not all(r.ok for r in reports):
        sys.exit(EXIT_FAILED)
