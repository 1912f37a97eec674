"""The README documents every setting, CLI command and endpoint that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from listen.cli import main
from listen.settings import SETTINGS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.env)
def test_every_setting_is_documented_with_its_default(setting):
    row = next(
        (line for line in README.splitlines() if line.startswith(f"| `{setting.env}` |")), None
    )
    assert row, f"{setting.env} is not in the README's settings table"
    default = "(empty)" if setting.default == "" else f"`{setting.default}`"
    assert row.split("|")[2].strip() == default


@pytest.mark.parametrize("setting", [s for s in SETTINGS if s.choices], ids=lambda s: s.env)
def test_fixed_choices_are_documented(setting):
    row = next(line for line in README.splitlines() if line.startswith(f"| `{setting.env}` |"))
    for choice in setting.choices:
        assert choice == "" or f"`{choice}`" in row.split("|", 3)[3], choice


def test_no_undeclared_setting_is_documented():
    import re

    documented = set(re.findall(r"^\| `(LISTEN_\w+)` \|", README, re.M))
    assert documented == {s.env for s in SETTINGS}


def commands(group, prefix=""):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}"


@pytest.mark.parametrize("command", sorted(commands(main)))
def test_every_cli_command_is_documented(command):
    assert f"listen {command}" in README


def test_every_route_is_documented(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = rule.rule.replace("<path:article_id>", "<id>")
        documented = re.findall(r"`(?:GET|HEAD|PUT|POST|DELETE)?[`/ ]*(/[^`\[ ]*)", README)
        assert path in documented, path


def test_quickstart_is_two_commands():
    start = README.index("## Quickstart")
    block = README[start:].split("```sh\n", 1)[1].split("```", 1)[0]
    lines = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert lines == ["./dev serve", "./dev test"]
