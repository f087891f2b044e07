"""Presidio recognizers for the scrubber: our regex recognizers, Chinese names, and the selected
Presidio built-ins.

Entity types produced (see also :mod:`transforms.scrub`):

==================  ==============================================================================
entity type         what / how
==================  ==============================================================================
PERSON              spaCy NER (English, mode ``presidio``); jieba POS ``nr``/``nrfg`` filtered by
                    surname and context on text with CJK characters (Chinese names, mode
                    ``presidio``)
LOCATION            spaCy NER GPE / LOC / FAC (mode ``presidio``)
NRP                 spaCy NER NORP - nationality, religious or political group (off by default:
                    "translate to French" is not personal data)
EMAIL_ADDRESS       regex with ASCII lookarounds (works against CJK text)
PHONE_NUMBER        Presidio ``PhoneRecognizer`` (python-phonenumbers; US GB DE FR CN AU) plus
                    regexes for CN mobiles (+86 / 0086 / separators) and CN landlines (0xx-xxxxxxxx)
CREDIT_CARD         payment card numbers, 13-19 digits, plain or grouped, Luhn + issuer prefix
                    (covers Chinese UnionPay bank cards, 16-19 digits)
CN_RESIDENT_ID      PRC resident ID, 18 chars with GB 11643 MOD 11-2 check digit, province code and
                    birth date validated; legacy 15-digit form (province + date)
IP_ADDRESS          IPv4 / IPv6, validated with ``ipaddress``; loopback / unspecified skipped
IBAN_CODE           Presidio ``IbanRecognizer`` (checksum)
US_SSN              Presidio ``UsSsnRecognizer`` (formatted ``123-45-6789``; bare 9 digits only with
                    context words)
CRYPTO              Presidio ``CryptoRecognizer`` (bitcoin addresses, checksum)
API_KEY             OpenAI ``sk-``/``sk-proj-``, Anthropic ``sk-ant-``, AWS ``AKIA``/``ASIA``...,
                    GitHub ``ghp_``/``gho_``/``ghu_``/``ghs_``/``ghr_``/``github_pat_``, Slack
                    ``xox[abposr]-``, Google ``AIza``, Stripe ``sk_live_``, Hugging Face ``hf_``
JWT                 ``eyJ<header>.eyJ<payload>.<signature>``
AUTH_TOKEN          the token of ``Bearer <token>`` / ``Authorization: Basic <b64>``
PRIVATE_KEY         PEM ``-----BEGIN ... PRIVATE KEY-----`` blocks (also truncated ones)
CREDENTIAL_URL      URLs with a password or token in the userinfo (``postgres://u:p@host/db``) and
                    Slack / Discord webhook URLs
SECRET              the value of ``password=`` / ``"api_key": "..."`` / ``client_secret:`` ...
                    assignments (placeholders like ``<your-password>`` and code expressions skipped)
==================  ==============================================================================
"""

from __future__ import annotations

import logging
import re
from typing import Iterable, List, Optional, Sequence

from presidio_analyzer import AnalysisExplanation, LocalRecognizer, RecognizerResult
from presidio_analyzer.predefined_recognizers import (
    CryptoRecognizer,
    IbanRecognizer,
    PhoneRecognizer,
    UsSsnRecognizer,
)

from transforms import pii_patterns as pp

logger = logging.getLogger(__name__)

PHONE_REGIONS = ("US", "GB", "DE", "FR", "CN", "AU")


class RegexRecognizer(LocalRecognizer):
    """A recognizer made of :class:`transforms.pii_patterns.Rule` s.

    Unlike Presidio's ``PatternRecognizer`` it reports the span of a chosen group (so
    ``password=hunter2`` scrubs only ``hunter2``), validates per rule, and compiles with the flags
    each rule was written for (Presidio compiles every pattern case-insensitively).

    :param requires: cheap pre-check: skip the regexes unless one of these substrings is present.
    """

    def __init__(
        self,
        entity: str,
        rules: Sequence[pp.Rule],
        name: Optional[str] = None,
        requires: Iterable[str] = (),
        supported_language: str = "en",
    ):
        self.entity = entity
        self.rules = tuple(rules)
        self.requires = tuple(requires)
        super().__init__(
            supported_entities=[entity], name=name, supported_language=supported_language
        )

    def load(self) -> None:  # noqa: D102 - regexes are compiled at import
        pass

    def find(self, text: str) -> List[RecognizerResult]:
        """All validated matches in ``text`` (used by :meth:`analyze`)."""
        if self.requires and not any(token in text for token in self.requires):
            return []
        results: List[RecognizerResult] = []
        for rule in self.rules:
            for match in rule.regex.finditer(text):
                start, end = match.span(rule.group)
                if start < 0 or start == end or not rule.accepts(match):
                    continue
                results.append(
                    RecognizerResult(
                        entity_type=self.entity,
                        start=start,
                        end=end,
                        score=rule.score,
                        analysis_explanation=AnalysisExplanation(
                            recognizer=self.name,
                            original_score=rule.score,
                            pattern_name=rule.name,
                            textual_explanation=f"Detected by {self.name} rule '{rule.name}'",
                        ),
                        recognition_metadata={
                            RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                        },
                    )
                )
        return results

    def analyze(self, text: str, entities: List[str], nlp_artifacts=None) -> List[RecognizerResult]:
        if entities and self.entity not in entities:
            return []
        return self.find(text)


