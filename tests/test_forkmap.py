"""Work shared with forked children gives the answers of doing it all in one
process. The sharing is run in a fresh interpreter: a pytest worker has threads
of its own, and with another thread running nothing is forked."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from impl_hooks import forkmap

from conftest import Repo

SCRIPT = """
import json, os, sys, threading
from impl_hooks import forkmap
forkmap.cores = lambda: 4  # share on a one-core machine too
items, costs, mode = json.loads(sys.argv[1])
if mode == "thread":
    stop = threading.Event()
    threading.Thread(target=stop.wait, daemon=True).start()
parent = os.getpid()

def work(item):
    if os.getpid() != parent and mode == "failing child":
        raise RuntimeError("child")
    return item * 2, os.getpid()

answers = forkmap.map_shared(work, items, costs)
if mode == "thread":
    stop.set()
print(json.dumps({"answers": [a for a, _ in answers], "pids": sorted({p for _, p in answers}),
                  "me": os.getpid()}))
"""


def shared(items, costs, mode="") -> dict:
    out = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps([items, costs, mode])],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    return json.loads(out)


def test_shared_work_answers_each_item_in_order_as_one_process_would():
    items = list(range(40))
    costs = [(i * 7) % 5 + 0.5 for i in items]
    got = shared(items, costs)
    assert got["answers"] == [i * 2 for i in items]
    assert len(got["pids"]) == 4 and got["me"] in got["pids"]


def test_work_too_small_for_a_fork_stays_in_the_process():
    got = shared([1, 2, 3], [0.1, 0.1, 0.1])
    assert got == {"answers": [2, 4, 6], "pids": [got["me"]], "me": got["me"]}


def test_the_share_of_a_failed_child_is_done_by_the_parent():
    items = list(range(12))
    got = shared(items, [5.0] * 12, "failing child")
    assert got == {"answers": [i * 2 for i in items], "pids": [got["me"]], "me": got["me"]}


def test_nothing_is_forked_while_another_thread_runs():
    items = list(range(12))
    got = shared(items, [5.0] * 12, "thread")
    assert got == {"answers": [i * 2 for i in items], "pids": [got["me"]], "me": got["me"]}


def test_shares_are_of_about_equal_cost_and_cover_every_item_once():
    costs = [9.0, 1.0, 1.0, 1.0, 4.0, 4.0, 2.0]
    shares = forkmap._shares(costs, 3)
    assert shares == [[0], [3, 4, 6], [1, 2, 5]]  # loads 9, 7, 6
    assert sorted(i for share in shares for i in share) == list(range(len(costs)))


MODULE = textwrap.dedent('''
    """A module long enough that compiling it is worth a second core."""


    def total(values):
        """The sum, skipping None."""
        return sum(v for v in values if v is not None)
    ''') + "".join(f"\n\ndef f{i}(x):\n    return x + {i}\n" for i in range(200))


def test_impl_check_sharing_the_compiles_finds_what_one_process_finds(repo: Repo, monkeypatch):
    """30 staged modules, a stub and a syntax error among them: the hook as a
    process (a child compiles half of the 28 large ones; the two small ones are
    compiled as they come) gives the findings of the checks run here without a
    fork, and starts no more git processes."""
    from conftest import check_findings

    repo.files({"README.md": "# r\n"}).commit("base")
    files = {f"app/m{i}.py": MODULE for i in range(28)}
    files["app/stub.py"] = "def todo():\n    pass\n"
    files["app/broken.py"] = "def f(:\n    return 1\n"
    repo.files(files).stage()
    monkeypatch.setattr(forkmap, "can_fork", lambda: False)
    expected = check_findings(repo.root)
    (repo.root / ".git/impl-hooks/cache/stubs").unlink()  # the process parses every file again
    trace = repo.root / "trace.log"
    env = {**os.environ, "GIT_TRACE": str(trace)}
    proc = subprocess.run([sys.executable, "-c", HOOK], cwd=repo.root, env=env, capture_output=True, text=True)
    got = [f"{f['path'] or ''}{':' + str(f['line']) if f['line'] else ''}: {f['code']} {f['message']}"
           for f in json.loads(proc.stdout)]
    assert (proc.returncode, got, proc.stderr) == (1, expected, "a child compiles 14 files\n")
    assert {"X001", "X002"} <= {line.split()[1] for line in expected}
    readers = [line for line in trace.read_text().splitlines() if "cat-file --batch" in line and "built-in" in line]
    assert len(readers) == 1


# impl-check as a process, saying what it gives a child.
HOOK = """
import sys
from impl_hooks import forkmap
forkmap.cores = lambda: 2  # share on a one-core machine too
start = forkmap._start
def said(function, share):
    print(f"a child compiles {len(share)} files", file=sys.stderr)
    return start(function, share)
forkmap._start = said
from impl_hooks.hooks import check_main
sys.exit(check_main(["--format", "json"]))
"""


def test_large_files_are_compiled_in_batches_of_bounded_size(repo: Repo, monkeypatch):
    """A large commit is never all in memory: the files set aside for sharing go
    in batches of BATCH_BYTES, and a small one is compiled as it comes."""
    from conftest import check_findings
    from impl_hooks.checks import sources

    repo.files({"README.md": "# r\n"}).commit("base")
    files = {f"app/m{i}.py": MODULE for i in range(5)}
    files["app/stub.py"] = "def todo():\n    pass\n"
    repo.files(files).stage()
    batches = []
    share = forkmap.map_shared
    monkeypatch.setattr(sources, "BATCH_BYTES", 2 * len(MODULE))
    monkeypatch.setattr(forkmap, "map_shared", lambda f, items, costs: batches.append(len(items)) or share(f, items, costs))
    found = check_findings(repo.root)
    assert batches == [2, 2, 1]
    assert [line for line in found if " X00" in line] == [
        "app/stub.py:1: X001 stub module: every definition is a placeholder (todo)"]
