"""The tracker on a real GitLab, through python-gitlab: list cheaply, write only what changed."""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import math
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit, urlunsplit

import gitlab
import requests
from gitlab.exceptions import GitlabAuthenticationError, GitlabError
from gitlab.utils import EncodedId
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from automation.comments import spaced
from automation.config.models import GitLabSettings
from automation.config.source import shorten
from automation.errors import (
    GITLABS_OWN,
    AutomationError,
    CreationRefused,
    ItemError,
    KeptPublic,
    LinksFull,
    TrackerUnavailable,
    TransientError,
    WriteRefused,
)
from automation.items import (
    EpicChange,
    IssueLinks,
    NewEpic,
    NewIssue,
    ObservedEpic,
    ObservedIssue,
    ObservedNote,
)
from automation.markers import same_text
from automation.output.result import plural
from automation.progress import LabelSpec
from automation.reassigned import assignee_changes
from automation.syncrecord import RECORD_COLOR, RECORD_LABEL, REPLICA_LAG, TOUCH_INTERVAL
from automation.trackers.base import OVER_COUNTED, UNREADABLE_LOCK, ChangeLog, Tracker
from automation.trackers.ledger import Ledger, Write, Writes
from automation.trackers.member_pages import MemberPages
from automation.trackers.relist import Listed, Lists, brought_up_to_date
from automation.unseen import Read, SystemNote, Unseen, unseen

T = TypeVar("T")
PER_PAGE = 100
CREATE_ATTEMPTS = 3  # a create is retried only after looking its key up again
RETRY_WAIT = 15.0  # seconds before looking for a create that failed or timed out
PLANNER = 15  # GitLab's access level of the Planner role (Reporter is 20)
CONFLICT = 409
BAD_REQUEST = 400
FORBIDDEN = 403
NOT_FOUND = 404
TOO_MANY = 429
# connections that fail before GitLab ever answered in a run: it stops. python-gitlab waits
# 0.1 s before its second try and doubles each wait, so eight tries take about 13 seconds:
# a wrong address is said soon, and a blip at the start of a run (a load balancer, a runner's
# network not up yet) is ridden out (a review: three tries, a third of a second, were not)
FIRST_TRIES = 8
# urllib3's words for a host name DNS does not know, on Linux, macOS and Windows
_UNKNOWN_HOST = re.compile(
    r"Name or service not known|nodename nor servname|getaddrinfo failed|"
    r"No address associated|Failed to resolve",
    re.I,
)
_NO_RESOLVER = re.compile(r"Temporary failure in name resolution", re.I)  # EAI_AGAIN
MAX_SAID = 300  # characters of GitLab's own message a line shows (an error page can be long)
UNPROCESSABLE = 422
LOCK_LABEL = "automation-run-lock"  # a group label whose existence means a run is going
LOCK_COLOR = "#808080"
# a run's lists are brought up to date from the issues changed since (up to a page of them,
# or as many as the lists hold), else read again
LISTED_AGAIN = PER_PAGE - 1
MIN_TOKEN = 20  # a personal, group or project access token: glpat- and 20 more; older: 20
# lists reused under the run lock are checked REPLICA_LAG back (syncrecord.py): they were read
# before the run wrote anything, so perhaps from a replica a minute behind
WINDOW = 60.0  # seconds: GitLab's write budgets are per minute
LOW_REMAINING = 0.05  # slow down when less than this share of the request budget is left
MAX_RATE_WAIT = 60.0  # never wait longer than this for a rate-limit window to reset
MAX_RETRY_AFTER = 300.0  # nor longer than this when an answer says to (Retry-After)
DEFAULT_PORTS = {"http": 80, "https": 443}  # the only schemes GITLAB_URL may use
LOOPBACK = frozenset({"localhost", "::1"})  # and 127.x.x.x: an http address there stays local
_TOKEN = re.compile(r"[!-~]+")  # printable ASCII, no space: every GitLab token
SPAM_SIGNS = ("spam", "needs_captcha_response", "captcha")
SPAM_ADVICE = (
    " (GitLab's spam check): no more text is written this run. Ask a GitLab administrator to "
    "allow the token's user (for example add it to the spam-check allowlist, or use a group "
    "access token's bot); the next run writes it"
)
ROLE_ADVICE = (
    "the token's user needs at least the Planner (or Reporter) role in group {group} and "
    "project {project} (config/settings.yml), and the token needs the `api` scope (a project "
    "access token is not enough: the labels, epics and the run's lock are the group's; use a "
    "group access token)"
)
EXPIRY_NOTICE = dt.timedelta(days=14)  # a token expiring this soon is noted on every run
ROLES = {5: "Minimal Access", 10: "Guest", 15: "Planner", 20: "Reporter"}  # below Planner+


def _role_name(level: int) -> str:
    """A GitLab access level's role, as its UI names it (' (Guest)'), or ''."""
    return f" ({ROLES[level]})" if level in ROLES else ""


