"""Several entries folders at once: one per team or service, each with a name.

The folders come from, first wins: every ``--dir`` given (``--dir PATH`` or
``--dir NAME=PATH``), ``$MISTAKES_DIR`` (several separated by ``os.pathsep``), ``folders``
in the user config, ``dir`` in the user config, ``./mistakes``. A folder's name is given,
or is its last part, or the part before that when the last is ``mistakes``
(``~/src/payments/mistakes`` is ``payments``). Two folders with one name are a usage error
naming both paths.

One folder behaves as before: every command gets the same answers and prints the same text.
With several, an entry is named ``FOLDER:REF`` (``payments:005``); a bare REF that only one
folder has still works, one that several have is a usage error listing them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mistakes.domain.template import Template
from mistakes.services.config import (
    UserConfig,
    env_dirs,
    load_user_config,
    resolve_template,
)
from mistakes.services.entries import EntryService, UsageError
from mistakes.storage.errors import RefError
from mistakes.storage.folder import EntryFolder, StoredEntry
from mistakes.storage.template_file import load_template

DEFAULT_DIR = "mistakes"
_NAMED = re.compile(r"^([^=:/\\\s]+)=(.+)$")  # NAME=PATH (a name has no '=', ':', '/')
_BAD_NAME = re.compile(r"[:=/\\\s]")


@dataclass(frozen=True)
class NamedFolder:
    """One entries folder of the set, with its name (``payments``)."""

    name: str
    folder: EntryFolder

    @property
    def root(self) -> Path:
        return self.folder.root


def default_name(path: Path) -> str:
    """``.../payments/mistakes`` -> ``payments``; ``.../payments-log`` -> ``payments-log``."""
    full = path.expanduser().absolute()
    parts = [p for p in full.parts if p not in ("", "/", full.anchor)]
    if not parts:
        return str(full)
    if parts[-1] == DEFAULT_DIR and len(parts) > 1:
        return parts[-2]
    return parts[-1]


def parse_dir(text: str) -> tuple[str | None, Path]:
    """``--dir`` text -> (name or None, path). ``NAME=PATH`` names it, unless the whole text
    is a folder that exists (a path may hold a ``=``)."""
    match = _NAMED.match(text)
    if match and not Path(text).expanduser().is_dir():
        return match.group(1), Path(match.group(2)).expanduser()
    return None, Path(text).expanduser()


class FolderSet:
    """The folders a command or the app works over, in order (new entries go to the first)."""

    def __init__(self, folders: Sequence[NamedFolder]) -> None:
        if not folders:
            raise UsageError("no entries folder")
        self.folders = list(folders)
        seen: dict[str, NamedFolder] = {}
        for item in self.folders:
            if _BAD_NAME.search(item.name) or not item.name:
                raise UsageError(
                    f"'{item.name}' cannot name a folder ({item.root}): a name has no ':', "
                    "'=', '/' or space"
                )
            other = seen.get(item.name)
            if other is not None:
                raise UsageError(
                    f"two folders are named '{item.name}': {other.root} and {item.root} "
                    '(name one: --dir NAME=PATH, or name = "..." in the config\'s folders)'
                )
            seen[item.name] = item

    def __iter__(self) -> Iterator[NamedFolder]:
        return iter(self.folders)

    def __len__(self) -> int:
        return len(self.folders)

    @property
    def several(self) -> bool:
        return len(self.folders) > 1

    @property
    def first(self) -> NamedFolder:
        return self.folders[0]

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.folders]

    def named(self, name: str) -> NamedFolder:
        """The folder called ``name``; a usage error listing the names when there is none."""
        for item in self.folders:
            if item.name == name:
                return item
        raise UsageError(f"no folder named '{name}' (folders: {', '.join(self.names)})")

    def of_path(self, path: Path) -> NamedFolder:
        """The folder holding ``path`` (the first one when none does)."""
        for item in self.folders:
            try:
                if path.parent.resolve() == item.root.resolve():
                    return item
            except OSError:
                continue
        return self.first

    def label(self, path: Path) -> str:
        """``payments:`` before an entry's number when there are several folders, else ""."""
        return f"{self.of_path(path).name}:" if self.several else ""

    def split_ref(self, ref: str) -> tuple[NamedFolder | None, str]:
        """``payments:005`` -> (payments, ``005``); a REF without a known folder name before a
        ``:`` is returned as it is (a path may hold a ``:``)."""
        name, sep, rest = ref.partition(":")
        if sep and rest:
            for item in self.folders:
                if item.name == name:
                    return item, rest
        return None, ref

    def resolve(self, ref: str) -> tuple[NamedFolder, Path]:
        """``FOLDER:REF`` or REF -> the folder and the entry's path.

        A bare REF is looked up in every folder: found in one, that one; found in several, a
        usage error listing them (``005 is in payments and search; say payments:005``)."""
        named, bare = self.split_ref(ref)
        if named is not None:
            return named, named.folder.resolve(bare)
        if not self.several:
            return self.first, self.first.folder.resolve(ref)
        found: list[tuple[NamedFolder, Path]] = []
        errors: list[str] = []
        for item in self.folders:
            try:
                path = item.folder.resolve(ref)
            except RefError as exc:
                errors.append(str(exc))
                continue
            if any(path.resolve() == p.resolve() for _f, p in found):
                continue  # a path: every folder finds the same file
            found.append((item, path))
        if len(found) == 1:
            only, path = found[0]
            if path.parent.resolve() != only.root.resolve():  # a path: its own folder
                return self.of_path(path), path
            return found[0]
        if found:
            names = [f.name for f, _p in found]
            listed = ", ".join(names[:-1]) + f" and {names[-1]}"
            raise UsageError(f"{ref} is in {listed}; say {names[0]}:{ref}")
        raise RefError("; ".join(dict.fromkeys(errors)))

    def service(self, name: str | None = None, config: UserConfig | None = None) -> EntryService:
        """The entry service of folder ``name`` (the first one when None)."""
        item = self.first if name is None else self.named(name)
        return EntryService(item.folder, config)

    def get(self, ref: str, config: UserConfig | None = None) -> tuple[EntryService, StoredEntry]:
        """The entry ``ref`` names (``FOLDER:REF`` or REF) and the service of its folder."""
        item, path = self.resolve(ref)
        service = EntryService(item.folder, config)
        return service, item.folder.load(path)


