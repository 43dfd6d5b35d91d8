"""Configuration: `[tool.impl-hooks]` in pyproject.toml or `.impl-hooks.toml`,
merged over the preset's defaults and validated key by key (C001 names the key).
"""
from __future__ import annotations

import re

from .errors import ConfigError, UsageError, toml_error
from .lazyre import lazy

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, TypeVar

    from .configtypes import Config, Preset

    TableT = TypeVar("TableT", bound="Mapping[str, Any]")

CONFIG_FILES = (".impl-hooks.toml", "pyproject.toml")  # the first one found wins
PRESETS = ("phased-plan", "spec-issue", "features-json", "spec-kit", "none")
DEFAULT_BRANCH_PATTERN = r"^(?:[a-z]+/)?(?P<issue>[A-Z][A-Z0-9]+-\d+)(?:[-_/].+)?$"

# Which files reveal a preset, in order of precedence (git glob pathspecs).
PRESET_MARKERS: tuple[tuple[Preset, tuple[str, ...]], ...] = (
    ("phased-plan", ("**/Context.toml", "docs/Phase*/6.1_implementation_plan.md")),
    ("features-json", ("artifacts/*-design/features.json",)),
    ("spec-kit", ("specs/*/tasks.md",)),
    ("spec-issue", ("docs/specs/*.md",)),
)

# Listed in one git call per run: the config files, the preset markers and
# every Context.toml; later questions about them are answered from it.
STRUCTURE_FILES = ["CLAUDE.md", "*/CLAUDE.md", "AGENTS.md"]
MARKER_GLOBS = CONFIG_FILES + tuple(dict.fromkeys(
    [p for _, globs in PRESET_MARKERS for p in globs] + STRUCTURE_FILES))

NOT_CODE = [
    "*.md", "*.markdown", "*.rst", "*.txt", "*.adoc", "docs/**", "doc/**",
    "**/Context.toml", "artifacts/**", "specs/**", "LICENSE*", "CHANGELOG*",
    ".impl-hooks.toml", ".pre-commit-config.yaml", ".gitignore", ".gitattributes",
    ".github/**", ".claude/**", ".impl-hooks/**",
]

BASE: Config = {
    "preset": "none",
    "ignore": [],
    "branch": {
        "pattern": DEFAULT_BRANCH_PATTERN,
        "protected": ["main", "master", "release/*"],
        "exempt": ["dependabot/*", "renovate/*"],
    },
    "message": {"template": "{issue}: "},
    "plan": {
        "paths": [],
        "completed": ["✅", "**COMPLETED**", "[x]"],
        "require": "progress",
        "not_code": NOT_CODE,
        "current": "",
        "evidence": "paths",
    },
    "structure": {
        "files": STRUCTURE_FILES,
        "heading": "Project Structure",
        # ".*/**": dot-files and dot-folders at the root (tool config, CI) are the team's to list
        "ignore": ["**/__pycache__/**", "*.pyc", "node_modules", ".git", ".*/**"],
    },
    "reports": {"require": []},
    "todos": {"pattern": ""},
    "tests": {"required": False, "patterns": ["tests/**", "test/**", "**/test_*.py", "**/*_test.py",
                                               "**/*_test.go", "**/*.test.*", "**/*.spec.*"]},
    "approval": {"required": False},
    "agent": {
        "backend": "anthropic",
        "model": "claude-sonnet-4-6",
        "on_error": "allow",
        "timeout": 120,
        "max_tokens": 2048,
        "max_diff_bytes": 200_000,
        "max_file_bytes": 20_000,
        "exclude": [],
        "design": ["ARCHITECTURE.md"],  # what the agent reviews against; {placeholders} from the plan
    },
}

