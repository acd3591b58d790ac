"""The tracker on a real GitLab, through python-gitlab: list cheaply, write only what changed."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import gitlab
import requests
from gitlab.exceptions import GitlabAuthenticationError, GitlabError

from automation.config.models import GitLabSettings
from automation.errors import ItemError, TrackerUnavailable
from automation.markers import normalise
from automation.progress import LabelSpec
from automation.trackers.base import NewEpic, NewIssue, ObservedEpic, ObservedIssue, Tracker

T = TypeVar("T")
PER_PAGE = 100
CREATE_ATTEMPTS = 3  # a create is retried only after looking its key up again
RETRY_WAIT = 15.0  # seconds before looking for a create that failed or timed out
PLANNER = 15  # GitLab's access level of the Planner role (Reporter is 20)
CONFLICT = 409
FORBIDDEN = 403
NOT_FOUND = 404
ROLE_ADVICE = (
    "the token's user needs at least the Planner (or Reporter) role in the group and project, "
    "and the token needs the `api` scope"
)


class TransientError(ItemError):
    """GitLab failed in a way that may pass (5xx, connection, timeout)."""


@dataclass(frozen=True)
class Connection:
    """Where and how to reach GitLab; the token is never printed."""

    url: str
    token: str = field(repr=False)

    @staticmethod
    def from_env(env: Mapping[str, str]) -> Connection:
        """GITLAB_URL (or CI_SERVER_URL) and GITLAB_TOKEN from the environment."""
        url = env.get("GITLAB_URL") or env.get("CI_SERVER_URL")
        token = env.get("GITLAB_TOKEN", "")
        if not url:
            raise TrackerUnavailable(
                "GITLAB_URL is not set (nor CI_SERVER_URL); set it to your "
                "GitLab address, for example https://gitlab.com"
            )
        if not token:
            raise TrackerUnavailable(
                "GITLAB_TOKEN is not set; create a project or group access "
                "token (see README.md, Deploy) and put it in GITLAB_TOKEN"
            )
        return Connection(url.rstrip("/"), token)

    def client(self) -> gitlab.Gitlab:
        """A python-gitlab client that obeys 429 and retries transient errors, boundedly."""
        return gitlab.Gitlab(
            self.url,
            private_token=self.token,
            retry_transient_errors=True,
            per_page=PER_PAGE,
            timeout=30,
        )


class GitLabTracker(Tracker):
    """Issues in one project, labels (and epics) in one group."""

    name = "gitlab"

    def __init__(
        self,
        connection: Connection,
        settings: GitLabSettings,
        sleep: Callable[[float], None] | None = None,
        monotonic: Callable[[], float] | None = None,
    ) -> None:
        self._token = connection.token
        self._gl = connection.client()
        self.settings = settings
        self._sleep = sleep or time.sleep
        self._monotonic = monotonic or time.monotonic
        self._last_create: dict[str, float] = {}
        self._user_ids: dict[str, int | None] = {}
        self._epics: bool | None = None
        self._keyed: dict[str, ObservedIssue] | None = None
        self._project_id: int | None = None
        self._url = connection.url
        self._project = self._gl.projects.get(settings.project, lazy=True)
        self._group = self._gl.groups.get(settings.group, lazy=True)

    # --- connection -------------------------------------------------------------------------

    def check_access(self) -> None:
        """Fail before any write, saying what is missing, when the token cannot do the work:
        GitLab unreachable, token rejected, `api` scope missing, project or group not found,
        the project outside the group, or a role below Planner."""
        try:
            with self._translated("checking the token"):
                self._gl.auth()
                self._check_scope()
            with self._translated(f"opening project {self.settings.project}", missing="project"):
                project = self._gl.projects.get(self.settings.project).attributes
            with self._translated(f"opening group {self.settings.group}", missing="group"):
                self._gl.groups.get(self.settings.group)
        except TransientError as error:
            raise TrackerUnavailable(f"cannot reach GitLab at {self._url}: {error}") from error
        self._project_id = int(project["id"])
        self._check_namespace(project)
        self._check_role(project)

    def _check_scope(self) -> None:
        try:
            token = self._gl.http_get("/personal_access_tokens/self")
        except GitlabError:
            return  # older GitLab, or a token type that cannot describe itself
        scopes = token.get("scopes", []) if isinstance(token, dict) else []
        if "api" not in scopes:
            raise TrackerUnavailable(
                f"the token has the scopes {', '.join(scopes) or 'none'}, but it needs the `api` "
                "scope to create issues, labels and epics; create a token with `api`"
            )

    def _check_namespace(self, project: Mapping[str, Any]) -> None:
        namespace = str((project.get("namespace") or {}).get("full_path", ""))
        group = self.settings.group
        if namespace and namespace != group and not namespace.startswith(group + "/"):
            raise TrackerUnavailable(
                f"project {self.settings.project} is in {namespace}, not inside group {group}: "
                "its issues could not use the group's labels. Fix config/settings.yml"
            )

    def _check_role(self, project: Mapping[str, Any]) -> None:
        permissions = project.get("permissions") or {}
        levels = [
            int(access["access_level"])
            for access in (permissions.get("project_access"), permissions.get("group_access"))
            if access
        ]
        if levels and max(levels) < PLANNER:
            raise TrackerUnavailable(
                f"the token's user has access level {max(levels)} in {self.settings.project}; "
                f"{ROLE_ADVICE}"
            )

    # --- reads ------------------------------------------------------------------------------

    def label_names(self) -> frozenset[str]:
        """Labels usable in the project: its own and its groups' (one list, all pages)."""
        with self._translated("listing labels"):
            labels = self._project.labels.list(get_all=True, per_page=PER_PAGE)
        return frozenset(str(label.attributes["name"]) for label in labels)

    def program_issues(self, program_label: str) -> tuple[ObservedIssue, ...]:
        """Every issue with the program label, open or closed, in one paginated list."""
        with self._translated(f"listing issues labelled {program_label}"):
            issues = self._project.issues.list(
                labels=[program_label],
                state="all",
                per_page=PER_PAGE,
                get_all=True,
                order_by="created_at",
                sort="asc",
            )
        return tuple(_observed(issue.attributes) for issue in issues)

    def find_issue(self, key: str, program_label: str) -> ObservedIssue | None:
        """The issue with this key, from a fresh list of the program's issues (not a search:
        GitLab's full-text search does not find long keys, and is rate limited)."""
        return next((i for i in self.program_issues(program_label) if i.key == key), None)

    def keyed_issues(self) -> dict[str, ObservedIssue]:
        """Every issue of the project that carries a key, whatever its labels; listed once
        per run and only when something is about to be created."""
        if self._keyed is None:
            with self._translated("listing the project's issues"):
                issues = self._project.issues.list(state="all", per_page=PER_PAGE, get_all=True)
            observed = (_observed(issue.attributes) for issue in issues)
            self._keyed = {issue.key: issue for issue in observed if issue.key}
        return self._keyed

    # --- writes -----------------------------------------------------------------------------

    def create_label(self, spec: LabelSpec) -> None:
        """Create a group label; one that already exists (409) is fine."""
        data = {"name": spec.name, "color": spec.color, "description": spec.description}
        try:
            with self._translated(f"creating label {spec.name}"):
                self._group.labels.create(data)
        except ItemError as error:
            if not _conflict(error):
                raise

    def create_issue(self, issue: NewIssue) -> ObservedIssue:
        """Create an issue, paced; after a failure, look the key up before trying again."""
        data = self._issue_data(issue)

        def create() -> ObservedIssue:
            self._pace("issue", self.settings.issue_creates_per_minute)
            with self._translated(f"creating issue {issue.key}"):
                return _observed(
                    self._project.issues.create(data, retry_transient_errors=False).attributes
                )

        label = next((name for name in issue.labels if name.startswith("program::")), "")
        return self._create_once(create, lambda: self.find_issue(issue.key, label))

    def _create_once(self, create: Callable[[], T], lookup: Callable[[], T | None]) -> T:
        """Create something without ever making it twice: python-gitlab's transient retries are
        off for the POST, and after a failure or time-out we look for it before trying again."""
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                return create()
            except TransientError:
                self._sleep(RETRY_WAIT * attempt)  # let a create GitLab is still doing land
                existing = lookup()
                if existing is not None:
                    return existing  # the create went through before the error reached us
                if attempt == CREATE_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    def update_description(self, iid: int, description: str) -> None:
        """Replace the description (PUT is safe to retry)."""
        with self._translated(f"updating issue #{iid}"):
            self._project.issues.update(iid, {"description": description})

    def update_labels(self, iid: int, add: Sequence[str], remove: Sequence[str]) -> None:
        """add_labels/remove_labels, so labels people set stay; on Free this also clears the
        previous value of a scope, because GitLab does not."""
        data: dict[str, str] = {}
        if add:
            data["add_labels"] = ",".join(add)
        if remove:
            data["remove_labels"] = ",".join(remove)
        if data:
            with self._translated(f"updating labels of issue #{iid}"):
                self._project.issues.update(iid, data)

    def add_note(self, iid: int, body: str) -> None:
        """Post a note, paced under the note rate; never twice, even after a time-out."""
        notes = self._project.issues.get(iid, lazy=True).notes

        def create() -> bool:
            self._pace("note", self.settings.notes_per_minute)
            with self._translated(f"adding a note to #{iid}"):
                notes.create({"body": body}, retry_transient_errors=False)
            return True

        def lookup() -> bool | None:
            with self._translated(f"reading the notes of #{iid}"):
                existing = notes.list(get_all=True, per_page=PER_PAGE, sort="desc")
            return True if any(n.attributes.get("body") == body for n in existing) else None

        self._create_once(create, lookup)

    def close_issue(self, iid: int) -> None:
        """Close an issue (state_event=close)."""
        with self._translated(f"closing issue #{iid}"):
            self._project.issues.update(iid, {"state_event": "close"})

    def upsert_merge_request_note(self, project: str, mr_iid: int, body: str, marker: str) -> str:
        """Keep one note (found by its marker) on a merge request: create it, or edit it in
        place when the text changed. Returns what happened."""
        notes = self._gl.projects.get(project, lazy=True).mergerequests.get(mr_iid, lazy=True).notes
        with self._translated(f"reading the notes of merge request !{mr_iid}"):
            existing = notes.list(get_all=True, per_page=PER_PAGE)
            me = self._gl.user.username if self._gl.user else None
        ours = next(
            (
                n
                for n in existing
                if marker in str(n.attributes.get("body", ""))
                and n.attributes.get("author", {}).get("username") == me
            ),
            None,
        )
        if ours is None:
            with self._translated(f"commenting on merge request !{mr_iid}"):
                notes.create({"body": body})
            return "created"
        if normalise(str(ours.attributes.get("body", ""))) == normalise(body):
            return "unchanged"
        with self._translated(f"updating the note on merge request !{mr_iid}"):
            notes.update(ours.get_id(), {"body": body})
        return "updated"

    # --- epics and links --------------------------------------------------------------------

    def epics_available(self) -> bool:
        """Enabled in settings and answered by the group (Free answers 403)."""
        if self._epics is None:
            self._epics = self.settings.epics and self._epics_answer()
        return self._epics

    def _epics_answer(self) -> bool:
        """Free answers 403, GitLab without epics 404: both mean no epics."""
        try:
            self._group.epics.list(per_page=1, get_all=False)
        except GitlabError as error:
            if error.response_code in (FORBIDDEN, NOT_FOUND):
                return False
            raise TransientError(
                self._scrub(f"GitLab failed while checking for epics: {error}")
            ) from error
        return True

    def program_epics(self, program_label: str) -> tuple[ObservedEpic, ...]:
        """Every group epic with the program label, in one paginated list."""
        with self._translated(f"listing epics labelled {program_label}"):
            epics = self._group.epics.list(
                labels=[program_label], state="all", per_page=PER_PAGE, get_all=True
            )
        return tuple(_observed_epic(epic.attributes) for epic in epics)

    def create_epic(self, epic: NewEpic) -> ObservedEpic:
        """Create an epic; after a failure, look for it before trying again."""
        data = {
            "title": epic.title,
            "description": epic.description,
            "labels": ",".join(epic.labels),
        }

        def create() -> ObservedEpic:
            with self._translated(f"creating epic {epic.key}"):
                created = self._group.epics.create(data, retry_transient_errors=False)
            return _observed_epic(created.attributes)

        def lookup() -> ObservedEpic | None:
            return next((e for e in self.program_epics(epic.labels[0]) if e.key == epic.key), None)

        return self._create_once(create, lookup)

    def add_to_epic(self, epic_iid: int, issue: ObservedIssue) -> None:
        """Put an issue in an epic by its global id; one already there (409) is fine."""
        if issue.id is None:
            raise ItemError(f"issue #{issue.iid} has no global id; run again")
        epic = self._group.epics.get(epic_iid, lazy=True)
        try:
            with self._translated(f"adding #{issue.iid} to epic &{epic_iid}"):
                epic.issues.create({"issue_id": issue.id})
        except ItemError as error:
            if not _conflict(error):
                raise

    def issue_links(self, iid: int) -> frozenset[int]:
        """The iids of the issues related to an issue."""
        with self._translated(f"listing links of #{iid}"):
            links = self._project.issues.get(iid, lazy=True).links.list(get_all=True)
        return frozenset(
            int(link.attributes["iid"])
            for link in links
            if link.attributes.get("project_id") in (None, self._project_id)
        )

    def link_issues(self, iid: int, target_iid: int) -> None:
        """Relate two issues of the project; an existing link (409) is fine."""
        data = {"target_project_id": self.settings.project, "target_issue_iid": target_iid}
        try:
            with self._translated(f"linking #{iid} to #{target_iid}"):
                self._project.issues.get(iid, lazy=True).links.create(data)
        except ItemError as error:
            if not _conflict(error):
                raise

    # --- helpers ----------------------------------------------------------------------------

    def _issue_data(self, issue: NewIssue) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": issue.title,
            "description": issue.description,
            "labels": ",".join(issue.labels),
            "confidential": issue.confidential,
        }
        if issue.assignees:
            data["assignee_ids"] = [self._user_id(name) for name in issue.assignees]
        if issue.due_date:
            data["due_date"] = issue.due_date.isoformat()
        return data

    def _user_id(self, username: str) -> int:
        if username not in self._user_ids:
            with self._translated(f"looking up user {username}"):
                users = self._gl.users.list(username=username, get_all=False)
            self._user_ids[username] = int(users[0].attributes["id"]) if users else None
        user_id = self._user_ids[username]
        if user_id is None:
            raise ItemError(f"'{username}' is not a GitLab user; fix the username in people.yml")
        return user_id

    def _pace(self, kind: str, per_minute: int) -> None:
        """Stay under a creation rate (issues, notes) instead of bouncing off 429s."""
        interval = 60.0 / per_minute
        now = self._monotonic()
        last = self._last_create.get(kind)
        if last is not None and now - last < interval:
            self._sleep(interval - (now - last))
        self._last_create[kind] = self._monotonic()

    @contextmanager
    def _translated(self, what: str, missing: str | None = None) -> Iterator[None]:
        """Turn python-gitlab and network errors into our errors, without the token."""
        try:
            yield
        except GitlabAuthenticationError as error:
            raise TrackerUnavailable(
                self._scrub(
                    f"GitLab rejected the token while {what} (401): check that GITLAB_TOKEN is "
                    "valid, not expired and not revoked"
                )
            ) from error
        except GitlabError as error:  # python-gitlab's per-operation errors carry the HTTP code
            raise self._http_error(what, error, missing) from error
        except requests.RequestException as error:
            raise TransientError(self._scrub(f"GitLab failed while {what}: {error}")) from error

    def _http_error(
        self, what: str, error: GitlabError, missing: str | None
    ) -> TrackerUnavailable | ItemError:
        code = error.response_code
        if code == FORBIDDEN:
            return TrackerUnavailable(
                self._scrub(f"GitLab refused {what} (403 Forbidden): {ROLE_ADVICE}")
            )
        if code == NOT_FOUND and missing is not None:
            return TrackerUnavailable(
                self._scrub(
                    f"GitLab has no {missing} here, or the token cannot see it, while {what} "
                    "(404): check config/settings.yml and that the token's user is a member"
                )
            )
        kind = TransientError if code is None or code >= 500 else ItemError
        return kind(self._scrub(f"GitLab failed while {what}: {code} {error.error_message}"))

    def _scrub(self, message: str) -> str:
        return message.replace(self._token, "[token]") if self._token else message


