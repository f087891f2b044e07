"""Labeled data sets for evaluating the scrubber (``bench.eval_scrub``), all deterministic.

(a) :func:`load_presidio_synth` - presidio-research's 1,500 synthetic English sentences
    (``../shared/data/presidio_synth_dataset_v2.json``), read as they are.
(b) :func:`make_zh_set` - ~500 Chinese / mixed-language sentences made here with ``Faker('zh_CN')``:
    resident IDs (valid check digits), mobiles (+86 / 0086 / separators), landlines, UnionPay and
    other bank cards (Luhn-valid), passports, Chinese and English person names, emails, IPs, with the
    PII written right against Chinese characters ("手机13812345678"), plus hard negatives (18-digit
    numbers with a wrong check digit, order numbers, timestamps, tracking numbers...) that carry no
    gold span and must not be flagged.
(c) :func:`make_secrets_set` - ~200 items with secrets (OpenAI / Anthropic / AWS / GitHub / Slack /
    Google / Stripe / Hugging Face keys, JWTs, Bearer and Basic tokens, PEM private keys, credentials
    in URLs and connection strings, ``password=`` assignments) in sentences and config snippets, plus
    negatives (hashes, UUIDs, base64 images, public keys, placeholders, words like "skeleton").
(d) :func:`make_code_set` - ~200 code snippets (Python / JS / TS / SQL / shell / Go / Java) with no
    PII at all, half in a fenced Markdown block after a line of prose, half pasted raw; identifiers
    like ``get_user_name``, ``first_name``, ``JohnsonParser``, ``DijkstraRouter``, constants like
    ``2147483647``: the false-positive rate on code.

Entity types: every label of every data set and every type a detector outputs is mapped to one
*canonical* type by the one table :data:`TYPE_TABLE`; :func:`gold_type`, :func:`ours_type` and
:func:`naive_type` read it. A canonical type is *in scope* when at least one compared detector can
output it (ours in its default configuration - read from ``transforms.scrub.scrubber.ENTITY_TYPES`` - or naive
Presidio with ``en_core_web_sm``); gold spans of the other types (TITLE, AGE, ZIP_CODE) are *not in
scope*: they are not counted in
precision / recall / F2, are reported on their own (how many were caught by a span of any type), and
a prediction lying on one is neither a true nor a false positive (see ``bench.eval_scrub``).
"""

from __future__ import annotations

import base64
import json
import random
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from stdnum import luhn

REPO = Path(__file__).resolve().parents[1]


def write_reports(json_path: Optional[str], figures: dict, markdown_path: Optional[str],
                  markdown_lines: List[str]) -> None:
    """Write a benchmark's figures as JSON and its tables as Markdown, each only when a path is given."""
    if json_path:
        with open(json_path, "w", encoding="utf-8") as f:
            json.dump(figures, f, indent=1)
    if markdown_path:
        with open(markdown_path, "w", encoding="utf-8") as f:
            f.write("\n".join(markdown_lines) + "\n")
DEFAULT_SYNTH_PATH = "../shared/data/presidio_synth_dataset_v2.json"
SEED = 20240501


@dataclass(frozen=True)
class GoldSpan:
    entity_type: str  # the data set's own label (map with gold_type)
    start: int
    end: int


@dataclass
class Example:
    id: str
    text: str
    spans: List[GoldSpan] = field(default_factory=list)
    kind: str = "positive"  # positive | negative | code-fenced | code-raw
    lang: str = "en"  # en | zh | mixed


# ------------------------------------------------------------------------------------------------
# The entity-type table (the only place types are mapped)
# ------------------------------------------------------------------------------------------------

# canonical type, labels in the data sets, types our Scrubber outputs, types naive Presidio outputs.
# ours: transforms.scrub.scrubber.ENTITY_TYPES (NRP only with include_nrp=True: off by default, so not counted
# as supported). naive: AnalyzerEngine() default recognizers + en_core_web_sm NER through Presidio's
# default label mapping (PERSON, GPE/LOC -> LOCATION, ORG -> ORGANIZATION, DATE/TIME -> DATE_TIME,
# NORP -> NRP).
TYPE_TABLE: Tuple[Tuple[str, Tuple[str, ...], Tuple[str, ...], Tuple[str, ...]], ...] = (
    # canonical         gold labels                         ours                 naive Presidio
    ("PERSON",          ("PERSON", "CN_PERSON"),            ("PERSON",),         ("PERSON",)),
    ("LOCATION",        ("GPE", "LOCATION"),                ("LOCATION",),       ("LOCATION",)),
    ("NRP",             ("NRP",),                           ("NRP",),            ("NRP",)),
    ("ORGANIZATION",    ("ORGANIZATION",),                  (),                  ("ORGANIZATION",)),
    ("DATE_TIME",       ("DATE_TIME",),                     ("DATE_OF_BIRTH",),  ("DATE_TIME",)),
    ("EMAIL_ADDRESS",   ("EMAIL_ADDRESS",),                 ("EMAIL_ADDRESS",),  ("EMAIL_ADDRESS", "EMAIL")),
    ("PHONE_NUMBER",    ("PHONE_NUMBER", "CN_PHONE_NUMBER"), ("PHONE_NUMBER",),  ("PHONE_NUMBER",)),
    ("CREDIT_CARD",     ("CREDIT_CARD", "BANK_CARD"),       ("CREDIT_CARD",),    ("CREDIT_CARD",)),
    ("IP_ADDRESS",      ("IP_ADDRESS",),                    ("IP_ADDRESS",),     ("IP_ADDRESS",)),
    ("IBAN_CODE",       ("IBAN_CODE",),                     ("IBAN_CODE",),      ("IBAN_CODE",)),
    ("US_SSN",          ("US_SSN",),                        ("US_SSN",),         ("US_SSN",)),
    ("CRYPTO",          ("CRYPTO",),                        ("CRYPTO",),         ("CRYPTO",)),
    ("US_DRIVER_LICENSE", ("US_DRIVER_LICENSE",),           ("US_DRIVER_LICENSE",), ("US_DRIVER_LICENSE",)),
    ("PASSPORT",        ("PASSPORT",),                      ("CN_PASSPORT",),    ("US_PASSPORT",)),
    ("URL",             ("DOMAIN_NAME",),                   ("PERSONAL_URL",),   ("URL",)),
    ("CN_RESIDENT_ID",  ("CN_RESIDENT_ID",),                ("CN_RESIDENT_ID",), ()),
    ("CN_USCC",         (),                                 ("CN_USCC",),        ()),  # company credit code
    ("CN_HK_MACAU_PERMIT", (),                              ("CN_HK_MACAU_PERMIT",), ()),
    ("API_KEY",         ("API_KEY",),                       ("API_KEY",),        ()),
    ("JWT",             ("JWT",),                           ("JWT",),            ()),
    ("AUTH_TOKEN",      ("AUTH_TOKEN",),                    ("AUTH_TOKEN",),     ()),
    ("PRIVATE_KEY",     ("PRIVATE_KEY",),                   ("PRIVATE_KEY",),    ()),
    ("CREDENTIAL_URL",  ("CREDENTIAL_URL",),                ("CREDENTIAL_URL",), ()),
    ("SECRET",          ("SECRET",),                        ("SECRET",),         ()),
    # naive-only types no data set labels (every prediction of them is a false positive)
    ("US_BANK_NUMBER",  (),                                 (),                  ("US_BANK_NUMBER",)),
    ("US_ITIN",         (),                                 (),                  ("US_ITIN",)),
    ("MEDICAL_LICENSE", (),                                 (),                  ("MEDICAL_LICENSE",)),
    ("UK_NHS",          (),                                 (),                  ("UK_NHS",)),
    ("UUID",            (),                                 (),                  ("UUID",)),
    ("MAC_ADDRESS",     (),                                 (),                  ("MAC_ADDRESS",)),
    ("STREET_ADDRESS",  ("STREET_ADDRESS", "ADDRESS", "CN_ADDRESS"), ("ADDRESS", "CN_ADDRESS"), ()),
    # labelled in presidio-research's set, produced by neither detector: NOT IN SCOPE
    ("TITLE",           ("TITLE",),                         (),                  ()),
    ("AGE",             ("AGE",),                           (),                  ()),
    ("ZIP_CODE",        ("ZIP_CODE",),                      (),                  ()),
)

