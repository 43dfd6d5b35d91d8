"""The JS/TS rules of the stub detector (X001); `stubs.py` says what they are."""
from __future__ import annotations

import re

from ..findings import Finding
from ..lazyre import lazy
from .stubs import BASE_CLASS_NAME, declared_no_op_name, stub_module


# --- JavaScript / TypeScript -------------------------------------------------
# A light tokenizer (comments dropped, strings and template literals kept as
# one token each, regex literals told from division by the token before) is
# enough to find named functions and their bodies; nothing is evaluated.

JS_NOT_IMPLEMENTED = lazy(
    r"not\s+(?:yet\s+)?implemented|unimplemented|\btodo\b|implement\s+me|\bstub\b", re.IGNORECASE
)
JS_REGEX_AFTER = {
    "return", "typeof", "case", "do", "else", "in", "of", "new", "delete",
    "void", "throw", "yield", "await", "instanceof",
}
JS_MODIFIERS = {
    "static", "async", "get", "set", "public", "private", "protected",
    "readonly", "override", "accessor",
}
JS_PUNCT = re.compile(r"=>|\.\.\.|\?\.|[{}()\[\];,<>:=.*!?&|+\-/%^~@#]")
JS_IDENT = re.compile(r"(?:[^\W\d]|\$)[\w$]*")  # \w is Unicode-aware; a big explicit range costs 7 ms to compile
JS_NUMBER = re.compile(r"\d[\w.]*|\.\d[\w.]*")


class _Token:
    __slots__ = ("kind", "text", "line")

    def __init__(self, kind: str, text: str, line: int) -> None:
        self.kind, self.text, self.line = kind, text, line


def _js_tokens(text: str) -> list[_Token]:
    """Tokens of JS/TS source: kinds "id", "str", "num", "regex", "punct"."""
    tokens = []
    braces = []  # "{" for a block, "${" for a template substitution
    i, line, n = 0, 1, len(text)

    def read_template(i: int, line: int):
        """Scan a template literal from just after its backtick (or a `}` closing
        a substitution) to the closing backtick or the next `${`."""
        while i < n:
            ch = text[i]
            if ch == "\\":
                i += 2
                continue
            if ch == "\n":
                line += 1
            if ch == "`":
                return i + 1, line, False
            if ch == "$" and text.startswith("${", i):
                return i + 2, line, True
            i += 1
        return n, line, False

    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
            i += 1
        elif ch.isspace():
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            line += text.count("\n", i, end)
            i = end
        elif ch in "'\"":
            start, i = i, i + 1
            while i < n and text[i] not in (ch, "\n"):
                i += 2 if text[i] == "\\" else 1
            tokens.append(_Token("str", text[start + 1 : i], line))
            i += 1 if i < n and text[i] == ch else 0
        elif ch == "`":
            start_line = line
            i, line, opened = read_template(i + 1, line)
            tokens.append(_Token("str", "`", start_line))
            if opened:
                braces.append("${")
        elif ch == "}" and braces and braces[-1] == "${":
            braces.pop()
            i, line, opened = read_template(i + 1, line)
            if opened:
                braces.append("${")
        elif ch == "/" and _regex_allowed(tokens):
            start, i, in_class = i, i + 1, False
            while i < n and text[i] != "\n":
                if text[i] == "\\":
                    i += 1
                elif text[i] == "[":
                    in_class = True
                elif text[i] == "]":
                    in_class = False
                elif text[i] == "/" and not in_class:
                    break
                i += 1
            i += 1
            tokens.append(_Token("regex", text[start:i], line))
        else:
            match = JS_IDENT.match(text, i) or JS_NUMBER.match(text, i) or JS_PUNCT.match(text, i)
            if match is None:
                i += 1
                continue
            kind = "id" if match.re is JS_IDENT else "num" if match.re is JS_NUMBER else "punct"
            tokens.append(_Token(kind, match.group(), line))
            if match.group() == "{":
                braces.append("{")
            elif match.group() == "}" and braces:
                braces.pop()
            i = match.end()
    return tokens


