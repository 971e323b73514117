"""The policywatch command: parse options, call the library, pick a renderer."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .. import __version__
from ..commandline import (
    DEFAULT_DAYS,
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
from .publishing import build_report, changelog, report_, report_folder_ready

if TYPE_CHECKING:  # the heavy modules load only in the commands that use them
    from ..outcome import Tally


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


@contextmanager
def _progress(total: int, enabled: bool) -> Iterator[Callable[[], None]]:
    if not enabled:
        yield lambda: None
        return
    from rich.progress import Progress

    with Progress(console=console(stderr=True), transient=True) as progress:
        task = progress.add_task("checking", total=total)
        yield lambda: progress.advance(task)


@main.command()
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
    moment = now_of(now)
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


for command in (changelog, report_):
    main.add_command(command)
