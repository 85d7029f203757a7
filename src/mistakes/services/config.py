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

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from mistakes.domain.errors import MistakesError

APP_NAME = "mistakes"
FOLDER_CONFIG = ".mistakes.toml"
DEFAULT_DIR = "mistakes"


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


def user_config_path() -> Path:
    override = os.environ.get("MISTAKES_CONFIG")
    if override:
        return Path(override).expanduser()
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else 0
        raise ConfigError(path, f"invalid TOML: {exc}", line) from None
    except OSError as exc:
        raise ConfigError(path, f"cannot read: {exc.strerror or exc}") from None


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
    data = _read_toml(path)
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in keymap.items()
    ):
        raise ConfigError(path, '[keymap] maps binding ids to keys, e.g. save = "ctrl+s"')
    return UserConfig(
        path=path if data else None,
        dir=_path_value(path, data, "dir", path.parent),
        template=_path_value(path, data, "template", path.parent),
        keymap=dict(keymap),
    )


def resolve_dir(cli_dir: str | None, config: UserConfig) -> Path:
    if cli_dir:
        return Path(cli_dir).expanduser()
    env = os.environ.get("MISTAKES_DIR")
    if env:
        return Path(env).expanduser()
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
    data = _read_toml(folder_config)
    from_folder = _path_value(folder_config, data, "template", entries_dir)
    if from_folder is not None:
        return from_folder
    return config.template


def user_data_dir() -> Path:
    """Where drafts and other per-user state live (not created here)."""
    return platformdirs.user_data_path(APP_NAME)


def user_cache_dir() -> Path:
    return platformdirs.user_cache_path(APP_NAME)
