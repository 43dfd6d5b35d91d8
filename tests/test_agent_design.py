"""The agent pass sees the design the step implements: SDD Flow's technical design
documents, a spec-kit feature's spec.md and plan.md, a features-json design.md,
ARCHITECTURE.md; read from the index and cut to a budget by whole sections.

Fixtures (tests/fixtures/design/) are written in the shape of the public layouts:
SDD Flow's TDD (`Ataden/SDD_Flow`, prompts/5.3_technical_design.md: numbered
sections, B/F component codes, DC data contracts, the API endpoints split out
to `docs/5.3_technical_design_api_endpoints.md`), spec-kit's spec and plan
templates (`github/spec-kit`, templates/spec-template.md, plan-template.md).
"""
from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("anthropic")

from fake_anthropic import verdict  # noqa: E402

from impl_hooks.agent.design import entities, sections, size, trim, trimmed_note  # noqa: E402
from impl_hooks.agent.prompt import MAX_DESIGN_BYTES  # noqa: E402
from impl_hooks.hooks import agent_main  # noqa: E402
from test_agent_prompt import blocks  # noqa: E402

from conftest import features_json_repo, fixture, sdd_flow_repo, spec_issue_repo, spec_kit_repo  # noqa: E402

DESIGN = "design the unit implements"
TDD = "docs/Phase1/5.3_technical_design.md"
API = "docs/5.3_technical_design_api_endpoints.md"
ALBUMS_PLAN = "docs/Phase1/6.1_implementation_plan.md"


def text_of(name: str) -> str:
    return fixture(f"design/{name}").decode()


def shown(path: str, text: str) -> str:
    """A document as the design block carries it."""
    return f"file: {path}\n{text}\n"


def reviewed(api, repo, run_hook):
    """Run impl-agent on what is staged (the fake approves); the request's design block and stderr."""
    api.push(verdict("approve"))
    code, out, err = run_hook(agent_main, repo.root)
    assert (code, out) == (0, ""), err
    (request,) = api.requests
    return blocks(request.user_text)[DESIGN], request.user_text, err


# -- every preset: the design reaches the request ---------------------------

def test_phased_plan_sends_the_phase_s_technical_design_and_the_shared_one(api, repo, run_hook):
    sdd_flow_repo(repo, step="2.1").files({
        TDD: text_of("5.3_technical_design.md"),
        API: text_of("5.3_technical_design_api_endpoints.md"),
        "docs/Phase2/5.3_technical_design.md": "# Phase 2 design\n\nSHARING ONLY\n",
        "docs/5.1_functional_design.md": "# Functional design\n\nNOT TECHNICAL\n",
    }).commit("base")
    repo.files({"backend/app/domains/albums/api.py": "def list_albums(owner):\n    return []\n"}).stage()
    repo.replace(TDD, "None yet.", "WORK TREE ONLY")  # not staged: never sent
    design, user, err = reviewed(api, repo, run_hook)
    assert design == shown(TDD, text_of("5.3_technical_design.md")) + shown(API, text_of(
        "5.3_technical_design_api_endpoints.md"))
    assert "SHARING ONLY" not in user and "NOT TECHNICAL" not in user and "WORK TREE ONLY" not in user
    assert "design trimmed" not in user + err


def test_spec_kit_sends_the_feature_s_spec_and_plan(api, repo, run_hook):
    spec_kit_repo(repo).files({
        "specs/001-photo-albums/spec.md": text_of("spec.md"),
        "specs/001-photo-albums/plan.md": text_of("plan.md"),
        "specs/002-share-links/spec.md": "# Feature Specification: Share links\n\nOTHER FEATURE\n",
        "ARCHITECTURE.md": text_of("ARCHITECTURE.md"),
    }).commit("base")
    repo.branch("001-photo-albums")
    repo.files({"src/db/albums.ts": "export const albums: string[] = [];\n"}).stage()
    design, user, _ = reviewed(api, repo, run_hook)
    assert design == (shown("specs/001-photo-albums/spec.md", text_of("spec.md"))
                      + shown("specs/001-photo-albums/plan.md", text_of("plan.md"))
                      + shown("ARCHITECTURE.md", text_of("ARCHITECTURE.md")))
    assert "OTHER FEATURE" not in user


