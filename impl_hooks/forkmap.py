"""Work over many items, on the machine's other cores.

A commit's first run compiles every staged source file for X001/X002: about
40 µs a small file and 2.5 ms a 13 KB module, on one core while the others
idle. Where the process can fork safely (POSIX but macOS, no other thread),
children take shares of the items and send their answers back through a pipe
with `marshal`; elsewhere, or when a child fails, the process does the work
itself. The answers are the same either way, in the items' order. A child
only computes: it starts no process and touches no file, so a run starts the
same git processes whether it forks or not.
"""
from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Callable, Sequence

# The least work (ms) a share is given: a fork and reading the child's answer
# cost about 0.6 ms, and the estimate is rough.
WORTH_A_FORK = 5.0


def cores() -> int:
    """The cores this process may run on (a container's share, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def can_fork() -> bool:
    """fork copies only the calling thread: with others running, a lock one of them
    holds stays held in the child forever. macOS system libraries start threads
    of their own, so Python does not fork there either (multiprocessing spawns)."""
    if not hasattr(os, "fork") or sys.platform == "darwin":
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


def map_shared(function: Callable, items: Sequence, costs: Sequence[float]) -> list:
    """[function(item) for item in items], the items shared between this process and
    forked children when their cost (ms, estimated) is worth it. Answers must be
    values `marshal` keeps (tuples, strings, numbers, None)."""
    workers = min(cores(), len(items), int(sum(costs) // WORTH_A_FORK))
    if workers < 2 or not can_fork():
        return [function(item) for item in items]
    shares = _shares(costs, workers)
    children = [_start(function, [items[i] for i in share]) for share in shares[1:]]
    answers = {i: function(items[i]) for i in shares[0]}
    for share, child in zip(shares[1:], children):
        got = _collect(*child) if child else None
        if got is None or len(got) != len(share):  # the child failed: do its share here
            got = [function(items[i]) for i in share]
        answers.update(zip(share, got))
    return [answers[i] for i in range(len(items))]


def _shares(costs: Sequence[float], workers: int) -> list[list[int]]:
    """Item indexes in `workers` shares of about equal cost, the costliest placed first."""
    shares: list[list[int]] = [[] for _ in range(workers)]
    loads = [0.0] * workers
    for i in sorted(range(len(costs)), key=costs.__getitem__, reverse=True):
        least = loads.index(min(loads))
        shares[least].append(i)
        loads[least] += costs[i]
    return [sorted(share) for share in shares]


def _start(function: Callable, share: list):
    """(pid, read end) of a child answering `share`; None when no child could start."""
    try:
        read, write = os.pipe()
    except OSError:
        return None
    for stream in (sys.stdout, sys.stderr):
        try:  # nothing buffered may be written twice
            stream.flush()
        except (AttributeError, OSError, ValueError):  # none, closed, or a reader gone
            pass
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return None
    if pid == 0:  # the child: answer, write, and leave without running any exit handler
        code = 1
        try:
            os.close(read)
            data = memoryview(marshal.dumps([function(item) for item in share]))
            while data:
                data = data[os.write(write, data):]
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    return pid, read


def _collect(pid: int, read: int) -> list | None:
    """The child's answers, or None when it died, failed or sent what marshal cannot read."""
    chunks = []
    try:
        while True:
            chunk = os.read(read, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    except OSError:
        chunks = []
    finally:
        os.close(read)
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return None
    if status != 0:
        return None
    try:
        answers = marshal.loads(b"".join(chunks))
    except (EOFError, ValueError, TypeError):
        return None
    return answers if isinstance(answers, list) else None