_GOLD = {label: canon for canon, gold, _, _ in TYPE_TABLE for label in gold}
_OURS = {label: canon for canon, _, ours, _ in TYPE_TABLE for label in ours}
_NAIVE = {label: canon for canon, _, _, naive in TYPE_TABLE for label in naive}



def _ours_entity_types() -> Tuple[str, ...]:
    """The types our Scrubber declares (transforms.scrub.scrubber.ENTITY_TYPES; read at import, since the
    scrubber gains types over time). NRP is only output with include_nrp=True (off by default)."""
    try:
        from transforms.scrub.scrubber import ENTITY_TYPES
    except Exception:  # pragma: no cover - the bench still describes the data without it
        ENTITY_TYPES = tuple(label for _, _, ours, _ in TYPE_TABLE for label in ours)
    return tuple(t for t in ENTITY_TYPES if t != "NRP")


# What each detector can output in the configuration benchmarked (canonical types). A type ours
# declares that the table does not know keeps its own name (and is then counted as "ours only").
OURS_SUPPORTED = frozenset(_OURS.get(t, t) for t in _ours_entity_types())
NAIVE_SUPPORTED = frozenset(canon for canon, _, _, naive in TYPE_TABLE if naive)
IN_SCOPE = OURS_SUPPORTED | NAIVE_SUPPORTED
COMMON = OURS_SUPPORTED & NAIVE_SUPPORTED
NOT_IN_SCOPE = frozenset(canon for canon, *_ in TYPE_TABLE) - IN_SCOPE  # TITLE, AGE, ZIP_CODE


def scrubber_fingerprint() -> str:
    """A short hash of the scrub stage's source files, printed with every figure (they change)."""
    import hashlib

    digest = hashlib.sha256()
    files = sorted((REPO / "transforms" / "scrub").rglob("*.py"))
    for path in files:
        digest.update(path.relative_to(REPO).as_posix().encode() + b"\0" + path.read_bytes())
    return f"transforms/scrub/ ({len(files)} files) {digest.hexdigest()[:10]}"


def gold_type(label: str) -> str:
    """Canonical type of a data set label (unknown labels are kept as they are: not in scope)."""
    return _GOLD.get(label, label)


def ours_type(label: str) -> str:
    return _OURS.get(label, label)


def naive_type(label: str) -> str:
    return _NAIVE.get(label, label)


def type_table_markdown() -> str:
    """The mapping table, for reports."""
    rows = ["| canonical type | data set labels | ours | naive Presidio | counted |",
            "|---|---|---|---|---|"]
    extra = sorted(OURS_SUPPORTED - {canon for canon, *_ in TYPE_TABLE})
    for canon, gold, ours, naive in list(TYPE_TABLE) + [(t, (), (t,), ()) for t in extra]:
        if canon in COMMON:
            status = "yes (both)"
        elif canon in OURS_SUPPORTED:
            status = "yes (ours only)"
        elif canon in NAIVE_SUPPORTED:
            status = "yes (naive only)"
        else:
            status = "NOT IN SCOPE"
        rows.append(f"| {canon} | {', '.join(gold) or '-'} | {', '.join(ours) or '-'} | "
                    f"{', '.join(naive) or '-'} | {status} |")
    return "\n".join(rows)


# ------------------------------------------------------------------------------------------------
# (a) presidio-research synthetic set
# ------------------------------------------------------------------------------------------------

def _resolve(path: str | Path) -> Path:
    p = Path(path)
    if p.is_absolute() or p.exists():
        return p
    return REPO / p  # relative to the project root, as the tests read ../shared/data


SYNTH_HALVES = ("all", "tune", "check")


def synth_half(text: str) -> str:
    """Which half of (a) a sentence is in, "tune" or "check", by a hash of its text: tune detectors
    on one half, confirm that the change generalises on the other."""
    import hashlib

    return "tune" if hashlib.blake2b(text.encode("utf-8"), digest_size=1).digest()[0] % 2 == 0 else "check"


def load_presidio_synth(path: str | Path = DEFAULT_SYNTH_PATH, half: str = "all") -> List[Example]:
    """presidio-research ``synth_dataset_v2.json``: 1,500 sentences with their labelled spans
    (``half``: all of them, or one half of :func:`synth_half`)."""
    with open(_resolve(path), encoding="utf-8") as f:
        records = json.load(f)
    out = []
    for i, rec in enumerate(records):
        spans = [GoldSpan(s["entity_type"], int(s["start_position"]), int(s["end_position"]))
                 for s in rec.get("spans") or ()]
        if half != "all" and synth_half(rec["full_text"]) != half:
            continue
        out.append(Example(f"synth-{i:04d}", rec["full_text"], sorted(spans, key=lambda s: s.start),
                           "positive" if spans else "negative", "en"))
    return out


# ------------------------------------------------------------------------------------------------
# building blocks
# ------------------------------------------------------------------------------------------------

class _Builder:
    """Concatenates literal text and labelled values, recording gold offsets."""

    def __init__(self) -> None:
        self.parts: List[str] = []
        self.spans: List[GoldSpan] = []
        self.pos = 0

    def text(self, s: str) -> "_Builder":
        self.parts.append(s)
        self.pos += len(s)
        return self

    def pii(self, label: str, s: str) -> "_Builder":
        self.spans.append(GoldSpan(label, self.pos, self.pos + len(s)))
        return self.text(s)

    def build(self, ex_id: str, kind: str, lang: str) -> Example:
        return Example(ex_id, "".join(self.parts), list(self.spans), kind, lang)


def _fill(template: str, values: Dict[str, Tuple[str, str]], ex_id: str, kind: str, lang: str) -> Example:
    """``template`` with ``{slot}`` fields; ``values[slot] = (label, value)``; label "" = no span."""
    b = _Builder()
    rest = template
    while True:
        i = rest.find("{")
        if i < 0:
            b.text(rest)
            break
        j = rest.index("}", i)
        b.text(rest[:i])
        label, value = values[rest[i + 1:j]]
        if label:
            b.pii(label, value)
        else:
            b.text(value)
        rest = rest[j + 1:]
    return b.build(ex_id, kind, lang)


def _slots(template: str) -> List[str]:
    out, rest = [], template
    while "{" in rest:
        i = rest.index("{")
        j = rest.index("}", i)
        out.append(rest[i + 1:j])
        rest = rest[j + 1:]
    return out


def _luhn_check_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:  # these get doubled once the check digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def _luhn_ok(number: str) -> bool:
    # An independent implementation (python-stdnum), not the scrubber's own: labels must not share its bugs.
    return luhn.is_valid("".join(c for c in number if c.isdigit()))


def _digits(r: random.Random, n: int) -> str:
    return "".join(r.choice(string.digits) for _ in range(n))