def _regex_allowed(tokens: list) -> bool:
    if not tokens:
        return True
    last = tokens[-1]
    if last.kind in ("num", "str", "regex"):
        return False
    if last.kind == "id":
        return last.text in JS_REGEX_AFTER
    return last.text not in (")", "]", "}")


def js_stub_findings(path: str, data: bytes) -> list[Finding]:
    """X001 for JS/TS: named top-level functions whose body is empty or only
    throws "not implemented", or one finding for a file where every function
    and method is such a placeholder. Methods alone are not flagged, for the
    same reasons as in Python (empty `debug() {}` hooks, abstract defaults)."""
    if re.search(r"\.d\.[mc]?ts$", path.lower()) or b"\0" in data:
        return []
    src = _JsSource(_js_tokens(data.decode("utf-8", errors="replace")))
    findings = []
    stub_names = []
    module_is_stub = True
    for body in _js_bodies(src):
        if body.name == "constructor" or body.nested:
            continue
        what = _js_placeholder_body(src, body.open) if body.open is not None else ""
        if body.kind == "anonymous":
            module_is_stub = module_is_stub and bool(what)  # real code in a callback counts
            continue
        if not what or body.derived or declared_no_op_name(body.name):
            module_is_stub = False
            continue
        stub_names.append(body.name)
        if body.kind == "function" and not _js_used_as_value(src, body):
            findings.append(
                Finding(
                    "X001",
                    f'stub function "{body.name}": body is {what}',
                    path=path,
                    line=body.line,
                    hint=f'implement "{body.name}", or mark a deliberate no-op with '
                    "`// impl-hooks: ignore[X001]` on that line",
                )
            )
    if module_is_stub and stub_names:
        return [stub_module(path, "function", stub_names, "//")]
    return findings


class _JsSource:
    """Tokens with what every lookup needs, computed once: the partner of each
    bracket, the innermost `{` around each token, where each name occurs."""

    def __init__(self, tokens: list) -> None:
        self.tokens = tokens
        self.texts = [t.text if t.kind in ("punct", "id") else "" for t in tokens]
        self.pairs: dict[int, int] = {}
        self.owner: list[int | None] = []
        self.occurrences: dict[str, list[int]] = {}
        self.value_uses: dict[str, list[int]] = {}  # name -> indices where it is used as a value, filled lazily
        stacks: dict[str, list[int]] = {"(": [], "[": [], "{": []}
        closers = {")": "(", "]": "[", "}": "{"}
        for i, text in enumerate(self.texts):
            braces = stacks["{"]
            self.owner.append(braces[-1] if braces else None)
            if text in stacks:
                stacks[text].append(i)
            elif text in closers and stacks[closers[text]]:
                self.pairs[stacks[closers[text]].pop()] = i
            elif tokens[i].kind == "id":
                self.occurrences.setdefault(text, []).append(i)

    def after_close(self, j: int) -> int:
        """Index just after the bracket that closes the one at j (end if none)."""
        return self.pairs.get(j, len(self.texts) - 1) + 1


class _JsBody:
    """A function body: `open` is the index of its `{` (None for an arrow's
    expression body), `site` the token that places it for nesting."""

    __slots__ = ("kind", "name", "line", "declared_at", "open", "site", "derived", "nested")

    def __init__(self, kind: str, open_index: int | None, site: int, tokens: list,
                 name_index: int | None = None) -> None:
        self.kind = kind  # "function", "method" or "anonymous"
        self.name = tokens[name_index].text if name_index is not None else ""
        self.line = tokens[name_index if name_index is not None else site].line
        self.declared_at = name_index
        self.open = open_index
        self.site = site
        self.derived = False  # a method of an abstract, base or derived class
        self.nested = False  # inside another function's body


