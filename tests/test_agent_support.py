"""Agent helpers: verdict cache, cost table, elapsed-time display, staged diffs, settings."""
from __future__ import annotations

import io
import os
import subprocess

import pytest

from impl_hooks.agent import cache
from impl_hooks.agent.cost import estimate_cost
from impl_hooks.agent.diffs import staged_diffs
from impl_hooks.agent.progress import ElapsedTicker, elapsed_ticker
from impl_hooks.agent.settings import DEFAULTS, AgentSettings


def test_cache_round_trips_under_the_git_dir(tmp_path):
    directory = cache.cache_dir(str(tmp_path))
    assert directory == os.path.join(str(tmp_path), "impl-hooks", "agent-cache")
    key = cache.cache_key("anthropic", "m", "system", "user")
    assert cache.load(directory, key) is None
    cache.store(directory, key, {"verdict": {"decision": "approve"}})
    assert cache.load(directory, key) == {"verdict": {"decision": "approve"}}
    assert os.listdir(directory) == [key + ".json"]  # no temp file left behind


def test_cache_key_changes_with_every_input():
    base = ("anthropic", "m", "s", "u")
    keys = {cache.cache_key(*base)}
    for index in range(4):
        changed = list(base)
        changed[index] += "x"
        keys.add(cache.cache_key(*changed))
    assert len(keys) == 5


def test_corrupt_cache_file_is_a_miss(tmp_path):
    (tmp_path / "k.json").write_text("{not json")
    assert cache.load(str(tmp_path), "k") is None


def test_unwritable_cache_is_skipped(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    cache.store(str(blocker / "sub"), "k", {"a": 1})  # parent is a file: no error
    assert cache.load(str(blocker / "sub"), "k") is None


@pytest.mark.parametrize("model,expected", [
    ("claude-sonnet-4-6", 3 + 15),
    ("claude-sonnet-4-5-20250929", 3 + 15),
    ("claude-opus-4-1-20250805", 15 + 75),
    ("claude-opus-4-6", 5 + 25),
    ("claude-haiku-4-5", 1 + 5),
    ("claude-3-5-haiku-latest", 0.8 + 4),
])
def test_cost_per_million_tokens_by_model_family(model, expected):
    assert estimate_cost(model, 1_000_000, 1_000_000) == pytest.approx(expected)


def test_cost_of_an_unknown_model_is_unknown():
    assert estimate_cost("gpt-4o", 10, 10) is None


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_ticker_shows_elapsed_time_on_a_terminal():
    stream = Terminal()
    with elapsed_ticker(stream):
        pass
    assert stream.getvalue().startswith("\ragent: 0s")
    assert stream.getvalue().endswith("\r\033[K")


def test_ticker_is_silent_when_not_a_terminal():
    stream = io.StringIO()
    with elapsed_ticker(stream):
        pass
    assert stream.getvalue() == ""
    assert not isinstance(elapsed_ticker(stream), ElapsedTicker)


def test_settings_fill_defaults_and_keep_given_values():
    settings = AgentSettings.from_config({"model": "claude-haiku-4-5", "timeout": 30, "exclude": ("a/*",)})
    assert (settings.model, settings.timeout, settings.exclude) == ("claude-haiku-4-5", 30, ["a/*"])
    assert (settings.backend, settings.on_error, settings.max_tokens) == ("anthropic", "allow", 2048)
    assert AgentSettings.from_config({}) == AgentSettings()
    assert set(DEFAULTS) == set(AgentSettings.__dataclass_fields__)


def git(root, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=root, check=True, capture_output=True)


def test_staged_diffs_split_per_file_on_an_unborn_branch(tmp_path):
    git(tmp_path, "init", "-q")
    (tmp_path / "a b.py").write_text("x = 1\n")
    (tmp_path / "c.py").write_text("y = 2\n")
    git(tmp_path, "add", "-A")
    diffs = staged_diffs(str(tmp_path))
    assert [path for path, _ in diffs] == ["a b.py", "c.py"]
    assert "+x = 1" in diffs[0][1] and "+y = 2" not in diffs[0][1]
    assert "+y = 2" in diffs[1][1]


def test_staged_diffs_show_the_index_not_the_work_tree_and_follow_renames(tmp_path):
    git(tmp_path, "init", "-q")
    (tmp_path / "old.py").write_text("".join(f"line {i}\n" for i in range(20)))
    (tmp_path / "gone.py").write_text("bye\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "base")
    git(tmp_path, "mv", "old.py", "new.py")
    git(tmp_path, "rm", "-q", "gone.py")
    (tmp_path / "new.py").write_text("line 0\nunstaged\n")
    diffs = dict(staged_diffs(str(tmp_path)))
    assert set(diffs) == {"new.py", "gone.py"}
    assert "rename to new.py" in diffs["new.py"] and "unstaged" not in diffs["new.py"]
    assert "-bye" not in diffs["gone.py"]  # deletions are not spelled out (--irreversible-delete)


def test_staged_diffs_outside_a_repository_is_empty(tmp_path):
    assert staged_diffs(str(tmp_path)) == []
