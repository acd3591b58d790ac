"""The one Jinja environment: sandboxed, strict, and unable to emit quick actions or mentions."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from automation.config.models import RESERVED_USERNAMES, Person
from automation.errors import ConfigError, Problem
from automation.markers import empty_block

_LINE_BREAKS = re.compile(r"[\r\n\v\f\x85\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_ZERO_WIDTH_SPACE = "\u200b"
MAX_TITLE = 255


class Trusted(Markup):
    """Text the tool itself vouches for (a validated mention, a block marker); only this
    passes the environment unchanged, not Jinja's `safe` or `escape` results."""


def _one_line(value: Any) -> str:
    if value is None:
        return ""
    return _CONTROL.sub("", _LINE_BREAKS.sub(" ", str(value)))


def neutralise(value: Any) -> str:
    """Make a value from configuration data inert: one line, no quick action, no mention."""
    if isinstance(value, Trusted):
        return str(value)
    text = _one_line(value)
    body = text.lstrip()
    if body.startswith("/"):  # a line starting with `/` would run a GitLab quick action
        text = text[: len(text) - len(body)] + "\\" + body
    text = text.replace("|", "\\|")  # keeps a value inside its table cell
    return _no_mention(text)


def _no_mention(text: str) -> str:
    return text.replace("@", "@" + _ZERO_WIDTH_SPACE)  # `@name` would notify name


def neutralise_title(value: Any) -> str:
    """Titles run no quick actions and render no Markdown: one line, and no mention."""
    return str(value) if isinstance(value, Trusted) else _no_mention(_one_line(value))


class MentionRefused(ValueError):
    """A template asked to mention something that is not a validated roster username."""


class Renderer:
    """Renders issue templates, titles and tool-owned blocks from plain data."""

    def __init__(self, templates_dir: Path, roster: Collection[str]) -> None:
        self.templates_dir = templates_dir
        self._roster = frozenset(name.lower() for name in roster)
        self.env = SandboxedEnvironment(
            loader=jinja2.FileSystemLoader(str(templates_dir)),
            undefined=jinja2.StrictUndefined,
            finalize=neutralise,
            autoescape=False,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["mention"] = self.mention
        self.env.globals["managed_block"] = _managed_block
        self._titles = self.env.overlay(finalize=neutralise_title)

    def mention(self, who: Person | str) -> Trusted:
        """`{{ person | mention }}`: a live @mention, only for a username in the roster."""
        username = who.username if isinstance(who, Person) else str(who)
        if username.lower() in RESERVED_USERNAMES or username.lower() not in self._roster:
            raise MentionRefused(
                f"cannot mention '{username}': only usernames listed in people.yml can be "
                "mentioned (never all, here or a group)"
            )
        return Trusted("@" + username)

    def render(self, template: str, context: Mapping[str, Any]) -> str:
        """Render templates/<template>; template mistakes become ConfigError naming file:line."""
        try:
            return self.env.get_template(template).render(context)
        except Exception as error:  # any failure inside a template is the template's problem
            raise ConfigError([self._problem(error, template)]) from error

    def render_title(self, source: str, context: Mapping[str, Any], origin: Problem) -> str:
        """Render a one-line title from a Jinja string found in config at `origin`."""
        try:
            text = self._titles.from_string(source).render(context)
        except Exception as error:
            raise ConfigError(
                [Problem(origin.file, origin.line, f"title: {_why(error)}")]
            ) from error
        title = " ".join(text.split())
        return title[: MAX_TITLE - 1] + "…" if len(title) > MAX_TITLE else title

    def exists(self, template: str) -> bool:
        """Whether templates/<template> exists (and stays inside templates/)."""
        try:
            self.env.loader.get_source(self.env, template)  # type: ignore[union-attr]
        except jinja2.TemplateNotFound:
            return False
        return True

    def not_found(self, template: str) -> str:
        """What to say about a missing template."""
        return f"template '{template}' not found in {self.templates_dir}; create it or fix the name"

    def check(self, template: str) -> list[Problem]:
        """Syntax problems of one template."""
        try:
            self.env.get_template(template)
        except Exception as error:
            return [self._problem(error, template)]
        return []

    def _problem(self, error: BaseException, template: str) -> Problem:
        if isinstance(error, jinja2.TemplateNotFound):
            return Problem(
                str(self.templates_dir / template), 1, self.not_found(str(error.name or template))
            )
        line = getattr(error, "lineno", None) or _template_line(error.__traceback__, template)
        return Problem(str(self.templates_dir / template), line or 1, _why(error))


def _managed_block(name: str) -> Trusted:
    """`{{ managed_block('progress') }}`: where the tool writes its block in a new issue."""
    return Trusted(empty_block(name))


def _why(error: BaseException) -> str:
    if isinstance(error, jinja2.UndefinedError):
        return f"{error.message}; check the variable name (see README.md for what templates get)"
    if isinstance(error, MentionRefused):
        return str(error)
    if isinstance(error, jinja2.TemplateSyntaxError):
        return f"template syntax error: {error.message}"
    return f"template error: {error}"


def _template_line(tb: TracebackType | None, template: str) -> int | None:
    """The template line of the innermost frame Jinja attributed to the template."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(template):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