def _js_bodies(src: _JsSource) -> list[_JsBody]:
    """Named functions, class methods and anonymous function bodies."""
    tokens, texts = src.tokens, src.texts
    bodies = []
    classes: dict[int | None, bool] = {}  # class body `{` index -> abstract, base-named or `extends`
    for i, tok in enumerate(tokens):
        if texts[i] == "=>":
            has_block = texts[i + 1 : i + 2] == ["{"]
            bodies.append(_JsBody("anonymous", i + 1 if has_block else None, i, tokens))
            continue
        if tok.kind != "id" or (i and texts[i - 1] in (".", "?.")):
            continue
        prev = texts[i - 1] if i else ""
        if tok.text == "function":
            j = i + 1 + (texts[i + 1 : i + 2] == ["*"])
            named = j < len(tokens) and tokens[j].kind == "id"
            open_index = _js_body_after_params(src, j + named, arrow=False)
            if open_index is not None:
                kind = "function" if named else "anonymous"
                bodies.append(_JsBody(kind, open_index, open_index, tokens, j if named else None))
        elif tok.text in ("const", "let", "var"):
            if i + 1 < len(tokens) and tokens[i + 1].kind == "id":
                j = i + 2
                if texts[j : j + 1] == [":"]:
                    j = _js_skip_type(src, j + 1, ("=",))
                open_index = _js_function_value(src, j)
                if open_index is not None:
                    bodies.append(_JsBody("function", open_index, open_index, tokens, i + 1))
        elif tok.text == "class":
            j = i + 1
            while j < len(texts) and texts[j] != "{":
                j = src.after_close(j) if texts[j] in ("(", "[") else j + 1
            if j < len(texts):
                name = tokens[i + 1].text if i + 1 < j and tokens[i + 1].kind == "id" else ""
                classes[j] = prev == "abstract" or "extends" in texts[i + 1 : j] or bool(
                    BASE_CLASS_NAME.search(name)
                )
        elif src.owner[i] in classes and _js_member_start(src, i) and prev != "set":
            j = i + 1 + (texts[i + 1 : i + 2] in (["?"], ["!"]))
            if texts[j : j + 1] in ([":"], ["="]):
                if texts[j] == ":":
                    j = _js_skip_type(src, j + 1, ("=",))
                open_index = _js_function_value(src, j)
            else:
                open_index = _js_body_after_params(src, j, arrow=False)
            if open_index is not None:
                body = _JsBody("method", open_index, open_index, tokens, i)
                body.derived = classes[src.owner[i]]
                bodies.append(body)
    named = {body.open for body in bodies if body.kind != "anonymous"}
    bodies = [body for body in bodies if body.kind != "anonymous" or body.open not in named]
    function_opens = {body.open for body in bodies if body.open is not None}
    for body in bodies:
        enclosing = src.owner[body.site]
        while enclosing is not None and not body.nested:
            body.nested = enclosing in function_opens
            enclosing = src.owner[enclosing]
    return bodies


def _js_used_as_value(src: _JsSource, body: _JsBody) -> bool:
    """A name used other than by calling or exporting it is a callback, an
    ES5 constructor (`Name.prototype`) or a sentinel, not a placeholder."""
    if body.name not in src.value_uses:
        texts = src.texts
        src.value_uses[body.name] = [
            k
            for k in src.occurrences.get(body.name, [])
            if not (k and texts[k - 1] in (".", "?."))  # a property of something else
            and texts[k + 1 : k + 2] != ["("]
            and not _js_exported(src, k)
        ]
    return any(k != body.declared_at for k in src.value_uses[body.name])


def _js_exported(src: _JsSource, k: int) -> bool:
    """`export default name`, `export { name }`, `module.exports = { name }`, `exports.x = name`."""
    texts = src.texts
    if texts[max(0, k - 2) : k] == ["export", "default"]:
        return True
    if k and texts[k - 1] == "=" and "exports" in texts[max(0, k - 6) : k - 1]:
        return True
    brace = src.owner[k]
    if not brace:
        return False
    if texts[brace - 1] == "export":
        return True
    return texts[brace - 1] == "=" and "exports" in texts[max(0, brace - 6) : brace - 1]


def _js_member_start(src: _JsSource, i: int) -> bool:
    """Whether the identifier at i can begin a class member (not an expression)."""
    if i == 0:
        return False
    prev = src.tokens[i - 1]
    if prev.kind == "id" and prev.text in JS_MODIFIERS:
        return True
    if src.texts[i - 1] in ("{", "}", ";", ")", "]", "*", "#"):
        return True
    return prev.line < src.tokens[i].line and prev.kind in ("id", "num", "str")