def test_features_json_sends_the_design_artifact_of_the_task(api, repo, run_hook):
    features_json_repo(repo).files({
        "artifacts/checkout-v2-design/design.md": text_of("design.md"),
        "artifacts/search-design/features.json": '{"features": [{"id": "S1", "name": "Query", "status": "planned"}]}\n',
        "artifacts/search-design/design.md": "# Design: search\n\nOTHER TASK\n",
    }).commit("base")
    repo.replace("artifacts/checkout-v2-implement/features.json",
                 '"name": "Apply discount code", "status": "planned"',
                 '"name": "Apply discount code", "status": "done"')
    repo.files({"src/discount.py": "def apply_code(cart, code):\n    return cart\n"}).stage()
    design, user, _ = reviewed(api, repo, run_hook)
    assert design == shown("artifacts/checkout-v2-design/design.md", text_of("design.md"))
    assert "OTHER TASK" not in user


def test_spec_issue_sends_architecture_md(api, repo, run_hook):
    spec_issue_repo(repo).files({"ARCHITECTURE.md": text_of("ARCHITECTURE.md")}).commit("base")
    repo.branch("AUTH-12-login")
    repo.files({"src/auth/login.py": "def login():\n    return 401\n"}).stage()
    design, _, _ = reviewed(api, repo, run_hook)
    assert design == shown("ARCHITECTURE.md", text_of("ARCHITECTURE.md"))


def test_no_design_document_is_said(api, repo, run_hook):
    spec_issue_repo(repo).commit("base")
    repo.branch("AUTH-12-login")
    repo.files({"src/auth/login.py": "def login():\n    return 401\n"}).stage()
    design, _, _ = reviewed(api, repo, run_hook)
    assert design == "(no design document found)\n"


def test_configured_globs_replace_the_preset_s(api, repo, run_hook):
    spec_issue_repo(repo).files({
        "ARCHITECTURE.md": text_of("ARCHITECTURE.md"),
        "docs/adr/0001-monolith.md": "# ADR 1: one deployable\n",
        ".impl-hooks.toml": '[agent]\ndesign = ["docs/adr/*.md"]\n',
    }).commit("base")
    repo.branch("AUTH-12-login")
    repo.files({"src/auth/login.py": "def login():\n    return 401\n"}).stage()
    design, _, _ = reviewed(api, repo, run_hook)
    assert design == shown("docs/adr/0001-monolith.md", "# ADR 1: one deployable\n")


def test_design_that_is_not_a_list_of_globs_is_c001(repo, run_hook):
    spec_issue_repo(repo).files({".impl-hooks.toml": '[agent]\ndesign = "docs/adr/*.md"\n'}).stage()
    code, out, err = run_hook(agent_main, repo.root)
    assert (code, out, err) == (2, "", ".impl-hooks.toml:2: C001 'agent.design' must be a list of strings\n")


def test_a_symlinked_design_is_sent_as_its_target_path_never_the_file(api, repo, run_hook):
    outside = repo.root.parent / "outside"
    outside.mkdir()
    (outside / "arch.md").write_text("# OUTSIDE ARCHITECTURE\n")
    spec_issue_repo(repo).commit("base")
    os.symlink("../outside/arch.md", repo.root / "ARCHITECTURE.md")
    repo.branch("AUTH-12-login")
    repo.files({"src/auth/login.py": "def login():\n    return 401\n"}).stage()
    design, user, _ = reviewed(api, repo, run_hook)
    assert design == shown("ARCHITECTURE.md", "ARCHITECTURE.md: symlink to ../outside/arch.md\n")
    assert "OUTSIDE" not in user


# -- a design past the budget -------------------------------------------------

FILLERS = 60


def filler(number: int) -> str:
    """A 1,000-byte section that names none of the step's entities."""
    head = f"## 7.{number} Operations note {number}\n\n"
    return head + "x" * (999 - len(head)) + "\n"


