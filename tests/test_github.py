"""The GitHub side of grading, offline: repository names, the activity timeline, clones, `grader fetch`.

A local HTTP server on 127.0.0.1 stands in for GitHub's REST API and a folder of bare repositories
(a ``file://`` base URL) for github.com. The commands run with ``python -S`` (no site-packages): the
workflow's fetch step runs them on a bare Python.
"""

import json
import os
import subprocess
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from grader.semester.github import (CREDENTIAL_HELPER, GitHubError, clone, fetch_activity, git_environment,
                                   repository_slug)
from grader.paths import REPO
from tests.conftest import GIT_ENV, git, run_grader

TOKEN = "ghs_not-a-real-token-1234567890"


# --- repository_slug ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    "octo-org/rnn-s04", "https://github.com/octo-org/rnn-s04", "https://github.com/octo-org/rnn-s04.git",
    "https://github.com/octo-org/rnn-s04/", "https://github.com/octo-org/rnn-s04.git/",
    "http://github.com/octo-org/rnn-s04", "git@github.com:octo-org/rnn-s04.git", "git@github.com:octo-org/rnn-s04",
    "ssh://git@github.com/octo-org/rnn-s04", "ssh://git@github.com/octo-org/rnn-s04.git",
    "  octo-org/rnn-s04\n", "https://GitHub.com/octo-org/rnn-s04", "octo-org/rnn-s04.git",
])
def test_every_accepted_form_gives_owner_slash_name(value):
    assert repository_slug(value) == "octo-org/rnn-s04"


def test_names_keep_their_dots_underscores_and_case():
    assert repository_slug("A1/my.repo_2-x") == "A1/my.repo_2-x"
    assert repository_slug("o" * 39 + "/" + "n" * 100) == "o" * 39 + "/" + "n" * 100


@pytest.mark.parametrize("value", [
    "./students/s04", "/abs/path", "../x", "students/s04/", "~/s04", "s04", "",
    "https://gitlab.com/octo-org/rnn-s04", "https://github.com.evil.org/o/n", "git@gitlab.com:o/n.git",
    "ssh://github.com/o/n", "ssh://git@gitlab.com/o/n", "https://github.com/o/n/tree/main", "https://github.com/o",
    "https://github.com/o/n?tab=x", "https://github.com/o/n#readme", "https://github.com:8443/o/n",
    "file:///srv/git/o/n.git", "ftp://github.com/o/n",
    "-owner/name", "own_er/name", "own er/name", "o" * 40 + "/n", "o/" + "n" * 101, "o/.", "o/..", "o/n;rm -rf",
    "o/n\nx", "..\\x",
])
def test_anything_else_is_refused_with_one_line_naming_it(value):
    with pytest.raises(GitHubError) as info:
        repository_slug(value)
    message = str(info.value)
    assert message.startswith(f"{value!r} is not a GitHub repository") and "\n" not in message
    assert "accepted: owner/name, https://github.com/owner/name" in message


def test_a_token_in_a_refused_url_is_not_repeated():
    with pytest.raises(GitHubError) as info:
        repository_slug(f"https://x-access-token:{TOKEN}@github.com/o/n.git")
    assert TOKEN not in str(info.value) and "***@github.com/o/n.git" in str(info.value)


# --- fetch_activity against a local server --------------------------------------------------------


def event(number, before, after, when, kind="push", ref="refs/heads/main"):
    """An activity event in the shape GitHub documents for GET /repos/{owner}/{repo}/activity."""
    return {"id": 1000 + number, "node_id": f"RA_{number}", "before": before, "after": after, "ref": ref,
            "timestamp": when, "activity_type": kind,
            "actor": {"login": "student", "id": 42, "type": "User", "site_admin": False}}