def folder_sources(dirs: Sequence[str] | None, config: UserConfig) -> list[tuple[str | None, Path]]:
    """(name or None, path) of every folder, by the precedence in the module's docstring."""
    if dirs:
        return [parse_dir(text) for text in dirs]
    env = env_dirs()
    if env:
        return [parse_dir(text) for text in env]
    if config.folders:
        return list(config.folders)
    if config.dir is not None:
        return [(None, config.dir)]
    return [(None, Path(DEFAULT_DIR))]


def open_folders(
    dirs: Sequence[str] | str | Path | None = None,
    template: str | Path | None = None,
    config: UserConfig | None = None,
) -> FolderSet:
    """The folders to work over, each with its template (``--template`` for all of them,
    else each folder's own, as :func:`~mistakes.services.config.open_folder` finds it)."""
    config = load_user_config() if config is None else config
    if isinstance(dirs, str | Path):
        dirs = [str(dirs)]
    found: list[NamedFolder] = []
    roots: set[Path] = set()
    templates: dict[Path | None, Template] = {}
    for name, root in folder_sources(dirs, config):
        key = root.expanduser().absolute()
        if key in roots:
            continue  # the same folder twice: once is enough
        roots.add(key)
        path = resolve_template(str(template) if template is not None else None, root, config)
        loaded = templates.get(path)
        if loaded is None:
            loaded = templates[path] = load_template(path)
        folder = EntryFolder(root, loaded)
        found.append(NamedFolder(name or default_name(root), folder))
    return FolderSet(found)


def with_folder(data: dict[str, Any], name: str) -> dict[str, Any]:
    """A JSON object with ``folder`` after ``path`` (the key order JSON output keeps), when
    several folders are open (``name`` is not ""); with one folder ``data`` as it is."""
    if not name or "path" not in data:
        return data
    out: dict[str, Any] = {}
    for key, value in data.items():
        out[key] = value
        if key == "path":
            out["folder"] = name
    return out
