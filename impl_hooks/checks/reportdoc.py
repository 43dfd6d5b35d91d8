"""Report contents: R002 (empty, not text, template text left, sections
unchanged from the template) and R003 (a required section missing or empty)
for one Markdown report.

The Markdown reading is just enough for this: ATX and setext headings,
bold label lines (`**Known Limitations:** none`, as many reports write
them), fenced code (which holds no headings and no placeholders), HTML comments
(template instructions, not content), front matter, thematic breaks; the
headings, fences, front matter and comments as `impl_hooks.markdown` reads them.
"N/A" and "None" are answers, not placeholders: "Deviations from Design:
None" is a filled-in report.

Template text, line by line (outside code). A line is split into *fields*
at table pipes, at a label's colon (`Date: ...`) and at a spaced dash
(`` `app.py` - [short purpose] ``); a field is template text when it is:

- a bracketed placeholder that is the whole value of the field, alone or
  with others joined by "or"/"and" (`[Title]`, `[YYYY-MM-DD]`,
  `\\[test user]`, `[✅ Step X.Y COMPLETED] or [⏳ In progress]`). Brackets
  inside a sentence or before a title are content (`- [ ] T001 [P] [US1]
  Add x`, `## [WIP] Login`), and so is Markdown: links `[a](b)`, `[a][b]`,
  reference definitions and the shortcut links they define, images,
  check boxes, footnotes `[^1]`, alerts `[!NOTE]`. A single word in capitals
  or with a digit is a tag, not a placeholder (`[WIP]`, `[P]`, `[US1]`,
  `[x86]`, `[N/A]`); a date format (`[YYYY-MM-DD]`) is a placeholder;
- an option list of status words (`Yes/No`, `Created/Modified`, `Passed /
  Failed`) or one that trails off (`GET/POST/...`): the template's choices;
- a lone TBD, TODO, "..." and such.

Anywhere on a line: `{{name}}`, `<describe the change>`, `[TODO]`, lorem
ipsum, and the template's numbering (`Step X.Y`, `Task X.Y.1`, `Phase X`,
`X.Y`).

Bytes that are not text (a NUL byte, or more than `MAX_BAD_SEQUENCES`
invalid UTF-8 sequences) are one R002 "not text": nothing else is read.

With a `template` (the `template` key of a `[[reports.require]]` entry, read
from the same snapshot), every heading section of the report whose own text
(up to the next heading; bold labels are text here, so one kept fixed line
does not make a filled section look unchanged) is the same as that of the
template's section of the same name is unfilled: R002 at its heading, and the
line findings inside it are left out. A report that is the template whole is
one R002. A kept section can be allowed with `<!-- impl-hooks: ignore[R002]
-->` on its heading. A template path that is not in the commit is one R002
at that path (`missing_template`), not C001: the config is valid and every
other check still runs; the tree lacks a file it names, which the commit
that completes the step must fix, like a missing report (R001). Ignoring it
would let a typo switch the check off unseen.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from ..findings import Finding
from ..markdown import (LIST_MARKER, atx_heading, closes_fence, fence_opener, front_matter_end, setext_level,
                        strip_html_comments)

THEMATIC_BREAK = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
NOT_PARAGRAPH = re.compile(r"^ {0,3}(?:[>|]|" + LIST_MARKER + r")(?:\s|$)|^ {4}|^\t")
INLINE_CODE = re.compile(r"(`+).*?\1")
BOLD_LABEL = re.compile(r"^ {0,3}(\*\*|__)([^*_\n]+?)\1[ \t]*:?[ \t]*(.*)$")
LABEL_LEVEL = 7  # a bold label line is a section below every heading level
HEADING_NUMBER = re.compile(r"^(?:\d+(?:\.\d+)*[.)]?|[A-Za-z][.)])\s+")
MAX_BAD_SEQUENCES = 3  # a stray byte is tolerated; more is another encoding or binary

PLACEHOLDERS = (
    re.compile(r"\{\{.*?\}\}"),
    re.compile(r"\[(?:TODO|TBD|FILL[ _-]?IN|INSERT[^\]]*|PLACEHOLDER)\]", re.IGNORECASE),
    re.compile(r"\blorem ipsum\b", re.IGNORECASE),
    re.compile(r"<(?:fill[ _-]?in|tbd|todo|placeholder)[^<>\n]*>", re.IGNORECASE),
)
# The template's numbering: Step X.Y, Task X.Y.1, Step N.M, Phase X, Epic N, X.Y.
TEMPLATE_NUMBER = re.compile(r"\b(?i:step|task)[ \t]+[XN]\.[YM](?:\.(?:\d+|Z))*(?!\w|\.\w)"
                             r"|\b(?i:phase|epic)[ \t]+[XN](?!\w|\.\w)"
                             r"|(?<![\w.])X\.Y(?:\.\d+)*(?!\w|\.\w)")
ANGLE_TEXT = re.compile(r"<([A-Za-z][^<>\n]*)>")
HTML_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl",
    "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "ins",
    "kbd", "li", "ol", "p", "picture", "pre", "q", "s", "samp", "source", "span",
    "strike", "strong", "sub", "summary", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "tt", "u", "ul", "var", "video",
}
LONE_MARKER = re.compile(
    r"tbd|tba|todo|fixme|to ?do|to be (?:determined|done|written)|xxx|\.\.\.|…", re.IGNORECASE
)
LINE_BULLETS = re.compile(r"^\s*(?:(?:[-+*>]|\d+[.)])\s+)*")

BRACKET = re.compile(r"(!?)\\?\[([^\[\]\n]*)\]")
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[([^\[\]\n]+)\]:", re.MULTILINE)
FIELD_SEPARATOR = re.compile(r"(?<!\\)\||:[*_]*(?:\s+|$)|\s[-–—]+\s")
JOINERS = re.compile(r"\b(?:or|and)\b|\x00", re.IGNORECASE)  # between placeholders (\x00) in a field
DATE_FORMAT = re.compile(r"[YMDHS]{1,4}(?:[-/.:][YMDHS]{1,4})+", re.IGNORECASE)
OPTIONS = re.compile(r"\s*/\s*|\s+or\s+", re.IGNORECASE)
OPTION_WORDS = {
    "yes", "no", "true", "false", "created", "modified", "updated", "deleted", "added", "removed",
    "passed", "failed", "pass", "fail", "skipped", "blocked", "pending", "done", "completed",
    "not started", "in progress",
}
ELLIPSIS = ("...", "…")


class _Heading:
    __slots__ = ("line", "level", "text")

    def __init__(self, line: int, level: int, text: str) -> None:
        self.line, self.level, self.text = line, level, text


def report_findings(path: str, data: bytes, sections: Sequence[str],
                    template: tuple | None = None) -> list[Finding]:
    """R002/R003 for one report's bytes; never raises on arbitrary input.

    `template` is (path, bytes) of the template the config names, when it is
    in the commit.
    """
    binary = _not_text(path, data)
    if binary is not None:
        return [binary]
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    headings, content, prose = _read_markdown(text)
    if not content and not headings:
        return [_r002(path, 1, "report is empty", "write the report")]
    findings = []
    if not content:
        findings.append(
            _r002(path, 1, "report has headings but no text under any of them", "fill in every section")
        )
    unchanged: list = []  # (first line, end line) of sections left as in the template
    if template is not None and content:
        kept, unchanged = _template_findings(path, text, headings, content, template)
        findings += kept
    refs = {label.casefold() for label in REFERENCE_DEFINITION.findall(text)}
    for line, visible in prose:
        if any(first <= line < end for first, end in unchanged):
            continue
        leftover = _placeholder_in(INLINE_CODE.sub("", visible), refs)
        if leftover:
            findings.append(
                _r002(path, line, f"report still holds template text {leftover!r}",
                      "replace the template text with what was actually done")
            )
    content_lines = set(content)
    for wanted in sections:
        findings.extend(_section_findings(path, wanted, headings, content_lines, len(content) > 0))
    return findings


def missing_template(template_path: str) -> Finding:
    """R002 for a configured template that is not in the commit (see the module doc)."""
    return _r002(template_path, None, f"report template {template_path} is not in the commit",
                 f"git add {template_path}, or point reports.require's template at the template file")


def _r002(path: str, line: int | None, message: str, hint: str) -> Finding:
    return Finding("R002", message, path=path, line=line, hint=hint)


def _not_text(path: str, data: bytes) -> Finding | None:
    """R002 for bytes that are not text: a NUL byte, or invalid UTF-8 beyond a few sequences."""
    nul = data.find(b"\0")
    if nul >= 0:
        return _r002(path, data.count(b"\n", 0, nul) + 1, "report is not text (it holds a NUL byte)",
                     "write the report as UTF-8 Markdown text")
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError as error:
        first = error.start
    bad = data.decode("utf-8", errors="replace").count("\ufffd") - data.count("\ufffd".encode())
    if bad <= MAX_BAD_SEQUENCES:
        return None
    return _r002(path, data.count(b"\n", 0, first) + 1,
                 f"report is not UTF-8 text ({bad} invalid byte sequences, the first on this line)",
                 "save the report as UTF-8 Markdown text")


def _template_findings(path, text, headings, content, template) -> tuple:
    """R002 for the report's sections whose own text is the template's, and
    the (first, end) lines of those sections."""
    template_path, template_data = template
    template_text = template_data.decode("utf-8", errors="replace").lstrip("\ufeff")
    if _plain_lines(text) == _plain_lines(template_text):
        whole = _r002(path, 1, f"report is unchanged from {template_path}",
                      "write the report: replace every section's template text with what was done")
        return [whole], [(1, float("inf"))]
    t_headings, t_content, _ = _read_markdown(template_text)
    kept: dict = {}  # section name -> own texts it has in the template
    for heading, body, _ in _own_texts(t_headings, t_content):
        if body:
            kept.setdefault(_normalize_heading(heading.text), []).append(body)
    findings, unchanged = [], []
    for heading, body, end in _own_texts(headings, content):
        if body and body in kept.get(_normalize_heading(heading.text), ()):
            unchanged.append((heading.line, end))
            findings.append(_r002(
                path, heading.line, f'section "{heading.text}" is unchanged from {template_path}',
                f'replace the template\'s text under "{heading.text}" with what this step did'))
    return findings, unchanged


def _own_texts(headings: list, content: dict) -> list:
    """(heading, its own text up to the next heading, the line that ends it) per heading."""
    real = [h for h in headings if h.level < LABEL_LEVEL]
    bodies: list = [[] for _ in real]
    index = -1
    for number, line_text in content.items():  # in line order
        while index + 1 < len(real) and real[index + 1].line <= number:
            index += 1
        if index >= 0:
            bodies[index].append(" ".join(line_text.split()))
    ends = [h.line for h in real[1:]] + [float("inf")]
    return [(h, tuple(body), end) for h, body, end in zip(real, bodies, ends)]


def _plain_lines(text: str) -> list:
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def _read_markdown(text: str):
    """Headings, the content lines ({line number: text}), and the (line, text)
    pairs of prose outside code to search for placeholders."""
    lines = [line.rstrip("\r") for line in text.split("\n")]
    start = front_matter_end(text)[1]
    headings = []
    content: dict = {}
    prose = []
    paragraph: list = []  # (line number, text) of the open paragraph, for setext headings
    fence = ""
    in_comment = False
    for number, raw in enumerate(lines[start:], start=start + 1):
        if fence:
            if closes_fence(raw, fence):
                fence = ""
            elif raw.strip():
                content[number] = raw
            continue
        visible, in_comment = strip_html_comments(raw, in_comment)
        if not visible.strip():
            paragraph = []
            continue
        fence = fence_opener(visible)
        if fence:
            paragraph = []
            continue
        atx = atx_heading(visible)
        if atx:
            headings.append(_Heading(number, *atx))
            prose.append((number, atx[1]))
            paragraph = []
            continue
        level = setext_level(visible) if paragraph else 0
        if level:
            headings.append(_Heading(paragraph[0][0], level, " ".join(t.strip() for _, t in paragraph)))
            for line_number, _ in paragraph:  # the paragraph's lines were the heading, not content
                content.pop(line_number, None)
            paragraph = []
            continue
        if THEMATIC_BREAK.match(visible):
            paragraph = []
            continue
        label = BOLD_LABEL.match(visible)
        if label:
            headings.append(_Heading(number, LABEL_LEVEL, label.group(2)))
            paragraph = []
            if not label.group(3).strip():
                prose.append((number, visible))
                continue
        content[number] = visible
        prose.append((number, visible))
        if NOT_PARAGRAPH.match(visible):
            paragraph = []
        else:
            paragraph.append((number, visible))
    return headings, content, prose


def _placeholder_in(line: str, refs: set) -> str:
    """The template text left on a line (see the module doc), else ""."""
    for pattern in PLACEHOLDERS:
        match = pattern.search(line)
        if match:
            return match.group()
    for match in ANGLE_TEXT.finditer(line):
        inner = match.group(1)
        first = inner.split(None, 1)[0]
        if first.isalpha() and first.lower() not in HTML_TAGS and "=" not in inner:
            if re.search(r"\s|\.\.\.|…", inner):
                return match.group()
    if REFERENCE_DEFINITION.match(line):
        return ""
    placeholders: list = []

    def mask(match) -> str:
        after = line[match.end():match.end() + 1]
        if match.group(2) in (" ", "x", "X") and not match.group(1):
            return ""  # a check box
        if match.group(1) or after in ("(", "[") or not _is_placeholder(match.group(2), refs):
            return "W"  # Markdown or a tag: content, like a word
        placeholders.append(f"[{match.group(2)}]")
        return "\x00"

    masked = LINE_BULLETS.sub("", BRACKET.sub(mask, line))
    seen = 0
    for field in FIELD_SEPARATOR.split(masked):
        count = field.count("\x00")
        if count and not re.search(r"\w", JOINERS.sub("", field)):
            return " or ".join(placeholders[seen:seen + count])
        seen += count
        leftover = _field_leftover(field)
        if leftover:
            return leftover
    number = TEMPLATE_NUMBER.search(line)
    return number.group() if number else ""


def _is_placeholder(inner: str, refs) -> bool:
    """Bracketed text that reads as a placeholder (not a check box, footnote, alert, tag or link)."""
    inner = inner.strip()
    if not inner or inner[0] in "^!" or inner.casefold() in refs:
        return False
    if not any(c.isalpha() for c in inner):
        return False
    if DATE_FORMAT.fullmatch(inner):
        return True
    if not any(c.isspace() for c in inner):
        return not (inner == inner.upper() or any(c.isdigit() for c in inner))
    return True


def _field_leftover(field: str) -> str:
    """A field that is a lone TBD/TODO/... or the template's option list, else ""."""
    bare = LINE_BULLETS.sub("", field).strip(" \t*_~`[]()!:")
    if bare and LONE_MARKER.fullmatch(bare.rstrip(".") or bare):
        return bare
    options = [o.strip(" \t*_~.,;") if o.strip() not in ELLIPSIS else o.strip()
               for o in OPTIONS.split(bare)]
    if len(options) >= 2 and all(options):
        if all(o.casefold() in OPTION_WORDS for o in options):
            return bare
        if options[-1] in ELLIPSIS and all(o not in ELLIPSIS for o in options[:-1]):
            return bare
    return ""


