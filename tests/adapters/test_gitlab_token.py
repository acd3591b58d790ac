"""The token stays a secret: never in GITLAB_URL, never sent to another origin by a redirect or
a pagination link. Driven through `responses` directly (not the fake), to control every answer."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest
import requests
import responses

from automation.config.models import GitLabSettings
from automation.errors import EXIT_TRACKER_UNAVAILABLE, TrackerUnavailable
from automation.trackers.gitlab import FIRST_TRIES, Connection, GitLabTracker, connection_hint
from tests.backends import GROUP, PROJECT, TODAY, TOKEN, URL, StepClock, cli
from tests.fakes.gitlab_fake import FakeGitLab

API = f"{URL}/api/v4"
LABELS = f"{API}/projects/{PROJECT.replace('/', '%2F')}/labels"
EVIL = "https://evil.example"
TOKEN_HEADERS = ("PRIVATE-TOKEN", "Authorization", "JOB-TOKEN")


def label(name: str) -> dict[str, object]:
    return {"id": abs(hash(name)) % 1000, "name": name, "color": "#ffffff"}


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def tracker() -> GitLabTracker:
    settings = GitLabSettings(group=GROUP, project=PROJECT)
    return GitLabTracker(Connection(URL, TOKEN), settings, sleep=lambda _: None)


def calls_to(mock: responses.RequestsMock, origin: str) -> list[requests.PreparedRequest]:
    return [call.request for call in mock.calls if str(call.request.url).startswith(origin)]


def carries_token(request: requests.PreparedRequest) -> bool:
    return any(TOKEN in str(request.headers.get(h, "")) for h in TOKEN_HEADERS)


# --- redirects ----------------------------------------------------------------------------------


def test_without_the_guard_requests_would_carry_private_token_across_a_redirect(
    mocked: responses.RequestsMock,
) -> None:
    """Why the guard exists: requests strips Authorization on a redirect to another host, but
    not the PRIVATE-TOKEN header python-gitlab uses."""
    mocked.get(LABELS, status=302, headers={"Location": f"{EVIL}/steal"})
    mocked.get(f"{EVIL}/steal", json=[])
    requests.Session().get(LABELS, headers={"PRIVATE-TOKEN": TOKEN})
    (stolen,) = calls_to(mocked, EVIL)
    assert stolen.headers["PRIVATE-TOKEN"] == TOKEN


@pytest.mark.parametrize(
    "target",
    [f"{EVIL}/steal", "http://gitlab.example.com/api/v4/x", "https://gitlab.example.com:8443/x"],
    ids=["other-host", "other-scheme", "other-port"],
)
def test_a_redirect_to_another_origin_is_refused_and_gets_no_token(
    mocked: responses.RequestsMock, target: str
) -> None:
    mocked.get(LABELS, status=302, headers={"Location": target})
    mocked.get(re.compile(r".*"), json=[label("stolen")])
    with pytest.raises(TrackerUnavailable) as caught:
        tracker().label_names()
    assert len(mocked.calls) == 1  # only the first request, to GitLab itself
    assert carries_token(mocked.calls[0].request)
    message = str(caught.value)
    assert "redirect or a page link to another address" in message
    assert TOKEN not in message


def test_a_redirect_within_gitlab_is_followed(mocked: responses.RequestsMock) -> None:
    moved = f"{API}/projects/42/labels"
    mocked.get(LABELS, status=301, headers={"Location": moved})
    mocked.get(moved, json=[label("program::demo")])
    assert tracker().label_names() == frozenset({"program::demo"})
    assert all(carries_token(call.request) for call in mocked.calls)


def test_the_refusal_stops_the_cli_with_exit_3_and_no_token(
    shipped: Path, mocked: responses.RequestsMock
) -> None:
    mocked.get(re.compile(rf"{re.escape(URL)}/.*"), status=302, headers={"Location": EVIL})
    mocked.get(re.compile(rf"{re.escape(EVIL)}.*"), json={})
    result = cli(
        ["plan", "--backend", "gitlab", "--today", TODAY],
        {"GITLAB_URL": URL, "GITLAB_TOKEN": TOKEN},
    )
    assert result.code == EXIT_TRACKER_UNAVAILABLE
    assert result.err.startswith("automation: GitLab at https://gitlab.example.com pointed")
    assert TOKEN not in result.out + result.err
    assert not calls_to(mocked, EVIL)


# --- pagination ---------------------------------------------------------------------------------


def test_a_next_link_to_another_host_is_refused_and_gets_no_token(
    mocked: responses.RequestsMock,
) -> None:
    mocked.get(LABELS, json=[label("a")], headers={"Link": f'<{EVIL}/steal?page=2>; rel="next"'})
    mocked.get(re.compile(rf"{re.escape(EVIL)}.*"), json=[label("b")])
    with pytest.raises(TrackerUnavailable) as caught:
        tracker().label_names()
    assert not calls_to(mocked, EVIL)
    assert TOKEN not in str(caught.value)


def test_a_next_link_naming_another_api_base_is_brought_back_to_gitlab(
    mocked: responses.RequestsMock,
) -> None:
    """A `next` link on another base URL (GitLab's external_url misconfigured, or a hostile
    proxy) is rewritten onto GITLAB_URL: the next page comes from GitLab, with the token."""
    foreign = f"{EVIL}/api/v4/projects/{PROJECT.replace('/', '%2F')}/labels?page=2&per_page=100"
    mocked.get(
        LABELS,
        json=[label("a")],
        headers={"Link": f'<{foreign}>; rel="next"'},
        match=[responses.matchers.query_param_matcher({"per_page": "100"})],
    )
    mocked.get(
        LABELS,
        json=[label("b")],
        match=[responses.matchers.query_param_matcher({"page": "2", "per_page": "100"})],
    )
    mocked.get(re.compile(rf"{re.escape(EVIL)}.*"), json=[label("stolen")])
    assert tracker().label_names() == frozenset({"a", "b"})
    assert not calls_to(mocked, EVIL)
    assert [carries_token(call.request) for call in mocked.calls] == [True, True]


# --- GITLAB_URL ---------------------------------------------------------------------------------


SECRETS = ("s3cr3t-pa55", "glpat-in-the-url", "someuser")


@pytest.mark.parametrize(
    "url",
    [
        "https://someuser:s3cr3t-pa55@gitlab.example.com",
        "https://oauth2:glpat-in-the-url@gitlab.example.com/",
        "https://glpat-in-the-url@gitlab.example.com:8443/gitlab",
        "https://someuser:s3cr3t-pa55@gitlab.example.com:notaport",
    ],
)
@pytest.mark.parametrize("variable", ["GITLAB_URL", "CI_SERVER_URL"])
def test_credentials_in_the_gitlab_address_are_refused_without_printing_them(
    shipped: Path, url: str, variable: str
) -> None:
    result = cli(
        ["plan", "--backend", "gitlab", "--today", TODAY], {variable: url, "GITLAB_TOKEN": TOKEN}
    )
    assert result.code == EXIT_TRACKER_UNAVAILABLE
    assert len(result.err.splitlines()) == 1, result.err
    assert result.err.startswith(f"automation: {variable} ")
    assert "gitlab.example.com" in result.err
    for secret in (*SECRETS, TOKEN):
        assert secret not in result.out + result.err


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("ftp://gitlab.example.com", "ftp://gitlab.example.com"),
        ("file:///etc/passwd", "file:///etc/passwd"),
        ("gitlab.example.com", "gitlab.example.com"),
        ("https://", "https://"),
        ("https://gitlab.example.com/?private_token=s3cr3t-pa55", "https://gitlab.example.com/"),
        ("https://gitlab.example.com/#s3cr3t-pa55", "https://gitlab.example.com/"),
        ("https://gitlab.example.com?", "https://gitlab.example.com"),
        ("http://[::1", "an address that cannot be read"),
        ("https://a..b", "https://a..b"),
        ("https://gitlab.example.com:99999", "https://gitlab.example.com"),
        ("https://gitlab.example.com/api/v4", "https://gitlab.example.com/api/v4"),
        ("https://example.com/gitlab/api/v4/", "https://example.com/gitlab/api/v4/"),
    ],
)
def test_odd_gitlab_addresses_are_refused(url: str, shown: str) -> None:
    """... and the API's address, CI_API_V4_URL copied (python-gitlab adds /api/v4: the
    operator got `404 Not Found` checking the token)."""
    with pytest.raises(TrackerUnavailable) as caught:
        Connection.from_env({"GITLAB_URL": url, "GITLAB_TOKEN": TOKEN})
    message = str(caught.value)
    assert message.startswith(f"GITLAB_URL ({shown}) ")
    assert "s3cr3t-pa55" not in message


@pytest.mark.parametrize("token", [f"{TOKEN}\n", f" {TOKEN}\r\n"])
def test_a_token_read_with_its_line_break_is_used_without_it(token: str) -> None:
    assert (
        Connection.from_env({"GITLAB_URL": "https://gitlab.com", "GITLAB_TOKEN": token}).token
        == TOKEN
    )


@pytest.mark.parametrize("token", [f"{TOKEN}€", f"{TOKEN[:4]} {TOKEN[4:]}", f"{TOKEN}\nx"])
def test_a_token_no_gitlab_could_have_is_refused_without_showing_it(token: str) -> None:
    with pytest.raises(TrackerUnavailable) as caught:
        Connection.from_env({"GITLAB_URL": "https://gitlab.com", "GITLAB_TOKEN": token})
    assert "GITLAB_TOKEN holds" in str(caught.value) and TOKEN[4:] not in str(caught.value)


@pytest.mark.parametrize("token", ["x", "glpat-short"])
def test_a_token_too_short_to_be_gitlabs_is_refused_without_showing_it(token: str) -> None:
    """Hiding a token of a letter or two in every message would mangle them all."""
    with pytest.raises(TrackerUnavailable) as caught:
        Connection.from_env({"GITLAB_URL": "https://gitlab.com", "GITLAB_TOKEN": token})
    said = str(caught.value)
    assert said.startswith(f"GITLAB_TOKEN is {len(token)} character") and token not in said
    assert "GitLab's tokens are 20 or more; set it again with the whole token" in said


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://gitlab.example.com/", "https://gitlab.example.com"),
        ("http://gitlab.internal:8080/gitlab", "http://gitlab.internal:8080/gitlab"),
        ("https://[::1]:8443", "https://[::1]:8443"),
    ],
)
def test_plain_addresses_are_kept(url: str, kept: str) -> None:
    assert Connection.from_env({"GITLAB_URL": url, "GITLAB_TOKEN": TOKEN}).url == kept


@pytest.mark.parametrize(
    ("status", "body", "said"),
    [
        (
            500,
            f"<html>Internal error for token {TOKEN}\n/close\n@all</html>",
            "GitLab failed while checking the token: 500 Internal error for token [token] "
            "/close @all",
        ),
        (200, "<html>Sign in</html>", "is not its API's (a login page or a proxy?)"),
    ],
)
@pytest.mark.usefixtures("no_waiting")
def test_what_gitlab_answers_is_shown_on_one_line_without_the_token(
    shipped: Path, mocked: responses.RequestsMock, status: int, body: str, said: str
) -> None:
    """A tester's finding: an error page's body reached the CI log on several lines (one
    starting /close), and a login page's answer printed python-gitlab's internals."""
    mocked.get(re.compile(rf"{re.escape(URL)}/.*"), status=status, body=body)
    result = cli(
        ["plan", "--backend", "gitlab", "--today", TODAY],
        {"GITLAB_URL": URL, "GITLAB_TOKEN": TOKEN},
    )
    assert result.code == EXIT_TRACKER_UNAVAILABLE
    assert said in result.err
    assert len(result.err.strip().splitlines()) == 1 and TOKEN not in result.err


@pytest.mark.usefixtures("no_waiting")
def test_a_token_pasted_into_the_address_is_not_shown(
    shipped: Path, mocked: responses.RequestsMock
) -> None:
    mocked.get(re.compile(r"https://x\.invalid/.*"), body=requests.ConnectionError("refused"))
    result = cli(
        ["plan", "--backend", "gitlab", "--today", TODAY],
        {"GITLAB_URL": f"https://x.invalid/{TOKEN}", "GITLAB_TOKEN": TOKEN},
    )
    assert result.code == EXIT_TRACKER_UNAVAILABLE
    assert TOKEN not in result.err and "https://x.invalid/[token]" in result.err


@pytest.mark.parametrize(
    ("refusal", "said"),
    [
        (
            requests.ConnectionError(
                "HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded with url: "
                "/api/v4/user (Caused by NewConnectionError('Failed to establish a new "
                "connection: [Errno 111] Connection refused'))"
            ),
            "the connection was refused",
        ),
        (
            requests.ConnectionError(
                "HTTPSConnectionPool(host='gitlab.exmaple.com', port=443): Max retries exceeded "
                "(Caused by NameResolutionError(\"Failed to resolve 'gitlab.exmaple.com' "
                '([Errno -2] Name or service not known)"))'
            ),
            "its host name is not known here",
        ),
        (
            requests.ConnectionError(
                "HTTPSConnectionPool(host='gitlab.example.com', port=443): Max retries exceeded "
                "(Caused by NameResolutionError(\"Failed to resolve 'gitlab.example.com' "
                '([Errno -3] Temporary failure in name resolution)"))'
            ),
            "the name server did not answer",
        ),
        (requests.exceptions.ConnectTimeout("timed out"), "no answer within 30 seconds"),
    ],
)
def test_a_gitlab_that_never_answers_is_given_up_on_soon_with_what_to_check(
    shipped: Path,
    mocked: responses.RequestsMock,
    monkeypatch: pytest.MonkeyPatch,
    refusal: Exception,
    said: str,
) -> None:
    """A newcomer: GITLAB_URL pointing where nothing listens sat silent for 104 seconds
    (python-gitlab tries a connection ten times, backing off), then printed urllib3's words,
    "GitLab failed" though nothing had answered, and nothing to do. Before GitLab has answered
    once in a run, eight failed connections, about 13 seconds, end it (a GitLab that answered
    and then went away is still tried as long as before)."""
    calls = mocked.get(re.compile(rf"{re.escape(URL)}/.*"), body=refusal)
    waits: list[float] = []
    monkeypatch.setattr("time.sleep", waits.append)
    result = cli(
        ["plan", "--backend", "gitlab", "--today", TODAY],
        {"GITLAB_URL": URL, "GITLAB_TOKEN": TOKEN},
    )
    assert result.code == EXIT_TRACKER_UNAVAILABLE
    # a try that waited out the 30 s connect timeout counts for half: a minute, not four
    tries = 2 if isinstance(refusal, requests.exceptions.ConnectTimeout) else FIRST_TRIES
    assert calls.call_count == tries
    assert sum(waits) < 15  # seconds of back-off: a blip is ridden out, a wrong address said
    assert tries == 2 or sum(waits) > 10
    assert result.err.strip() == (
        f"automation: cannot reach GitLab at {URL}: nothing answered while checking the token "
        f"({said}, {tries} tries): check GITLAB_URL, and that this machine can reach it "
        "(a proxy, a firewall); the next run tries again"
    ), result.err


@pytest.mark.parametrize(
    "url",
    ["https://gitlab.com\n", " https://gitlab.com ", "HTTPS://gitlab.com", "Https://gitlab.com/"],
)
def test_an_address_read_with_a_line_break_or_a_capital_scheme_is_used_as_meant(url: str) -> None:
    """A tester: an address with a line break was called unreachable, shown without it; one
    with `HTTPS://` passed, and python-gitlab built every list's address twice."""
    assert (
        Connection.from_env({"GITLAB_URL": url, "GITLAB_TOKEN": TOKEN}).url == "https://gitlab.com"
    )


