"""Reading a shell command line as bash would run it, without running anything.

The Claude Code guard and the commit finder both need the simple commands a
Bash tool call runs: the line is split at `;` `&&` `||` `|` `&` and newlines,
subshells and `{ …; }` groups, command substitutions `$( … )` and backticks,
heredocs fed to a shell; each command is unwrapped from the prefixes that run
another one (env, timeout, sudo, `sh -c '…'`, eval, …). What cannot be read
(unbalanced quotes) raises ValueError, so that the caller can fail safe.
"""
from __future__ import annotations

import os
import re
import shlex

SEPARATORS = ";&|()\n"  # shell operators that end a simple command
OPERATORS = SEPARATORS + "<>"
SUBST = "$_"  # stands for a substitution's output: a word no one can know beforehand
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
HEREDOC_WORD = re.compile(r"""(?:[^\s;&|()<>'"\\]|\\.|'[^']*'|"(?:[^"\\]|\\.)*")+""")
MAX_DEPTH = 8  # nested `bash -c`, eval and substitutions

SHELLS = {"sh", "bash", "zsh", "dash", "ksh", "mksh"}
SHELL_VALUED = {"-o", "+o", "-O", "+O", "--rcfile", "--init-file"}
# words that start a command but are not it
RESERVED = {"{", "}", "!", "if", "then", "else", "elif", "do", "while", "until", "[[", "]]"}
# prefixes that run the command after their options:
# name -> (short options with a value, long options with a value, operands before the command)
PREFIXES = {
    "command": ("", (), 0),
    "builtin": ("", (), 0),
    "nohup": ("", (), 0),
    "exec": ("a", (), 0),
    "time": ("of", ("--output", "--format"), 0),
    "nice": ("n", ("--adjustment",), 0),
    "timeout": ("ks", ("--kill-after", "--signal"), 1),
    "stdbuf": ("ioe", ("--input", "--output", "--error"), 0),
    "sudo": ("ugCDhprtTUR", ("--user", "--group", "--close-from", "--chdir", "--host", "--prompt",
                             "--role", "--type", "--command-timeout", "--other-user", "--chroot"), 0),
    "doas": ("uC", (), 0),
    "xargs": ("aEdILnPs", ("--arg-file", "--delimiter", "--eof", "--max-lines", "--max-args",
                           "--max-procs", "--max-chars", "--process-slot-var"), 0),
}
ENV_VALUED = ("-u", "-C", "-S", "--unset", "--chdir", "--split-string")
EXPORTS = {"export", "declare", "typeset", "local", "readonly"}


class Command:
    """One simple command as it would run: its folder (relative to the start),
    argv, the variables set for it, the files its redirections write, and
    whether xargs adds arguments read from its input."""

    __slots__ = ("directory", "argv", "env", "writes", "xargs")

    def __init__(self, directory: str, argv: list, env: dict, writes=(), xargs: bool = False):
        self.directory = directory
        self.argv = argv
        self.env = env
        self.writes = list(writes)
        self.xargs = xargs

    def __repr__(self) -> str:
        return f"Command({self.directory!r}, {self.argv!r}, env={self.env!r}, writes={self.writes!r})"


def dynamic(word: str) -> bool:
    """A word whose value the shell decides when it runs (`$X`, `$(…)`, backticks)."""
    return "$" in word or "`" in word


def commands(line: str, directory: str = ".") -> list[Command]:
    """Every simple command the line runs, inner ones (substitutions, `bash -c`) included."""
    return list(_Reader(directory).read(line, 0))


# -- step 1: lift what the shell runs or reads out of the text ---------------------

