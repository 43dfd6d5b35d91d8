"""`python -m impl_hooks` is the `impl-hooks` command (for hooks that cannot rely on PATH)."""
from .cli import main

main(prog_name="impl-hooks")
