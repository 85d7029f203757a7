"""The frontmatter YAML layer: scalars that read back as typed, in-place edits, safety."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mistakes.storage import yaml_text
from mistakes.storage.errors import EntryParseError

TRICKY = [
    "1.10",
    "no",
    "yes",
    "No",
    "off",
    "on",
    "true",
    "False",
    "010",
    "0x1F",
    "0o17",
    "1e3",
    "-1",
    "+1",
    ".5",
    "1_000",
    ".inf",
    ".nan",
    "12:30",
    "1:20:30",
    "~",
    "null",
    "Null",
    "",
    "''",
    '""',
    "- x",
    "-",
    "?",
    "? x",
    "a: b",
    "a:",
    ":a",
    "#x",
    "x #y",
    "x#y",
    " leading",
    "trailing ",
    "  both  ",
    "'single'",
    '"double"',
    "it's",
    'say "hi"',
    "line1\nline2",
    "trailing newline\n",
    "\n",
    "tab\there",
    "\ttab first",
    "café",
    "日本語のタイトル",
    "emoji 🎉 party",
    "🔥",
    "[",
    "]",
    "[a, b]",
    "{",
    "{a: b}",
    "@user",
    "`code`",
    "%percent",
    "!bang",
    "&anchor",
    "*alias",
    "|",
    ">",
    "a, b",
    "=",
    "<<",
    "---",
    "...",
    "back\\slash",
    "nbsp\u00a0inside",
    "zero\u200bwidth",
    "bom\ufeffinside",
]

# Characters YAML does not allow in a plain scalar (C0/C1 controls, DEL) or reads as a line
# break (NEL, LS, PS): they must be written escaped, in double quotes.
CONTROL_CHARS = ["bell\x07", "del\x7f", "bs\x08", "esc\x1b", "line\u2028sep", "c1\x85ctl"]


def read_back(formatted: str) -> object:
    """The value of ``k: <formatted>`` as the project's own loader reads it."""
    data, _node = yaml_text.load_mapping(f"k: {formatted}\n")
    return data["k"]


@pytest.mark.parametrize("value", TRICKY + CONTROL_CHARS, ids=repr)
def test_format_scalar_round_trips_through_our_loader(value: str) -> None:
    formatted = yaml_text.format_scalar(value)
    assert read_back(formatted) == value, f"{value!r} was written as {formatted!r}"


@pytest.mark.parametrize("value", TRICKY + CONTROL_CHARS, ids=repr)
def test_format_scalar_reads_as_the_same_string_with_plain_safe_load(value: str) -> None:
    formatted = yaml_text.format_scalar(value)
    loaded = yaml.safe_load(f"k: {formatted}\n")["k"]
    assert isinstance(loaded, str), (
        f"{value!r} was written as {formatted!r}, which yaml.safe_load reads as "
        f"{type(loaded).__name__} {loaded!r}"
    )
    assert loaded == value, f"{value!r} was written as {formatted!r}, read back as {loaded!r}"


@pytest.mark.parametrize("value", TRICKY + CONTROL_CHARS, ids=repr)
def test_format_scalar_in_a_flow_list_round_trips(value: str) -> None:
    formatted = yaml_text.format_flow_list([value, "after"])
    data, _ = yaml_text.load_mapping(f"k: {formatted}\n")
    assert data["k"] == [value, "after"], f"{value!r} in a flow list was written as {formatted!r}"
    plain = yaml.safe_load(f"k: {formatted}\n")["k"]
    assert plain == [value, "after"], f"yaml.safe_load read {formatted!r} as {plain!r}"


@pytest.mark.parametrize("value", ["plain words", "v2.3.1", "Debian 12", "c++", "a-b", "x.y"])
def test_format_scalar_leaves_ordinary_text_unquoted(value: str) -> None:
    assert yaml_text.format_scalar(value) == value


