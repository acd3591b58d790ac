"""Write the dashboard: a static site of plain HTML with inline CSS and SVG, every text
HTML-escaped, no script and nothing fetched from elsewhere."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import re
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any, cast

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from automation.charts import Bar
from automation.config.source import not_utf8
from automation.dashboard.model import Page
from automation.dashboard.svg import SPARK, bar_chart, line_chart
from automation.errors import ConfigError, Problem, UsageError
from automation.rendering import visible

TEMPLATES = "dashboard"  # in the templates folder


def write_site(
    pages: Sequence[Page], hidden: int, out: Path, templates: Path, today: dt.date
) -> list[Path]:
    """index.html (every program), a page per program and per cohort; the files written,
    once every page rendered (a template's mistake writes nothing: an attacker's trial found
    a new index.html beside the last run's pages after "nothing was written")."""
    env = _environment(templates)
    rendered = [_overview(env, out, pages, hidden, today)]
    for page in pages:
        rendered.append(_page(env, out, page, None, today))
        rendered += [_page(env, out, cohort, page, today) for cohort in page.cohorts]
    listed = _manifest(out)
    for path, _ in rendered:
        _not_someone_elses(path, listed)
    out.mkdir(parents=True, exist_ok=True)
    for done, (path, html) in enumerate(rendered):
        try:
            _put(path, html)
        except UsageError as error:
            if done:  # a trial: a site half new, half old, and exit 2 as if nothing were
                were = "page of the site was" if done == 1 else "pages of the site were"
                raise UsageError(
                    f"{error}; {done} {were} written before it: write the site again once "
                    "that is mended"
                ) from error
            raise
    return [path for path, _ in rendered]


def _not_someone_elses(path: Path, listed: Collection[str] | None) -> None:
    """Refuse to write over a file that is no page of a dashboard (a trial: a person's own
    index.html in the folder was replaced without a word): one the folder's list (LISTED)
    does not name, or, without a list, without the dashboard's footer."""
    if not path.is_file() or path.is_symlink():
        return
    ours = _ours(path) if listed is None else path.name in listed
    if ours:
        return
    raise UsageError(
        f"--out {path.parent}: {path.name} there is not a page the dashboard wrote, and would "
        "be replaced; move it away, or give another folder"
    )


def _ours(path: Path) -> bool:
    """Whether a file has the dashboard's footer (an unreadable one is not the dashboard's)."""
    try:
        return _FOOTER in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def _overview(
    env: jinja2.Environment, out: Path, pages: Sequence[Page], hidden: int, today: dt.date
) -> tuple[Path, str]:
    return _render(
        env,
        out / "index.html",
        "overview.html",
        pages=pages,
        hidden=hidden,
        bars=bar_chart([Bar(p.name, p.overall.done, p.overall.total) for p in pages]),
        sparks={p.slug: line_chart(p.weeks, SPARK) for p in pages},
        today=today,
    )


MANIFEST = ".dashboard-pages"  # the pages the last dashboard wrote into the folder
_PAGE_NAME = re.compile(r"[a-z0-9][a-z0-9.-]*\.html")  # what `write_site` names a page


_FOOTER = "Written by the program automation (<code>automation dashboard</code>)"


def _ours_before(out: Path, known: Collection[str]) -> list[str]:
    """The pages of a folder written before the dashboard kept its list (an earlier version):
    those with its footer of the KNOWN programs (the configuration's), once; from then on the
    list says. A copy of a page a person saved under another name is theirs (a trial: the
    first dashboard into a folder removed `february-snapshot.html`)."""
    return [
        path.name
        for path in sorted(out.glob("*.html"))
        if _program_of(path.name) in known and path.is_file() and _ours(path)
    ]


def remove_stale(
    out: Path, written: Sequence[Path], known: Collection[str], programs: Collection[str] | None
) -> list[Path]:
    """The pages an earlier dashboard wrote into OUT (its list, MANIFEST) that this one did
    not write (a program made confidential, left out or removed): removed, so a folder
    published as it is shows no page that should no longer be seen. PROGRAMS: the ids this
    dashboard covered (`--program`), whose pages alone it removes; None: every program. A
    file the dashboard did not write is never in its list, and stays. KNOWN: the ids of the
    configuration's programs (see `_ours_before`)."""
    before = _listed(out, known)
    now = {path.name for path in written}
    stale = sorted(
        out / name for name in before - now if programs is None or _program_of(name) in programs
    )
    removed = [path for path in stale if path.is_file() and not path.is_symlink()]
    for path in removed:
        path.unlink()
    kept = before - now - {path.name for path in stale}
    _put(out / MANIFEST, "".join(f"{n}\n" for n in sorted(now | kept)))
    return removed


def lists_others(out: Path, programs: Collection[str], known: Collection[str]) -> bool:
    """Whether OUT holds pages an earlier dashboard wrote of other programs than PROGRAMS: a
    site whose overview a dashboard of PROGRAMS alone must not replace (it would leave their
    pages unlinked; kept as it was, it would go on showing a program since made
    confidential, or never link PROGRAMS)."""
    if not out.is_dir():
        return False
    pages = _listed(out, known) - {"index.html"}
    return any(_program_of(name) not in programs for name in pages)


def _program_of(page: str) -> str:
    """The program a page is of, by its name (`program.html`, `program--group-hash.html`)."""
    return page.removesuffix(".html").split("--")[0]


def _listed(out: Path, known: Collection[str]) -> set[str]:
    """The page names the folder's list holds (never a path), or, without a list, its pages
    of the KNOWN programs with the dashboard's footer (a folder an earlier version wrote)."""
    names = _manifest(out)
    return names if names is not None else set(_ours_before(out, known))


def _manifest(out: Path) -> set[str] | None:
    """The page names the folder's list holds (never a path); None without a list."""
    listed = out / MANIFEST
    if not listed.is_file():
        return None
    names = listed.read_text(encoding="utf-8", errors="replace").split()
    return {name for name in names if _PAGE_NAME.fullmatch(name)}


def _page(
    env: jinja2.Environment, out: Path, page: Page, parent: Page | None, today: dt.date
) -> tuple[Path, str]:
    return _render(
        env,
        out / f"{page.slug}.html",
        "page.html",
        page=page,
        parent=parent,
        bars=bar_chart(page.phases),
        line=line_chart(page.weeks),
        today=today,
    )


def _environment(templates: Path) -> jinja2.Environment:
    folder = templates / TEMPLATES
    if not folder.is_dir():
        raise ConfigError(
            [
                Problem(
                    str(folder),
                    1,
                    "the dashboard's templates are missing; copy templates/"
                    "dashboard/ from the program automation's repository",
                )
            ]
        )
    return SandboxedEnvironment(
        loader=_Loader(folder),
        autoescape=True,
        finalize=_shown,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


class _Loader(jinja2.FileSystemLoader):
    """The dashboard's templates as an editor may have saved them: a byte order mark first
    (Notepad's) is no text of the page (a tester's page had two before its doctype, fell into
    quirks mode and lost its styles and its Content-Security-Policy), and a file in another
    encoding is said at its line."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        try:
            source, filename, uptodate = super().get_source(environment, template)
        except UnicodeDecodeError as error:
            path = Path(self.searchpath[0]) / template
            raise ConfigError([not_utf8(str(path), path.read_bytes(), error)]) from None
        return source.removeprefix("\ufeff"), filename, uptodate


def _shown(value: Any) -> Any:
    """Each value a page prints, without bidirectional controls and invisible characters: a
    name from configuration or an issue's title could otherwise show the tool's own words
    around it reversed (a tester's `FY27 \u202epilot`)."""
    if isinstance(value, Markup):
        return Markup(visible(str(value)))
    return visible(value) if isinstance(value, str) else value


def _render(env: jinja2.Environment, path: Path, template: str, **values: Any) -> tuple[Path, str]:
    try:
        return path, env.get_template(template).render(**values)
    except jinja2.TemplateNotFound as error:  # a page's, or one it extends or includes
        folder = Path(cast(_Loader, env.loader).searchpath[0])
        missing = Problem(
            str(folder / str(error.name)),
            1,
            "dashboard template not found; copy it from templates/dashboard/ of the program "
            "automation's repository, or fix the name that asks for it",
        )
        raise ConfigError([missing]) from error
    except jinja2.TemplateError as error:
        where = str(getattr(error, "filename", None) or template)
        line = getattr(error, "lineno", None) or 1
        raise ConfigError([Problem(where, line, f"dashboard template: {error}")]) from error


def _put(path: Path, text: str) -> None:
    """Write a file of the site whole or not at all (a new file, then renamed into place: a
    full disk left half a page, which the next run took for someone else's), in place of a
    symbolic link, never through it (to a file outside the folder); what cannot be written
    is said on one line."""
    new = path.with_name(f".{path.name}.new")
    try:
        new.unlink(missing_ok=True)
        new.write_text(text, encoding="utf-8")
        os.replace(new, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            new.unlink(missing_ok=True)
        raise UsageError(
            f"--out {path.parent}: cannot write {path.name} ({error.strerror}); "
            f"{_MEND.get(error.errno or 0, 'mend that')}, or give another folder"
        ) from error


_MEND = {  # what to do when a page cannot be written, by the error (a reviewer)
    errno.EISDIR: "remove what is in its place",
    errno.ENOTEMPTY: "remove what is in its place",
    errno.EACCES: "make the folder writable",
    errno.EPERM: "make the folder and its pages writable",
    errno.EROFS: "make the folder writable",
    errno.ENOSPC: "free some space",
    errno.EDQUOT: "free some space",
}
