"""A simulated semester, end to end: grade-roster, collect, export, summary and feedback on local git
repositories made from the student template, with recorded push timelines in the shape of GitHub's
repository activity API.

The course: a1_cells due 2026-03-01 12:00 UTC, a2_bptt due 2026-03-15 12:00 UTC, a3_airline due 2099
(not due: never graded); policy "last-before-due", 15 minutes' grace, 10 % per started day, at most
7 days late. Every repository starts with the template's initial commit (the released stubs). The
students (``push`` = when GitHub recorded the push that delivered the work):

  ontime     a1 and a2 finished and pushed before each due date
  a2later    a1 pushed on time; after a1's due date only a2 work (which never makes a1 late)
  late       a1 pushed 1.9 days late and nothing before: graded with 2 started days x 10 %; a2 never touched
  never      never worked: both "not submitted", 0 points, said so (never "on time")
  backdated  a1 committed after the due date with GIT_COMMITTER_DATE set before it; pushed 3.5 days late
  extended   an extension of a1 to the due date + 3 days; pushed 2 days after the due date: on time
  forced     a wrong a1 pushed before the due date, then removed by a force-push 1 day late that
             delivered the finished a1: the removed commit is not the submission
  plain      the released stubs in a plain folder (no history): graded as it is, lateness "unknown"
  ghost      a roster line whose repository does not exist: a "not graded" report, a CSV row, a page
"""

import csv
import datetime
import fcntl
import html
import json
import shutil
import sqlite3

import pytest

from grader.semester.course import LateRule
from grader.semester.lateness import Submission, decide, penalty_for
from grader.authoring.mutants import build_mutant
from grader.paths import ASSIGNMENTS, MUTANTS, SOLUTIONS
from tests.conftest import git, run_grader, shared_folder

A1, A2, A3 = "a1_cells", "a2_bptt", "a3_airline"
STUDENTS = ["a2later", "backdated", "extended", "forced", "ghost", "late", "never", "ontime", "plain"]
A1_DUE = datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.timezone.utc)
A2_DUE = datetime.datetime(2026, 3, 15, 12, tzinfo=datetime.timezone.utc)
COURSE = """\
[course]
name = "Simulated semester"
roster = "roster.csv"
student_template = "course/template"
extensions = "extensions.csv"

[late]
policy = "last-before-due"
grace_minutes = 15
penalty_per_day = 0.1
max_late_days = 7

[assignments.a1_cells]
due = 2026-03-01T12:00:00Z
points = 20

[assignments.a2_bptt]
due = 2026-03-15T12:00:00Z
points = 25

[assignments.a3_airline]
due = 2099-04-23T23:59:00+02:00
points = 25
"""
IGNORE = shutil.ignore_patterns("__pycache__", ".pytest_cache", ".ipynb_checkpoints")


def days(n, base=A1_DUE):
    return base + datetime.timedelta(days=n)


def stamp(moment):
    return moment.isoformat().replace("+00:00", "Z")


class Repo:
    """A student's repository made from the template, and the pushes GitHub recorded for it."""

    def __init__(self, path):
        self.path, self.events = path, []
        path.mkdir(parents=True)
        git(path, "init", "--quiet", "--initial-branch=main")
        for name in (A1, A2, A3):
            shutil.copytree(ASSIGNMENTS / name, path / "assignments" / name, ignore=IGNORE)
        (path / "README.md").write_text("The course's student template.\n")
        self.root = self.commit("Initial commit", days(-30))
        self.push(days(-30), kind="branch_creation")

    def commit(self, message, when, files=None):
        for name, source in (files or {}).items():
            target = self.path / "assignments" / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target, ignore=IGNORE)
        git(self.path, "add", "--all")
        git(self.path, "commit", "--quiet", "--allow-empty", "-m", message, when=when)
        return git(self.path, "rev-parse", "HEAD")

    def push(self, when, after=None, kind="push"):
        before = self.events[-1]["after"] if self.events else "0" * 40
        after = after or git(self.path, "rev-parse", "HEAD")
        self.events.append({"id": len(self.events) + 1, "node_id": f"RA_{len(self.events)}", "before": before,
                            "after": after, "ref": "refs/heads/main", "timestamp": stamp(when),
                            "activity_type": kind, "actor": {"login": "student"}})


