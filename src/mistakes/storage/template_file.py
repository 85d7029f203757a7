"""Loading a template: the packaged default or a team's own file."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from mistakes.domain.template import Template, TemplateError, parse_template

DEFAULT_TEMPLATE_NAME = "default.md"


def default_template_text() -> str:
    return resources.files("mistakes.templates").joinpath(DEFAULT_TEMPLATE_NAME).read_text("utf-8")


def load_template(path: Path | None = None) -> Template:
    """The template at ``path``, or the packaged default. Raises TemplateError."""
    if path is None:
        return parse_template(default_template_text(), source="(default template)")
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise TemplateError("template file not found", 0, str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"cannot read the template: {exc}", 0, str(path)) from None
    return parse_template(text, source=str(path))
