"""`automation init DIR`: a team's own programs repository, which does not carry this code.

The repository gets the sample `config/` and `templates/`, a `.gitlab-ci.yml`, a README and a
`requirements.txt` that pins one release of this tool. The release ships the lock file of its
runtime dependencies (with hashes) next to the skeleton, so the pipeline installs the tool, then
exactly the dependencies it was tested with; upgrading is changing the one version line.

Everything comes from the installed package (`automation/skeleton/`), so `init` works from a
wheel anywhere, not only from a checkout of this repository.

`python -m automation.scaffold --lock` prints the path of the shipped lock file (the pipeline
installs it).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata, resources
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath
from typing import TextIO
from urllib.parse import quote

from automation.errors import EXIT_INVALID_CONFIG, EXIT_OK, AutomationError

DISTRIBUTION = "program-automation"
DEFAULT_TOOL_PROJECT = "enablement/program-automation"
FOLDERS = ("config", "templates")  # copied whole from the skeleton


class InitRefused(AutomationError):
    """init cannot write the skeleton (a file is in the way); nothing was written."""

    exit_code = EXIT_INVALID_CONFIG


@dataclass(frozen=True)
class NewFile:
    """One file of the skeleton: its path in the new repository and its bytes."""

    path: PurePosixPath
    content: bytes


def skeleton() -> Traversable:
    """The skeleton's sources, as installed with the package."""
    return resources.files("automation") / "skeleton"


def lock_file() -> Traversable:
    """The lock file of this release's runtime dependencies, with hashes."""
    return skeleton() / "requirements.lock"


def version() -> str | None:
    """The installed release of this tool; None when it is run from a checkout that was not
    installed (`python -m automation` with PYTHONPATH)."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return None


def skeleton_files(release: str, tool_project: str = DEFAULT_TOOL_PROJECT) -> list[NewFile]:
    """Every file `init` writes, for this release, installed from tool_project's registry."""
    root = skeleton()
    found = [new for folder in FOLDERS for new in _tree(root / folder, PurePosixPath(folder))]
    pipeline = _text(root / "gitlab-ci.yml").replace(
        "__AUTOMATION_PACKAGES__", _project_id(tool_project)
    )
    readme = _text(root / "README.md").replace("__VERSION__", release)
    return [
        *found,
        NewFile(PurePosixPath(".gitlab-ci.yml"), pipeline.encode()),
        NewFile(PurePosixPath("requirements.txt"), pin(release).encode()),
        NewFile(PurePosixPath("README.md"), readme.encode()),
        NewFile(PurePosixPath(".gitignore"), (root / "gitignore").read_bytes()),
    ]


def pin(release: str) -> str:
    """requirements.txt: the one line that says which release of the tool runs."""
    return (
        "# The automation tool, pinned to one release. Upgrading is changing this version (a\n"
        "# dependency bot can propose it); the release brings its own dependencies, pinned with\n"
        "# hashes (see .gitlab-ci.yml). The release's own file can be pinned too, with its hash\n"
        '# after the version (README.md, "Where the tool comes from").\n'
        f"{DISTRIBUTION}=={release}\n"
    )


def _project_id(project: str) -> str:
    """A project as GitLab's API names it: its numeric id, or its path with "/" as "%2F"."""
    return project if project.isdigit() else quote(project.strip("/"), safe="")


def _text(source: Traversable) -> str:
    return source.read_text(encoding="utf-8")


def _tree(folder: Traversable, at: PurePosixPath) -> Iterator[NewFile]:
    for entry in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if entry.name.startswith(".") or entry.name == "__pycache__":
            continue
        if entry.is_dir():
            yield from _tree(entry, at / entry.name)
        else:
            yield NewFile(at / entry.name, entry.read_bytes())


SHOWN = 5  # files named when init finds some there already; the rest are counted


def write_skeleton(target: Path, files: Sequence[NewFile]) -> list[Path]:
    """Write files under target and return their paths; refuses, before writing anything, when
    any of them (or a folder on its way) already exists as something else; and when a write
    fails part way (a full disk, a folder it may not write), takes back what it wrote (a
    trial: half a skeleton was left, a second init refused because of it)."""
    try:
        _check_free(target, files)
    except OSError as error:  # a name too long for the file system, say
        raise InitRefused(f"cannot write into {target}: {error.strerror}") from error
    made: list[Path] = []  # the folders and files this init made, in order
    path = target
    try:
        for new in files:
            path = target.joinpath(new.path)
            _make_folders(path.parent, made)
            with path.open("xb") as stream:  # never replaces a file, even one made meanwhile
                made.append(path)
                stream.write(new.content)
    except BaseException as error:  # stopped too (Ctrl-C, SIGTERM): as a failed write
        _take_back(made)
        if isinstance(error, OSError):
            raise InitRefused(
                f"cannot write {path}: {error.strerror}; what init had written is taken back"
            ) from error
        raise
    return [path for path in made if path.is_file()]


