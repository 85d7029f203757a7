"""`mistakes renumber`: a number two branches both used gets the next free one; git mv in a
repository; the links that pointed to the old name are rewritten."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mistakes.services.renumber import Rename, rewrite_links, rewrite_text
from tests.conftest import Result
from tests.gitrepo import git

Run = Callable[..., Result]
POOL = "005-connection-pool-exhausted-after-deploy-of-v2-3.md"
AGAIN = "019-connection-pool-exhausted-again-after-async-sqlalchemy.md"
TWIN = "005-feature-flag-cache-served-stale-values.md"


def add_twin(folder: Path) -> None:
    """Entry 005 made on another branch too, after 019 was written."""
    (folder / TWIN).write_text(
        "---\ntitle: Feature flag cache served stale values\nseverity: low\n---\n", "utf-8"
    )


def test_renumber_in_git_moves_the_file_and_rewrites_the_links(
    samples_copy: Path, run: Run
) -> None:
    git(samples_copy, "init", "-q")
    git(samples_copy, "config", "user.name", "Priya Natarajan")
    git(samples_copy, "config", "user.email", "priya@example.com")
    add_twin(samples_copy)
    git(samples_copy, "add", ".")
    git(samples_copy, "commit", "-qm", "Both branches merged")
    assert run("check", "--dir", str(samples_copy)).code == 1  # the shared number
    before = (samples_copy / AGAIN).read_text("utf-8")
    assert f"[005]({POOL})" in before

    result = run("renumber", "--dir", str(samples_copy), POOL.removesuffix(".md"), "--json")
    assert result.code == 0, result.err
    new_name = "025-connection-pool-exhausted-after-deploy-of-v2-3.md"
    assert result.json["new"] == str(samples_copy / new_name)
    assert result.json["git_mv"] is True
    assert not (samples_copy / POOL).exists() and (samples_copy / new_name).is_file()
    status = git(samples_copy, "status", "--porcelain")
    assert f"R  {POOL} -> {new_name}" in status  # staged as a rename: history follows
    assert f" M {AGAIN}" in status

    after = (samples_copy / AGAIN).read_text("utf-8")
    assert POOL not in after
    assert f"[025]({new_name})" in after  # the link's text was the number: it follows
    assert f"- [{new_name}]({new_name})" in after
    # nothing else in the file changed
    changed = [
        (a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b
    ]
    assert len(changed) == 2
    assert run("check", "--dir", str(samples_copy)).code == 0
    assert run("show", "--dir", str(samples_copy), "5", "--json").json["path"].endswith(TWIN)

    git(samples_copy, "commit", "-qam", "Renumber the pool entry")
    history = run("history", "--dir", str(samples_copy), "25", "--json").json
    assert [c["subject"] for c in history] == ["Renumber the pool entry", "Both branches merged"]


def test_renumber_outside_git_renames_on_disk(samples_copy: Path, run: Run) -> None:
    add_twin(samples_copy)
    result = run("renumber", "--dir", str(samples_copy), TWIN)
    assert result.code == 0, result.err
    assert result.out.splitlines() == [f"{TWIN} -> 025-{TWIN[4:]} (renamed)"]
    assert (samples_copy / f"025-{TWIN[4:]}").is_file() and not (samples_copy / TWIN).exists()
    assert POOL in (samples_copy / AGAIN).read_text("utf-8")  # links to the other 005 stay


def test_renumber_refuses_a_number_nobody_shares(samples_copy: Path, run: Run) -> None:
    result = run("renumber", "--dir", str(samples_copy), "7")
    assert result.code == 2
    assert "no other entry has number 007" in result.err
    assert len(list(samples_copy.glob("*.md"))) == 24


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[a](005-x.md)", "[a](025-x.md)"),
        ("[005](005-x.md#fix)", "[025](025-x.md#fix)"),
        ("[5](./005-x.md)", "[25](./025-x.md)"),
        ('[005-x](005-x.md "the pool one")', '[025-x](025-x.md "the pool one")'),
        ("[a](<005-x.md>)", "[a](<025-x.md>)"),
        ("[r]: 005-x.md\n", "[r]: 025-x.md\n"),
        ("  [r]: <./005-x.md#why>", "  [r]: <./025-x.md#why>"),
        ("[a](mistakes/005-x.md)", "[a](mistakes/025-x.md)"),
        ("[a](../team/005-x.md#fix)", "[a](../team/025-x.md#fix)"),
        ("[r]: ../mistakes/005-x.md", "[r]: ../mistakes/025-x.md"),
        # not links to this file: left alone
        ("[a](other/005-x.md)", "[a](other/005-x.md)"),
        ("[a](0005-x.md)", "[a](0005-x.md)"),
        ("[a](005-x.md.bak)", "[a](005-x.md.bak)"),
        ("[a](../other/005-x.md)", "[a](../other/005-x.md)"),
        ("[a](105-x.md)", "[a](105-x.md)"),
        # the links reader reads a bare path as a link (show --json lists it): it follows
        ("the file 005-x.md", "the file 025-x.md"),
        ("- mistakes/005-x.md (pool)", "- mistakes/025-x.md (pool)"),
        ("see team/005-x.md#fix", "see team/025-x.md#fix"),
        # code is not a link: left alone
        ("`005-x.md`", "`005-x.md`"),
        ("```\n[a](005-x.md)\n```", "```\n[a](005-x.md)\n```"),
        # another folder's file that happens to have the name
        ("[x](../reference/cheatsheet/005-x.md)", "[x](../reference/cheatsheet/005-x.md)"),
        # number-only links are not file names: rewrite_links leaves them
        ("- #5 pool", "- #5 pool"),
    ],
)
def test_rewrite_links(text: str, expected: str) -> None:
    assert rewrite_links(text, "005-x.md", "025-x.md", folder="team") == expected


RENAME = Rename(
    "058-node-configuration-vs-runtime.md",
    "077-node-configuration-vs-runtime.md",
    "mistakes",
    "Node configuration vs runtime parameters confusion",
    ("Missing data source nodes",),
)


@pytest.mark.parametrize(
    ("line", "expected", "ambiguous"),
    [
        # as the corpus writes them (kailash-py's mistakes/): the label is the number
        (
            "- [058](058-node-configuration-vs-runtime.md) - Config vs Runtime confusion",
            "- [077](077-node-configuration-vs-runtime.md) - Config vs Runtime confusion",
            0,
        ),
        (
            "#058 (Node configuration vs runtime parameters confusion) - RESOLVED",
            "#077 (Node configuration vs runtime parameters confusion) - RESOLVED",
            0,
        ),
        (
            "#58 (Missing Data Source Nodes), #58 (Configuration vs Runtime)",
            "#58 (Missing Data Source Nodes), #77 (Configuration vs Runtime)",
            0,
        ),
        ("- 058 - runtime parameters confusion", "- 077 - runtime parameters confusion", 0),
        ("**058** - node configuration", "**077** - node configuration", 0),
        # the number alone, or words of neither entry: either could be meant
        ("- #58", "- #58", 1),
        ("- 058: see the other branch", "- 058: see the other branch", 1),
        # not read as links by the reader: prose and another tracker's numbers
        ("fixed in PR #58 (node configuration)", "fixed in PR #58 (node configuration)", 0),
        ("we hit 058 node configuration twice", "we hit 058 node configuration twice", 0),
        ("`#58` node configuration", "`#58` node configuration", 0),
    ],
)
def test_number_links_in_the_link_section(line: str, expected: str, ambiguous: int) -> None:
    assert rewrite_text(line, RENAME, numbers=True) == (expected, ambiguous)
    # elsewhere in an entry "#58" is prose: only the file-name link follows
    assert rewrite_text(line, RENAME, numbers=False)[0] == line.replace("[058](058-", "[077](077-")


def test_renumber_rewrites_the_links_show_reads(samples_copy: Path, run: Run) -> None:
    """Every link to the renamed entry that `show --json` lists before (by file name or by
    a number whose words name it) leads to it after; those that could mean the twin stay."""
    add_twin(samples_copy)
    again = samples_copy / AGAIN
    text = again.read_text("utf-8")
    text = text.replace(
        f"- [{POOL}]({POOL})\n",
        f"- [{POOL}]({POOL})\n"
        "- caused-by: mistakes/" + POOL + "\n"
        "- #5 (Connection pool exhausted after deploy)\n"
        "- #5\n",
    )
    text = text.replace(
        "## References\n", "## References\n\nSee [the pool one](./" + POOL + "#fix).\n"
    )
    again.write_text(text, "utf-8")
    result = run("renumber", "--dir", str(samples_copy), POOL)
    assert result.code == 0, result.err
    new_name = "025-" + POOL[4:]
    assert f"{AGAIN}: 1 number-only link to 005 left as written" in result.err
    after = again.read_text("utf-8")
    assert POOL not in after
    assert f"- caused-by: mistakes/{new_name}\n" in after
    assert "- #25 (Connection pool exhausted after deploy)\n- #5\n" in after
    assert f"See [the pool one](./{new_name}#fix)." in after
    shown = run("show", "--dir", str(samples_copy), "19", "--json").json
    to_new = [k for k in shown["links"] if k["path"] and k["path"].endswith(new_name)]
    assert len(to_new) >= 3, shown["links"]
    assert run("check", "--dir", str(samples_copy)).code == 0


def test_git_config_in_an_untrusted_folder_runs_nothing(
    samples_copy: Path, run: Run, tmp_path: Path
) -> None:
    """A folder from an archive may carry its own .git/config: its fsmonitor hook (run by
    git ls-files, git mv, git status) must not run when renumber and history call git."""
    marker = tmp_path / "hook-ran"
    git(samples_copy, "init", "-q")
    git(samples_copy, "config", "user.name", "Priya Natarajan")
    git(samples_copy, "config", "user.email", "priya@example.com")
    add_twin(samples_copy)
    git(samples_copy, "add", ".")
    git(samples_copy, "commit", "-qm", "Both branches merged")
    git(samples_copy, "config", "core.fsmonitor", f"touch '{marker}'; false")
    assert run("renumber", "--dir", str(samples_copy), TWIN).code == 0
    assert run("history", "--dir", str(samples_copy), "19").code == 0
    assert run("new", "--dir", str(samples_copy), "--title", "x", "--no-env").code == 0
    assert not marker.exists()


def test_app_version_of_an_untrusted_repo_runs_nothing(
    samples_copy: Path, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`new` fills the app version with git describe of the working directory: a
    repository's own fsmonitor hook must not run then either."""
    marker = tmp_path / "hook-ran"
    git(samples_copy, "init", "-q")
    git(samples_copy, "config", "user.name", "Priya Natarajan")
    git(samples_copy, "config", "user.email", "priya@example.com")
    git(samples_copy, "add", ".")
    git(samples_copy, "commit", "-qm", "entries")
    git(samples_copy, "config", "core.fsmonitor", f"touch '{marker}'; false")
    monkeypatch.chdir(samples_copy)
    result = run("new", "--dir", str(samples_copy), "--title", "x", "--json")
    assert result.code == 0, result.err
    assert result.json["environment"]["app_version"]  # described, with the hook ignored
    assert not marker.exists()
