"""Whether git would commit the local backend's workspace: its files hold every issue the
tool writes, a confidential program's too, so a workspace of a person's own naming (`--workspace
.year`) inside a repository that does not ignore it would be published by `git add -A` (a
newcomer's trial)."""

from __future__ import annotations

import subprocess
from pathlib import Path

NOT_IGNORED = 1  # `git check-ignore`'s answer for a path no ignore rule matches


def unignored_note(workspace: Path) -> str | None:
    """The note to give when WORKSPACE is in a git repository that does not ignore it; None
    when it is ignored, in no repository, or git cannot tell (not installed, say)."""
    folder = workspace.resolve()
    where = next(p for p in (folder, *folder.parents) if p.is_dir())  # (one made by this run)
    try:
        found = subprocess.run(  # a fixed command; the path an argument
            ["git", "-C", str(where), "check-ignore", "-q", f"{folder}/"],
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if found.returncode != NOT_IGNORED:
        return None
    entry = f"`{workspace.name}/`" if workspace.name else "it"
    return (
        f"{workspace}/ holds the issues this run writes, a confidential program's too, and the "
        f"git repository it is in does not ignore it: add {entry} to .gitignore, or a commit "
        "of everything would publish them"
    )
