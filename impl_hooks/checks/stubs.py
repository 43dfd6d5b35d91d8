"""Stub detection (X001) and compile check (X002) for staged source files.

A stub is a placeholder in a place that demands code: a module-level
function whose body is only a docstring, ``pass``, ``...`` or
``raise NotImplementedError``, or a module where nothing but such
placeholders is defined. Precision matters more than recall here, since a
false X001 blocks a real commit, so the rules follow what real code does
(checked against click, GitPython and the standard library):

- Methods are never flagged one by one: a placeholder method beside real
  ones is a hook or an override point, and a class of only placeholder
  methods is an interface or a null object (``xml.sax.handler``,
  ``asyncio.AbstractEventLoopPolicy``). Such a class, when it has no base
  and no base-class name, counts as a stub only toward the whole-module
  finding.
- A class with a base is a declaration or an override (exception types,
  null objects), never a stub.
- A decorated function is registered or replaced by its decorator
  (hookspecs, event prototypes, deprecated aliases, dispatch cases), and
  a function whose name is rebound or used as a value is a signature
  holder, a callback or a sentinel (``types._f``, ``glutIdleFunc(idle)``),
  so these count only toward the whole-module finding.
- ``raise NotImplementedError("reason")`` with a reason that is not a
  placeholder, or ``raise NotImplementedError from err``, states a
  deliberate limit: real code.
- Exempt: ``@abstractmethod``/``@overload``/``@singledispatch`` functions,
  Protocol and ABC classes, hookspec modules, definitions under ``if`` or
  ``try`` (platform fallbacks, ``TYPE_CHECKING``), functions that say they
  are no-ops (``noop``/``dummy`` in the name, "do nothing" in the
  docstring), test doubles and empty modules in test folders, ``.pyi`` files,
  ``__init__.py`` without definitions.

JS/TS follow the same rules where they apply: a placeholder body is ``{}``
or only ``throw new Error("not implemented")``; named functions are
flagged, methods count only toward the whole-file finding, and ``.d.ts``
files, no-op names, callbacks and ES5 constructors are exempt.
"""
from __future__ import annotations

import re
import warnings

from ..findings import WARNING, Finding
from ..lazyre import lazy

PYTHON_SUFFIXES = (".py", ".pyi")
JS_SUFFIXES = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".mts", ".cts")

# A class so named is a base or an interface (Python and JS alike).
BASE_CLASS_NAME = lazy(r"^_*(?:Abstract|Base)(?:[A-Z_]|$)|(?:Base|Mixin|Interface|Protocol|ABC)$")
NO_OP_WORDS = {"noop", "nop", "dummy", "null", "ignore", "ignored", "nothing"}
IGNORE_HINT = "or mark a deliberate no-op with `# impl-hooks: ignore[X001]` on that line"
# Larger files are not parsed: a commit of generated code must not cost seconds
# and hundreds of megabytes (a 1 MB module takes about a second to compile).
MAX_SOURCE_BYTES = 1_000_000


def stub_findings(path: str, data: bytes) -> list[Finding]:
    """X001/X002 for one staged file, by its extension; binary data is skipped."""
    if b"\0" in data:
        return []
    lower = path.lower()
    if not lower.endswith(PYTHON_SUFFIXES + JS_SUFFIXES):
        return []
    if len(data) > MAX_SOURCE_BYTES:
        return [_too_large(path, len(data))]
    if lower.endswith(PYTHON_SUFFIXES):
        return python_stub_findings(path, data)
    from .jsstubs import js_stub_findings

    return js_stub_findings(path, data)


def _too_large(path: str, size: int) -> Finding:
    return Finding("X002", f"not checked for stubs or syntax: {size:,} bytes, over the {MAX_SOURCE_BYTES:,}-byte limit",
                   path=path, line=1, severity=WARNING,
                   hint="split the module; for generated code, put `impl-hooks: ignore[X002]` in a comment on line 1")




# --- Python -----------------------------------------------------------------
# Compiling to bytecode builds no Python objects for the syntax tree, so it
# costs half of parsing to an AST and compiling that. The AST rules run only
# on a file whose code objects leave room for a stub.

PLACEHOLDER_NAMES = frozenset({"NotImplementedError", "NotImplemented"})
CO_OPTIMIZED = 1  # inspect.CO_OPTIMIZED: a function's code, not a module's or a class body's
# A definition at the top of a module: its keyword and name (the name empty
# when written otherwise, as after a backslash).
TOP_DEFINITION = re.compile(rb"^\f*(?:async[ \t\f]+)?(def|class)\b[ \t\f]*(\w*)", re.MULTILINE)


