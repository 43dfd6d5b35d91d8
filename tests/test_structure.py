"""Structure sections: reading the styles people write, S001-S003, fixing in place."""
from __future__ import annotations

from pathlib import Path

import pytest

from impl_hooks.structure.compare import compare_section, in_scope, missing_entries, stale_entries
from impl_hooks.structure.parse import read_sections
from impl_hooks.structure.rewrite import fix_text, render_tree

FIXTURES = Path(__file__).parent / "fixtures" / "structure"
IGNORE = ("__pycache__", "*.pyc", "node_modules", ".git")


def oracle(index, calls=None):
    """`exists` over a set of index files: a folder exists when a file is below it."""
    folders = {path.rsplit("/", i)[0] for path in index for i in range(1, path.count("/") + 1)}

    def exists(paths):
        paths = list(paths)
        if calls is not None:
            calls.append(paths)
        return {p for p in paths if p in index or p in folders}
    return exists


def folders_of(paths):
    """`is_folder` over index files, as the check answers it: every folder above one."""
    return {path.rsplit("/", i)[0] for path in paths for i in range(1, path.count("/") + 1)}.__contains__


def check(text, file, index, added=(), removed=(), ignore=IGNORE, **kw):
    kw.setdefault("is_folder", folders_of(set(index) | set(removed)))
    findings = []
    for section in read_sections(text, file, **kw):
        findings += compare_section(section, added, removed, oracle(set(index)), ignore)
    return findings


def codes(findings):
    return sorted((f.code, f.line) for f in findings)


def fix(text, file, index, added=(), removed=()):
    is_folder = folders_of(set(index) | set(removed))
    targets = [entry.path for sect in read_sections(text, file, is_folder=is_folder)
               for _code, entry in stale_entries(sect, removed, oracle(set(index)), IGNORE)]
    return fix_text(text, file, "Project Structure", add=added, remove=targets, ignore=IGNORE,
                    is_folder=is_folder)


def listed(text, file="CLAUDE.md", **kw):
    return {p: e for s in read_sections(text, file, **kw) for p, e in s.listed().items()}


def section(body, heading="## Project Structure"):
    return f"# Guide\n\n{heading}\n\n{body}\n## Next\n"


TREE = section("""```
backend/
├── app/
│   ├── main.py          # entry
│   └── api/
│       └── routes.py
└── tests/
    └── test_api.py
```
""")


# -- reading ------------------------------------------------------------------

@pytest.mark.parametrize("heading", [
    "## Project Structure", "# project structure", "#### PROJECT STRUCTURE",
    "## 📁 Project Structure", "## 2. Project Structure", "## **Project Structure**",
    "## Project Structure (backend)", "## Project Structure:", "### Project  structure ##",
])
def test_heading_matches_any_level_case_and_decoration(heading):
    text = section("```\nsrc/\n├── a.py\n```\n", heading)
    assert set(listed(text)) == {"src", "src/a.py"}


@pytest.mark.parametrize("heading", ["## Structure", "## Project Structures", "## The Project Structure"])
def test_other_headings_are_not_structure_sections(heading):
    assert read_sections(section("```\nsrc/\n├── a.py\n```\n", heading), "CLAUDE.md") == []


def test_heading_is_configurable():
    text = section("```\nsrc/\n├── a.py\n```\n", "## Directory layout")
    assert set(listed(text, heading="Directory Layout")) == {"src", "src/a.py"}
    assert listed(text) == {}


def test_section_ends_at_next_heading_of_same_level():
    text = section("```\n├── a.py\n```\n") + "```\n├── b.py\n```\n"
    assert set(listed(text)) == {"a.py"}


def test_subheading_trees_are_merged_into_one_section():
    text = section("### Backend\n\n```\nbackend/\n├── app.py\n```\n\n### Frontend\n\n"
                   "```\nfrontend/\n└── ...\n```\n")
    sections = read_sections(text, "CLAUDE.md")
    assert len(sections) == 1
    assert [e.path for e in sections[0].entries] == ["backend", "frontend"]
    assert len(sections[0].blocks) == 2
    index = {"backend/app.py", "frontend/x.tsx", "docs/a.md"}
    found = compare_section(sections[0], ["frontend/x.tsx", "docs/a.md"], [], oracle(index), ())
    assert codes(found) == [("S001", 3)] and '"docs/"' in found[0].hint


def test_entry_lines_are_one_based_in_the_whole_file():
    entries = listed(TREE, "backend/CLAUDE.md")
    assert entries["backend/app/main.py"].line == 8
    assert TREE.split("\n")[7].endswith("# entry")


@pytest.mark.parametrize("root", ["backend/", "./", "/", ".", "project-root/", "<project>/", "acme-api/"])
def test_root_line_is_stripped(root):
    text = section(f"```\n{root}\n├── app/\n│   └── main.py\n└── README.md\n```\n")
    paths = set(listed(text, "backend/CLAUDE.md", is_folder={"backend", "backend/app"}.__contains__))
    assert paths == {"backend/app", "backend/app/main.py", "backend/README.md"}


def test_single_top_folder_in_root_file_is_a_real_folder():
    text = section("```\nsrc/\n├── app/\n└── main.py\n```\n")
    assert set(listed(text)) == {"src", "src/app", "src/main.py"}
    assert set(listed(text, is_folder={"src", "src/app"}.__contains__)) == {"src", "src/app", "src/main.py"}


LONE_TOP = "```\n{top}\n├── routes/\n│   └── users.py\n└── main.py\n```\n"


