"""One message per run to the people who do not read cron mail, through Apprise.

Apprise (the optional extra `policywatch[notify]`) speaks to Slack, e-mail, Matrix, ntfy, a
JSON webhook and many more, each named by a URL. A failure to notify is reported, never fatal:
the archive is already written when notifications go out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .comparison import counts_line
from .flag import grouped, left_to_diff, quoted
from .outcome import CHANGED, FAILED, NEW, Outcome

ALL, FLAGGED = "changes", "flagged"


@dataclass(frozen=True)
class Message:
    title: str
    body: str


# Flags told in a message, per policy: what says the same once, at most NOTIFY_FLAGS of them.
NOTIFY_FLAGS = 10
NOTIFY_SENTENCE = 400  # characters of a flag's sentence


def _flag_lines(policy_id: str, flags: Sequence[dict[str, Any]]) -> list[str]:
    """'EXPANDED biometric (faceprints, voiceprints): “the sentence that says so”', a line per
    group of flags that say the same, and what is left to read in the diff."""
    groups = grouped(flags)
    lines = []
    for group in groups[:NOTIFY_FLAGS]:
        sentence = quoted(group.sentence, NOTIFY_SENTENCE)
        lines.append(f"  {group.title()}" + (f": {sentence}" if sentence else "") + group.more)
    if len(groups) > NOTIFY_FLAGS:
        lines.append("  " + left_to_diff(len(groups) - NOTIFY_FLAGS, policy_id))
    return lines


def compose(
    outcomes: Sequence[Outcome], news: dict[str, dict[str, Any]], when: str, only: str = ALL
) -> Message | None:
    """The run's message, or None when there is nothing the recipients asked to hear."""
    lines: list[str] = []
    flagged_policies = []
    for outcome in outcomes:
        found = news.get(outcome.policy_id, {})
        flags = found.get("flags") or []
        if only == FLAGGED and not flags:
            continue
        if outcome.status in (NEW, CHANGED) and outcome.is_news:
            if flags:
                flagged_policies.append(outcome.policy_id)
            counts = counts_line(found.get("changes") or {})
            head = f"{outcome.policy_id}: changed" + (f" ({counts})" if counts else "")
            if outcome.status == NEW:
                head = f"{outcome.policy_id}: first snapshot"
            lines.append(head)
            lines.extend(_flag_lines(outcome.policy_id, flags))
        elif outcome.status == FAILED and outcome.is_news and only == ALL:
            lines.append(f"{outcome.policy_id}: failed: {outcome.reason}")
    if not lines:
        return None
    if flagged_policies:
        title = f"policywatch: data-practice changes in {', '.join(flagged_policies)}"
    else:
        title = f"policywatch: {len(lines)} policy update(s)"
    return Message(title, f"Checked {when}\n\n" + "\n".join(lines))


def send(urls: Sequence[str], message: Message) -> str | None:
    """Send to every URL; the reason it failed, or None when all went out."""
    try:
        import apprise
    except ImportError:
        return "notify: Apprise is not installed (pip install 'policywatch[notify]')"
    sender = apprise.Apprise()
    bad = [url for url in urls if not sender.add(url)]
    if bad:
        return f"notify: not an Apprise URL: {', '.join(bad)}"
    if not sender.notify(title=message.title, body=message.body):
        return "notify: at least one notification could not be delivered"
    return None
