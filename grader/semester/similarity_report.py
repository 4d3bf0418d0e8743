"""The similarity report's files: a self-contained HTML page of the most similar pairs and a CSV of every pair.

The page loads nothing (no script, no stylesheet, no font from elsewhere: it opens offline), forbids
scripts through its Content-Security-Policy, and shows students' code only HTML-escaped.
"""

import csv
import datetime
import html
import re
from pathlib import Path

CSV_HEADER = ["rank", "student_a", "student_b", "percent_of_a_in_b", "percent_of_b_in_a", "source_a", "source_b"]

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #1d1d1f; max-width: 1600px; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; } h3 { font-size: 1em; margin: 1em 0 .3em; }
p.note { background: #fff7e0; border-left: 4px solid #e0a800; padding: .5em .8em; }
table.pairs { border-collapse: collapse; }
table.pairs td, table.pairs th { border: 1px solid #ccc; padding: .25em .6em; }
table.pairs td.num { text-align: right; font-variant-numeric: tabular-nums; }
.side { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
.side h4 { margin: .2em 0; font-size: .95em; }
pre { background: #f6f8fa; border: 1px solid #ddd; padding: .5em; font-size: 12px; white-space: pre-wrap;
      overflow-wrap: anywhere; max-height: 70em; overflow: auto; }
mark { background: #ffb3b3; color: inherit; }
.stub { color: #9a9a9a; }
.source { color: #555; font-size: .9em; }
"""


def percent(fraction):
    """0.923 -> "92%"."""
    return f"{100 * fraction:.0f}%"


def folded(text, keep=2):
    """Stub text with each run of more than three middle lines replaced by one line saying how many.

    The first ``keep`` and last ``keep + 1`` lines stay, and so does every ``def`` or ``class`` line.
    """
    lines = text.split("\n")
    kept = [i < keep or i >= len(lines) - keep - 1 or bool(re.match(r"\s*(def|class)\s", line))
            for i, line in enumerate(lines)]
    out, run = [], []
    for line, keep_line in zip(lines, kept):
        if not keep_line:
            run.append(line)
            continue
        out.extend(run if len(run) <= 3 else [f"    \u2026 {len(run)} lines of the released stub \u2026"])
        run = []
        out.append(line)
    out.extend(run if len(run) <= 3 else [f"    \u2026 {len(run)} lines of the released stub \u2026"])
    return "\n".join(out)


def highlighted(code, marks, own):
    """``code`` HTML-escaped: the ``marks`` spans in ``<mark>``, what lies outside ``own`` (the stub's lines) grey."""
    cuts = sorted({0, len(code), *(i for span in [*marks, *own] for i in span if 0 <= i <= len(code))})
    parts = []
    for start, end in zip(cuts, cuts[1:]):
        text = code[start:end]
        if any(low <= start and end <= high for low, high in marks):
            parts.append(f"<mark>{html.escape(text)}</mark>")
        elif not any(low <= start and end <= high for low, high in own):
            parts.append(f'<span class="stub">{html.escape(folded(text))}</span>')
        else:
            parts.append(html.escape(text))
    return "".join(parts)


def _pair_section(rank, pair, by_student, own):
    """The HTML of one shown pair: its percentages and each shared module side by side."""
    a, b = by_student[pair.student_a], by_student[pair.student_b]
    e = html.escape
    out = [f'<section id="pair-{rank}"><h2>{rank}. {e(a.student)} and {e(b.student)}: '
           f"{percent(pair.similarity_a)} of {e(a.student)}'s code is in {e(b.student)}'s, "
           f"{percent(pair.similarity_b)} of {e(b.student)}'s is in {e(a.student)}'s</h2>",
           f'<p class="source">{e(a.student)}: {e(a.source)} &middot; {e(b.student)}: {e(b.source)}</p>']
    for match in pair.matches:
        out.append(f"<h3>{e(match.module)}</h3><div class=\"side\">")
        for student, spans in ((a, match.spans_a), (b, match.spans_b)):
            out.append(f"<div><h4>{e(student.student)}</h4><pre><code>"
                       f"{highlighted(student.modules[match.module], spans, own[student.student][match.module])}"
                       "</code></pre></div>")
        out.append("</div>")
    out.append("</section>")
    return "\n".join(out)


def report_html(comparison, threshold, generated_at=None):
    """The report page: the pairs whose larger percentage is at least ``threshold`` (0..1), most similar first."""
    e = html.escape
    name = e(comparison.assignment)
    shown = [p for p in comparison.pairs if p.similarity >= threshold]
    by_student = {s.student: s for s in comparison.submissions}
    stamp = generated_at or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    rows = "\n".join(
        f'<tr><td class="num"><a href="#pair-{rank}">{rank}</a></td><td>{e(p.student_a)}</td>'
        f'<td class="num">{percent(p.similarity_a)}</td><td>{e(p.student_b)}</td>'
        f'<td class="num">{percent(p.similarity_b)}</td></tr>'
        for rank, p in enumerate(shown, start=1))
    table = (f'<table class="pairs"><tr><th>#</th><th>student A</th><th>of A in B</th><th>student B</th>'
             f"<th>of B in A</th></tr>\n{rows}</table>" if shown else
             f"<p>No pair reaches {percent(threshold)}.</p>")
    skipped = "".join(f"<li>{e(s.student)}: {e(s.reason)}</li>" for s in comparison.skipped)
    stub_only = ", ".join(e(student) for student in comparison.stub_only)
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>Similarity of {name}</title><style>{STYLE}</style></head><body>",
        f"<h1>Similarity of the {name} submissions</h1>",
        f"<p>{len(comparison.submissions)} submissions compared, {len(comparison.pairs)} pairs; "
        f"the {len(shown)} pair(s) where at least {percent(threshold)} of one student's code occurs in the other's "
        f"are shown, most similar first ({name}.csv lists every pair). Generated {e(stamp)}.</p>",
        '<p class="note">"of A in B" is the share of A\'s own code that also occurs in B\'s: the code of the '
        "released stub is removed first, names, strings, comments and layout are ignored, and only runs of at least "
        f"{comparison.noise} tokenised characters count. A high percentage is evidence to look at, not proof: "
        "short functions written to the same specification can coincide, so read the highlighted code "
        "side by side before drawing any conclusion. In the code, shared code is marked in red and the lines of the "
        "released stub are grey (long runs of them folded).</p>",
        table,
        *[_pair_section(rank, p, by_student, comparison.own) for rank, p in enumerate(shown, start=1)],
        "<h2>Not compared</h2>",
        f"<ul>{skipped}</ul>" if skipped else "<p>Every roster student was compared.</p>",
        f"<p>No code beyond the released stub: {stub_only}.</p>" if stub_only else "",
        f'<p class="source">Module(s): {", ".join(e(m) for m in comparison.stubs)}. Fingerprints: copydetect '
        f"(winnowing), noise threshold {comparison.noise}, guarantee threshold {comparison.guarantee}.</p>",
        "</body></html>", ""])


def write_similarity_report(comparison, out_dir, threshold):
    """Write ``<out_dir>/<assignment>.html`` (pairs at or above ``threshold``) and ``<assignment>.csv`` (every pair).

    Returns the two paths.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    page = out / f"{comparison.assignment}.html"
    page.write_text(report_html(comparison, threshold))
    table = out / f"{comparison.assignment}.csv"
    sources = {s.student: s.source for s in comparison.submissions}
    with table.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        for rank, p in enumerate(comparison.pairs, start=1):
            writer.writerow([rank, p.student_a, p.student_b, f"{100 * p.similarity_a:.1f}",
                             f"{100 * p.similarity_b:.1f}", sources[p.student_a], sources[p.student_b]])
    return page, table