def _chars(r: random.Random, alphabet: str, n: int) -> str:
    return "".join(r.choice(alphabet) for _ in range(n))


_ALNUM = string.ascii_letters + string.digits
_B64 = _ALNUM + "+/"
_B64URL = _ALNUM + "-_"
_HEX = "0123456789abcdef"

_RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RIC_CHECK = "10X98765432"


def _ric_check(first17: str) -> str:
    return _RIC_CHECK[sum(int(d) * w for d, w in zip(first17, _RIC_WEIGHTS)) % 11]


# ------------------------------------------------------------------------------------------------
# (b) Chinese / mixed-language set
# ------------------------------------------------------------------------------------------------

class _ZhValues:
    def __init__(self, r: random.Random, zh, en) -> None:
        self.r, self.zh, self.en = r, zh, en

    def resident_id(self) -> str:
        value = self.zh.ssn(min_age=1, max_age=90)
        return value if self.r.random() < 0.9 else value[:-1] + value[-1].lower()

    def mobile(self) -> str:
        r = self.r
        prefix = r.choice(("130", "131", "132", "133", "135", "136", "137", "138", "139", "147", "150",
                           "151", "152", "155", "156", "157", "158", "159", "166", "170", "176",
                           "177", "178", "180", "181", "182", "183", "185", "186", "187", "188",
                           "189", "191", "195", "198", "199"))
        a, b = _digits(r, 4), _digits(r, 4)
        return r.choice((
            f"{prefix}{a}{b}", f"{prefix}{a}{b}", f"{prefix}{a}{b}", f"+86{prefix}{a}{b}",
            f"+86 {prefix} {a} {b}", f"+86-{prefix}-{a}-{b}", f"0086{prefix}{a}{b}",
            f"0086 {prefix}{a}{b}", f"{prefix}-{a}-{b}", f"{prefix} {a} {b}", f"(+86){prefix}{a}{b}",
        ))

    def landline(self) -> str:
        r = self.r
        area, n = r.choice((("010", 8), ("021", 8), ("020", 8), ("022", 8), ("023", 8), ("0755", 8),
                            ("0571", 8), ("025", 8), ("027", 8), ("028", 8), ("0532", 8),
                            ("0731", 8), ("0991", 7), ("0871", 8)))
        local = str(r.randint(2, 8)) + _digits(r, n - 1)
        return r.choice((
            f"{area}-{local}", f"{area}-{local}", f"({area}){local}", f"{area} {local}",
            f"+86-{area[1:]}-{local}", f"+86 {area[1:]} {local[:4]} {local[4:]}",
        ))

    def bank_card(self) -> str:
        r = self.r
        kind = r.random()
        if kind < 0.6:  # UnionPay debit / credit, 16-19 digits
            n = r.choice((16, 16, 17, 18, 19, 19))
            body = r.choice(("62", "622202", "621700", "622848", "623052", "625"))
            body = body + _digits(r, n - 1 - len(body))
            number = body + _luhn_check_digit(body)
        else:
            number = self.en.credit_card_number(card_type=r.choice(("visa16", "mastercard", "amex")))
        style = r.random()
        if style < 0.3 and len(number) >= 16:
            number = " ".join(number[i:i + 4] for i in range(0, len(number), 4))
        elif style < 0.4 and len(number) == 16:
            number = "-".join(number[i:i + 4] for i in range(0, 16, 4))
        return number

    def passport(self) -> str:
        r = self.r
        return r.choice(("E" + _digits(r, 8), "E" + _digits(r, 8), "EA" + _digits(r, 7),
                         "G" + _digits(r, 8), "EB" + _digits(r, 7)))

    def cn_name(self) -> str:
        return self.zh.name()

    def en_name(self) -> str:
        return f"{self.en.first_name()} {self.en.last_name()}"

    def email(self) -> str:
        r = self.r
        k = r.random()
        if k < 0.3:
            return f"{r.randint(10000, 3999999999)}@qq.com"
        if k < 0.6:
            return self.zh.free_email()
        if k < 0.8:
            return f"{self.zh.user_name()}{r.randint(1, 99)}@{r.choice(('163.com', '126.com', 'sina.com', 'foxmail.com', 'aliyun.com'))}"
        return self.zh.company_email()

    def ip(self) -> str:
        return self.en.ipv4_public() if self.r.random() < 0.85 else self.en.ipv6()

    # hard negatives ------------------------------------------------------------------------
    def bad_id(self) -> str:
        """A resident-ID-shaped 18-digit number whose check digit is wrong (and not Luhn-valid,
        so it is not a plausible card number either)."""
        while True:
            valid = self.zh.ssn(min_age=1, max_age=90)
            wrong = [c for c in "0123456789X" if c != valid[-1]]
            value = valid[:-1] + self.r.choice(wrong)
            if value[-1] != "X" and not _luhn_ok(value):
                return value
            if value[-1] == "X":
                return value

    def order_no(self) -> str:
        r = self.r
        while True:
            value = r.choice((
                "2024" + f"{r.randint(1, 12):02d}{r.randint(1, 28):02d}" + _digits(r, r.choice((8, 10, 12))),
                "E" + "2024" + _digits(r, 14), "DD" + _digits(r, 16),
                str(r.randint(1, 9)) + _digits(r, r.choice((17, 19, 23))),
            ))
            if not _luhn_ok(value):
                return value

    def timestamp(self) -> str:
        r = self.r
        ts = r.randint(1_600_000_000, 1_750_000_000)
        return r.choice((str(ts), str(ts * 1000 + r.randint(0, 999)), f"2024{r.randint(1, 12):02d}"
                         f"{r.randint(1, 28):02d}{r.randint(0, 23):02d}{r.randint(0, 59):02d}{r.randint(0, 59):02d}",
                         f"2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d} {r.randint(0, 23):02d}:"
                         f"{r.randint(0, 59):02d}:{r.randint(0, 59):02d}"))

    def tracking_no(self) -> str:
        r = self.r
        while True:
            value = r.choice(("SF" + _digits(r, 13), "YT" + _digits(r, 13), "JD" + _digits(r, 13),
                              "7" + _digits(r, 14), "4200001" + _digits(r, 21)))
            if not _luhn_ok(value):
                return value


