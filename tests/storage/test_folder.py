"""The entries folder: file names, numbers, references, atomic and conflict-safe saving."""

from __future__ import annotations

import os
import re
import stat
import threading
from pathlib import Path

import pytest

from mistakes.domain.entry import Entry, new_entry
from mistakes.domain.naming import (
    SLUG_MAX,
    entry_filename,
    parse_entry_filename,
    slugify,
)
from mistakes.domain.template import Template
from mistakes.storage import atomic
from mistakes.storage.atomic import SaveError
from mistakes.storage.errors import ConflictError, EntryParseError, RefError, StorageError
from mistakes.storage.folder import MAX_NAME_BYTES, EntryFolder, StoredEntry, safe_filename
from mistakes.storage.hashing import content_hash

NAME_RE = re.compile(r"^\d{3,}-[a-z0-9]+(?:-[a-z0-9]+)*\.md$")


def write_entry(root: Path, name: str, title: str = "An entry", body: str = "") -> Path:
    """An entry file written by hand (as a person or another tool would)."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / name
    text = f"---\ntitle: {title}\ndate: 2025-01-02\nseverity: high\nstatus: active\n---\n"
    text += body or "\n## Error Description\n\n### What Happened\n\nIt broke.\n"
    path.write_text(text, encoding="utf-8")
    return path


def make(folder: EntryFolder, title: str, **fields: str) -> StoredEntry:
    entry = new_entry(folder.template, title)
    for key, value in fields.items():
        entry.fields[key] = value
    return folder.create(entry)


def leftovers(root: Path) -> list[str]:
    """Temp files a write left behind (dot files or *.tmp)."""
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".") or ".tmp" in p.name)


# -- naming ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("DB timeout on checkout", "db-timeout-on-checkout"),
        ("  Spaces   everywhere  ", "spaces-everywhere"),
        ("Café crème brûlée", "cafe-creme-brulee"),
        ("ModuleNotFoundError: distutils (3.12)", "modulenotfounderror-distutils-3-12"),
        ("../../etc/passwd", "etc-passwd"),
        ("/abs", "abs"),
        ("a\x00b", "a-b"),
        ("CON", "con"),
        ("NUL", "nul"),
        ("é" * 300, "e" * SLUG_MAX),
        ("🔥💥🚒", "untitled"),
        ("", "untitled"),
        ("   ", "untitled"),
        ("!!!???", "untitled"),
        ("日本語のタイトル", "untitled"),
        ("x" * 500, "x" * SLUG_MAX),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_slug_cut_at_word_boundary() -> None:
    title = " ".join(["word"] * 40)
    slug = slugify(title)
    assert len(slug) <= SLUG_MAX
    assert slug == "-".join(["word"] * 12)  # 12 * 5 - 1 = 59 chars; one more would be 64
    assert not slug.endswith("-")


def test_slug_is_lowercase_ascii_words() -> None:
    slug = slugify("Ünïcödé TITLE with_Under_scores and MiXeD 42")
    assert slug == "unicode-title-with-under-scores-and-mixed-42"
    assert slug.isascii()


@pytest.mark.parametrize(
    ("number", "name"),
    [(1, "001-x.md"), (7, "007-x.md"), (42, "042-x.md"), (999, "999-x.md"), (1000, "1000-x.md")],
)
def test_entry_filename_pads_to_three(number: int, name: str) -> None:
    assert entry_filename(number, "x") == name
    assert parse_entry_filename(name) == number


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("007-db-timeout.md", 7),
        ("7.md", 7),
        ("0012-x.md", 12),
        ("008-A.MD", 8),
        ("README.md", None),
        ("007-db-timeout.txt", None),
        ("x007-a.md", None),
        (".007-a.md", None),
        ("-007-a.md", None),
    ],
)
def test_parse_entry_filename(name: str, number: int | None) -> None:
    assert parse_entry_filename(name) == number


def test_entry_filename_refuses_negative() -> None:
    with pytest.raises(ValueError):
        entry_filename(-1, "x")


def test_safe_filename_within_byte_limit_for_huge_numbers() -> None:
    name = safe_filename(10**250, "a long title " * 10)
    assert len(name.encode()) <= MAX_NAME_BYTES
    assert name.endswith(".md")


NASTY_TITLES = [
    "../../etc/passwd",
    "..",
    ".",
    "/abs",
    "/etc/cron.d/evil",
    "C:\\Windows\\System32",
    "CON",
    "NUL",
    "aux.txt",
    "é" * 300,
    "🔥" * 100,
    "a" * 1000,
    "x: y",
    "- list item",
    "'quoted\" #comment",
    "yes",
    "1.10",
    "null",
    "~",
    "[a, b]",
    "{a: 1}",
    "*alias",
    "&anchor",
    "!!python/object:os.system",
    "a\tb",
    "a\u2028b",
    "\u202egnp.exe",
]


@pytest.mark.parametrize("title", NASTY_TITLES)
def test_nasty_titles_stay_in_folder_and_round_trip(folder: EntryFolder, title: str) -> None:
    stored = make(folder, title)
    assert stored.path.parent == folder.root
    assert NAME_RE.match(stored.path.name), stored.path.name
    assert len(stored.path.name.encode()) <= MAX_NAME_BYTES
    assert len(stored.path.name) <= len("001-") + SLUG_MAX + len(".md")
    assert stored.number == 1
    assert [p.name for p in folder.root.iterdir()] == [stored.path.name]
    again = folder.load(stored.path)
    assert again.entry.title == " ".join(title.split())


def test_empty_title_is_untitled(folder: EntryFolder) -> None:
    stored = make(folder, "")
    assert stored.path.name == "001-untitled.md"


@pytest.mark.parametrize("title", ["a\x00b", "red \x1b[31mALERT\x1b[0m", "a\x7fb", "bell\x07"])
def test_control_characters_in_title(folder: EntryFolder, title: str) -> None:
    stored = make(folder, title)
    assert stored.path.parent == folder.root
    assert NAME_RE.match(stored.path.name)
    loaded = folder.load(stored.path).entry.title
    # stored escaped (exact round trip) or with the control characters dropped: never a crash
    assert loaded in (title, re.sub(r"[\x00-\x1f\x7f]", "", title))


# -- numbers --------------------------------------------------------------------------------------


def test_next_number_on_missing_and_empty_folder(tmp_path: Path, template: Template) -> None:
    missing = EntryFolder(tmp_path / "nope", template)
    assert missing.next_number() == 1
    assert missing.paths() == []
    assert not (tmp_path / "nope").exists()
    (tmp_path / "empty").mkdir()
    assert EntryFolder(tmp_path / "empty", template).next_number() == 1


def test_next_number_is_after_the_highest(folder: EntryFolder) -> None:
    write_entry(folder.root, "003-a.md")
    write_entry(folder.root, "041-b.md")
    write_entry(folder.root, "007-c.md")
    (folder.root / "README.md").write_text("# not an entry\n")
    (folder.root / "999-notes.txt").write_text("not an entry\n")
    (folder.root / ".500-hidden.md").write_text("hidden\n")
    (folder.root / "600-dir.md").mkdir()
    assert folder.next_number() == 42
    assert make(folder, "Next one").path.name == "042-next-one.md"


def test_create_numbers_in_sequence(folder: EntryFolder) -> None:
    names = [make(folder, f"Entry {i}").path.name for i in range(1, 4)]
    assert names == ["001-entry-1.md", "002-entry-2.md", "003-entry-3.md"]


def test_create_makes_the_folder(tmp_path: Path, template: Template) -> None:
    root = tmp_path / "a" / "b" / "entries"
    stored = make(EntryFolder(root, template), "First")
    assert stored.path == root / "001-first.md"


def test_create_never_overwrites_an_existing_file(
    folder: EntryFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    # someone else wrote 001-same.md between next_number() and the write
    existing = write_entry(folder.root, "001-same.md", title="Theirs")
    before = existing.read_bytes()
    calls = iter([1, 2])
    monkeypatch.setattr(EntryFolder, "next_number", lambda self: next(calls))
    stored = make(folder, "Same")
    assert existing.read_bytes() == before
    assert stored.path.name == "002-same.md"
    assert stored.entry.title == "Same"


def test_paths_are_sorted_by_number(folder: EntryFolder) -> None:
    for name in ("010-j.md", "002-b.md", "1000-k.md", "099-z.md", "002-a.md"):
        write_entry(folder.root, name)
    assert [p.name for p in folder.paths()] == [
        "002-a.md",
        "002-b.md",
        "010-j.md",
        "099-z.md",
        "1000-k.md",
    ]


# -- concurrent creates ---------------------------------------------------------------------------


def _race(
    root: Path, template: Template, titles: list[str]
) -> tuple[list[StoredEntry], list[BaseException]]:
    """EntryFolder.create from one thread per title, all released at the same moment."""
    barrier = threading.Barrier(len(titles))
    results: list[StoredEntry] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(title: str) -> None:
        folder = EntryFolder(root, template)
        entry = new_entry(template, title)
        barrier.wait()
        try:
            stored = folder.create(entry)
        except BaseException as exc:
            with lock:
                errors.append(exc)
            return
        with lock:
            results.append(stored)

    threads = [threading.Thread(target=work, args=(t,)) for t in titles]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.parametrize("same_title", [True, False])
def test_racing_creates_all_succeed_with_distinct_files(
    tmp_path: Path, template: Template, same_title: bool
) -> None:
    root = tmp_path / "entries"
    titles = ["Same title" if same_title else f"Title {i}" for i in range(12)]
    results, errors = _race(root, template, titles)
    assert errors == []
    assert len(results) == len(titles)
    paths = {r.path for r in results}
    assert len(paths) == len(titles)
    assert sorted(p.name for p in root.iterdir()) == sorted(p.name for p in paths)
    # nothing overwritten: every file still holds the title its creator wrote
    folder = EntryFolder(root, template)
    assert sorted(folder.load(p).entry.title for p in paths) == sorted(titles)
    assert leftovers(root) == []


def test_racing_creates_with_same_title_get_distinct_numbers(
    tmp_path: Path, template: Template
) -> None:
    results, errors = _race(tmp_path / "entries", template, ["Same"] * 8)
    assert errors == []
    assert sorted(r.number for r in results) == list(range(1, 9))


def test_racing_creates_with_different_titles_get_distinct_numbers(
    tmp_path: Path, template: Template
) -> None:
    for _trial in range(3):
        root = tmp_path / f"entries{_trial}"
        results, errors = _race(root, template, [f"Title {i}" for i in range(8)])
        assert errors == []
        assert sorted(r.number for r in results) == list(range(1, 9))


# -- references -----------------------------------------------------------------------------------


@pytest.fixture
def refs(folder: EntryFolder) -> EntryFolder:
    write_entry(folder.root, "001-first.md", "First")
    write_entry(folder.root, "007-db-timeout.md", "DB timeout")
    write_entry(folder.root, "012-db-deadlock.md", "DB deadlock")
    write_entry(folder.root, "020-cache-miss.md", "Cache miss")
    return folder


@pytest.mark.parametrize(
    ("ref", "name"),
    [
        ("7", "007-db-timeout.md"),
        ("007", "007-db-timeout.md"),
        ("0007", "007-db-timeout.md"),
        (" 7 ", "007-db-timeout.md"),
        ("12", "012-db-deadlock.md"),
        ("1", "001-first.md"),
        ("007-db-timeout", "007-db-timeout.md"),
        ("007-db-timeout.md", "007-db-timeout.md"),
        ("020-cache", "020-cache-miss.md"),
        ("012-db", "012-db-deadlock.md"),
    ],
)
def test_resolve(refs: EntryFolder, ref: str, name: str) -> None:
    assert refs.resolve(ref) == refs.root / name


def test_resolve_absolute_and_relative_path(
    refs: EntryFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = refs.root / "012-db-deadlock.md"
    assert refs.resolve(str(target)) == target
    monkeypatch.chdir(tmp_path)
    assert refs.resolve("entries/012-db-deadlock.md").resolve() == target.resolve()


@pytest.mark.parametrize("ref", ["", "   ", "8", "999", "nope", "007-db-timeouts", "0", "db"])
def test_resolve_missing(refs: EntryFolder, ref: str) -> None:
    with pytest.raises(RefError):
        refs.resolve(ref)


def test_resolve_ambiguous_prefix(refs: EntryFolder) -> None:
    write_entry(refs.root, "012-db-deadlock-again.md")
    assert refs.resolve("012-db-deadlock") == refs.root / "012-db-deadlock.md"  # exact wins
    with pytest.raises(RefError):
        refs.resolve("012-db")  # 012-db-deadlock, 012-db-deadlock-again: several


@pytest.mark.parametrize(("existing", "ref"), [("100-other.md", "1"), ("010-other.md", "01")])
def test_resolve_number_never_matches_another_number(
    folder: EntryFolder, existing: str, ref: str
) -> None:
    write_entry(folder.root, existing)
    with pytest.raises(RefError):
        folder.resolve(ref)


def test_resolve_on_missing_folder(tmp_path: Path, template: Template) -> None:
    with pytest.raises(RefError):
        EntryFolder(tmp_path / "nope", template).resolve("1")


# -- duplicate numbers (two branches merged) -----------------------------------------------------


def test_duplicate_numbers_stay_readable_by_stem(folder: EntryFolder) -> None:
    a = write_entry(folder.root, "008-a.md", "From branch A")
    b = write_entry(folder.root, "008-b.md", "From branch B")
    entries, problems = folder.load_all()
    assert problems == []
    assert [(e.number, e.entry.title) for e in entries] == [
        (8, "From branch A"),
        (8, "From branch B"),
    ]
    assert folder.resolve("008-a") == a
    assert folder.resolve("008-b.md") == b
    for ref in ("8", "008"):
        with pytest.raises(RefError) as info:
            folder.resolve(ref)
        assert "008-a" in str(info.value)
        assert "008-b" in str(info.value)
    assert folder.next_number() == 9


# -- atomic saves ---------------------------------------------------------------------------------


def edited(stored: StoredEntry, **fields: str) -> Entry:
    entry = stored.entry.copy()
    for key, value in fields.items():
        entry.fields[key] = value
    return entry


def test_save_writes_and_reloads(folder: EntryFolder) -> None:
    stored = make(folder, "Save me")
    saved = folder.save(stored, edited(stored, status="resolved"))
    assert saved.entry.fields["status"] == "resolved"
    assert saved.digest == content_hash(stored.path.read_bytes())
    assert "status: resolved" in stored.path.read_text()
    assert leftovers(folder.root) == []


def test_save_without_change_writes_nothing(
    folder: EntryFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = make(folder, "Same")

    def no_write(*args: object, **kwargs: object) -> None:
        raise AssertionError("nothing should be written")

    monkeypatch.setattr("mistakes.storage.folder.replace_file", no_write)
    assert folder.save(stored, stored.entry.copy()) is stored


def test_save_keeps_other_bytes_of_a_hand_written_file(folder: EntryFolder) -> None:
    path = folder.root / "003-hand.md"
    folder.root.mkdir()
    text = (
        "---\n# a comment people keep\ntitle: Hand written   # inline comment\n"
        "date: 2025-01-02\nseverity: HIGH\nstatus: active\ncustom_key: kept\n---\n\n"
        "## Error Description\n\n### What Happened\n\nOdd   spacing  kept.\n\n"
        "## Notes Nobody Templated\n\nStays.\n"
    )
    path.write_text(text)
    stored = folder.load(path)
    assert stored.entry.extra == {"custom_key": "kept"}
    folder.save(stored, edited(stored, status="resolved"))
    assert path.read_text() == text.replace("status: active", "status: resolved")


@pytest.mark.parametrize("mode", [0o640, 0o600, 0o644, 0o664])
def test_save_keeps_the_file_mode(folder: EntryFolder, mode: int) -> None:
    stored = make(folder, "Mode")
    os.chmod(stored.path, mode)
    folder.save(stored, edited(stored, status="resolved"))
    assert stat.S_IMODE(stored.path.stat().st_mode) == mode


def test_save_uses_a_temp_file_in_the_same_folder_and_fsyncs(
    folder: EntryFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = make(folder, "Atomic")
    calls: list[tuple[str, str]] = []
    real_replace = os.replace
    real_fsync = os.fsync

    def spy_replace(src: str | Path, dst: str | Path) -> None:
        calls.append((str(src), str(dst)))
        assert Path(src).parent == Path(dst).parent  # same folder: rename is atomic
        assert Path(src).read_bytes() != Path(dst).read_bytes()  # old content until the rename
        real_replace(src, dst)

    fsyncs: list[int] = []

    def spy_fsync(fd: int) -> None:
        fsyncs.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "replace", spy_replace)
    monkeypatch.setattr(os, "fsync", spy_fsync)
    folder.save(stored, edited(stored, status="resolved"))
    assert len(calls) == 1
    assert Path(calls[0][1]).resolve() == stored.path.resolve()
    assert fsyncs  # the data reached the disk before the rename
    assert leftovers(folder.root) == []


def test_failed_replace_leaves_original_and_no_temp_file(
    folder: EntryFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = make(folder, "Replace fails")
    before = stored.path.read_bytes()

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch, pytest.raises(SaveError, match="No space left"):
        patch.setattr(os, "replace", broken_replace)
        folder.save(stored, edited(stored, status="resolved"))
    assert stored.path.read_bytes() == before
    assert sorted(p.name for p in folder.root.iterdir()) == [stored.path.name]


def test_failed_temp_write_leaves_original_and_no_temp_file(
    folder: EntryFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = make(folder, "Fsync fails")
    before = stored.path.read_bytes()

    def broken_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    with monkeypatch.context() as patch, pytest.raises(SaveError, match="Input/output error"):
        patch.setattr(os, "fsync", broken_fsync)
        folder.save(stored, edited(stored, status="resolved"))
    assert stored.path.read_bytes() == before
    assert sorted(p.name for p in folder.root.iterdir()) == [stored.path.name]


def test_failed_create_leaves_no_file(folder: EntryFolder, monkeypatch: pytest.MonkeyPatch) -> None:
    folder.root.mkdir()

    def broken_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    with monkeypatch.context() as patch, pytest.raises(SaveError, match="Input/output error"):
        patch.setattr(os, "fsync", broken_fsync)
        make(folder, "Never written")
    assert list(folder.root.iterdir()) == []


def test_a_symlinked_entry_is_neither_read_nor_written(folder: EntryFolder, tmp_path: Path) -> None:
    real = write_entry(tmp_path / "elsewhere", "real.md", "Linked")
    before = real.read_bytes()
    good = make(folder, "Good")
    link = folder.root / "004-linked.md"
    link.symlink_to(real)
    with pytest.raises(EntryParseError, match="symbolic link"):
        folder.load(link)
    # even with a StoredEntry made from the target's bytes, saving does not follow the link
    stored = folder.load_bytes(link, before)
    with pytest.raises(StorageError, match="symbolic link"):
        folder.save(stored, edited(stored, status="resolved"))
    assert real.read_bytes() == before and link.is_symlink()
    assert folder.paths() == [good.path]
    entries, problems = folder.load_all()
    assert [e.path for e in entries] == [good.path]
    assert [(p.path, p.line) for p in problems] == [(link, 0)]
    assert str(problems[0]).startswith(f"{link}: is a symbolic link")


# -- conflicts ------------------------------------------------------------------------------------


def test_conflict_when_file_changed_on_disk(folder: EntryFolder) -> None:
    stored = make(folder, "Conflict")
    theirs = stored.path.read_text().replace("status: active", "status: investigating")
    stored.path.write_text(theirs)
    with pytest.raises(ConflictError) as info:
        folder.save(stored, edited(stored, severity="low"))
    assert str(stored.path) in str(info.value)
    assert stored.path.read_text() == theirs
    assert leftovers(folder.root) == []


def test_conflict_detected_by_content_not_mtime(folder: EntryFolder) -> None:
    stored = make(folder, "Same mtime")
    st = stored.path.stat()
    original = stored.path.read_bytes()
    theirs = original.replace(b"Same mtime", b"Sane mtime")  # same size, same mtime
    stored.path.write_bytes(theirs)
    os.utime(stored.path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert stored.path.stat().st_mtime_ns == st.st_mtime_ns
    assert stored.path.stat().st_size == st.st_size
    with pytest.raises(ConflictError):
        folder.save(stored, edited(stored, status="resolved"))
    assert stored.path.read_bytes() == theirs


def test_conflict_when_file_deleted(folder: EntryFolder) -> None:
    stored = make(folder, "Deleted")
    stored.path.unlink()
    with pytest.raises(ConflictError):
        folder.save(stored, edited(stored, status="resolved"))
    assert not stored.path.exists()


def test_no_conflict_when_rewritten_with_same_bytes(folder: EntryFolder) -> None:
    stored = make(folder, "Touched")
    stored.path.write_bytes(stored.path.read_bytes())  # e.g. `git checkout` of the same content
    folder.save(stored, edited(stored, status="resolved"))
    assert "status: resolved" in stored.path.read_text()


def test_replace_file_refuses_existing_when_none_expected(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_bytes(b"mine")
    with pytest.raises(ConflictError):
        atomic.replace_file(path, b"other", None)
    assert path.read_bytes() == b"mine"


def test_create_file_refuses_existing(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_bytes(b"mine")
    with pytest.raises(FileExistsError):
        atomic.create_file(path, b"other")
    assert path.read_bytes() == b"mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.md"]


def test_second_save_from_stale_copy_conflicts(folder: EntryFolder) -> None:
    stored = make(folder, "Two editors")
    first = folder.save(stored, edited(stored, severity="low"))
    assert first.entry.fields["severity"] == "low"
    with pytest.raises(ConflictError):
        folder.save(stored, edited(stored, severity="critical"))
    assert folder.load(stored.path).entry.fields["severity"] == "low"


# -- unreadable files ---------------------------------------------------------------------------

BROKEN = {
    "unclosed": (b"---\ntitle: x\nstatus: active\n\n## What Happened\n\nText\n", 1),
    "bad-yaml": (b"---\ntitle: x\nstatus: [active\ndate: 2025-01-01\n---\n\nBody\n", 4),
    "tab-yaml": (b"---\ntitle: x\n\tstatus: active\n---\n", 3),
    "not-mapping": (b"---\n- a\n- b\n---\n", 2),
    "python-tag": (b"---\ntitle: !!python/object/apply:os.system ['echo hi']\n---\n", 2),
    "not-utf8": (b"---\ntitle: x\n---\n\nline\n\xff\xfe bad\n", 6),
    "nul": (b"---\ntitle: x\n---\n\nline\nnul \x00 here\n", 6),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_unreadable_file_reported_with_line(folder: EntryFolder, kind: str) -> None:
    data, line = BROKEN[kind]
    folder.root.mkdir()
    path = folder.root / "002-broken.md"
    path.write_bytes(data)
    with pytest.raises(EntryParseError) as info:
        folder.load(path)
    assert info.value.line == line
    assert info.value.path == path
    assert str(info.value).startswith(f"{path}:{line}: ")


def test_load_all_reports_problems_and_loads_the_rest(folder: EntryFolder) -> None:
    write_entry(folder.root, "001-good.md", "Good one")
    for index, kind in enumerate(sorted(BROKEN), start=2):
        (folder.root / f"{index:03d}-{kind}.md").write_bytes(BROKEN[kind][0])
    write_entry(folder.root, "099-also-good.md", "Also good")
    before = {p: p.read_bytes() for p in folder.root.iterdir()}
    entries, problems = folder.load_all()
    assert {p: p.read_bytes() for p in folder.root.iterdir()} == before
    assert [e.entry.title for e in entries] == ["Good one", "Also good"]
    assert len(problems) == len(BROKEN)
    by_name = {p.path.name: p for p in problems}
    for index, kind in enumerate(sorted(BROKEN), start=2):
        problem = by_name[f"{index:03d}-{kind}.md"]
        assert problem.line == BROKEN[kind][1]
        assert problem.message
        assert str(problem) == f"{problem.path}:{problem.line}: {problem.message}"


def test_unreadable_permission_is_a_problem(
    folder: EntryFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_entry(folder.root, "001-good.md", "Good")
    locked = write_entry(folder.root, "002-locked.md", "Locked")
    real_open = os.open

    def open_(path: str | Path, flags: int, *args: int) -> int:
        if Path(path).name == locked.name:  # root reads a chmod 000 file: simulate it
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", open_)
    entries, problems = folder.load_all()
    assert [e.entry.title for e in entries] == ["Good"]
    assert [p.path.name for p in problems] == ["002-locked.md"]
    assert "Permission denied" in problems[0].message


def test_duplicate_frontmatter_key_is_a_document_problem(folder: EntryFolder) -> None:
    path = write_entry(folder.root, "001-dup.md", "Dup")
    text = path.read_text().replace("status: active\n", "status: active\nstatus: resolved\n")
    path.write_text(text)
    stored = folder.load(path)
    assert stored.entry.fields["status"] == "resolved"
    assert stored.document.problems == [(6, "the key 'status' is given twice (the last wins)")]


def test_huge_file_is_not_read(folder: EntryFolder) -> None:
    path = write_entry(folder.root, "001-huge.md", "Huge", body="x" * (5 * 1024 * 1024))
    with pytest.raises(EntryParseError):
        folder.load(path)
    entries, problems = folder.load_all()
    assert entries == []
    assert [p.path for p in problems] == [path]
