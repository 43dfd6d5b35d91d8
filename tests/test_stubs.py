"""X001 stubs and X002 compile errors, on made-up and on real code."""
from __future__ import annotations

import os
import sysconfig
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impl_hooks import diskcache
from impl_hooks.checks import sources, stubs
from impl_hooks.checks.jsstubs import js_stub_findings
from impl_hooks.checks.stubs import MAX_SOURCE_BYTES, python_stub_findings, stub_findings
from impl_hooks.config import load_config
from impl_hooks.snapshot import Repo as GitRepo
from impl_hooks.snapshot import Snapshot

PROJECT = Path(__file__).resolve().parent.parent


def py(source: str, path: str = "app/service.py") -> list:
    return python_stub_findings(path, textwrap.dedent(source).encode())


def js(source: str, path: str = "src/service.ts") -> list:
    return js_stub_findings(path, textwrap.dedent(source).encode())


def summary(findings: list) -> list:
    return [(f.code, f.line, f.message) for f in findings]


REAL = """
import os

def helper(path):
    return os.path.basename(path)
"""


# --- Python: what is a stub ---------------------------------------------------


@pytest.mark.parametrize(
    "body, kind",
    [
        ("pass", "pass"),
        ("...", "..."),
        ('"""Log the user in."""', "a docstring"),
        ("raise NotImplementedError", "raise NotImplementedError"),
        ('"""Log in."""\n    raise NotImplementedError()', "raise NotImplementedError"),
        ('raise NotImplementedError("TODO: step 1.2")', "raise NotImplementedError"),
        ('"""Log in."""\n    pass', "pass"),
    ],
)
def test_placeholder_function_beside_real_code_is_flagged(body, kind):
    findings = py(REAL + f"\n\ndef login(user, password):\n    {body}\n")
    assert summary(findings) == [("X001", 8, f'stub function "login": body is only {kind}')]
    assert "ignore[X001]" in findings[0].hint


def test_async_function_stub_is_flagged():
    findings = py(REAL + "\n\nasync def fetch(url):\n    ...\n")
    assert [f.message for f in findings] == ['stub function "fetch": body is only ...']


def test_module_of_only_stubs_is_one_finding_at_line_one():
    findings = py(
        '''
        """Auth service."""
        from app.models import User

        router = object()

        def login(user: User) -> str:
            """Log in."""
            raise NotImplementedError

        def logout(user: User) -> None:
            pass

        class Session:
            """A session."""
            def refresh(self):
                ...
        '''
    )
    assert summary(findings) == [
        ("X001", 1, "stub module: every definition is a placeholder (login, logout, Session)")
    ]


def test_module_of_only_decorated_stub_routes_is_a_stub_module():
    findings = py(
        """
        from fastapi import APIRouter
        router = APIRouter()

        @router.post("/login")
        def login():
            pass
        """
    )
    assert summary(findings) == [("X001", 1, "stub module: every definition is a placeholder (login)")]


@pytest.mark.parametrize("source", ["", "\n\n# just a comment\n", '"""Auth service."""\n', "pass\n", "...\n"])
def test_empty_or_docstring_only_module_is_a_stub(source):
    findings = python_stub_findings("app/auth.py", source.encode())
    assert [(f.code, f.line) for f in findings] == [("X001", 1)]
    assert findings[0].message in (
        "stub module: the file has no code",
        "stub module: only a docstring or pass",
    )


@pytest.mark.parametrize(
    "path, source",
    [
        ("pkg/__init__.py", ""),
        ("pkg/__init__.py", '"""Package."""\n'),
        ("pkg/__init__.py", "from .core import run\n__all__ = ['run']\n"),
        ("tests/fixtures/empty_module.py", ""),
        ("pkg/reexports.py", "from .core import run, stop\n"),
    ],
)
def test_package_markers_and_reexport_modules_are_not_stubs(path, source):
    assert python_stub_findings(path, source.encode()) == []


def test_init_module_with_stub_functions_is_still_checked():
    findings = python_stub_findings("pkg/__init__.py", b"import os\n\ndef run():\n    pass\n")
    assert [f.message for f in findings] == ["stub module: every definition is a placeholder (run)"]


# --- Python: what is not a stub -----------------------------------------------


