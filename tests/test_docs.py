"""The README tells the truth: its command reference is the --help text, every command appears.

Run `python tests/test_docs.py` to rewrite the README's reference after changing an option.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from policywatch.cli import main

README = Path(__file__).parent.parent / "README.md"
START, END = "<!-- usage:start -->", "<!-- usage:end -->"


def commands() -> dict[str, click.Command]:
    """Every command of the group, each module loaded (the group loads them when named)."""
    ctx = click.Context(main)
    found = {name: main.get_command(ctx, name) for name in main.list_commands(ctx)}
    return {name: command for name, command in found.items() if command is not None}


def usage_text() -> str:
    runner = CliRunner()
    parts = []
    for args in [[], *([name] for name in sorted(commands()))]:
        result = runner.invoke(main, [*args, "--help"], prog_name="policywatch", terminal_width=100)
        assert result.exit_code == 0
        title = " ".join(["policywatch", *args])
        parts.append(f"### `{title}`\n\n```\n{result.output.rstrip()}\n```\n")
    return "\n".join(parts)


def readme_block() -> str:
    text = README.read_text()
    return text[text.index(START) + len(START) : text.index(END)].strip("\n")


def test_the_readme_reference_is_the_help_text() -> None:
    assert readme_block() == usage_text().strip("\n"), "run: python tests/test_docs.py"


def test_every_command_and_option_is_described_in_the_readme_prose() -> None:
    prose = README.read_text().split(START)[0]
    for name, command in commands().items():
        assert f"policywatch {name}" in prose, name
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert any(opt in prose for opt in param.opts), f"{name} {param.opts}"


def test_the_readme_gives_exactly_two_commands_for_a_fresh_machine() -> None:
    text = README.read_text()
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quick, re.S)
    assert len(commands) == 2
    assert "policywatch check" in commands[0]
    assert "pytest" in commands[1]
    ci = (README.parent / ".ci" / "run").read_text()
    assert commands[1] in ci, "CI runs the README's test command"


if __name__ == "__main__":
    text = README.read_text()
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{usage_text().strip()}\n{END}{tail}")
    sys.exit(0)


def test_the_architecture_section_names_every_module() -> None:
    """Each module of the package (render/ as one) says in the README what it owns."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Architecture: what each module owns", 1)[1].split("\n## ", 1)[0]
    package = Path(__file__).parent.parent / "src" / "policywatch"
    modules = {p.name for p in package.glob("*.py") if not p.name.startswith("__")}
    missing = sorted(m for m in modules if f"`{m}`" not in section)
    assert not missing, f"README's architecture section does not name {missing}"
    assert "`render/`" in section