class FakeAPI:
    """GitHub's activity endpoint: pages of events per repository, linked by cursors in ``Link``."""

    def __init__(self, repositories, page_size=2):
        self.repositories, self.page_size, self.requests = repositories, page_size, []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                api.requests.append((self.path, self.headers))
                url = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(url.query)
                parts = url.path.strip("/").split("/")
                if len(parts) != 4 or parts[0] != "repos" or parts[3] != "activity" \
                        or f"{parts[1]}/{parts[2]}" not in api.repositories:
                    return self.reply(404, {"message": "Not Found",
                                            "documentation_url": "https://docs.github.com/rest"})
                events = api.repositories[f"{parts[1]}/{parts[2]}"]
                if events == "garbage":
                    return self.reply(200, b"<html>not json</html>")
                if events == "object":
                    return self.reply(200, {"events": []})
                if events == "elsewhere":
                    link = f'<http://localhost:{self.server.server_port}{url.path}?after=1>; rel="next"'
                    return self.reply(200, [], {"Link": link})
                start = int(query.get("after", ["0"])[0])
                page = events[start:start + api.page_size]
                headers = {}
                if start + api.page_size < len(events):
                    base = f"http://127.0.0.1:{self.server.server_port}{url.path}"
                    following = f"{base}?per_page=100&after={start + api.page_size}"
                    headers["Link"] = f'<{following}>; rel="next", <{base}?per_page=100&before=0>; rel="prev"'
                self.reply(200, page, headers)

            def reply(self, status, body, headers=None):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_every_page_is_followed_and_every_event_comes_back_in_order():
    events = [event(i, f"{i:040x}", f"{i + 1:040x}", f"2027-03-0{i + 1}T10:00:00Z") for i in range(6)]
    events[3]["activity_type"] = "force_push"
    with FakeAPI({"octo-org/rnn-s04": events}) as api:
        got = fetch_activity("https://github.com/octo-org/rnn-s04.git", TOKEN, api_url=api.url + "/")
    assert got == events
    assert len(api.requests) == 3
    first, headers = api.requests[0]
    assert first == "/repos/octo-org/rnn-s04/activity?per_page=100"
    assert [path.rsplit("after=", 1)[-1] for path, _ in api.requests[1:]] == ["2", "4"]
    for _, headers in api.requests:
        assert headers["Authorization"] == f"Bearer {TOKEN}"
        assert headers["Accept"] == "application/vnd.github+json"
        assert headers["X-GitHub-Api-Version"] == "2022-11-28"


def test_without_a_token_no_authorization_header_is_sent():
    with FakeAPI({"o/n": [event(0, "0" * 40, "1" * 40, "2027-03-01T10:00:00Z")]}) as api:
        assert len(fetch_activity("o/n", None, api_url=api.url)) == 1
    assert "Authorization" not in api.requests[0][1]


def test_an_empty_timeline_is_an_empty_list():
    with FakeAPI({"o/n": []}) as api:
        assert fetch_activity("o/n", TOKEN, api_url=api.url) == []


@pytest.mark.parametrize("repository, message", [
    ("o/missing", "HTTP 404 Not Found: Not Found"),
    ("o/garbage", "not JSON"),
    ("o/object", "expected a list of activity events, got dict"),
])
def test_errors_are_one_line(repository, message):
    with FakeAPI({"o/garbage": "garbage", "o/object": "object"}) as api:
        with pytest.raises(GitHubError) as info:
            fetch_activity(repository, TOKEN, api_url=api.url)
    text = str(info.value)
    assert message in text and "\n" not in text and TOKEN not in text
    assert text.startswith(f"GET {api.url}/repos/{repository}/activity")


def test_a_next_page_on_another_host_is_not_followed():
    with FakeAPI({"o/n": "elsewhere"}) as api:
        with pytest.raises(GitHubError, match=r"the next page is on another host \('http://localhost:"):
            fetch_activity("o/n", TOKEN, api_url=api.url)
    assert len(api.requests) == 1


def test_a_server_that_does_not_answer_is_one_line():
    with pytest.raises(GitHubError, match=r"^GET http://127\.0\.0\.1:9/repos/o/n/activity\?per_page=100: "):
        fetch_activity("o/n", TOKEN, api_url="http://127.0.0.1:9")


# --- clones -------------------------------------------------------------------------------------


def bare_repository(root, slug, commits=3):
    """A bare repository at ``<root>/<owner>/<name>.git`` with ``commits`` commits; their shas, newest first."""
    work = root / "work" / slug
    work.mkdir(parents=True)
    git(work, "init", "--quiet", "--initial-branch=main")
    for i in range(commits):
        (work / "notes.txt").write_text(f"version {i}\n")
        git(work, "add", "notes.txt")
        git(work, "commit", "--quiet", "-m", f"commit {i}", f"--date=2027-03-0{i + 1}T10:00:00Z")
    bare = root / "github" / f"{slug}.git"
    bare.parent.mkdir(parents=True, exist_ok=True)
    git(work, "clone", "--quiet", "--bare", str(work), str(bare))
    return git(work, "log", "--format=%H").split()