def build_semester(root):
    repos, solved = root / "repos", {A1: SOLUTIONS / A1, A2: SOLUTIONS / A2}
    timelines = {}

    r = Repo(repos / "ontime")
    r.commit("a1", days(-2), {A1: solved[A1]}); r.push(days(-2))
    r.commit("a2", days(-1, A2_DUE), {A2: solved[A2]}); r.push(days(-1, A2_DUE))
    timelines["ontime"] = r

    r = Repo(repos / "a2later")
    r.commit("a1", days(-2), {A1: solved[A1]}); r.push(days(-2))
    r.commit("a2 started", days(5), {A2: ASSIGNMENTS / A2}); (r.path / "notes.md").write_text("a2 plan\n")
    r.commit("a2 notes", days(5)); r.push(days(5))
    r.commit("a2", days(-1, A2_DUE), {A2: solved[A2]}); r.push(days(-1, A2_DUE))
    timelines["a2later"] = r

    r = Repo(repos / "late")
    r.commit("a1, late", days(1.9), {A1: solved[A1]}); r.push(days(1.9))
    timelines["late"] = r

    r = Repo(repos / "never")
    timelines["never"] = r

    r = Repo(repos / "backdated")
    r.commit("a1 (dated before the due date)", days(-1), {A1: solved[A1]}); r.push(days(3.5))
    timelines["backdated"] = r

    r = Repo(repos / "extended")
    r.commit("a1", days(2), {A1: solved[A1]}); r.push(days(2))
    timelines["extended"] = r

    r = Repo(repos / "forced")
    wrong = build_mutant(A1, MUTANTS / A1 / "rnn_missing_second_bias.py", root / "wrong-a1")
    r.commit("a1 (wrong)", days(-1), {A1: wrong}); r.push(days(-1))
    removed = git(r.path, "rev-parse", "HEAD")
    git(r.path, "reset", "--quiet", "--hard", r.root)
    r.commit("a1", days(1), {A1: solved[A1]}); r.push(days(1), kind="force_push")
    (r.path / ".git" / "ORIG_HEAD").unlink(missing_ok=True)
    git(r.path, "reflog", "expire", "--expire=now", "--all")
    git(r.path, "gc", "--quiet", "--prune=now")
    timelines["forced"] = r

    for name in (A1, A2, A3):
        shutil.copytree(ASSIGNMENTS / name, repos / "plain" / "assignments" / name, ignore=IGNORE)

    pushes = root / "push-times"
    pushes.mkdir()
    for student, repo in timelines.items():
        (pushes / f"{student}.json").write_text(json.dumps(repo.events, indent=1))
    (pushes / "plain.json").write_text("[]")
    (root / "course.toml").write_text(COURSE)
    (root / "extensions.csv").write_text("student,assignment,due\nextended,a1_cells,2026-03-04T12:00:00Z\n")
    lines = ["student,submission"] + [f"{s},./repos/{s}" for s in STUDENTS]
    (root / "roster.csv").write_text("\n".join(lines) + "\n")
    return {"removed": removed, "roots": {s: r.root for s, r in timelines.items()}}


