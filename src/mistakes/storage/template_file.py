"""Loading a template: the packaged default or a team's own file."""

from __future__ import annotations

from pathlib import Path

from mistakes.domain.template import Template, TemplateError, parse_template
from mistakes.storage.reading import MAX_TEMPLATE_BYTES, FileRefused, read_regular

DEFAULT_TEMPLATE_NAME = "default.md"


def default_template_text() -> str:
    import mistakes.templates

    beside = Path(mistakes.templates.__file__).parent / DEFAULT_TEMPLATE_NAME
    if beside.is_file():  # installed as files (the usual case): no importlib.resources
        return beside.read_text("utf-8")
    from importlib import resources  # a zipped install

    return resources.files("mistakes.templates").joinpath(DEFAULT_TEMPLATE_NAME).read_text("utf-8")


def load_template(path: Path | None = None) -> Template:
    """The template at ``path``, or the packaged default. Raises TemplateError.

    The path may come from a shared repository's ``.mistakes.toml``: only a regular file of
    at most 1 MiB is read (a FIFO would block every command, ``/dev/zero`` eat memory)."""
    if path is None:
        return parse_template(default_template_text(), source="(default template)")
    try:
        text = read_regular(path, MAX_TEMPLATE_BYTES, follow_links=True).decode("utf-8")
    except FileRefused as exc:
        raise TemplateError(f"not used as the template: {exc.reason}", 0, str(path)) from None
    except FileNotFoundError:
        raise TemplateError("template file not found", 0, str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"cannot read the template: {exc}", 0, str(path)) from None
    return parse_template(text, source=str(path))