def _conflict(error: ItemError) -> bool:
    """Whether GitLab answered 409: the thing exists already."""
    cause = error.__cause__
    return isinstance(cause, GitlabError) and cause.response_code == CONFLICT


def _observed_epic(data: Mapping[str, Any]) -> ObservedEpic:
    return ObservedEpic(
        iid=int(data["iid"]),
        id=int(data["id"]),
        title=str(data.get("title") or ""),
        description=str(data.get("description") or ""),
        labels=tuple(str(label) for label in data.get("labels") or ()),
    )


def _observed(data: Mapping[str, Any]) -> ObservedIssue:
    """Plain data from one issue's JSON (python-gitlab objects never leave this module)."""
    due = data.get("due_date")
    epic = data.get("epic") or {}
    return ObservedIssue(
        iid=int(data["iid"]),
        title=str(data.get("title") or ""),
        description=str(data.get("description") or ""),
        labels=tuple(str(label) for label in data.get("labels") or ()),
        state=str(data.get("state") or "opened"),
        assignees=tuple(str(user["username"]) for user in data.get("assignees") or ()),
        due_date=dt.date.fromisoformat(due) if due else None,
        confidential=bool(data.get("confidential")),
        web_url=str(data.get("web_url") or ""),
        id=int(data["id"]) if data.get("id") is not None else None,
        epic=int(epic["iid"]) if epic.get("iid") is not None else None,
    )
