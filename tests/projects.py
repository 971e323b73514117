"""Projects the report tests build: the demo archive, and a policy whose every word is hostile.

The hostile policy's text holds what could break out of a page if it were ever treated as
anything but words: script tags, event handlers, javascript: links, Jinja's {{ }} and {% %},
an iframe, a style block, a stylesheet link; its configured name does too. Every script in it
would set window.__pwned or open a dialog, so a test can see whether any ran.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from policywatch.cli import main
from policywatch.diff import Comparison, Side, compare_texts

ROOT = Path(__file__).parent.parent
DEMO_CONFIG = ROOT / "policies.yaml"
DEMO_ARCHIVE = ROOT / "snapshots"
FIXTURES = ROOT / "tests" / "fixtures"
HISTORY = FIXTURES / "history"  # real versions (Open Terms Archive, ODC-BY)
PAIRS = FIXTURES / "pairs"


def history_sides(policy: str, old: str, new: str) -> tuple[Side, Side]:
    """Two recorded versions of a real policy (tests/fixtures/history), as diff reads them."""
    return (
        Side.of_markdown(old, (HISTORY / policy / f"{old}.md").read_text(encoding="utf-8")),
        Side.of_markdown(new, (HISTORY / policy / f"{new}.md").read_text(encoding="utf-8")),
    )


def history_comparison(policy: str, old: str, new: str) -> Comparison:
    """Two recorded versions of a real policy compared."""
    return compare_texts(*history_sides(policy, old, new))


def history_flags_by_clause(policy: str, old: str, new: str, category: str) -> dict[str, list[str]]:
    """Each changed clause of two recorded versions (the side that carries a flag of the
    category) and the labels of its flags of that category."""
    return flags_by_clause(history_comparison(policy, old, new), category)


def flags_by_clause(comparison: Comparison, category: str) -> dict[str, list[str]]:
    """Each changed clause of a comparison (the side that carries a flag of the category) and
    the labels of its flags of that category."""
    found: dict[str, list[str]] = {}
    for change in comparison.changes:
        for flag in change.flags:
            if flag.category == category:
                text = change.new_text if flag.change == "added" else change.old_text
                found.setdefault(text or "", []).append(flag.label)
    return found


HOSTILE_NAME = "Evil <script>window.__pwned='name'</script> & {{ 7*7 }} Policy"
# Words that must show on the pages exactly as written.
HOSTILE_WORDS = (
    "<script>window.__pwned=1;alert('script')</script>",
    "<img src=x onerror=\"window.__pwned=2;alert('img')\">",
    "[our terms](javascript:window.__pwned=3)",
    "{{ 7*7 }}",
    "{% if true %}template{% endif %}",
    '<iframe src="https://evil.example/frame"></iframe>',
)
FIRST = "\n\n".join(
    [
        "Privacy Policy",
        "We collect your email address and your name to run the service and to answer you.",
        "We keep your messages for as long as your account is open. " + HOSTILE_WORDS[0],
        "Pictures you post may be shown to your friends. " + HOSTILE_WORDS[1],
        "Read " + HOSTILE_WORDS[2] + " or go to javascript:alert(4) before you sign up.",
        "Templates are words here: " + HOSTILE_WORDS[3] + " and " + HOSTILE_WORDS[4] + ".",
        "Frames are words too: " + HOSTILE_WORDS[5] + " and so is https://evil.example/track.",
        "<style>body { display: none }</style> <link rel=stylesheet href=https://evil.example/a.css>",
    ]
)
# The second version, as a web page: its headings and a new practice (a flag) are hostile too,
# written as entities so that the extracted text holds them as words; its raw bytes carry real
# scripts, which the report must never run.
SECOND = """<!DOCTYPE html><html><head><title>Privacy</title>
<script>window.__pwned='raw'; alert('raw')</script>
<link rel="stylesheet" href="https://evil.example/raw.css"></head>
<body onload="window.__pwned='onload'"><main>
<h1>Privacy Policy</h1>
<p>We collect your email address and your name to run the service and to answer you.</p>
<h2>&lt;script&gt;window.__pwned=6&lt;/script&gt; Faces</h2>
<p>We may collect your faceprints and voiceprints &lt;script&gt;window.__pwned=5&lt;/script&gt;
from the videos you post, to suggest tags {{ 7*7 }}.</p>
<p>We keep your messages for as long as your account is open. &lt;script&gt;window.__pwned=1;alert('script')&lt;/script&gt;</p>
<p>Pictures you post may be shown to your friends. &lt;img src=x onerror="window.__pwned=2;alert('img')"&gt;</p>
<p>Read [our terms](javascript:window.__pwned=3) or go to javascript:alert(4) before you sign up.</p>
<p>Frames are words too: &lt;iframe src="https://evil.example/frame"&gt;&lt;/iframe&gt; and so is https://evil.example/track.</p>
<img src="https://evil.example/pixel.gif" alt="">
</main></body></html>
"""


def hostile_project(folder: Path, name: str = HOSTILE_NAME) -> Path:
    """A project whose one policy has two hostile versions; returns its policies.yaml."""
    config = folder / "policies.yaml"
    quoted = json.dumps(name)  # a YAML double-quoted scalar: control characters as escapes
    config.write_text(
        f"policies:\n  - id: hostile\n    name: {quoted}\n    url: https://example.com/privacy\n"
    )
    first, second = folder / "first.txt", folder / "second.html"
    first.write_text(FIRST, encoding="utf-8")
    second.write_text(SECOND, encoding="utf-8")
    runner = CliRunner()
    for path, at in ((first, "2024-01-01T06:00:00Z"), (second, "2024-02-01T06:00:00Z")):
        result = runner.invoke(
            main, ["--config", str(config), "import", "hostile", str(path), "--at", at, "--accept"]
        )
        assert result.exit_code == 0, result.output
    return config


def build_report(config: Path, output: Path, *args: str, archive: Path | None = None) -> str:
    """`policywatch report -o OUTPUT` of a project; its output line."""
    where = ["--archive", str(archive)] if archive is not None else []
    result = CliRunner().invoke(
        main, ["--config", str(config), *where, "report", "-o", str(output), *args]
    )
    assert result.exit_code == 0, result.output
    return result.output
