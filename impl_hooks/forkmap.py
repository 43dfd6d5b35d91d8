"""Work over many items, on the machine's other cores.

A commit's first run compiles every staged source file for X001/X002: about
40 µs a small file and 5 ms a 13 KB module, on one core while the others
idle. Where the process can fork safely (POSIX, no thread but the main one),
children take shares of the items and send their answers back through a pipe
with `marshal`; elsewhere, or when a child fails, the process does the work
itself. The answers are the same either way, in the items' order.

The work is given a whole share, and told whether it runs in a child: a child
must start its own processes (a `git cat-file` of its own), never use the
parent's.
"""
from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Callable, Sequence

# The least work (ms) a share is given. A fork and reading the child's answer
# cost 0.6 ms, but a child that reads blobs starts a git of its own: 100 small
# files (6 ms of compiling) took 12 ms shared against 7.5 ms in one process.
WORTH_A_FORK = 10.0


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


def map_shared(work: Callable[[list, bool], list], items: Sequence, costs: Sequence[float]) -> list:
    """work(items, False), the items shared between this process and forked children
    (`work(share, True)`) when their cost (ms, estimated) is worth it. `work` answers
    each item of its share, in order, with values `marshal` keeps (tuples, strings,
    numbers, None)."""
    total = sum(costs)
    workers = min(cores(), len(items), int(total // WORTH_A_FORK) or 1)
    if workers < 2 or not can_fork():
        return work(list(items), False)
    shares = _shares(costs, workers)
    children = [_start(work, [items[i] for i in share]) for share in shares[1:]]
    answers = dict(zip(shares[0], work([items[i] for i in shares[0]], False)))
    for share, child in zip(shares[1:], children):
        got = _collect(*child) if child else None
        if got is None or len(got) != len(share):  # the child failed: do its share here
            got = work([items[i] for i in share], False)
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


def _start(work: Callable, share: list):
    """(pid, read end) of a child answering `share`; None when no child could start."""
    try:
        read, write = os.pipe()
    except OSError:
        return None
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:  # nothing buffered may be written twice
            stream.flush()
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
            data = memoryview(marshal.dumps(list(work(share, True))))
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