class _Lifter:
    """Takes substitutions, heredoc bodies and comments out of a line, leaving
    text that shlex can split: each substitution becomes SUBST, its script is
    kept in `inner`; each heredoc body is kept in `bodies`, in order."""

    def __init__(self, text: str, depth: int = 0):
        if depth > MAX_DEPTH:
            raise ValueError("commands nested too deeply")
        self.text = text
        self.depth = depth
        self.inner: list[str] = []
        self.bodies: list[str] = []

    def scan(self, i: int, closer: str | None) -> tuple[str, int]:
        """(flat text, index after the closer) from i up to `closer` (`)`, a backtick, or the end)."""
        text, out, depth = self.text, [], 0
        pending: list[tuple[str, bool, bool]] = []  # heredocs whose bodies start at the next newline
        while i < len(text):
            c = text[i]
            if c == "\\":
                if not text.startswith("\n", i + 1):  # backslash-newline joins lines
                    out.append(text[i:i + 2])
                i += 2
            elif closer == "`" and c == "`":
                return "".join(out), i + 1
            elif c == "'":
                end = text.find("'", i + 1)
                if end < 0:
                    raise ValueError("unterminated single quote")
                out.append(text[i:end + 1])
                i = end + 1
            elif c == '"':
                i = self._double(i + 1, out)
            elif text.startswith("$'", i):
                i = self._ansi(i + 2)
                out.append(SUBST)
            elif text.startswith(("$(", "<(", ">("), i):
                i = self._substitute(i + 2, ")", out)
            elif c == "`":
                i = self._substitute(i + 1, "`", out)
            elif c == "#" and _word_start(out):
                end = text.find("\n", i)
                i = len(text) if end < 0 else end
            elif text.startswith("<<", i) and not text.startswith("<<<", i):
                i = self._heredoc(i + 2, out, pending)
            elif c == "\n" and pending:
                out.append(c)
                i = self._bodies(i + 1, pending)
            else:
                if closer == ")" and c in "()":
                    if c == ")" and depth == 0:
                        return "".join(out), i + 1
                    depth += 1 if c == "(" else -1
                out.append(c)
                i += 1
        if closer:
            raise ValueError(f"unterminated {'$(' if closer == ')' else '`'}")
        return "".join(out), i

    def _double(self, i: int, out: list) -> int:
        text, chunk = self.text, ['"']
        while i < len(text):
            c = text[i]
            if c == "\\":
                if not text.startswith("\n", i + 1):
                    chunk.append(text[i:i + 2])
                i += 2
            elif c == '"':
                out.append("".join(chunk) + '"')
                return i + 1
            elif text.startswith("$(", i):
                i = self._substitute(i + 2, ")", chunk)
            elif c == "`":
                i = self._substitute(i + 1, "`", chunk)
            else:
                chunk.append(c)
                i += 1
        raise ValueError("unterminated double quote")

    def _ansi(self, i: int) -> int:
        """The end of a `$'…'` string (backslash escapes inside)."""
        text = self.text
        while i < len(text):
            if text[i] == "\\":
                i += 2
            elif text[i] == "'":
                return i + 1
            else:
                i += 1
        raise ValueError("unterminated $' quote")

    def _substitute(self, i: int, closer: str, out: list) -> int:
        _, end = _Lifter(self.text, self.depth + 1).scan(i, closer)  # its inner parts are read when it is
        self.inner.append(self.text[i:end - 1])
        out.append(SUBST)
        return end

    def _heredoc(self, i: int, out: list, pending: list) -> int:
        """After `<<`: note the delimiter; its body starts at the next newline."""
        text = self.text
        strip = text.startswith("-", i)
        i += strip
        while i < len(text) and text[i] in " \t":
            i += 1
        match = HEREDOC_WORD.match(text, i)
        if not match:
            out.append("<<")
            return i
        word = match.group()
        delimiter = re.sub(r"""\\(.)|['"]""", r"\1", word)
        pending.append((delimiter, strip, delimiter == word))  # an unquoted delimiter expands the body
        out.append("<< _ ")
        return match.end()

    def _bodies(self, i: int, pending: list) -> int:
        text = self.text
        for delimiter, strip, expands in pending:
            lines = []
            while i < len(text):
                end = text.find("\n", i)
                end = len(text) if end < 0 else end
                line, i = text[i:end], end + 1
                if (line.lstrip("\t") if strip else line) == delimiter:
                    break
                lines.append(line)
            body = "\n".join(lines)
            self.bodies.append(body)
            if expands:
                self.inner += _substitutions(body)
        pending.clear()
        return min(i, len(text))


def _word_start(out: list) -> bool:
    last = out[-1][-1:] if out else ""
    return not last or last in " \t\n;&|()<>"


def _substitutions(body: str) -> list[str]:
    """The scripts of `$( … )` and backticks in a heredoc body (quotes are plain text there)."""
    lifter, i = _Lifter(body), 0
    while i < len(body):
        if body[i] == "\\":
            i += 2
        elif body.startswith("$(", i):
            i = lifter._substitute(i + 2, ")", [])
        elif body[i] == "`":
            i = lifter._substitute(i + 1, "`", [])
        else:
            i += 1
    return lifter.inner


# -- step 2: simple commands ----------------------------------------------------------

