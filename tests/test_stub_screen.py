"""The compiled-code screen in front of the stub detector's AST rules never
hides a stub: a module it lets past gives the findings of parsing every
module to a tree, compiling that and running the rules."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
import sysconfig

import click
import hypothesis
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import impl_hooks
from impl_hooks.checks import sources, stubs
from impl_hooks.checks.pystubs import module_stubs
from impl_hooks.checks.stubs import python_stub_findings


def _every_module_parsed(path: str, data: bytes) -> list:
    """The detector without the screen: parse, compile the tree, run the rules."""
    def parse_and_compile(source: bytes, name: str) -> ast.Module:
        tree = ast.parse(source, name)
        compile(tree, name, "exec", dont_inherit=True)
        return tree

    tree, error = stubs._compile(path, data, parse_and_compile)
    if error is not None:
        return [error]
    return [] if path.endswith(".pyi") else module_stubs(path, tree)


def _screened_out(path: str, data: bytes) -> bool:
    code, error = stubs._compile(path, data)
    return error is None and not stubs._may_hold_stubs(code, data)


def _corpus(folder: str, limit: int) -> list:
    """Up to `limit` Python files under 16 KB in a folder, spread over it."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        found += [os.path.join(root, name) for name in sorted(files)
                  if name.endswith(".py") and os.path.getsize(os.path.join(root, name)) < 16_384]
    return found[::max(1, len(found) // limit)][:limit]


CORPUS = (_corpus(sysconfig.get_paths()["stdlib"], 100) + _corpus(os.path.dirname(click.__file__), 10)
          + _corpus(os.path.dirname(hypothesis.__file__), 20) + _corpus(os.path.dirname(impl_hooks.__file__), 40))


def test_real_modules_give_the_findings_of_parsing_every_module():
    screened = 0
    for file in CORPUS:
        with open(file, "rb") as fh:
            data = fh.read()
        path = os.path.relpath(file, os.path.dirname(file) + "/../..")
        expected = _every_module_parsed(path, data)
        assert python_stub_findings(path, data) == expected, file
        screened += _screened_out(path, data)
    assert len(CORPUS) // 4 < screened < len(CORPUS)  # it lets many real modules past, not all


BODIES = ["pass", "...", '"""Doc."""', "raise NotImplementedError", 'raise NotImplementedError("todo")',
          'raise NotImplementedError("not on Windows")', "raise errors.NotImplementedError()",
          '"""Doc."""\n    raise NotImplementedError', "return 1", "return x", "return None",
          "x = 1", "return f", "f()", "return __name__", "yield", "global x\n    pass", 'return "text"']
HEADS = ["def f({args}):", "def g({args}):", "async def f({args}):", "@register\ndef f({args}):",
         "@abstractmethod\ndef g({args}):", "def noop({args}):", "def test_f({args}):",
         "def \\\n f({args}):", "\fdef g({args}):", "def größe({args}):"]
CLASS_HEADS = ["class A:", "class B(Base):", "class AbstractC:", "class D(object):"]
STATEMENTS = ["import os", "x = 1", "handler = f", "g(f)", '"""Module doc."""', "pass", "...",
              "raise NotImplementedError", "while True:\n    main()", "assert 0", "raise SystemExit",
              "if TYPE_CHECKING:\n    def f():\n        pass", "try:\n    import fast\nexcept ImportError:\n    pass",
              "s = '''\nclass E: pass\ndef h(): pass\n'''", "x: int", "lambda: None", "[f for f in ()]",
              "def outer():\n    def f():\n        pass\n    return f"]


@st.composite
def modules(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["def", "class", "statement"]))
        if kind == "def":
            head = draw(st.sampled_from(HEADS)).format(args=draw(st.sampled_from(["", "x", "x=1", "*a"])))
            parts.append(f"{head}\n    {draw(st.sampled_from(BODIES))}")
        elif kind == "class":
            methods = draw(st.lists(st.sampled_from(BODIES), max_size=3))
            body = "\n".join(f"    def m{i}(self):\n        {b.replace(chr(10) + '    ', chr(10) + '        ')}"
                             for i, b in enumerate(methods)) or f"    {draw(st.sampled_from(BODIES[:3]))}"
            parts.append(f"{draw(st.sampled_from(CLASS_HEADS))}\n{body}")
        else:
            parts.append(draw(st.sampled_from(STATEMENTS)))
    return "\n".join(parts) + "\n"


@settings(max_examples=150, deadline=None)
@given(modules(), st.sampled_from(["app/m.py", "app/__init__.py", "tests/test_m.py", "app/hookspecs.py",
                                   "app/m.pyi"]))
def test_generated_modules_give_the_findings_of_parsing_every_module(text, path):
    data = text.encode()
    assert python_stub_findings(path, data) == _every_module_parsed(path, data)


@pytest.mark.parametrize("text, stub", [
    ("while True:\n    main()\ndef f():\n    pass\n", "f"),  # the compiler drops f's code
    ("def f():\n    return 1\nwhile True:\n    main()\ndef f():\n    pass\n", "f"),  # a second f, dropped
    ("assert 0\nclass A:\n    pass\ndef g():\n    return 1\n", None),
    ("def \\\n f():\n    pass\nx = g()\n", None),
    ("\fdef f():\n    pass\nmain()\n", "f"),
    ("def größe():\n    pass\nmain()\n", "größe"),
])
def test_a_definition_the_compiler_drops_or_the_screen_cannot_name_is_parsed(text, stub):
    data = text.encode()
    found = python_stub_findings("app/m.py", data)
    assert found == _every_module_parsed("app/m.py", data)
    assert [f.message for f in found if "stub function" in f.message] == (
        [f'stub function "{stub}": body is only pass'] if stub else [])


@pytest.mark.parametrize("text", [
    "return 1\n", "break\n", "def f():\n    nonlocal x\n", "def f(a, a):\n    pass\n",
    "from __future__ import braces\n", "x = 1\nfrom __future__ import annotations\n",
    "async def f():\n    yield 1\n    return 2\n", "def f():\n    x = 1\n    global x\n",
    "def f():\n    import *\n", "*a = 1\n", "x = 1 if 1 else\n", "def f(:\n", "\tx = 1\n",
    "try:\n    pass\nexcept:\n    pass\nexcept ValueError:\n    pass\n",
])
def test_what_only_the_compiler_refuses_is_the_same_x002(text):
    found = python_stub_findings("app/m.py", text.encode())
    assert [f.code for f in found] == ["X002"]
    assert found == _every_module_parsed("app/m.py", text.encode())


@pytest.mark.parametrize("text, screened", [
    ("def invoice():\n    return 1\n", True),
    ("import os\n\ndef home():\n    return os.environ['HOME']\n", True),
    ("def f():\n    pass\n", False),
    ("def f(x):\n    return x\n", False),  # no name, only None: it could have been `pass`
    ("class A:\n    pass\n", False),
    ('"""Only a docstring."""\n', False),
    ("def f():\n    raise NotImplementedError('on Windows')\n", False),
    ("class A:\n    def f(self):\n        return self.x\n    def g(self):\n        pass\n", True),
    ("class A:\n    def f(self):\n        pass\nclass B:\n    def g(self):\n        return self.x\n", True),
    ("def f():\n    return g()\nclass A:\n    def m(self):\n        pass\n", True),
    ("class A:\n    def f(self):\n        pass\nclass B:\n    def g(self):\n        ...\n", False),
    # a dunder method may be the compiler's own (`__annotate__`, Python 3.14): it proves nothing
    ("class A:\n    def __init__(self):\n        self.x = 1\n    def get(self):\n        pass\n", False),
])
def test_the_screen_passes_a_module_with_a_real_function_and_no_possible_placeholder(text, screened):
    assert _screened_out("app/m.py", text.encode()) == screened


def test_a_module_without_a_possible_stub_does_not_import_the_syntax_tree_rules():
    script = ("import sys\nfrom impl_hooks.checks.stubs import stub_findings\n"
              "assert stub_findings('a.py', b'def a():\\n    return 1\\n') == []\n"
              "print(sorted({'ast', 'impl_hooks.checks.pystubs'} & set(sys.modules)))\n"
              "assert [f.code for f in stub_findings('b.py', b'def b():\\n    pass\\n')] == ['X001']\n"
              "print(sorted({'ast', 'impl_hooks.checks.pystubs'} & set(sys.modules)))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["[]", "['ast', 'impl_hooks.checks.pystubs']"]


def test_a_commit_of_large_modules_without_a_possible_stub_imports_no_syntax_tree_rules(repo):
    module = '"""A module."""\nimport os\n\n' + "".join(
        f"def f{i}(x):\n    return os.path.join(x, '{i}')\n\n" for i in range(40))
    repo.files({"README.md": "# x\n"}).commit("base").branch("AUTH-12")
    repo.files({"app/a.py": module, "app/b.py": module.replace("os.path", "os.sep")}).stage()
    assert len(module) > sources.SHARED_BYTES  # set aside, as files worth sharing are
    script = ("import sys\nfrom impl_hooks.hooks import check_main\ncheck_main([])\n"
              "print(sorted({'ast', 'impl_hooks.checks.pystubs', 'impl_hooks.checks.jsstubs'} & set(sys.modules)),"
              " file=sys.stderr)\n")
    run = subprocess.run([sys.executable, "-c", script], cwd=repo.root, capture_output=True, text=True)
    assert run.stderr.splitlines()[-1] == "[]"