@pytest.mark.parametrize("file,top,folders,expected", [
    # a project name is the repository, whatever the clone's folder is called
    ("CLAUDE.md", "photoshare/", {"routes", "backend"}, {"routes", "routes/users.py", "main.py"}),
    ("CLAUDE.md", "my-app", {"routes"}, {"routes", "routes/users.py", "main.py"}),
    # a top-level folder of the repository is that folder
    ("CLAUDE.md", "backend/", {"backend", "backend/routes"},
     {"backend", "backend/routes", "backend/routes/users.py", "backend/main.py"}),
    ("CLAUDE.md", "src/", {"src"}, {"src", "src/routes", "src/routes/users.py", "src/main.py"}),
    # a nested file: its own folder's name is its root, even beside Django's backend/backend/
    ("backend/CLAUDE.md", "backend/", {"backend", "backend/backend", "backend/routes"},
     {"backend/routes", "backend/routes/users.py", "backend/main.py"}),
    ("backend/CLAUDE.md", "app/", {"backend", "backend/app"},
     {"backend/app", "backend/app/routes", "backend/app/routes/users.py", "backend/app/main.py"}),
    ("backend/CLAUDE.md", "acme-api/", {"backend", "backend/routes"},
     {"backend/routes", "backend/routes/users.py", "backend/main.py"}),
])
def test_lone_top_line_is_the_scope_root_unless_it_is_a_folder_of_the_scope(file, top, folders, expected):
    text = section(LONE_TOP.format(top=top))
    assert set(listed(text, file, is_folder=folders.__contains__)) == expected


@pytest.mark.parametrize("file,top,asked", [
    ("CLAUDE.md", "photoshare/", ["photoshare"]),
    ("backend/CLAUDE.md", "app/", ["backend/app"]),
    ("backend/CLAUDE.md", "backend/", []),
    ("backend/CLAUDE.md", "./", []),
    ("CLAUDE.md", "<project>/", []),
])
def test_is_folder_is_asked_only_about_a_lone_top_line(file, top, asked):
    calls = []

    def is_folder(path):
        calls.append(path)
        return False
    read_sections(section(LONE_TOP.format(top=top)), file, is_folder=is_folder)
    read_sections(section("```\n├── src/\n│   └── a.py\n└── b.py\n```\n"), file, is_folder=is_folder)
    assert calls == asked


def test_lone_folder_line_without_children_is_the_root_unless_it_exists():
    text = section("```\nphotoshare/\n```\n")
    assert set(listed(text, is_folder=lambda path: False)) == set()
    text = section("```\nsrc/\n```\n")
    assert set(listed(text, is_folder={"src"}.__contains__)) == {"src"}


def test_full_folder_path_as_root_line_of_nested_file():
    text = section("```\nservices/api/\n└── main.py\n```\n")
    assert set(listed(text, "services/api/CLAUDE.md")) == {"services/api/main.py"}


def test_plain_indented_tree_nests_by_column():
    text = section("```\nsrc/\n    app/\n        main.py\n    util.py\ntests/\n```\n")
    entries = listed(text)
    assert set(entries) == {"src", "src/app", "src/app/main.py", "src/util.py", "tests"}
    assert entries["src/app/main.py"].depth == 2


def test_code_fence_is_not_a_listing():
    text = section("```bash\nnpm install\nnpm run dev\n```\n\n- `src/` — code\n")
    sections = read_sections(text, "CLAUDE.md")
    assert sections[0].style == "bullets"
    assert set(sections[0].listed()) == {"src"}


def test_prose_in_an_indented_fence_makes_it_no_listing():
    text = section("```\nsrc/\n  main.py\nThen run make to build it.\n```\n\n- `docs/` — documents\n")
    sections = read_sections(text, "CLAUDE.md")
    assert [(s.style, set(s.listed())) for s in sections] == [("bullets", {"docs"})]


def test_dot_slash_before_a_name_is_dropped():
    text = section("```\n├── ./src/\n│   └── ./main.py\n└── ./README.md\n```\n")
    assert {p: e.is_dir for p, e in listed(text).items()} == {"src": True, "src/main.py": False, "README.md": False}


def test_fenced_listing_wins_over_bullets_in_same_section():
    text = section("```\n├── src/\n```\n\nKey files:\n- `src/main.py` — entry\n")
    assert set(listed(text)) == {"src"}


def test_nested_bullets_with_and_without_backticks():
    text = section("- `src/` — code\n  - `app.py`\n- docs/ - documents\n    - guide.md\n")
    entries = listed(text)
    assert set(entries) == {"src", "src/app.py", "docs", "docs/guide.md"}
    assert entries["docs"].comment == "- documents"


def test_prose_bullets_are_not_entries():
    text = section("- `src/` — code\n- Use snake_case for files\n- **Language**: Python\n"
                   "- Note: keep it short\n- Run `pytest` before committing\n- setup.py is generated by the tool\n")
    assert set(listed(text)) == {"src"}


def test_a_prose_line_between_bullet_runs_ends_the_first_run():
    sect, = read_sections(section("- `src/` — code\n\nSee below.\n- `docs/` — docs\n"), "CLAUDE.md")
    assert (sect.blocks, set(sect.listed())) == ([(5, 5), (8, 8)], {"src", "docs"})


def test_plain_bullets_that_name_no_path_are_no_listing():
    assert read_sections(section("- install — run make\n- deploy — ship it\n"), "CLAUDE.md") == []


def test_a_line_of_dashes_in_a_tree_is_no_entry():
    assert set(listed(section("```\nsrc/\n├── a.py\n├── --\n└── b.py\n```\n"))) == {"src", "src/a.py", "src/b.py"}


def test_bold_name_ends_at_its_own_closing_mark():
    text = section("- **src/** — code, see **notes**\n")
    assert {p: e.comment for p, e in listed(text).items()} == {"src": "— code, see **notes**"}


def test_bullet_section_records_where_its_listing_starts_and_ends():
    sect, = read_sections(section("Intro text.\n\n- `src/` — code\n  - `app.py`\n- `docs/`\n"), "CLAUDE.md")
    assert (sect.style, sect.heading_line, sect.start, sect.end, sect.blocks) == ("bullets", 3, 7, 9, [(7, 9)])


def test_bold_and_linked_paths_are_entries():
    text = section("- **src/** — code\n- [`docs/`](docs/) — documents\n")
    assert set(listed(text)) == {"src", "docs"}


