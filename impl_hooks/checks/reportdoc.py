"""Report contents: R002 (empty, headings only, template text left) and
R003 (a required section missing or empty) for one Markdown report.

The Markdown reading is just enough for this: ATX and setext headings,
bold label lines (`**Known Limitations:** none`, as many reports write
them), fenced code (which holds no headings and no placeholders), HTML comments
(template instructions, not content), YAML front matter, thematic breaks.
"N/A" and "None" are answers, not placeholders: "Deviations from Design:
None" is a filled-in report.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from ..findings import Finding
from ..plan.markdown import strip_html_comments

ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
THEMATIC_BREAK = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
NOT_PARAGRAPH = re.compile(r"^ {0,3}(?:[-+*>|]|\d+[.)])(?:\s|$)|^ {4}|^\t")
INLINE_CODE = re.compile(r"(`+).*?\1")
BOLD_LABEL = re.compile(r"^ {0,3}(\*\*|__)([^*_\n]+?)\1[ \t]*:?[ \t]*(.*)$")
LABEL_LEVEL = 7  # a bold label line is a section below every heading level
HEADING_NUMBER = re.compile(r"^(?:\d+(?:\.\d+)*[.)]?|[A-Za-z][.)])\s+")

PLACEHOLDERS = (
    re.compile(r"\{\{.*?\}\}"),
    re.compile(r"\[(?:TODO|TBD|FILL[ _-]?IN|INSERT[^\]]*|PLACEHOLDER)\]", re.IGNORECASE),
    re.compile(r"\blorem ipsum\b", re.IGNORECASE),
    re.compile(r"<(?:fill[ _-]?in|tbd|todo|placeholder)[^<>\n]*>", re.IGNORECASE),
)
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


class _Heading:
    __slots__ = ("line", "level", "text")

    def __init__(self, line: int, level: int, text: str) -> None:
        self.line, self.level, self.text = line, level, text


def report_findings(path: str, data: bytes, sections: Sequence[str]) -> list[Finding]:
    """R002/R003 for one report's bytes; never raises on arbitrary input."""
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    headings, content, prose = _read_markdown(text)
    if not content and not headings:
        return [_r002(path, 1, "report is empty", "write the report")]
    findings = []
    if not content:
        findings.append(
            _r002(path, 1, "report has headings but no text under any of them", "fill in every section")
        )
    for line, visible in prose:
        leftover = _placeholder_in(INLINE_CODE.sub("", visible))
        if leftover:
            findings.append(
                _r002(path, line, f"report still holds template text {leftover!r}",
                      "replace the template text with what was actually done")
            )
    content_lines = set(content)
    for wanted in sections:
        findings.extend(_section_findings(path, wanted, headings, content_lines, len(content) > 0))
    return findings


def _r002(path: str, line: int, message: str, hint: str) -> Finding:
    return Finding("R002", message, path=path, line=line, hint=hint)


def _read_markdown(text: str):
    """Headings, the line numbers that carry content, and the (line, text)
    pairs of prose outside code to search for placeholders."""
    lines = [line.rstrip("\r") for line in text.split("\n")]
    headings = []
    content = []
    prose = []
    paragraph = []  # (line number, text) of the open paragraph, for setext headings
    fence = ""
    in_comment = False
    start = _front_matter_end(lines)
    for number, raw in enumerate(lines[start:], start=start + 1):
        if fence:
            if re.match(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$", raw):
                fence = ""
            elif raw.strip():
                content.append(number)
            continue
        visible, in_comment = strip_html_comments(raw, in_comment)
        if not visible.strip():
            paragraph = []
            continue
        opened = FENCE.match(visible)
        if opened:
            fence, paragraph = opened.group(1), []
            continue
        atx = ATX_HEADING.match(visible)
        if atx:
            headings.append(_Heading(number, len(atx.group(1)), (atx.group(2) or "").strip()))
            prose.append((number, atx.group(2) or ""))
            paragraph = []
            continue
        underline = SETEXT_UNDERLINE.match(visible)
        if underline and paragraph:
            level = 1 if underline.group(1)[0] == "=" else 2
            headings.append(_Heading(paragraph[0][0], level, " ".join(t.strip() for _, t in paragraph)))
            del content[len(content) - len(paragraph):]  # the paragraph's lines were the last ones
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
        content.append(number)
        prose.append((number, visible))
        if NOT_PARAGRAPH.match(visible):
            paragraph = []
        else:
            paragraph.append((number, visible))
    return headings, content, prose


def _front_matter_end(lines: list) -> int:
    """Lines of a leading YAML front matter block (metadata, not content)."""
    if not lines or lines[0].strip() != "---":
        return 0
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return index + 1
    return 0


def _placeholder_in(line: str) -> str:
    """The template text left on a line: `{{name}}`, `<describe the change>`,
    `[TODO]`, lorem ipsum, or a line that is only TBD/TODO/...; else ""."""
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
    bare = LINE_BULLETS.sub("", line).strip(" \t*_~`[]()!:")
    if bare and LONE_MARKER.fullmatch(bare.rstrip(".") or bare):
        return line.strip()
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
    matching = [h for h in headings if _is_section(h, wanted)]
    if not matching:
        return [
            Finding("R003", f'required section "{name}" is missing', path=path, line=1,
                    hint=f'add a "## {name}" section and fill it in')
        ]
    if not has_content:
        return []  # R002 already says the whole report is empty
    for heading in matching:
        end = next(
            (h.line for h in headings if h.line > heading.line and h.level <= heading.level),
            None,
        )
        if any(heading.line <= line and (end is None or line < end) for line in content):
            return []
    return [
        Finding("R003", f'required section "{name}" is empty', path=path, line=matching[0].line,
                hint=f'write what belongs under "{name}"')
    ]
