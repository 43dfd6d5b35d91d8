"""Privacy: secret-like files are never sent, secret shapes are redacted and counted,
and a key block without its END line hides a bounded part, reported as withheld."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_anthropic import verdict
from impl_hooks.agent.prompt import AgentInputs, Caps, build_prompt
from impl_hooks.agent.redact import MAX_KEY_LINES, is_secret_file, redact, redaction, scrub
from impl_hooks.agent.run import review
from impl_hooks.findings import Finding
from test_agent_prompt import blocks, diff_for

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


@settings(max_examples=60, deadline=None)
@given(st.text())
def test_redact_never_crashes_and_is_idempotent(text):
    once, _ = redact(text)
    twice, count = redact(once)
    assert twice == once
    assert count == 0


@settings(max_examples=60, deadline=None)
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


# -- failing safe: a key block without its END line ------------------------------

BODY = ["MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "BKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj=="]


def test_a_begin_line_without_end_hides_only_the_key_lines_and_marks_the_text_withheld():
    diff = "".join(f"+{line}\n" for line in [
        "KEY = '''-----BEGIN PRIVATE KEY-----", *BODY, "'''", "def login(user):", "    return check(user)"])
    assert redaction(diff) == (
        "+KEY = '''[REDACTED:private-key]\n+'''\n+def login(user):\n+    return check(user)\n", 1, True)


def test_a_fake_begin_and_a_far_end_cannot_hide_the_code_between():
    text = "# -----BEGIN RSA PRIVATE KEY-----\nrun(rm -rf /)\nupload(data)\n# -----END RSA PRIVATE KEY-----\n"
    assert redaction(text) == (
        "# [REDACTED:private-key]\nrun(rm -rf /)\nupload(data)\n# -----END RSA PRIVATE KEY-----\n", 1, True)


def test_an_unterminated_block_hides_at_most_max_key_lines():
    lines = [f"+{'QUJD' * 16}" for _ in range(MAX_KEY_LINES + 5)]
    text, count, withheld = redaction("+-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(lines) + "\n")
    assert text == "+[REDACTED:private-key]\n" + "\n".join(lines[MAX_KEY_LINES:]) + "\n"
    assert (count, withheld) == (1, True)


@pytest.mark.parametrize("block", [
    PRIVATE_KEY,
    "-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: x\n\nlQOYBGX0\n=Ab12\n-----END PGP PRIVATE KEY BLOCK-----",
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,AB12\n\nMIIF\n"
    "-----END ENCRYPTED PRIVATE KEY-----",
])
def test_a_whole_key_block_is_one_redaction_and_nothing_is_withheld(block):
    assert redaction(f"a = 1\n{block}\nb = 2\n") == ("a = 1\n[REDACTED:private-key]\nb = 2\n", 1, False)


def test_a_key_on_one_line_is_redacted_up_to_its_end_marker():
    line = '{"key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQ\\n-----END PRIVATE KEY-----\\n", "id": 7}\n'
    assert redaction(line) == ('{"key": "[REDACTED:private-key]\\n", "id": 7}\n', 1, False)


# -- secret-like files --------------------------------------------------------------

@pytest.mark.parametrize("path", [
    ".ENV", "app/.Env.Local", ".envrc", "home/.netrc", ".pgpass", "keys/putty.PPK", "ssh/ID_RSA",
    "ssh/id_ed25519.pub", "CERT.PEM", "tls/site.KEY", "store.P12", "store.pfx", ".aws/credentials",
    "config/Credentials.json",
])
def test_secret_file_names_are_matched_without_case(path):
    assert is_secret_file(path)


def test_extra_globs_are_matched_without_case_too():
    assert is_secret_file("config/Secrets.YAML", ["secrets.yaml"])


@pytest.mark.parametrize("path,text", [
    (".npmrc", "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=abc123\n"),
    ("web/.npmrc", "+_auth = dXNlcjpwYXNz\n"),
    (".pypirc", "[pypi]\nusername = __token__\npassword = pypi-AgEIcHlwaS5vcmc\n"),
    ("home/.docker/config.json", '{"auths": {"https://index.docker.io/v1/": {"auth": "dXNlcjpwYXNz"}}}'),
])
def test_config_files_holding_credentials_are_secret(path, text):
    assert is_secret_file(path, text=text)
    assert not is_secret_file(path)  # by name alone they are ordinary


@pytest.mark.parametrize("path,text", [
    (".npmrc", "registry=https://registry.npmjs.org/\nsave-exact=true\n"),
    (".pypirc", "[distutils]\nindex-servers = pypi\n"),
    ("app/config.json", '{"auths": [], "debug": true}'),
    ("app/config.json", '{"auth": "required", "port": 80}'),
])
def test_the_same_files_without_credentials_are_reviewed(path, text):
    assert not is_secret_file(path, text=text)


# -- secret shapes inside any file ---------------------------------------------------

PASSWORD = "Hunter2" + "!xyz"


@pytest.mark.parametrize("line,redacted", [
    (f"DATABASE_URL = 'postgres://app:{PASSWORD}@db:5432/app'",
     "DATABASE_URL = 'postgres://app:[REDACTED:url-password]@db:5432/app'"),
    ("git clone https://bot:" + "ghs_" + "x" * 4 + "@github.com/org/repo.git",
     "git clone https://bot:[REDACTED:url-password]@github.com/org/repo.git"),
    ("redis://:pw@cache:6379/0", "redis://:[REDACTED:url-password]@cache:6379/0"),
    ("curl -H 'Authorization: Bearer " + "d8f7a6b5" + "c4e3d2f1' $URL",
     "curl -H 'Authorization: Bearer [REDACTED:bearer-token]' $URL"),
    ("headers = {'authorization': 'Basic " + "dXNlcjpw" + "YXNzd29yZA=='}",
     "headers = {'authorization': 'Basic [REDACTED:basic-auth]'}"),
    ('{"auths": {"ghcr.io": {"auth": "' + "Ym90OnNl" + 'Y3JldA=="}}}',
     '{"auths": {"ghcr.io": {"auth": "[REDACTED:docker-auth]"}}}'),
])
def test_credentials_in_urls_headers_and_docker_auths_are_redacted(line, redacted):
    assert redact(line) == (redacted, 1)


@pytest.mark.parametrize("line", [
    "postgres://app:${DB_PASSWORD}@db/app",
    "https://user:<token>@github.com/org/repo",
    "https://example.com:8080/path@v2",
    "Bearer authentication is described in RFC 6750",
    "Authorization: Bearer <token>",
    '"auth": "required"',
])
def test_placeholders_and_prose_near_credentials_are_left_alone(line):
    assert redact(line) == (line, 0)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from("-+ \n=/:@ABEGINPRVTKYabc01"), max_size=400))
def test_redaction_of_key_like_text_never_crashes_and_is_idempotent(text):
    once = redaction(text)
    again = redaction(once.text)
    assert again.text == once.text and again.replaced == 0


# -- what was withheld is neither approved nor hidden --------------------------------

UNTERMINATED = ("app/keys.py", diff_for("app/keys.py", "KEY = '''-----BEGIN PRIVATE KEY-----", *BODY, "'''"))
PLAIN = ("app/login.py", diff_for("app/login.py", "def login(): ..."))


def test_the_prompt_names_the_partly_withheld_file_and_its_diff_keeps_the_rest():
    prompt = build_prompt(AgentInputs(unit_id="2.3", diffs=[PLAIN, UNTERMINATED]), Caps())
    assert (prompt.reviewed, prompt.withheld) == (["app/login.py", "app/keys.py"], ["app/keys.py"])
    assert blocks(prompt.user)["files partly withheld"] == "- app/keys.py\n"
    assert "+KEY = '''[REDACTED:private-key]\n+'''\n" in blocks(prompt.user)["staged diff"]
    assert "app/keys.py: partly withheld (a private key block with no END line was redacted)" in prompt.cut_notes
    assert "does not cover what was withheld" in prompt.system


@pytest.mark.parametrize("on_error,severity", [("allow", "warning"), ("block", "error")])
def test_an_approval_does_not_cover_a_partly_withheld_file(api, tmp_path, on_error, severity):
    git_dir = str(tmp_path)
    expected = [Finding(
        "A002", "agent approved, but not this file: part of it was withheld (a private key block with no "
        "END line was redacted, with the key-shaped lines after it)", path="app/keys.py",
        hint="take the key out of the commit (or complete its END line) so the agent sees the file; "
             f'on_error = "{on_error}": the commit is {"allowed" if on_error == "allow" else "refused"}',
        severity=severity)]
    api.push(verdict("approve", "fine"))
    fresh = review(AgentInputs(unit_id="2.3", diffs=[PLAIN, UNTERMINATED]), {"on_error": on_error}, git_dir)
    cached = review(AgentInputs(unit_id="2.3", diffs=[PLAIN, UNTERMINATED]), {"on_error": on_error}, git_dir)
    assert (fresh.decision, fresh.findings) == ("approve", expected)
    assert (cached.cached, cached.findings) == (True, expected)
    assert len(api.requests) == 1 and "BKcwggSj" not in next(api.texts())


def test_an_approval_of_files_seen_whole_stands(api, tmp_path):
    api.push(verdict("approve", "fine"))
    whole = ("app/keys.py", diff_for("app/keys.py", *PRIVATE_KEY.splitlines()))
    result = review(AgentInputs(unit_id="2.3", diffs=[PLAIN, whole]), {}, str(tmp_path))
    assert (result.decision, result.findings, result.withheld) == ("approve", [], [])
