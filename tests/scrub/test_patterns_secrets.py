"""Secret patterns (transforms.scrub.patterns.credentials): API keys, tokens, PEM keys, credential URLs,
password assignments, and what is no secret (placeholders, code)."""

from __future__ import annotations

import pytest

from scrub_helpers import found, types


SECRETS = {
    "API_KEY": [
        "sk-" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3",
        "sk-proj-" + "Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78St90_Uv12-Wx34",
        "sk-ant-api03-" + "Xy12Zw34Vu56Ts78Rq90Po12Nm34Lk56Ji78Hg90Fe12-Dc34",
        "AKIA" + "IOSFODNN7EXAMPL3",
        "ASIA" + "Y34FZKBOKMUTVV7A",
        "ghp_" + "16C7e42F292c6912E7710c838347Ae178B4a",
        "gho_" + "16C7e42F292c6912E7710c838347Ae178B4a",
        "github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789",
        "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "AIza" + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
    ],
    "JWT": [
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ"
        ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    ],
}


@pytest.mark.parametrize("entity,secret", [(e, s) for e, ss in SECRETS.items() for s in ss])
def test_vendor_secrets(regex, entity, secret):
    assert (entity, secret) in found(regex, f"here: {secret} ok")
    assert (entity, secret) in found(regex, f"密钥{secret}，别外传")
    out, _ = regex.scrub_text(f'client = OpenAI(api_key="{secret}")')
    assert secret not in out


def test_bearer_token(regex):
    token = "ya29.a0AfH6SMBx3d_Q-9xYz1234567890abcdef"
    text = f"curl -H 'Authorization: Bearer {token}' https://api.example.com"
    assert ("AUTH_TOKEN", token) in found(regex, text)
    assert "AUTH_TOKEN" not in types(regex, "Authorization: Bearer <YOUR_TOKEN>")


def test_basic_auth_header(regex):
    assert ("AUTH_TOKEN", "dXNlcjpwYXNzd29yZDEyMw==") in found(
        regex, "Authorization: Basic dXNlcjpwYXNzd29yZDEyMw==")


def test_pem_private_key_blocks(regex):
    body = "MIIEowIBAAKCAQEAx1y2z3" + "A" * 40 + "\n" + "bC9" * 20
    full = f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"
    text = f"my key:\n{full}\nwhy does ssh reject it?"
    assert ("PRIVATE_KEY", full) in found(regex, text)
    # truncated paste (no END line) still covers the key material
    truncated = f"-----BEGIN OPENSSH PRIVATE KEY-----\n{body}"
    out, _ = regex.scrub_text(truncated + "\n\nhelp")
    assert "MIIEowIBAAKCAQEA" not in out and "bC9bC9" not in out


def test_credential_urls(regex):
    url = "postgres://admin:s3cr3tP4ss@db.internal.example.com:5432/prod"
    assert ("CREDENTIAL_URL", url) in found(regex, f"DATABASE_URL={url}")
    assert ("CREDENTIAL_URL", "redis://:hunter2hunter2@10.0.0.5:6379/0") in found(
        regex, "连接redis://:hunter2hunter2@10.0.0.5:6379/0失败")
    # example credentials in docs and plain URLs are left alone
    assert "CREDENTIAL_URL" not in types(regex, "postgresql://user:password@localhost/mydb")
    assert "CREDENTIAL_URL" not in types(regex, "see https://docs.python.org/3/library/re.html")


def test_password_assignments(regex):
    assert ("SECRET", "hunter22") in found(regex, "password: hunter22")
    assert ("SECRET", "Tr0ub4dor&3") in found(regex, 'DB_PASSWORD="Tr0ub4dor&3"')
    assert ("SECRET", "abcd1234efgh") in found(regex, '{"api_key": "abcd1234efgh"}')
    assert ("SECRET", "p@ss w0rd!") in found(regex, "client_secret = 'p@ss w0rd!'")


def test_code_and_placeholders_are_not_secrets(regex):
    for text in [
        "password = get_password()",
        "password = request.form['password']",
        "api_key=OPENAI_API_KEY",
        "password: str",
        'password = "<your-password>"',
        "api_key: ${API_KEY}",
        "password: ********",
        "secret_key = settings.SECRET_KEY",
        "pip install scikit-learn  # sk-learn-compatible-estimator-interface",
    ]:
        assert not types(regex, text) & {"SECRET", "API_KEY"}, text


def test_random_api_key_without_digits(regex):
    key = "sk-prUFYOkgHcBmKTFUrGTNKUSaLwKSkhhXkJWuNvnjquuAcXNh"
    assert ("API_KEY", key) in found(regex, f"I accidentally pushed my key {key} to GitHub")


@pytest.mark.parametrize("text,value", [
    ('"password": "%T1TKkhz&PF28Yb1",', "%T1TKkhz&PF28Yb1"),
    ("password: L9Sb*Dm1$2(gIi", "L9Sb*Dm1$2(gIi"),
    ("PGPASSWORD=At1336$ psql -h db -U app", "At1336$"),
    ("mysqlpassword = 'Xk9#pq2!'", "Xk9#pq2!"),
])
def test_secret_values_from_evaluation(regex, text, value):
    assert ("SECRET", value) in found(regex, text)


@pytest.mark.parametrize("text", [
    'docker run --rm -v "$PWD":/app app',
    "password = $DB_PASSWORD",
    'password: "%(password)s"',
    "password = %PASSWORD%",
    "password = get_password(user)",
])
def test_not_secrets_from_evaluation(regex, text):
    assert "SECRET" not in types(regex, text)
