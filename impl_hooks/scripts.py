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


def _ending(main):
    """A console script: `main`, then the process ends with its exit code."""
    def script() -> None:
        code = main()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # its reader gone, or closed already
                pass
        os._exit(code)
    return script


check = _ending(hooks.check_main)
branch = _ending(hooks.branch_main)
branch_created = _ending(hooks.branch_created_main)
plan = _ending(hooks.plan_main)
structure = _ending(hooks.structure_main)
reports = _ending(hooks.reports_main)
commit_msg = _ending(hooks.commit_msg_main)
prepare_msg = _ending(hooks.prepare_msg_main)