def test_format_scalar_keeps_a_date_unquoted() -> None:
    # by design: dates are kept as written and look natural in the file
    assert yaml_text.format_scalar("2026-01-07") == "2026-01-07"
    assert read_back("2026-01-07") == "2026-01-07"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("k: 1.10\n", "1.10"),
        ("k: no\n", "no"),
        ("k: 010\n", "010"),
        ("k: 12:30\n", "12:30"),
        ("k: 2026-01-07\n", "2026-01-07"),
        ("k: 2026-01-07T10:00:00Z\n", "2026-01-07T10:00:00Z"),
        ("k: ~\n", "~"),
        ("k:\n", ""),
        ("k: 'quoted'\n", "quoted"),
        ("k: |\n  block\n  text\n", "block\ntext\n"),
    ],
)
def test_load_mapping_reads_every_scalar_as_the_typed_string(text: str, expected: str) -> None:
    data, _ = yaml_text.load_mapping(text)
    assert data == {"k": expected}


@settings(
    max_examples=400,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@example("bell\x07")
@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40))
def test_property_format_scalar_round_trips(value: str) -> None:
    formatted = yaml_text.format_scalar(value)
    assert read_back(formatted) == value, f"{value!r} was written as {formatted!r}"
    loaded = yaml.safe_load(f"k: {formatted}\n")["k"]
    if isinstance(loaded, date):
        return  # dates are written unquoted on purpose (see the test above)
    assert loaded == value, f"yaml.safe_load read {formatted!r} ({value!r}) as {loaded!r}"


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
        max_size=40,
    )
)
def test_property_format_scalar_round_trips_printable_text(value: str) -> None:
    """The same property without control characters (which hit the bug above)."""
    formatted = yaml_text.format_scalar(value)
    assert read_back(formatted) == value, f"{value!r} was written as {formatted!r}"
    loaded = yaml.safe_load(f"k: {formatted}\n")["k"]
    if isinstance(loaded, date):
        return
    assert loaded == value, f"yaml.safe_load read {formatted!r} ({value!r}) as {loaded!r}"


# -- set_value -----------------------------------------------------------------------------


def test_set_value_replaces_an_inline_scalar_and_keeps_its_comment() -> None:
    text = "title: Old\nstatus: active   # who set this?\ntags: [a]\n"
    result = yaml_text.set_value(text, ["status"], "resolved", order=[])
    assert result == "title: Old\nstatus: resolved   # who set this?\ntags: [a]\n"


def test_set_value_quotes_a_value_that_needs_it() -> None:
    result = yaml_text.set_value("a: x\nb: y\n", ["a"], "no", order=[])
    assert result == "a: 'no'\nb: y\n"
    assert yaml_text.load_mapping(result)[0] == {"a": "no", "b": "y"}


def test_set_value_keeps_quoting_elsewhere_and_comments() -> None:
    text = "# top comment\na: 'x'   # c1\n# between\nb: \"y\"\n"
    result = yaml_text.set_value(text, ["b"], "z", order=[])
    assert result == "# top comment\na: 'x'   # c1\n# between\nb: z\n"


def test_set_value_replaces_a_flow_list_in_place() -> None:
    text = "tags: [a, b]  # tags\nnext: 1\n"
    result = yaml_text.set_value(text, ["tags"], ["a", "c", "d e"], order=[])
    assert result == "tags: [a, c, d e]  # tags\nnext: 1\n"


def test_set_value_keeps_a_block_list_as_a_block_list_at_its_indentation() -> None:
    text = "tags:\n    -   a\n    -   b\nnext: 1\n"
    result = yaml_text.set_value(text, ["tags"], ["x", "yes", "z"], order=[])
    assert result == "tags:\n    -   x\n    -   'yes'\n    -   z\nnext: 1\n"
    assert yaml_text.load_mapping(result)[0] == {"tags": ["x", "yes", "z"], "next": "1"}


def test_set_value_block_list_at_the_end_of_the_text() -> None:
    text = "a: 1\ntags:\n- a\n- b"
    result = yaml_text.set_value(text, ["tags"], ["c"], order=[])
    assert yaml_text.load_mapping(result)[0] == {"a": "1", "tags": ["c"]}
    assert result.startswith("a: 1\ntags:\n- c")


def test_set_value_changes_one_key_of_a_nested_mapping() -> None:
    text = "title: T\nenvironment:\n  os: linux  # host\n  python_version: '3.12'\nafter: 1\n"
    result = yaml_text.set_value(text, ["environment", "os"], "macOS 14", order=[])
    assert result == (
        "title: T\nenvironment:\n  os: macOS 14  # host\n  python_version: '3.12'\nafter: 1\n"
    )


