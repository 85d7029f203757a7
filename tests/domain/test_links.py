"""Links as written in Related Issues (mistakes.domain.links): the forms people type by hand,
taken from real mistake logs in the corpus, and what is not a link."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mistakes.domain.links import (
    INVERSE,
    LINK_TYPES,
    LinkSectionError,
    link_at,
    link_line,
    link_place,
    read_links,
    renamed_to,
    retarget,
)
from mistakes.domain.markdown import parse_heading
from mistakes.domain.template import Template, parse_template
from tests.conftest import CORPUS

KAILASH = CORPUS / "terrene-foundation__kailash-py"


def related_lines(path: Path) -> str:
    """The text under the file's first heading that starts with "Related"."""
    if not CORPUS.is_dir():  # a developer's layout without the corpus (an error on CI)
        pytest.skip(f"the corpus of real mistake logs is not at {CORPUS}")
    assert path.is_file(), f"the corpus has no {path} (these lines are test data)"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(
        i
        for i, line in enumerate(lines)
        if (h := parse_heading(line)) is not None and h.text.lower().startswith("related")
    )
    end = next(
        (i for i in range(start + 1, len(lines)) if parse_heading(lines[i]) is not None),
        len(lines),
    )
    return "\n".join(lines[start + 1 : end])


@pytest.mark.parametrize(
    ("file", "numbers", "targets"),
    [
        # - [052-pytorch-...md](052-pytorch-...md) - Similar platform issues
        (
            "shared__mistakes__069-numpy-version-compatibility.md",
            [52, 68],
            [
                "052-pytorch-model-eval-false-positive.md",
                "068-pythoncode-dataframe-serialization.md",
            ],
        ),
        # - [058](058-node-configuration-...md) - Config vs Runtime confusion
        ("shared__mistakes__062-cyclic-parameter-propagation-failure.md", [58, 60], None),
        # - **#020**: Configuration Parameter Validation - RESOLVED
        ("shared__mistakes__076-session-061-core-architecture-resolution.md", [20, 53, 58], None),
        # #49 (Missing Data Source Nodes), #53 (Configuration vs Runtime)
        (
            "shared__mistakes__055-assumption-that-workflows-must-start-with-source-nodes.md",
            [49, 53],
            None,
        ),
        # a link to ../reference/cheatsheet/020-x.md is another folder's file, not an entry
        ("shared__mistakes__074-generic-output-mapping-in-cycles.md", [71, 72, 73], None),
    ],
)
def test_hand_typed_links_from_the_corpus(
    file: str, numbers: list[int], targets: list[str] | None
) -> None:
    links = read_links(related_lines(KAILASH / file))
    assert [link.number for link in links] == numbers
    assert {link.type for link in links} == {"related"}
    if targets is not None:
        assert [link.target for link in links] == targets


def test_bold_number_leading_a_line_from_the_corpus() -> None:
    # **003** - Kubespray Slow Deployment (same session, different issue)
    text = related_lines(
        CORPUS / "ibraheemcisse__infrastructure-lab/postmortems__004-coredns-loop-detection.md"
    )
    assert [link.number for link in read_links(text)] == [3]


def test_only_the_links_section_reads_numbers() -> None:
    text = "- #5 upstream\n- 005"
    assert [link.number for link in read_links(text)] == [5, 5]
    assert read_links(text, numbers=False) == []


@pytest.mark.parametrize(
    "text",
    [
        "- 500 errors after the deploy",  # a number in prose
        "Fixed upstream in PR #12 and issue #7",  # another tracker's numbers
        "See https://example.com/page#5 and `#6` and &#8;",
        "- [guide](../reference/cheatsheet/020-routing.md)",  # another folder
        "- [docs](https://example.com/005-foo.md)",
        "```\n#5\n005-foo.md\n```",  # code
    ],
)
def test_not_links(text: str) -> None:
    assert read_links(text) == []


def test_paths_and_types() -> None:
    text = "\n".join(
        [
            "- see mistakes/005-pool.md for the first time",
            "- duplicate-of: [003 Export](003-export.md)",
            "- **Caused by**: #12",
            "- [007 Pods](<./007-pods.md>)",
            "- [x](../mistakes/008-x.md)",
            "- [y](entries/009-y.md)",  # the folder's own name
        ]
    )
    links = read_links(text, folder_name="entries")
    assert [(link.type, link.number, link.index) for link in links] == [
        ("related", 5, 0),
        ("duplicate-of", 3, 1),
        ("caused-by", 12, 2),
        ("related", 7, 3),
        ("related", 8, 4),
        ("related", 9, 5),
    ]
    assert links[0].target == "mistakes/005-pool.md"
    assert links[3].name == "007-pods.md"


def test_written_line_reads_back_with_its_type() -> None:
    for link_type in INVERSE:
        line = link_line(link_type, 3, "Export [UTF-8] fails\tbadly", "003-export.md")
        (link,) = read_links(line)
        assert (link.type, link.number, link.target) == (link_type, 3, "003-export.md")
    assert link_line("related", 3, "Export", "003-export.md") == "- [003 Export](003-export.md)"
    assert (
        link_line("caused-by", 12, "Pool", "012-pool.md") == "- caused-by: [012 Pool](012-pool.md)"
    )
    assert set(LINK_TYPES) <= set(INVERSE)
    assert all(INVERSE[INVERSE[t]] == t for t in INVERSE)


def test_link_under_the_cursor() -> None:
    line = "- [003 A](003-a.md), [004 B](004-b.md)"
    link = link_at(line, line.index("004"))
    assert link is not None and link.number == 4
    first = link_at(line, 0)
    assert first is not None and first.number == 3
    assert link_at("no link here", 3) is None


def test_retarget_keeps_the_folder_and_the_rest_of_the_line() -> None:
    line = "- [010-old.md](mistakes/010-old.md) (same cluster)"
    assert (
        retarget(line, "mistakes/010-old.md", "010-new.md")
        == "- [010-old.md](mistakes/010-new.md) (same cluster)"
    )
    line = "- [010-old.md](010-old.md) (same cluster)"
    assert retarget(line, "010-old.md", "010-new.md") == "- [010-new.md](010-new.md) (same cluster)"


def test_the_section_is_found_in_the_template(template: Template) -> None:
    place = link_place(template)
    assert place.section.title == "Related Issues"
    assert place.target.title == "Similar Past Issues"
    assert [s.title for s in place.leaves] == ["Similar Past Issues", "Dependencies"]
    own = parse_template("# T\n\n## Bug: [Title]\n\n## Related\n\nLinks.\n")
    assert link_place(own).target.title == "Related"
    bare = parse_template("# T\n\n## Bug: [Title]\n\n## Fix\n\nWhat fixed it.\n", "bug.md")
    with pytest.raises(
        LinkSectionError, match=re.escape("bug.md: the template has no 'Related Issues'")
    ):
        link_place(bare)


def test_renamed_or_another_entry() -> None:
    old = "010-stale-dns-after-redis-failover-kept-clients-on-old-primary.md"
    title = "Stale DNS after Redis failover kept clients on old primary"
    assert renamed_to(old, "010-stale-dns.md", title)  # the file renamed, the title kept
    assert renamed_to(old, "010-stale-dns-after-failover.md", "Stale DNS after failover")
    assert not renamed_to(old, "010-report-worker-oom.md", "Report worker OOMKilled")
    assert renamed_to("005.md", "005-anything.md", "Anything")
    assert not renamed_to("073-cycle-state-persistence-assumptions.md", "073-cycle-flag.md", "")