def test_a_certificate_or_proxy_failure_says_what_to_set() -> None:
    """A tester: a GitLab behind its own certificate authority failed with urllib3's words
    alone; requests reads REQUESTS_CA_BUNDLE (not SSL_CERT_FILE)."""
    ssl = connection_hint(requests.exceptions.SSLError("certificate verify failed: unknown CA"))
    assert "REQUESTS_CA_BUNDLE" in ssl and "CI_SERVER_TLS_CA_FILE" in ssl
    assert "HTTPS_PROXY" in connection_hint(requests.exceptions.ProxyError("refused"))
    assert connection_hint(requests.exceptions.ConnectionError("reset")) == ""


def test_a_blank_gitlab_url_leaves_ci_server_url_in_use() -> None:
    """A reviewer: GITLAB_URL set to a line break was taken before CI_SERVER_URL, then
    stripped, and the run said neither was set."""
    env = {"GITLAB_URL": "\n", "CI_SERVER_URL": "https://gitlab.example.com", "GITLAB_TOKEN": TOKEN}
    assert Connection.from_env(env).url == "https://gitlab.example.com"


def test_a_plain_http_port_behind_an_https_address_is_not_called_an_untrusted_certificate() -> None:
    """A reviewer: every TLS error was said to be a certificate not trusted, where a port
    speaking plain HTTP answers an https:// address."""
    wrong = requests.exceptions.SSLError("[SSL: WRONG_VERSION_NUMBER] wrong version number")
    assert connection_hint(wrong) == ""
    untrusted = requests.exceptions.SSLError(
        "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate"
    )
    assert "REQUESTS_CA_BUNDLE" in connection_hint(untrusted)