@pytest.mark.parametrize("comment", ["# entry point", "— entry point", "– entry point",
                                     "- entry point", "<- entry point", "← entry point",
                                     "// entry point", "(entry point)"])
def test_trailing_comment_is_kept_as_written(comment):
    text = section(f"```\n├── main.py   {comment}\n└── b.py\n```\n")
    assert listed(text)["main.py"].comment == comment


def test_plain_indent_name_with_two_space_comment():
    text = section("```\nsrc/\n  main.py  entry point\n```\n")
    assert listed(text)["src/main.py"].comment == "entry point"


def test_dunder_file_name_is_not_bold_markup():
    text = section("```\npkg/\n├── __init__.py\n└── __main__.py  # runs\n```\n")
    assert set(listed(text)) == {"pkg", "pkg/__init__.py", "pkg/__main__.py"}


def test_folder_with_or_without_trailing_slash():
    entries = listed(section("```\nsrc\n  main.py\ndocs/\nMakefile\n```\n"))
    assert (entries["src"].is_dir, entries["docs"].is_dir, entries["Makefile"].is_dir) == (True, True, False)


@pytest.mark.parametrize("elision", ["...", "…", "(more)", "(12 more files)", "etc.", "... and others", "more...",
                                     "helpers…"])
def test_elision_marks_its_folder(elision):
    text = section(f"```\nsrc/\n├── a.py\n└── {elision}\n```\n")
    entries = listed(text)
    assert entries["src"].elided and set(entries) == {"src", "src/a.py"}


def test_next_js_folders_and_dotted_names_are_not_elisions():
    text = section("```\napp/\n├── (auth)/\n│   └── login/\n├── [...slug]/\n└── etc.py\n```\n")
    entries = listed(text)
    assert set(entries) == {"app", "app/(auth)", "app/(auth)/login", "app/[...slug]", "app/etc.py"}
    assert not entries["app"].elided


def test_dot_line_that_is_not_the_root_holds_its_children_in_place():
    text = section("```\n.\n├── a.py\n\nb.md\n```\n")
    assert set(listed(text)) == {"a.py", "b.md"}


def test_without_a_tree_a_lone_top_folder_is_read_as_written():
    text = section("```\nacme-api/\n└── main.py\n```\n")
    assert set(listed(text)) == {"acme-api", "acme-api/main.py"}
    assert set(listed(text, is_folder=lambda path: False)) == {"main.py"}


def test_section_records_heading_and_listing_lines():
    sect = read_sections(TREE, "backend/CLAUDE.md")[0]
    assert (sect.heading_line, sect.start, sect.end, sect.blocks) == (3, 6, 12, [(6, 12)])
    assert (sect.style, sect.root) == ("tree", "backend/")


def test_top_level_elision_marks_the_section():
    sections = read_sections(section("```\n├── src/\n└── ...\n```\n"), "CLAUDE.md")
    assert sections[0].elided


@pytest.mark.parametrize("name", ["<domain>/", "{name}/", "*.py", "test_*.py"])
def test_placeholder_is_a_pattern_covering_its_folder(name):
    text = section(f"```\napp/\n├── {name}\n│   └── models.py\n└── main.py\n```\n")
    entries = listed(text)
    pattern = [e for e in entries.values() if e.pattern]
    assert pattern and all(e.path.startswith("app/") for e in pattern)
    assert entries["app"].elided and not entries["app/main.py"].pattern


def test_nested_bullets_repeating_parent_path():
    text = section("- `src/`\n  - `src/api/` — routes\n    - `src/api/users.py`\n")
    assert set(listed(text)) == {"src", "src/api", "src/api/users.py"}


def test_crlf_text_reads_like_lf():
    assert {p: e.line for p, e in listed(TREE.replace("\n", "\r\n"), "backend/CLAUDE.md").items()} == \
        {p: e.line for p, e in listed(TREE, "backend/CLAUDE.md").items()}


def test_unclosed_fence_and_heading_without_listing():
    assert read_sections("## Project Structure\n\n```\n├── a.py\n", "CLAUDE.md")[0].entries[0].path == "a.py"
    assert read_sections("## Project Structure\n\nNothing here.\n", "CLAUDE.md") == []


def test_heading_inside_fence_is_not_a_heading():
    text = "```\n## Project Structure\n├── a.py\n```\n"
    assert read_sections(text, "CLAUDE.md") == []


def test_matching_sub_heading_belongs_to_the_outer_section():
    text = section("### Project structure overview\n\n```\nsrc/\n├── a.py\n└── b.py\n```\n")
    assert len(read_sections(text, "CLAUDE.md")) == 1
    assert fix_text(text, "CLAUDE.md", add=["src/c.py"]).count("c.py") == 1


def test_two_matching_headings_give_two_sections():
    text = section("```\n├── a.py\n```\n") + "\n## Project structure (tests)\n\n- `tests/`\n"
    assert [s.style for s in read_sections(text, "CLAUDE.md")] == ["tree", "bullets"]


# -- comparing ----------------------------------------------------------------

def test_in_scope_follows_the_structure_files_folder():
    assert in_scope("backend/CLAUDE.md", "backend/app/x.py")
    assert not in_scope("backend/CLAUDE.md", "backend-old/x.py")
    assert not in_scope("backend/CLAUDE.md", "frontend/x.py")
    assert in_scope("CLAUDE.md", "anything/x.py")


INDEX = {"backend/app/main.py", "backend/app/api/routes.py", "backend/tests/test_api.py"}


def test_added_file_in_enumerated_folder_is_S001_on_folder_line():
    found = check(TREE, "backend/CLAUDE.md", INDEX | {"backend/app/api/deps.py"},
                  added=["backend/app/api/deps.py"])
    assert codes(found) == [("S001", 9)]
    assert '"backend/app/api/deps.py"' in found[0].message
    assert '"deps.py"' in found[0].hint and '"app/api/"' in found[0].hint
    assert "impl-hooks structure --fix" in found[0].hint and found[0].blocks


