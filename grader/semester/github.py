"""The GitHub side of grading: which repository a roster names, its clone, and its push timeline.

- ``repository_slug(value)``: the ``owner/name`` of a roster's submission written as ``owner/name``,
  an ``https://github.com/...`` URL or an SSH address; anything else (a local path, another host)
  is refused with one line.
- ``fetch_activity(slug, token)``: every activity event of the repository (GitHub's REST endpoint
  ``GET /repos/{owner}/{repo}/activity``: pushes, force pushes, branch creations and deletions, merges,
  each with ``before``, ``after``, ``ref``, ``timestamp``, ``activity_type`` and ``actor``), all pages,
  stored unchanged: that is the push timeline the grader reads lateness from.
- ``clone(slug, dest, token)``: a clone with its whole history. The token reaches git only through
  a credential helper set in the environment of the git process; it is never written into the
  clone's ``.git/config`` nor put in a URL, and the clone is checked for it afterwards.

Standard library only: the workflow's fetch step runs on a bare Python.
"""

import http.client
import json
import os
import re
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from grader.errors import GraderError

GITHUB_URL = "https://github.com"
GITHUB_API = "https://api.github.com"
API_VERSION = "2022-11-28"
PER_PAGE = 100                   # the endpoint's maximum
MAX_PAGES = 100                  # 10,000 events: far more than a student's repository ever has
MAX_PAGE_BYTES = 20 << 20        # a page larger than this is refused
HTTP_TIMEOUT = 60                # seconds per request
CLONE_TIMEOUT = 900              # seconds per clone

OWNER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}")
NAME = re.compile(r"[A-Za-z0-9._-]{1,100}")
HOSTS = ("github.com", "www.github.com")
ACCEPTED = ("owner/name, https://github.com/owner/name[.git], git@github.com:owner/name.git "
            "or ssh://git@github.com/owner/name[.git]")


class GitHubError(GraderError, ValueError):
    """A repository that cannot be named, cloned or read; the message is one line."""


def _one_line(text, limit=300):
    return " ".join(str(text).split())[:limit]


def _shown(value):
    """``value`` for a message, without the user name or password of a URL (but git@)."""
    text = repr(re.sub(r"(://)(?!git@)[^/@\s]*@", r"\1***@", str(value)))
    return text if len(text) <= 200 else text[:197] + "..."


def _split_owner_name(path):
    """``(owner, name)`` of ``owner/name``, ``owner/name.git`` or either with a trailing slash; else None."""
    path = path[:-1] if path.endswith("/") else path
    path = path[:-4] if path.endswith(".git") else path
    parts = path.split("/")
    if len(parts) != 2:
        return None
    owner, name = parts
    if not OWNER.fullmatch(owner) or not NAME.fullmatch(name) or name in (".", ".."):
        return None
    return owner, name


def repository_slug(value):
    """The ``owner/name`` of a GitHub repository written in any of the accepted forms.

    Accepted: ``owner/name`` (optionally ``.git``), and ``http(s)://github.com/owner/name``,
    ``git@github.com:owner/name``, ``ssh://git@github.com/owner/name``, each with an optional ``.git``
    and trailing ``/``.
    Refused with a one-line GitHubError: local paths (``./x``, ``/x``, ``../x``), other hosts,
    URLs with a user name, password, query or fragment, and names GitHub does not allow.
    """
    text = str(value).strip()
    found = None
    if text.startswith("git@"):
        host, _, path = text[len("git@"):].partition(":")
        if host.lower() in HOSTS and not path.startswith("/"):
            found = _split_owner_name(path)
    elif "://" in text:
        try:
            url = urllib.parse.urlsplit(text)
            scheme, host = url.scheme.lower(), (url.hostname or "").lower()
            user_ok = url.username is None if scheme in ("http", "https") else url.username == "git"
            clean = url.password is None and url.port is None and not url.query and not url.fragment
        except ValueError:
            scheme = host = ""
        if scheme in ("http", "https", "ssh") and host in HOSTS and user_ok and clean:
            found = _split_owner_name(url.path[1:] if url.path.startswith("/") else "")
    elif not text.startswith(("/", "~")) and not text.endswith("/"):
        found = _split_owner_name(text)        # a trailing slash says folder: refused in this form
    if found is None:
        raise GitHubError(f"{_shown(value)} is not a GitHub repository (accepted: {ACCEPTED})")
    return "/".join(found)


