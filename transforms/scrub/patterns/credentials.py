"""Secret patterns: vendor API keys, JWTs, auth tokens, PEM private keys, credential URLs, password=.

Entity types API_KEY, JWT, AUTH_TOKEN, PRIVATE_KEY, CREDENTIAL_URL and SECRET (see
:mod:`transforms.scrub.entities`), plus the validators that skip placeholders
(``password=<your password>``) and code expressions (``password = get_password(user)``).
"""

from __future__ import annotations

import re

from transforms.scrub.patterns.rules import CJK_CHAR_CLASS, L, R, rule


# Values that are placeholders/examples rather than real secrets ("password=<your password>").
_PLACEHOLDER_RE = re.compile(
    r"""^(?:
        [<{\[].* | .*[>}\]] |              # <password>, {token}, [redacted]
        # template / shell syntax, not any value starting with $ or % (%T1TKkhz&PF28Yb1 is one)
        \$[{(].* | \$(?-i:[A-Z_][A-Z0-9_]*|[a-z_][a-z0-9_]*) | \$[0-9]+ |  # ${PASS} $(cmd) $PASS $1
        %[({].* | %(?-i:[A-Z_][A-Z0-9_]*|[a-z_][a-z0-9_]*)%? | %[0-9]*[sdrfx] |  # %(pw)s %PASS% %s
        [x*#.?_-]+ | (.)\1* |             # xxxx, ****, ..., aaaa
        your[_\- ]?.* | (?:enter|insert|replace|put)[_\- ].* |
        my[_\-]?(?:password|pass|secret|key|token|api|pwd).* |
        password\d{0,3} | passwd | pass | pwd | secret | changeme | change[_-]?me | example |
        test | testing | dummy | placeholder | redacted | hidden | none | null | nil | true |
        false | undefined | required | optional | str | string | int | bool | bytes | env |
        user(?:name)? | admin | root | postgres | mysql | redis | guest | token | api[_-]?key |
        secret[_-]?key | sk-[x*.]+ | \.\.\..*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# Unquoted values that are code, not literals: calls, subscripts, attribute chains.
# (ALL_CAPS_NAMES are environment variable names: ``api_key=OPENAI_API_KEY``.)
# A bracket makes a value code only after an identifier / attribute chain or at its start
# (``get_password()``, ``request.form[``, ``(hidden)``): ``L9Sb*Dm1$2(gIi`` is a password.
_CODE_VALUE_RE = re.compile(
    r"^[A-Za-z_][A-Za-z0-9_.]*[(\[{]|^[(\[{]|^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$"
    r"|^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$"
)


def is_placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER_RE.match(value.strip()))


def secret_value_valid(value: str) -> bool:
    return not is_placeholder(value)


def unquoted_secret_value_valid(value: str) -> bool:
    return not is_placeholder(value) and not _CODE_VALUE_RE.search(value)


def credential_url_valid(userinfo: str) -> bool:
    """``user:password`` of a URL: reject example credentials like ``user:password``."""
    user, _, password = userinfo.partition(":")
    if not password:
        # token-as-username (https://<token>@github.com)
        return len(user) >= 20 and not is_placeholder(user)
    return not is_placeholder(password)


def api_key_body_valid(value: str) -> bool:
    """Vendor keys are random: a digit and a letter, or (random keys may have no digit) a run of
    20+ letters mixing upper and lower case; skips 'sk-learn-style-words'."""
    if is_placeholder(value):
        return False
    if any(c.isdigit() for c in value) and any(c.isalpha() for c in value):
        return True
    longest = max((len(run) for run in re.findall(r"[A-Za-z]+", value)), default=0)
    return longest >= 20 and any(c.isupper() for c in value) and any(c.islower() for c in value)


def token_valid(value: str) -> bool:
    """Bearer/Basic token: random-looking (a digit or a symbol), not a placeholder."""
    return (not is_placeholder(value)) and any(not c.isalpha() for c in value)

API_KEY_RULES = (
    # OpenAI (sk-..., sk-proj-..., sk-svcacct-...) and Anthropic (sk-ant-api03-...)
    rule("openai/anthropic", r"(?<![0-9A-Za-z_\-])sk-[A-Za-z0-9_\-]{20,}", 1.0,
         validate=api_key_body_valid),
    rule("aws access key id", L + r"(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)"
         r"[A-Z0-9]{16}" + R, 1.0),
    rule("github", L + r"(?:(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})",
         1.0),
    rule("slack", L + r"xox[abposr]-[A-Za-z0-9\-]{10,}", 1.0),
    rule("google api key", L + r"AIza[0-9A-Za-z_\-]{35}", 1.0),
    rule("stripe", L + r"(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}", 1.0),
    rule("huggingface", L + r"hf_[A-Za-z0-9]{30,}" + R, 1.0),
)

JWT_RULES = (
    rule("jwt", r"(?<![0-9A-Za-z_\-])eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*",
         1.0),
)

AUTH_TOKEN_RULES = (
    rule("bearer", r"(?<![A-Za-z0-9])(?i:bearer)[ \t]+(?P<v>[A-Za-z0-9\-._~+/]{16,}=*)", 0.9, "v",
         validate=token_valid),
    rule("basic auth header", r"(?i:authorization)[\"']?\s*[:=]\s*[\"']?(?i:basic)[ \t]+"
         r"(?P<v>[A-Za-z0-9+/]{8,}=*)", 0.9, "v", validate=token_valid),
)

PRIVATE_KEY_RULES = (
    rule(
        "pem private key",
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
        r"(?:.{0,20000}?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
        r"|(?:(?:\s|\\[nr])*[A-Za-z0-9+/=]{8,})*)",
        1.0,
        flags=re.DOTALL,
    ),
)

# CJK text and full-width punctuation end a URL written inside Chinese prose.
_NOT_IN_URL = CJK_CHAR_CLASS + r"\u3000-\u303f\uff00-\uffef"

CREDENTIAL_URL_RULES = (
    rule(
        "url with userinfo",
        r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]{1,20}://(?P<u>[^\s:/?#@\"'<>`]*"
        r"(?::[^\s/?#@\"'<>`]*)?)@[^\s/?#\"'<>`" + _NOT_IN_URL + r"]+"
        r"(?:[/?#][^\s\"'<>`" + _NOT_IN_URL + r"]*)?",
        1.0,
        validate=credential_url_valid,
        check_group="u",
    ),
    rule(
        "webhook url",
        r"https://(?:hooks\.slack\.com/services|(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks)"
        r"/[A-Za-z0-9/_\-]{10,}",
        1.0,
    ),
)

_SECRET_KEYS = (
    r"password|passwd|passphrase|pwd|secret|client[_\-]?secret|secret[_\-]?key|"
    r"api[_\-]?key|apikey|api[_\-]?secret|access[_\-]?key[_\-]?secret|secret[_\-]?access[_\-]?key|"
    r"access[_\-]?token|auth[_\-]?token|refresh[_\-]?token|session[_\-]?token|bearer[_\-]?token|"
    r"private[_\-]?key|signing[_\-]?key|encryption[_\-]?key"
)
# A key: one of the above, or a word ending in password / passwd / passphrase (PGPASSWORD,
# dbpassword); never a shell / template variable reference ("$PWD":/app, %PASSWORD%).
_SECRET_KEY = (r"(?<![A-Za-z0-9$%])(?:[A-Za-z0-9]{1,20}(?i:password|passwd|passphrase)|(?i:"
               + _SECRET_KEYS + r"))")
SECRET_RULES = (
    rule(
        "secret assignment (quoted)",
        _SECRET_KEY + r"[\"']?\s*(?::=|=>|[:=])\s*"
        r"(?P<q>[\"'])(?P<v>[^\"'\n]{3,200})(?P=q)",
        0.8,
        "v",
        validate=secret_value_valid,
    ),
    rule(
        "secret assignment (unquoted)",
        _SECRET_KEY + r"[\"']?[ \t]*(?::=|=>|[:=])[ \t]*"
        r"(?P<v>[^\s\"'`,;&<>]{4,200}+)",
        0.7,
        "v",
        validate=unquoted_secret_value_valid,
    ),
)
