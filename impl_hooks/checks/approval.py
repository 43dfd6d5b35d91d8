"""The approval gate (H001, opt-in with `approval.required`): only a staged
tree a person approved with `impl-hooks approve` is committed."""
from __future__ import annotations

import os

from ..findings import Finding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..configtypes import Config
    from ..context import Contexts
    from ..snapshot import Snapshot


def check(snapshot: Snapshot, contexts: Contexts, config: Config) -> list[Finding]:
    if not config["approval"]["required"] or snapshot.after is not None:
        return []  # a commit of a range: no staged tree to approve
    from ..approval import is_approved, staged_tree

    tree = staged_tree(snapshot.repo)
    if is_approved(snapshot.repo, tree):
        return []
    if os.environ.get("CLAUDECODE"):  # an agent reads this: approval stays a person's
        hint = ("ask the person to test this change and approve it (they run `impl-hooks approve` "
                "in their own terminal); do not run it yourself")
    else:
        hint = "a person tests the change, then runs: impl-hooks approve (it records exactly what is staged)"
    return [Finding("H001", f"the staged tree {tree[:12]} was not approved", hint=hint)]
