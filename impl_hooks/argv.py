"""A small argv parser for the hook scripts: argparse and the modules it pulls
in (gettext, locale, shutil) cost a tenth of a hook's start-up."""
from __future__ import annotations

import sys

from .errors import UsageError

FORMATS = ("text", "json", "github")


class Args:
    def __init__(self, options: dict, positionals: list):
        self.options = options
        self.positionals = positionals

    def get(self, name: str, default=None):
        return self.options.get(name, default)


def parse(argv, prog: str, usage: str, flags=(), valued=("--format",)) -> Args:
    """Options are `--name` flags or `--name VALUE`/`--name=VALUE`; the rest are positionals.

    `-h`/`--help` prints the usage and exits 0, as every command-line tool does.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    options: dict = {"--format": "text"}
    positionals = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            positionals.extend(argv[i + 1:])
            break
        if arg in ("-h", "--help"):
            print(f"usage: {prog} {usage}")
            raise SystemExit(0)
        name, eq, value = arg.partition("=")
        if name in valued:
            if not eq:
                i += 1
                if i == len(argv):
                    raise UsageError(f"{prog}: {name} needs a value")
                value = argv[i]
            options[name] = value
        elif arg in flags:
            options[arg] = True
        elif arg.startswith("--"):
            raise UsageError(f"{prog}: unknown option {name} (usage: {prog} {usage})")
        else:
            positionals.append(arg)
        i += 1
    if options["--format"] not in FORMATS:
        raise UsageError(f"{prog}: --format must be one of {', '.join(FORMATS)}")
    return Args(options, positionals)