def test_the_credential_helper_gives_git_the_token_from_the_environment_only(tmp_path):
    env = git_environment("https://github.com", TOKEN)
    env.update(GIT_ENV)
    assert TOKEN not in CREDENTIAL_HELPER and env["GIT_CONFIG_VALUE_1"] == CREDENTIAL_HELPER
    answer = subprocess.run(["git", "credential", "fill"], input="protocol=https\nhost=github.com\npath=o/n.git\n\n",
                            env=env, capture_output=True, text=True, timeout=30, cwd=tmp_path)
    assert answer.returncode == 0, answer.stderr
    assert "username=x-access-token" in answer.stdout.splitlines() and f"password={TOKEN}" in answer.stdout
    other = subprocess.run(["git", "credential", "fill"], input="protocol=https\nhost=example.org\n\n",
                           env=dict(env, GIT_TERMINAL_PROMPT="0"), capture_output=True, text=True, timeout=30)
    assert TOKEN not in other.stdout


def test_clone_has_the_whole_history_and_no_token_in_its_config(tmp_path):
    shas = bare_repository(tmp_path, "octo-org/rnn-s04", commits=4)
    dest = clone("git@github.com:octo-org/rnn-s04.git", tmp_path / "s04", TOKEN,
                 base_url=(tmp_path / "github").as_uri())
    assert git(dest, "log", "--format=%H").split() == shas
    assert git(dest, "rev-parse", "--is-shallow-repository").strip() == "false"
    config = (dest / ".git" / "config").read_text()
    assert TOKEN not in config and "x-access-token" not in config and "helper" not in config


def test_a_failed_clone_is_one_line_and_leaves_nothing(tmp_path):
    (tmp_path / "github").mkdir()
    with pytest.raises(GitHubError) as info:
        clone("o/missing", tmp_path / "s", TOKEN, base_url=(tmp_path / "github").as_uri())
    text = str(info.value)
    assert text.startswith(f"git clone {(tmp_path / 'github').as_uri()}/o/missing.git: ") and "\n" not in text
    assert TOKEN not in text and not (tmp_path / "s").exists()
    with pytest.raises(GitHubError, match="must not hold a user name or token"):
        clone("o/n", tmp_path / "s", TOKEN, base_url=f"https://x:{TOKEN}@github.com")


# --- python -m grader fetch, end to end ---------------------------------------------------------


COURSE = """[course]
name = "RNN"
roster = "roster.csv"
student_template = "octo-org/template"

[assignments.a1_cells]
due = 2027-03-05T23:59:00+01:00
points = 20
"""


def run_bare(*args, env=None):
    """``python -S -m grader ...``: the grader on an interpreter without site-packages, as on a bare Python."""
    return run_grader(*args, env=env, bare=True, timeout=300)


@pytest.fixture
def semester(tmp_path):
    """Two students with repositories (one written as an URL), one whose repository does not exist."""
    shas = {"s01": bare_repository(tmp_path, "octo-org/rnn-s01", commits=3),
            "s02": bare_repository(tmp_path, "octo-org/rnn-s02", commits=2)}
    (tmp_path / "course.toml").write_text(COURSE)
    (tmp_path / "roster.csv").write_text("student,submission\ns01,octo-org/rnn-s01\n"
                                         "s02,https://github.com/octo-org/rnn-s02.git\ns03,octo-org/rnn-s03\n")
    timelines = {f"octo-org/rnn-{s}": [event(i, old, new, f"2027-03-0{i + 1}T10:00:05Z")
                                       for i, (new, old) in enumerate(zip(commits[::-1], ["0" * 40, *commits[::-1]]))]
                 for s, commits in shas.items()}
    return tmp_path, shas, timelines


def test_fetch_clones_each_students_repository_and_saves_its_timeline(semester):
    root, shas, timelines = semester
    with FakeAPI(timelines, page_size=2) as api:
        env = dict(os.environ, **GIT_ENV, GRADER_GITHUB_TOKEN=TOKEN, GRADER_GITHUB_URL=(root / "github").as_uri(),
                   GRADER_GITHUB_API=api.url)
        run = run_bare("fetch", "--students", "s01,s02", "--students", "s03", "--out", str(root / "submissions"),
                       "--push-times", str(root / "push-times"), "--course", str(root / "course.toml"), env=env)
    assert run.returncode == 1, run.stdout + run.stderr
    for student in ("s01", "s02"):
        clone_dir = root / "submissions" / student
        assert git(clone_dir, "log", "--format=%H").split() == shas[student]
        assert git(clone_dir, "rev-parse", "--is-shallow-repository").strip() == "false"
        assert TOKEN not in (clone_dir / ".git" / "config").read_text()
        saved = json.loads((root / "push-times" / f"{student}.json").read_text())
        assert saved == timelines[f"octo-org/rnn-{student}"]
        assert not (root / "submissions" / f"{student}.not-graded").exists()
    assert all(headers["Authorization"] == f"Bearer {TOKEN}" for _, headers in api.requests)
    assert not (root / "submissions" / "s03").exists() and not (root / "push-times" / "s03.json").exists()
    reason = (root / "submissions" / "s03.not-graded").read_text()
    assert reason.startswith("no repository octo-org/rnn-s03, or no read access: git clone ")
    assert len(reason.splitlines()) == 1 and TOKEN not in reason
    assert f"not fetched s03: {reason.strip()}" in run.stdout and TOKEN not in run.stdout + run.stderr


