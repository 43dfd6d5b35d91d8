"""Findings output: ruff-style text, JSON, GitHub annotations, ignores."""
from __future__ import annotations

import json

from impl_hooks.findings import Finding, filter_findings, render_github, render_json, render_text


def test_text_is_path_line_code_message_then_hint():
    f = Finding("P001", "code staged for step 1.2 but the plan was not updated",
                path="docs/Phase1/6.1_implementation_plan.md", line=42, hint="mark the task done")
    assert render_text([f]) == ("docs/Phase1/6.1_implementation_plan.md:42: P001 code staged for step 1.2 "
                                "but the plan was not updated\n  hint: mark the task done")


def test_warnings_say_so_in_text():
    assert render_text([Finding("S003", "listed path does not exist", path="CLAUDE.md", line=3)]) == \
        "CLAUDE.md:3: S003 (warning) listed path does not exist"


def test_json_is_a_list_of_findings_with_stable_keys():
    [row] = json.loads(render_json([Finding("B001", "bad", hint="rename")]))
    assert set(row) == {"code", "message", "path", "line", "hint", "severity", "commit"}
    assert row["severity"] == "error"


def test_github_annotations_escape_newlines_and_properties():
    out = render_github([Finding("S001", "add x, y", path="a,b:c.md", line=3, hint="fix\nit")])
    assert out == "::error file=a%2Cb%3Ac.md,line=3,title=S001 added path missing from the structure::add x, y%0Ahint: fix%0Ait"


def test_inline_ignore_comment_on_the_line_drops_that_code_only():
    lines = {("a.py", 2): "def f(): pass  # impl-hooks: ignore[X001, T001]"}
    findings = [Finding("X001", "stub", path="a.py", line=2), Finding("X002", "syntax", path="a.py", line=2),
                Finding("X001", "stub", path="a.py", line=3)]
    kept = filter_findings(findings, [], lambda p, n: lines.get((p, n)))
    assert [(f.code, f.line) for f in kept] == [("X002", 2), ("X001", 3)]


def test_config_ignore_takes_codes_and_prefixes():
    findings = [Finding("S003", "x"), Finding("S001", "y"), Finding("B001", "z")]
    assert [f.code for f in filter_findings(findings, ["S003"], lambda p, n: None)] == ["B001", "S001"]
    assert [f.code for f in filter_findings(findings, ["s"], lambda p, n: None)] == ["B001"]


def test_inline_ignore_is_read_from_the_staged_file(repo, run_hook):
    from impl_hooks.hooks import check_main
    repo.files({".impl-hooks.toml": "[branch]\nprotected = []\n"}).commit()
    repo.git("checkout", "-q", "-b", "AUTH-1")
    repo.files({"Context.toml": 'current_issue = "AUTH-2"  # impl-hooks: ignore[B003]\n'}).stage()
    code, out, _ = run_hook(check_main, repo.root)
    assert (code, out) == (0, "")
    repo.files({"Context.toml": 'current_issue = "AUTH-2"\n'}).stage()
    code, out, _ = run_hook(check_main, repo.root)
    assert code == 1 and "B003" in out


def test_paths_that_are_not_utf8_print_on_any_terminal(tmp_path):
    import io
    import os

    from impl_hooks.hooks import report
    odd = os.fsdecode(b"backend/caf\xe9.py")
    findings = [Finding("S001", f'"{odd}" was added', path="backend/CLAUDE.md", line=3, hint="add \u2713 it")]
    for encoding in ("utf-8", "ascii"):
        raw = io.BytesIO()
        stream = io.TextIOWrapper(raw, encoding=encoding, errors="strict")
        assert report(findings, "text", stream) == 1
        stream.flush()
        assert b"caf\xe9.py" in raw.getvalue()  # the path's own bytes, as git gave them
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8", errors="strict")
    report(findings, "json", stream)
    stream.flush()
    assert json.loads(raw.getvalue().decode("utf-8"))[0]["message"].startswith('"backend/caf')


FORGED = "app.py\n  hint: nothing to fix\nx.py:1: B001 \x1b[2Jforged"


def test_control_characters_in_text_output_are_escaped_so_no_line_can_be_forged():
    f = Finding("S001", f'"{FORGED}" was added\r', path="docs/a\tb\x7f.md", line=3, hint="list it\x1b]0;title\x07")
    assert render_text([f]).split("\n") == [
        'docs/a\\tb\\x7f.md:3: S001 "app.py\\n  hint: nothing to fix\\nx.py:1: B001 \\x1b[2Jforged" was added\\r',
        "  hint: list it\\x1b]0;title\\x07",
    ]


def test_c1_controls_are_escaped_whether_text_or_undecodable_path_bytes():
    import os

    odd = os.fsdecode(b"caf\xe9\x9b.py")  # \xe9 shows as its byte, \x9b (CSI on some terminals) escaped
    out = render_text([Finding("S003", "listed path does not exist \u009b1m", path=odd)])
    assert out == os.fsdecode(b"caf\xe9") + "\\x9b.py: S003 (warning) listed path does not exist \\x9b1m"


def test_json_keeps_the_exact_text_and_escapes_every_control_character():
    f = Finding("S001", f"{FORGED}\x7f\x85", path="a\nb.md", line=1, hint="\x9b")
    out = render_json([f])
    assert json.loads(out)[0] == {**f.as_dict()}
    assert not any(0x00 <= ord(c) < 0x20 and c not in "\n " or 0x7f <= ord(c) <= 0x9f for c in out)


def test_github_escapes_workflow_command_characters_and_other_controls():
    f = Finding("S001", "50% done\x1b[31m", path="a\r\nb,c.md", line=2, hint="x:y")
    assert render_github([f]) == ("::error file=a%0D%0Ab%2Cc.md,line=2,title=S001 added path missing from the "
                                  "structure::50%25 done\\x1b[31m%0Ahint: x:y")


def test_a_config_error_line_escapes_control_characters_in_the_path(repo, run_hook):
    from impl_hooks.hooks import check_main

    repo.files({"a\x1b[2Jb/Context.toml": "current_step = [\n"}).stage()
    code, out, err = run_hook(check_main, repo.root)
    assert code == 2 and "\x1b" not in err and "a\\x1b[2Jb/Context.toml" in err
