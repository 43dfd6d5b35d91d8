"""Privacy: secret-like files are never sent, secret shapes are redacted and counted."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impl_hooks.agent.redact import is_secret_file, redact, scrub

# (kind, secret value, line it appears on). Secrets are built from parts so
# that this file itself does not look like it leaks anything.
SHAPES = [
    ("aws-access-key", "AKIA" + "Q3EXAMPLE7KEY2ZZ", 'aws_id = "{}"'),
    ("google-api-key", "AIza" + "SyD-9tQ8exampleExampleExample123456", "const key = '{}';"),
    ("github-token", "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "token: {}"),
    ("github-token", "github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnop", "GH={}"),
    ("gitlab-token", "glpat-" + "xY9_abcdefghij012345", "url = {}"),
    ("anthropic-key", "sk-ant-" + "api03-Zx81kQ_7abcdefghijklmnop", "client = Anthropic(api_key={!r})"),
    ("openai-key", "sk-proj-" + "Ab12Cd34Ef56Gh78Ij90Kl", "openai.api_key = {!r}"),
    ("stripe-key", "sk_live_" + "51HxYzAbCdEfGhIjKl", "stripe.api_key = {!r}"),
    ("slack-token", "xoxb-" + "123456789012-abcdefABCDEF", "SLACK = {!r}"),
    ("huggingface-token", "hf_" + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "login({!r})"),
    ("npm-token", "npm_" + "abcdefghijklmnopqrstuvwxyz0123456789", "//registry/:_authToken={}"),
    ("jwt", "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "Authorization: Bearer {}"),
    ("assigned-secret", "q8Zr3kLm29XvPa7T", 'API_KEY = "{}"'),
    ("assigned-secret", "Tr0ub4dor&3xyz", "DB_PASSWORD={}"),
    ("assigned-secret", "f3a9c1e07b2d4c58", '"client_secret": "{}"'),
    ("assigned-secret", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "export AWS_SECRET_ACCESS_KEY={}"),
    ("assigned-secret", "9d8f7a6b5c4e3d2f1a0b", "SESSION_TOKEN: {}"),
]

PRIVATE_KEY = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEA7Zq3examplelinesofbase64data\n"
    "+moreBase64Data0123456789abcdef==\n"
    "-----END RSA PRIVATE KEY-----"
)


@pytest.mark.parametrize("kind,secret,line", SHAPES, ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(SHAPES)])
def test_secret_shape_is_redacted_and_counted(kind, secret, line):
    text = "+" + line.format(secret) + "\n"
    redacted, count = redact(text)
    assert secret not in redacted
    assert f"[REDACTED:{kind}]" in redacted
    assert count == 1


def test_private_key_block_is_redacted_whole_in_a_diff():
    diff = "".join(f"+{line}\n" for line in PRIVATE_KEY.splitlines())
    redacted, count = redact("context\n" + diff + " after\n")
    assert "MIIEow" not in redacted and "moreBase64" not in redacted
    assert "[REDACTED:private-key]" in redacted
    assert redacted.startswith("context\n") and redacted.endswith(" after\n")
    assert count == 1


def test_private_key_block_cut_before_its_end_is_redacted_to_the_end():
    redacted, count = redact("x\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0\n")
    assert "MIIEvQ" not in redacted
    assert count == 1


@pytest.mark.parametrize("line", [
    'TOKEN = os.environ["TOKEN"]',
    "API_KEY = settings.api_key",
    "MAX_TOKENS = 2048",
    "password = get_password()",
    'SECRET_KEY = "${SECRET_KEY}"',
    "primary_key = True",
    "def tokenize(text): return text.split()",
])
def test_names_without_literal_secrets_are_left_alone(line):
    assert redact(line) == (line, 0)


def test_known_secret_values_are_redacted_wherever_they_appear():
    redacted, count = redact("key=abc and again abc", known_secrets=["abc", ""])
    assert "abc" not in redacted
    assert count == 2


def test_scrub_removes_exact_values_for_output():
    assert scrub("bad key sk-ant-test-dummy rejected", ["sk-ant-test-dummy"]) == "bad key [REDACTED] rejected"


@pytest.mark.parametrize("path", [
    ".env", ".env.local", "backend/.env.production", "config/prod.env", "certs/server.pem",
    "deploy/site.key", "id_rsa", "home/.ssh/id_ed25519", "keys/store.p12",
])
def test_secret_like_files_are_recognised(path):
    assert is_secret_file(path)


@pytest.mark.parametrize("path", ["env.py", "src/keys.py", "docs/keyboard.md", "README.md", "environment.yml"])
def test_ordinary_files_are_not_secret_like(path):
    assert not is_secret_file(path)


def test_extra_globs_from_config_mark_more_files_secret():
    assert is_secret_file("secrets/db.yaml", ["secrets/*"])
    assert is_secret_file("app/credentials.json", ["credentials.json"])
    assert not is_secret_file("app/settings.json", ["credentials.json"])


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_redact_never_crashes_and_is_idempotent(text):
    once, _ = redact(text)
    twice, count = redact(once)
    assert twice == once
    assert count == 0


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200),
       st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_a_token_between_arbitrary_text_never_survives(before, after):
    token = "ghp_" + "Z" * 18 + "9" * 18
    redacted, count = redact(before + " " + token + " " + after)
    assert token not in redacted
    assert count >= 1


@pytest.mark.parametrize("line", [
    "- deploy/site.key: secret-like file, never sent",
    "API_KEY = OTHER_CONSTANT_NAME",
    "token = request.headers.authorization",
])
def test_words_constants_and_dotted_names_are_not_secrets(line):
    assert redact(line) == (line, 0)