def python_stub_findings(path: str, data: bytes) -> list[Finding]:
    """X002 when the module does not compile, else X001 for its stubs."""
    code, error = _compile(path, data)
    if error is not None:
        return [error]
    if path.lower().endswith(".pyi") or not _may_hold_stubs(code, data):
        return []
    import ast  # paid only by a module that may hold a stub

    from .pystubs import module_stubs

    tree, error = _compile(path, data, ast.parse)
    return [error] if error is not None else module_stubs(path, tree)


def _compile(path: str, data: bytes, build=None):
    """Compile as CPython would (or `build` an AST); return (result, None) or (None, X002)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if build is not None:
                return build(data, path), None
            return compile(data, path, "exec", dont_inherit=True), None
    except SyntaxError as exc:  # also IndentationError, TabError, bad encoding
        line = exc.lineno or _nul_line(data)
        reason = exc.msg or "invalid syntax"
    except ValueError as exc:  # NUL bytes before Python 3.12
        line, reason = _nul_line(data), str(exc)
    except (MemoryError, RecursionError):
        line, reason = 1, "too deeply nested for the compiler"
    return None, Finding(
        "X002",
        f"Python does not compile: {reason}",
        path=path,
        line=line,
        hint="fix the syntax error before committing",
    )


def _nul_line(data: bytes) -> int:
    at = data.find(b"\0")
    return data.count(b"\n", 0, at) + 1 if at >= 0 else 1


def _may_hold_stubs(module, data: bytes) -> bool:
    """Whether the AST rules could find a stub in this compiled module.

    Only a top-level function is flagged on its own, and it must be a
    placeholder; a stub module has no real function and only stub classes,
    each with placeholder methods only. So the rules run when a top-level
    function could be a placeholder; when there is no `def` and the module
    could be placeholders, or every class could be a stub; and when a
    top-level definition has no code object (the compiler drops what cannot
    run, as after `while True:`). Code objects the compiler makes itself (an
    `__annotate__` function, since Python 3.14) count as what could be a
    placeholder or a stub class's method, never as a real function.
    """
    code_type = type(module)
    top = _definitions(module, code_type)
    unmatched: dict = {}  # name -> top-level code objects so named, less definitions seen
    for code in top:
        unmatched[code.co_name] = unmatched.get(code.co_name, 0) + 1
    lines = TOP_DEFINITION.findall(data)
    for _, raw in lines:
        name = raw.decode()  # \w of bytes: ASCII
        if not unmatched.get(name):
            return True
        unmatched[name] -= 1
    if any(_may_be_placeholder(code) for code in top if code.co_flags & CO_OPTIMIZED):
        return True
    if any(keyword == b"def" for keyword, _ in lines):
        return False  # a real top-level function: no stub module
    classes = [code for code in top if not code.co_flags & CO_OPTIMIZED]
    return _may_be_placeholder(module) or bool(classes) and all(
        all(_may_be_placeholder(method) for method in _definitions(cls, code_type)
            if method.co_flags & CO_OPTIMIZED and not _dunder(method.co_name)) for cls in classes)


def _definitions(code, code_type) -> list:
    """The code objects of the functions and classes defined in `code`'s body
    (lambdas and comprehensions left out, what they hold taken in)."""
    found: list = []
    stack = [code]
    while stack:
        for const in stack.pop().co_consts:
            if type(const) is code_type:
                (stack if const.co_name[:1] == "<" else found).append(const)
    return found


def _may_be_placeholder(code) -> bool:
    """Whether this code could be a placeholder body's (docstring, `pass`, `...`,
    `raise NotImplementedError`), which uses no name but NotImplementedError's
    and no constant but None, text and Ellipsis; or, for a module or class
    body (not CO_OPTIMIZED), whether it names only dunders."""
    names = [name for name in code.co_names if not _dunder(name)]
    if not names:
        return not code.co_flags & CO_OPTIMIZED or all(
            const is None or const is Ellipsis or type(const) is str for const in code.co_consts)
    return not PLACEHOLDER_NAMES.isdisjoint(names)


def _dunder(name: str) -> bool:
    return name[:2] == "__" == name[-2:]


def declared_no_op_name(name: str) -> bool:
    """`noop`, `_dummy_handler`, `doNothing`, `noop3`, `no_op`: the name says it."""
    words = [w.lower() for w in re.split(r"[_$\d]+|(?<=[a-z])(?=[A-Z])", name) if w]
    joined = "".join(words)
    return bool(NO_OP_WORDS.intersection(words)) or joined in ("noop", "donothing")


def stub_module(path: str, what: str, names: list, comment: str) -> Finding:
    """One X001 for a file whose every definition is a placeholder, naming a few."""
    listed = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
    return Finding("X001", f"stub module: every {what} is a placeholder ({listed})", path=path, line=1,
                   hint=f"implement the module, or mark a deliberate no-op with "
                   f"`{comment} impl-hooks: ignore[X001]` on that line")