PRESET_DEFAULTS: dict[str, dict[str, Any]] = {
    "phased-plan": {
        "plan": {"paths": ["docs/Phase{phase}/6.1_implementation_plan.md"], "evidence": "paths+names"},
        "reports": {"require": [
            {"path": "docs/Phase{phase}/Steps/{step}/6.2_implementation_report.md",
             "sections": [], "when": "step-completed"},
            {"path": "docs/Phase{phase}/Steps/{step}/6.2_testing_plan.md",
             "sections": [], "when": "step-completed"},
        ]},
        "agent": {"design": ["docs/Phase{phase}/5.*_technical_design*.md", "docs/5.*_technical_design*.md",
                             "ARCHITECTURE.md"]},
    },
    "spec-issue": {"plan": {"paths": ["docs/specs/*.md"]}},
    "features-json": {
        "plan": {"paths": ["artifacts/{task}-implement/features.json"]},
        "reports": {"require": [
            {"path": "artifacts/{task}-implement/implementation.md",
             "sections": ["Changes Made", "Deviations from Design", "Known Limitations"],
             "when": "step-completed"},
        ]},
        "agent": {"design": ["artifacts/{task}-design/design.md", "ARCHITECTURE.md"]},
    },
    "spec-kit": {
        "branch": {"pattern": r"^(?P<issue>\d{3})-[a-z0-9][a-z0-9-]*$"},
        "plan": {"paths": ["specs/{feature}/tasks.md"]},
        "agent": {"design": ["specs/{feature}/spec.md", "specs/{feature}/plan.md", "ARCHITECTURE.md"]},
    },
    "none": {},
}

# key -> kind; a nested dict is a table. Kinds: str bool int list regex issue-regex
# enum:<a|b> reports (a list of tables).
SCHEMA: dict[str, str | dict[str, str]] = {
    "preset": "enum:" + "|".join(PRESETS),
    "ignore": "codes",
    "branch": {"pattern": "issue-regex", "protected": "list", "exempt": "list"},
    "message": {"template": "template"},
    "plan": {"paths": "list", "completed": "list", "require": "enum:progress|step-complete|off",
             "not_code": "list", "current": "str", "evidence": "enum:paths|paths+names|off"},
    "structure": {"files": "list", "heading": "str", "ignore": "list"},
    "reports": {"require": "reports"},
    "todos": {"pattern": "step-regex"},
    "tests": {"required": "bool", "patterns": "list"},
    "approval": {"required": "bool"},
    "agent": {"backend": "enum:anthropic|claude-code", "model": "str",
              "on_error": "enum:allow|block", "timeout": "number", "max_tokens": "int",
              "max_diff_bytes": "int", "max_file_bytes": "int", "exclude": "list",
              "design": "list"},
}
REPORT_KEYS = {"path": "str", "sections": "list", "template": "str",
               "when": "enum:step-completed|always"}
CODE_RE = lazy(r"^[A-Z](?:\d{3})?$")
MAX_SECONDS = 3600  # kind "number" (agent.timeout): an hour; inf, nan and 1e300 are not a timeout


