"""policies.yaml: valid files load; every mistake names the file, the line, the policy, the field."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from policywatch.cli import main
from policywatch.configfile import ConfigError, load_config, parse_config

GOOD = """\
defaults:
  timeout: 12
  user_agent: test-agent/1.0
  language: fr
  max_bytes: 50000
  jobs: 2
policies:
  - id: tiktok-us
    name: TikTok U.S.
    url: https://www.tiktok.com/legal/page/us/privacy-policy/en
    select: article
    remove: [".banner", "#promo"]
    ignore: ["^Page generated at"]
    timeout: 5
  - id: reddit
    url: https://www.redditinc.com/policies/privacy-policy
    headers:
      Cookie: consent=yes
"""


def parse(text: str) -> object:
    return parse_config(text, Path("policies.yaml"))


def error_of(text: str) -> str:
    with pytest.raises(ConfigError) as info:
        parse_config(text, Path("policies.yaml"))
    return str(info.value)


def test_a_valid_file_loads_with_defaults_and_overrides() -> None:
    config = parse_config(GOOD, Path("policies.yaml"))
    assert config.jobs == 2
    tiktok, reddit = config.policies
    assert tiktok.select == ("article",)
    assert tiktok.remove == (".banner", "#promo")
    assert tiktok.ignore == ("^Page generated at",)
    assert tiktok.settings.timeout == 5  # its own
    assert tiktok.settings.language == "fr"  # from defaults
    assert reddit.settings.timeout == 12
    assert reddit.name == "reddit"  # the id stands in for a missing name
    assert dict(reddit.settings.headers) == {"Cookie": "consent=yes"}
    assert reddit.settings.max_bytes == 50000


@pytest.mark.parametrize(
    "text",
    [
        # The policies are read one by one as the file is parsed; defaults that come after
        # them, or a file in flow style, must give the same policies as defaults first.
        "policies:\n  - id: a\n    url: https://a.example/\n"
        "defaults:\n  timeout: 7\n  headers: {X-Test: b}\n",
        "{policies: [{id: a, url: 'https://a.example/'}], defaults: {timeout: 7, "
        "headers: {X-Test: b}}}",
        "defaults:\n  timeout: 7\n  headers: {X-Test: b}\n"
        "policies:\n  - id: a\n    url: https://a.example/\n",
        "defaults: &d\n  timeout: 7\n  headers: {X-Test: b}\npolicies:\n  - &p\n    id: a\n"
        "    url: https://a.example/\n",
    ],
)
def test_defaults_apply_wherever_they_stand_in_the_file(text: str) -> None:
    config = parse_config(text, Path("policies.yaml"))
    (policy,) = config.policies
    assert policy.settings.timeout == 7
    assert dict(policy.settings.headers) == {"X-Test": "b"}
    assert policy.settings is config.defaults  # no settings of its own: one shared object


def test_a_long_list_of_policies_loads_in_order_with_ids_unique() -> None:
    lines = ["defaults:", "  retries: 1", "policies:"]
    for i in range(2000):
        lines += [f"  - id: p{i:04d}", f"    url: http://127.0.0.{2 + i % 16}:8000/{i}"]
    config = parse_config("\n".join(lines) + "\n", Path("policies.yaml"))
    assert [p.id for p in config.policies] == [f"p{i:04d}" for i in range(2000)]
    assert {p.settings.retries for p in config.policies} == {1}
    lines += ["  - id: p1999", "    url: http://127.0.0.2:8000/x"]
    with pytest.raises(ConfigError, match=r":4004: policy 'p1999': duplicate id .*line 4002"):
        parse_config("\n".join(lines) + "\n", Path("policies.yaml"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "policies:\n  - id: a\n    url: https://a.example/\n    selekt: main\n",
            ["policies.yaml:4:", "policy 'a'", "unknown key 'selekt'", "did you mean 'select'"],
        ),
        (
            "policies:\n  - id: a\n    url: https://a.example/\n  - id: a\n    url: https://b.example/\n",
            ["policies.yaml:4:", "duplicate id", "line 2"],
        ),
        (
            "policies:\n  - id: a\n    url: ftp://a.example/x\n",
            ["policies.yaml:3:", "field 'url'", "not an http:// or https:// URL"],
        ),
        (
            "policies:\n  - id: a\n    url: https://a.example/\n    select: 'div[[['\n",
            ["policies.yaml:4:", "field 'select'", "not a valid CSS selector"],
        ),
        (
            "policies:\n  - id: a\n    url: https://a.example/\n    ignore: ['(unclosed']\n",
            ["policies.yaml:4:", "field 'ignore'", "not a valid regular expression"],
        ),
        (
            "policies:\n  - id: ../escape\n    url: https://a.example/\n",
            ["policies.yaml:2:", "field 'id'", "not a usable id"],
        ),
        (
            "policies:\n  - id: /etc\n    url: https://a.example/\n",
            ["field 'id'", "not a usable id"],
        ),
        ("policies:\n  - id: con\n    url: https://a.example/\n", ["not a usable id"]),
        ("policies:\n  - id: a\n", ["policies.yaml:2:", "give 'url' (one page) or 'urls'"]),
        (
            "policies:\n  - id: a\n    url: https://a.example/\n    render: sometimes\n",
            ["policies.yaml:4:", "field 'render'", "'sometimes' is not true, false or auto"],
        ),
        (
            "policies:\n  - id: a\n    urls: [https://a.example/, 'ftp://b']\n",
            ["policies.yaml:3:", "field 'urls'", "'ftp://b' is not an http"],
        ),
        (
            "defaults:\n  timeout: soon\npolicies: []\n",
            ["policies.yaml:2:", "field 'timeout'", "expected a number"],
        ),
        (
            "defaults:\n  jobs: 0\npolicies: []\n",
            ["policies.yaml:2:", "field 'jobs'", "at least 1"],
        ),
        ("defaults:\n  job: 3\npolicies: []\n", ["unknown key 'job'", "did you mean 'jobs'"]),
        ("polices: []\n", ["unknown key 'polices'", "did you mean 'policies'"]),
        ("policies: [\n", ["policies.yaml:2:", "not valid YAML"]),
        ("", ["empty"]),
        ("policies: {id: a}\n", ["expected a list of policies"]),
        ("policies: []\n---\npolicies: []\n", ["policies.yaml:2:", "another document"]),
        ("- id: a\n", ["policies.yaml:1:", "expected a mapping"]),
        ("policies: []\npolicies: []\n", ["policies.yaml:2:", "key 'policies' appears twice"]),
        (
            "defaults: {}\npolicies:\n  - id: a\n    url: https://a.example/\ndefaults: {}\n",
            ["policies.yaml:5:", "key 'defaults' appears twice"],
        ),
        ("defaults: {}\n", ["policies.yaml:1:", "missing the 'policies:' list"]),
        (
            "policies:\n  - id: a\n    url: https://a.example/\n  - id: [b\n",
            ["policies.yaml:5:", "not valid YAML"],
        ),
        (
            "policies:\n  - id: a\n    url: https://a.example/\n    name: " + "[" * 600 + "]" * 600,
            ["policies.yaml:", "nested too deeply"],
        ),
    ],
)
def test_mistakes_are_named_with_file_line_and_field(text: str, expected: list[str]) -> None:
    message = error_of(text)
    for part in expected:
        assert part in message, message
    assert "\n" not in message


# Issue 14: a policy with no page, or whose 'url:' line is mis-indented, is told what is
# wrong and where, never "not both". Hand-written files, one mistake each.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "policies:\n  - id: a\n    name: A\n",
            ["policies.yaml:2:", "policy 'a'", "it has neither"],
        ),
        (  # at the indent of the list's '-'
            "policies:\n  - id: a\n  url: https://a.example/\n  - id: b\n    url: https://b/\n",
            ["policies.yaml:3:", "not valid YAML", "that starts at line 2"],
        ),
        (  # one space short of the policy's other keys
            "policies:\n  - id: a\n    name: A\n   url: https://a.example/\n",
            ["policies.yaml:4:", "not valid YAML"],
        ),
        (
            "policies:\n  - id: a\n   url: https://a.example/\n",
            ["policies.yaml:3:", "not valid YAML"],
        ),
        (  # at the left margin, under a list written without indent: a key of the file
            "policies:\n- id: a\nurl: https://a.example/\n",
            ["policies.yaml:2:", "policy 'a'", "'url' at line 3", "top level of the file"],
        ),
        (  # indented under the field above it
            "policies:\n  - id: a\n    name:\n      url: https://a.example/\n",
            ["policies.yaml:2:", "policy 'a'", "'url' at line 4", "inside its field 'name'"],
        ),
        (  # a '-' too many
            "policies:\n  - id: a\n  - url: https://a.example/\n",
            ["policies.yaml:2:", "policy 'a'", "'url' at line 3", "list item of its own"],
        ),
        (
            "policies:\n  - id: a\n    url: https://a.example/\n    urls: [https://b.example/]\n",
            ["policies.yaml:4:", "policy 'a'", "not both"],
        ),
    ],
)
def test_a_policy_without_its_url_is_told_what_is_wrong_and_where(
    text: str, expected: list[str]
) -> None:
    message = error_of(text)
    for part in expected:
        assert part in message, message
    assert "\n" not in message
    if "not both" not in expected:
        assert "not both" not in message, message


# Issue 14: a URL no request could be made to is a configuration error, found before anything
# is fetched. Hand-written URLs, one mistake each.
@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://exa mple.com/privacy", "'exa mple.com' is not a host name"),
        ("http://exa\tmple.com/privacy", "the control character '\\t'"),
        ("https://example..com/privacy", "is not a host name"),
        ("https://.example.com/privacy", "is not a host name"),
        ("https://*.example.com/privacy", "is not a host name"),
        ("https://exa<mple.com/privacy", "is not a host name"),
        ("https://" + "a" * 64 + ".com/privacy", "is not a host name"),
        ("http://example.com:99999/privacy", "port 99999"),
        ("http://example.com:0/privacy", "port 0"),
        ("http://example.com:http/privacy", "port http"),
        ("http://[::1/privacy", "not a URL"),
        ("http://[::zz]/privacy", "not a URL"),
        ("http:///privacy", "it has no host"),
        ("http://user@/privacy", "it has no host"),
        ("https:/example.com/privacy", "it has no host"),
        ("ftp://example.com/privacy", "is not an http:// or https:// URL"),
        ("file:///etc/passwd", "is not an http:// or https:// URL"),
        ("example.com/privacy", "is not an http:// or https:// URL"),
    ],
)
@pytest.mark.parametrize("field", ["url", "urls"])
def test_a_url_that_cannot_be_fetched_is_named_at_load(url: str, why: str, field: str) -> None:
    value = f'"{url}"' if field == "url" else f'["https://example.com/a", "{url}"]'
    message = error_of(f"policies:\n  - id: acme\n    {field}: {value}\n")
    assert message.startswith("policies.yaml:3: policy 'acme': "), message
    assert f"field '{field}'" in message and url in message and why in message, message
    assert "\n" not in message


@pytest.mark.parametrize(
    "url",
    [
        "https://www.example.com/legal/privacy?lang=en#top",
        "HTTPS://Example.COM/privacy",
        "https://example.com./privacy",
        "https://bücher.de/datenschutz",
        "https://my_host.example.com/privacy",
        "http://127.0.0.1:8080/privacy",
        "http://[::1]:8080/privacy",
        "http://example.com:/privacy",
        "https://user:secret@example.com/privacy",
        "https://example.com/privacy policy.html",
    ],
)
def test_urls_that_can_be_fetched_still_load(url: str) -> None:
    config = parse(f'policies:\n  - id: acme\n    url: "{url}"\n')
    assert config.policies[0].url == url  # type: ignore[attr-defined]


def test_validate_names_an_unfetchable_url_before_fetching(tmp_path: Path) -> None:
    config = tmp_path / "policies.yaml"
    config.write_text(
        "policies:\n  - id: ok\n    url: http://127.0.0.1:9/\n"
        "  - id: acme\n    url: http://exa mple.com/privacy\n"
    )
    for command in (["validate"], ["validate", "--fetch"], ["check"]):
        result = CliRunner().invoke(main, ["--config", str(config), *command])
        assert result.exit_code == 2, result.output
        (line,) = result.stderr.strip().splitlines()
        assert f"{config}:5: policy 'acme'" in line and "'http://exa mple.com/privacy'" in line
        assert not (tmp_path / "snapshots").exists()


def test_a_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="policywatch init"):
        load_config(tmp_path / "policies.yaml")


def test_the_cli_prints_one_line_and_exits_2_before_fetching_anything(tmp_path: Path) -> None:
    config = tmp_path / "policies.yaml"
    # The first policy is valid and points at a port nothing listens on: if anything were
    # fetched before validation, the run would report a connection failure instead.
    config.write_text(
        "policies:\n  - id: ok\n    url: http://127.0.0.1:9/\n"
        "  - id: bad\n    url: http://127.0.0.1:9/\n    remove: 'p:::x'\n"
    )
    result = CliRunner().invoke(main, ["--config", str(config), "check"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"{config}:6:" in lines[0] and "not a valid CSS selector" in lines[0]
    assert "Traceback" not in result.output
    assert not (tmp_path / "snapshots" / "ok").exists()


def test_the_shipped_configuration_is_valid_and_lists_ten_real_policies() -> None:
    shipped = Path(__file__).parent.parent / "policies.yaml"
    config = load_config(shipped)
    assert len(config.policies) >= 10
    ids = {p.id for p in config.policies}
    assert {"tiktok-us", "tiktok-eea", "reddit", "snapchat"} <= ids
    assert all(p.url.startswith("https://") for p in config.policies)
    by_id = {p.id: p for p in config.policies}
    assert by_id["tiktok-us"].render == by_id["tiktok-eea"].render == "always"


def test_init_writes_a_valid_commented_config_and_refuses_to_overwrite(tmp_path: Path) -> None:
    runner = CliRunner()
    config = tmp_path / "policies.yaml"
    first = runner.invoke(main, ["--config", str(config), "init"])
    assert first.exit_code == 0, first.output
    assert config.read_text().startswith("#")
    assert (tmp_path / "snapshots").is_dir()
    assert len(load_config(config).policies) >= 1
    config.write_text(config.read_text() + "# my edit\n")
    second = runner.invoke(main, ["--config", str(config), "init"])
    assert second.exit_code == 2
    assert "already exists" in second.stderr
    assert config.read_text().endswith("# my edit\n")


@pytest.mark.parametrize(
    "text",
    [
        "taxonomy: mine.yaml\npolicies:\n  - id: a\n    url: https://a.example/\n",
        "policies:\n  - id: a\n    url: https://a.example/\n    select: [main, {x: [1]}]\n"
        "defaults: {timeout: 3}\ntaxonomy: mine.yaml\n",
        "{policies: [{id: a, url: 'https://a.example/'}], taxonomy: mine.yaml}",
        "? [odd, key]\n: 1\ntaxonomy: mine.yaml\n",
    ],
)
def test_the_taxonomy_file_is_found_wherever_it_stands(tmp_path: Path, text: str) -> None:
    from policywatch.yamlstream import taxonomy_of

    (tmp_path / "mine.yaml").write_text("categories: []\n")
    (tmp_path / "policies.yaml").write_text(text)
    assert taxonomy_of(tmp_path / "policies.yaml") == tmp_path / "mine.yaml"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("policies: []\n", None),
        ("", None),
        ("- a list\n", None),
        ("taxonomy: [a, b]\npolicies: []\n", "expected a single value"),
        ("taxonomy: gone.yaml\npolicies: []\n", "no such file"),
        ("policies: [\n", "not valid YAML"),
        # The '[' never closed is the mistake, not the policy it seems to hold (issue 14).
        ("policies: [\ntaxonomy: mine.yaml\n", "policies.yaml:3: not valid YAML"),
    ],
)
def test_the_taxonomy_file_absent_or_wrong(tmp_path: Path, text: str, expected: str | None) -> None:
    from policywatch.yamlstream import taxonomy_of

    (tmp_path / "mine.yaml").write_text("categories: []\n")
    (tmp_path / "policies.yaml").write_text(text)
    if expected is None:
        assert taxonomy_of(tmp_path / "policies.yaml") is None
    else:
        with pytest.raises(ConfigError, match=expected):
            taxonomy_of(tmp_path / "policies.yaml")
