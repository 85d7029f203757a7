"""The command a command line names, read before its parser is built (only that command's
parser is built): options before it are read past; anything unusual builds every parser."""

from __future__ import annotations

import pytest

from mistakes.cli.main import GROUPS, MAIN_COMMANDS, build_parser, command_named


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["list"], "list"),
        (["list", "--json"], "list"),
        (["--dir", "x", "list"], "list"),
        (["-d", "x", "stats"], "stats"),
        (["-dx", "stats"], "stats"),
        (["--dir=x", "--template=t.md", "search", "q"], "search"),
        (["--di", "list", "show", "5"], "show"),  # an abbreviated --dir takes "list"
        (["--template", "search", "todo"], "todo"),
        (["--ascii", "export", "-f", "csv"], "export"),
        (["-d", "a", "-d", "b", "link", "1", "2"], "link"),
        ([], None),
        (["--ascii"], None),
        (["lst"], None),  # argparse says which commands there are
        (["--", "list"], None),
        (["-h", "list"], None),  # the whole help, every command in it
        (["--he", "list"], None),
        (["--unknown", "list"], None),
    ],
)
def test_command_named(argv: list[str], named: str | None) -> None:
    assert command_named(argv) == named


def _choices(only: str | None) -> list[str]:
    parser = build_parser(only)
    sub = next(a for a in parser._actions if a.dest == "command")
    return list(sub.choices)  # type: ignore[arg-type]


def test_only_builds_that_parser_and_it_is_the_same() -> None:
    every = build_parser()
    sub = next(a for a in every._actions if a.dest == "command")
    names = {*MAIN_COMMANDS, *(name for group in GROUPS.values() for name in group[2])}
    assert set(sub.choices) == names  # type: ignore[arg-type]
    for name in sub.choices:  # type: ignore[union-attr]
        assert command_named([name]) == name
        assert _choices(name) == [name]
        alone = next(a for a in build_parser(name)._actions if a.dest == "command")
        assert alone.choices[name].format_help() == sub.choices[name].format_help()  # type: ignore[index]


def test_the_same_namespace_either_way() -> None:
    argv = ["--dir", "x", "list", "--tag", "db", "--sort", "date", "--json"]
    whole = vars(build_parser().parse_args(argv))
    one = vars(build_parser(command_named(argv)).parse_args(argv))
    assert whole.keys() == one.keys()
    for key in whole:
        if key != "handler":
            assert whole[key] == one[key]
    assert whole["handler"] is one["handler"]
