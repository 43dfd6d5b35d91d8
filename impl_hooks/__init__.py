"""impl-hooks: make a repository refuse commits that skip plan steps."""
__version__ = "0.1.0"
