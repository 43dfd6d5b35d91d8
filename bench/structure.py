"""Times the structure check for a commit of 1,000 added and 50 removed paths
under ten CLAUDE.md files, beside the start-up of the `impl-structure` hook
(installed into a fresh virtualenv; `startup_ms` in bench/hooks.py).

    python bench/structure.py
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hooks import hook_env, startup_ms  # noqa: E402  (bench/hooks.py)

from impl_hooks.structure.compare import compare_section  # noqa: E402
from impl_hooks.structure.parse import read_sections  # noqa: E402

RUNS = 20
FILES = 10


def structure_file(folder: str) -> str:
    """A CLAUDE.md with a box tree: ten enumerated folders of eight files each."""
    lines = [f"# {folder}", "", "## Project Structure", "", "```", f"{folder}/"]
    for d in range(10):
        lines.append(f"├── pkg{d}/          # package {d}")
        for f in range(8):
            lines.append(f"│   ├── mod{f}.py     # module {f}")
    lines += ["└── README.md", "```", ""]
    return "\n".join(lines)


def main() -> int:
    folders = [f"svc{i}" for i in range(FILES)]
    texts = {f"{folder}/CLAUDE.md": structure_file(folder) for folder in folders}
    added = [f"svc{i % FILES}/pkg{(i // FILES) % 10}/new{i}.py" for i in range(1000)]
    removed = [f"svc{i % FILES}/pkg{i % 10}/mod{i % 8}.py" for i in range(50)]
    listed = {f"{folder}/pkg{d}/mod{f}.py" for folder in folders for d in range(10) for f in range(8)}
    listed -= set(removed)

    def exists(paths):  # the listed files, their package folders and the READMEs
        return {p for p in paths if p in listed or p.count("/") == 1 or p.endswith("README.md")}

    times = []
    findings = 0
    for _ in range(RUNS):
        t0 = time.perf_counter()
        findings = 0
        for file, text in texts.items():
            scope = file.rpartition("/")[0] + "/"
            for section in read_sections(text, file):
                findings += len(compare_section(section, [p for p in added if p.startswith(scope)],
                                                [p for p in removed if p.startswith(scope)], exists))
        times.append(time.perf_counter() - t0)
    check_ms = statistics.median(times) * 1000
    with tempfile.TemporaryDirectory(prefix="impl-hooks-bench-") as tmp:
        start_ms = startup_ms(hook_env(tmp), "impl-structure", tmp, RUNS)
    print(f"structure: {FILES} files, {len(added)} added, {len(removed)} removed, {findings} findings")
    print(f"parse + compare:          {check_ms:.2f} ms (median of {RUNS})")
    print(f"impl-structure start-up: {start_ms:.2f} ms (median of {RUNS})")
    print(f"ratio check/start-up: {check_ms / start_ms:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