def _copy(value):
    """Deep copy of TOML data (dicts, lists, scalars); `copy` costs start-up time."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def merge(base: TableT, over: Mapping[str, Any]) -> TableT:
    out = _copy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = _copy(value)
    return out


def _key_line(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=", re.M)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _check_value(kind: str, value: Any, name: str, fail) -> None:
    if kind == "str" and not isinstance(value, str):
        fail(f"'{name}' must be a string")
    elif kind == "bool" and not isinstance(value, bool):
        fail(f"'{name}' must be true or false")
    elif kind == "int" and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
        fail(f"'{name}' must be a positive whole number")
    elif kind == "number" and (isinstance(value, bool) or not isinstance(value, (int, float))
                               or not 0 < value <= MAX_SECONDS):
        fail(f"'{name}' must be a positive number of seconds, at most {MAX_SECONDS}")
    elif kind in ("list", "codes"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            fail(f"'{name}' must be a list of strings")
        if kind == "codes":
            bad = [v for v in value if not CODE_RE.match(v.upper())]
            if bad:
                fail(f"'{name}' has {bad[0]!r}, which is not a rule code (like S003) or prefix (like S)")
    elif kind.startswith("enum:"):
        choices = kind[5:].split("|")
        if value not in choices:
            fail(f"'{name}' must be one of {', '.join(choices)} (got {value!r})")
    elif kind in ("issue-regex", "step-regex", "template"):
        if not isinstance(value, str):
            fail(f"'{name}' must be a string")
        if kind == "template":
            if "{issue}" not in value:
                fail(f"'{name}' must contain {{issue}}")
            return
        if not value:
            return
        try:
            compiled = re.compile(value)
        except re.error as exc:
            fail(f"'{name}' is not a valid regular expression: {exc}")
        group = "issue" if kind == "issue-regex" else "step"
        if group not in compiled.groupindex:
            fail(f"'{name}' needs a named group (?P<{group}>...)")


def validate(data: dict[str, Any], path: str, text: str, table: str = "tool.impl-hooks") -> None:
    """Raise ConfigError naming the first unknown key or wrong type."""
    def walk(node: dict[str, Any], schema: Mapping[str, str | dict[str, str]], prefix: str) -> None:
        for key, value in node.items():
            name = f"{prefix}.{key}" if prefix else key

            def fail(message: str, key: str = key) -> None:
                raise ConfigError(path, message, _key_line(text, key))

            if key not in schema:
                known = ", ".join(sorted(schema))
                fail(f"unknown key '{name}' in [{table}] (known: {known})")
            kind = schema[key]
            if isinstance(kind, dict):
                if not isinstance(value, dict):
                    fail(f"'{name}' must be a table")
                walk(value, kind, name)
            elif kind == "reports":
                if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                    fail(f"'{name}' must be an array of tables ([[{table}.reports.require]])")
                for entry in value:
                    if "path" not in entry:
                        fail(f"each '{name}' entry needs a 'path'")
                    walk(entry, REPORT_KEYS, name)
            else:
                _check_value(kind, value, name, fail)

    walk(data, SCHEMA, "")


def load_toml(text: str, display: str) -> dict:
    """Parse TOML; a syntax error is one C001 line with its line number. The
    parser is imported here, by the runs that parse: with typing and datetime
    it is a tenth of a hook's time, and a run whose files are unchanged parses
    nothing (their tables are kept by blob id, `diskcache`)."""
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11 only
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise toml_error(display, exc, text) from None
    except RecursionError:  # tomllib recurses per nested array or table
        raise ConfigError(display, "invalid TOML: arrays or tables nested too deeply") from None


def parse_config_text(raw: bytes, display: str) -> tuple[dict[str, Any] | None, str]:
    text = raw.decode("utf-8", "replace")
    data = load_toml(text, display)
    if display.endswith("pyproject.toml"):
        table = data.get("tool", {}).get("impl-hooks") if isinstance(data.get("tool"), dict) else None
        if table is None:
            return None, text
        if not isinstance(table, dict):
            raise ConfigError(display, "[tool.impl-hooks] must be a table", _key_line(text, "impl-hooks"))
        return table, text
    return data, text


def read_config_table(snapshot, before: bool = False) -> tuple[dict[str, Any] | None, str]:
    """The user's table and the file it came from, read from the snapshot's tree
    (the index for a commit), never from the work tree: what is not staged does
    not count. C001 for a file that is not valid."""
    from .diskcache import cached

    ids = snapshot.blob_ids(CONFIG_FILES, before=before)
    for name in CONFIG_FILES:
        if name not in ids:
            continue
        def raw() -> bytes:
            return snapshot.read_many([name], before=before)[name]

        table = cached(snapshot.repo, "toml", f"{name} {ids[name]}", lambda: parse_config_text(raw(), name)[0])
        if table is None:
            continue
        kind = "tool.impl-hooks" if name == "pyproject.toml" else name
        try:
            validate(table, name, "", kind)
        except ConfigError:
            validate(table, name, raw().decode("utf-8", "replace"), kind)  # again: the error names the key's line
        return table, name
    return None, ""


def load_config(snapshot, before: bool = False) -> Config:
    """The effective config of the tree being committed (or of its before-state)."""
    if not before:
        snapshot.list_paths(MARKER_GLOBS)  # one listing answers the config files and the preset markers
    user, source = read_config_table(snapshot, before)
    return effective_config(user or {}, source, snapshot, before)


def effective_config(user: dict[str, Any], source: str, snapshot, before: bool = False) -> Config:
    """The user's table over its preset's defaults; zero config detects the preset from the tree."""
    preset = user.get("preset")
    if preset is None:
        preset = detect_preset(snapshot, before)
    config = merge(merge(BASE, PRESET_DEFAULTS[preset]), user)
    config["preset"] = preset
    config["source"] = source
    return config


def detect_preset(snapshot, before: bool = False) -> Preset:
    """The first preset whose marker files are in the tree being committed."""
    present = snapshot.list_paths(MARKER_GLOBS, before=before)
    if not present:
        return "none"
    from .globs import match_git_glob
    for preset, globs in PRESET_MARKERS:
        if any(match_git_glob(p, globs) for p in present):
            return preset
    return "none"


# How a config change lowers the bar. Keys are dotted paths into the effective config.
LOOSER_WHEN_ADDED = ("ignore", "branch.exempt", "plan.not_code", "plan.completed", "structure.ignore",
                     "tests.patterns", "agent.exclude")
LOOSER_WHEN_REMOVED = ("branch.protected", "plan.paths", "structure.files")
LOOSER_WHEN_CHANGED = ("preset", "branch.pattern", "structure.heading", "todos.pattern")
STRICTNESS = {  # each key's values from the most lenient to the strictest
    "plan.require": ("off", "progress", "step-complete"),
    "plan.evidence": ("off", "paths", "paths+names"),
    "approval.required": (False, True),
    "tests.required": (False, True),
    "agent.on_error": ("allow", "block"),
}


def _get(config: Config, dotted: str) -> Any:
    value: Any = config
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _shown(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def weakenings(before: Config, after: Config) -> list[str]:
    """What `after` turns off or lets through that `before` did not, one phrase each,
    so the person reviewing a config change sees it (`ignore adds P, R`)."""
    found = []
    for key in LOOSER_WHEN_CHANGED:
        old, new = _get(before, key), _get(after, key)
        if old != new:
            found.append(f"{key} {old} → {new}" if key == "preset" else f"{key} changed")
    for key, order in STRICTNESS.items():
        old, new = _get(before, key), _get(after, key)
        if old in order and new in order and order.index(new) < order.index(old):
            found.append(f"{key} {_shown(old)} → {_shown(new)}")
    for key in LOOSER_WHEN_ADDED:
        old = _get(before, key) or []
        added = [v for v in _get(after, key) or [] if v not in old]
        if key == "ignore":
            covered = {c.upper() for c in old}
            added = [c for c in added if c.upper() not in covered and c[:1].upper() not in covered]
        if added:
            found.append(f"{key} adds {', '.join(added)}")
    for key in LOOSER_WHEN_REMOVED:
        new = _get(after, key) or []
        dropped = [v for v in _get(before, key) or [] if v not in new]
        if dropped:
            found.append(f"{key} drops {', '.join(dropped)}")
    found += _fewer_reports(before["reports"]["require"], after["reports"]["require"])
    return found


def _fewer_reports(before: list, after: list) -> list[str]:
    """Report requirements dropped, narrowed to fewer sections, or asked less often."""
    now = {entry["path"]: entry for entry in after}
    found = []
    for entry in before:
        new = now.get(entry["path"])
        if new is None:
            found.append(f"reports.require drops {entry['path']}")
            continue
        dropped = [s for s in entry.get("sections", []) if s not in new.get("sections", [])]
        if dropped:
            found.append(f"reports.require {entry['path']} drops sections {', '.join(dropped)}")
        if entry.get("template") and not new.get("template"):
            found.append(f"reports.require {entry['path']} drops its template")
        if entry.get("when") == "always" and new.get("when", "step-completed") != "always":
            found.append(f"reports.require {entry['path']} only when the step completes")
    return found


def staged_config_weakens(snapshot, config: Config) -> str:
    """A warning when the staged config turns off what HEAD's enforced, else "".

    Asked only when the commit touches a config file; HEAD's config that does
    not load is no baseline (its C001 was reported when it was committed)."""
    if snapshot.before is None or not any(c.path in CONFIG_FILES or c.old_path in CONFIG_FILES
                                          for c in snapshot.changes):
        return ""
    try:
        before_table, before_source = read_config_table(snapshot, before=True)
    except ConfigError:
        return ""
    if before_table == read_config_table(snapshot)[0]:
        return ""
    before = effective_config(before_table or {}, before_source, snapshot, before=True)
    lost = weakenings(before, config)
    if not lost:
        return ""
    name = config["source"] or before_source or CONFIG_FILES[0]
    return f"the staged {name} weakens the checks: {'; '.join(lost)}"


def unstaged_config(snapshot) -> list[str]:
    """Config files whose impl-hooks table in the work tree differs from the index's:
    those edits do not count until staged, and the person committing should know."""
    from .safepath import read_bytes

    staged = snapshot.read_many(CONFIG_FILES)
    found = []
    for name in CONFIG_FILES:
        try:
            raw = read_bytes(snapshot.repo, name)
        except (UsageError, OSError):
            continue  # a symlink or a folder: nothing git would stage as config
        if raw is None or raw == staged.get(name):
            continue
        try:
            differs = parse_config_text(raw, name)[0] != (parse_config_text(staged[name], name)[0]
                                                           if name in staged else None)
        except ConfigError:
            differs = True
        if differs:
            found.append(name)
    return found


def branch_regex(config: Config) -> re.Pattern[str] | None:
    pattern = config["branch"]["pattern"]
    return re.compile(pattern) if pattern else None


def branch_issue(branch: str | None, config: Config) -> str | None:
    """The issue id the branch name carries, or None."""
    regex = branch_regex(config)
    if not branch or regex is None:
        return None
    match = regex.match(branch)
    return match.group("issue") if match else None


def to_toml(config: Mapping[str, Any]) -> str:
    """The effective config as a `[tool.impl-hooks]` TOML document: strings in
    single quotes where TOML allows (patterns keep their backslashes as written),
    plain keys before tables at every level."""
    import tomlkit

    def is_table(value: object) -> bool:
        return isinstance(value, dict) or (
            isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value))

    def item(value: object):
        if isinstance(value, str):
            literal = "'" not in value and not any(c < " " and c != "\t" or c == "\x7f" for c in value)
            return tomlkit.string(value, literal=literal)
        if isinstance(value, list):
            array = tomlkit.array()
            array.extend(item(v) for v in value)
            return array
        return tomlkit.item(value)

    def table(values: dict):
        out = tomlkit.table()
        for key, value in sorted(values.items(), key=lambda kv: is_table(kv[1])):
            if isinstance(value, dict):
                out.add(key, table(value))
            elif isinstance(value, list) and is_table(value):
                entries = tomlkit.aot()
                for entry in value:
                    entries.append(table(entry))
                out.add(key, entries)
            else:
                out.add(key, item(value))
        return out

    tool = tomlkit.table(is_super_table=True)
    tool.add("impl-hooks", table({k: v for k, v in config.items() if k != "source"}))
    document = tomlkit.document()
    document.add("tool", tool)
    return tomlkit.dumps(document)
