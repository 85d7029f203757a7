"""Docs as tests (after sqlite-utils' tests/test_docs.py): every command has help text and
a row in the README's command table, and the table names no command that does not exist."""

from __future__ import annotations

import argparse
import re

import pytest

from mistakes.cli.main import build_parser
from tests.conftest import REPO


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("the parser has no subcommands")


def _helps() -> dict[str, str]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return {a.dest: a.help or "" for a in action._choices_actions}
    return {}


def _readme_commands() -> set[str]:
    text = (REPO / "README.md").read_text("utf-8")
    start = text.index("| command | what it does |")
    table = text[start:].split("\n\n", 1)[0]
    return set(re.findall(r"^\| `([a-z]+)", table, re.MULTILINE))


COMMANDS = sorted(_subcommands())


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help_and_a_readme_row(name: str) -> None:
    assert _helps()[name].strip(), f"'{name}' has no help text"
    assert (_subcommands()[name].description or "").strip()
    assert name in _readme_commands(), f"'{name}' is missing from the README's command table"


def test_readme_table_names_only_real_commands() -> None:
    assert _readme_commands() <= set(COMMANDS)


def test_every_command_has_a_handler() -> None:
    for name, sub in _subcommands().items():
        assert callable(sub.get_default("handler")), name