class _Segment:
    __slots__ = ("words", "writes", "stdin", "piped")

    def __init__(self, piped: bool = False):
        self.words: list[str] = []
        self.writes: list[str] = []
        self.stdin: list[str] = []  # heredoc bodies and herestrings
        self.piped = piped  # its stdin is the previous command's output


def _segments(flat: str, bodies: list[str]) -> list[_Segment]:
    lexer = shlex.shlex(flat, posix=True, punctuation_chars=OPERATORS)
    lexer.whitespace = " \t\r"
    lexer.whitespace_split = True
    lexer.commenters = ""  # the lifter took the comments out; `fix#12` is a word
    tokens, heredocs = list(lexer), iter(bodies)
    segments, i = [_Segment()], 0
    while i < len(tokens):
        token, i = tokens[i], i + 1
        current = segments[-1]
        if token and set(token) <= set(OPERATORS) and set(token) & set("<>"):
            target = tokens[i] if i < len(tokens) else ""
            i += 1
            if current.words and current.words[-1].isdigit():
                current.words.pop()  # the fd of `2>`
            if token.startswith("<<<"):
                current.stdin.append(target)
            elif token.startswith("<<"):
                current.stdin.append(next(heredocs, ""))
            elif ">" in token and not (token.endswith("&") and (target.isdigit() or target == "-")):
                current.writes.append(target)
        elif token and set(token) <= set(SEPARATORS):
            segments.append(_Segment(piped=token in ("|", "|&")))
        else:
            current.words.append(token)
    return [s for s in segments if s.words or s.writes]


# -- step 3: unwrapping prefixes -------------------------------------------------------

class _Reader:
    def __init__(self, directory: str):
        self.directory = directory
        self.env: dict = {}

    def read(self, line: str, depth: int):
        if depth > MAX_DEPTH:
            raise ValueError("commands nested too deeply")
        lifter = _Lifter(line)
        flat, _ = lifter.scan(0, None)
        for script in lifter.inner:
            yield from self._nested(script, depth)
        previous = None
        for segment in _segments(flat, lifter.bodies):
            yield from self._segment(segment, previous, depth)
            previous = segment

    def _nested(self, script: str, depth: int):
        """A script run by another shell: its `cd` and variables stay in it."""
        directory, env = self.directory, dict(self.env)
        try:
            yield from self.read(script, depth + 1)
        finally:
            self.directory, self.env = directory, env

    def _segment(self, segment: _Segment, previous, depth: int):
        words = segment.words
        if words and all(ASSIGNMENT.match(w) for w in words):
            self.env.update(dict(w.split("=", 1) for w in words))  # `VAR=x; git …`: still seen by git
            return
        if words and words[0] in EXPORTS:
            self.env.update(dict(w.split("=", 1) for w in words[1:] if ASSIGNMENT.match(w)))
            return
        if words and words[0] in ("cd", "pushd"):
            if len(words) == 2 and not words[1].startswith(("-", "~")) and not dynamic(words[1]):
                self.directory = os.path.normpath(os.path.join(self.directory, words[1]))
            return
        env, directory, xargs = dict(self.env), self.directory, False
        while words:
            while words and ASSIGNMENT.match(words[0]):
                env.update(dict([words[0].split("=", 1)]))
                words = words[1:]
            if not words:
                break
            name = os.path.basename(words[0])
            if words[0] in RESERVED:
                words = words[1:]
            elif words[0] == "function":
                words = words[2:]
            elif name == "env":
                words, directory = _env(words[1:], directory)
            elif name in PREFIXES:
                xargs = xargs or name == "xargs"
                words = _after_options(words[1:], *PREFIXES[name])
            elif name == "eval":
                yield from self._nested(" ".join(words[1:]), depth)
                break
            elif name in SHELLS:
                for script in _shell_scripts(words, segment, previous):
                    yield from self._nested(script, depth)
                break
            else:
                break
        if words or segment.writes:
            yield Command(directory, words, env, segment.writes, xargs)


def _after_options(words: list, short_valued: str, long_valued: tuple, operands: int) -> list:
    """The words after a prefix's options (and its operands, like timeout's duration)."""
    i = 0
    while i < len(words) and words[i].startswith("-") and words[i] != "-":
        word, i = words[i], i + 1
        if word == "--":
            break
        if word.startswith("--"):
            i += "=" not in word and word in long_valued
            continue
        for pos, letter in enumerate(word[1:], 1):
            if letter in short_valued:
                i += pos == len(word) - 1  # the value is the next word
                break
    return words[i + operands:]