def test_set_value_inserts_a_nested_key_in_order_at_the_mapping_indentation() -> None:
    text = "environment:\n    app_version: v1\n    os: linux\nafter: 1\n"
    order = ["app_version", "sdk_version", "python_version", "os"]
    result = yaml_text.set_value(text, ["environment", "python_version"], "3.10", order=order)
    assert result == (
        "environment:\n    app_version: v1\n    python_version: '3.10'\n    os: linux\nafter: 1\n"
    )


def test_set_value_deletes_a_nested_key() -> None:
    text = "environment:\n  os: linux\n  sdk_version: 1.2\nafter: 1\n"
    result = yaml_text.set_value(text, ["environment", "os"], None, order=[])
    assert result == "environment:\n  sdk_version: 1.2\nafter: 1\n"


def test_deleting_the_last_nested_key_removes_the_mapping() -> None:
    text = "title: T\nenvironment:\n  os: linux\nafter: 1\n"
    result = yaml_text.set_value(text, ["environment", "os"], None, order=[])
    assert result == "title: T\nafter: 1\n"


def test_set_value_creates_a_missing_nested_mapping() -> None:
    text = "title: T\nstatus: active\n"
    result = yaml_text.set_value(text, ["environment", "os"], "linux", order=["title", "status"])
    assert result == "title: T\nstatus: active\nenvironment:\n  os: linux\n"


def test_set_value_replaces_an_existing_key_in_place() -> None:
    text = "title: T\ndate: 2026-01-01\nstatus: active\n"
    result = yaml_text.set_value(text, ["date"], "2026-02-03", order=[])
    assert result == "title: T\ndate: 2026-02-03\nstatus: active\n"


ORDER = ["title", "date", "reporter", "severity", "status", "tags", "environment"]


@pytest.mark.parametrize(
    "text, key, expected",
    [
        (
            "title: T\nstatus: active\n",
            "severity",
            "title: T\nseverity: high\nstatus: active\n",
        ),
        (
            "status: active\ntags: [a]\n",
            "title",
            "title: high\nstatus: active\ntags: [a]\n",
        ),
        (
            "title: T\ncustom: 1\n",
            "tags",
            "title: T\ntags: high\ncustom: 1\n",
        ),
        (
            "custom: 1\n",
            "reporter",
            "custom: 1\nreporter: high\n",
        ),
        ("", "reporter", "reporter: high\n"),
    ],
    ids=["between", "before-all", "after-earlier-before-unknown", "no-known-key", "empty"],
)
def test_set_value_inserts_a_new_key_respecting_order(text: str, key: str, expected: str) -> None:
    assert yaml_text.set_value(text, [key], "high", order=ORDER) == expected


def test_set_value_removes_a_top_level_key_with_its_block_value() -> None:
    text = "a: 1\nnotes: |\n  line one\n  line two\nb: 2\n"
    assert yaml_text.set_value(text, ["notes"], None, order=[]) == "a: 1\nb: 2\n"


def test_set_value_removing_a_missing_key_changes_nothing() -> None:
    text = "a: 1  # c\n"
    assert yaml_text.set_value(text, ["zzz"], None, order=[]) == text
    assert yaml_text.set_value(text, ["env", "os"], None, order=[]) == text


def test_set_value_keeps_crlf() -> None:
    text = "title: T\r\nstatus: active\r\nenvironment:\r\n  os: linux\r\n"
    result = yaml_text.set_value(text, ["status"], "resolved", order=ORDER)
    result = yaml_text.set_value(result, ["severity"], "low", order=ORDER)
    result = yaml_text.set_value(result, ["environment", "python_version"], "3.12", order=[])
    result = yaml_text.set_value(result, ["tags"], ["a", "b"], order=ORDER)
    assert "\n" not in result.replace("\r\n", ""), f"a bare LF crept in: {result!r}"
    assert result == (
        "title: T\r\nseverity: low\r\nstatus: resolved\r\ntags: [a, b]\r\n"
        "environment:\r\n  os: linux\r\n  python_version: '3.12'\r\n"
    )


def test_set_value_on_text_without_final_newline() -> None:
    result = yaml_text.set_value("a: 1", ["b"], "2", order=[])
    assert yaml_text.load_mapping(result)[0] == {"a": "1", "b": "2"}


# -- safety --------------------------------------------------------------------------------


