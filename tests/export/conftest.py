"""Fixtures of the export tests: the CLI tests' working folder and in-process main()."""

from tests.cli.conftest import cwd, run

__all__ = ["cwd", "run"]