@pytest.mark.parametrize(
    ("said", "hint"),
    [
        (
            "certificate verify failed: Hostname mismatch, certificate is not valid for 'g'",
            "host name",
        ),
        ("certificate verify failed: certificate has expired", "expired"),
        ("certificate verify failed: self-signed certificate in certificate chain", "REQUESTS_CA"),
    ],
)
def test_a_certificate_refused_is_said_for_what_it_is(said: str, hint: str) -> None:
    """A reviewer: a certificate for another host name, or expired, was said to be from an
    authority not trusted, and a CA bundle was advised, which fixes neither."""
    told = connection_hint(requests.exceptions.SSLError(f"[SSL: CERTIFICATE_VERIFY_FAILED] {said}"))
    assert hint in told and (hint == "REQUESTS_CA" or "REQUESTS_CA_BUNDLE" not in told)


def test_a_proxys_password_is_hidden_and_its_short_user_name_is_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reviewers: a password quoted by requests reached the log, also from `Https_Proxy`
    (requests reads any case); a user name `pro` was hidden inside `project`."""
    monkeypatch.setenv("Https_Proxy", "http://user:s3cret PW@127.0.0.1:99999")
    monkeypatch.setenv("HTTP_PROXY", "http://pro@127.0.0.1:9")
    scrub = functools.partial(
        GitLabTracker._scrub, cast(GitLabTracker, SimpleNamespace(_token=TOKEN))
    )
    said = scrub("Failed to parse: http://user:s3cret PW@127.0.0.1:99999 opening project")
    assert "s3cret" not in said and "opening project" in said
    assert scrub("Unable to connect to proxy pro") == "Unable to connect to proxy pro"
    assert scrub("at http://pro@127.0.0.1:9") == "at http://[hidden]@127.0.0.1:9"


UPPER = "glpat-ABCDEFGHIJKLMNOPQRST"


@pytest.mark.parametrize(
    "url",
    [
        f"https://gitlab.example.com@{UPPER}",
        f"https://gitlab.example.com\\@{UPPER}",
        f"https://gitlab.example.com%2F{UPPER}",
    ],
)
def test_a_token_in_the_addresss_host_part_is_not_shown_in_any_case(url: str) -> None:
    """An attacker's trial: after an `@` (or `%2F`) the token is the address's host, which
    was printed lowercased, past the case-sensitive hiding: a 20-letter token's case is all
    that was left to guess."""
    with pytest.raises(TrackerUnavailable) as caught:
        Connection.from_env({"GITLAB_URL": url, "GITLAB_TOKEN": UPPER})
    assert UPPER.lower() not in str(caught.value).lower(), str(caught.value)


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://gitlab.example.com", True),
        ("https://gitlab.example.com", False),
        ("http://localhost:8080", False),
        ("http://127.0.0.1:8080", False),
    ],
)
def test_a_plain_http_address_of_another_host_is_said_on_every_run(
    shipped: Path, url: str, said: bool
) -> None:
    """A trial: GITLAB_URL on plain http sent the token unencrypted with no word (an
    instance may have no https: said, not refused; this machine's own address is not)."""
    fake = FakeGitLab(url=url, tier="premium", token=TOKEN)
    fake.clock.current = StepClock().now()
    fake.add_project(PROJECT)
    with fake.activate():
        argv = ["plan", "--backend", "gitlab", "--today", TODAY]
        run = cli(argv, {"GITLAB_URL": url, "GITLAB_TOKEN": TOKEN})
    assert run.code == 0, run.out + run.err
    note = f"note: the GitLab address ({url}, from GITLAB_URL or CI_SERVER_URL) is plain http"
    assert (note in run.err) is said, run.err
    assert TOKEN not in run.out + run.err