def _js_function_value(src: _JsSource, j: int) -> int | None:
    """Body `{` index of `= [async] function(...) {` or `= [async] (...) => {`."""
    tokens, texts = src.tokens, src.texts
    if texts[j : j + 1] != ["="]:
        return None
    j += 1 + (texts[j + 1 : j + 2] == ["async"])
    if texts[j : j + 1] == ["function"]:
        j += 1 + (texts[j + 1 : j + 2] == ["*"])
        if j < len(tokens) and tokens[j].kind == "id":
            j += 1
        return _js_body_after_params(src, j, arrow=False)
    if j + 1 < len(texts) and tokens[j].kind == "id" and texts[j + 1] == "=>":
        return j + 2 if texts[j + 2 : j + 3] == ["{"] else None
    return _js_body_after_params(src, j, arrow=True)


def _js_body_after_params(src: _JsSource, j: int, arrow: bool) -> int | None:
    """From `<T>(params)`, skip a return type and find the body's `{` index."""
    texts = src.texts
    if texts[j : j + 1] == ["<"]:
        j = _js_skip_generics(texts, j)
    if texts[j : j + 1] != ["("]:
        return None
    j = src.after_close(j)
    if texts[j : j + 1] == [":"]:
        j = _js_skip_type(src, j + 1, ("=>",) if arrow else ("{", ";"))
    if arrow:
        if texts[j : j + 1] != ["=>"]:
            return None
        j += 1
    return j if texts[j : j + 1] == ["{"] else None


def _js_skip_generics(texts: list, j: int) -> int:
    """Index after `<...>` type parameters; `<` and `>` are also comparisons,
    so the search is short and gives up (returns j) when nothing closes."""
    depth = 0
    for k in range(j, min(len(texts), j + JS_MAX_TYPE_TOKENS)):
        depth += {"<": 1, ">": -1}.get(texts[k], 0)
        if depth == 0:
            return k + 1
    return j


JS_MAX_TYPE_TOKENS = 400
TYPE_CONTINUES = {
    ":", "|", "&", "<", ",", "(", "[", "=>", "?", "keyof", "typeof", "extends", "is",
    "readonly", "new", "infer",
}


def _js_skip_type(src: _JsSource, j: int, stops: tuple) -> int:
    """Index of the first stop token after a type annotation; an object type
    `{...}` is told from a body by the token before it."""
    texts = src.texts
    depth = 0
    prev = ":"
    end = min(len(texts), j + JS_MAX_TYPE_TOKENS)
    while j < end:
        text = texts[j]
        if depth == 0:
            if text == "{" and prev in TYPE_CONTINUES:
                j, prev = src.after_close(j), "}"
                continue
            if text in stops or text in ("=", ";", ")", "}"):
                return j
        if text in ("(", "[", "<", "{"):
            depth += 1
        elif text in (")", "]", ">", "}"):
            depth -= 1
        prev = text
        j += 1
    return j


def _js_placeholder_body(src: _JsSource, open_index: int) -> str:
    """"empty" or "only throw ..." for placeholder bodies, "" otherwise."""
    close = src.pairs.get(open_index, len(src.texts))
    body = src.tokens[open_index + 1 : min(close, open_index + 9)]
    texts = [t.text for t in body]
    if close - open_index - 1 > len(texts):
        return ""  # longer than any placeholder
    if not texts:
        return "empty"
    if texts[-1] == ";":
        texts = texts[:-1]
    rest = texts[2:] if texts[:2] == ["throw", "new"] else texts[1:] if texts[:1] == ["throw"] else []
    if (
        len(rest) == 4
        and re.search(r"(?:Error|Exception)$", rest[0])
        and rest[1] == "("
        and body[len(texts) - 2].kind == "str"
        and rest[3] == ")"
        and JS_NOT_IMPLEMENTED.search(rest[2])
    ):
        return f'only throw {rest[0]}("{rest[2]}")'
    return ""