def _env(words: list, directory: str) -> tuple[list, str]:
    """The command `env` runs, and its folder (`-C DIR`); `-S STRING` is split into words."""
    i = 0
    while i < len(words) and words[i].startswith("-"):
        word, i = words[i], i + 1
        if word == "--":
            break
        option, _, value = word.partition("=")
        if option in ENV_VALUED and not value:
            value, i = (words[i] if i < len(words) else ""), i + 1
        elif option[:2] in ("-u", "-C", "-S") and len(option) > 2:
            option, value = option[:2], word[2:]
        if option in ("-C", "--chdir") and value:
            directory = os.path.normpath(os.path.join(directory, value))
        elif option in ("-S", "--split-string"):
            return shlex.split(value) + words[i:], directory
    return words[i:], directory


def _shell_scripts(words: list, segment: _Segment, previous) -> list[str]:
    """What a shell runs: its `-c` script, else what is fed to its stdin (a script
    file is not read). A shell at the end of a pipe runs the previous command's output."""
    i, has_c = 1, False
    while i < len(words) and words[i][:1] in "-+" and words[i] not in ("-", "--"):
        word, i = words[i], i + 1
        if word in SHELL_VALUED:
            i += 1
        elif not word.startswith("--") and "c" in word[1:]:
            has_c = True
    if i < len(words) and words[i] == "--":
        i += 1
    if has_c:
        return words[i:i + 1]
    if i < len(words):
        return []  # a script file
    fed = list(segment.stdin)
    if segment.piped and previous is not None:
        fed += previous.stdin + [" ".join(previous.words[1:])]
    return fed


# -- git's own command line -----------------------------------------------------------

# `git commit` short options that take a value: the rest of the word, else the next word
COMMIT_SHORT_VALUE = "mFCct"
COMMIT_SHORT_OPTIONAL = "uS"  # a value only in the same word
COMMIT_LONG_VALUE = ("--message", "--file", "--reuse-message", "--reedit-message", "--fixup",
                     "--squash", "--author", "--date", "--cleanup", "--template", "--trailer",
                     "--pathspec-from-file")
GIT_VALUED = {"-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env",
              "--super-prefix", "--attr-source", "--list-cmds"}


class GitCall:
    """`git [global options] SUB ARGS`: -C folders joined in `where`, `-c`/`--config-env`
    settings in `configs`, the other global options in `options`."""

    __slots__ = ("where", "configs", "options", "sub", "args")

    def __init__(self, where, configs, options, sub, args):
        self.where = where
        self.configs = configs
        self.options = options
        self.sub = sub
        self.args = args


def parse_git(argv: list) -> GitCall | None:
    """argv[0] is git (or stands for it); None when no subcommand follows."""
    where, configs, options, i = ".", [], [], 1
    while i < len(argv) and argv[i].startswith("-"):
        option, has_value, value = argv[i].partition("=")
        i += 1
        if option in GIT_VALUED and not has_value:
            if i >= len(argv):
                return None
            value, i = argv[i], i + 1
        if option == "-C":
            where = os.path.join(where, value)
        elif option in ("-c", "--config-env"):
            key, _, setting = value.partition("=")
            configs.append((key.lower(), setting))
        else:
            options.append(option)
    if i >= len(argv):
        return None
    return GitCall(where, configs, options, argv[i], argv[i + 1:])


def git_options(args: list, short_valued: str = "", long_valued: tuple = (), short_optional: str = ""):
    """(option, word) for each argument up to `--`: `-x` for each letter of a short
    cluster, `--name` for a long option, "" for an operand; option values are skipped."""
    i = 0
    while i < len(args):
        word, i = args[i], i + 1
        if word == "--":
            return
        if not word.startswith("-") or word == "-":
            yield "", word
        elif word.startswith("--"):
            name, has_value, _ = word.partition("=")
            yield name, word
            i += not has_value and name in long_valued
        else:
            for pos, letter in enumerate(word[1:], 1):
                yield "-" + letter, word
                if letter in short_valued:
                    i += pos == len(word) - 1  # the value is the next word
                    break
                if letter in short_optional:
                    break


def commit_options(args: list):
    """git_options for `git commit`."""
    return git_options(args, COMMIT_SHORT_VALUE, COMMIT_LONG_VALUE, COMMIT_SHORT_OPTIONAL)