# Templates: {slot} names are value kinds; the same kind twice means two different values.
_ZH_POSITIVE = (
    "我的身份证号是{ID}，请帮我查一下社保。",
    "身份证号{ID}，姓名{CN_NAME}，请核对。",
    "身份证：{ID}（已过期），需要补办吗？",
    "帮我把这段信息整理成表格：姓名{CN_NAME}，手机{MOBILE}，身份证号码{ID}。",
    "手机{MOBILE}，有事随时打。",
    "我的手机号码是{MOBILE}，收到验证码后回复我。",
    "联系电话：{MOBILE} / {LANDLINE}",
    "请拨打客服热线{LANDLINE}，或者联系{CN_NAME}经理。",
    "公司座机{LANDLINE}，传真同号。",
    "快递员{CN_NAME}的电话是{MOBILE}，他说下午送到。",
    "卡号{CARD}，开户行是招商银行北京分行。",
    "我的银行卡号：{CARD}，为什么转账失败？",
    "这张信用卡{CARD}的账单日是几号？",
    "请把工资打到{CARD}（户名{CN_NAME}）。",
    "护照号{PASSPORT}，签证什么时候能办好？",
    "我的护照号码是{PASSPORT}，有效期到2030年。",
    "{CN_NAME}的护照号：{PASSPORT}，航班CA981。",
    "你好，我叫{CN_NAME}，想咨询一下贷款。",
    "我是{CN_NAME}，上周在你们店买的冰箱坏了。",
    "请问{CN_NAME}老师今天在办公室吗？",
    "{CN_NAME}和{CN_NAME}明天一起去上海出差。",
    "客户{CN_NAME}投诉说订单没收到，邮箱{EMAIL}。",
    "发邮件到{EMAIL}就行，我会尽快回复。",
    "邮箱：{EMAIL}，电话：{MOBILE}",
    "我的QQ邮箱{EMAIL}收不到验证邮件。",
    "服务器IP是{IP}，登录不上去了。",
    "登录日志里有个陌生IP{IP}，是不是被盗号了？",
    "把{IP}加到白名单，谢谢。",
    "收件人：{CN_NAME}，电话{MOBILE}，请放快递柜。",
    "紧急联系人{CN_NAME}，手机号{MOBILE}，与本人关系：父女。",
    "{CN_NAME}，男，身份证{ID}，联系方式{MOBILE}。",
    "请帮我写一封邮件给{CN_NAME}，她的邮箱是{EMAIL}。",
    "报销单上写的是{CN_NAME}的卡{CARD}，能改吗？",
    "患者{CN_NAME}，身份证号{ID}，门诊号20240501。",
    "学生{CN_NAME}的家长电话{MOBILE}。",
    "用户{CN_NAME}从{IP}登录，绑定手机{MOBILE}。",
)
_MIXED_POSITIVE = (
    "Hi, 我是{CN_NAME}, my phone is {MOBILE}.",
    "Please contact {EN_NAME} ({EMAIL}) 或者打电话{MOBILE}。",
    "My 身份证 number is {ID}, is that format correct?",
    "{EN_NAME}的邮箱是{EMAIL}，please cc me.",
    "Send the invoice to {EN_NAME}, 电话{LANDLINE}.",
    "帮我翻译成英文：我叫{CN_NAME}，我的护照号是{PASSPORT}。",
    "Translate to Chinese: My name is {EN_NAME} and my card number is {CARD}.",
    "我的同事{EN_NAME}说server {IP}挂了。",
    "客户 {EN_NAME} 的 WeChat 绑定手机 {MOBILE}，email {EMAIL}",
    "Name: {CN_NAME}\nID: {ID}\nMobile: {MOBILE}\nEmail: {EMAIL}",
    "姓名：{EN_NAME}\n护照：{PASSPORT}\n电话：{MOBILE}",
    "Can you check why {CN_NAME}'s transfer to card {CARD} failed?",
    "Call me at {MOBILE} tomorrow, 我下午有空。",
    "Meeting with {EN_NAME} and {CN_NAME} at 3pm, 会议室B。",
    "VPN 连不上，我的公网IP是{IP}，账号{EMAIL}。",
)
_ZH_NEGATIVE = (
    "这个身份证号{BAD_ID}校验位不对，是不是输错了？",
    "系统提示号码{BAD_ID}无效，请重新输入。",
    "订单号{ORDER}，什么时候发货？",
    "我的订单{ORDER}显示已签收，但是我没收到。",
    "退款单号：{ORDER}，请帮我查一下进度。",
    "时间戳{TS}转换成北京时间是几点？",
    "日志时间{TS}，错误码500。",
    "快递单号{TRACK}，物流一直没更新。",
    "交易流水号{TRACK}，金额128.00元。",
    "请问{ORDER}和{ORDER}这两个订单能合并吗？",
    "把时间戳{TS}和{TS}之间的记录导出来。",
    "编号{BAD_ID}的记录在数据库里重复了。",
    "验证码是{CODE}，五分钟内有效。",
    "今年的销售额是{AMOUNT}元，同比增长12%。",
    "第{ISSUE}期的开奖号码是多少？",
    "批次号{ORDER}的产品需要召回。",
)