def grade_semester(root):
    built = build_semester(root)
    course, book = root / "course.toml", root / "gradebook.sqlite"
    first = run_grader("grade-roster", "--course", str(course), "--jobs", "2", "--out", str(root / "reports"),
                       "--skip-notebooks", "--push-times", str(root / "push-times"), "--gradebook", str(book))
    export = run_grader("export", "--csv", str(root / "grades.csv"), "--late", "--course", str(course),
                        "--gradebook", str(book))
    feedback = run_grader("feedback", "--out", str(root / "feedback"), "--course", str(course), "--gradebook", str(book))
    summary = run_grader("summary", "--course", str(course), "--gradebook", str(book))
    again = run_grader("grade-roster", "--course", str(course), "--jobs", "2", "--out", str(root / "again"),
                       "--skip-notebooks", "--push-times", str(root / "push-times"), "--gradebook", str(book))
    return dict(built, first=first.__dict__, export=export.__dict__, feedback=feedback.__dict__,
                summary=summary.__dict__, again=again.__dict__)


@pytest.fixture(scope="module")
def semester(tmp_path_factory):
    """Build and grade the semester once per run, whichever xdist worker comes first (a file lock)."""
    root = shared_folder(tmp_path_factory, "simulated-semester")
    root.mkdir(exist_ok=True)
    with open(root.parent / "simulated-semester.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "done.json").exists():
            (root / "done.json").write_text(json.dumps(grade_semester(root), default=str))
    result = json.loads((root / "done.json").read_text())
    result["root"] = root
    result["csv"] = {row["student"]: row for row in csv.DictReader((root / "grades.csv").open())}
    return result


def part(semester, student, assignment=A1):
    return json.loads((semester["root"] / "reports" / f"{student}.json").read_text())["assignments"][assignment]


@pytest.mark.slow
def test_every_student_gets_a_report_and_only_due_assignments_are_graded(semester):
    first = semester["first"]
    assert first["returncode"] == 1, "a student who could not be graded must fail the command"
    assert "Graded a1_cells, a2_bptt." in first["stdout"], first["stdout"] + first["stderr"]
    reports = sorted(p.stem for p in (semester["root"] / "reports").glob("*.json"))
    assert reports == STUDENTS
    for student in STUDENTS:
        report = json.loads((semester["root"] / "reports" / f"{student}.json").read_text())
        assert sorted(report["assignments"]) == [A1, A2], "a3_airline is not due: it is never graded"
        assert report["schema_version"] == 2
    with sqlite3.connect(semester["root"] / "gradebook.sqlite") as db:
        assert {a for (a,) in db.execute("SELECT DISTINCT assignment FROM grades")} == {A1, A2}


# The grade each student should get: (a1 status, a1 fraction of the maximum, a2 status, a2 fraction).
EXPECTED = {
    "ontime": ("on-time", 1.0, "on-time", 1.0),
    "a2later": ("on-time", 1.0, "on-time", 1.0),
    "late": ("penalty", 0.8, "not-submitted", 0.0),
    "never": ("not-submitted", 0.0, "not-submitted", 0.0),
    "backdated": ("penalty", 0.6, "not-submitted", 0.0),
    "extended": ("on-time", 1.0, "not-submitted", 0.0),
    "forced": ("penalty", 0.9, "not-submitted", 0.0),
    "plain": ("unknown", 0.0, "unknown", 0.0),
}


@pytest.mark.slow
@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_each_student_gets_the_grade_they_should(semester, student):
    a1_status, a1_share, a2_status, a2_share = EXPECTED[student]
    for assignment, status, share in ((A1, a1_status, a1_share), (A2, a2_status, a2_share)):
        graded = part(semester, student, assignment)
        assert graded["lateness"]["status"] == status, (student, assignment, graded["lateness"]["note"])
        assert graded["max_score"] > 0
        assert graded["score"] == pytest.approx(round(graded["max_score"] * share, 4)), (student, assignment)
        row = semester["csv"][student]
        assert float(row[assignment]) == pytest.approx(graded["score"])
        assert row[f"{assignment}_late"] == status


@pytest.mark.slow
def test_a2_work_after_a1s_due_date_leaves_a1_on_time(semester):
    a1 = part(semester, "a2later")["lateness"]
    assert a1["status"] == "on-time" and a1["late_days"] == 0 and a1["penalty"] == 0


@pytest.mark.slow
def test_late_work_with_nothing_on_time_is_graded_with_the_penalty_not_on_the_stub(semester):
    late = part(semester, "late")
    assert late["raw_score"] == late["max_score"], "the late work itself is graded, not the template's stub"
    assert late["lateness"]["penalty"] == pytest.approx(0.2) and late["lateness"]["late_days"] == pytest.approx(1.9)
    assert "2 started day(s) x 10%" in late["lateness"]["note"]
    assert late["lateness"]["time_source"] == "push times recorded by GitHub"


@pytest.mark.slow
def test_a_student_who_never_worked_is_not_submitted_never_on_time(semester):
    for assignment in (A1, A2):
        never = part(semester, "never", assignment)
        assert never["score"] == 0 and never["lateness"]["penalty"] == 1.0
        assert never["lateness"]["note"].startswith("Not submitted")
        assert "on time" not in never["lateness"]["note"].lower()
    page = html.unescape((semester["root"] / "feedback" / "never" / f"{A1}.html").read_text())
    assert "Not submitted" in page


@pytest.mark.slow
def test_a_back_dated_commit_is_late_by_its_push(semester):
    backdated = part(semester, "backdated")
    assert backdated["lateness"]["submitted_at"] == "2026-03-05T00:00:00Z"
    assert backdated["lateness"]["penalty"] == pytest.approx(0.4), "3.5 days late: 4 started days x 10 %"


@pytest.mark.slow
def test_an_extension_moves_the_due_date_and_is_shown(semester):
    extended = part(semester, "extended")["lateness"]
    assert extended["extension"] == "2026-03-04T12:00:00Z" and extended["due"] == "2026-03-01T12:00:00Z"
    page = html.unescape((semester["root"] / "feedback" / "extended" / f"{A1}.html").read_text())
    assert "your extension: 2026-03-04T12:00:00Z" in page


@pytest.mark.slow
def test_a_force_pushed_away_commit_is_not_the_submission(semester):
    forced = part(semester, "forced")
    assert forced["lateness"]["commit"] != semester["removed"]
    assert forced["raw_score"] == forced["max_score"], "the finished a1 that the force-push delivered is graded"
    assert "could not be inspected" in forced["lateness"]["note"]


@pytest.mark.slow
def test_the_ghost_is_not_graded_but_nobody_is_lost(semester):
    ghost = json.loads((semester["root"] / "reports" / "ghost.json").read_text())
    assert ghost["status"] == "not graded"
    assert ghost["assignments"][A1]["reason"] == "./repos/ghost: no such submission folder or repository"
    rows = semester["csv"]
    assert sorted(rows) == STUDENTS
    assert rows["ghost"]["status"] == "not graded" and "no such submission folder" in rows["ghost"]["reason"]
    assert rows["ghost"][A1] == ""
    assert all(rows[s]["status"] == "graded" for s in STUDENTS if s != "ghost")
    summary = semester["summary"]["stdout"]
    assert "## Not graded: 1 student(s)" in summary and "- ghost: a1_cells: ./repos/ghost" in summary
    page = html.unescape((semester["root"] / "feedback" / "ghost" / f"{A1}.html").read_text())
    assert "could not be graded: ./repos/ghost: no such submission folder" in page
    pages = sorted(p.parent.name for p in (semester["root"] / "feedback").glob(f"*/{A1}.html"))
    assert pages == STUDENTS


@pytest.mark.slow
def test_the_daily_regrade_reuses_every_unchanged_result(semester):
    again = semester["again"]
    assert again["returncode"] == 1, again["stdout"] + again["stderr"]   # the ghost is still not graded
    graded = len(STUDENTS) - 1
    assert f"{graded * 2} assignment result(s) reused unchanged" in again["stdout"], again["stdout"]
    for student in STUDENTS:
        if student == "ghost":
            continue
        before = json.loads((semester["root"] / "reports" / f"{student}.json").read_text())
        after = json.loads((semester["root"] / "again" / f"{student}.json").read_text())
        assert before["assignments"] == after["assignments"], student


@pytest.mark.slow
def test_commit_dates_are_used_without_a_timeline_and_the_report_says_so(tmp_path):
    repo = Repo(tmp_path / "repos" / "ada")
    repo.commit("a1 (dated before the due date)", days(-1), {A1: SOLUTIONS / A1})
    (tmp_path / "course.toml").write_text(COURSE.replace('extensions = "extensions.csv"\n', ""))
    (tmp_path / "roster.csv").write_text("student,submission\nada,./repos/ada\n")
    run = run_grader("grade-roster", "--course", str(tmp_path / "course.toml"), "--out", str(tmp_path / "r"),
                     "--no-gradebook", "--skip-notebooks", "--assignment", A1)
    assert run.returncode == 0, run.stdout + run.stderr
    lateness = json.loads((tmp_path / "r" / "ada.json").read_text())["assignments"][A1]["lateness"]
    assert lateness["status"] == "on-time"
    assert lateness["time_source"] == "commit dates (can be set by the student)"
    assert "(time source: commit dates (can be set by the student))" in lateness["note"]


def test_a_missing_timeline_is_not_graded_rather_than_trusting_commit_dates(tmp_path):
    repo = Repo(tmp_path / "repos" / "ada")
    repo.commit("a1", days(-1), {A1: SOLUTIONS / A1})
    (tmp_path / "course.toml").write_text(COURSE.replace('extensions = "extensions.csv"\n', ""))
    (tmp_path / "roster.csv").write_text("student,submission\nada,./repos/ada\n")
    (tmp_path / "push-times").mkdir()
    run = run_grader("grade-roster", "--course", str(tmp_path / "course.toml"), "--out", str(tmp_path / "r"),
                     "--no-gradebook", "--skip-notebooks", "--assignment", A1,
                     "--push-times", str(tmp_path / "push-times"))
    assert run.returncode == 1
    report = json.loads((tmp_path / "r" / "ada.json").read_text())
    assert report["status"] == "not graded" and "no push timeline" in report["assignments"][A1]["reason"]


@pytest.mark.slow
def test_mixed_grading_versions_are_refused_and_stale_students_regraded(semester, tmp_path):
    """An older grading version in the gradebook (as after a hidden test was added): export and
    summary refuse and name the student; grade-roster --stale regrades exactly that student."""
    root = semester["root"]
    book = tmp_path / "g.sqlite"
    shutil.copy(root / "gradebook.sqlite", book)
    with sqlite3.connect(book) as db:
        text, = db.execute("SELECT report FROM grades WHERE student = 'late' AND assignment = ?", (A1,)).fetchone()
        report = json.loads(text)
        report["assignments"][A1]["grading_version"] = "0123456789abcdef"
        db.execute("UPDATE grades SET report = ? WHERE student = 'late' AND assignment = ?", (json.dumps(report), A1))
    export = run_grader("export", "--csv", str(tmp_path / "g.csv"), "--gradebook", str(book))
    assert export.returncode == 1 and not (tmp_path / "g.csv").exists()
    assert "a1_cells: graded by 2 grading versions" in export.stderr and ": late. Regrade them" in export.stderr
    assert run_grader("summary", "--gradebook", str(book)).returncode == 1
    mixed = run_grader("export", "--csv", str(tmp_path / "g.csv"), "--gradebook", str(book), "--allow-mixed")
    assert mixed.returncode == 0 and "warning (--allow-mixed)" in mixed.stderr
    stale = run_grader("grade-roster", "--course", str(root / "course.toml"), "--out", str(tmp_path / "r"),
                       "--skip-notebooks", "--push-times", str(root / "push-times"), "--gradebook", str(book),
                       "--stale")
    assert stale.returncode == 0, stale.stdout + stale.stderr
    assert sorted(p.stem for p in (tmp_path / "r").glob("*.json")) == ["late"]
    assert "| late | graded |" in stale.stdout and "1 assignment result(s) reused" in stale.stdout
    assert run_grader("export", "--csv", str(tmp_path / "g.csv"), "--gradebook", str(book)).returncode == 0


@pytest.mark.slow
def test_a_not_graded_result_never_replaces_a_grade(semester, tmp_path):
    from grader.records.gradebook import collect, stored_reports
    from grader.records.report import write_report
    from grader.records.results import not_graded_report

    book = tmp_path / "g.sqlite"
    shutil.copy(semester["root"] / "gradebook.sqlite", book)
    write_report(not_graded_report("ontime", [A1], "checkout failed"), tmp_path / "ontime.json")
    result, = collect(book, [tmp_path / "ontime.json"], [A1, A2, A3])
    assert result["kept"] == [A1]
    stored = {(s, a): r for s, a, r in stored_reports(book)}
    assert stored[("ontime", A1)].assignments[A1].graded and stored[("ontime", A1)].score > 0


# --- units: no grading ---------------------------------------------------------------------------

UTC = datetime.timezone.utc
DUE = datetime.datetime(2027, 3, 1, 12, tzinfo=UTC)


def at(hours):
    return DUE + datetime.timedelta(hours=hours)


@pytest.mark.parametrize("policy, commits, status, graded, penalty", [
    ("last-before-due", [("b", at(-1)), ("a", at(-5))], "on-time", "b", 0.0),
    ("last-before-due", [("b", at(0.2)), ("a", at(-5))], "on-time", "b", 0.0),  # inside 15 minutes' grace
    ("last-before-due", [("c", at(30)), ("b", at(1)), ("a", at(-5))], "last-before-due", "a", 0.0),
    ("last-before-due", [("b", at(30)), ("a", at(2))], "penalty", "b", 0.2),  # nothing before: penalty
    ("penalty", [("b", at(30)), ("a", at(-5))], "penalty", "b", 0.2),
    ("penalty", [("b", at(24)), ("a", at(-5))], "penalty", "b", 0.1),
    ("penalty", [("b", at(24 * 7 + 1))], "penalty", "b", 1.0),  # past max_late_days
    ("penalty", [], "not-submitted", None, 1.0),
    ("last-before-due", [], "not-submitted", None, 1.0),
])
def test_decide(policy, commits, status, graded, penalty):
    rule = LateRule(policy=policy, grace_minutes=15, penalty_per_day=0.1, max_late_days=7)
    out = decide([Submission(sha, moment) for sha, moment in commits], DUE, rule)
    assert (out.status, out.commit, out.penalty) == (status, graded, penalty)


def test_an_extension_is_the_due_date_that_applies():
    rule = LateRule(policy="penalty", grace_minutes=0, penalty_per_day=0.1, max_late_days=7)
    out = decide([Submission("b", at(30))], at(48), rule, extended=True, course_due=DUE)
    assert (out.status, out.penalty, out.extension, out.due) == ("on-time", 0.0, "2027-03-03T12:00:00Z",
                                                                 "2027-03-01T12:00:00Z")


def test_penalty_is_capped_at_the_whole_score():
    rule = LateRule(policy="penalty", penalty_per_day=0.4, max_late_days=10)
    assert [penalty_for(d, rule) for d in (0, 0.5, 1, 1.01, 3)] == [0.0, 0.4, 0.4, 0.8, 1.0]


def test_only_due_assignments_unless_all(tmp_path):
    from grader.semester.course import load_course
    from grader.semester.grade_roster import assignments_to_grade

    (tmp_path / "course.toml").write_text(COURSE.replace('extensions = "extensions.csv"\n', ""))
    course = load_course(tmp_path / "course.toml")
    now = datetime.datetime(2026, 3, 10, tzinfo=UTC)
    assert assignments_to_grade(course, None, now) == [A1]
    assert assignments_to_grade(course, ["all"], now) == [A1, A2, A3]
    assert assignments_to_grade(course, [A3], now) == [A3]


@pytest.mark.parametrize("text, message", [
    ("student,due\nada,2026-03-04T12:00:00Z\n", "the first line must be the header `student,assignment,due`"),
    ("student,assignment,due\nada,a9_nothing,2026-03-04T12:00:00Z\n", "extensions.csv:2: 'a9_nothing' is not"),
    ("student,assignment,due\nada,a1_cells,2026-03-04T12:00:00\n", "extensions.csv:2: due '2026-03-04T12:00:00' "
                                                                    "needs a time zone"),
    ("student,assignment,due\nada,a1_cells,soon\n", "extensions.csv:2: due 'soon' is not a date-time"),
    ("student,assignment,due\nada,a1_cells,2026-03-04T12:00:00Z\nada,a1_cells,2026-03-05T12:00:00Z\n",
     "extensions.csv:3: a second extension of a1_cells for ada"),
])
def test_bad_extension_files_get_one_line(tmp_path, text, message):
    from grader.semester.course import CourseError, load_course

    (tmp_path / "course.toml").write_text(COURSE)
    (tmp_path / "extensions.csv").write_text(text)
    with pytest.raises(CourseError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_course(tmp_path / "course.toml")


def test_under_the_penalty_policy_too_only_commits_that_touch_a1_are_a1_submissions(tmp_path):
    from grader.semester.history import first_parent_history
    from grader.semester.lateness import submissions_of

    repo = Repo(tmp_path / "ada")
    on_time = repo.commit("a1", days(-1), {A1: SOLUTIONS / A1})
    (repo.path / "assignments" / A2 / "notes.md").write_text("a2, later\n")
    repo.commit("a2", days(12))
    history = first_parent_history(repo.path)
    times = {c.sha: c.committed_at for c in history}
    found = submissions_of(history, (f"assignments/{A1}", A1), times)
    assert [s.commit for s in found] == [on_time], "neither the template's commit nor the a2 commit is an a1 submission"
    rule = LateRule(policy="penalty", grace_minutes=0, penalty_per_day=0.1, max_late_days=7)
    assert decide(found, A1_DUE, rule).status == "on-time"
    assert [s.commit for s in submissions_of(history, (f"assignments/{A3}", A3), times)] == []


def test_pushes_to_other_branches_do_not_deliver_and_unpushed_commits_count_from_now(tmp_path):
    from grader.semester.pushes import push_times, read_timeline

    repo = Repo(tmp_path / "ada")
    first = repo.commit("a1", days(-1), {A1: SOLUTIONS / A1})
    second = repo.commit("a1 again", days(-1))
    repo.push(days(-3), after=first)
    repo.events[-1]["ref"] = "refs/heads/experiment"        # this push went to another branch
    repo.push(days(2), after=first)
    (tmp_path / "t.json").write_text(json.dumps(repo.events))
    now = days(9)
    found = push_times(repo.path, read_timeline(tmp_path / "t.json"), "refs/heads/main", [first, second], now)
    assert found.times == {first: days(2), second: now}
    assert any("appear in no recorded push" in note for note in found.notes)


@pytest.mark.parametrize("text, message", [
    ("{not json", "not a readable push timeline"),
    ('{"events": []}', "must be the activity API's list of events"),
    ('[{"ref": "refs/heads/main"}]', r"t.json\[0\]: needs `ref` and `after` strings"),
    ('[{"ref": "refs/heads/main", "after": "ab", "timestamp": "yesterday"}]', "is not a date-time"),
    ('[{"ref": "refs/heads/main", "after": "ab", "timestamp": "2026-03-01T12:00:00"}]', "has no time zone"),
])
def test_a_bad_timeline_is_refused_with_one_line(tmp_path, text, message):
    from grader.semester.pushes import TimelineError, read_timeline

    (tmp_path / "t.json").write_text(text)
    with pytest.raises(TimelineError, match=message):
        read_timeline(tmp_path / "t.json")