def test_new_folder_is_asked_once_for_many_files():
    added = [f"backend/app/services/m{i}.py" for i in range(50)]
    found = check(TREE, "backend/CLAUDE.md", INDEX | set(added), added=added)
    assert codes(found) == [("S001", 7)]
    assert '"backend/app/services/"' in found[0].message
    assert '"services/"' in found[0].hint


def test_top_level_addition_is_reported_on_the_heading_line():
    found = check(TREE, "backend/CLAUDE.md", INDEX | {"backend/Makefile"}, added=["backend/Makefile"])
    assert codes(found) == [("S001", 3)] and "at the top level" in found[0].message
    assert found[0].hint == 'add "Makefile" at the top level in backend/CLAUDE.md ' \
        "or run impl-hooks structure --fix"


def test_folder_listed_without_children_asks_nothing():
    text = section("```\n├── src/\n└── docs/\n```\n")
    assert check(text, "CLAUDE.md", {"src/a/b.py", "docs/x.md"}, added=["src/a/b.py"]) == []


def test_elided_or_patterned_folder_asks_nothing():
    text = section("```\napp/\n├── core/\n│   ├── a.py\n│   └── ...\n├── domains/\n│   └── <domain>/\n"
                   "│       └── models.py\n└── main.py\n```\n")
    added = ["app/core/b.py", "app/domains/auth/models.py"]
    assert check(text, "CLAUDE.md", {"app/core/a.py", "app/main.py", *added}, added=added) == []


def test_folder_known_only_from_a_multi_part_name_is_not_enumerated():
    text = section("- `cmd/`\n  - `server/main.go`\n")
    index = {"cmd/server/main.go", "cmd/server/util.go", "cmd/cli/main.go"}
    found = check(text, "CLAUDE.md", index, added=["cmd/server/util.go", "cmd/cli/main.go"])
    assert codes(found) == [("S001", 5)] and '"cmd/cli/"' in found[0].message


def test_path_listed_before_it_is_added_needs_nothing():
    text = section("```\nsrc/\n├── a.py\n└── b.py\n```\n")
    assert check(text, "CLAUDE.md", {"src/a.py", "src/b.py"}, added=["src/b.py"]) == []


def test_structure_file_need_not_list_itself():
    index = INDEX | {"backend/CLAUDE.md"}
    assert check(TREE, "backend/CLAUDE.md", index, added=["backend/CLAUDE.md"]) == []
    assert codes(check(TREE, "backend/AGENTS.md", index, added=["backend/CLAUDE.md"])) == [("S001", 3)]


def test_paths_outside_the_scope_are_not_checked():
    assert check(TREE, "backend/CLAUDE.md", INDEX | {"frontend/x.ts"}, added=["frontend/x.ts"],
                 removed=["frontend/y.ts"]) == []


@pytest.mark.parametrize("path", ["backend/app/__pycache__/main.cpython-311.pyc",
                                  "backend/app/api/node_modules/x/index.js", "backend/app/stale.pyc"])
def test_ignored_paths_are_never_required(path):
    assert check(TREE, "backend/CLAUDE.md", INDEX | {path}, added=[path]) == []


def test_slash_ignore_glob_matches_at_top_level_too():
    text = section("```\n├── a.py\n└── b.py\n```\n")
    found = check(text, "CLAUDE.md", {"a.py", "b.py", "__pycache__/a.pyc"},
                  added=["__pycache__/a.pyc"], ignore=["**/__pycache__/**"])
    assert found == []


def test_ignored_listed_path_is_never_reported():
    text = section("```\nsrc/\n├── a.py\n└── __pycache__/\n```\n")
    assert check(text, "CLAUDE.md", {"src/a.py"}) == []


def test_removed_listed_file_is_S002():
    found = check(TREE, "backend/CLAUDE.md", INDEX - {"backend/app/main.py"},
                  removed=["backend/app/main.py"])
    assert codes(found) == [("S002", 8)] and found[0].blocks


def test_removed_folder_is_one_S002_on_the_folder_line():
    found = check(TREE, "backend/CLAUDE.md", INDEX - {"backend/tests/test_api.py"},
                  removed=["backend/tests/test_api.py"])
    assert codes(found) == [("S002", 11)] and '"backend/tests"' in found[0].message


def test_folder_with_files_left_is_not_removed():
    index = INDEX | {"backend/app/api/deps.py"}
    found = check(TREE, "backend/CLAUDE.md", index - {"backend/app/api/routes.py"},
                  added=[], removed=["backend/app/api/routes.py"])
    assert codes(found) == [("S002", 10)]


def test_listed_path_absent_from_index_is_S003_warning():
    found = check(TREE, "backend/CLAUDE.md", INDEX - {"backend/app/main.py"})
    assert codes(found) == [("S003", 8)]
    assert not found[0].blocks and found[0].severity == "warning"


def test_exists_is_asked_once_with_every_listed_path():
    calls = []
    text = section("```\napp/\n├── <domain>/\n│   └── models.py\n├── core/\n│   └── a.py\n└── main.py\n```\n")
    for sect in read_sections(text, "CLAUDE.md"):
        compare_section(sect, ["app/core/b.py"], ["app/main.py"], oracle({"app/core/a.py"}, calls), ())
    assert len(calls) == 1
    assert sorted(calls[0]) == ["app", "app/core", "app/core/a.py", "app/main.py"]


def test_missing_entries_name_parent_and_kind():
    sect = read_sections(TREE, "backend/CLAUDE.md")[0]
    missing = missing_entries(sect, ["backend/app/x.py", "backend/app/new/y.py", "backend/z.md"], ())
    shown = {target: (parent.path if parent else None, is_dir) for target, (parent, is_dir) in missing.items()}
    assert shown == {"backend/app/x.py": ("backend/app", False),
                     "backend/app/new": ("backend/app", True), "backend/z.md": (None, False)}


# -- fixing -------------------------------------------------------------------