def make_zh_set(seed: int = SEED, n_positive: int = 420, n_negative: int = 80) -> List[Example]:
    """Chinese and mixed Chinese/English sentences: ~84% with planted PII (exact gold offsets),
    the rest hard negatives with no gold span."""
    from faker import Faker

    r = random.Random(seed)
    zh, en = Faker("zh_CN"), Faker("en_US")
    zh.seed_instance(seed)
    en.seed_instance(seed + 1)
    v = _ZhValues(r, zh, en)
    makers: Dict[str, Tuple[str, Callable[[], str]]] = {
        "ID": ("CN_RESIDENT_ID", v.resident_id), "MOBILE": ("PHONE_NUMBER", v.mobile),
        "LANDLINE": ("PHONE_NUMBER", v.landline), "CARD": ("CREDIT_CARD", v.bank_card),
        "PASSPORT": ("PASSPORT", v.passport), "CN_NAME": ("PERSON", v.cn_name),
        "EN_NAME": ("PERSON", v.en_name), "EMAIL": ("EMAIL_ADDRESS", v.email),
        "IP": ("IP_ADDRESS", v.ip),
        "BAD_ID": ("", v.bad_id), "ORDER": ("", v.order_no), "TS": ("", v.timestamp),
        "TRACK": ("", v.tracking_no),
        "CODE": ("", lambda: _digits(r, 6)), "AMOUNT": ("", lambda: f"{r.randint(1000, 99999999)}.00"),
        "ISSUE": ("", lambda: f"2024{r.randint(1, 150):03d}"),
    }
    out: List[Example] = []

    def render(template: str, ex_id: str, kind: str, lang: str) -> Example:
        b = _Builder()
        rest = template
        while "{" in rest:
            i = rest.index("{")
            j = rest.index("}", i)
            b.text(rest[:i])
            label, make = makers[rest[i + 1:j]]
            value = make()
            if label:
                b.pii(label, value)
            else:
                b.text(value)
            rest = rest[j + 1:]
        b.text(rest)
        return b.build(ex_id, kind, lang)

    for i in range(n_positive):
        if i % 4 == 3:
            template, lang = _MIXED_POSITIVE[(i // 4) % len(_MIXED_POSITIVE)], "mixed"
        else:
            template, lang = _ZH_POSITIVE[i % len(_ZH_POSITIVE)], "zh"
        out.append(render(template, f"zh-{i:04d}", "positive", lang))
    for i in range(n_negative):
        template = _ZH_NEGATIVE[i % len(_ZH_NEGATIVE)]
        out.append(render(template, f"zh-neg-{i:04d}", "negative", "zh"))
    return out


# ------------------------------------------------------------------------------------------------
# (c) secrets
# ------------------------------------------------------------------------------------------------

class _SecretValues:
    def __init__(self, r: random.Random, en) -> None:
        self.r, self.en = r, en

    def openai(self) -> str:
        r = self.r
        if r.random() < 0.5:
            return "sk-" + _chars(r, _ALNUM, 48)
        return ("sk-proj-" + _chars(r, _B64URL, 58) + "T3BlbkFJ" + _chars(r, _B64URL, 58))

    def anthropic(self) -> str:
        return "sk-ant-api03-" + _chars(self.r, _B64URL, 93) + "AA"

    def aws_id(self) -> str:
        return self.r.choice(("AKIA", "AKIA", "ASIA")) + _chars(self.r, string.ascii_uppercase + "234567", 16)

    def aws_secret(self) -> str:
        return _chars(self.r, _B64, 40)

    def github(self) -> str:
        r = self.r
        if r.random() < 0.6:
            return r.choice(("ghp_", "ghp_", "gho_", "ghs_")) + _chars(r, _ALNUM, 36)
        return "github_pat_" + _chars(r, _ALNUM, 22) + "_" + _chars(r, _ALNUM, 59)

    def slack(self) -> str:
        r = self.r
        kind = r.choice(("xoxb", "xoxp", "xoxa", "xoxs"))
        return f"{kind}-{_digits(r, 12)}-{_digits(r, 13)}-{_chars(r, _ALNUM, 24)}"

    def google(self) -> str:
        return "AIza" + _chars(self.r, _B64URL, 35)

    def stripe(self) -> str:
        return self.r.choice(("sk_live_", "rk_live_", "sk_test_")) + _chars(self.r, _ALNUM, 24)

    def hf(self) -> str:
        return "hf_" + _chars(self.r, _ALNUM, 34)

    def jwt(self) -> str:
        r = self.r

        def b64(obj) -> str:
            raw = json.dumps(obj, separators=(",", ":")).encode()
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        header = {"alg": r.choice(("HS256", "RS256", "ES256")), "typ": "JWT"}
        payload = {"sub": str(r.randint(10**6, 10**9)), "iat": r.randint(1_600_000_000, 1_750_000_000),
                   "exp": r.randint(1_750_000_000, 1_800_000_000), "scope": r.choice(("read", "admin", "user"))}
        sig = base64.urlsafe_b64encode(bytes(r.getrandbits(8) for _ in range(32))).rstrip(b"=").decode()
        return f"{b64(header)}.{b64(payload)}.{sig}"

    def opaque_token(self) -> str:
        return _chars(self.r, _ALNUM + "._-", self.r.randint(32, 64))

    def basic(self) -> str:
        user = self.en.user_name()
        return base64.b64encode(f"{user}:{self.password()}".encode()).decode()

    def password(self) -> str:
        r = self.r
        if r.random() < 0.5:
            return self.en.password(length=r.randint(10, 20), special_chars=r.random() < 0.5)
        return self.en.word().capitalize() + str(r.randint(10, 9999)) + r.choice("!#$%@")

    def pem(self, escaped: bool = False) -> str:
        r = self.r
        kind = r.choice(("RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY",
                         "ENCRYPTED PRIVATE KEY"))
        lines = [_chars(r, _B64, 64) for _ in range(r.randint(4, 14))] + [_chars(r, _B64, r.randint(8, 60)) + "=="]
        nl = "\\n" if escaped else "\n"
        return f"-----BEGIN {kind}-----{nl}" + nl.join(lines) + f"{nl}-----END {kind}-----"

    def host(self) -> str:
        r = self.r
        return r.choice(("db.internal", "localhost", "10.0.3.17", "prod-db-01.example.com",
                         "cluster0.ab1cd.mongodb.net", "redis.cache.local", self.en.domain_name(),
                         "mydb.c9akciq32.us-east-1.rds.amazonaws.com"))

    def credential_url(self) -> str:
        r = self.r
        user = r.choice(("app", "admin", "svc_reports", self.en.user_name(), "deploy", "etl"))
        pw = self.password().replace("@", "%40").replace("/", "%2F").replace("#", "%23")
        kind = r.randrange(7)
        if kind == 0:
            return f"postgres://{user}:{pw}@{self.host()}:5432/{r.choice(('prod', 'app', 'analytics'))}"
        if kind == 1:
            return f"postgresql+psycopg2://{user}:{pw}@{self.host()}/warehouse"
        if kind == 2:
            return f"mysql://{user}:{pw}@{self.host()}:3306/shop"
        if kind == 3:
            return f"mongodb+srv://{user}:{pw}@cluster0.ab1cd.mongodb.net/?retryWrites=true"
        if kind == 4:
            return f"redis://:{pw}@{self.host()}:6379/0"
        if kind == 5:
            return f"https://{user}:{self.github()}@github.com/acme/{r.choice(('api', 'infra', 'web'))}.git"
        return f"amqp://{user}:{pw}@rabbitmq.internal:5672/%2F"

    def webhook(self) -> str:
        r = self.r
        if r.random() < 0.6:
            return (f"https://hooks.slack.com/services/T{_chars(r, string.ascii_uppercase + string.digits, 8)}"
                    f"/B{_chars(r, string.ascii_uppercase + string.digits, 10)}/{_chars(r, _ALNUM, 24)}")
        return f"https://discord.com/api/webhooks/{_digits(r, 18)}/{_chars(r, _B64URL, 68)}"


def _secret_items(r: random.Random, v: _SecretValues) -> List[Callable[[_Builder], None]]:
    """Writers of one positive item each (called with a fresh builder)."""

    def sentence(label: str, make: Callable[[], str], before: str, after: str):
        def w(b: _Builder) -> None:
            b.text(before).pii(label, make()).text(after)
        return w

    items: List[Callable[[_Builder], None]] = []
    add = items.append
    # API keys in prose
    for before, after in (
        ("My OpenAI key is ", " but every request returns 401, why?"),
        ("I set OPENAI_API_KEY=", " in my shell and the SDK still says no key."),
        ("openai.api_key = \"", "\"\nresponse = openai.ChatCompletion.create(model=\"gpt-4\")"),
        ("Is this key still valid? ", ""),
        ("export OPENAI_API_KEY=", ""),
    ):
        add(sentence("API_KEY", v.openai, before, after))
    for before, after in (
        ("client = anthropic.Anthropic(api_key=\"", "\")"),
        ("ANTHROPIC_API_KEY=", "\n"),
        ("I accidentally pasted my Claude key ", " into a public gist, what should I do?"),
    ):
        add(sentence("API_KEY", v.anthropic, before, after))
    for before, after in (
        ("aws_access_key_id = ", "\n"),
        ("The IAM user's access key ", " was flagged by GuardDuty."),
        ("AWS_ACCESS_KEY_ID=", " aws s3 ls s3://backups"),
    ):
        add(sentence("API_KEY", v.aws_id, before, after))
    for before, after in (
        ("I committed ", " to the repo by mistake, how do I revoke it?"),
        ("git clone with token ", " fails with 403"),
        ("GITHUB_TOKEN: ", "\n"),
    ):
        add(sentence("API_KEY", v.github, before, after))
    for before, after in (
        ("SLACK_BOT_TOKEN=", "\n"),
        ("The bot uses ", " but chat.postMessage returns not_in_channel."),
    ):
        add(sentence("API_KEY", v.slack, before, after))
    for before, after in (
        ("<script src=\"https://maps.googleapis.com/maps/api/js?key=", "\"></script>"),
        ("My Gemini key ", " hits quota errors after 10 calls."),
    ):
        add(sentence("API_KEY", v.google, before, after))
    add(sentence("API_KEY", v.stripe, "stripe.api_key = '", "'"))
    add(sentence("API_KEY", v.hf, "huggingface-cli login --token ", ""))
    add(sentence("API_KEY", v.hf, "HF_TOKEN=", " python train.py"))
    # JWTs
    for before, after in (
        ("Can you decode this JWT? ", ""),
        ("The cookie session=", "; Path=/; HttpOnly is rejected after a redeploy."),
        ("id_token: ", "\n"),
        ("Why does jwt.decode(\"", "\", key, algorithms=[\"HS256\"]) raise ExpiredSignatureError?"),
    ):
        add(sentence("JWT", v.jwt, before, after))
    # Bearer / Basic
    for before, after in (
        ("curl -H \"Authorization: Bearer ", "\" https://api.example.com/v1/orders"),
        ("headers = {\"Authorization\": \"Bearer ", "\"}"),
        ("Authorization: Bearer ", "\nContent-Type: application/json"),
        ("I pass bearer ", " and still get 403 from the gateway."),
    ):
        add(sentence("AUTH_TOKEN", v.opaque_token, before, after))
    for before, after in (
        ("Authorization: Basic ", "\n"),
        ("curl -H 'Authorization: Basic ", "' https://registry.internal/v2/_catalog"),
    ):
        add(sentence("AUTH_TOKEN", v.basic, before, after))
    # private keys
    for before, after in (
        ("Here is my deploy key, why does ssh say invalid format?\n", "\n"),
        ("```\n", "\n```\nIs this the right format for the GitHub secret?"),
        ("ssl_key: |\n  ", "\n"),
    ):
        add(sentence("PRIVATE_KEY", v.pem, before, after))
    add(sentence("PRIVATE_KEY", lambda: v.pem(escaped=True),
                 "{\"type\": \"service_account\", \"private_key\": \"", "\\n\", \"client_email\": \"x\"}"))
    # credential URLs and webhooks
    for before, after in (
        ("DATABASE_URL=", "\n"),
        ("engine = create_engine(\"", "\")"),
        ("My connection string is ", " and it times out."),
        ("SQLALCHEMY_DATABASE_URI = '", "'"),
        ("git remote set-url origin ", ""),
    ):
        add(sentence("CREDENTIAL_URL", v.credential_url, before, after))
    for before, after in (
        ("SLACK_WEBHOOK=", "\n"),
        ("The alert posts to ", " but nothing shows up in the channel."),
    ):
        add(sentence("CREDENTIAL_URL", v.webhook, before, after))
    # password / secret assignments
    for before, after in (
        ("DB_PASSWORD=", "\nDB_HOST=localhost"),
        ("password: ", "\n"),
        ("\"password\": \"", "\","),
        ("mysql -u root --password=", " -e 'show databases'"),
        ("Server=tcp:sql.example.net,1433;Database=app;User ID=sa;Password=", ";Encrypt=True;"),
        ("spring.datasource.password=", "\n"),
        ("My wifi password is ", ", is it strong enough?"),
        ("PGPASSWORD=", " psql -h db -U app"),
    ):
        add(sentence("SECRET", v.password, before, after))
    for before, after in (
        ("aws_secret_access_key = ", "\n"),
        ("AWS_SECRET_ACCESS_KEY=", "\n"),
    ):
        add(sentence("SECRET", v.aws_secret, before, after))
    for before, after in (
        ("client_secret: \"", "\"\n"),
        ("\"client_secret\": \"", "\"}"),
        ("SECRET_KEY = '", "'"),
    ):
        add(sentence("SECRET", lambda: _chars(r, _ALNUM + "-_", r.randint(24, 50)), before, after))

    # multi-secret config snippets
    def dotenv(b: _Builder) -> None:
        b.text("Here's my .env, why does the app not start?\n```\nOPENAI_API_KEY=").pii("API_KEY", v.openai())
        b.text("\nDATABASE_URL=").pii("CREDENTIAL_URL", v.credential_url())
        b.text("\nDEBUG=false\nREDIS_PASSWORD=").pii("SECRET", v.password()).text("\n```")

    def aws_creds(b: _Builder) -> None:
        b.text("[default]\naws_access_key_id = ").pii("API_KEY", v.aws_id())
        b.text("\naws_secret_access_key = ").pii("SECRET", v.aws_secret()).text("\nregion = us-east-1\n")

    def yaml_cfg(b: _Builder) -> None:
        b.text("database:\n  host: db.internal\n  user: app\n  password: ").pii("SECRET", v.password())
        b.text("\nslack:\n  token: ").pii("API_KEY", v.slack()).text("\n")

    def json_cfg(b: _Builder) -> None:
        b.text("{\n  \"github_token\": \"").pii("API_KEY", v.github())
        b.text("\",\n  \"api_key\": \"").pii("API_KEY", v.google()).text("\"\n}")

    def python_cfg(b: _Builder) -> None:
        b.text("import requests\nTOKEN = \"").pii("JWT", v.jwt())
        b.text("\"\nr = requests.get(url, headers={\"Authorization\": f\"Bearer {TOKEN}\"})")

    def docker_env(b: _Builder) -> None:
        b.text("docker run -e POSTGRES_PASSWORD=").pii("SECRET", v.password())
        b.text(" -e HF_TOKEN=").pii("API_KEY", v.hf()).text(" -p 5432:5432 postgres:16")

    def k8s(b: _Builder) -> None:
        b.text("env:\n  - name: ANTHROPIC_API_KEY\n    value: \"").pii("API_KEY", v.anthropic())
        b.text("\"\n  - name: STRIPE_KEY\n    value: \"").pii("API_KEY", v.stripe()).text("\"\n")

    def curl_full(b: _Builder) -> None:
        b.text("curl https://api.openai.com/v1/chat/completions -H \"Authorization: Bearer ")
        b.pii("API_KEY", v.openai()).text("\" -d '{\"model\": \"gpt-4o\"}'")

    for w in (dotenv, aws_creds, yaml_cfg, json_cfg, python_cfg, docker_env, k8s, curl_full):
        add(w)
    return items


def _secret_negatives(r: random.Random, en) -> List[str]:
    def b64img() -> str:
        return "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA" + _chars(r, _B64, r.randint(200, 900)) + "=="

    def pub() -> str:
        return ("-----BEGIN PUBLIC KEY-----\n" + "\n".join(_chars(r, _B64, 64) for _ in range(5))
                + "\n-----END PUBLIC KEY-----")

    def cert() -> str:
        return ("-----BEGIN CERTIFICATE-----\n" + "\n".join(_chars(r, _B64, 64) for _ in range(8))
                + "\n-----END CERTIFICATE-----")

    makers: List[Callable[[], str]] = [
        lambda: f"The file's SHA-256 is {en.sha256()}, does it match the release?",
        lambda: f"md5sum says {en.md5()}  backup.tar.gz",
        lambda: f"git checkout {en.sha1()[:r.choice((7, 12, 40))]} -- src/app.py",
        lambda: f"commit {en.sha1()}\nMerge: {en.sha1()[:7]} {en.sha1()[:7]}\n\n    fix flaky test",
        lambda: f"request_id={en.uuid4()} status=500 latency_ms={r.randint(5, 900)}",
        lambda: f"Each row gets a UUID primary key like {en.uuid4()}.",
        lambda: f"<img src=\"{b64img()}\" alt=\"logo\">",
        lambda: f"background-image: url({b64img()});",
        lambda: "The skeleton loader flickers on sketchy connections; ask-the-team channel said to skip it.",
        lambda: "from sklearn.model_selection import train_test_split  # sk-learn style split",
        lambda: "Set OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx in your .env (replace with your own key).",
        lambda: "api_key = os.environ[\"OPENAI_API_KEY\"]",
        lambda: "client = OpenAI(api_key=os.getenv(\"OPENAI_API_KEY\"))",
        lambda: "password = getpass.getpass(\"Password: \")",
        lambda: "DB_PASSWORD=<your-password>\nDB_USER=<your-user>",
        lambda: "Authorization: Bearer <token>",
        lambda: "curl -H \"Authorization: Bearer $TOKEN\" https://api.example.com/v1/me",
        lambda: "password: ${DB_PASSWORD}",
        lambda: f"Here is the server's public key:\n{pub()}",
        lambda: f"ssl_certificate:\n{cert()}",
        lambda: "postgres://localhost:5432/mydb works, but postgres://db:5432/app does not.",
        lambda: "Clone it from https://github.com/pallets/flask.git and run pip install -e .",
        lambda: f"docker pull python@sha256:{en.sha256()}",
        lambda: f"\"integrity\": \"sha512-{_chars(r, _B64, 86)}==\"",
        lambda: "The task-runner-config skips tasks marked skip-ci; the skillset matrix is in skills.yaml.",
        lambda: "Our Slack workspace is acme-team.slack.com; join #ask-infra for help.",
        lambda: "The API key must be sent in the X-Api-Key header; keys start with sk- followed by 48 characters.",
        lambda: "Generate a token with `gh auth token` and never paste it into chat.",
        lambda: f"nonce={_chars(r, _HEX, 32)} etag=\"W/{_chars(r, _HEX, 16)}\"",
        lambda: "Use the AKIRA dataset and the Skeleton-of-Thought prompting paper as references.",
    ]
    return [make() for make in makers]


def make_secrets_set(seed: int = SEED, n_positive: int = 200, n_negative: int = 60) -> List[Example]:
    """Secrets in sentences and config snippets (one or more gold spans each), then negatives."""
    from faker import Faker

    r = random.Random(seed + 2)
    en = Faker("en_US")
    en.seed_instance(seed + 3)
    v = _SecretValues(r, en)
    writers = _secret_items(r, v)
    out: List[Example] = []
    for i in range(n_positive):
        b = _Builder()
        writers[i % len(writers)](b)
        out.append(b.build(f"secret-{i:04d}", "positive", "en"))
    seen = set()
    for i in range(n_negative):
        texts = _secret_negatives(r, en)
        text = texts[i % len(texts)]
        if text in seen:  # the fixed sentences come round twice: keep one copy
            continue
        seen.add(text)
        out.append(Example(f"secret-neg-{i:04d}", text, [], "negative", "en"))
    return out


# ------------------------------------------------------------------------------------------------
# (d) code without PII
# ------------------------------------------------------------------------------------------------

_CLASS_NAMES = ("JohnsonParser", "DijkstraRouter", "LevenshteinMatcher", "WilsonScore", "BayesClassifier",
                "KalmanFilter", "HuffmanEncoder", "FibonacciHeap", "MarkovChain", "BoyerMooreSearch",
                "TarjanSCC", "KruskalMST", "GaussianBlur", "PoissonSampler", "HammingCodec",
                "JaccardIndex", "PearsonCorrelation", "NewtonSolver", "EulerIntegrator", "LaplaceSmoother",
                "MorrisCounter", "BloomFilter", "CooleyTukeyFFT", "SmithWatermanAligner", "ThompsonSampler")
_FIELDS = ("first_name", "last_name", "full_name", "user_name", "display_name", "email", "phone",
           "nickname", "maiden_name", "middle_name", "owner_name", "author_name")
_FUNCS = ("get_user_name", "format_full_name", "parse_first_name", "normalize_last_name",
          "get_customer_email", "validate_phone", "build_display_name", "split_full_name",
          "lookup_owner", "mask_email")
_TABLES = ("users", "customers", "employees", "patients", "accounts", "orders", "students")
_CONSTS = ("2147483647", "4294967295", "1000000007", "998244353", "10485760", "86400000",
           "9007199254740991", "18446744073709551615", "65535", "3600")
_PROSE = ("Here's the function:", "This is what I have so far:", "Why does this fail?",
          "Can you refactor this?", "Here is the fixed version:", "Explain this snippet please.",
          "The following code throws an error:", "Is this idiomatic?", "How can I make this faster?",
          "Add type hints to this:")


def _code_snippets(r: random.Random) -> List[Tuple[str, str]]:
    """(language, code) pairs, built from templates with random identifiers."""
    C = lambda: r.choice(_CLASS_NAMES)  # noqa: E731
    F = lambda: r.choice(_FIELDS)  # noqa: E731
    FN = lambda: r.choice(_FUNCS)  # noqa: E731
    T = lambda: r.choice(_TABLES)  # noqa: E731
    K = lambda: r.choice(_CONSTS)  # noqa: E731

    def py1() -> str:
        f = F()
        return (f"def {FN()}(user: dict) -> str:\n    \"\"\"Return the {f.replace('_', ' ')} in title case.\"\"\"\n"
                f"    {f} = user.get(\"{f}\", \"\").strip()\n    return {f}.title()\n")

    def py2() -> str:
        c = C()
        return (f"class {c}:\n    \"\"\"{c} over a stream of tokens.\"\"\"\n\n    def __init__(self, max_size: int = {K()}):\n"
                f"        self.max_size = max_size\n        self._items = []\n\n    def feed(self, token: str) -> None:\n"
                f"        if len(self._items) >= self.max_size:\n            raise OverflowError(\"{c} is full\")\n"
                f"        self._items.append(token)\n")

    def py3() -> str:
        return (f"import pandas as pd\n\ndf = pd.read_csv(\"{T()}.csv\")\ndf[\"{F()}\"] = df[\"{F()}\"].str.lower()\n"
                f"print(df.groupby(\"{F()}\").size().sort_values(ascending=False).head(10))\n")

    def py4() -> str:
        c = C()
        return (f"import heapq\n\ndef shortest_path(graph, source):\n    # classic {c.replace('Router', '')} with a binary heap\n"
                f"    dist = {{source: 0}}\n    heap = [(0, source)]\n    while heap:\n        d, u = heapq.heappop(heap)\n"
                f"        for v, w in graph[u]:\n            if d + w < dist.get(v, {K()}):\n                dist[v] = d + w\n"
                f"                heapq.heappush(heap, (d + w, v))\n    return dist\n")

    def py5() -> str:
        return (f"MOD = {r.choice(('1000000007', '998244353'))}\n\ndef power(a: int, b: int) -> int:\n    result = 1\n"
                f"    while b:\n        if b & 1:\n            result = result * a % MOD\n        a = a * a % MOD\n"
                f"        b >>= 1\n    return result\n")

    def py6() -> str:
        return (f"from dataclasses import dataclass\n\n@dataclass\nclass {r.choice(('Customer', 'Employee', 'Patient', 'Student'))}:\n"
                f"    first_name: str\n    last_name: str\n    email: str | None = None\n    phone: str | None = None\n\n"
                f"    @property\n    def full_name(self) -> str:\n        return f\"{{self.first_name}} {{self.last_name}}\"\n")

    def py7() -> str:
        return ("import torch.nn as nn\n\nlayer = nn.Linear(512, 256)\nnn.init.xavier_uniform_(layer.weight)\n"
                "nn.init.kaiming_normal_(layer.weight, mode=\"fan_out\")\n"
                f"optimizer = torch.optim.{r.choice(('Adam', 'AdamW', 'SGD'))}(model.parameters(), lr=3e-4)\n")

    def py8() -> str:
        return (f"app = Flask(__name__)\n\n@app.route(\"/api/{T()}/<int:user_id>\")\ndef {FN()}(user_id):\n"
                f"    row = db.session.get(User, user_id)\n    return jsonify(name=row.{F()}, created=row.created_at.isoformat())\n\n"
                f"if __name__ == \"__main__\":\n    app.run(host=\"0.0.0.0\", port={r.choice((5000, 8000, 8080))}, debug=True)\n")

    def js1() -> str:
        f = F()
        camel = "".join(w.capitalize() if i else w for i, w in enumerate(f.split("_")))
        return (f"export function {camel}Of(user) {{\n  const {{ {camel} = '' }} = user ?? {{}};\n"
                f"  return {camel}.trim().replace(/\\s+/g, ' ');\n}}\n")

    def js2() -> str:
        c = C()
        return (f"class {c} {{\n  constructor(limit = {K()}) {{\n    this.limit = limit;\n    this.cache = new Map();\n  }}\n\n"
                f"  get(key) {{\n    return this.cache.get(key) ?? null;\n  }}\n}}\n\nmodule.exports = {{ {c} }};\n")

    def js3() -> str:
        return (f"const res = await fetch(`/api/{T()}?page=${{page}}&size=50`);\nif (!res.ok) throw new Error(`HTTP ${{res.status}}`);\n"
                f"const {{ items }} = await res.json();\nsetRows(items.map(u => ({{ id: u.id, name: u.{F()} }})));\n")

    def ts1() -> str:
        return (f"interface {r.choice(('UserProfile', 'Customer', 'Employee'))} {{\n  id: number;\n  firstName: string;\n"
                f"  lastName: string;\n  email?: string;\n}}\n\nconst MAX_SAFE = {r.choice(('9007199254740991', '2147483647'))};\n")

    def sql1() -> str:
        t = T()
        return (f"SELECT {F()}, {F()}, COUNT(*) AS n\nFROM {t}\nWHERE created_at >= '2024-01-01' AND status = 'active'\n"
                f"GROUP BY 1, 2\nORDER BY n DESC\nLIMIT 100;\n")

    def sql2() -> str:
        t = T()
        return (f"CREATE TABLE {t} (\n  id BIGSERIAL PRIMARY KEY,\n  first_name TEXT NOT NULL,\n  last_name TEXT NOT NULL,\n"
                f"  email TEXT UNIQUE,\n  phone VARCHAR(32),\n  created_at TIMESTAMPTZ DEFAULT now()\n);\n"
                f"CREATE INDEX idx_{t}_last_name ON {t} (last_name);\n")

    def sql3() -> str:
        return (f"UPDATE {T()} SET {F()} = TRIM({F()}) WHERE id BETWEEN {r.randint(1, 999)} AND {r.randint(1000, 99999)};\n"
                f"DELETE FROM sessions WHERE expires_at < NOW() - INTERVAL '30 days';\n")

    def sh1() -> str:
        return (f"#!/usr/bin/env bash\nset -euo pipefail\nfor f in logs/*.gz; do\n  zcat \"$f\" | grep -c ERROR\ndone\n"
                f"find /var/log -name '*.log' -mtime +7 -delete\nchmod 0755 deploy.sh && ./deploy.sh --retries {r.randint(2, 9)}\n")

    def sh2() -> str:
        return (f"docker build -t app:{r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 9)} .\n"
                f"docker run --rm -p {r.choice((8080, 3000, 5432))}:{r.choice((8080, 3000, 5432))} -v \"$PWD\":/app app\n"
                f"curl -s http://localhost:8080/healthz | jq .status\n")

    def sh3() -> str:
        return ("git log --oneline -n 20\ngit rebase -i HEAD~3\npip install -r requirements.txt\n"
                f"python -m pytest -x -q tests/test_{r.choice(_FUNCS)}.py\n")

    def go1() -> str:
        c = C()
        return (f"type {c} struct {{\n\tFirstName string `json:\"first_name\"`\n\tLastName  string `json:\"last_name\"`\n}}\n\n"
                f"func (p *{c}) FullName() string {{\n\treturn strings.TrimSpace(p.FirstName + \" \" + p.LastName)\n}}\n")

    def java1() -> str:
        c = C()
        return (f"public class {c} {{\n    private static final long MAX = {r.choice(('2147483647L', '4294967295L', '86400000L'))};\n"
                f"    private final String firstName;\n\n    public {c}(String firstName) {{\n        this.firstName = firstName;\n    }}\n\n"
                f"    public String getFirstName() {{ return firstName; }}\n}}\n")

    def py9() -> str:
        return (f"def levenshtein(a: str, b: str) -> int:\n    prev = list(range(len(b) + 1))\n    for i, ca in enumerate(a, 1):\n"
                f"        cur = [i]\n        for j, cb in enumerate(b, 1):\n            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))\n"
                f"        prev = cur\n    return prev[-1]\n")

    def py10() -> str:
        return (f"logging.basicConfig(level=logging.INFO, format=\"%(asctime)s %(levelname)s %(name)s: %(message)s\")\n"
                f"logger = logging.getLogger(\"{r.choice(('Scheduler', 'Worker', 'Gateway', 'Billing'))}\")\n"
                f"logger.info(\"processed %d rows in %.2fs\", {r.randint(100, 99999)}, {r.random() * 10:.2f})\n"
                f"TIMEOUT_MS = {K()}\nRETRY_BACKOFF = [1, 2, 4, 8]\n")

    templates = (py1, py2, py3, py4, py5, py6, py7, py8, py9, py10, js1, js2, js3, ts1, sql1, sql2, sql3,
                 sh1, sh2, sh3, go1, java1)
    langs = {py1: "python", py2: "python", py3: "python", py4: "python", py5: "python", py6: "python",
             py7: "python", py8: "python", py9: "python", py10: "python", js1: "javascript",
             js2: "javascript", js3: "javascript", ts1: "typescript", sql1: "sql", sql2: "sql", sql3: "sql",
             sh1: "bash", sh2: "bash", sh3: "bash", go1: "go", java1: "java"}
    return [(langs[t], t()) for t in templates]


def make_code_set(seed: int = SEED, n: int = 200) -> List[Example]:
    """Code with no PII: even items fenced after a line of prose, odd items pasted raw."""
    r = random.Random(seed + 4)
    out: List[Example] = []
    pool: List[Tuple[str, str]] = []
    i = 0
    while len(out) < n:
        if not pool:
            pool = _code_snippets(r)
            r.shuffle(pool)
        lang, code = pool.pop()
        if i % 2 == 0:
            text = f"{r.choice(_PROSE)}\n\n```{lang}\n{code}```"
            kind = "code-fenced"
        else:
            text = code
            kind = "code-raw"
        out.append(Example(f"code-{i:04d}", text, [], kind, "en"))
        i += 1
    return out


def all_sets(synth_path: str | Path = DEFAULT_SYNTH_PATH, limit: Optional[int] = None,
             synth_half: str = "all") -> Dict[str, List[Example]]:
    """The four sets by name; ``limit`` keeps the first N of each (negatives sampled pro rata);
    ``synth_half`` one half of (a) (see :func:`load_presidio_synth`)."""
    sets = {
        "presidio_synth": load_presidio_synth(synth_path, synth_half),
        "zh": make_zh_set(),
        "secrets": make_secrets_set(),
        "code": make_code_set(),
    }
    if limit:
        sets = {name: _take(items, limit) for name, items in sets.items()}
    return sets


def _take(items: Sequence[Example], limit: int) -> List[Example]:
    if len(items) <= limit:
        return list(items)
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


def describe(examples: Iterable[Example]) -> Dict[str, int]:
    from collections import Counter

    examples = list(examples)
    c = Counter(s.entity_type for e in examples for s in e.spans)
    c["_texts"] = len(examples)
    c["_negatives"] = sum(1 for e in examples if not e.spans)
    return dict(c)


if __name__ == "__main__":  # python -m bench.scrub_datasets: print counts and a few samples
    for name, items in all_sets().items():
        print(name, describe(items))
        for e in items[:2] + [x for x in items if x.kind == "negative"][:1]:
            print("   ", repr(e.text[:160]), [(s.entity_type, e.text[s.start:s.end][:40]) for s in e.spans])
