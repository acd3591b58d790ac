"""How GitLab cleans the text it keeps for labels and issuables' titles (for the fake).

- `Label#title=` and `Label#description=` (app/models/label.rb) keep
  `CGI.unescapeHTML(Sanitize.clean(value))` of a value that is not blank: the value is read as
  an HTML fragment; every tag goes (its text stays, but a few elements' contents go with
  them, and block elements leave a space on either side), comments go, and the text is
  written back as HTML, which unescapeHTML decodes again, except the non-breaking space that
  the serializer writes as `&nbsp;`. So `R&amp;D <b>x</b>` is kept as `R&D x`, and `&lt;!--`
  as `<!--`.
- A label's title is then stripped (`before_validation :strip_whitespace_from_title`), and an
  issue's or an epic's title too (Issuable's `strip_attributes! :title`): Ruby's `strip`, which
  takes ASCII whitespace and NUL, not other Unicode spaces.
"""

from __future__ import annotations

from html.parser import HTMLParser

RUBY_WHITESPACE = " \t\n\v\f\r\x00"

# Sanitize::Config::DEFAULT: elements removed with their contents, and the elements replaced
# by a space before and after (`whitespace_elements`)
_REMOVE_CONTENTS = frozenset(
    {"iframe", "math", "noembed", "noframes", "noscript", "plaintext", "script", "style"}
    | {"svg", "xmp"}
)
_SPACED = frozenset(
    {"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "footer"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li", "nav", "ol", "p"}
    | {"pre", "section", "ul"}
)
_VOID = frozenset({"br", "hr"})


class _Text(HTMLParser):
    """The text Sanitize keeps of a fragment, its character references decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0  # inside an element whose contents go

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _REMOVE_CONTENTS:
            self.hidden += 1
        elif tag in _SPACED and not self.hidden:
            self.parts.append("  " if tag in _VOID else " ")  # a void one has no end tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SPACED and not self.hidden:
            self.parts.append("  ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _REMOVE_CONTENTS:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _SPACED and not self.hidden:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def label_value(value: str) -> str:
    """A label's title or description as GitLab keeps it (a blank value is kept as it is)."""
    if not value.strip(RUBY_WHITESPACE):
        return value
    reader = _Text()
    reader.feed(value)
    reader.close()
    return "".join(reader.parts).replace("\u00a0", "&nbsp;")


def label_title(name: str) -> str:
    """A label's title as GitLab keeps it: cleaned, then stripped."""
    return label_value(name).strip(RUBY_WHITESPACE)


def issuable_title(title: str) -> str:
    """An issue's or an epic's title as GitLab keeps it: stripped."""
    return title.strip(RUBY_WHITESPACE)