def test_fix_inserts_in_sorted_order_with_middle_glyph():
    new = fix_text(TREE, "backend/CLAUDE.md", add=["backend/app/api/auth.py"])
    assert "│   └── api/\n│       ├── auth.py\n│       └── routes.py\n" in new


def test_fix_appending_moves_the_last_glyph_and_bar():
    new = fix_text(TREE, "backend/CLAUDE.md", add=["backend/zeta.md"])
    assert "├── tests/\n│   └── test_api.py\n└── zeta.md\n```" in new


def test_fix_appending_inside_a_folder_that_becomes_non_last():
    new = fix_text(TREE, "backend/CLAUDE.md", add=["backend/app/api/zz.py", "backend/zeta/x.py"])
    assert "│   └── api/\n│       ├── routes.py\n│       └── zz.py\n" in new
    assert "├── tests/\n│   └── test_api.py\n└── zeta/\n" in new


def test_fix_removing_the_last_sibling_moves_its_glyph():
    new = fix_text(TREE, "backend/CLAUDE.md", remove=["backend/tests"])
    assert "backend/\n└── app/\n    ├── main.py          # entry\n    └── api/\n        └── routes.py\n```" in new


def test_fix_keeps_comment_columns():
    new = fix_text(TREE, "backend/CLAUDE.md", add=["backend/app/zz.py"], remove=["backend/tests"])
    assert "    ├── main.py          # entry\n" in new


def test_fix_removes_a_spacer_line_above_a_removed_entry():
    text = section("```\n├── a/\n│   └── x.py\n│\n└── b/\n```\n")
    assert fix_text(text, "CLAUDE.md", remove=["b"]) == section("```\n└── a/\n    └── x.py\n```\n")


def test_fix_appends_after_a_folder_with_its_trailing_elision_and_comment_lines():
    elided = section("```\n├── README.md\n└── src/\n    ├── main.py\n    └── ...\n```\n")
    assert fix_text(elided, "CLAUDE.md", add=["zz.md"]) == \
        section("```\n├── README.md\n├── src/\n│   ├── main.py\n│   └── ...\n└── zz.md\n```\n")
    noted = section("```\n├── README.md\n└── src/\n    ├── main.py\n    # more later\n```\n")
    assert fix_text(noted, "CLAUDE.md", add=["zz.md"]) == \
        section("```\n├── README.md\n├── src/\n│   ├── main.py\n│   # more later\n└── zz.md\n```\n")


def test_fix_removes_a_folder_with_its_trailing_elision_and_comment_lines():
    elided = section("```\n├── src/\n│   ├── a.py\n│   └── ...\n└── b.py\n```\n")
    assert fix_text(elided, "CLAUDE.md", remove=["src"]) == section("```\n└── b.py\n```\n")
    noted = section("```\n├── src/\n│   ├── a.py\n│   # more later\n├── b.py\n└── # generated files\n```\n")
    assert fix_text(noted, "CLAUDE.md", remove=["src"], add=["c.py"]) == \
        section("```\n├── b.py\n├── c.py\n└── # generated files\n```\n")


def test_fix_inside_a_folder_keeps_its_closing_comment_line_last():
    text = section("```\n├── src/\n│   ├── a.py\n│   # more later\n└── # generated files\n```\n")
    assert fix_text(text, "CLAUDE.md", add=["src/b.py", "tests/t.py"]) == section(
        "```\n├── src/\n│   ├── a.py\n│   ├── b.py\n│   # more later\n├── tests/\n└── # generated files\n```\n")


def test_entry_end_is_the_last_line_drawn_below_it():
    text = section("```\n├── src/\n│   ├── a.py     # note\n│   │   # about a\n│   └── ...\n"
                   "│\n├── b.py\n│   # about b\n└── # generated files\n```\n")
    ends = {path: (entry.line, entry.end) for path, entry in listed(text).items()}
    assert ends == {"src": (6, 9), "src/a.py": (7, 8), "b.py": (11, 12)}
    bullets = section("- `src/`\n  - `a.py`\n    more about a\n- `b.py`\n  more about b\n")
    assert {p: (e.line, e.end) for p, e in listed(bullets).items()} == \
        {"src": (5, 7), "src/a.py": (6, 7), "b.py": (8, 9)}
    assert fix_text(bullets, "CLAUDE.md", remove=["b.py", "src/a.py"]) == section("- `src/`\n")


def test_fix_under_a_project_name_root_line():
    text = section("```text\nphotoshare/\n├── backend/\n│   └── app.py\n└── frontend/\n```\n")
    is_folder = {"backend", "frontend", "docs"}.__contains__
    assert fix_text(text, "CLAUDE.md", add=["docs/a.md", "zz.md"], is_folder=is_folder) == section(
        "```text\nphotoshare/\n├── backend/\n│   └── app.py\n├── docs/\n├── frontend/\n└── zz.md\n```\n")
    emptied = fix_text(text, "CLAUDE.md", remove=["backend", "frontend"], is_folder=is_folder)
    assert emptied == section("```text\nphotoshare/\n```\n")
    assert read_sections(emptied, "CLAUDE.md", is_folder=is_folder)[0].entries == []


def test_fix_ascii_tree_keeps_ascii_glyphs():
    text = section("```\n|-- a/\n|   `-- x.py\n`-- b.md\n```\n")
    new = fix_text(text, "CLAUDE.md", add=["a/y.py", "c.md"])
    assert new == section("```\n|-- a/\n|   |-- x.py\n|   `-- y.py\n|-- b.md\n`-- c.md\n```\n")


def test_fix_bullets_copy_marker_indent_and_backticks():
    text = section("* `src/` — code\n    * `b.py`\n* `tests/`\n")
    new = fix_text(text, "CLAUDE.md", add=["src/a.py", "tests/t.py", "zz/x.py"])
    assert new == section("* `src/` — code\n    * `a.py`\n    * `b.py`\n* `tests/`\n* `zz/`\n")