def lines(*rows: str) -> str:
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize(
    "source",
    [
        # abstract methods, overloads, protocols, ABCs
        lines("from abc import ABC, abstractmethod", "class Repo(ABC):",
              "    @abstractmethod", "    def get(self): ..."),
        lines("import abc", "class Repo(metaclass=abc.ABCMeta):", "    @abc.abstractmethod",
              "    def get(self):", "        raise NotImplementedError"),
        lines("from typing import Protocol", "class Reader(Protocol):",
              "    def read(self, n: int) -> bytes: ..."),
        lines("import typing", "@typing.overload", "def f(x: int) -> int: ...", "@typing.overload",
              "def f(x: str) -> str: ...", "def f(x):", "    return x"),
        lines("from functools import singledispatch", "@singledispatch", "def render(obj):",
              "    raise NotImplementedError"),
        # exception and marker classes
        lines("class AppError(Exception):", "    pass",
              "class NotFound(AppError):", "    '''No such thing.'''"),
        # no-op hooks and interface methods beside real ones
        lines("class Progress:", "    def update(self, n):", "        pass", "    def run(self):",
              "        return self.update(1)"),
        lines("class Base:", "    def convert(self, v):", "        raise NotImplementedError",
              "    def __call__(self, v):", "        return self.convert(v)"),
        # interfaces and null objects named or built as such
        lines("class BaseResolver:", "    def resolve(self, reqs):", "        raise NotImplementedError()"),
        lines("class NullHandler(Handler):", "    def emit(self, record):", "        pass"),
        # definitions under if / try: platform fallbacks, TYPE_CHECKING
        lines("import sys", "if sys.platform == 'win32':", "    def chmod(p):", "        pass", "else:",
              "    import os", "    chmod = os.chmod"),
        lines("from typing import TYPE_CHECKING", "if TYPE_CHECKING:", "    def f() -> int: ...") + REAL,
        lines("try:", "    from fast import parse", "except ImportError:", "    def parse(text):",
              "        raise NotImplementedError"),
        # functions that say they are no-ops, callbacks, signature holders
        REAL + lines("def noop(*args):", "    pass"),
        REAL + lines("def _dummy_handler(signum, frame):", "    pass"),
        REAL + lines("def encode_7or8bit(msg):", '    """Do nothing."""'),
        REAL + lines("def _f(): pass", "FunctionType = type(_f)"),
        REAL + lines("def idle():", "    pass", "register_idle(idle)"),
        REAL + lines("def next_fast_len(n):", "    '''Doc.'''", "    pass", "next_fast_len = helper"),
        # deliberate limits, not placeholders
        REAL + lines("def nameprep(s):", "    raise NotImplementedError('IDNA 2008 does not use nameprep')"),
        REAL + lines("def wait():", "    raise NotImplementedError from _import_error"),
        # hookspec modules are documented signatures
        lines("import pluggy", "hookspec = pluggy.HookspecMarker('x')", "@hookspec", "def x_setup(config):",
              "    '''Called once.'''", "def x_teardown(config):", "    '''Called at the end.'''"),
        # methods and nested functions are never judged one by one
        REAL + lines("def outer():", "    def inner():", "        pass", "    return inner"),
    ],
)
def test_legitimate_empty_bodies_are_not_stubs(source):
    assert py(source) == []


def test_pyi_files_are_never_stubs_but_must_parse():
    assert python_stub_findings("pkg/core.pyi", b"def f(x: int) -> int: ...\n") == []
    assert [f.code for f in python_stub_findings("pkg/core.pyi", b"def f(:\n")] == ["X002"]


def test_in_test_files_only_empty_tests_are_stubs():
    source = """
    import pytest

    def target():
        pass

    class Dummy:
        pass

    def test_login_works():
        pass

    def test_documented():
        '''
        >>> 1 + 1
        2
        '''

    def test_real():
        assert target() is None
    """
    findings = py(source, path="tests/test_auth.py")
    assert summary(findings) == [("X001", 10, 'stub function "test_login_works": body is only pass')]


def test_hookspec_module_by_name_is_not_checked():
    assert python_stub_findings("src/plugin/hookspecs.py", b"def on_start(app):\n    '''Hook.'''\n") == []


# --- X002 -----------------------------------------------------------------------


def test_syntax_error_is_x002_at_its_line():
    findings = python_stub_findings("app/x.py", b"import os\n\ndef f(:\n    pass\n")
    assert [(f.code, f.line) for f in findings] == [("X002", 3)]
    assert findings[0].message.startswith("Python does not compile")
    assert findings[0].hint


def test_compile_time_errors_are_x002_too():
    findings = python_stub_findings("app/x.py", b"x = 1\nreturn x\n")
    assert [(f.code, f.line) for f in findings] == [("X002", 2)]


def test_nul_byte_is_x002_with_its_line_but_skipped_as_binary_by_dispatch():
    data = b"x = 1\ny = 2\0\n"
    findings = python_stub_findings("app/x.py", data)
    assert [(f.code, f.line) for f in findings] == [("X002", 2)]
    assert stub_findings("app/x.py", data) == []


