"""One entry of the `policies:` list read into a Policy: its id, its pages (URLs a request
can be made to), selectors, patterns and own settings; where a `url:` meant for it went."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import yaml

from .config import POLICY_KEYS, SETTING_KEYS, Policy, Settings
from .snapshot import ID
from .yamlnodes import Reader

# libyaml's loader when PyYAML was built with it: ten times faster than the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Names that some file systems or our own archive reserve.
RESERVED_IDS = frozenset(
    {"con", "prn", "aux", "nul", "lock", "tmp"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)


def read_policies(
    reader: Reader, nodes: Iterator[yaml.Node], defaults: Settings
) -> Iterator[Policy]:
    """The entries of a `policies:` list as Policy objects, one at a time; ids are unique."""
    seen: dict[str, int] = {}
    for index, node in enumerate(nodes):
        policy = _policy(reader, node, index, defaults)
        if policy.id in seen:
            raise reader.fail(
                node,
                f"policy '{policy.id}'",
                f"duplicate id (first used at line {seen[policy.id]}); ids must be unique",
            )
        seen[policy.id] = node.start_mark.line + 1
        yield policy


def read_settings(
    reader: Reader, nodes: dict[str, yaml.Node], where: str, base: Settings
) -> Settings:
    """A block of settings (the defaults, or a policy's own) read over base."""
    values: dict[str, Any] = {}
    for key, node in nodes.items():
        label = f"{where}field '{key}'"
        if key in ("timeout", "backoff", "max_retry_after"):
            minimum = 0.001 if key == "timeout" else 0
            values[key] = float(reader.number(node, label, integer=False, minimum=minimum))
        elif key in ("max_bytes", "min_length", "retries"):
            minimum = 1024 if key == "max_bytes" else 0
            values[key] = int(reader.number(node, label, integer=True, minimum=minimum))
        elif key in ("user_agent", "language"):
            values[key] = reader.string(node, label)
        elif key == "headers":
            pairs = reader.mapping(node, label, allowed=None)
            headers = dict(base.headers)
            for name, value_node in pairs.items():
                headers[name] = str(reader.scalar(value_node, f"{label} '{name}'"))
            values[key] = tuple(headers.items())
    # A policy with no settings of its own shares the defaults object (memory at 10,000).
    return replace(base, **values) if values else base


def _policy(reader: Reader, node: yaml.Node, index: int, defaults: Settings) -> Policy:
    where = f"policy #{index + 1}"
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if getattr(key_node, "value", None) == "id" and isinstance(value_node, yaml.ScalarNode):
                where = f"policy '{value_node.value}'"
    nodes = reader.mapping(node, where, POLICY_KEYS)
    if "id" not in nodes:
        raise reader.fail(node, where, "missing required field 'id'")
    if "url" in nodes and "urls" in nodes:
        raise reader.fail(
            nodes["urls"], where, "give 'url' (one page) or 'urls' (several), not both"
        )
    if "url" not in nodes and "urls" not in nodes:
        missing = "give 'url' (one page) or 'urls' (several); it has neither"
        raise reader.fail(node, where, missing + _stray_pages(reader.text, node))
    policy_id = reader.string(nodes["id"], f"{where}: field 'id'")
    if not ID.fullmatch(policy_id) or policy_id in RESERVED_IDS:
        raise reader.fail(
            nodes["id"],
            f"{where}: field 'id'",
            f"'{policy_id}' is not a usable id: use lowercase letters, digits, '.', '_' and '-', "
            "starting and ending with a letter or digit, at most 64 characters "
            "(it names the policy's folder in the archive)",
        )
    url_key = "url" if "url" in nodes else "urls"
    pages = reader.string_list(nodes[url_key], f"{where}: field '{url_key}'")
    if url_key == "url" and len(pages) > 1:
        raise reader.fail(
            nodes[url_key], f"{where}: field 'url'", "one URL here; use 'urls' for several"
        )
    for page, page_node in pages:
        problem = url_problem(page)
        if problem is not None:
            raise reader.fail(page_node, f"{where}: field '{url_key}'", f"'{page}' {problem}")
    url = pages[0][0]
    render = "never"
    if "render" in nodes:
        value = reader.scalar(nodes["render"], f"{where}: field 'render'")
        render = {True: "always", False: "never", "auto": "auto"}.get(value, "")
        if not render:
            raise reader.fail(
                nodes["render"], f"{where}: field 'render'", f"{value!r} is not true, false or auto"
            )
    name = reader.string(nodes["name"], f"{where}: field 'name'") if "name" in nodes else policy_id
    selectors: dict[str, tuple[str, ...]] = {}
    for key in ("select", "remove"):
        if key in nodes:
            items = reader.string_list(nodes[key], f"{where}: field '{key}'")
            import soupsieve  # slow to import: only when a policy has selectors

            for selector, item_node in items:
                try:
                    soupsieve.compile(selector)
                except Exception as exc:  # soupsieve raises several error types
                    reason = str(exc).splitlines()[0]
                    raise reader.fail(
                        item_node,
                        f"{where}: field '{key}'",
                        f"'{selector}' is not a valid CSS selector ({reason})",
                    ) from None
            selectors[key] = tuple(s for s, _ in items)
    ignore: tuple[str, ...] = ()
    if "ignore" in nodes:
        items = reader.string_list(nodes["ignore"], f"{where}: field 'ignore'")
        for pattern, item_node in items:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise reader.fail(
                    item_node,
                    f"{where}: field 'ignore'",
                    f"'{pattern}' is not a valid regular expression ({exc})",
                ) from None
        ignore = tuple(p for p, _ in items)
    own = {k: v for k, v in nodes.items() if k in SETTING_KEYS}
    settings = read_settings(reader, own, f"{where}: ", defaults)
    return Policy(
        id=policy_id,
        name=name,
        url=url,
        select=selectors.get("select", ()),
        remove=selectors.get("remove", ()),
        ignore=ignore,
        settings=settings,
        urls=tuple(p for p, _ in pages) if url_key == "urls" else (),
        render=render,
    )


# A label of a host name: letters and digits of any script, '-' and '_' (which real hosts use).
_HOST_LABEL = re.compile(r"[\w-]{1,63}")


def url_problem(url: str) -> str | None:
    """Why no request could be made to url (the end of a sentence that starts with it), or
    None: an http(s) scheme, a host name or address, and a port from 1 to 65535 if any."""
    control = next((c for c in url if ord(c) < 32 or ord(c) == 127), None)
    if control is not None:  # urlsplit would drop a tab or a newline without a word
        return f"cannot be fetched: it holds the control character {control!r}"
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # brackets of an IPv6 address that do not close or hold one
        return f"is not a URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return "is not an http:// or https:// URL"
    host = parts.hostname
    if not host:
        return "cannot be fetched: it has no host (http://HOST/...)"
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        text = parts.netloc.rpartition(":")[2]
        return f"cannot be fetched: port {text} is not a whole number from 1 to 65535"
    if "[" in parts.netloc:
        try:
            ipaddress.IPv6Address(host.partition("%")[0])
        except ValueError:
            return f"is not a URL ('{host}' is not an IPv6 address)"
        return None
    name = host[:-1] if host.endswith(".") else host
    if len(name) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in name.split(".")):
        return (
            f"cannot be fetched: '{host}' is not a host name (letters, digits and '-', in "
            "parts of 1 to 63 characters joined by '.')"
        )
    return None