def test_a_design_past_the_budget_keeps_the_sections_that_name_the_step_s_entities(api, repo, run_hook):
    title = "# Technical Design Document — PhotoShare\n\n"
    relevant = ("## 2.4 B1.AlbumService paging\n\n`B1.AlbumService.list_albums` pages by 50, newest first;"
                " the cursor is the album id.\n")
    tdd = title + "".join(filler(n) for n in range(1, FILLERS + 1)) + relevant
    sdd_flow_repo(repo, step="2.1").files({TDD: tdd}).commit("base")
    repo.replace(ALBUMS_PLAN, "task 2.1.3 Pagination of the album list",
                 "task 2.1.3 Pagination of the album list in `B1.AlbumService`")
    repo.files({"backend/app/domains/albums/api.py": "def list_albums(owner, page):\n    return []\n"}).stage()
    design, user, err = reviewed(api, repo, run_hook)

    kept = (MAX_DESIGN_BYTES - size(title) - size(relevant)) // 1000  # fillers that still fit, in order
    left = [f"7.{n} Operations note {n}" for n in range(kept + 1, FILLERS + 1)]
    note = (f"design trimmed: {len(left)} sections of {TDD} left out: {', '.join(left[:10])}, "
            f"and {len(left) - 10} more")
    assert design == shown(TDD, title + "".join(filler(n) for n in range(1, kept + 1)) + relevant) + f"[{note}]\n"
    assert size(design) - size(f"file: {TDD}\n\n[{note}]\n") <= MAX_DESIGN_BYTES
    assert f"agent: {note}\n" in err
    assert "Parts of the design were left out" in user.replace(design, "")  # said outside the data too


# -- trimming, the pure function ------------------------------------------------

def test_sections_split_at_headings_outside_fenced_code():
    text = "intro\n# A\none\n```\n# not a heading\n```\n## B ##\ntwo\n#hashtag\n"
    assert sections(text) == [("", "intro\n"), ("A", "# A\none\n```\n# not a heading\n```\n"),
                              ("B", "## B ##\ntwo\n#hashtag\n")]


def test_entities_are_the_tasks_paths_and_code_names_and_the_staged_code():
    assert entities(["Create `B1.AlbumService` in `backend/app/albums/service.py`", "`GET /albums` lists"],
                    ["backend/app/albums/api.py"]) == [
        "AlbumService", "B1", "B1.AlbumService", "api.py", "backend/app/albums/api.py",
        "backend/app/albums/service.py", "service.py"]


def test_a_design_that_fits_is_kept_whole():
    docs = [("a.md", "# A\nbig\n"), ("b.md", "# B\n")]
    assert trim(docs, [], 1000) == (docs, [])


def test_sections_naming_more_entities_are_kept_first():
    docs = [("d.md", "# T\n## One\nnothing here\n## Two\nuses `service.py`\n## Three\n`AlbumService` in service.py\n")]
    assert trim(docs, ["AlbumService", "service.py"], 70) == (
        [("d.md", "# T\n## Two\nuses `service.py`\n## Three\n`AlbumService` in service.py\n")],
        [("d.md", ["One"])])


def test_trimmed_note_lists_ten_sections_then_counts():
    assert trimmed_note("d.md", ["", "A"]) == (
        "design trimmed: 2 sections of d.md left out: (text before the first heading), A")
    assert trimmed_note("d.md", [str(n) for n in range(12)]) == (
        "design trimmed: 12 sections of d.md left out: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, and 2 more")


markdown_line = st.one_of(
    st.text(max_size=30),
    st.builds(lambda n, t: "#" * n + " " + t, st.integers(1, 7), st.text(max_size=20)),
    st.sampled_from(["```", "~~~", "````", "```py", "   ```", "``` `x`", "", "# ", "#"]),
)
markdown = st.lists(markdown_line, max_size=25).map("\n".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a.md", "b.md", "docs/c.md"]), markdown), max_size=3),
       st.lists(st.text(max_size=12), max_size=5), st.integers(min_value=0, max_value=400))
def test_trimming_never_exceeds_the_budget(docs, terms, budget):
    kept, cut = trim(docs, terms, budget)
    assert sum(size(text) for _, text in kept) <= budget
    if sum(size(text) for _, text in docs) <= budget:
        assert (kept, cut) == (docs, [])
    else:
        assert cut
    for path, headings in cut:
        assert len(trimmed_note(path, headings).splitlines()) == 1


@settings(max_examples=60, deadline=None)
@given(st.one_of(markdown, st.text()))
def test_sections_never_lose_text(text):
    assert "".join(part for _, part in sections(text)) == text