def test_fix_bullets_without_backticks_and_bold():
    plain = section("- src/ - code\n  - b.py\n")
    assert "  - a.py\n  - b.py\n" in fix_text(plain, "CLAUDE.md", add=["src/a.py"])
    bold = section("- **src/** - code\n  - **b.py**\n")
    assert "  - **a.py**\n  - **b.py**\n" in fix_text(bold, "CLAUDE.md", add=["src/a.py"])


def test_fix_follows_full_path_bullets_and_slashless_folders():
    text = section("- `src`\n  - `src/api` — routes\n    - `src/api/users.py`\n")
    new = fix_text(text, "CLAUDE.md", add=["src/cli/main.py"])
    assert "  - `src/api` — routes\n    - `src/api/users.py`\n  - `src/cli`\n" in new


def test_fix_sorts_folders_first_when_siblings_do():
    text = section("```\n├── src/\n│   └── a.py\n└── setup.py\n```\n")
    new = fix_text(text, "CLAUDE.md", add=["tests/t.py", "README.md"])
    assert "├── src/\n│   └── a.py\n├── tests/\n├── README.md\n└── setup.py\n" in new


def test_fix_rename_in_a_single_file_folder_keeps_it_listed_with_the_new_name():
    text = section("```\n├── app/\n│   └── old.py\n└── main.py\n```\n")
    new = fix_text(text, "CLAUDE.md", add=["app/new.py"], remove=["app/old.py"])
    assert new == section("```\n├── app/\n│   └── new.py\n└── main.py\n```\n")


def test_fix_never_removes_pattern_entries():
    text = section("```\n├── <domain>/\n└── a.py\n```\n")
    assert fix_text(text, "CLAUDE.md", remove=["<domain>"]) == text


def test_fix_with_nothing_to_do_returns_text_unchanged():
    assert fix_text(TREE, "backend/CLAUDE.md", add=["backend/app/main.py"], remove=["nope"]) == TREE


def test_fix_keeps_crlf():
    text = TREE.replace("\n", "\r\n")
    new = fix_text(text, "backend/CLAUDE.md", add=["backend/app/zz.py", "backend/zeta.md"],
                   remove=["backend/app/main.py"])
    assert "\n" not in new.replace("\r\n", "") and new.count("\r\n") == text.count("\r\n") + 1


def test_fix_fixes_every_matching_section():
    text = section("```\n├── a.py\n└── b.py\n```\n") + "\n## Project structure (again)\n\n- `a.py`\n- `b.py`\n"
    new = fix_text(text, "CLAUDE.md", add=["c.py"])
    assert "└── c.py" in new and "- `c.py`" in new


@pytest.mark.parametrize("style", ["tree", "indent", "bullets"])
def test_render_tree_reads_back(style):
    paths = ["src/a.py", "src/sub/x.py", "docs/", "README.md"]
    text = section(render_tree(paths, style))
    assert {p: e.is_dir for p, e in listed(text).items()} == {
        "src": True, "src/a.py": False, "src/sub": True, "src/sub/x.py": False,
        "docs": True, "README.md": False}
    assert read_sections(text, "CLAUDE.md")[0].style == style


def test_render_tree_draws_box_glyphs_folders_first():
    assert render_tree(["b.md", "a/x.py", "a/y.py"]) == \
        "```\n├── a/\n│   ├── x.py\n│   └── y.py\n└── b.md\n```\n"


# -- the fixtures: real-world styles ----------------------------------------