# ---------------------------------------------------------------------------------------------
# The activity timeline (REST API)


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects, but send the Authorization header only to the host it was meant for."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and _origin(newurl) != _origin(req.full_url):
            for key in list(new.headers):
                if key.lower() == "authorization":
                    del new.headers[key]
        return new


def _origin(url):
    parts = urllib.parse.urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port


def _next_link(header):
    """The URL of ``rel="next"`` in a ``Link`` header, or None."""
    for match in re.finditer(r'<([^>]*)>\s*((?:;\s*[^;,]*)*)', header or ""):
        url, params = match.group(1), match.group(2)
        for param in params.split(";"):
            key, _, rel = param.strip().partition("=")
            if key.strip().lower() == "rel" and "next" in rel.strip().strip('"').lower().split():
                return url
    return None


def _error_message(body):
    try:
        data = json.loads(body.decode("utf-8", errors="replace"))
    except ValueError:
        return _one_line(body.decode("utf-8", errors="replace"), 200)
    if isinstance(data, dict) and data.get("message"):
        return _one_line(data["message"], 200)
    return ""


def _get_page(opener, url, token):
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION,
               "User-Agent": "rnn-course-grader"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, headers=headers)
    try:
        with opener.open(request, timeout=HTTP_TIMEOUT) as response:
            body = response.read(MAX_PAGE_BYTES + 1)
            link = response.headers.get("Link")
    except urllib.error.HTTPError as exc:
        message = _error_message(exc.read(64 << 10)) if exc.fp else ""
        raise GitHubError(f"GET {url}: HTTP {exc.code} {_one_line(exc.reason, 80)}"
                          + (f": {message}" if message else "")) from None
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        raise GitHubError(f"GET {url}: {_one_line(reason, 200)}") from None
    if len(body) > MAX_PAGE_BYTES:
        raise GitHubError(f"GET {url}: the page is larger than {MAX_PAGE_BYTES >> 20} MB")
    try:
        page = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise GitHubError(f"GET {url}: not JSON ({_one_line(exc, 120)})") from None
    if not isinstance(page, list):
        raise GitHubError(f"GET {url}: expected a list of activity events, got {type(page).__name__}")
    return page, link


def fetch_activity(slug, token=None, api_url=GITHUB_API):
    """Every activity event of repository ``slug``, in the order GitHub lists them (newest first).

    Follows the ``Link: <...>; rel="next"`` header through at most MAX_PAGES pages of PER_PAGE events,
    only on the API's own host. Each event is returned as GitHub sent it. Raises a one-line GitHubError
    on an HTTP error (its status and GitHub's message), a page that is not JSON or not a list, a link
    to another host, or more than MAX_PAGES pages.
    """
    owner, name = repository_slug(slug).split("/")
    base = api_url.rstrip("/")
    url = f"{base}/repos/{owner}/{name}/activity?per_page={PER_PAGE}"
    opener = urllib.request.build_opener(_SameHostRedirects)
    events = []
    for _ in range(MAX_PAGES):
        page, link = _get_page(opener, url, token)
        events.extend(page)
        following = _next_link(link)
        if following is None:
            return events
        following = urllib.parse.urljoin(url, following)
        if _origin(following) != _origin(base):
            raise GitHubError(f"GET {url}: the next page is on another host ({_shown(following)}); not followed")
        url = following
    raise GitHubError(f"{owner}/{name}: more than {MAX_PAGES} pages of activity ({MAX_PAGES * PER_PAGE} events); "
                      "not read")