# GitLab's reasons for refusing a valid token's every request (its user blocked, banned or
# deactivated by an administrator; terms of service not accepted): no role would help
# (Gitlab::Auth::UserAccessDeniedReason: blocked, banned, deactivated, pending approval,
# password expired, email not confirmed, internal user, terms not accepted, other)
_READ_ONLY = re.compile(r"write operations on a read-only instance", re.IGNORECASE)
_ACCOUNT_REFUSED = re.compile(
    r"your account|terms of service|password expired|email address is not confirmed|"
    r"internal users|request has been rejected",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Connection:
    """Where and how to reach GitLab; the token is never printed."""

    url: str
    token: str = field(repr=False)

    @staticmethod
    def from_env(env: Mapping[str, str]) -> Connection:
        """GITLAB_URL (or CI_SERVER_URL) and GITLAB_TOKEN from the environment."""
        # a line break read from a file, a space pasted with it, say (a tester's address read
        # unreachable, shown without what was wrong with it)
        ours = (env.get("GITLAB_URL") or "").strip()
        url = ours or (env.get("CI_SERVER_URL") or "").strip()
        token = env.get("GITLAB_TOKEN", "").strip()
        if not url:
            raise TrackerUnavailable(
                "GITLAB_URL is not set (nor CI_SERVER_URL); set it to your "
                "GitLab address, for example https://gitlab.com"
            )
        name = "GITLAB_URL" if ours else "CI_SERVER_URL"
        try:
            _check_address(name, url)
        except TrackerUnavailable as error:  # the token pasted into the address, say
            raise TrackerUnavailable(hide_token(str(error), token)) from None
        if not token:
            raise TrackerUnavailable(
                "GITLAB_TOKEN is not set; create a group access token (see README.md, "
                "Deploy) and put it in GITLAB_TOKEN"
            )
        if not _TOKEN.fullmatch(token):  # it would go into a header: refused there, and shown
            raise TrackerUnavailable(
                "GITLAB_TOKEN holds a space, a line break or a character outside ASCII, which "
                "no GitLab token has; set it again with the token alone"
            )
        if len(token) < MIN_TOKEN:  # a part of one; and hiding it would mangle every message
            raise TrackerUnavailable(
                f"GITLAB_TOKEN is {plural(len(token), 'character')} long, and GitLab's tokens are "
                f"{MIN_TOKEN} or more; set it again with the whole token"
            )
        # `HTTPS://`: python-gitlab tells its own URLs by a lowercase scheme, and built every
        # list's address twice (a tester)
        parts = urlsplit(url)
        url = urlunsplit(parts._replace(scheme=parts.scheme.lower()))
        return Connection(url.rstrip("/"), token)

    def client(self) -> gitlab.Gitlab:
        """A python-gitlab client that obeys 429 and retries transient errors, boundedly, and
        whose session sends nothing (so never the token) to any origin but this GitLab's."""
        return gitlab.Gitlab(
            self.url,
            private_token=self.token,
            retry_transient_errors=True,
            per_page=PER_PAGE,
            timeout=30,
            session=SameOriginSession(self.url),
            # a `next` page link naming another base URL (GitLab's external_url set wrong)
            # is rewritten to ours; any other foreign link is refused by the session
            keep_base_url=True,
        )


def origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port: what decides where a request (and its token) goes."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:  # not a port: matches no origin
        port = -1
    return scheme, (parts.hostname or "").lower(), port


def _shown(url: str) -> str:
    """A URL fit to print: no user, password, query or fragment (any may hold a secret)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "an address that cannot be read"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return urlunsplit((parts.scheme, host + port, parts.path, "", ""))


def connection_hint(error: requests.RequestException) -> str:
    """What to do about a connection that failed for a reason of this machine's: GitLab's
    certificate not trusted (a GitLab with its own certificate authority), or the proxy not
    reached (a tester read urllib3's words alone)."""
    if isinstance(error, requests.exceptions.SSLError):
        return _certificate_hint(str(error).lower())
    if isinstance(error, requests.exceptions.ProxyError):
        return ". The proxy (HTTPS_PROXY) could not be reached: check it, or NO_PROXY"
    return ""


def _certificate_hint(said: str) -> str:
    """What to do about a certificate refused, by what OpenSSL said (a reviewer: a host name
    that does not match, and an expired certificate, were told to add a CA bundle; a port
    speaking plain HTTP is no certificate's fault)."""
    if "certificate verify failed" not in said:
        return ""
    if "hostname mismatch" in said or "not valid for" in said:
        return (
            ". Its certificate is for another host name: set GITLAB_URL to the name the "
            "certificate was made for"
        )
    if "expired" in said:
        return ". Its certificate has expired: it is to be renewed on the GitLab server"
    return (
        ". Its certificate is not trusted here: for a GitLab with its own certificate "
        "authority, set REQUESTS_CA_BUNDLE to that authority's certificate file (on a "
        "runner given it, $CI_SERVER_TLS_CA_FILE)"
    )


def _check_address(name: str, url: str) -> None:
    """Refuse a GitLab address that would put a secret in the URL or send the token somewhere
    odd; the message shows the address without anything that could be a secret."""
    shown = _shown(url)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port is the check
        parse_url(url)  # what requests will make of it
        (parts.hostname or "").encode("idna")  # a host name a connection can be made to
        if "%" in (parts.hostname or "").split("]")[-1]:  # `%2F`: no host name has one
            raise ValueError(parts.hostname)
    except (ValueError, LocationParseError):  # UnicodeError is a ValueError
        raise TrackerUnavailable(
            f"{name} ({shown}) is not a web address that can be reached (its host or port "
            "cannot be read); fix the address, for example https://gitlab.com"
        ) from None
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise TrackerUnavailable(
            f"{name} contains a user name or password; set it to the address without them "
            f"({shown}) and put the token in GITLAB_TOKEN only"
        )
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
        raise TrackerUnavailable(
            f"{name} ({shown}) is not the http(s) address of a host; set it to your GitLab "
            "address, for example https://gitlab.com"
        )
    if "?" in url or "#" in url:
        raise TrackerUnavailable(
            f"{name} ({shown}) has a query or fragment (?… or #…); set it to the GitLab "
            "address alone, for example https://gitlab.com"
        )
    if parts.path.rstrip("/").lower().endswith("/api/v4"):  # CI_API_V4_URL, copied
        raise TrackerUnavailable(
            f"{name} ({shown}) is the address of GitLab's API; set it to the GitLab address "
            "without /api/v4 (for example https://gitlab.com): the tool adds it"
        )


def _retry_after_in_seconds(response: requests.Response, *_: Any, **__: Any) -> None:
    """Retry-After as python-gitlab reads it, whole seconds: GitLab sends those, but RFC 9110
    also allows an HTTP date, which a proxy or CDN in front of GitLab may send (python-gitlab
    would stop the run with a ValueError). A date becomes the seconds from the answer's own
    Date (or this machine's clock) until it; anything else unreadable is dropped, so
    python-gitlab backs off as when there is none; a wait past MAX_RETRY_AFTER is cut to it."""
    _reset_as_epoch(response)
    value = response.headers.get("Retry-After")
    if value is None:
        return
    try:
        seconds = int(value)  # as python-gitlab reads it
    except ValueError:
        try:
            until = email.utils.parsedate_to_datetime(value)
            now = _answer_date(response) or dt.datetime.now(dt.UTC)
            seconds = math.ceil((until - now).total_seconds())
        except (TypeError, ValueError):
            del response.headers["Retry-After"]
            return
    # never a wait the job would not outlive (a date years ahead): the retry finds out
    response.headers["Retry-After"] = str(min(max(0, seconds), int(MAX_RETRY_AFTER)))


EPOCH_FROM = 1_000_000_000  # a RateLimit-Reset below this is seconds from now, not a time


def _reset_as_epoch(response: requests.Response) -> None:
    """RateLimit-Reset as GitLab sends it, the epoch second the window resets at: python-gitlab
    reads it with int() when there is no Retry-After (an adapter review: a proxy's `30.5`, or
    an HTTP date, stopped the run with a traceback). The IETF draft's seconds from now (`30`)
    become that time; anything else unreadable is dropped (python-gitlab then backs off)."""
    value = response.headers.get("RateLimit-Reset")
    if value is None:
        return
    try:
        reset = math.ceil(float(value))
    except (ValueError, OverflowError):  # `nan` and `inf` too
        del response.headers["RateLimit-Reset"]
        return
    now = math.floor(time.time())  # this machine's clock, which python-gitlab reads it against
    if reset < EPOCH_FROM:
        reset += now
    # never a wait the job would not outlive (milliseconds sent for seconds: a review saw
    # python-gitlab's sleep fail with an OverflowError), as Retry-After
    response.headers["RateLimit-Reset"] = str(min(reset, now + int(MAX_RETRY_AFTER)))


def _answer_date(response: requests.Response) -> dt.datetime | None:
    """GitLab's clock when it answered: the answer's Date header (None: none, or unreadable)."""
    try:
        return email.utils.parsedate_to_datetime(response.headers["Date"])
    except (KeyError, TypeError, ValueError):
        return None


class SameOriginSession(requests.Session):
    """A requests session bound to one GitLab: a request to any other origin (scheme, host,
    port), whether a redirect or a pagination link, is refused before it is sent. python-gitlab
    sends the token in a PRIVATE-TOKEN header, which requests (unlike Authorization) would
    carry along on a redirect to another host."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.origin = origin(url)
        self.sending: list[Callable[[requests.PreparedRequest], None]] = []  # told first
        self.answered = False  # GitLab answered a request of this session
        self.tries = 0  # connections that failed before it did
        self.refused = 0  # ... counted against FIRST_TRIES

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        target = str(request.url or "")
        if origin(target) != self.origin:
            raise TrackerUnavailable(
                f"GitLab at {_shown(self.url)} pointed a request at {_shown(target)} (a "
                "redirect or a page link to another address); refused, so that the token is "
                "not sent there. If that is your GitLab's real address, set GITLAB_URL to it"
            )
        for told in self.sending:
            told(request)
        try:
            response = super().send(request, **kwargs)
        except requests.ConnectionError as error:
            if self.answered:
                raise  # GitLab went away: python-gitlab's retries, as long as they last
            self.tries += 1
            # a try that waited out the connect timeout (30 s: a firewall dropping packets)
            # spends half the budget: two of them, a minute, not four (a review)
            self.refused += (
                FIRST_TRIES // 2 if isinstance(error, requests.exceptions.ConnectTimeout) else 1
            )
            if self.refused >= FIRST_TRIES:
                raise NeverAnswered(error, self.tries) from error
            raise
        self.answered = True
        return response


class NeverAnswered(requests.RequestException):
    """GitLab has not answered once in this run, and FIRST_TRIES connections failed: a wrong
    GITLAB_URL, or a network that does not reach it. Not a ConnectionError, which
    python-gitlab would try again for a hundred seconds (a newcomer waited that long, told
    nothing)."""

    def __init__(self, error: requests.ConnectionError, tries: int) -> None:
        super().__init__(str(error))
        self.error, self.tries = error, tries


def never_answered(error: NeverAnswered, what: str) -> str:
    """What a run that never reached GitLab says: why, as far as the connection tells, and what
    to check."""
    hint = connection_hint(error.error) or (
        ": check GITLAB_URL, and that this machine can reach it (a proxy, a firewall); the "
        "next run tries again"
    )
    return f"nothing answered while {what} ({_why(error.error)}, {error.tries} tries){hint}"


def _why(error: requests.ConnectionError) -> str:
    """Why a connection failed, in words (urllib3's are a repr of its internals)."""
    said = str(error)
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return "no answer within 30 seconds"
    if _NO_RESOLVER.search(said):
        return "the name server did not answer"
    if _UNKNOWN_HOST.search(said):
        return "its host name is not known here"
    return "the connection was refused" if "refused" in said.lower() else "the connection failed"


class GitLabTracker(Tracker, ChangeLog):
    """Issues in one project, labels (and epics) in one group."""

    name = "gitlab"

    def __init__(
        self,
        connection: Connection,
        settings: GitLabSettings,
        sleep: Callable[[float], None] | None = None,
        monotonic: Callable[[], float] | None = None,
        wall: Callable[[], float] | None = None,
    ) -> None:
        self._token = connection.token
        self._gl = connection.client()
        self.settings = settings
        self._sleep = sleep or time.sleep
        self._monotonic = monotonic or time.monotonic
        self._wall = wall or time.time  # epoch seconds, to read RateLimit-Reset against
        self._writes: dict[str, list[float]] = {}  # recent write times by kind
        self._me: str | None = None
        self._user_ids: dict[str, int | None] = {}
        self._member_pages = MemberPages(PER_PAGE)  # the group's member list: pages read
        self._members_refused = False  # the list cannot be read: names are looked up one by one
        self._misses = 0  # usernames asked for that were not known yet
        self._epics: bool | None = None
        self._free: bool | None = None  # one assignee per issue (see one_assignee)
        self._keyed: dict[str, ObservedIssue] | None = None
        self._open: dict[str, int] = {}  # open issues by label, as first counted (any_open)
        self._first_open: dict[str, ObservedIssue | None] = {}  # the one any_open read
        self._label_texts: dict[str, str] = {}  # label descriptions, as last listed
        self._project_id: int | None = None
        self._group_id: int | None = None  # the group's id, once checked: its epics are ours
        self._project_path = ""
        self._lock_id: int | None = None  # the run lock label last read
        self._lock_gone = False  # ... or that it was gone
        self._url = connection.url
        self._at = self._scrub(connection.url)  # the address as messages show it
        self._project = self._gl.projects.get(settings.project, lazy=True)
        self._group = self._gl.groups.get(settings.group, lazy=True)
        # (in this order: _obey_rate_headers reads a Retry-After made seconds by the first)
        self._gl.session.hooks["response"].append(_retry_after_in_seconds)
        self._gl.session.hooks["response"].append(self._obey_rate_headers)
        self._gl.session.hooks["response"].append(self._note_answer)
        if isinstance(self._gl.session, SameOriginSession):
            self._gl.session.sending.append(self._note_sent)
        self._first_answer: dt.datetime | None = None
        self._last_answer: dt.datetime | None = None
        self._last_write: dt.datetime | None = None  # the last write GitLab answered as done
        self._held: float | None = None  # no request before this (monotonic): rate limit
        self._retry_after = 0.0  # the last 429's Retry-After, in seconds
        self._adjacent = False  # within a read and the write made on it
        self._ledger = Ledger()  # whose the run's writes are (ledger.py)
        self._written: dict[int, dt.datetime] = {}  # GitLab's time of the last description write
        self._first_record: tuple[str | None] | None = None  # the record as first read
        self._record_absent = False  # the last read of the record label answered 404
        self._record_name: str | None = None  # the record's label, as last read or written
        self._nested = False  # the group is a subgroup (after `check_access`)

    # --- connection -------------------------------------------------------------------------

    def check_access(self, writes: bool = True) -> tuple[str, ...]:
        """Fail before any write, saying what is missing, when the token cannot do the work:
        GitLab unreachable, token rejected, `api` scope missing (`read_api` will do for a run
        that WRITES nothing), project or group not found, the project outside the group, or a
        role below Planner. Returns what to note of the access (see _project_only)."""
        try:
            with self._translated("checking the token"):
                self._gl.auth()
                token = self._check_scope(writes)
            with self._translated(f"opening project {self.settings.project}", missing="project"):
                project = self._gl.projects.get(self.settings.project).attributes
            with self._translated(f"opening group {self.settings.group}", missing="group"):
                group = self._gl.groups.get(self.settings.group)
        except TransientError as error:
            raise self._unreachable(error) from error
        except ItemError as error:
            raise TrackerUnavailable(f"cannot use GitLab at {self._at}: {error}") from error
        self._me = self._gl.user.username if self._gl.user else None
        self._project_id = int(project["id"])
        self._group_id = int(group.get_id() or 0) or None
        self._nested = "/" in str(group.attributes.get("full_path") or "")
        self._project_path = str(project.get("path_with_namespace") or "")
        self._check_namespace(project, str(group.attributes.get("full_path") or ""))
        self._check_role(project)
        return (*self._in_clear(), *self._project_only(project), *self._expiring(token))

    def _in_clear(self) -> tuple[str, ...]:
        """A plain-http address of a host other than this machine: said on every run (a trial:
        the token went unencrypted with no word; an instance may have no https at all)."""
        parts = urlsplit(self._url)
        host = (parts.hostname or "").lower()
        if parts.scheme.lower() != "http" or host in LOOPBACK or host.startswith("127."):
            return ()
        return (
            f"the GitLab address ({self._at}, from GITLAB_URL or CI_SERVER_URL) is plain http: "
            "the token and every issue's text travel unencrypted; use its https address if "
            "the instance has one",
        )

    def _expiring(self, token: Mapping[str, Any]) -> tuple[str, ...]:
        """A token that expires within EXPIRY_NOTICE: said on every run until it is replaced
        (a token that expired during a long run left its lock for an hour)."""
        try:
            expires = dt.date.fromisoformat(str(token.get("expires_at")))
        except ValueError:
            return ()  # none, or unreadable
        today = dt.datetime.fromtimestamp(self._wall(), dt.UTC).date()
        if expires - today > EXPIRY_NOTICE:
            return ()
        last = expires - dt.timedelta(days=1)
        return (  # GitLab ends a token at 00:00 UTC of its expiry date
            f"the token (GITLAB_TOKEN) expires on {expires.isoformat()} at 00:00 UTC (its last "
            f"day is {last.isoformat()}); from then every run stops at its first request: make "
            "a new token and put it in the CI/CD variable before then",
        )

    def _project_only(self, project: Mapping[str, Any]) -> tuple[str, ...]:
        """A user GitLab gives a role in the project and none in its group (a project access
        token's bot): `plan` would go well and `apply` be refused at the run lock, the labels,
        epics and lock being the group's (a tester's dry run gave a clean plan)."""
        permissions = project.get("permissions") or {}
        if not permissions.get("project_access") or permissions.get("group_access"):
            return ()
        return (
            f"the token's user is a member of project {self.settings.project} but, as GitLab "
            f"reports it, of no group above it: apply needs a role in group "
            f"{self.settings.group} (its labels, epics and the run lock are the group's), so "
            "use a group access token or make the user a member of the group (if the user's "
            "role comes from a group that group is shared with, ignore this)",
        )

    def _check_scope(self, writes: bool) -> Mapping[str, Any]:
        """The token's description (GitLab's `personal_access_tokens/self`; {} where there is
        none), when its scopes will do."""
        try:
            token = self._gl.http_get("/personal_access_tokens/self")
        except GitlabError:
            return {}  # older GitLab, or a token type that cannot describe itself
        token = token if isinstance(token, dict) else {}
        scopes = token.get("scopes", [])
        if not writes and "read_api" in scopes:
            return token  # plan and dashboard only read
        if "api" not in scopes:
            raise TrackerUnavailable(
                f"the token has the scopes {', '.join(scopes) or 'none'}, but it needs the `api` "
                "scope to create issues, labels and epics; create a token with `api`"
            )
        return token

    def _check_namespace(self, project: Mapping[str, Any], group_path: str) -> None:
        """The project must be in the group or below it: compared by the group's own path,
        so that a group given by its id is found as well as one given by its path."""
        namespace = str((project.get("namespace") or {}).get("full_path", ""))
        group = group_path or self.settings.group
        folded, within = namespace.lower(), group.lower()  # GitLab finds paths in any case
        if namespace and folded != within and not folded.startswith(within + "/"):
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
                f"the token's user has access level {max(levels)}{_role_name(max(levels))} in "
                f"{self.settings.project}; "
                f"{self._role_advice()}"
            )

    # --- reads ------------------------------------------------------------------------------

    def label_names(self) -> frozenset[str]:
        """Labels usable in the project: its own and its groups' (one list, all pages), less
        the run's own bookkeeping (its lock and record, which no plan uses: a run that takes
        the lock then observes the same labels as before)."""
        with self._reading("listing labels", "project"):
            labels = self._project.labels.list(get_all=True, per_page=PER_PAGE)
        # a project label and a group label of one name are both listed, in no set order (a
        # fidelity review, from LabelsFinder): the group's, which the tool makes, is read
        ordered = sorted(labels, key=lambda label: not label.attributes.get("is_project_label"))
        self._label_texts = {
            str(label.attributes["name"]): str(label.attributes.get("description") or "")
            for label in ordered
        }
        return frozenset(self._label_texts) - {LOCK_LABEL, *self._record_names()}

    def label_description(self, name: str) -> str | None:
        """As the last label list gave it (no request)."""
        return self._label_texts.get(name) or None

    def program_issues(self, program_label: str) -> tuple[ObservedIssue, ...]:
        """Every issue with the program label, open or closed, in one paginated list."""
        with self._reading(f"listing issues labelled {program_label}", "project"):
            issues = self._every_issue(
                labels=program_label, state="all", order_by="created_at", sort="asc"
            )
            found = tuple(self._observed(issue) for issue in issues)
        for issue in found:
            self._ledger.saw(issue)  # what the run plans from
        return found

    def _issue_list(self, **query: str | list[str]) -> gitlab.GitlabList:
        """The project's issues as plain data, a page of PER_PAGE per request as they are
        read (python-gitlab pages and retries; no objects are built, as `list()` would, to be
        copied whole by `.attributes`); the first page is read now."""
        pages = self._gl.http_list(
            self._project.issues.path, query_data={"per_page": PER_PAGE, **query}, iterator=True
        )
        return cast(gitlab.GitlabList, pages)  # what iterator=True answers

    def _every_issue(self, **query: str) -> Iterator[dict[str, Any]]:
        """Every page of an issue list: those python-gitlab follows by their `Link` header,
        then any an answer without that header still names in `X-Next-Page` (GitLab sends
        both; a list cut short would look like issues gone). An issue listed twice is given
        once, and a page with nothing new ends the list (a server that names a next page
        for ever)."""
        pages = self._issue_list(**query)
        seen: set[object] = set()
        page = 1
        while True:
            new = read = 0
            for issue in pages:  # read page by page, as python-gitlab fetches them
                read += 1
                if issue.get("iid") not in seen:
                    seen.add(issue.get("iid"))
                    new += 1
                    yield issue
            following = pages.next_page or _unnamed_next(pages, page, len(seen), read)
            if following is None or not new:  # a page with nothing new: the end
                return
            page = int(following)
            pages = self._issue_list(**query, page=str(page))

    def get_issue(self, iid: int) -> ObservedIssue | None:
        """One issue read afresh; None when it was deleted (404)."""
        try:
            with self._reading(f"reading issue #{iid}"):
                issue = self._observed(self._project.issues.get(iid).attributes)
        except ItemError as error:
            if _status(error) == NOT_FOUND:
                return None
            raise
        self._ledger.reread(issue)
        return issue

    def has_note(self, iid: int, marker: str) -> bool:
        """Whether the tool's user posted a note carrying the marker (newest notes first)."""
        notes = self._project.issues.get(iid, lazy=True).notes
        return self._noted(notes, marker, self._reading(f"reading the notes of #{iid}"))

    def _noted(self, notes: Any, marker: str, reading: AbstractContextManager[None]) -> bool:
        """Whether NOTES hold one of the tool's user's whose first line is the marker, read
        under READING (which says what a failure means). A marker further down is not that
        note: a reminder quotes a person's task, which may hold any marker."""
        with reading:
            found = notes.list(iterator=True, per_page=PER_PAGE, sort="desc", **COMMENTS)
            return any(
                _first_line(n.attributes) == marker and _by(n.attributes, self.ours) for n in found
            )

    def find_note(self, iid: int, marker: str) -> ObservedNote | None:
        """The tool's user's note whose first line is the marker, newest notes first (system
        notes and people's notes never count); `own` says whether the token's user wrote it:
        a replaced token's user's (`former_users`) GitLab lets only its author or a Maintainer
        edit (a reviewer: editing the week's digest stopped every run that week)."""
        found = [d for d in self._notes_by(iid, self.ours, "desc") if _first_line(d) == marker]
        mine = [data for data in found if _by(data, self._mine)]
        theirs = [data for data in found if not _by(data, self._mine)]
        if not found:
            return None
        # the token's user's newest, the one it edits, even beside a replaced token's user's
        # newer one (a reviewer: a token put back posted a third digest, listing again what
        # its first listed); a replaced user's count as listing; the token's own older ones
        # do not (a reviewer: a second digest of a week, from runs that overlapped, emptied
        # the newer one into "all done")
        newest = (mine or theirs)[0]
        earlier = tuple(str(data.get("body") or "") for data in theirs if data is not newest)
        body = str(newest.get("body") or "")
        return ObservedNote(int(newest["id"]), body, bool(mine), earlier)

    def notes_marked(self, iid: int, prefix: str) -> tuple[ObservedNote, ...]:
        """The token's user's notes whose first line starts with PREFIX, in one listing: not
        a replaced token's user's (`former_users`), which GitLab lets only their author or a
        Maintainer edit (a tester: editing them stopped every run after an upgrade)."""
        return tuple(
            ObservedNote(int(data["id"]), str(data.get("body") or ""))
            for data in self._notes_by(iid, self._mine, "asc")
            if _first_line(data).startswith(prefix)
        )

    def _notes_by(self, iid: int, users: frozenset[str], sort: str) -> list[dict[str, Any]]:
        """An issue's notes (not system notes) by USERS, in one listing, in SORT order."""
        notes = self._project.issues.get(iid, lazy=True).notes
        with self._reading(f"reading the notes of #{iid}"):
            return [
                data
                for note in notes.list(iterator=True, per_page=PER_PAGE, sort=sort, **COMMENTS)
                if _by(data := note.attributes, users) and not data.get("system")
            ]

    def find_issue(self, key: str, program_label: str) -> ObservedIssue | None:
        """The issue with this key, from a fresh list of the program's issues (not a search:
        GitLab's full-text search does not find long keys, and is rate limited)."""
        return next((i for i in self.program_issues(program_label) if i.key == key), None)

    def keyed_issues(self) -> dict[str, ObservedIssue]:
        """Every issue of the project that carries a key, whatever its labels; listed once
        per run and only when something is about to be created."""
        if self._keyed is None:
            with self._reading("listing the project's issues", "project"):
                # oldest first: an issue made while the list is read adds to its end, and
                # pushes nothing already read onto the next page (newest first, a page of
                # repeats would end the list early)
                listed = self._every_issue(state="all", order_by="created_at", sort="asc")
                observed = [self._observed(issue) for issue in listed]
            self._keyed = {issue.key: issue for issue in observed if issue.key}
        return self._keyed

    # --- writes -----------------------------------------------------------------------------

    def create_label(self, spec: LabelSpec) -> None:
        """Create a group label; one that already exists is fine (`_label_taken`)."""
        data = {"name": spec.name, "color": spec.color, "description": spec.description}
        try:
            with self._translated(f"creating label {spec.name}"):
                self._group.labels.create(data)
        except ItemError as error:
            if not _label_taken(error):
                raise

    def create_issue(self, issue: NewIssue, epic: ObservedEpic | None = None) -> ObservedIssue:
        """Create an issue, paced, inside its epic in the same request (`epic_id`, Premium);
        after a failure, look the key up before trying again."""
        data = self._issue_data(issue)
        if epic is not None:
            data["epic_id"] = epic.id

        def create() -> ObservedIssue:
            self._pace("issue", self.settings.issue_creates_per_minute)
            try:
                with self._translated(f"creating issue {issue.key}"):
                    created = self._project.issues.create(data, retry_transient_errors=False)
            except ItemError as error:
                refused = _refused_as_spam(error)
                if refused is not None:
                    raise refused from error
                raise
            return self._observed(created.attributes)

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

    def update_description(
        self, iid: int, description: str, add: Sequence[str] = (), remove: Sequence[str] = ()
    ) -> None:
        """Replace the description, with any label changes in the same PUT (safe to retry).
        The run's own write alone when the issue was read just before, as listed."""
        data = {"description": description, **_label_changes(add, remove)}
        before = self._ledger.may_own(iid)
        if before is None:
            self._written_at(self._update(iid, data, f"updating issue #{iid}"))
            return
        sent = self._ledger.sent
        with self._ledger.accounted():
            stored = self._written_at(self._update(iid, data, f"updating issue #{iid}"))
        write = Write(description, tuple(add), tuple(remove))
        self._ledger.owned(before, self._observed(stored), write, self._ledger.sent - sent)

    def _written_at(self, stored: dict[str, Any]) -> dict[str, Any]:
        """STORED, GitLab's answer to a description write, whose time is kept for
        `unseen_changes`."""
        moment = _moment(stored.get("updated_at"))
        if moment is not None:
            self._written[int(stored["iid"])] = moment
        return stored

    def unseen_changes(self, iid: int, read: ObservedIssue) -> Unseen:
        """GitLab's notes of people's changes to the issue that READ did not show, made before
        the tool's write of it (unseen.py): a read answered by a lagging replica. Read after
        the write, they are caught up with it, and so with every change made before it. A
        change found means the run's writes were not its own alone (its plan did not count
        it); so does a read of the notes that fails (said, and the run goes on: the write
        landed)."""
        written = self._written.pop(iid, None)
        if written is None or read.updated_at is None:
            return Unseen()
        try:
            found = self._notes_since(iid, read.updated_at)
        except (ItemError, TrackerUnavailable):
            self._ledger.others += 1
            return Unseen(checked=False)
        changes = unseen(found, Read(read.description, read.updated_at), written)
        if changes:
            self._ledger.others += 1
        return changes

    def assignee_changes_since(
        self, iid: int, moment: dt.datetime
    ) -> list[tuple[str, bool]] | None:
        try:
            found = self._notes_since(iid, moment)
        except (ItemError, TrackerUnavailable):
            return None
        return [change for note in reversed(found) for change in assignee_changes(note.body)]

    def _notes_since(self, iid: int, moment: dt.datetime) -> list[SystemNote]:
        """People's system notes on the issue newer than MOMENT (newest first: a page)."""
        notes = self._project.issues.get(iid, lazy=True).notes
        found = []
        with self._reading(f"reading the notes of #{iid}"):
            listed = notes.list(iterator=True, per_page=PER_PAGE, sort="desc", **ACTIVITY)
            for note in listed:
                data = note.attributes
                created = _moment(data.get("created_at"))
                if created is None or created <= moment:
                    break  # the rest is older still
                if not _by(data, self.ours):
                    found.append(SystemNote(int(data["id"]), str(data.get("body") or ""), created))
        return found

    def update_labels(self, iid: int, add: Sequence[str], remove: Sequence[str]) -> None:
        """add_labels/remove_labels, so labels people set stay; on Free this also clears the
        previous value of a scope, because GitLab does not."""
        data = _label_changes(add, remove)
        if data:
            self._update(iid, data, f"updating labels of issue #{iid}")

    def set_assignees(self, iid: int, usernames: Sequence[str]) -> tuple[str, ...]:
        """PUT assignee_ids (users looked up once per run, or known from the issue read just
        before); an empty list unassigns everyone. Returns the assignees GitLab kept: Free
        keeps the first id only, and a user who cannot see the issue is left out."""
        ids = [self._user_id(name) for name in usernames]
        self._paced_update()
        with self._translated(f"updating the assignees of issue #{iid}"):
            stored = self._project.issues.update(iid, {"assignee_ids": ids}, **self._once())
        return tuple(str(user["username"]) for user in _assigned(stored))

    def set_due_date(self, iid: int, due: dt.date | None) -> None:
        """PUT due_date (an empty value removes it), paced like every update."""
        self._paced_update()
        with self._translated(f"updating the due date of issue #{iid}"):
            due_date = {"due_date": due.isoformat() if due else ""}
            self._project.issues.update(iid, due_date, **self._once())

    def add_note(self, iid: int, body: str) -> None:
        """Post a note, paced under the note rate; never twice, even after a time-out (the
        body's first line is its marker, looked for before trying again)."""
        notes = self._project.issues.get(iid, lazy=True).notes
        posted = functools.partial(self.has_note, iid)
        self._post_once(notes, body, f"#{iid}", posted, self._translated)

    def _post_once(
        self,
        notes: Any,
        body: str,
        where: str,
        posted: Callable[[str], bool],
        translated: Callable[[str], AbstractContextManager[None]],
    ) -> None:
        """Post a note, paced; after a failure, look for its marker (its first line) before
        trying again. TRANSLATED turns GitLab's refusals into the tool's errors."""
        marker = body.split("\n", 1)[0]

        def create() -> bool:
            self._pace("note", self.settings.notes_per_minute)
            with translated(f"adding a note to {where}"):
                notes.create({"body": body}, retry_transient_errors=False)
            return True

        self._create_once(create, lambda: posted(marker) or None)

    def update_note(self, iid: int, note_id: int, body: str) -> None:
        """Edit one of the tool's notes (PUT, safe to retry), paced with the notes."""
        notes = self._project.issues.get(iid, lazy=True).notes
        self._pace("note", self.settings.notes_per_minute)
        with self._translated(f"editing note {note_id} of #{iid}"):
            notes.update(note_id, {"body": body})

    def has_note_in(self, project: str, iid: int, marker: str) -> bool:
        """Whether the tool's user posted a note with the marker on another project's issue."""
        notes = self._notes_in(project, iid)
        where = f"reading the notes of {project}/-/issues/{iid}"
        return self._noted(notes, marker, self._elsewhere(where))  # its failure: that item's

    def add_note_in(self, project: str, iid: int, body: str) -> None:
        """Post a note on another project's issue, paced and never twice (see add_note)."""
        notes = self._notes_in(project, iid)
        where = f"{project}/-/issues/{iid}"
        posted = functools.partial(self.has_note_in, project, iid)
        self._post_once(notes, body, where, posted, self._elsewhere)

    def _notes_in(self, project: str, iid: int) -> Any:
        """The notes of an issue of another project on this GitLab (never another origin:
        the token goes only to GITLAB_URL's)."""
        if origin(project) != origin(self._url):
            raise ItemError(
                f"{project} is not on the GitLab at {self._at}; the tool writes only there"
            )
        base = urlsplit(self._url).path.rstrip("/")
        path = urlsplit(project).path.removeprefix(base).strip("/")
        return self._gl.projects.get(path, lazy=True).issues.get(iid, lazy=True).notes

    def close_issue(self, iid: int) -> None:
        """Close an issue (state_event=close)."""
        self._update(iid, {"state_event": "close"}, f"closing issue #{iid}")

    def reopen_issue(self, iid: int) -> None:
        """Reopen an issue (state_event=reopen)."""
        self._update(iid, {"state_event": "reopen"}, f"reopening issue #{iid}")

    def _update(self, iid: int, data: dict[str, str], what: str) -> dict[str, Any]:
        """One issue update, paced under GitLab's per-minute budget for updates (before its
        read, when adjacent to one); the issue as GitLab answered."""
        self._paced_update()
        with self._translated(what):
            return dict(self._project.issues.update(iid, data, **self._once()))

    def _once(self) -> dict[str, bool]:
        """A write made on the read just before it is sent once: python-gitlab's retry of a
        5xx or a 429 would send the same text again after its wait, over a tick a person made
        in it (the applier waits, reads again and redoes the edit instead)."""
        once = {"retry_transient_errors": False, "obey_rate_limit": False}
        return once if self._adjacent else {}

    def upsert_merge_request_note(self, project: str, mr_iid: int, body: str, marker: str) -> str:
        """Keep one note (found by its marker) on a merge request: create it, or edit it in
        place when the text changed; a second one (two pipelines that both found none) is
        deleted. Returns what happened."""
        notes = self._gl.projects.get(project, lazy=True).mergerequests.get(mr_iid, lazy=True).notes
        with self._translated(f"reading the notes of merge request !{mr_iid}"):
            existing = notes.list(get_all=True, per_page=PER_PAGE)
            me = self._gl.user.username if self._gl.user else None
        found = [
            n
            for n in existing
            if _first_line(n.attributes) == marker and _author(n.attributes) == me
        ]
        ours = found[0] if found else None
        for extra in found[1:]:
            try:
                with self._translated(f"deleting a second note on merge request !{mr_iid}"):
                    notes.delete(extra.get_id())
            except ItemError as error:
                if _status(error) != NOT_FOUND:  # gone: another pipeline deleted it first
                    raise
        if ours is None:
            with self._translated(f"commenting on merge request !{mr_iid}"):
                notes.create({"body": body})
            return "created"
        if same_text(str(ours.attributes.get("body", "")), body):
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

    def one_assignee(self) -> bool:
        """Free: its group answers no epics, whatever settings say (`epics: false` on
        Premium still has several assignees). Asked once a run, for a warning only: GitLab
        failing to answer leaves the guess from settings, and the run goes on."""
        if self._free is None:
            self._free = not self.epics_available()  # asked already when settings allow
            if self._free and not self.settings.epics:
                with suppress(TrackerUnavailable):  # no answer: the guess from settings
                    self._free = not self._epics_answer()
        return self._free

    def _epics_answer(self) -> bool:
        """Free answers 403, GitLab without epics 404: both mean no epics. GitLab failing or
        out of reach is exit 3, as for any read."""
        try:
            with self._reading("checking for epics"):
                try:
                    self._group.epics.list(per_page=1, get_all=False)
                except GitlabError as error:
                    if error.response_code in (FORBIDDEN, NOT_FOUND):
                        return False
                    raise
        except ItemError as error:
            raise TrackerUnavailable(f"cannot use GitLab at {self._at}: {error}") from error
        return True

    def program_epics(self, program_label: str) -> tuple[ObservedEpic, ...]:
        """Every epic of the group itself with the program label, in one paginated list (a
        subgroup's epics, which GitLab lists too unless told not to, are not the tool's)."""
        with self._reading(f"listing epics labelled {program_label}", "group"):
            epics = self._group.epics.list(
                labels=[program_label],
                state="all",
                include_descendant_groups="false",
                per_page=PER_PAGE,
                get_all=True,
            )
        return tuple(self._observed_epic(epic.attributes) for epic in epics)

    def create_epic(self, epic: NewEpic) -> ObservedEpic:
        """Create an epic; after a failure, look for it before trying again."""
        data = {
            "title": epic.title,
            "description": epic.description,
            "labels": ",".join(epic.labels),
            **({"confidential": "true"} if epic.confidential else {}),
        }

        def create() -> ObservedEpic:
            with self._translated(f"creating epic {epic.key}"):
                created = self._group.epics.create(data, retry_transient_errors=False)
            return self._observed_epic(created.attributes)

        def lookup() -> ObservedEpic | None:
            return next((e for e in self.program_epics(epic.labels[0]) if e.key == epic.key), None)

        return self._create_once(create, lookup)

    def get_epic(self, iid: int) -> ObservedEpic | None:
        """One epic read afresh (GET /groups/:id/epics/:epic_iid); None when deleted (404)."""
        try:
            with self._reading(f"reading epic &{iid}"):
                return self._observed_epic(self._group.epics.get(iid).attributes)
        except ItemError as error:
            if _status(error) == NOT_FOUND:
                return None
            raise

    def get_epic_in(self, group: int, iid: int) -> ObservedEpic | None:
        """An epic of another group (by the group's id); None when it is gone or the token
        cannot read it."""
        epics, what = (
            self._gl.groups.get(group, lazy=True).epics,
            f"reading epic &{iid} of group {group}",
        )
        try:
            with self._reading(what), self._elsewhere(what):
                return self._observed_epic(epics.get(iid).attributes)
        except TrackerUnavailable:
            raise
        except ItemError:  # 403 or 404 (`_elsewhere`): not readable, or gone
            return None

    def held_elsewhere(self, epic_iid: int) -> str | None:
        """An issue of the tool's with a key that the epic holds in another project than this
        one, as GitLab refers to it (`group/project#12`); None when there is none. Every page
        until one is found: GitLab lists the issue added last first, so the program's own can
        be past the first page of an epic people added their issues to (a tester's finding)."""
        with self._reading(f"listing the issues of epic &{epic_iid}"):
            pages = self._gl.http_list(
                f"{self._group.epics.path}/{epic_iid}/issues",
                query_data={"per_page": PER_PAGE},
                iterator=True,
            )
            for data in cast(Iterable[dict[str, Any]], pages):
                issue = _observed(data, self.ours)
                if issue.key and int(data.get("project_id") or 0) != self._project_id:
                    full = (data.get("references") or {}).get("full")
                    return str(full or data.get("web_url") or f"#{issue.iid}")
        return None

    def update_epic(self, iid: int, change: EpicChange) -> None:
        """PUT /groups/:id/epics/:epic_iid with the description and add_labels/remove_labels,
        paced like issue updates (GitLab counts epic updates with them)."""
        data = _label_changes(change.add, change.remove)
        if change.description is not None:
            data["description"] = change.description
        if data:
            self._paced_update()
            with self._translated(f"updating epic &{iid}"):
                self._group.epics.update(iid, data, **self._once())
        if change.confidential is not None:  # on its own: GitLab may refuse it, and it alone
            self._paced_update()
            secret = str(change.confidential).lower()
            try:
                with self._translated(f"making epic &{iid} confidential"):
                    self._group.epics.update(iid, {"confidential": secret})
            except ItemError as error:
                if _status(error) == BAD_REQUEST:
                    raise KeptPublic(str(error)) from error
                raise

    def add_to_epic(self, epic_iid: int, issue: ObservedIssue) -> bool:
        """Put an issue in an epic by its global id. GitLab answers an issue that is in that
        epic already with 409 "Issue(s) already assigned" and changes nothing: False."""
        if issue.id is None:
            raise ItemError(f"issue #{issue.iid} has no global id; run again")
        epic = self._group.epics.get(epic_iid, lazy=True)
        self._pace("update", self.settings.issue_updates_per_minute)
        try:
            with self._translated(f"adding #{issue.iid} to epic &{epic_iid}"):
                epic.issues.create({"issue_id": issue.id})
        except ItemError as error:
            if not _conflict(error):
                raise
            return False
        return True

    def issue_links(self, iid: int) -> IssueLinks:
        """The issues related to an issue: the project's by iid, and how many of other
        projects' (an iid alone would mistake one for the project's issue of that number)."""
        with self._reading(f"listing links of #{iid}"):
            links = self._project.issues.get(iid, lazy=True).links.list(get_all=True)
        ours = frozenset(
            int(link.attributes["iid"])
            for link in links
            if link.attributes.get("project_id") in (None, self._project_id)
        )
        return IssueLinks(ours, len(links) - len(ours))

    def link_issues(self, iid: int, target_iid: int) -> None:
        """Relate two issues of the project; an existing link (409) is fine."""
        project = self._project_id or self.settings.project  # its id, once check_access ran
        data = {"target_project_id": project, "target_issue_iid": target_iid}
        self._pace("update", self.settings.issue_updates_per_minute)
        try:  # the answer's body is not read: nothing in it is needed
            with self._translated(f"linking #{iid} to #{target_iid}"):
                self._gl.http_post(f"{self._project.issues.path}/{iid}/links", post_data=data)
        except ItemError as error:
            if _links_full(error):
                raise LinksFull(str(error)) from error
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

    def is_user(self, username: str) -> bool:
        """A user by that username exists (a group path is not one); asked once. A lookup
        that fails (GitLab unreachable) fails the write, rather than taking a person for
        nobody."""
        return self._lookup(username) is not None

    def _lookup(self, username: str) -> int | None:
        """The user's id, or None when GitLab has no such user (usernames ignore case). The
        group's members are read once, a page per 100; anyone else is asked for by name."""
        name = username.casefold()
        if name not in self._user_ids:
            self._misses += 1
            while name not in self._user_ids and self._more_members():
                pass
        if name not in self._user_ids:
            with self._translated(f"looking up user {username}"):
                users = self._gl.users.list(username=username, get_all=False)
            self._user_ids[name] = int(users[0].attributes["id"]) if users else None
        return self._user_ids[name]

    def _more_members(self) -> bool:
        """Read another page of the group's members (inherited ones too), if there is one
        and it costs no more requests than the look-ups it may save: never more pages than
        names asked for, so a huge group is not listed for a few people. The first page, then
        the last and back (member_pages.py). False: none read."""
        number = self._member_pages.next()
        if self._members_refused or number is None or len(self._member_pages.read) >= self._misses:
            return False
        try:
            with self._reading("listing the group's members"):
                page = self._gl.http_list(
                    self._group.members_all.path,
                    query_data={"page": number, "per_page": PER_PAGE},
                    iterator=True,
                    get_next=False,  # this page only, whatever its length
                )
                members = list(page)
        except ItemError:  # refused (a 403 stops the run instead): each is asked for by name
            self._members_refused = True
            return False
        for member in members:
            self._user_ids.setdefault(str(member["username"]).casefold(), int(member["id"]))
        self._member_pages.saw(number, len(members), cast(gitlab.GitlabList, page).total_pages)
        return True

    def _user_id(self, username: str) -> int:
        user_id = self._lookup(username)
        if user_id is None:
            raise ItemError(
                f"no active GitLab user has the username '{username}' (GitLab does not list "
                "blocked, banned or deleted accounts); fix it in people.yml, or take the "
                "person out of the program"
            )
        return user_id

    def _paced_update(self) -> None:
        if not self._adjacent:
            self._pace("update", self.settings.issue_updates_per_minute)

    def _pace(self, kind: str, per_minute: int) -> None:
        """Stay under a per-minute write budget (issue creates, notes, updates) instead of
        bouncing off 429s: at most PER_MINUTE writes of a kind in any 60 seconds."""
        recent = self._writes.setdefault(kind, [])
        now = self._monotonic()
        del recent[: sum(1 for moment in recent if now - moment >= WINDOW)]
        if len(recent) >= per_minute:
            self._sleep(WINDOW - (now - recent[0]))
            del recent[0]
        recent.append(self._monotonic())

    def _note_sent(self, request: requests.PreparedRequest) -> None:
        """Every request, before it goes: a rate-limit wait is taken now (except within a
        read and its write); a write counts for the ledger even if its answer is lost."""
        if not self._adjacent:
            self._wait_if_held()
        if request.method != "GET":
            self._ledger.wrote()

    def _note_answer(self, response: requests.Response, *_: Any, **__: Any) -> None:
        """Every answer: GitLab's clock (the Date header) when it first and last answered
        this run."""
        moment = _answer_date(response)
        if moment is None:
            return
        self._first_answer = self._first_answer or moment
        self._last_answer = moment
        if response.request.method != "GET" and response.ok:
            self._last_write = moment

    def _obey_rate_headers(self, response: requests.Response, *_: Any, **__: Any) -> None:
        """Slow down before a 429: when RateLimit-Remaining runs low, wait for the reset. The
        budget is what was used plus what is left: RateLimit-Limit is rescaled to a minute,
        which is not the window Remaining counts down in when a throttle's period is longer
        (self-managed GitLab; Gitlab::RackAttack.throttled_response_headers)."""
        headers = response.headers
        if response.status_code == TOO_MANY:  # what a 429 asks, for a write not retried
            self._retry_after = min(float(headers.get("Retry-After") or 0), MAX_RATE_WAIT)
        try:
            remaining = int(headers["RateLimit-Remaining"])
            reset = float(headers["RateLimit-Reset"])
            used = headers.get("RateLimit-Observed")
            budget = remaining + int(used) if used else int(headers["RateLimit-Limit"])
        except (KeyError, ValueError):
            return  # not every response carries them (projects, groups and users lists)
        if remaining <= max(1, int(budget * LOW_REMAINING)):
            wait = reset - self._wall()
            if wait > 0:  # before the next request (not between a read and its write)
                self._held = self._monotonic() + min(wait, MAX_RATE_WAIT)

    def _wait_if_held(self) -> None:
        """Wait out a rate-limit window the last answers asked for."""
        if self._held is not None:
            wait, self._held = self._held - self._monotonic(), None
            if wait > 0:
                self._sleep(wait)

    @contextmanager
    def adjacent(self) -> Iterator[None]:
        """A read and the write made on it, with no wait between them: the update budget
        and any rate-limit wait are taken before the read, so a person's edit has only the
        time of the two requests to fall between them."""
        self._wait_if_held()
        self._pace("update", self.settings.issue_updates_per_minute)
        self._adjacent = True
        try:
            yield
        finally:
            self._adjacent = False

    # --- what changed since the last run that left nothing to do (syncrecord.py) -----------

    def first_answer_at(self) -> dt.datetime | None:
        return self._first_answer

    def last_answer_at(self) -> dt.datetime | None:
        return self._last_answer

    def last_write_at(self) -> dt.datetime | None:
        return self._last_write

    def own_writes(self) -> Writes | None:
        return self._ledger.writes()

    def up_to_date(self, lists: Lists, moment: dt.datetime) -> Listed | None:
        """No list of changes shows a deleted issue: each label's count, read first, must be
        the patched list's length (an issue made or deleted between the two reads also
        makes them differ: listed again). Past 10,000 issues GitLab does not count them; a
        deletion is then seen by the next run's listing (reading the label's 100 pages
        again each round would cost more than the few writes it could spare). The changes go
        back past a replica's lag and a touch's interval: a label a person removed then may
        carry their previous change's time."""
        counts = {label: self._count(label) for label in lists}
        listed = sum(map(len, lists.values()))
        since = moment - REPLICA_LAG - TOUCH_INTERVAL
        changed = self.changed_since(since, max(LISTED_AGAIN, listed))
        if changed is None:
            return None
        fresh = {issue.iid for issue in changed}
        patched = brought_up_to_date(lists, changed)
        if any(counts[label] not in (None, len(issues)) for label, issues in patched.items()):
            return None
        for issues in patched.values():
            for issue in issues:
                if issue.iid in fresh:
                    self._ledger.saw(issue)  # what the run now plans from
        return patched

    def any_open(self, label: str) -> int:
        """How many open issues carry the label: one request for one issue, GitLab's total
        (past 10,000 it says none: OVER_COUNTED, when that page has one; a tester saw 10,001
        said as "1"); asked once per run (every plan of a run notes the same labels)."""
        if label not in self._open:
            with self._reading(f"counting open issues labelled {label}", "project"):
                pages = self._issue_list(labels=label, state="opened", per_page="1")
                first = next(iter(pages), None)  # the page read already
            counted = int(pages.total) if pages.total is not None else None
            self._open[label] = counted if counted is not None else OVER_COUNTED * bool(first)
            self._first_open[label] = self._observed(first) if first is not None else None
        return self._open[label]

    def first_open(self, label: str) -> ObservedIssue | None:
        """The issue `any_open` read (no request after it)."""
        self.any_open(label)
        return self._first_open[label]

    def _count(self, label: str) -> int | None:
        """How many issues carry the label, open or closed (GitLab's total, in one request
        for one issue; None when it does not say, past 10,000)."""
        with self._reading(f"counting issues labelled {label}", "project"):
            return self._issue_list(labels=label, state="all", per_page="1").total

    def pause(self, seconds: float) -> None:
        self._sleep(seconds)

    def changed_since(self, moment: dt.datetime, limit: int) -> tuple[ObservedIssue, ...] | None:
        """The project's issues updated on or after MOMENT, a page of 100 per request; None
        once there are more than LIMIT (no page past the one that shows it), or when the pages
        do not add up (an issue made, deleted or changed while they were read can shift one
        past a page boundary unseen: GitLab's totals or a repeated issue tell)."""
        since = moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        changed: list[ObservedIssue] = []
        with self._reading("listing the issues changed since the last run", "project"):
            pages = self._issue_list(updated_after=since, state="all")
            first = pages.total
            for issue in pages:
                if len(changed) == limit:
                    return None
                changed.append(self._observed(issue))
        return tuple(changed) if _whole(changed, first, pages.total) else None

    def issues_numbered(self, iids: Sequence[int]) -> dict[int, ObservedIssue] | None:
        if not iids:
            return {}  # (no `iids[]` at all would list every issue)
        if len(iids) > PER_PAGE:
            return None
        with self._reading("reading issues by number", "project"):
            pages = self._issue_list(**{"iids[]": [str(iid) for iid in iids]}, state="all")
            found = [self._observed(data) for data in pages]
        return {issue.iid: issue for issue in found if issue.iid in iids}

    def program_part(self, iids: Sequence[int]) -> dict[int, ObservedIssue]:
        found: dict[int, ObservedIssue] = {}
        ordered = sorted(set(iids))
        for start in range(0, len(ordered), PER_PAGE):
            found |= self.issues_numbered(ordered[start : start + PER_PAGE]) or {}
        for issue in found.values():
            self._ledger.saw(issue)  # what the run plans from
        return found

    def label_count(self, label: str) -> int | None:
        return self._count(label)

    def vouch(self, iid: int, digest: str) -> None:
        self._ledger.vouch(iid, digest)

    def now(self) -> dt.datetime | None:
        with self._reading("reading GitLab's clock"):
            self._gl.projects.get(self.settings.project)
        return self._last_answer

    def read_sync_record(self) -> str | None:
        text = self._read_record()
        if self._first_record is None:
            self._first_record = (text,)
        return text

    def record_at_start(self) -> str | None:
        return (self._first_record or (self.read_sync_record(),))[0]

    def _read_record(self) -> str | None:
        """The record label's description, of a label of the group's own: a subgroup's read
        looks in its ancestors too unless told not to, and a parent group's deployment keeps
        its record under the same name (a GitLab adapter review)."""
        for name in self._record_names():
            try:
                with self._reading("reading the record of the last run"):
                    label = self._group.labels.get(name, include_ancestor_groups="false")
            except ItemError as error:
                if _status(error) == NOT_FOUND:
                    continue
                raise
            self._record_name, self._record_absent = name, False
            return str(label.attributes.get("description") or "")
        self._record_name, self._record_absent = None, True
        return None

    def _record_names(self) -> tuple[str, ...]:
        """Where the record may be: its label, and in a subgroup, whose parent group may
        hold a label of that name (which GitLab then refuses the subgroup), one naming the
        group by its id."""
        if not (self._nested and self._group_id):
            return (RECORD_LABEL,)
        return RECORD_LABEL, f"{RECORD_LABEL}-{self._group_id}"

    def write_sync_record(self, text: str) -> None:
        """The record label's description; the label made first where this run found none
        (a year's trial: a PUT sent where the GET had answered 404, refused in turn), and
        updated where another run made it meanwhile. Where GitLab refuses the group the
        record's name, the next of `_record_names`."""
        names = (self._record_name,) if self._record_name else self._record_names()
        for name in names:
            if self._keep_record(name, text):
                self._record_name, self._record_absent = name, False
                return
        raise TrackerUnavailable(
            f"GitLab made and updated no label {names[-1]} in group {self.settings.group} "
            "(a parent group may have a label of that name)"
        )

    def _keep_record(self, name: str, text: str) -> bool:
        """The group's own label NAME made (where the last read found none) or updated;
        False when neither can be: a parent group has a label of that name."""
        if self._record_absent and self._create_record(name, text):
            return True
        try:
            with self._ledger.accounted(), self._translated("keeping the record of this run"):
                self._update_group_label(name, {"description": text})
        except ItemError as error:
            if _status(error) != NOT_FOUND:
                raise
            return not self._record_absent and self._create_record(name, text)
        return True

    def _create_record(self, name: str, text: str) -> bool:
        """Make the record label NAME; False when its name is taken (another run made it,
        or a parent group has it)."""
        data = {"name": name, "color": RECORD_COLOR, "description": text}
        try:
            with self._ledger.accounted(), self._translated("keeping the record of this run"):
                self._group.labels.create(data)
        except ItemError as error:
            if not _label_taken(error):
                raise
            return False
        return True

    # --- the run lock: a group label whose description says who holds it until when ------

    def lock_description(self) -> str:
        """Where the lock lives."""
        return f"the label {LOCK_LABEL} of group {self.settings.group}"

    def lock_take(self, holder: str, until: dt.datetime) -> bool:
        """Create the lock label; a title taken (`_label_taken`) means another run holds it."""
        data = {"name": LOCK_LABEL, "color": LOCK_COLOR, "description": _lock_text(holder, until)}
        try:
            with self._ledger.accounted(), self._translated("taking the run lock"):
                self._group.labels.create(data)
        except TransientError as error:
            held = self.lock_read()  # the create may have gone through before the error
            if held is not None and held[0] == holder:
                return True
            raise self._unreachable(error) from error
        except ItemError as error:
            if _label_taken(error):
                return False
            raise TrackerUnavailable(str(error)) from error
        return True

    def lock_read(self) -> tuple[str, dt.datetime] | None:
        """The lock label's holder and expiry; None when it is gone or unreadable. The label
        read is the one `lock_drop` deletes."""
        self._lock_id, self._lock_gone = None, False
        try:
            with self._reading("reading the run lock"):
                label = self._group.labels.get(LOCK_LABEL)
        except ItemError as error:
            if _status(error) == NOT_FOUND:
                self._lock_gone = True
                return None
            raise
        found = label.attributes.get("id")
        self._lock_id = found if isinstance(found, int) else None
        return _read_lock(str(label.attributes.get("description") or ""))

    def lock_drop(self) -> None:
        """Delete the lock label last read, by its id (already gone is fine): a run that
        found it expired must not delete the new lock another run made meanwhile, which has
        the same name and another id (GitLab deletes by id or name, unconditionally)."""
        target: int | str = self._lock_id if self._lock_id is not None else LOCK_LABEL
        gone, self._lock_id, self._lock_gone = self._lock_gone, None, False
        if gone:
            return  # gone when last read: a lock there now is another run's
        try:
            with self._ledger.accounted(), self._translated("releasing the run lock"):
                self._group.labels.delete(target)
        except ItemError as error:
            if _status(error) != NOT_FOUND:
                raise TrackerUnavailable(str(error)) from error

    def lock_extend(self, holder: str, until: dt.datetime) -> None:
        """Rewrite the lock label's description with a later expiry: the label last read, by
        its id, so a run whose lock expired and was taken over meanwhile does not write its
        name on the new one (that answers 404: TrackerUnavailable)."""
        target: int | str = self._lock_id if self._lock_id is not None else LOCK_LABEL
        try:
            with self._ledger.accounted(), self._translated("extending the run lock"):
                self._update_group_label(target, {"description": _lock_text(holder, until)})
        except ItemError as error:
            gone = "the run lock is gone: " if _status(error) == NOT_FOUND else ""
            raise TrackerUnavailable(f"{gone}{error}") from error

    def _update_group_label(self, name: str | int, data: dict[str, str]) -> None:
        """`PUT /groups/:id/labels/:label_id`, the label named in the path as GitLab documents
        it (python-gitlab's `update` sends the name in the body, to a form GitLab deprecated
        in 12.4 that an API built from the documentation may not serve)."""
        self._gl.http_put(f"{self._group.labels.path}/{EncodedId(name)}", post_data=data)

    @property
    def project_names(self) -> tuple[str, ...]:
        """How the project may be named: as configured, its id, its full path (after
        `check_access`)."""
        found = (str(self._project_id) if self._project_id else "", self._project_path)
        return tuple(name for name in (self.settings.project, *found) if name)

    @property
    def me(self) -> str | None:
        """The username the token belongs to: only its issues carry keys that count."""
        if self._me is None:
            with self._reading("checking the token"):
                self._gl.auth()
            self._me = self._gl.user.username if self._gl.user else None
        return self._me

    def author(self) -> str:
        return self.me or ""

    @property
    def _mine(self) -> frozenset[str]:
        """The token's user alone, lowercased (not `former_users`): whose notes it may edit."""
        return frozenset({self.me.casefold()} if self.me else ())

    def branch_head(self, project: str, branch: str) -> str | None:
        """The head commit of a branch of a project's repository (the programs repository's
        default branch, to tell a pipeline of an older commit); None when GitLab does not
        say (no access to it, no such branch, a failure): the run goes on as before."""
        try:
            with self._translated(f"reading branch {branch} of project {project}"):
                found = self._gl.projects.get(project, lazy=True).branches.get(branch)
        except (AutomationError, ValueError):
            return None
        commit = found.attributes.get("commit")
        sha = commit.get("id") if isinstance(commit, dict) else None
        return str(sha) if sha else None

    def changed_paths(self, project: str, start: str, end: str) -> tuple[str, ...] | None:
        """The files the commits after START up to END changed in a project's repository (the
        compare API); None when GitLab does not say (an unknown commit, no access, a failure,
        a compare that timed out)."""
        try:
            with self._translated(f"comparing commits of project {project}"):
                # straight: the files that differ between the two, whichever came first (a
                # reviewer: a branch moved back past the job's commit compared as no change)
                compare = self._gl.projects.get(project, lazy=True).repository_compare
                found = compare(start, end, straight="true")
        except (AutomationError, ValueError):
            return None
        if not isinstance(found, dict) or found.get("compare_timeout"):
            return None
        diffs = found.get("diffs") or []
        return tuple(
            str(path)
            for d in diffs
            if isinstance(d, dict)
            for path in {d.get("old_path"), d.get("new_path")}
            if path
        )

    def plan_as(self, username: str) -> None:
        """Read as if the token were USERNAME's (`plan --as`): its issues and epics are the
        tool's, the token's own user's are not. A plan only reads, so no write is made as
        someone the token does not belong to."""
        self._me = username

    @property
    def ours(self) -> frozenset[str]:
        """The token's user and the users of replaced tokens (settings: former_users), in
        lowercase: GitLab's usernames are the same whatever their case (a tester: one
        written in another case than GitLab shows it was not recognised)."""
        return frozenset(name.casefold() for name in (self.me, *self.settings.former_users) if name)

    def _observed(self, data: Mapping[str, Any]) -> ObservedIssue:
        for user in _assigned(data):  # known users: no lookup to assign them again
            self._user_ids.setdefault(str(user["username"]).casefold(), int(user["id"]))
        return _observed(data, self.ours, self._group_id)

    def _observed_epic(self, data: Mapping[str, Any]) -> ObservedEpic:
        return _observed_epic(data, self.ours)

    @contextmanager
    def _reading(self, what: str, missing: str | None = None) -> Iterator[None]:
        """A read that still fails after python-gitlab's retries means GitLab is unavailable
        (exit 3), not that one item failed; so does a list of the project's or group's
        (MISSING says which) that GitLab does not find (moved, or the token's access gone)."""
        try:
            with self._translated(what, missing):
                yield
        except TransientError as error:
            raise self._unreachable(error) from error

    @contextmanager
    def _translated(
        self, what: str, missing: str | None = None, elsewhere: bool = False
    ) -> Iterator[None]:
        """Turn python-gitlab and network errors into our errors, without the token; ELSEWHERE
        for a request about another project's issue (see _http_error)."""
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
            raise self._http_error(what, error, missing, elsewhere) from error
        except NeverAnswered as error:
            raise TransientError(self._scrub(never_answered(error, what))) from error
        except requests.RequestException as error:
            said = f"GitLab failed while {what}: {self._scrub(str(error))}"
            raise TransientError(said + connection_hint(error)) from error

    def _elsewhere(self, what: str) -> AbstractContextManager[None]:
        """_translated, for a request about another project's issue."""
        return self._translated(what, elsewhere=True)

    def _http_error(
        self, what: str, error: GitlabError, missing: str | None, elsewhere: bool = False
    ) -> TrackerUnavailable | ItemError:
        """A 403 means the token lacks a role, and stops the run; but about another project's
        issue (ELSEWHERE: its discussion locked to non-members, its project archived or closed
        to the token's user) it fails that one item, the program's own project not in
        question."""
        code = error.response_code
        if code == FORBIDDEN and elsewhere:
            return ItemError(
                self._scrub(
                    f"GitLab refused {what} (403 Forbidden): that issue's discussion may be "
                    "locked, or its project archived or closed to the token's user; the note "
                    "is posted by the first run after it is open again"
                )
            )
        if code == NOT_FOUND and elsewhere:
            return ItemError(
                self._scrub(
                    f"GitLab found nothing while {what} (404): check the link in people.yml "
                    "(`onboarding_issue`), and that the token's user can see that project "
                    "(and the issue: a confidential one needs the Planner or Reporter role "
                    "there); the note is posted by the first run after that"
                )
            )
        if code == FORBIDDEN:
            return TrackerUnavailable(self._scrub(self._forbidden(what, error)))
        if code == NOT_FOUND and missing is not None:
            return TrackerUnavailable(
                self._scrub(
                    f"GitLab has no {self._named(missing)} here, or the token cannot see it, "
                    f"while {what} "
                    "(404): check config/settings.yml and that the token's user is a member"
                )
            )
        if code is None or code < BAD_REQUEST:  # an answer that is not the API's: it may
            # pass (a create's garbled answer is looked for before trying again), and a read
            # that keeps getting it stops the run (`_reading`)
            return TransientError(
                f"GitLab's answer while {what} is not its API's (a login page or a proxy?): "
                "check that GITLAB_URL is the address of the GitLab server"
            )
        return self._failed(what, code, error)

    def _unreachable(self, error: TransientError) -> TrackerUnavailable:
        """GitLab gone (5xx, no answer), or refusing for too many requests (429: a tester's
        storm was said as "cannot reach")."""
        if not error.refused:
            return TrackerUnavailable(f"cannot reach GitLab at {self._at}: {error}")
        return TrackerUnavailable(
            f"GitLab at {self._at} kept refusing requests for too many (429, its rate limit "
            f"of the token's user), after waiting as it asked: {error}. Another client using "
            "the same user (a script, another deployment) may be spending its budget; a later "
            "run goes on where this one stopped"
        )

    def _forbidden(self, what: str, error: GitlabError) -> str:
        """A 403 that stops the run: GitLab's own reason when it gives one beyond "403
        Forbidden" (a tester: a blocked account was told to fix a role), and what to do."""
        said = shorten(readable(error.error_message), MAX_SAID)
        reason = said.removeprefix("403").strip(" -:").removeprefix("Forbidden").strip(" -:")
        refused = f"GitLab refused {what} (403 Forbidden{f': {reason}' if reason else ''})"
        if _READ_ONLY.search(reason):
            return (
                f"{refused}: this GitLab takes no writes now (maintenance mode, or a Geo "
                "secondary site): nothing more was written; run again once it accepts writes, "
                "or point GITLAB_URL at the primary site"
            )
        if _ACCOUNT_REFUSED.search(reason):
            return (
                f"{refused}: GitLab accepts the token but not its user; an administrator must "
                "make the user active again (or accept its terms), or use a token of another "
                "user (add the former one to `gitlab.former_users`)"
            )
        return f"{refused}: {self._role_advice()}"

    def _named(self, missing: str) -> str:
        """'group enablement' for MISSING 'group', as settings.yml names it."""
        name = {"group": self.settings.group, "project": self.settings.project}.get(missing)
        return f"{missing} {name}" if name else missing

    def _role_advice(self) -> str:
        return ROLE_ADVICE.format(group=self.settings.group, project=self.settings.project)

    def _failed(self, what: str, code: int, error: GitlabError) -> ItemError:
        """GitLab's refusal of one item's request, in its own words: a 5xx or a 429 may pass
        (a 429 says how long to wait: python-gitlab's retries still limited, or a write
        sent once)."""
        said = shorten(readable(error.error_message), MAX_SAID)  # one line, whatever it held
        if code == BAD_REQUEST and _NOTES_FULL in said:
            return ItemError(self._scrub(f"GitLab refused {what}: {NOTES_FULL}"))
        said = said if said.startswith(str(code)) else f"{code} {said}"
        said = self._scrub(f"GitLab failed while {what}: {said}")
        if code == TOO_MANY:
            return TransientError(said, self._retry_after, refused=True)
        if code >= 500:  # nothing to fix (a tester: the FAILED line said nothing to do)
            return TransientError(said + GITLABS_OWN)
        if _resource_lock(code, said):  # saved nothing: done again from a fresh read
            return TransientError(said + GITLABS_OWN, refused=True)
        if _spam(code, f"{error.error_message} {error.response_body!r}"):
            return WriteRefused(f"{said}{SPAM_ADVICE}")
        return ItemError(said)

    def _scrub(self, message: str) -> str:
        """MESSAGE without the token, or a proxy's user and password (requests quotes a proxy
        address it cannot read whole: a reviewer saw one in a job's log)."""
        message = hide_token(message, self._token)
        for secret in _proxy_secrets():  # as a whole, not inside a word (a user `pro`)
            message = re.sub(rf"(?<![\w.-]){re.escape(secret)}(?![\w.-])", "[hidden]", message)
        return _USERINFO.sub(r"\1[hidden]@", message)


# GitLab's refusal of a note on an issue holding Noteable::MAX_NOTES_LIMIT notes (5,000, its
# system notes included), and what to do about it: nothing the tool writes there can post
_NOTES_FULL = "Maximum number of comments exceeded"
NOTES_FULL = (
    "the issue holds 5,000 notes, the most GitLab keeps on one, its history's included (each "
    "change of its description adds one), and takes no more comments (400 Maximum number of "
    "comments exceeded): no note of the tool's can be posted there any more. If it is a "
    "program's tracking issue and this its weekly digest, set `reminders.digest: false` in the "
    "program's file (reminders then go to each issue); another note is not posted"
)


# a list of an issue's notes without its system notes (`activity_filter`, lib/api/notes.rb):
# the tool looks for notes of its own, and an issue the tool rewrote every hour for a year
# holds thousands of "changed the description" notes, a page per 100 to read through
COMMENTS = {"activity_filter": "only_comments"}
ACTIVITY = {"activity_filter": "only_activity"}  # system notes alone


def hide_token(message: str, token: str) -> str:
    """MESSAGE with the token as `[token]`, in any case (a host name is printed lowercased:
    a tester's token in GITLAB_URL's host part was shown so)."""
    return re.sub(re.escape(token), "[token]", message, flags=re.IGNORECASE) if token else message


_PROXIES = frozenset({"https_proxy", "http_proxy", "all_proxy"})
_USERINFO = re.compile(r"(://)[^\s/@'\"]+@")


def _proxy_secrets() -> list[str]:
    """The user and password parts of the proxies requests reads from the environment (its
    `*_proxy` variables, in any case: a reviewer's `Https_Proxy`)."""
    found: list[str] = []
    for name, value in os.environ.items():
        if name.lower() not in _PROXIES:
            continue
        rest = value.split("://", 1)[-1]
        if "@" in rest:
            userinfo = rest.rsplit("@", 1)[0]
            cut = re.split(r"[#?/]", userinfo, maxsplit=1)[0]  # as a parser cut it short
            for part in (userinfo, cut):
                user, colon, password = part.partition(":")
                # a user name alone is no secret unless it is long enough to be a token (a
                # reviewer's user `proxy` hid the word in "Unable to connect to proxy")
                found += [part, password] if colon else [user] * (len(user) >= 8)
    return sorted((s for s in found if len(s) >= 3), key=len, reverse=True)


_TITLE = re.compile(r"<title[^>]*>(?P<title>.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def readable(message: object) -> str:
    """GitLab's message as a person reads it: its validation errors (`{"description": ["is
    too long ..."]}`) as words, not a Python object; an error page (a proxy's HTML) by its
    title, or its text without tags."""
    if isinstance(message, dict):
        return "; ".join(
            readable(value) if key in ("base", "error", "message") else f"{key} {readable(value)}"
            for key, value in message.items()
        )
    if isinstance(message, list):
        return "; ".join(map(readable, message))
    text = str(message)
    if "<html" not in text.lower():
        return text
    title = _TITLE.search(text)
    return " ".join((title["title"] if title else _TAG.sub(" ", text)).split())


def _label_changes(add: Sequence[str], remove: Sequence[str]) -> dict[str, str]:
    """add_labels and remove_labels for a PUT: they leave labels people set alone."""
    data: dict[str, str] = {}
    if add:
        data["add_labels"] = ",".join(add)
    if remove:
        data["remove_labels"] = ",".join(remove)
    return data


def _unnamed_next(pages: gitlab.GitlabList, page: int, seen: int, read: int) -> int | None:
    """The page after PAGE of a list whose answer named no next page, when there is one all
    the same: GitLab's `X-Total` counts more issues than were read (one made meanwhile), or,
    from an answer without any of GitLab's pagination headers (a proxy or an emulation that
    drops them), the page came back full (READ: the issues of the pages read since PAGE;
    an adapter review: 150 issues read as 100, and the rest made again)."""
    try:
        current: int | None = pages.current_page  # X-Page (python-gitlab: int(None) without)
    except (TypeError, ValueError):
        current = None
    if pages.total is not None:
        return (current or page) + 1 if seen < pages.total else None
    if current is None and read >= (pages.per_page or PER_PAGE):
        return page + 1
    return None


def _whole(issues: Sequence[ObservedIssue], first: int | None, last: int | None) -> bool:
    """Whether a list read page by page holds each issue once, as many as GitLab counted
    when it answered the first and the last page (a single page always adds up)."""
    if len({issue.iid for issue in issues}) != len(issues):
        return False
    return len(issues) < PER_PAGE or first == last == len(issues)


def _status(error: ItemError) -> int | None:
    """The HTTP status behind an error, if GitLab answered."""
    cause = error.__cause__
    return cause.response_code if isinstance(cause, GitlabError) else None


def _conflict(error: ItemError) -> bool:
    """Whether GitLab answered 409: the thing exists already (not a row locked meanwhile)."""
    return _status(error) == CONFLICT and not _resource_lock(CONFLICT, str(error))


def _resource_lock(code: int, said: str) -> bool:
    """Whether GitLab answered `409 Conflict: Resource lock`: a change saved to the same
    record while it saved this one (Rails' optimistic locking), or a lease another request
    held (lib/api/api.rb rescues both so); nothing was saved, and the request may be made
    again (an adapter review: it was read as "exists already", an epic link as made)."""
    return code == CONFLICT and "resource lock" in said.lower()


def _label_taken(error: ItemError) -> bool:
    """Whether creating a label failed because one has its title. The API answers 409 for a
    title in use as it was sent; the label model's uniqueness validation, which sees the title
    cleaned and stripped, answers 400 `{"title": ["has already been taken"]}`, and so does a
    create racing another of the same title (the API's check and the insert are two steps:
    LabelHelpers#create_label, Label's `validates :title, uniqueness:`)."""
    if _conflict(error):
        return True
    return _status(error) == BAD_REQUEST and "has already been taken" in str(error.__cause__)


def _links_full(error: ItemError) -> bool:
    """Whether GitLab refused a link as one too many (IssuableLink's maximum, 422)."""
    return _status(error) == UNPROCESSABLE and "maximum number of linked" in str(error.__cause__)


def _spam(code: int, answer: str) -> bool:
    """Whether GitLab's spam check refused a write: 400, 409 or 422 naming spam or a CAPTCHA
    (on creates, and on updates and notes too: lib/api/issues.rb, Notes::CreateService)."""
    return code in (400, 409, 422) and any(sign in answer.lower() for sign in SPAM_SIGNS)


def _refused_as_spam(error: ItemError) -> CreationRefused | None:
    """GitLab.com's spam check answers 400, 409 or 422 naming spam or a CAPTCHA."""
    cause = error.__cause__
    if not isinstance(cause, GitlabError) or cause.response_code is None:
        return None
    if not _spam(cause.response_code, f"{cause.error_message} {cause.response_body!r}"):
        return None
    return CreationRefused(
        "GitLab refused to create the issue as possible spam (or asked for a CAPTCHA); no more "
        "issues are created in this run. Ask a GitLab administrator to allow the token's user "
        "(for example add it to the spam-check allowlist, or use a group access token's bot), "
        "then run again"
    )


def _lock_text(holder: str, until: dt.datetime) -> str:
    stamp = until.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return f"A run of the program automation is going: {holder} until {stamp}"


_LOCK_HOLDER = re.compile(
    r"(\S+) until (\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)?)"
)


def _read_lock(description: str) -> tuple[str, dt.datetime]:
    """The holder and expiry in the lock's description, wherever they are in it (a person may
    have added words); a time without a zone is UTC, as the tool writes it. A description
    that holds neither is a lock held until someone deletes it: taking over a lock that a
    live run may hold would let two runs write at once."""
    found = _LOCK_HOLDER.search(description)
    try:
        until = dt.datetime.fromisoformat(found.group(2).replace("Z", "+00:00")) if found else None
    except ValueError:
        until = None
    if found is None or until is None:
        return "", UNREADABLE_LOCK
    return found.group(1), until if until.tzinfo else until.replace(tzinfo=dt.UTC)


def _first_line(note: Mapping[str, Any]) -> str:
    """A note's first line, where the tool's notes carry their marker (as the tool wrote it,
    when the note was saved in GitLab's rich text editor: `comments.spaced`)."""
    return spaced(str(note.get("body") or "").split("\n", 1)[0]).strip()


def _author(data: Mapping[str, Any]) -> str | None:
    return (data.get("author") or {}).get("username")


def _by(data: Mapping[str, Any], users: frozenset[str]) -> bool:
    """Whether an issue, epic or note was written by one of USERS (lowercase)."""
    author = _author(data)
    return author is not None and author.casefold() in users


def _observed_epic(data: Mapping[str, Any], ours: frozenset[str]) -> ObservedEpic:
    return ObservedEpic(
        iid=int(data["iid"]),
        id=int(data["id"]),
        title=str(data.get("title") or ""),
        description=spaced(str(data.get("description") or "")),
        labels=_labels(data),
        by_tool=_by(data, ours),
        author=_author(data),
        confidential=bool(data.get("confidential")),
        state=str(data.get("state") or "opened"),
    )


def _observed(
    data: Mapping[str, Any], ours: frozenset[str], group: int | None = None
) -> ObservedIssue:
    """Plain data from one issue's JSON (python-gitlab objects never leave this module); an
    epic of a group other than GROUP (a parent group's, which a person chose) is epic 0,
    which is never one of the program's. An answer without `epic` and `epic_iid` (absent,
    not null) does not say which epic the issue is in: `epic_known` is False."""
    due = data.get("due_date")
    epic_data = data.get("epic") or {}
    epic = epic_data.get("iid", data.get("epic_iid"))
    elsewhere = None
    if group is not None and epic_data.get("group_id") not in (None, group):
        elsewhere = (int(epic_data["group_id"]), int(epic)) if epic is not None else None
        epic = 0
    return ObservedIssue(
        iid=int(data["iid"]),
        title=str(data.get("title") or ""),
        description=spaced(str(data.get("description") or "")),
        labels=_labels(data),
        state=str(data.get("state") or "opened"),
        assignees=tuple(str(user["username"]) for user in _assigned(data)),
        due_date=dt.date.fromisoformat(due) if due else None,
        confidential=bool(data.get("confidential")),
        web_url=str(data.get("web_url") or ""),
        id=int(data["id"]) if data.get("id") is not None else None,
        epic=int(epic) if epic is not None else None,
        by_tool=_by(data, ours),
        author=_author(data),
        moved_to=int(data["moved_to_id"]) if data.get("moved_to_id") else None,
        epic_known="epic" in data or "epic_iid" in data,
        issue_type=str(data.get("issue_type") or "issue"),
        epic_elsewhere=elsewhere,
        updated_at=_moment(data.get("updated_at")),
        created_at=_moment(data.get("created_at")),
    )


def _assigned(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """An issue's assignees: its `assignees` list, or, from an answer that has only the
    single `assignee` GitLab deprecated (an older API or an emulation), that one."""
    if "assignees" in data:
        return list(data["assignees"] or ())
    one = data.get("assignee")
    return [one] if isinstance(one, dict) else []


def _labels(data: Mapping[str, Any]) -> tuple[str, ...]:
    """Label names: GitLab sends names, or objects with `with_labels_details` (never asked for,
    but an answer that has them is read the same)."""
    return tuple(
        str(label["name"]) if isinstance(label, Mapping) else str(label)
        for label in data.get("labels") or ()
    )


def _moment(text: object) -> dt.datetime | None:
    """A GitLab timestamp (`2026-11-30T10:01:02.123Z`), in UTC: a self-managed GitLab writes
    them in its own time zone (`2026-11-30T02:01:02.123-08:00`; `gitlab_rails['time_zone']`),
    and the day an issue was made is UTC's, as `--today` is (an adapter review); one with no
    zone is taken as UTC. None when missing or unreadable."""
    try:
        moment = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00")) if text else None
    except ValueError:
        return None
    if moment is None:
        return None
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
