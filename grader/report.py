"""Reports: the JSON written for each graded submission and its Markdown summary."""

import json
from pathlib import Path


def _points(score, max_score):
    return f"{score:g} / {max_score:g}"


def markdown_summary(report, failures=True):
    """A Markdown summary of one report, fit for a terminal or a GitHub Actions job summary."""
    lines = [f"## Grades of `{report['student']}`: {_points(report['score'], report['max_score'])}", ""]
    lines += ["| assignment | hidden suite | notebook (autograded) | total |", "|---|---|---|---|"]
    for name, part in report["assignments"].items():
        suite, notebook = part["suite"], part["notebook"]
        notebook_text = "skipped" if notebook.get("skipped") else _points(notebook["score"], notebook["max_score"])
        lines.append(f"| {name} | {_points(suite['score'], suite['max_score'])} | {notebook_text} | "
                     f"{_points(part['score'], part['max_score'])} |")
    if failures:
        for name, part in report["assignments"].items():
            failed = [t for t in part["suite"]["tests"] if not t["passed"]]
            notes = [n for n in (part.get("feedback"), part["notebook"].get("feedback")) if n]
            if not failed and not notes:
                continue
            lines += ["", f"### {name}: {len(failed)} hidden test(s) failed", ""]
            lines += [f"- {note}" for note in notes]
            for test in failed:
                first = test["feedback"].strip().splitlines()[0] if test["feedback"].strip() else "failed"
                lines.append(f"- `{test['name']}` ({test['max_points']:g} pt): {first[:300]}")
    return "\n".join(lines) + "\n"


def write_report(report, path):
    """Write the report as JSON (creating the folder)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")


def read_report(path):
    """Read a report written by ``write_report``; ValueError with the reason if it is not one."""
    try:
        report = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable report ({exc})") from None
    if not isinstance(report, dict) or not {"student", "score", "max_score", "assignments"} <= set(report):
        raise ValueError(f"{path}: not a grader report (missing student/score/max_score/assignments)")
    return report