def _normalize_heading(text: str) -> str:
    text = text.strip().lstrip("#").strip()
    text = re.sub(r"[*_`]", "", text)
    text = re.sub(r"^[^\w]+", "", text)  # emoji, bullets
    text = HEADING_NUMBER.sub("", text)
    text = re.sub(r"[\s:.]+$", "", text)
    return " ".join(text.split()).casefold()


def _is_section(heading: _Heading, wanted: str) -> bool:
    """The heading is the section (`1. Changes Made:`, `Changes Made (step 1.2)`)."""
    have = _normalize_heading(heading.text)
    return have == wanted or (have.startswith(wanted) and not have[len(wanted)].isalnum())


def _section_findings(path: str, name: str, headings: list, content: set,
                      has_content: bool) -> list[Finding]:
    wanted = _normalize_heading(name)
    if not wanted:
        return []
    matching = [i for i, h in enumerate(headings) if _is_section(h, wanted)]
    if not matching:
        return [
            Finding("R003", f'required section "{name}" is missing', path=path, line=1,
                    hint=f'add a "## {name}" section and fill it in')
        ]
    if not has_content:
        return []  # R002 already says the whole report is empty
    lines = sorted(content)
    for index in matching:  # linear: a section's end is searched from its own heading on
        heading = headings[index]
        end = next((headings[k].line for k in range(index + 1, len(headings))
                    if headings[k].level <= heading.level), None)
        first = bisect.bisect_left(lines, heading.line)
        if first < len(lines) and (end is None or lines[first] < end):
            return []
    return [
        Finding("R003", f'required section "{name}" is empty', path=path, line=headings[matching[0]].line,
                hint=f'write what belongs under "{name}"')
    ]