HEADING = "<heading>"
# fixture, structure file, scenario id, added, removed, expected [(code, text on the line)]
SCENARIOS = [
    ("tree_root_backend.md", "backend/CLAUDE.md", "add", ["backend/app/api/routes/items.py"], [],
     [("S001", "│   │   └── routes/")]),
    ("tree_root_backend.md", "backend/CLAUDE.md", "new-folder",
     ["backend/app/services/billing.py", "backend/app/services/mail.py",
      "backend/app/db/migrations/versions/001_init.py"], [], [("S001", "├── app/")]),
    ("tree_root_backend.md", "backend/CLAUDE.md", "delete", [], ["backend/app/config.py"],
     [("S002", "config.py")]),
    ("tree_root_backend.md", "backend/CLAUDE.md", "rename", ["backend/tests/test_login.py"],
     ["backend/tests/test_auth.py"], [("S001", "├── tests/"), ("S002", "test_auth.py")]),
    ("tree_no_root.md", "CLAUDE.md", "add", ["Makefile", "backend/app/main.py"], [], [("S001", HEADING)]),
    ("tree_no_root.md", "CLAUDE.md", "delete", [], ["scripts/bootstrap.sh"], [("S002", "├── scripts/")]),
    ("tree_no_root.md", "CLAUDE.md", "rename", ["docs/Phase1/plan.md"],
     ["docs/Phase1/6.1_implementation_plan.md"], [("S001", "│   ├── Phase1/"), ("S002", "6.1_impl")]),
    ("plain_indent.md", "frontend/CLAUDE.md", "add", ["frontend/src/lib/format.ts"], [],
     [("S001", "    lib/")]),
    ("plain_indent.md", "frontend/CLAUDE.md", "delete", [], ["frontend/src/components/Header.tsx"],
     [("S002", "Header.tsx")]),
    ("plain_indent.md", "frontend/CLAUDE.md", "rename", ["frontend/src/app/home.tsx"],
     ["frontend/src/app/page.tsx"], [("S001", "    app/"), ("S002", "page.tsx")]),
    ("bullets_backticks.md", "AGENTS.md", "add", ["internal/auth/token.go", "cmd/server/util.go"], [],
     [("S001", "- `auth/`")]),
    ("bullets_backticks.md", "AGENTS.md", "delete", [], ["internal/auth/store.go"], [("S002", "store.go")]),
    ("bullets_backticks.md", "AGENTS.md", "rename", ["build.mk"], ["Makefile"],
     [("S001", HEADING), ("S002", "`Makefile`")]),
    ("bullets_plain.md", "api/CLAUDE.md", "add", ["api/src/models/order.js"], [], [("S001", "* models/")]),
    ("bullets_plain.md", "api/CLAUDE.md", "delete", [], ["api/src/handlers/orders.js"],
     [("S002", "orders.js")]),
    ("bullets_plain.md", "api/CLAUDE.md", "rename", ["api/test/user.test.js"], ["api/test/users.test.js"],
     [("S001", "* test/"), ("S002", "users.test.js")]),
    ("mixed_comments.md", "CLAUDE.md", "add", ["src/config.py"], [], [("S001", "├── src/")]),
    ("mixed_comments.md", "CLAUDE.md", "delete", [], ["src/core.py"], [("S002", "├── core.py")]),
    ("mixed_comments.md", "CLAUDE.md", "rename", ["tests/test_cli.py"], ["tests/test_core.py"],
     [("S001", "├── tests/"), ("S002", "test_core.py")]),
    ("elisions_placeholders.md", "backend/CLAUDE.md", "add",
     ["backend/app/domains/billing/models.py", "backend/app/core/db.py", "backend/app/deps.py",
      "backend/alembic/env.py", "backend/scripts/run.sh"], [], [("S001", HEADING)]),
    ("elisions_placeholders.md", "backend/CLAUDE.md", "delete", [], ["backend/app/domains/auth/models.py"],
     [("S002", "│   │       └── models.py")]),
    ("elisions_placeholders.md", "backend/CLAUDE.md", "rename", ["backend/app/core/crypto.py"],
     ["backend/app/core/security.py"], [("S002", "security.py")]),
    ("heading_level3.md", "CLAUDE.md", "add", ["src/pkg/util.py"], [], [("S001", "│   └── pkg/")]),
    ("heading_level3.md", "CLAUDE.md", "delete", [], ["tests/test_core.py"], [("S002", "└── tests/")]),
    ("heading_level3.md", "CLAUDE.md", "rename", ["src/pkg/engine.py"], ["src/pkg/core.py"],
     [("S001", "│   └── pkg/"), ("S002", "└── core.py")]),
    ("ascii_tree.md", "tools/CLAUDE.md", "add", ["tools/lint/config.py"], [], [("S001", "|-- lint/")]),
    ("ascii_tree.md", "tools/CLAUDE.md", "delete", [], ["tools/lint/runner.py"], [("S002", "runner.py")]),
    ("ascii_tree.md", "tools/CLAUDE.md", "rename", ["tools/release/tag.py"], ["tools/release/bump.py"],
     [("S001", "|-- release/"), ("S002", "bump.py")]),
    ("tree_project_root.md", "CLAUDE.md", "add", ["frontend/src/routes.ts", "Makefile"], [],
     [("S001", "│   ├── src/"), ("S001", HEADING)]),
    ("tree_project_root.md", "CLAUDE.md", "delete", [], ["docs/architecture.md"], [("S002", "├── docs/")]),
    ("tree_project_root.md", "CLAUDE.md", "rename", ["frontend/src/client.ts"], ["frontend/src/api.ts"],
     [("S001", "│   ├── src/"), ("S002", "api.ts")]),
    ("bullets_bold_paths.md", "AGENTS.md", "add", ["apps/api/src/routes/photos.ts", "tools/seed.ts"], [],
     [("S001", "`src/routes/`"), ("S001", HEADING)]),
    ("bullets_bold_paths.md", "AGENTS.md", "delete", [], ["apps/api/src/routes/users.ts"],
     [("S002", "`users.ts`")]),
    ("bullets_bold_paths.md", "AGENTS.md", "rename", ["pnpm-workspace.yml"], ["pnpm-workspace.yaml"],
     [("S001", HEADING), ("S002", "`pnpm-workspace.yaml`")]),
    ("tree_ascii_project_nested.md", "backend/CLAUDE.md", "add", ["backend/app/deps.py"], [],
     [("S001", "+-- app/")]),
    ("tree_ascii_project_nested.md", "backend/CLAUDE.md", "delete", [], ["backend/tests/test_service.py"],
     [("S002", "+-- tests/")]),
    ("tree_ascii_project_nested.md", "backend/CLAUDE.md", "rename", ["backend/app/config.py"],
     ["backend/app/settings.py"], [("S001", "+-- app/"), ("S002", "settings.py")]),
]
IDS = [f"{s[0][:-3]}-{s[2]}" for s in SCENARIOS]
FIXTURE_FILES = sorted({(s[0], s[1]) for s in SCENARIOS})


def baseline(text, file):
    """An index that matches the fixture: every listed leaf exists (a lone top line is a project name)."""
    index = set()
    for path, entry in listed(text, file, is_folder=lambda path: False).items():
        if not entry.children and not entry.pattern:
            index.add(path + "/.keep" if entry.is_dir else path)
    return index


def line_of(text, needle, file):
    if needle == HEADING:
        return read_sections(text, file)[0].heading_line
    hits = [n for n, line in enumerate(text.split("\n"), 1) if needle in line]
    assert len(hits) == 1, (needle, hits)
    return hits[0]


def scenario(name, file, added, removed):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    index = (baseline(text, file) - set(removed)) | set(added)
    return text, index


@pytest.mark.parametrize("name,file", FIXTURE_FILES)
def test_fixture_matches_its_baseline(name, file):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    assert read_sections(text, file)
    assert check(text, file, baseline(text, file)) == []


@pytest.mark.parametrize("name,file,_id,added,removed,expected", SCENARIOS, ids=IDS)
def test_fixture_check_reports_codes_at_lines(name, file, _id, added, removed, expected):
    text, index = scenario(name, file, added, removed)
    want = sorted((code, line_of(text, needle, file)) for code, needle in expected)
    assert codes(check(text, file, index, added, removed)) == want