def _check_free(target: Path, files: Sequence[NewFile]) -> None:
    """Refuse unless every file is new and every folder on its way is a folder or is not there
    (nor a symbolic link to nowhere, where no folder can be made)."""
    there = [p for new in files if (p := target.joinpath(new.path)).exists() or p.is_symlink()]
    if there:  # not only the first: a tester moved them away one attempt at a time
        named = ", ".join(map(str, there[:SHOWN]))  # a few, then a count: a second init into
        more = f" and {len(there) - SHOWN} more" if there[SHOWN:] else ""  # one folder named 56
        were, it = ("already exists", "it") if len(there) == 1 else ("already exist", "them")
        raise InitRefused(
            f"{named}{more} {were}; init writes only new files (move {it} away, or choose "
            "another folder)"
        )
    for folder in dict.fromkeys(target.joinpath(new.path).parent for new in files):
        for parent in (folder, *folder.parents):
            if parent.is_symlink() and not parent.exists():
                raise InitRefused(
                    f"{parent} is a symbolic link to {os.readlink(parent)}, which does not "
                    "exist: make that folder, or choose another one"
                )
            if parent.exists() and not parent.is_dir():
                raise InitRefused(f"{parent} is a file, where init needs a folder")


def _make_folders(folder: Path, made: list[Path]) -> None:
    """Make FOLDER and the folders above it that are not there, adding each to MADE."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for path in reversed(missing):
        path.mkdir(exist_ok=True)
        made.append(path)


def _take_back(made: Sequence[Path]) -> None:
    """Remove what init made, files then their folders (a folder someone wrote into
    meanwhile stays)."""
    for path in reversed(made):
        try:
            path.rmdir() if path.is_dir() else path.unlink()
        except OSError:
            continue


_PROJECT_PATH = re.compile(
    r"^(?:\d+|[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)+)$"
)


def init(target: Path, out: TextIO, tool_project: str = DEFAULT_TOOL_PROJECT) -> int:
    """`automation init DIR`: write the skeleton, say what was written and what comes next."""
    if not _PROJECT_PATH.match(tool_project.strip("/")):
        raise InitRefused(
            f"--tool-project {tool_project!r}: give the GitLab project's path, such as "
            f"{DEFAULT_TOOL_PROJECT}, or its numeric id (not a web address)"
        )
    release = version()
    if release is None:  # a tester: a traceback (PackageNotFoundError), nothing written
        raise InitRefused(
            f"init pins the installed release of {DISTRIBUTION} in requirements.txt, and this "
            "copy of the tool is not installed: install it (pip install program-automation, "
            "or pip install -e . in its checkout) and run init again"
        )
    written = write_skeleton(target, skeleton_files(release, tool_project))
    for path in written:
        print(f"wrote {path}", file=out)
    if _project_id(tool_project).lower() == _project_id(DEFAULT_TOOL_PROJECT).lower():
        check = (  # GitLab finds a path in any case: the pipeline refuses it so (case ... in)
            f"set AUTOMATION_PACKAGES to the numeric id of the project that publishes the tool "
            f"(the pipeline refuses to run with the default, {DEFAULT_TOOL_PROJECT})"
        )
    else:
        check = f"check AUTOMATION_PACKAGES (the project that publishes the tool: {tool_project})"
    print(
        f"Wrote {len(written)} files into {target}/ for {DISTRIBUTION} {release}. Next: in "
        f"{target}/.gitlab-ci.yml {check}, then follow {target}/README.md. Its config/ "
        "holds the sample programs and fictional people: put yours in their place before the "
        "first schedule runs (a schedule would make the samples' issues and assign them)."
        + _unreleased(release),
        file=out,
    )
    return EXIT_OK


def _unreleased(release: str) -> str:
    """What to add when RELEASE is a development build (a newcomer's trial: init from main
    pinned the last release, 0.2.0, which refused the config/ main wrote: every job exit 2)."""
    if ".dev" not in release:
        return ""
    return (
        f" {release} is a development build, not a release: the team's jobs can install it "
        f"only once this build is published as {release} (a tag v{release} on this commit in "
        "the tool's project, README 'Deploy'), and what it wrote may need features no earlier "
        "build has."
    )


def main(argv: Sequence[str]) -> int:
    """`python -m automation.scaffold --lock`: print the shipped lock file's path."""
    if list(argv) != ["--lock"]:
        print("usage: python -m automation.scaffold --lock", file=sys.stderr)
        return EXIT_INVALID_CONFIG
    lock = lock_file()
    if not isinstance(lock, Path):  # pip installs unpacked; a zipped import has no path
        print("automation: the lock file has no path in this installation", file=sys.stderr)
        return EXIT_INVALID_CONFIG
    print(lock.resolve())
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