def test_python_tag_is_refused_and_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f'title: ok\nx: !!python/object/apply:os.system ["touch {marker}"]\n'
    with pytest.raises(EntryParseError) as info:
        yaml_text.load_mapping(text)
    assert info.value.line == 2, f"the tag is on line 2, reported {info.value.line}"
    assert "tag" in info.value.message
    assert not marker.exists(), "the python tag was executed"


def test_set_value_never_executes_a_python_tag(tmp_path: Path) -> None:
    # a document with such a tag is refused when read; the editing helper only composes
    # nodes, so even handed such text it constructs nothing
    marker = tmp_path / "pwned"
    text = f'x: !!python/object/apply:os.system ["touch {marker}"]\ny: 1\n'
    result = yaml_text.set_value(text, ["y"], "two", order=[])
    assert result.endswith("\ny: two\n"), result
    assert not marker.exists()


@pytest.mark.parametrize(
    "text",
    [
        "a: !custom value\n",
        "a: !!python/name:os.system\n",
        "a: !!binary aGVsbG8=\n",
        "a: !!set {x, y}\n",
        "a:\n  - !local x\n",
    ],
)
def test_application_tags_are_refused(text: str) -> None:
    with pytest.raises(EntryParseError, match="tag"):
        yaml_text.load_mapping(text)


def test_a_control_character_in_yaml_is_an_entry_parse_error() -> None:
    for compose_text in (
        lambda text: yaml_text.load_mapping(text),
        lambda text: yaml_text.set_value(text, ["a"], "new", order=[]),
    ):
        with pytest.raises(EntryParseError) as info:
            compose_text("a: ok\nb: x\x07y\n")
        assert info.value.line == 2, f"the control character is on line 2: {info.value}"


def test_standard_str_tag_is_allowed() -> None:
    assert yaml_text.load_mapping("a: !!str 1.10\n")[0] == {"a": "1.10"}


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_billion_laughs_is_refused_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(EntryParseError, match="alias bomb"):
        yaml_text.load_mapping(BILLION_LAUGHS)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"refusing the alias bomb took {elapsed:.2f}s"


def test_a_few_aliases_are_fine() -> None:
    data, _ = yaml_text.load_mapping("a: &x hello\nb: *x\n")
    assert data == {"a": "hello", "b": "hello"}


@pytest.mark.parametrize(
    "text",
    ["a: &x [*x]\n", "a: &x {b: *x}\n", "a: &x\n  b: *x\n"],
    ids=["list", "flow-map", "block-map"],
)
def test_recursive_alias_is_refused(text: str) -> None:
    started = time.perf_counter()
    with pytest.raises(EntryParseError):
        yaml_text.load_mapping(text)
    assert time.perf_counter() - started < 2.0


def test_deep_nesting_is_refused() -> None:
    text = "a: " + "[" * 200 + "]" * 200 + "\n"
    with pytest.raises(EntryParseError):
        yaml_text.load_mapping(text)


@pytest.mark.parametrize(
    "text, line",
    [
        ("a: 1\nb: [unclosed\n", 3),
        ("a: 1\n  b: 2\n", 2),
        ("a: 'x\n", 2),
        ("a: 1\nb: 2\n: : :\n", 3),
    ],
)
def test_invalid_yaml_names_a_line(text: str, line: int) -> None:
    with pytest.raises(EntryParseError) as info:
        yaml_text.load_mapping(text)
    assert info.value.line == line, f"{info.value}"
    assert "invalid YAML" in info.value.message


@pytest.mark.parametrize(
    "text, line",
    [("- a\n- b\n", 1), ("just text\n", 1), ("\n\nplain\n", 3)],
)
def test_frontmatter_that_is_not_a_mapping_is_refused(text: str, line: int) -> None:
    with pytest.raises(EntryParseError, match="mapping") as info:
        yaml_text.load_mapping(text)
    assert info.value.line == line


def test_non_scalar_keys_are_refused() -> None:
    with pytest.raises(EntryParseError, match="key"):
        yaml_text.load_mapping("? [a, b]\n: c\n")


def test_duplicate_keys_are_listed_with_their_lines() -> None:
    text = "a: 1\nb: 2\na: 3\n"
    data, node = yaml_text.load_mapping(text)
    assert data["a"] == "3", "YAML keeps the last of duplicate keys"
    assert node is not None
    assert yaml_text.duplicate_keys(node) == [("a", 3)]