@pytest.mark.parametrize("name,file,_id,added,removed,expected", SCENARIOS, ids=IDS)
def test_fixture_fix_then_check_is_clean_and_idempotent(name, file, _id, added, removed, expected):
    text, index = scenario(name, file, added, removed)
    fixed = fix(text, file, index, added, removed)
    assert fixed != text
    assert check(fixed, file, index, added, removed) == []
    assert fix(fixed, file, index, added, removed) == fixed
    assert read_sections(fixed, file)[0].style == read_sections(text, file)[0].style


@pytest.mark.parametrize("name,file,_id,added,removed,expected", SCENARIOS, ids=IDS)
def test_fixture_fix_keeps_bytes_outside_the_section(name, file, _id, added, removed, expected):
    text, index = scenario(name, file, added, removed)
    sect = read_sections(text, file)[0]
    fixed = fix(text, file, index, added, removed)
    before, after = text.split("\n"), fixed.split("\n")
    head, tail = before[:sect.start - 1], before[sect.end:]
    assert after[:len(head)] == head and after[len(after) - len(tail):] == tail


@pytest.mark.parametrize("name,file,_id,added,removed,expected", SCENARIOS, ids=IDS)
def test_fixture_fix_keeps_comments_at_their_column(name, file, _id, added, removed, expected):
    text, index = scenario(name, file, added, removed)
    fixed_lines = fix(text, file, index, added, removed).split("\n")
    is_folder = folders_of(set(index) | set(removed))
    kept = [e for e in listed(text, file, is_folder=is_folder).values() if e.comment and e.path not in removed]
    for entry in kept:
        line = text.split("\n")[entry.line - 1]
        column = line.index(entry.comment)
        assert any(other[column:] == line[column:] and other.endswith(entry.comment)
                   for other in fixed_lines), line


@pytest.mark.parametrize("name,file", FIXTURE_FILES)
def test_fixture_fix_keeps_crlf(name, file):
    rename = next(s for s in SCENARIOS if s[0] == name and s[2] == "rename")
    text, index = scenario(name, file, rename[3], rename[4])
    crlf = text.replace("\n", "\r\n")
    fixed = fix(crlf, file, index, rename[3], rename[4])
    assert fixed.replace("\r\n", "\n") == fix(text, file, index, rename[3], rename[4])
    assert "\n" not in fixed.replace("\r\n", "")


def test_fixture_other_fenced_block_is_untouched():
    text, index = scenario("heading_level3.md", "CLAUDE.md", ["src/pkg/util.py", "setup.cfg"], [])
    fixed = fix(text, "CLAUDE.md", index, ["src/pkg/util.py", "setup.cfg"], [])
    code = '```python\n# An example that is not a structure listing and must stay untouched.\n'
    assert code in fixed and fixed.endswith("### Running\n\n```\npython -m pkg\n```\n")
    assert "│       ├── core.py\n│       └── util.py\n├── tests/\n│   └── test_core.py\n└── setup.cfg\n" \
        in fixed


def test_fixture_project_root_fix_moves_glyphs_past_elisions_and_comment_lines():
    added = ["frontend/src/client.ts", "Makefile", "docs/adr/001.md"]
    removed = ["frontend/src/api.ts", "backend/pyproject.toml"]
    text, index = scenario("tree_project_root.md", "CLAUDE.md", added, removed)
    fixed = fix(text, "CLAUDE.md", index, added, removed)
    tree = fixed.split("```text\n")[1].split("```")[0]
    assert tree == """photoshare/
├── backend/                 # 🐍 FastAPI service
│   └── app/
│       ├── main.py          # app factory
│       ├── albums.py        # album endpoints
│       └── ...              # one module per resource
│
├── frontend/                # ⚛️ React client
│   ├── src/
│   │   ├── App.tsx
│   │   └── client.ts
│   │   # components/ arrives in phase 2
│   └── package.json
│
├── docs/
│   ├── adr/
│   └── architecture.md
├── CLAUDE.md                # this file
├── Makefile
└── # build output (dist/, .venv/) is never listed
"""
    assert fix(fixed, "CLAUDE.md", index, added, removed) == fixed


def test_a_spacer_line_ends_what_hangs_below_the_entry_above_it():
    text = ("## Project Structure\n\n```text\n├── old.py\n│\n│   # more later\n└── src/\n"
            "    ├── a.py\n    │\n    └── b.py\n```\n")
    assert fix_text(text, "CLAUDE.md", remove=["old.py"]) == (
        "## Project Structure\n\n```text\n│\n│   # more later\n└── src/\n    ├── a.py\n    │\n    └── b.py\n```\n")
    assert fix_text(text, "CLAUDE.md", remove=["src/a.py"]) == (
        "## Project Structure\n\n```text\n├── old.py\n│\n│   # more later\n└── src/\n    │\n    └── b.py\n```\n")


def test_a_folders_trailing_elision_stays_with_it_when_a_sibling_is_added_after_it():
    text = "## Project Structure\n\n```\ndocs/\n├── a/\n│   └── x.md\n└── ...\n```\n"
    fixed = fix_text(text, "CLAUDE.md", add=["src/x.py"])
    assert fixed == "## Project Structure\n\n```\ndocs/\n├── a/\n│   └── x.md\n└── ...\nsrc/\n```\n"
    [section] = read_sections(fixed, "CLAUDE.md")
    assert [(e.path, e.elided, e.end) for e in section.entries] == [("docs", True, 7), ("src", False, 8)]
    assert fix_text(text, "CLAUDE.md", remove=["docs/a/x.md", "docs/a", "docs"]) == (
        "## Project Structure\n\n```\n```\n")


def test_a_bold_listing_gets_a_name_without_extension_in_backticks_so_it_reads_back_as_an_entry():
    text = "## Project Structure\n\n- **app/**\n- **setup.py**\n"
    fixed = fix_text(text, "CLAUDE.md", add=["Dockerfile", "tests/x.py"])
    assert fixed == "## Project Structure\n\n- **app/**\n- **tests/**\n- `Dockerfile`\n- **setup.py**\n"
    assert fix_text(fixed, "CLAUDE.md", add=["Dockerfile", "tests/x.py"]) == fixed