# ---------------------------------------------------------------------------------------------
# Clones

TOKEN_VARIABLE = "GRADER_GITHUB_TOKEN"
# A credential helper written as a shell function: it answers git's "get" with the token it reads
# from the environment of the git process, so the token is never in a file or on a command line.
CREDENTIAL_HELPER = ('!f() { test "$1" = get && printf "username=x-access-token\\npassword=%s\\n" '
                     f'"${TOKEN_VARIABLE}"; }}; f')
CONFIG_PARAMETER = re.compile(r"GIT_CONFIG_(COUNT|KEY_[0-9]+|VALUE_[0-9]+)")


def git_environment(base_url, token):
    """The environment of a git process: no prompt, and the token only through a credential helper."""
    env = {k: v for k, v in os.environ.items() if k != TOKEN_VARIABLE}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_ASKPASS="", SSH_ASKPASS="", LC_ALL="C")
    if token:
        env = {k: v for k, v in env.items() if not CONFIG_PARAMETER.fullmatch(k)}
        key = f"credential.{base_url.rstrip('/')}.helper"
        # The empty helper first: it clears any helper of the user's or the system's git config.
        env.update({TOKEN_VARIABLE: token, "GIT_CONFIG_COUNT": "2",
                    "GIT_CONFIG_KEY_0": key, "GIT_CONFIG_VALUE_0": "",
                    "GIT_CONFIG_KEY_1": key, "GIT_CONFIG_VALUE_1": CREDENTIAL_HELPER})
    return env


def redacted(text, token):
    """``text`` with every occurrence of ``token`` replaced by ``***`` (for git's messages)."""
    return text.replace(token, "***") if token else text


def repository_url(slug_or_url, base_url=GITHUB_URL):
    """``<base_url>/<owner>/<name>.git`` for a repository in any accepted form."""
    base = base_url.rstrip("/")
    parts = urllib.parse.urlsplit(base)
    if parts.username or parts.password:
        raise GitHubError(f"{_shown(base_url)}: a base URL must not hold a user name or token")
    return f"{base}/{repository_slug(slug_or_url)}.git"


def clone(slug_or_url, dest, token=None, base_url=GITHUB_URL, timeout=CLONE_TIMEOUT):
    """Clone the repository with its whole history into ``dest`` (which must not exist yet).

    The URL is ``<base_url>/<owner>/<name>.git`` (a ``file://`` base works too). The token, if any,
    reaches git through a credential helper configured in git's environment only. Raises a one-line
    GitHubError when the clone fails, and removes a clone whose ``.git/config`` holds the token.
    """
    url = repository_url(slug_or_url, base_url)
    dest = Path(dest)
    if dest.exists():
        raise GitHubError(f"{dest}: already exists; clone into a new folder")
    env = git_environment(base_url, token)
    command = ["git", "clone", "--quiet", "--", url, str(dest)]
    try:
        run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout,
                             stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        shutil.rmtree(dest, ignore_errors=True)
        raise GitHubError(f"git clone {url}: no answer within {timeout} s") from None
    except OSError as exc:
        raise GitHubError(f"git clone {url}: git cannot run ({exc.strerror or exc})") from None
    if run.returncode != 0:
        shutil.rmtree(dest, ignore_errors=True)
        lines = [line for line in redacted(run.stderr, token).splitlines() if line.strip()]
        reason = _one_line(lines[-1] if lines else f"exit status {run.returncode}", 200)
        raise GitHubError(f"git clone {url}: {reason}")
    config = dest / ".git" / "config"
    if token and token in config.read_text(errors="replace"):
        shutil.rmtree(dest, ignore_errors=True)
        raise GitHubError(f"git clone {url}: the token was written into .git/config; the clone was removed")
    return dest
