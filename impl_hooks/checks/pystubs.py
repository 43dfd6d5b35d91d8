"""The Python rules of the stub detector (X001), on a module's syntax tree;
`stubs.py` says what they are and why, and runs them only on a module that
compiles and whose code objects leave room for a stub."""
from __future__ import annotations

import ast
import posixpath
import re

from ..findings import Finding
from ..lazyre import lazy
from .stubs import BASE_CLASS_NAME, IGNORE_HINT, declared_no_op_name, stub_module

EXEMPT_DECORATORS = {
    "abstractmethod",
    "abstractproperty",
    "abstractclassmethod",
    "abstractstaticmethod",
    "overload",
    "singledispatch",
    "singledispatchmethod",
}
PLACEHOLDER_REASON = lazy(
    r"todo|fixme|tbd|stub|placeholder|implement|not yet|later|step\b", re.IGNORECASE
)
NO_OP_DOC = lazy(
    r"\bno[- ]?op\b|\bdo(?:es)? nothing\b|\bdummy\b|\bintentionally (?:empty|blank)\b", re.IGNORECASE
)
TEST_FILE = re.compile(r"(?:^|/)(?:test_[^/]*|[^/]*_test|tests?|conftest)\.py$|(?:^|/)tests?/")


def _placeholder_kind(stmt: ast.stmt) -> str | None:
    """What a placeholder statement is ("pass", "...", ...), or None for real code."""
    if isinstance(stmt, ast.Pass):
        return "pass"
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
        if stmt.value.value is Ellipsis:
            return "..."
        if isinstance(stmt.value.value, str):
            return "a docstring"
    if isinstance(stmt, ast.Raise) and stmt.exc is not None and stmt.cause is None:
        exc = stmt.exc
        reason = ""
        if isinstance(exc, ast.Call):
            args = exc.args
            exc = exc.func
            if args:
                first = args[0]
                if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                    return None
                reason = first.value
        if _dotted_name(exc).split(".")[-1] not in ("NotImplementedError", "NotImplemented"):
            return None
        if reason.strip() and not PLACEHOLDER_REASON.search(reason):
            return None
        return "raise NotImplementedError"
    return None


def _placeholder_body(body: list) -> str | None:
    """Describe a body made only of placeholders, or None when it holds code."""
    kinds = [_placeholder_kind(stmt) for stmt in body]
    if None in kinds:
        return None
    real = [kind for kind in kinds if kind != "a docstring"]
    return real[-1] if real else "a docstring"


def _dotted_name(node: ast.AST) -> str:
    """`a.b.c` of a name, attribute or subscript chain, through one call at each
    step (`a().b`); "" where the chain starts with anything else. A loop, not
    recursion: a chain can be as deep as the compiler allows."""
    parts = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        if isinstance(node, ast.Name):
            parts.append(node.id)
            break
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
        elif not isinstance(node, ast.Subscript):
            parts.append("")
            break
        node = node.value
    return ".".join(reversed(parts))


def _decorator_names(node: ast.AST) -> list[str]:
    return [_dotted_name(d).split(".")[-1] for d in getattr(node, "decorator_list", [])]


def _exempt_decorated(func: ast.AST) -> bool:
    return any(name in EXEMPT_DECORATORS for name in _decorator_names(func))


def _declared_no_op(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    doc = ast.get_docstring(func, clean=False) or ""
    return declared_no_op_name(func.name) or bool(NO_OP_DOC.search(doc))


def _has_doctest(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return ">>>" in (ast.get_docstring(func, clean=False) or "")


def _stub_class(cls: ast.ClassDef) -> bool:
    """A class with nothing real in it: no base, no decorator, placeholder methods only."""
    if cls.decorator_list or cls.keywords or BASE_CLASS_NAME.search(cls.name):
        return False
    if any(_dotted_name(base) != "object" for base in cls.bases):
        return False
    for stmt in cls.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if stmt.decorator_list or not _placeholder_body(stmt.body) or _declared_no_op(stmt):
                return False
        elif _placeholder_kind(stmt) is None:
            return False
    return True


def _neutral(stmt: ast.stmt) -> bool:
    """Top-level statements that neither make a module real nor a stub."""
    if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign)):
        return True
    if isinstance(stmt, ast.If) and _dotted_name(stmt.test).endswith("TYPE_CHECKING"):
        return True
    return _placeholder_kind(stmt) is not None


def module_stubs(path: str, tree: ast.Module) -> list[Finding]:
    posix_path = path.replace("\\", "/")
    name = posixpath.basename(posix_path)
    in_test_file = bool(TEST_FILE.search(posix_path))
    body = tree.body
    if all(_placeholder_kind(stmt) for stmt in body):
        if name == "__init__.py" or in_test_file:
            return []  # package markers, import fixtures of tests
        return [
            Finding(
                "X001",
                "stub module: " + ("only a docstring or pass" if body else "the file has no code"),
                path=path,
                line=1,
                hint=f"implement the module or drop it from the commit, {IGNORE_HINT}",
            )
        ]
    if "hookspec" in name or any(
        "hookspec" in decorator.lower() for stmt in body for decorator in _decorator_names(stmt)
    ):
        return []  # pluggy hook specifications: documented signatures by design

    referenced = None  # walked for only when some function is a placeholder
    findings = []
    stub_names = []
    module_is_stub = True
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            kind = _placeholder_body(stmt.body)
            if not kind or _exempt_decorated(stmt) or _declared_no_op(stmt):
                module_is_stub = False
            elif in_test_file and (not stmt.name.startswith("test") or _has_doctest(stmt)):
                module_is_stub = False  # a test double, or a test written as a doctest
            else:
                stub_names.append(stmt.name)
                if referenced is None:
                    referenced = _rebound_or_passed_names(tree)
                if not stmt.decorator_list and stmt.name not in referenced:
                    findings.append(_function_finding(path, stmt, kind))
        elif isinstance(stmt, ast.ClassDef):
            if _stub_class(stmt) and not in_test_file:
                stub_names.append(stmt.name)
            else:
                module_is_stub = False
        elif not _neutral(stmt):
            module_is_stub = False

    if module_is_stub and stub_names:
        return [stub_module(path, "definition", stub_names, "#")]
    return findings


def _rebound_or_passed_names(tree: ast.Module) -> set:
    """Names assigned anywhere or used as a value (not called): a function
    whose name is rebound is only a signature holder, one passed around is
    a callback or sentinel, so neither is judged by its own body."""
    called = set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            called.add(id(node.func))
        elif isinstance(node, ast.Global):
            names.update(node.names)
        elif isinstance(node, ast.Name) and id(node) not in called:
            names.add(node.id)
    return names


def _function_finding(path: str, func: ast.FunctionDef | ast.AsyncFunctionDef, kind: str) -> Finding:
    return Finding(
        "X001",
        f'stub function "{func.name}": body is only {kind}',
        path=path,
        line=func.lineno,
        hint=f'implement "{func.name}", {IGNORE_HINT}',
    )
