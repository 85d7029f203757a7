"""Where things are: the entries folder, the template, the user's config file.

Precedence, first wins:

- entries folder: ``--dir``, ``$MISTAKES_DIR``, ``dir`` in the user config, ``./mistakes``;
- template: ``--template``, ``$MISTAKES_TEMPLATE``, ``template`` in the folder's
  ``.mistakes.toml`` (relative to the folder, so a team shares it through git),
  ``template`` in the user config, the packaged default.

The user config is ``$MISTAKES_CONFIG`` or ``<user config dir>/mistakes/config.toml``
(``$XDG_CONFIG_HOME/mistakes/config.toml`` on Linux).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from mistakes.domain.errors import MistakesError
from mistakes.domain.resolution import Requirement, default_requirements, requirements
from mistakes.domain.template import Template
from mistakes.storage.folder import EntryFolder
from mistakes.storage.reading import MAX_CONFIG_BYTES, FileRefused, read_regular
from mistakes.storage.template_file import load_template

APP_NAME = "mistakes"
FOLDER_CONFIG = ".mistakes.toml"
DEFAULT_DIR = "mistakes"
USER_KEYS = ("dir", "template", "ascii", "keymap", "resolved_requires", "reporters", "folders")
FOLDER_KEYS = ("template", "resolved_requires")
RESOLVED_REQUIRES = "resolved_requires"


class ConfigError(MistakesError):
    def __init__(self, path: Path, message: str, line: int = 0) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line


@dataclass
class UserConfig:
    path: Path | None = None
    dir: Path | None = None
    template: Path | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    ascii: bool | None = None  # ASCII glyphs in the app (None: on the Linux console)
    resolved_requires: tuple[str, ...] | None = None  # sections Resolved needs (None: default)
    reporters: dict[str, str] = field(default_factory=dict)  # git user.name -> reporter
    # ``folders = [...]``: (name or None for the default name, path), in order
    folders: list[tuple[str | None, Path]] = field(default_factory=list)


def user_config_path() -> Path:
    override = os.environ.get("MISTAKES_CONFIG")
    if override:
        return Path(override).expanduser()
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def _read_toml(path: Path, known: Collection[str]) -> dict[str, Any]:
    """The TOML table in ``path`` ({} when there is no file). Only a regular file of at most
    256 KiB is read (the folder's file comes from a shared repository); a key not in
    ``known`` is an error naming its line, so that a typo is not ignored in silence."""
    try:
        raw = read_regular(path, MAX_CONFIG_BYTES, follow_links=True)
    except FileNotFoundError:
        return {}
    except FileRefused as exc:
        raise ConfigError(path, exc.reason) from None
    except OSError as exc:
        raise ConfigError(path, f"cannot read: {exc.strerror or exc}") from None
    import tomllib  # only when there is a file to read

    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ConfigError(path, "not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else 0
        raise ConfigError(path, f"invalid TOML: {exc}", line) from None
    unknown = [key for key in data if key not in known]
    if unknown:
        key = unknown[0]
        raise ConfigError(
            path,
            f"unknown setting '{key}' (known: {', '.join(known)})",
            key_line(text, key),
        )
    return data


def key_line(text: str, key: str, table: str | None = None) -> int:
    """The 1-based line where ``key`` is set in TOML ``text`` (in ``[table]`` if given),
    or 0. For messages only: a plain look at the lines, not a TOML parser."""
    quoted = re.escape(key)
    assign = re.compile(rf"""^\s*(?:{quoted}|"{quoted}"|'{quoted}')\s*[=.]""")
    header = re.compile(rf"""^\s*\[\s*(?:{quoted}|"{quoted}")\s*[\].]""")
    current: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            if table is None and header.match(line):
                return number
            current = stripped.strip("[] \t").strip("\"'")
            continue
        if current == table and assign.match(line):
            return number
    return 0


def validate_keymap(
    keymap: Mapping[str, str], binding_ids: Collection[str], path: Path | None = None
) -> None:
    """Raise ConfigError when ``keymap`` (the user config's ``[keymap]``) names a binding id
    that is not in ``binding_ids``: a misspelt id (``saev``) would otherwise do nothing.
    The message names the file and line and lists the known ids."""
    unknown = [name for name in keymap if name not in binding_ids]
    if not unknown:
        return
    source = path or user_config_path()
    line = 0
    with contextlib.suppress(OSError, UnicodeDecodeError, FileRefused):
        text = read_regular(source, MAX_CONFIG_BYTES, follow_links=True).decode("utf-8")
        line = key_line(text, unknown[0], table="keymap")
    names = ", ".join(f"'{name}'" for name in unknown)
    raise ConfigError(
        source,
        f"[keymap] names no binding {names} (known: {', '.join(sorted(binding_ids))})",
        line,
    )


def _path_value(path: Path, data: dict[str, Any], key: str, base: Path) -> Path | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(path, f"'{key}' must be a path (a string)")
    candidate = Path(value).expanduser()
    return candidate if candidate.is_absolute() else base / candidate


def load_user_config() -> UserConfig:
    path = user_config_path()
    data = _read_toml(path, USER_KEYS)
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in keymap.items()
    ):
        raise ConfigError(path, '[keymap] maps binding ids to keys, e.g. save = "ctrl+s"')
    ascii = data.get("ascii")
    if ascii is not None and not isinstance(ascii, bool):
        raise ConfigError(path, "'ascii' is true or false")
    reporters = data.get("reporters", {})
    if not isinstance(reporters, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in reporters.items()
    ):
        raise ConfigError(
            path, '[reporters] maps git user names to reporters, e.g. "Priya Natarajan" = "PN"'
        )
    return UserConfig(
        path=path if data else None,
        resolved_requires=_names_value(path, data, RESOLVED_REQUIRES),
        dir=_path_value(path, data, "dir", path.parent),
        template=_path_value(path, data, "template", path.parent),
        keymap=dict(keymap),
        ascii=ascii,
        reporters=dict(reporters),
        folders=_folders_value(path, data),
    )


FOLDERS_HINT = (
    'folders = ["~/src/payments/mistakes", ...] or '
    'folders = [{ name = "payments", dir = "~/src/payments/mistakes" }, ...]'
)


def _folders_value(path: Path, data: dict[str, Any]) -> list[tuple[str | None, Path]]:
    """``folders``: a list of paths, or of tables with ``dir`` (and ``name``); relative
    paths are relative to the config file."""
    value = data.get("folders")
    if value is None:
        return []
    text = ""
    with contextlib.suppress(OSError, UnicodeDecodeError, FileRefused):
        text = read_regular(path, MAX_CONFIG_BYTES, follow_links=True).decode("utf-8")
    line = key_line(text, "folders") if text else 0
    if not isinstance(value, list):
        raise ConfigError(path, f"'folders' is a list: {FOLDERS_HINT}", line)
    found: list[tuple[str | None, Path]] = []
    for item in value:
        name: str | None = None
        if isinstance(item, dict):
            unknown = [k for k in item if k not in ("name", "dir")]
            if unknown:
                raise ConfigError(
                    path, f"'folders': unknown key '{unknown[0]}' (known: name, dir)", line
                )
            name, item = item.get("name"), item.get("dir")
            if name is not None and (not isinstance(name, str) or not name.strip()):
                raise ConfigError(path, f"'folders': a name is a string: {FOLDERS_HINT}", line)
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(path, f"'folders': each folder is a path: {FOLDERS_HINT}", line)
        where = Path(item).expanduser()
        found.append(
            (name.strip() if name else None, where if where.is_absolute() else path.parent / where)
        )
    return found


def _names_value(path: Path, data: dict[str, Any], key: str) -> tuple[str, ...] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(
            path,
            f"'{key}' is a list of section names, e.g. {key} = [\"Root Cause Analysis\", "
            '"The Fix"]',
        )
    return tuple(value)


def resolved_requirements(root: Path, template: Template, config: UserConfig) -> list[Requirement]:
    """The sections an entry must have written before it is Resolved: ``resolved_requires``
    in the folder's ``.mistakes.toml`` (the team's), else in the user config, else Root
    Cause Analysis and The Fix (those of them the template has). A name the template has
    no section for is an error naming the file and line."""
    folder_config = root / FOLDER_CONFIG
    names = _names_value(folder_config, _read_toml(folder_config, FOLDER_KEYS), RESOLVED_REQUIRES)
    source = folder_config
    if names is None:
        names, source = config.resolved_requires, config.path or user_config_path()
    if names is None:
        return default_requirements(template)
    found, unknown = requirements(template, names)
    if unknown:
        line = 0
        with contextlib.suppress(OSError, UnicodeDecodeError, FileRefused):
            text = read_regular(source, MAX_CONFIG_BYTES, follow_links=True).decode("utf-8")
            line = key_line(text, RESOLVED_REQUIRES)
        raise ConfigError(
            source, f"{RESOLVED_REQUIRES}: the template has no section '{unknown[0]}'", line
        )
    return found


def env_dirs() -> list[str]:
    """The folders in ``$MISTAKES_DIR`` (several are separated by ``os.pathsep``)."""
    return [part for part in os.environ.get("MISTAKES_DIR", "").split(os.pathsep) if part]


def resolve_dir(cli_dir: str | None, config: UserConfig) -> Path:
    if cli_dir:
        return Path(cli_dir).expanduser()
    env = env_dirs()
    if env:
        return Path(env[0]).expanduser()
    if config.folders:
        return config.folders[0][1]
    if config.dir is not None:
        return config.dir
    return Path(DEFAULT_DIR)


def resolve_template(
    cli_template: str | None, entries_dir: Path, config: UserConfig
) -> Path | None:
    if cli_template:
        return Path(cli_template).expanduser()
    env = os.environ.get("MISTAKES_TEMPLATE")
    if env:
        return Path(env).expanduser()
    folder_config = entries_dir / FOLDER_CONFIG
    data = _read_toml(folder_config, FOLDER_KEYS)
    from_folder = _path_value(folder_config, data, "template", entries_dir)
    if from_folder is not None:
        return from_folder
    return config.template


def open_folder(
    folder: str | Path | None = None,
    template: str | Path | None = None,
    config: UserConfig | None = None,
) -> EntryFolder:
    """The entries folder and its template, by the precedence above: what the CLI and the
    app both open. ``config`` is the user config when the caller has read it already."""
    config = load_user_config() if config is None else config
    root = resolve_dir(str(folder) if folder is not None else None, config)
    template_path = resolve_template(str(template) if template is not None else None, root, config)
    return EntryFolder(root, load_template(template_path))


def user_data_dir() -> Path:
    """Where drafts and other per-user state live (not created here)."""
    return platformdirs.user_data_path(APP_NAME)


def user_cache_dir() -> Path:
    return platformdirs.user_cache_path(APP_NAME)