def test_undecodable_source_is_x002():
    findings = python_stub_findings("app/x.py", b"x = '\xff'\n")
    assert [(f.code, f.line) for f in findings] == [("X002", 1)]


def test_an_unknown_declared_encoding_is_x002_at_the_first_line():
    findings = python_stub_findings("app/x.py", b"# -*- coding: nonexistent -*-\nx = 1\n")
    assert [(f.code, f.line, f.message) for f in findings] == [
        ("X002", 1, "Python does not compile: unknown encoding: nonexistent")]


def test_declared_encoding_is_honoured():
    data = "# -*- coding: latin-1 -*-\nNAME = 'caf\xe9'\n".encode("latin-1")
    assert python_stub_findings("app/x.py", data) == []


def test_compiling_prints_no_warnings(capsys):
    source = b"import re\nPATTERN = re.compile('\\d+')\nassert (PATTERN, 'always true')\n"
    assert python_stub_findings("app/x.py", source) == []
    captured = capsys.readouterr()
    assert captured.out == captured.err == ""


def test_deeply_nested_source_is_x002_not_a_crash():
    findings = python_stub_findings("app/x.py", b"x = " + b"-" * 200_000 + b"1\n")
    assert [f.code for f in findings] == ["X002"]


# --- JavaScript / TypeScript ---------------------------------------------------


def test_js_named_function_with_empty_body_is_flagged():
    findings = js(
        """
        import { db } from "./db";
        export function login(user: User): Promise<{ ok: boolean }> {}
        export function real() { return db.query("select 1"); }
        """
    )
    assert summary(findings) == [("X001", 3, 'stub function "login": body is empty')]
    assert "// impl-hooks: ignore[X001]" in findings[0].hint


def test_js_generic_function_with_empty_body_is_flagged():
    findings = js("export function load<T>(key: string): T {}\nexport function real() { return 1; }\n")
    assert summary(findings) == [("X001", 1, 'stub function "load": body is empty')]


def test_js_const_arrow_and_function_expression_are_flagged():
    findings = js(
        """
        export const logout = async (req: Request, res: Response): Promise<void> => {
          throw new Error("Not implemented");
        };
        const refresh = function (token) {};
        export const real = (a) => { return a + 1; };
        """
    )
    assert summary(findings) == [
        ("X001", 2, 'stub function "logout": body is only throw Error("Not implemented")'),
        ("X001", 5, 'stub function "refresh": body is empty'),
    ]


@pytest.mark.parametrize("message", ["not implemented", "TODO", "Not yet implemented: step 2", "stub"])
def test_js_throw_not_implemented_variants(message):
    findings = js(f"function a() {{ throw new Error('{message}') }}\nfunction b() {{ return 1 }}\n")
    assert [f.line for f in findings] == [1]


def test_js_real_error_throw_is_not_a_stub():
    source = "function a(x) { throw new TypeError('x must be a string') }\nfunction b() { return 1 }\n"
    assert js(source) == []


def test_js_file_of_only_placeholders_is_one_module_finding():
    findings = js(
        """
        export class AuthService {
          constructor(private readonly db: Db) {}
          login(user: string): Promise<Token> { throw new Error("not implemented"); }
          logout() {}
        }
        export function helper() {}
        """
    )
    assert summary(findings) == [
        ("X001", 1, "stub module: every function is a placeholder (login, logout, helper)")
    ]


@pytest.mark.parametrize(
    "source",
    [
        # methods are hooks or overrides, as in Python
        "class Stream { proxyErrors() {} write(d) { return this.push(d) } }",
        "class A extends B { hook() {} }",
        "abstract class Shape { area(): number { throw new Error('not implemented') } }",
        "class Base { render() { throw new Error('not implemented') } }",
        # no-op names, callbacks, constructors, exports of callbacks
        "export function noop() {}\nexport const real = () => 1;",
        "function noop3() {}\nfunction run() { go(noop3) }",
        "function onError() {}\nfunction run() { stream.on('error', onError) }",
        "function Codec() {}\nCodec.prototype.encode = function (s) { return s };",
        "const empty = () => {};\nexport function pick(o) { return o.x ? o.y : empty; }",
        # declarations, overloads and types have no bodies
        "declare function f(a: string): void;\nexport function g() { return 1 }",
        "function f(a: string): void;\nfunction f(a: any) { return a }",
        "interface Repo { get(id: string): Promise<User>; }\nexport const x = 1;",
        # anonymous callbacks are not named placeholders
        "export function run() { items.forEach(() => {}); el.on('x', function () {}); }",
        # braces inside strings, comments, regexes and templates
        "const re = /\\{/; // function x() {}\nconst s = '}{'; const t = `${ {a: 1}.a } }`;\n"
        "export function f() { return s + t + re; }",
    ],
)
def test_js_legitimate_empty_bodies_are_not_stubs(source):
    assert js(source) == []