def _stray_pages(text: str, policy: yaml.Node) -> str:
    """Where the 'url' or 'urls' meant for a policy that has neither went (a mis-indented
    line that is still valid YAML), said as the end of its error; '' when nowhere near."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except (yaml.YAMLError, RecursionError):
        return ""
    if root is None:
        return ""
    fix = "indent it as its 'id' is"
    strays: list[tuple[int, str, str]] = []  # line, key, where it stands and what to do
    for key, value in _pairs(root):
        if key in ("url", "urls"):
            strays.append((value.start_mark.line, key, f"at the top level of the file; {fix}"))
        if key != "policies" or not isinstance(value, yaml.SequenceNode):
            continue
        for item in value.value:
            fields = dict(_pairs(item))
            if item.start_mark.index == policy.start_mark.index:  # nested in one of its fields
                for name, field_node in fields.items():
                    strays.extend(
                        (line, found, f"inside its field '{name}'; {fix}")
                        for line, found in _page_keys(field_node)
                    )
            elif "id" not in fields:  # its own fields after a '-' too many
                strays.extend(
                    (
                        node.start_mark.line,
                        name,
                        "in a list item of its own; join it to the policy without its '-'",
                    )
                    for name, node in fields.items()
                    if name in ("url", "urls")
                )
    after = sorted(s for s in strays if s[0] > policy.start_mark.line)
    if not after:
        return ""
    line, key, where = after[0]
    return f": the '{key}' at line {line + 1} is {where}"


def _page_keys(node: yaml.Node) -> Iterator[tuple[int, str]]:
    """The lines of every 'url' or 'urls' key at any depth under node."""
    for key, value in _pairs(node):
        if key in ("url", "urls"):
            yield value.start_mark.line, key
        yield from _page_keys(value)


def _pairs(node: yaml.Node) -> Iterator[tuple[str, yaml.Node]]:
    """A mapping's entries with plain keys; for a list, those of the mappings in it."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                yield key.value, value
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _pairs(item)