def regex_recognizers(supported_language: str = "en") -> List[RegexRecognizer]:
    """Fresh instances of all our regex recognizers."""
    lang = supported_language
    return [
        RegexRecognizer("EMAIL_ADDRESS", pp.EMAIL_RULES, "EmailAsciiBoundaryRecognizer",
                        requires=("@",), supported_language=lang),
        RegexRecognizer("CREDIT_CARD", pp.CREDIT_CARD_RULES, "PaymentCardRecognizer",
                        supported_language=lang),
        RegexRecognizer("CN_RESIDENT_ID", pp.CN_RESIDENT_ID_RULES, "CnResidentIdRecognizer",
                        supported_language=lang),
        RegexRecognizer("PHONE_NUMBER", pp.CN_PHONE_RULES, "CnPhoneRecognizer",
                        supported_language=lang),
        RegexRecognizer("IP_ADDRESS", pp.IP_RULES, "IpAsciiBoundaryRecognizer",
                        requires=(".", ":"), supported_language=lang),
        RegexRecognizer("API_KEY", pp.API_KEY_RULES, "ApiKeyRecognizer",
                        requires=("sk", "AKIA", "ASIA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA",
                                  "ANVA", "ABIA", "ACCA", "gh", "github_pat_", "xox", "AIza",
                                  "rk_", "hf_"),
                        supported_language=lang),
        RegexRecognizer("JWT", pp.JWT_RULES, "JwtRecognizer", requires=("eyJ",),
                        supported_language=lang),
        RegexRecognizer("AUTH_TOKEN", pp.AUTH_TOKEN_RULES, "AuthTokenRecognizer",
                        supported_language=lang),
        RegexRecognizer("PRIVATE_KEY", pp.PRIVATE_KEY_RULES, "PrivateKeyRecognizer",
                        requires=("PRIVATE KEY",), supported_language=lang),
        RegexRecognizer("CREDENTIAL_URL", pp.CREDENTIAL_URL_RULES, "CredentialUrlRecognizer",
                        requires=("://",), supported_language=lang),
        RegexRecognizer("SECRET", pp.SECRET_RULES, "SecretAssignmentRecognizer",
                        requires=(":", "="), supported_language=lang),
    ]


class PrefilteredPhoneRecognizer(PhoneRecognizer):
    """Presidio's ``PhoneRecognizer`` (python-phonenumbers, one scan per region), skipped for texts
    without 7 digits in a phone-like run - most chat turns; matches need 7+ digits."""

    _CANDIDATE = re.compile(r"[0-9](?:[ \t.\-/()]{0,3}[0-9]){6}")

    def analyze(self, text, entities, nlp_artifacts=None):
        if not self._CANDIDATE.search(text):
            return []
        results = super().analyze(text, entities, nlp_artifacts)
        # short local numbers ("order #139317" is a valid number somewhere) are not worth it
        return [r for r in results if len(pp.digits_only(text[r.start:r.end])) >= 7]


def presidio_builtin_recognizers(supported_language: str = "en") -> list:
    """The Presidio predefined recognizers we keep (the others are replaced by ours, are
    country-specific with many false positives, or are not personal data: dates, URLs)."""
    lang = supported_language
    return [
        PrefilteredPhoneRecognizer(supported_regions=PHONE_REGIONS, supported_language=lang,
                                   name="PhoneRecognizer"),
        IbanRecognizer(supported_language=lang),
        UsSsnRecognizer(supported_language=lang),
        CryptoRecognizer(supported_language=lang),
    ]


# Common single-character and compound Chinese surnames (the first character(s) of a name).
CN_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万"
    "钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁"
    "尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆"
    "农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商"
    "刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
CN_COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 令狐 慕容 尉迟 夏侯 长孙 宇文 司徒 公孙 西门 南宫 独孤 端木 轩辕".split()
)
# Words right before / after a 2-character dictionary word that make it a name ("我叫李娜").
_CN_NAME_BEFORE = ("叫", "是", "姓名", "名字", "联系人", "联系", "客户", "患者", "用户", "同事", "收件人",
                   "称呼", "问问", "找", "给")
