"""Structure rules S001-S003: every CLAUDE.md / AGENTS.md "Project Structure"
section follows the paths the commit adds, removes and renames."""
from __future__ import annotations

from ..snapshot import decode_text
from ..structure.compare import compare_section, in_scope, stale_entries
from ..structure.parse import read_sections

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..configtypes import Config
    from ..context import Contexts
    from ..findings import Finding
    from ..snapshot import Snapshot


def structure_files(snapshot, config) -> list:
    """Structure files that describe something the commit changed (or that it changed)."""
    files = snapshot.list_paths(config["structure"]["files"])
    touched = snapshot.added_paths + snapshot.removed_paths
    changed = {c.path for c in snapshot.changes}
    return [f for f in files if f in changed or any(in_scope(f, p) for p in touched)]


def folder_test(snapshot):
    """`is_folder` for the reader: is a path a folder of the tree being committed?

    Asked only of a tree's lone top line (`src/` or a project name). A folder
    the commit adds or removes files below answers without git (a removed one
    counts: the listing was written while it existed); any other costs one
    `exists` call for that path alone, never a listing of the whole index.
    The answers are kept for the run. The clone's folder name plays no part.
    """
    known = snapshot.memo.setdefault("structure.folders", {})
    changed = snapshot.added_paths + snapshot.removed_paths

    def is_folder(path: str) -> bool:
        if path not in known:
            below = path + "/"
            known[path] = any(p.startswith(below) for p in changed) or path in snapshot.exists([path])
        return known[path]
    return is_folder


def check(snapshot: Snapshot, contexts: Contexts, config: Config) -> list[Finding]:
    section_config = config["structure"]
    files = structure_files(snapshot, config)
    if not files:
        return []
    blobs = snapshot.read_many(files)
    is_folder = folder_test(snapshot)
    added, removed = snapshot.added_paths, snapshot.removed_paths
    findings = []
    for file in files:
        if file not in blobs:
            continue
        for section in read_sections(decode_text(blobs[file]), file, section_config["heading"],
                                     is_folder):
            findings += compare_section(section, [p for p in added if in_scope(file, p)],
                                        [p for p in removed if in_scope(file, p)],
                                        snapshot.exists, section_config["ignore"])
    return findings


def fixed_texts(snapshot, config) -> dict:
    """New work-tree text for each structure file whose sections need fixing.

    The fix starts from the work-tree file (the user may have edited it) and
    answers to the staged snapshot: the commit's added and removed paths, and
    what the index holds.
    """
    from ..safepath import read_bytes
    from ..structure.rewrite import fix_text

    section_config = config["structure"]
    is_folder = folder_test(snapshot)
    added, removed = snapshot.added_paths, snapshot.removed_paths
    result = {}
    for file in structure_files(snapshot, config):
        raw = read_bytes(snapshot.repo, file)  # refuses a symlinked CLAUDE.md: its target is not ours
        if raw is None:
            continue  # gone from disk
        bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
        try:
            text = raw[len(bom.encode()):].decode("utf-8")
        except UnicodeDecodeError:
            continue  # not UTF-8: never rewrite what we cannot read back
        mine_added = [p for p in added if in_scope(file, p)]
        mine_removed = [p for p in removed if in_scope(file, p)]
        sections = read_sections(text, file, section_config["heading"], is_folder)
        stale = [entry.path for section in sections
                 for _code, entry in stale_entries(section, mine_removed, snapshot.exists,
                                                   section_config["ignore"])]
        new_text = fix_text(text, file, section_config["heading"], add=mine_added, remove=stale,
                            ignore=section_config["ignore"], is_folder=is_folder)
        if new_text != text:
            result[file] = bom + new_text
    return result
