"""Feedback pages as Markdown, for the student's own repository (``grader.semester.deliver``).

The page is ``grader.records.feedback.feedback_page``'s, the same as the HTML one: only the rendering
differs. GitHub renders the file; every text from a report is escaped, so a message holding Markdown
or HTML (an exception text from student code, say) shows as the characters it is. Tables are
GitHub-flavoured; a message of several lines keeps its lines (``<br>``) inside its table cell.
"""

import re

from grader.records.feedback import feedback_page

# Characters that could start Markdown or HTML anywhere in a line (an underscore only at a word's edge:
# inside a word, as in a1_cells, it is plain); CommonMark lets a backslash escape any ASCII punctuation.
INLINE = re.compile(r"([\\`*\[\]<>|~&!]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
# What makes a line a heading, a list item, a quote or a rule when it starts the line.
LINE_START = re.compile(r"^(\s*)([#+=-]|\d+(?=[.)]))")


def escaped(text):
    """``text`` as literal Markdown: one line, every special character escaped."""
    return INLINE.sub(r"\\\1", text)


def _lines(text):
    """The lines of ``text``, each escaped, a leading list/heading mark included."""
    out = []
    for line in str(text).splitlines() or [""]:
        line = escaped(line)
        match = LINE_START.match(line)
        if match:
            mark = match.group(2)
            line = match.group(1) + (mark + "\\" if mark[0].isdigit() else "\\" + mark) + line[match.end():]
        out.append(line)
    return out


def code_span(text, in_table=False):
    """``text`` as an inline code span, fenced with more backticks than it holds in a row."""
    text = " ".join(str(text).splitlines())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") or not text.strip() else text
    if in_table:
        padded = padded.replace("|", "\\|")
    return f"{fence}{padded}{fence}"


def _span(span, in_table):
    if span.style == "code":
        return code_span(span.text, in_table)
    joiner = "<br>" if in_table else "\\\n"
    text = joiner.join(_lines(span.text)) if span.text else ""
    if span.style in ("strong", "fail") and text:
        return f"**{text}**"
    return text


def _spans(spans, in_table=False):
    return "".join(_span(span, in_table) for span in spans)


def page_markdown(page):
    """A ``grader.records.feedback.Page`` as a Markdown document (a string)."""
    out = [f"# {escaped(page.assignment)}: {escaped(page.title)}", ""]
    for block in page.blocks:
        if block.kind == "heading":
            out += [f"## {_spans(block.spans)}", ""]
        elif block.kind == "text":
            out += [_spans(block.spans), ""]
        elif block.kind == "note":
            out += ["> " + line if line else ">" for line in _spans(block.spans).split("\n")] + [""]
        else:
            out.append("| " + " | ".join(escaped(name) for name in block.header) + " |")
            out.append("|" + "---|" * len(block.header))
            out += ["| " + " | ".join(_spans(cell, in_table=True) for cell in row) + " |" for row in block.rows]
            out.append("")
    return "\n".join(out)


def render_markdown(student, assignment, report):
    """The Markdown feedback page of one student's assignment from its ``Report`` (None: not graded)."""
    return page_markdown(feedback_page(student, assignment, report))
