"""The Markdown primitives (impl_hooks.markdown) and the three readers that share them."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impl_hooks.checks.reportdoc import report_findings
from impl_hooks.findings import Finding
from impl_hooks.markdown import (LIST_ITEM, atx_heading, closes_fence, fence_closer, fence_opener, front_matter_end,
                                 setext_level, strip_html_comments)
from impl_hooks.plan.markdown import read_markdown_plan
from impl_hooks.structure.parse import read_sections


@pytest.mark.parametrize("line, expected", [
    ("# Title", (1, "Title")),
    ("###### Six", (6, "Six")),
    ("   ## Three spaces in", (2, "Three spaces in")),
    ("##\tTab", (2, "Tab")),
    ("## Closed ##", (2, "Closed")),
    ("## Closed ##   ", (2, "Closed")),
    ("## C#", (2, "C#")),
    ("## #", (2, "")),
    ("#", (1, "")),
    ("####### Seven", None),
    ("    # Four spaces in: code", None),
    ("#hashtag", None),
    ("\t# Tab in", None),
])
def test_atx_headings(line, expected):
    assert atx_heading(line) == expected


@pytest.mark.parametrize("line, level", [
    ("===", 1), ("=", 1), ("---", 2), ("   --  ", 2), ("    ===", 0), ("- - -", 0), ("=-", 0), ("text", 0),
])
def test_setext_underlines(line, level):
    assert setext_level(line) == level


@pytest.mark.parametrize("line, fence", [
    ("```", "```"), ("````python", "````"), ("~~~", "~~~"), ("  ~~~~ yaml", "~~~~"),
    ("      ```js", "```"),  # inside a list item
    ("``` a`b", ""),  # inline code, not a fence
    ("~~~ a`b", "~~~"),  # a tilde fence's info may hold a backtick
    ("``", ""), ("text ```", ""),
])
def test_fence_openers(line, fence):
    assert fence_opener(line) == fence


@pytest.mark.parametrize("line, fence, closes", [
    ("```", "```", True), ("`````", "```", True), ("   ```  ", "```", True), ("``", "```", False),
    ("```js", "```", False), ("~~~", "```", False), ("~~~~", "~~~~", True), ("~~~", "~~~~", False),
])
def test_fence_closers(line, fence, closes):
    assert closes_fence(line, fence) is closes


@given(st.lists(st.text(st.sampled_from(" \t`~x\xa0\r"), max_size=8), max_size=12), st.sampled_from(["```", "~~~~"]))
def test_the_whole_text_search_finds_the_line_that_closes_the_fence(lines, fence):
    text = "\n" + "\n".join(lines)
    found = fence_closer(fence).search(text)
    closing = [i for i, line in enumerate(lines) if closes_fence(line, fence)]
    assert (text.count("\n", 0, found.start() + 1) - 1 if found else None) == (closing[0] if closing else None)


@pytest.mark.parametrize("text, expected", [
    ("---\ntitle: x\n---\n# Plan\n", (17, 3)),
    ("---\ntitle: x\n...\nbody", (17, 3)),
    ("+++\ntitle = 'x'\n+++\r\nbody", (21, 3)),
    ("---\r\ntitle: x\r\n---\r\nbody", (20, 3)),
    ("---\ntitle: x\n---", (16, 3)),
    ("---\nno end\n", (0, 0)),  # a thematic break, not front matter
    (" ---\na\n---\n", (0, 0)),
    ("+++\na\n---\n", (0, 0)),
    ("# Plan\n---\na\n---\n", (0, 0)),
])
def test_front_matter(text, expected):
    assert front_matter_end(text) == expected


@given(st.lists(st.sampled_from(["---", "+++", "...", "a: 1", "", " ---", "--- ", "\r"]), max_size=8).map("\n".join))
def test_front_matter_offset_and_lines_agree(text):
    offset, lines = front_matter_end(text)
    assert "\n".join(text.split("\n")[lines:]) == text[offset:]


@pytest.mark.parametrize("line, in_comment, expected", [
    ("a <!-- b --> c", False, ("a  c", False)),
    ("a <!-- b", False, ("a ", True)),
    ("b --> c <!-- d --> e", True, (" c  e", False)),
    ("inside", True, ("", True)),
    ("<!-- a --><!-- b -->x", False, ("x", False)),
])
def test_html_comments(line, in_comment, expected):
    assert strip_html_comments(line, in_comment) == expected


@given(st.text(st.sampled_from("<!->a \n"), max_size=30), st.booleans())
def test_html_comment_stripping_only_removes_text(line, in_comment):
    kept, _ = strip_html_comments(line, in_comment)
    assert len(kept) <= len(line) and set(kept) <= set(line)


@pytest.mark.parametrize("line, item", [
    ("- a", True), ("* a", True), ("+\ta", True), ("  1. a", True), ("123456789) a", True),
    ("1234567890. a", False), ("-a", False), ("**bold**", False), ("1.5 a", False),
])
def test_list_items(line, item):
    assert bool(LIST_ITEM.match(line)) is item


# A TOML front matter holding a heading-like comment, then a fence indented as in
# a list item that holds headings: none of them is a heading to any reader.
DOCUMENT = """\
+++
title = 'x'
# Changes Made
+++

      ~~~text
## Step 8.8: fenced
## Project Structure
- `src/app.py`
## Changes Made
      ~~~

## Step 1.1: real

Done.
"""


def test_the_three_readers_skip_the_same_front_matter_and_fences():
    assert [(u.kind, u.id, u.line) for u in read_markdown_plan(DOCUMENT).walk()] == [("step", "1.1", 13)]
    assert read_sections(DOCUMENT, "CLAUDE.md") == []
    assert report_findings("r.md", DOCUMENT.encode(), ["Changes Made"]) == [
        Finding("R003", 'required section "Changes Made" is missing', path="r.md", line=1,
                hint='add a "## Changes Made" section and fill it in')]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["# h", "## Project Structure", "```", "~~~~", "  ```py", "``` a`b", "---", "+++",
                                 "...", "===", "<!--", "-->", "- `a.py`", "1. x", "\t", "", "\r", "\ufeff"]),
                max_size=25).map("\n".join))
def test_readers_never_raise_on_markdownish_text(text):
    read_markdown_plan(text).walk()
    read_sections(text, "CLAUDE.md")
    report_findings("r.md", text.encode(), ["Changes Made"])