def test_js_declaration_files_are_skipped():
    assert js_stub_findings("types/index.d.ts", b"export function f(): void {}\n") == []


def test_js_code_after_tricky_tokens_is_still_seen():
    source = """
    const re = /ab{/g; const s = "a}b"; const t = `x ${ "}" } y`; /* } */
    export function after() {}
    export function real() { return [re, s, t]; }
    """
    assert [f.message for f in js(source)] == ['stub function "after": body is empty']


def test_dispatch_by_extension():
    stub = b"function login() {}\nfunction real() { return 1 }\n"
    assert [f.code for f in stub_findings("web/app.jsx", stub)] == ["X001"]
    assert [f.code for f in stub_findings("web/app.MJS", stub)] == ["X001"]
    assert stub_findings("docs/notes.md", b"def f():\n    pass\n") == []
    assert stub_findings("web/app.js", b"function a() {}\0") == []


# --- real code: no false stubs ------------------------------------------------


def python_files(root: Path) -> list:
    return sorted(p for p in root.rglob("*.py") if p.is_file())


def real_code_roots() -> list:
    roots = [pytest.param(PROJECT / "impl_hooks", id="impl_hooks")]
    for name in ("click", "git"):
        roots.append(pytest.param(name, id=name))
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for name in ("json", "email", "asyncio", "logging", "concurrent", "importlib"):
        roots.append(pytest.param(stdlib / name, id=f"stdlib-{name}"))
    return roots


@pytest.mark.parametrize("root", real_code_roots())
def test_real_code_has_no_false_stubs(root):
    if isinstance(root, str):
        module = pytest.importorskip(root)
        root = Path(module.__file__).parent
    files = python_files(root)
    assert files, f"no Python files under {root}"
    findings = []
    for path in files:
        rel = os.path.relpath(path, root.parent)
        findings.extend(stub_findings(rel, path.read_bytes()))
    assert summary(findings) == []


def test_real_code_run_finds_a_stub_planted_in_real_code():
    click = pytest.importorskip("click")
    source = Path(click.__file__).with_name("utils.py").read_bytes()
    planted = source + b"\n\ndef login(user):\n    raise NotImplementedError\n"
    assert [f.message for f in stub_findings("click/utils.py", planted)] == [
        'stub function "login": body is only raise NotImplementedError'
    ]


# --- robustness ------------------------------------------------------------------

JS_ALPHABET = st.sampled_from(
    list("{}()[];,=<>:/*`'\"\\$.!?#@\n ")
    + ["function ", "class ", "const ", "=>", "throw new Error('todo')", "x", "1"]
)


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".py", ".pyi", ".ts", ".js", ".tsx", ".md"]))
def test_arbitrary_bytes_never_crash(data, suffix):
    findings = stub_findings("src/file" + suffix, data)
    assert all(f.code in ("X001", "X002") and f.hint for f in findings)


@settings(max_examples=60, deadline=None)
@given(st.lists(JS_ALPHABET, max_size=80).map("".join))
def test_js_shaped_text_never_crashes(text):
    findings = js_stub_findings("src/file.ts", text.encode())
    assert all(f.code == "X001" and f.line >= 1 for f in findings)


PY_ALPHABET = st.sampled_from(
    ["def f():\n", "class C:\n", "    ", "pass\n", "...\n", "'''doc'''\n", "raise NotImplementedError\n",
     "@overload\n", "import os\n", "x = 1\n", "if x:\n", "return 1\n", "\n"]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(PY_ALPHABET, max_size=30).map("".join))
def test_python_shaped_text_never_crashes(text):
    findings = python_stub_findings("src/file.py", text.encode())
    assert all(f.code in ("X001", "X002") and f.line >= 1 for f in findings)


# -- what the detector found, kept by blob id between runs --------------------

def _source_findings(root) -> list:
    snapshot = Snapshot.staged(GitRepo.discover(str(root)))
    return [f"{f.location()}: {f.code} {f.severity}" for f in sources.check(snapshot, {}, load_config(snapshot))]


def _parsed(monkeypatch) -> list:
    """The paths the detector is asked about from now on."""
    seen = []
    real = stubs.stub_findings
    monkeypatch.setattr(stubs, "stub_findings", lambda path, data: seen.append(path) or real(path, data))
    return seen


