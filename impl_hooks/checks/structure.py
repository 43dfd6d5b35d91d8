"""Structure rules S001-S003: every CLAUDE.md / AGENTS.md "Project Structure"
section follows the paths the commit adds, removes and renames."""
from __future__ import annotations

import os

from ..snapshot import decode_text
from ..structure.compare import compare_section, in_scope, stale_entries
from ..structure.parse import read_sections


def structure_files(snapshot, config) -> list:
    """Structure files that describe something the commit changed (or that it changed)."""
    files = snapshot.list_paths(config["structure"]["files"])
    touched = snapshot.added_paths + snapshot.removed_paths
    changed = {c.path for c in snapshot.changes}
    return [f for f in files if f in changed or any(in_scope(f, p) for p in touched)]


def root_names(snapshot) -> list:
    """Names a tree's top line may use for the repository itself."""
    return [os.path.basename(snapshot.root.rstrip("/"))]


def check(snapshot, contexts, config) -> list:
    section_config = config["structure"]
    files = structure_files(snapshot, config)
    if not files:
        return []
    blobs = snapshot.read_many(files)
    added, removed = snapshot.added_paths, snapshot.removed_paths
    findings = []
    for file in files:
        if file not in blobs:
            continue
        for section in read_sections(decode_text(blobs[file]), file, section_config["heading"],
                                     root_names(snapshot)):
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
    from ..structure.rewrite import fix_text

    section_config = config["structure"]
    names = root_names(snapshot)
    added, removed = snapshot.added_paths, snapshot.removed_paths
    result = {}
    for file in structure_files(snapshot, config):
        path = os.path.join(snapshot.root, file)
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
            bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
            text = raw[len(bom.encode()):].decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # gone from disk, or not UTF-8: never rewrite what we cannot read back
        mine_added = [p for p in added if in_scope(file, p)]
        mine_removed = [p for p in removed if in_scope(file, p)]
        stale = [entry.path for section in read_sections(text, file, section_config["heading"], names)
                 for _code, entry in stale_entries(section, mine_removed, snapshot.exists,
                                                   section_config["ignore"])]
        new_text = fix_text(text, file, section_config["heading"], add=mine_added, remove=stale,
                            ignore=section_config["ignore"], root_names=names)
        if new_text != text:
            result[file] = bom + new_text
    return result
