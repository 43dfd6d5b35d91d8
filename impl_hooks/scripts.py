"""The hooks' console scripts: each runs its hook's `main`, then ends the
process at once, without the interpreter's teardown.

A hook runs on every commit, and Python's teardown (unloading every module,
freeing every object the run made) took 4–9 ms of a 35–60 ms run here, more
after reading a long plan. None of it is the hook's work: `main` has written
its findings, waited for every git answer and forked child it used, and
written and closed (atomically) every file it writes before it returns. So
the streams are flushed and the process ends with `main`'s exit code; a git
process still open (the `cat-file` reader) sees its input close and ends on
its own. `main` still returns, for callers in the same process (the tests,
`impl-hooks check`). The agent pass, which talks to an API client, ends the
ordinary way.
"""
from __future__ import annotations

import os
import sys

from . import hooks


def _run(main) -> None:
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # its reader gone, or closed already
            pass
    os._exit(code)


def check() -> None:
    _run(hooks.check_main)


def branch() -> None:
    _run(hooks.branch_main)


def branch_created() -> None:
    _run(hooks.branch_created_main)


def plan() -> None:
    _run(hooks.plan_main)


def structure() -> None:
    _run(hooks.structure_main)


def reports() -> None:
    _run(hooks.reports_main)


def commit_msg() -> None:
    _run(hooks.commit_msg_main)


def prepare_msg() -> None:
    _run(hooks.prepare_msg_main)