def test_a_file_checked_once_is_not_parsed_again_until_it_changes(repo, monkeypatch):
    repo.files({"app/a.py": "def a():\n    pass\n", "app/b.py": "def b():\n    return 1\n",
                "app/c.py": "def c(:\n"}).stage()
    first = _source_findings(repo.root)
    assert first == ["app/a.py:1: X001 error", "app/c.py:1: X002 error"]
    parsed = _parsed(monkeypatch)
    assert _source_findings(repo.root) == first
    assert parsed == []
    repo.files({"app/b.py": "def b():\n    ...\n"}).stage()
    assert _source_findings(repo.root) == ["app/a.py:1: X001 error", "app/b.py:1: X001 error",
                                           "app/c.py:1: X002 error"]
    assert parsed == ["app/b.py"]


def test_the_same_content_under_another_name_is_parsed_for_that_name(repo, monkeypatch):
    repo.files({"app/a.py": "def a():\n    pass\n"}).stage()
    assert _source_findings(repo.root) == ["app/a.py:1: X001 error"]
    parsed = _parsed(monkeypatch)
    repo.files({"tests/test_a.py": "def a():\n    pass\n"}).stage()  # in a test file, a helper may be empty
    assert _source_findings(repo.root) == ["app/a.py:1: X001 error"]
    assert parsed == ["tests/test_a.py"]


def test_another_detector_starts_a_new_cache(repo, monkeypatch):
    repo.files({"app/a.py": "def a():\n    pass\n"}).stage()
    _source_findings(repo.root)
    parsed = _parsed(monkeypatch)
    monkeypatch.setattr(sources, "_detector", lambda: "another release")
    assert _source_findings(repo.root) == ["app/a.py:1: X001 error"]
    assert parsed == ["app/a.py"]


def test_a_damaged_cache_is_parsed_afresh(repo):
    repo.files({"app/a.py": "def a():\n    pass\n"}).stage()
    _source_findings(repo.root)
    cache = repo.root / ".git" / "impl-hooks" / "cache" / sources.CACHE
    cache.write_bytes(b"\x00garbage")
    assert _source_findings(repo.root) == ["app/a.py:1: X001 error"]


def test_the_cache_keeps_this_run_and_the_newest_others(repo, monkeypatch):
    monkeypatch.setattr(sources, "KEPT_FILES", 2)
    for n in range(4):
        repo.files({f"app/m{n}.py": f"def m{n}():\n    return {n}\n"}).stage()
        _source_findings(repo.root)
    kept = diskcache.load(GitRepo.discover(str(repo.root)), sources.CACHE)["files"]
    assert sorted(key.split(" ", 1)[1] for key in kept) == ["app/m0.py", "app/m1.py", "app/m2.py", "app/m3.py"]
    repo.git("rm", "-q", "--cached", "app/m0.py", "app/m1.py", "app/m2.py")
    _source_findings(repo.root)  # nothing parsed, nothing stored
    repo.files({"app/z.py": "def z():\n    return 0\n"}).stage("app/z.py")
    _source_findings(repo.root)
    kept = diskcache.load(GitRepo.discover(str(repo.root)), sources.CACHE)["files"]
    assert [key.split(" ", 1)[1] for key in kept] == ["app/m1.py", "app/m2.py", "app/m3.py", "app/z.py"]


def test_streamed_blobs_are_the_blobs_read(repo):
    repo.files({"a.py": "same\n", "b.py": "same\n", "c.py": "other\n", "d.py": ""}).stage()
    snapshot = Snapshot.staged(GitRepo.discover(str(repo.root)))
    paths = ["a.py", "b.py", "c.py", "d.py", "missing.py"]
    assert sorted(snapshot.stream(paths)) == sorted(snapshot.read_many(paths).items())


def test_a_kept_warning_stays_a_warning(repo):
    repo.files({"gen/big.py": "x = 1\n" * (MAX_SOURCE_BYTES // 6 + 1)}).stage()
    assert _source_findings(repo.root) == _source_findings(repo.root) == ["gen/big.py:1: X002 warning"]


def test_a_blob_git_does_not_have_is_not_streamed(repo):
    repo.files({"a.py": "x = 1\n"}).stage()
    snapshot = Snapshot.staged(GitRepo.discover(str(repo.root)))
    sha = snapshot.blob_ids(["a.py"])["a.py"]
    assert list(snapshot.blobs.stream([sha, "1" * 40])) == [(sha, b"x = 1\n")]
