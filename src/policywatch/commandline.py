"""The command line's machinery: exit codes, the one-line failure, the command group that
turns the library's errors into them, global options accepted after a command, the
environment a command runs in, and the options several commands share. cli/ holds the
commands themselves."""

from __future__ import annotations

import difflib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from . import __version__
from .archive import Archive
from .errors import ArchiveError, ArchiveLocked, ConfigError, RefError

if TYPE_CHECKING:
    from .config import Config

EXIT_CHANGED = 1
EXIT_USAGE = 2
EXIT_FAILED = 3
EXIT_LOCKED = 75
DEFAULT_DAYS = 30  # report.DEFAULT_DAYS, without importing the report's code to parse options
EXIT_INTERRUPTED = 130  # 128 + SIGINT: what a shell reports for a command Ctrl-C ended

F = TypeVar("F", bound=Callable[..., Any])


class Failure(click.ClickException):
    """One clear line on stderr and an exit code; never a traceback."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]


VERSION_HELP = "Show the version and exit."


def _after_command(field_name: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    """A global option given after the command: it replaces the one given before it, if any."""

    def store(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value is not None:
            setattr(ctx.ensure_object(Env), field_name, value)

    return store


def _version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"policywatch, version {__version__}")
        ctx.exit()


class Command(click.Command):
    """A command that also takes the global options after its name: `policywatch list
    --config x.yaml` as well as `policywatch --config x.yaml list`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.extend(
            [
                click.Option(
                    ["--config", "-c"],
                    type=click.Path(path_type=Path, dir_okay=False),
                    expose_value=False,
                    callback=_after_command("config_path"),
                    help="The configuration file, here or before the command.  "
                    "[default: policies.yaml]",
                ),
                click.Option(
                    ["--archive"],
                    type=click.Path(path_type=Path, file_okay=False),
                    expose_value=False,
                    callback=_after_command("archive_path"),
                    help="The snapshots folder, here or before the command "
                    "[default: snapshots/ beside the configuration].",
                ),
                click.Option(
                    ["--version"],
                    is_flag=True,
                    expose_value=False,
                    is_eager=True,
                    callback=_version,
                    help=VERSION_HELP,
                ),
            ]
        )


class Group(click.Group):
    """Turns the library's errors into one line on stderr with the documented exit code, and
    loads a command's module only when the command is named (`lazy`: a name to its
    "module:attribute"), so that `diff` reads none of the code that fetches."""

    command_class = Command

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = self.lazy.get(cmd_name)
        if where is not None and cmd_name not in self.commands:
            import importlib

            module, attribute = where.split(":")
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with _second_interrupt_quits():
                return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("Aborted!", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except ArchiveLocked as exc:
            raise Failure(str(exc), EXIT_LOCKED) from None
        except RefError as exc:
            raise Failure(_worded(ctx, exc), EXIT_USAGE) from None
        except ConfigError as exc:
            raise Failure(str(exc), EXIT_USAGE) from None
        except ArchiveError as exc:
            raise Failure(str(exc), 1) from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise Failure(f"{where}{exc.strerror or exc}", 1) from None


def _worded(ctx: click.Context, exc: RefError) -> str:
    """A ref's error as every command words it: a configured policy with no snapshot yet says
    how to take the first; an id the archive does not hold names the ones it may mean."""
    env = ctx.find_object(Env)
    if not exc.unknown or env is None:
        return str(exc)
    configured = env.configured_ids()
    if exc.unknown in configured:
        return f"'{exc.ref}': no snapshots yet; `policywatch check {exc.unknown}` takes the first"
    known = sorted({*configured, *env.archive().policy_ids()} - {exc.unknown})
    like = [i for i in known if i.startswith(exc.unknown)]
    like += [i for i in difflib.get_close_matches(exc.unknown, known, n=3) if i not in like]
    return f"{exc}; did you mean {', '.join(like[:3])}?" if like else str(exc)


@contextmanager
def _second_interrupt_quits() -> Iterator[None]:
    """The first Ctrl-C stops a command in order (KeyboardInterrupt: nothing is left
    half-written); a second one, while it stops, ends the process at once."""
    if (
        threading.current_thread() is not threading.main_thread()  # only it may set one
        or signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # a background job: not ours
    ):
        yield
        return
    presses = 0

    def on_interrupt(signum: int, frame: object) -> None:
        nonlocal presses
        presses += 1
        if presses > 1:
            os.write(2, b"\npolicywatch: interrupted again: quitting at once\n")
            os._exit(EXIT_INTERRUPTED)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        if not presses and previous is not None:  # once interrupted, so until the end
            signal.signal(signal.SIGINT, previous)


@dataclass
class Env:
    config_path: Path
    archive_path: Path | None
    _config: Config | None = field(default=None, init=False, repr=False)

    def config(self) -> Config:
        from .configfile import load_config

        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    def taxonomy(self) -> tuple[Any, ...]:
        """The categories in force: shipped, merged with the config's `taxonomy:` file."""
        from .taxonomy import load_taxonomy

        if self._config is not None:
            return load_taxonomy(self._config.taxonomy)
        try:
            named = b"taxonomy" in self.config_path.read_bytes()
        except FileNotFoundError:  # a diff of two files anywhere: no config to read
            return load_taxonomy(None)
        except OSError:
            named = True  # the configuration's reader says what is wrong
        if not named:
            # No `taxonomy:` key without the word: a diff of two files beside a configuration
            # that names none neither imports PyYAML (9 ms) nor reads the rest of it.
            return load_taxonomy(None)
        from .yamlstream import taxonomy_of

        return load_taxonomy(taxonomy_of(self.config_path))

    def configured_ids(self) -> list[str]:
        """The ids the configuration names; none when there is no configuration, or one that
        cannot be read (the command that needs it says why)."""
        try:
            return [p.id for p in self.config().policies] if self.config_path.exists() else []
        except (ConfigError, OSError):
            return []

    def archive(self) -> Archive:
        if self.archive_path is not None:
            return Archive(self.archive_path)
        return Archive(self.config_path.parent / "snapshots")


pass_env = click.make_pass_decorator(Env)


def formats(*choices: str, help: str) -> Callable[[F], F]:
    """The --format option; the first choice is the default."""

    def decorate(func: F) -> F:
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(list(choices)),
            default=choices[0],
            show_default=True,
            help=help,
        )(func)

    return decorate


format_option = formats("text", "json", help="text for people, json for programs.")


def wait_option(func: F) -> F:
    return click.option(
        "--wait",
        type=click.FloatRange(0),
        default=10.0,
        show_default=True,
        help="Seconds to wait for another run's lock before giving up (exit 75).",
    )(func)


def now_option(func: F) -> F:
    # Hidden: lets tests and backfills run a check "as of" another moment.
    return click.option("--now", "now", default=None, hidden=True)(func)


def parse_time(value: str, what: str) -> datetime:
    """YYYY-MM-DD, an ISO time (Z or an offset), or a snapshot stamp, as an aware UTC time."""
    from .dates import parse_time as parse

    try:
        return parse(value)
    except (ValueError, OverflowError):
        raise Failure(
            f"{what}: '{value}' is not a time (use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)"
        ) from None


def now_of(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC).replace(microsecond=0)
    return parse_time(value, "--now")