def test_fetch_exits_0_when_everyone_was_fetched_and_names_a_local_path(semester):
    root, _, timelines = semester
    (root / "roster.csv").write_text("student,submission\ns01,octo-org/rnn-s01\ns04,./students/s04\n")
    with FakeAPI(timelines) as api:
        env = dict(os.environ, **GIT_ENV, GRADER_GITHUB_URL=(root / "github").as_uri(), GRADER_GITHUB_API=api.url)
        env.pop("GRADER_GITHUB_TOKEN", None)
        args = ["--out", str(root / "subs"), "--push-times", str(root / "times"), "--course", str(root / "course.toml")]
        good = run_bare("fetch", "--students", "s01", *args, env=env)
        local = run_bare("fetch", "--students", "s04", *args, env=env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert local.returncode == 1
    reason = (root / "subs" / "s04.not-graded").read_text().strip()
    assert reason.startswith("no repository owner/name on the roster: './students/s04' is not a GitHub repository")


def test_a_timeline_that_cannot_be_read_leaves_no_clone(semester):
    root, _, timelines = semester
    timelines["octo-org/rnn-s02"] = "garbage"
    with FakeAPI(timelines) as api:
        env = dict(os.environ, **GIT_ENV, GRADER_GITHUB_URL=(root / "github").as_uri(), GRADER_GITHUB_API=api.url)
        run = run_bare("fetch", "--students", "s02", "--out", str(root / "subs"), "--push-times", str(root / "t"),
                       "--course", str(root / "course.toml"), env=env)
    assert run.returncode == 1
    assert not (root / "subs" / "s02").exists()
    assert (root / "subs" / "s02.not-graded").read_text().startswith("no push timeline of octo-org/rnn-s02: GET ")


def test_a_student_not_on_the_roster_is_a_usage_error(semester):
    root, _, _ = semester
    run = run_bare("fetch", "--students", "s01,s99", "--out", str(root / "subs"), "--push-times", str(root / "t"),
                   "--course", str(root / "course.toml"))
    assert run.returncode == 2
    assert run.stderr.strip() == f"error: student s99 is not on the roster {root / 'roster.csv'}"
    assert not (root / "subs" / "s01").exists()


# --- python -m grader not-graded (the grade job's step when grading failed) ------------------------


def test_not_graded_writes_a_report_only_for_students_without_one(tmp_path):
    from grader.records.report import load_report

    out = tmp_path / "reports"
    out.mkdir()
    (out / "s01.json").write_text('{"kept": "as it was"}\n')
    reason = "grading failed in workflow run https://github.com/o/r/actions/runs/1; see the grade job's log"
    run = run_bare("not-graded", "--students", "s01,s02", "--students", "s03", "--assignment", "a1_cells,a2_bptt",
                   "--reason", reason, "--out", str(out))
    assert run.returncode == 0, run.stdout + run.stderr
    assert (out / "s01.json").read_text() == '{"kept": "as it was"}\n'
    assert sorted(p.name for p in out.iterdir()) == ["s01.json", "s02.json", "s03.json"]
    for student in ("s02", "s03"):
        report = load_report(out / f"{student}.json", expected_student=student,
                             course_assignments=["a1_cells", "a2_bptt"])
        assert report.status == "not graded" and report.reason == reason
        assert list(report.assignments) == ["a1_cells", "a2_bptt"] and report.score == 0
    assert "2 not-graded report(s) written, 1 student(s) had one" in run.stdout


def test_not_graded_refuses_a_student_id_that_is_a_path(tmp_path):
    run = run_bare("not-graded", "--students", "../evil", "--assignment", "a1_cells", "--reason", "r",
                   "--out", str(tmp_path / "reports"))
    assert run.returncode == 2 and "is not a student id" in run.stderr and len(run.stderr.splitlines()) == 1
    assert not (tmp_path / "evil.json").exists() and not (tmp_path / "reports").exists()


# --- the grade job's path, end to end: fetch, grade with push times, not-graded, collect ----------------


@pytest.mark.slow
def test_the_grade_jobs_path_grades_by_push_time_and_loses_nobody(tmp_path):
    """As grade.yml runs it for one shard: `fetch` from (local) GitHub, `grade-roster --submissions
    --push-times --previous`, `not-graded` for whoever is left without a report, then `collect`. s01's
    finished a1 is committed with a date before the due date but pushed a day after it; s03 has no
    repository."""
    import shutil

    from grader.paths import ASSIGNMENTS, SOLUTIONS
    from grader.sandbox import isolation

    work = tmp_path / "work" / "s01"
    work.mkdir(parents=True)
    git(work, "init", "--quiet", "--initial-branch=main")
    shutil.copytree(ASSIGNMENTS / "a1_cells", work / "assignments" / "a1_cells",
                    ignore=shutil.ignore_patterns("__pycache__"))
    git(work, "add", "--all")
    git(work, "commit", "--quiet", "-m", "Initial commit", "--date=2027-02-01T10:00:00Z")
    template = git(work, "rev-parse", "HEAD").strip()
    shutil.rmtree(work / "assignments" / "a1_cells")
    shutil.copytree(SOLUTIONS / "a1_cells", work / "assignments" / "a1_cells",
                    ignore=shutil.ignore_patterns("__pycache__"))
    git(work, "add", "--all")
    subprocess.run(["git", "commit", "--quiet", "-m", "a1"], cwd=work, check=True, capture_output=True, timeout=60,
                   env=dict(os.environ, **GIT_ENV, GIT_COMMITTER_DATE="2027-03-04T10:00:00Z"))
    finished = git(work, "rev-parse", "HEAD").strip()
    bare = tmp_path / "github" / "octo-org" / "rnn-s01.git"
    bare.parent.mkdir(parents=True)
    git(work, "clone", "--quiet", "--bare", str(work), str(bare))
    timelines = {"octo-org/rnn-s01": [event(1, "0" * 40, template, "2027-02-01T10:00:05Z", kind="branch_creation"),
                                      event(2, template, finished, "2027-03-06T20:00:00Z")]}
    (tmp_path / "course.toml").write_text(COURSE)
    (tmp_path / "roster.csv").write_text("student,submission\ns01,octo-org/rnn-s01\ns03,octo-org/rnn-s03\n")
    course = str(tmp_path / "course.toml")
    with FakeAPI(timelines) as api:
        env = dict(os.environ, **GIT_ENV, GRADER_GITHUB_URL=(tmp_path / "github").as_uri(), GRADER_GITHUB_API=api.url)
        fetched = run_bare("fetch", "--students", "s01,s03", "--out", str(tmp_path / "submissions"),
                           "--push-times", str(tmp_path / "push-times"), "--course", course, env=env)
    assert fetched.returncode == 1 and (tmp_path / "submissions" / "s03.not-graded").is_file()
    grade = [sys.executable, "-m", "grader", "grade-roster", "--only", "s01", "--only", "s03", "--assignment",
             "a1_cells", "--submissions", str(tmp_path / "submissions"), "--push-times", str(tmp_path / "push-times"),
             "--previous", str(tmp_path / "previous-reports"), "--out", str(tmp_path / "reports"), "--no-gradebook",
             "--skip-notebooks", "--course", course]
    if isolation() != "bubblewrap":
        grade.append("--allow-unisolated")
    graded = subprocess.run(grade, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert graded.returncode == 1, graded.stdout + graded.stderr          # s03 was not graded
    s01 = json.loads((tmp_path / "reports" / "s01.json").read_text())["assignments"]["a1_cells"]
    assert s01["lateness"]["status"] == "penalty" and s01["lateness"]["submitted_at"] == "2027-03-06T20:00:00Z"
    assert s01["lateness"]["time_source"] == "push times recorded by GitHub"
    assert s01["raw_score"] == s01["max_score"] > 0 and s01["score"] == round(s01["max_score"] * 0.9, 4)
    s03 = json.loads((tmp_path / "reports" / "s03.json").read_text())
    assert s03["status"] == "not graded" and "no repository octo-org/rnn-s03" in s03["assignments"]["a1_cells"]["reason"]
    (tmp_path / "reports" / "s03.json").unlink()          # as if the job had died before writing it
    left = run_bare("not-graded", "--students", "s01,s03", "--assignment", "a1_cells", "--reason", "run 7 failed",
                    "--out", str(tmp_path / "reports"))
    assert left.returncode == 0, left.stderr
    collected = run_bare("collect", str(tmp_path / "reports" / "s01.json"), str(tmp_path / "reports" / "s03.json"),
                         "--course", course, "--gradebook", str(tmp_path / "g.sqlite"))
    assert collected.returncode == 0, collected.stderr
    assert "recorded s03: 0 / 0 (" in collected.stdout and "not graded: run 7 failed" in collected.stdout