_CN_NAME_AFTER = ("先生", "女士", "小姐", "老师", "同学", "经理", "总监", "医生", "律师", "同志", "教授",
                  "的电话", "的手机", "的身份证", "的邮箱", "的地址")


class ChinesePersonRecognizer(LocalRecognizer):
    """Chinese person names via jieba POS tags, offline, on the CJK runs of the text only.

    jieba's dictionary tags thousands of ordinary words as ``nr`` (谢谢, 明白, 武功, 顾问...), so a
    tagged word only counts as a name when it starts with a common surname and either was found by
    jieba's HMM (not a dictionary word: most private names), has 3+ characters, or - for
    2-character dictionary words - stands in a naming context (我叫__, __先生). A surname followed
    by a given name tagged ``nr``/``nrfg``/``nrt`` (何 + 志强, 欧阳 + 娜娜) is joined.

    Uses its own ``jieba.Tokenizer`` (no mutation of jieba's module-level default tokenizer); the
    dictionary is loaded in :meth:`load` (~1 s, cached by jieba in the temp directory).
    """

    NAME_TAGS = frozenset({"nr", "nrfg"})
    JOIN_TAGS = frozenset({"nr", "nrfg", "nrt"})  # given-name tags after a surname token
    SCORE = 0.6

    def __init__(self, supported_language: str = "en", hmm: bool = True):
        self.hmm = hmm  # the HMM finds names missing from the dictionary (most of them)
        self._pos = None
        super().__init__(supported_entities=["PERSON"], name="ChinesePersonRecognizer",
                         supported_language=supported_language)

    def load(self) -> None:
        if self._pos is not None:
            return
        import jieba
        import jieba.posseg

        tokenizer = jieba.Tokenizer()
        # jieba logs its dictionary loading at DEBUG on its own stderr handler: quiet it while
        # loading, then restore the level
        jieba_logger = logging.getLogger("jieba")
        level = jieba_logger.level
        jieba_logger.setLevel(logging.WARNING)
        try:
            tokenizer.initialize()
        finally:
            jieba_logger.setLevel(level)
        self._pos = jieba.posseg.POSTokenizer(tokenizer)

    @staticmethod
    def _has_surname(word: str) -> bool:
        return word[:2] in CN_COMPOUND_SURNAMES or word[0] in CN_SURNAMES

    def _is_name(self, text: str, start: int, word: str) -> bool:
        if not 2 <= len(word) <= 4 or not self._has_surname(word):
            return False
        if len(word) == 4 and word[:2] not in CN_COMPOUND_SURNAMES:
            return False
        if word not in self._pos.word_tag_tab or len(word) >= 3:
            return True  # found by the HMM, or a 3-character name
        before = text[max(0, start - 3):start]
        after = text[start + len(word):start + len(word) + 4]
        return before.endswith(_CN_NAME_BEFORE) or after.startswith(_CN_NAME_AFTER)

    def find(self, text: str) -> List[RecognizerResult]:
        results: List[RecognizerResult] = []
        for run in pp.CJK_RUN_RE.finditer(text):
            if run.end() - run.start() < 2:
                continue
            offset = run.start()
            tokens = []
            for pair in self._pos.cut(run.group(), HMM=self.hmm):
                tokens.append((offset, pair.word, pair.flag))
                offset += len(pair.word)
            i = 0
            while i < len(tokens):
                start, word, flag = tokens[i]
                # surname + given name split by jieba: 何 / 志强(nrfg)
                if (((len(word) == 1 and word in CN_SURNAMES) or word in CN_COMPOUND_SURNAMES)
                        and i + 1 < len(tokens) and tokens[i + 1][2] in self.JOIN_TAGS
                        and len(tokens[i + 1][1]) <= 2):
                    word, flag = word + tokens[i + 1][1], "nr"
                    i += 1
                    joined = True
                else:
                    joined = False
                i += 1
                if flag in self.NAME_TAGS and (joined or self._is_name(text, start, word)):
                    results.append(self._result(start, start + len(word), flag))
        return results

    def _result(self, start: int, end: int, flag: str) -> RecognizerResult:
        return RecognizerResult(
            entity_type="PERSON",
            start=start,
            end=end,
            score=self.SCORE,
            analysis_explanation=AnalysisExplanation(
                recognizer=self.name,
                original_score=self.SCORE,
                textual_explanation=f"jieba POS tag {flag}",
            ),
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )

    def analyze(self, text: str, entities: List[str], nlp_artifacts=None) -> List[RecognizerResult]:
        if entities and "PERSON" not in entities:
            return []
        if not pp.CJK_RE.search(text):
            return []
        return self.find(text)
