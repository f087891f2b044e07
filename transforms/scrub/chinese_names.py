"""Chinese person names, offline: :class:`ChinesePersonRecognizer` (jieba POS tags, naming contexts,
names in running text, and a learned tagger over all of them).

Runs in mode ``presidio`` on texts with Han characters only (the rules read the Han runs, the tagger
the whole text). The surname and given-name data live in
:mod:`.chinese_surnames`, the character statistics in :mod:`.chinese_name_stats`, names without a
naming phrase (full names, nicknames, transliterated names scored with those statistics and context
words, names after news titles) in :mod:`.chinese_running_names`, the learned tagger that weighs
all of them (with Baidu LAC's analysis, :mod:`.chinese_lexical`) in :mod:`.chinese_name_tagger`,
jieba's POS cut with a faster HMM in :mod:`.chinese_pos_hmm`. This module holds the context word
lists its own rules read.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Dict, FrozenSet, List, NamedTuple, Optional, Tuple

from presidio_analyzer import LocalRecognizer, RecognizerResult

from transforms.scrub import patterns as pp
from transforms.scrub.cache import LruCache
from transforms.scrub.chinese_lexical import LineScores, analyse
from transforms.scrub.chinese_name_stats import NameCharStats
from transforms.scrub.chinese_name_tagger import NameTagger, lattice_prefixes, latin_given_name_lookup, rule_stands
from transforms.scrub.chinese_running_names import FUNCTION_SURNAMES, RunningTextNames, Token
from transforms.scrub.chinese_surnames import CN_COMPOUND_SURNAMES, CN_GIVEN_NAME_CHARS, CN_SURNAMES
from transforms.scrub.ner_gate import given_names
from transforms.scrub.recognizers import recognizer_result


# Characters that never belong to a given name; after a name candidate they are a word boundary
# ("和李明说" ends at 明).
CN_NOT_GIVEN_NAME_CHARS = frozenset(
    "的了是在和与及或我你他她它们这那哪个些有没不也都就说吗呢吧啊呀么着过把被让给从向对到去来请您要"
    "会很还再又已而且但却并因为所以如果电话手机号码邮箱地址姓名联系"
)
# Context right before a name. Strong: naming words (the name may be any surname + 1-2 characters
# that make no ordinary word). Weak: words often but not always followed by a name (the given name
# must be made of common given-name characters).
_CN_STRONG_CONTEXT = (
    "我的名字叫 我的名字是 名字叫 名字是 姓名是 我叫 名叫 叫做 姓名 联系人 收件人 收货人 寄件人 发件人 签名 "
    "署名 落款 经办人 负责人 申请人 委托人 本人 患者 病人 请联系 联系 户名 开户名 账户名 持卡人 收款人 付款人 户主"
).split()
_CN_WEAK_CONTEXT = (
    "我是 这是 他是 她是 告诉 通知 转告 感谢 谢谢 认识 见到 拜访 同事 朋友 老板 客户 用户 学生 作者 记者 主管 员工 "
    "同学 经理 总监 主任 老师 医生 律师 教授 院长 校长 部长 师傅 尊敬的 亲爱的 给 和 跟 与 同 让 找 问 叫 "
    "快递员 司机 骑手 护士 客服 店员 保安 房东 租客 业主"
).split()
_CN_CONTEXT_WORDS = tuple(_CN_STRONG_CONTEXT + _CN_WEAK_CONTEXT)
CN_NAME_CONTEXT_RE = re.compile(
    "(?:(?P<strong>" + "|".join(sorted(_CN_STRONG_CONTEXT, key=len, reverse=True)) + ")"
    "|(?P<weak>" + "|".join(sorted(_CN_WEAK_CONTEXT, key=len, reverse=True)) + "))"
    "[:：]?[ \t]?(?=[" + pp.CJK_CHAR_CLASS + "])"
)
# Titles and words that may follow a name ("李娜女士", "张伟的电话"); given names never start with
# a title ("联系王老师" has no given name). Before a title or a possessive contact word, a surname
# plus 1-2 common given-name characters that starts the text, follows a non-CJK / function
# character or a naming context is a name too ("周建平先生您好", "尊敬的邱丹丹女士").
_CN_NAME_TITLES = ("先生", "女士", "小姐", "老师", "同学", "经理", "总监", "医生", "律师", "同志", "教授",
                   "主任", "博士", "师傅", "阿姨", "叔叔", "老板", "总", "工", "院长", "校长", "部长")
_CN_NAME_RIGHT_CONTEXT_RE = re.compile(
    "先生|女士|小姐|老师|同学|经理|总监|医生|律师|教授|主任|博士|同志|师傅|阿姨|的电话|的手机|的邮箱|的微信"
    "|的地址|的身份证|的护照|的银行卡|的卡号|的账号|的账户|的家长")
# Verbs after a name in a weak context: "和李娜说", "给张伟发".
_CN_NAME_VERBS = ("说", "讲", "聊", "谈", "问", "打", "发", "写", "回", "寄", "转", "联系", "确认", "汇报", "商量",
                  "沟通", "见面", "一起", "请教", "反映", "报告", "道歉", "借", "还")
_CN_NAME_FOLLOW = _CN_NAME_TITLES + _CN_NAME_VERBS + (
    "电话", "手机", "邮箱", "微信", "负责", "今天", "明天", "昨天", "现在", "已经", "先", "同", "跟")
# Words right before / after a 2-character dictionary word that make it a name ("我叫李娜").
_CN_NAME_BEFORE = ("叫", "是", "姓名", "名字", "联系人", "联系", "客户", "患者", "用户", "同事", "收件人",
                   "称呼", "问问", "找", "给")
_CN_NAME_AFTER = ("先生", "女士", "小姐", "老师", "同学", "经理", "总监", "医生", "律师", "同志", "教授",
                  "的电话", "的手机", "的身份证", "的邮箱", "的地址")
# Dictionary words tagged as names by jieba that are ordinary words.
_CN_NOT_NAMES = frozenset("谢谢 明白 顾问 王朝 武功 宁可 陈述 康复 张开 林立 高兴 黄金 白金 金额 马上 江山 蓝光".split())


TAGGER_RULE = "name tagger"
# LAC's analysis is cached per line (templates and boilerplate answers repeat lines across texts):
# a quarter as many entries as the jieba cut cache, lines of at most this many characters, so the
# cache stays within a few tens of MB.
LAC_LINES_PER_CUT = 4
LAC_CACHED_LINE_CHARS = 200


def rule_of(result: RecognizerResult) -> str:
    """Which rule of :class:`ChinesePersonRecognizer` found a result ("jieba POS tag nr", ...)."""
    return result.analysis_explanation.textual_explanation


class JiebaDictionary(NamedTuple):
    """jieba's default dictionary as the recognizer reads it."""

    pos: "object"  # a chinese_pos_hmm.PosTokenizer over its own jieba.Tokenizer
    freq: Dict[str, int]  # word frequencies
    stats: NameCharStats
    lattice_prefixes: FrozenSet[str]  # of the name tagger's dictionary lattice


_jieba_dictionary: Optional[JiebaDictionary] = None
_jieba_dictionary_lock = threading.Lock()


def jieba_dictionary() -> JiebaDictionary:
    """The dictionary, its POS tags and the statistics computed from them, loaded on the first call
    of the process (~1 s: jieba's cache file, its POS table, the character statistics) and shared
    by every recognizer after it (a Beam worker builds a scrubber per DoFn instance). Nothing
    changes them after loading: jieba's cuts and the recognizer only read them."""
    global _jieba_dictionary
    if _jieba_dictionary is None:
        with _jieba_dictionary_lock:
            if _jieba_dictionary is None:
                import jieba

                from transforms.scrub.chinese_pos_hmm import PosTokenizer

                tokenizer = jieba.Tokenizer()
                # jieba logs its dictionary loading at DEBUG on its own stderr handler: quiet it
                # while loading, then restore the level
                jieba_logger = logging.getLogger("jieba")
                level = jieba_logger.level
                jieba_logger.setLevel(logging.WARNING)
                try:
                    tokenizer.initialize()
                finally:
                    jieba_logger.setLevel(level)
                pos = PosTokenizer(tokenizer)
                freq = tokenizer.FREQ
                _jieba_dictionary = JiebaDictionary(pos, freq, NameCharStats(freq, pos.word_tag_tab),
                                                    lattice_prefixes(pos.word_tag_tab))
    return _jieba_dictionary


class ChinesePersonRecognizer(LocalRecognizer):
    """Chinese person names, offline, on the CJK runs of the text only, two ways:

    * jieba POS tags. jieba's dictionary tags thousands of ordinary words as ``nr`` (谢谢, 明白,
      武功, 顾问...), so a tagged word only counts as a name when it starts with a common surname
      and either was found by jieba's HMM (not a dictionary word: most private names), has 3+
      characters, or - for 2-character dictionary words - stands in a naming context (我叫__,
      __先生); 3-character words need common given-name characters or must not be made of
      ordinary words (高中生, 申请人, 叶绿素 are not names). A surname followed by a given name
      tagged ``nr``/``nrfg``/``nrt`` (何 + 志强, 欧阳 + 娜娜), or tagged ``nz`` and made of common
      given-name characters (周 + 建华), is joined.
    * naming contexts, for names jieba splits or mis-tags (乔 / 想, 周 / 建华(nz), 高欢(v)): after a
      strong context (我叫, 名字是, 姓名：, 联系人, 收件人, 请联系, 联系 ...) a surname (compound first)
      plus 1-2 characters, ending where the text cannot go on with a given name (punctuation,
      non-CJK, a function character such as 的/在/说, a title such as 先生, 电话 ...), becomes a
      name unless it is an ordinary dictionary word (联系方式, 联系管理员). After a weak context
      (我是, 这是, 给/和/跟 ... __说, 同事__ ...) the given name must also be made of common
      given-name characters (我是高中生, 和田玉 are not names). 2 given characters are tried
      before 1. Scores 0.7 (strong) / 0.6 (weak).
    * running text (:class:`RunningTextNames`): names without a naming phrase, scored with
      character statistics and context words. Scores 0.6 (with context) / 0.5.
    * the learned tagger (:class:`NameTagger`, a CRF trained on Weibo NER), which reads all the
      rules' detections and LAC's analysis of the text (run once per text, also read by the
      news-title rule: 总理朔尔茨) as features: its spans are names (score 0.5), and it vetoes the rules'
      detections it gives a very low probability, except naming phrases and names after a news
      title (总统奥巴马), which always stand (:func:`.chinese_name_tagger.rule_stands`).

    Whatever found it, a name is dropped when it is cut out of a longer transliterated word
    (沃尔 of 沃尔库塔), is a brand or a dictionary place / organisation (安卓), or starts with 和 / 于
    / 向 / 连 glued to the word before (主唱A和B: not 和B).

    Uses its own ``jieba.Tokenizer`` (no mutation of jieba's module-level default tokenizer), POS
    tagged by :class:`.chinese_pos_hmm.PosTokenizer` (jieba's cut, with a faster HMM); the
    dictionary and what is computed from it are loaded on the first :meth:`load` of the process
    (~1 s, :func:`jieba_dictionary`) and shared by every recognizer after it.
    """

    NAME_TAGS = frozenset({"nr", "nrfg"})
    JOIN_TAGS = frozenset({"nr", "nrfg", "nrt"})  # given-name tags after a surname token (and
    # "nz" made of common given-name characters after a surname tagged nr: 周 / 建华)
    SCORE = 0.6
    CONTEXT_SCORE = {True: 0.7, False: 0.6}  # strong / weak naming context
    RUNNING_SCORE = {True: 0.6, False: 0.5}  # running text, with / without context words
    TAGGER_SCORE = 0.5

    def __init__(self, supported_language: str = "en", hmm: bool = True, cache_size: int = 0,
                 tagger: bool = True):
        self.hmm = hmm  # the HMM finds names missing from the dictionary (most of them)
        self.use_tagger = tagger  # off only to train the tagger against the rules alone
        self._tagger: Optional[NameTagger] = None
        self._pos = None
        self._freq: dict = {}
        # POS cuts per CJK run: clauses repeat across texts (templates, boilerplate answers), and
        # jieba's HMM is a large part of this recognizer's time
        self.cut_cache: LruCache[Tuple[Tuple[str, str], ...]] = LruCache(cache_size)
        self.lac_line_cache: LruCache[LineScores] = LruCache(cache_size // LAC_LINES_PER_CUT)
        super().__init__(supported_entities=["PERSON"], name="ChinesePersonRecognizer",
                         supported_language=supported_language)

    def load(self) -> None:
        if self._pos is not None:
            return
        dictionary = jieba_dictionary()
        self._pos = dictionary.pos
        self._freq = dictionary.freq
        self.stats = dictionary.stats
        self._running = RunningTextNames(self.stats, self._pos.word_tag_tab, self._freq)
        if self.use_tagger:
            self._tagger = NameTagger(self.stats, self._freq, self._pos.word_tag_tab,
                                      latin_given_name_lookup(given_names()),
                                      prefixes=dictionary.lattice_prefixes)

    @property
    def word_tags(self) -> dict:
        """jieba's POS tag of each dictionary word."""
        return self._pos.word_tag_tab

    @property
    def freq(self) -> dict:
        """jieba's word frequencies (the loaded dictionary)."""
        return self._freq

    @staticmethod
    def _has_surname(word: str) -> bool:
        return word[:2] in CN_COMPOUND_SURNAMES or word[0] in CN_SURNAMES

    def _is_name(self, text: str, start: int, word: str) -> bool:
        """Whether a word jieba tagged ``nr``/``nrfg`` at ``start`` is a person name."""
        if not 2 <= len(word) <= 4 or not self._has_surname(word) or word in _CN_NOT_NAMES:
            return False
        if len(word) == 4:
            return word[:2] in CN_COMPOUND_SURNAMES
        in_dictionary = word in self._pos.word_tag_tab
        if len(word) == 3 and word[:2] not in CN_COMPOUND_SURNAMES:
            given = word[1:]
            if all(ch in CN_GIVEN_NAME_CHARS for ch in given):
                return not (in_dictionary and self._freq.get(word, 0) >= 100)  # 高中生 is not
            # unusual given-name characters: 叶绿素, 申请人 (dictionary), 和蓝光, 何时能 (made of
            # words) are not names
            return not in_dictionary and not self._common_word(word[:2], 200) \
                and self._freq.get(given, 0) < 100
        if not in_dictionary:
            return True  # found by the HMM: most private names
        if len(word) == 2 and word[1] not in CN_GIVEN_NAME_CHARS:
            return False  # 白领, 华为: dictionary words jieba calls nr
        before = text[max(0, start - 3):start]
        after = text[start + len(word):start + len(word) + 4]
        return before.endswith(_CN_NAME_BEFORE) or after.startswith(_CN_NAME_AFTER)

    def _joins(self, surname_flag: str, given: str, given_flag: str) -> bool:
        """Whether a surname token and the next token (``given``) make one name: 何 + 志强(nrfg),
        周(nr) + 建华(nz); not 和(c) + 蓝光(nr) - a conjunction before a frequent word."""
        if len(given) > 2:
            return False
        common_chars = all(ch in CN_GIVEN_NAME_CHARS for ch in given)
        if given_flag in self.JOIN_TAGS:
            return (surname_flag.startswith("nr") or common_chars
                    or self._freq.get(given, 0) < 100)
        return given_flag == "nz" and surname_flag.startswith("nr") and common_chars

    # -- naming contexts ----------------------------------------------------------------------

    def _common_word(self, word: str, min_freq: int) -> bool:
        """A dictionary word not tagged as a name, at least ``min_freq`` frequent."""
        tag = self._pos.word_tag_tab.get(word)
        return tag is not None and not tag.startswith("nr") and self._freq.get(word, 0) >= min_freq

    @staticmethod
    def _name_may_end(text: str, end: int) -> bool:
        """True when a name may end right before ``end``: end of text, non-CJK, a function
        character, or a title / follow word."""
        if end >= len(text):
            return True
        ch = text[end]
        if not pp.CJK_RE.match(ch) or ch in CN_NOT_GIVEN_NAME_CHARS:
            return True
        return text.startswith(_CN_NAME_FOLLOW, end)

    def _plausible_name(self, name: str, surname: str, given: str, strong: bool,
                        verb_after: bool) -> bool:
        if name in _CN_NOT_NAMES or given.startswith(_CN_NAME_TITLES):
            return False
        tag = self._pos.word_tag_tab.get(name)
        freq = self._freq.get(name, 0)
        if tag is not None and (freq >= 1000 or (not tag.startswith("nr") and freq >= 100)):
            return False  # an ordinary word (联系方式, 管理员), or a frequent one jieba calls nr (谢谢)
        if tag is not None and not strong and freq >= 100 and not verb_after:
            return False  # "和蓝光。" - but "和李娜说"
        if len(given) == 2 and self._common_word(given, 4000):
            return False  # 王工作
        if len(surname) == 1 and len(given) == 2 and self._common_word(name[:2], 5000 if strong else 100):
            return False  # 我是高中生, 我是江苏人
        if not strong and not all(ch in CN_GIVEN_NAME_CHARS for ch in given):
            return False
        return True

    def _context_names(self, text: str) -> List[tuple]:
        """(start, end, strong) of names right after a naming context."""
        found = []
        for m in CN_NAME_CONTEXT_RE.finditer(text):
            strong = m.group("strong") is not None
            context = m.group("strong") or m.group("weak")
            p = m.end()
            span = None
            for surname_len in (2, 1):
                surname = text[p:p + surname_len]
                if not (surname in CN_COMPOUND_SURNAMES if surname_len == 2 else surname in CN_SURNAMES):
                    continue
                # "和田玉", "问路": the context's last character and the surname make a word
                if not strong and surname_len == 1 and self._common_word(context[-1] + surname, 50):
                    break
                for given_len in (2, 1):
                    end = p + surname_len + given_len
                    given = text[p + surname_len:end]
                    if (len(given) < given_len or not pp.CJK_RUN_RE.fullmatch(given)
                            or any(ch in CN_NOT_GIVEN_NAME_CHARS for ch in given)
                            or not self._name_may_end(text, end)):
                        continue
                    if self._plausible_name(text[p:end], surname, given, strong,
                                            text.startswith(_CN_NAME_FOLLOW, end)):
                        span = (p, end, strong)
                        break
                if span is None and strong and surname_len == 1:
                    # "请联系谢建国处理": no boundary after the name, but a full 3-character name
                    # of common given-name characters
                    given = text[p + 1:p + 3]
                    if (len(given) == 2 and all(ch in CN_GIVEN_NAME_CHARS for ch in given)
                            and self._plausible_name(text[p:p + 3], surname, given, False, True)):
                        span = (p, p + 3, strong)
                break
            if span is None and strong:
                span = self._rare_surname_name(text, p)
            if span is not None:
                found.append(span)
        return found

    def _names_before_titles(self, text: str) -> List[tuple]:
        """(start, end, False) of names right before a title / possessive contact word."""
        found = []
        for m in _CN_NAME_RIGHT_CONTEXT_RE.finditer(text):
            q = m.start()
            for length in (4, 3, 2):
                start = q - length
                if start < 0:
                    continue
                name = text[start:q]
                surname = name[:2] if name[:2] in CN_COMPOUND_SURNAMES else name[:1]
                given = name[len(surname):]
                if (surname not in CN_SURNAMES and surname not in CN_COMPOUND_SURNAMES) \
                        or not 1 <= len(given) <= 2:
                    continue
                before = text[start - 1] if start else ""
                if not (not before or not pp.CJK_RE.match(before)
                        or before in CN_NOT_GIVEN_NAME_CHARS
                        or text[:start].endswith(_CN_CONTEXT_WORDS)):
                    continue
                if any(ch in CN_NOT_GIVEN_NAME_CHARS for ch in given) or \
                        not self._plausible_name(name, surname, given, False, True):
                    continue
                found.append((start, q, False))
                break
        return found

    def _rare_surname_name(self, text: str, p: int) -> Optional[tuple]:
        """After a strong context, a 2-3 character name with a surname missing from our list
        (辜颖, 鄢瑞, 小明): common given-name characters, no dictionary word, and the text stops
        right after it (punctuation / non-CJK)."""
        if text[p] in CN_NOT_GIVEN_NAME_CHARS:
            return None
        for given_len in (2, 1):
            end = p + 1 + given_len
            if end > len(text) or (end < len(text) and pp.CJK_RE.match(text[end])):
                continue
            name = text[p:end]
            if not pp.CJK_RUN_RE.fullmatch(name) or not all(
                    ch in CN_GIVEN_NAME_CHARS for ch in name[1:]):
                continue
            if (name in self._pos.word_tag_tab or self._common_word(name[:2], 100)
                    or (given_len == 2 and self._common_word(name[1:], 100))
                    or name in _CN_NOT_NAMES):
                return None
            return p, end, True
        return None

    def _cut(self, run: str) -> Tuple[Tuple[str, str], ...]:
        """jieba's (word, POS flag) pairs for one run of CJK characters."""
        cut = self.cut_cache.get(run)
        if cut is None:
            cut = tuple((pair.word, pair.flag) for pair in self._pos.cut(run, HMM=self.hmm))
            self.cut_cache.put(run, cut)
        return cut

    def tokens(self, text: str) -> List[List[Token]]:
        """jieba's (start, word, POS flag) tokens of each CJK run of 2+ characters of ``text``."""
        runs = []
        for run in pp.CJK_RUN_RE.finditer(text):
            if run.end() - run.start() < 2:
                continue
            offset = run.start()
            tokens = []
            for word, flag in self._cut(run.group()):
                tokens.append((offset, word, flag))
                offset += len(word)
            runs.append(tokens)
        return runs

    def find(self, text: str) -> List[RecognizerResult]:
        results: List[RecognizerResult] = []
        all_tokens: List[Token] = []
        for tokens in self.tokens(text):
            all_tokens += tokens
            i = 0
            while i < len(tokens):
                start, word, flag = tokens[i]
                # surname + given name split by jieba: 何 / 志强(nrfg)
                if (((len(word) == 1 and word in CN_SURNAMES) or word in CN_COMPOUND_SURNAMES)
                        and i + 1 < len(tokens) and self._joins(flag, *tokens[i + 1][1:])):
                    word, flag = word + tokens[i + 1][1], "nr"
                    i += 1
                    joined = True
                else:
                    joined = False
                i += 1
                if flag in self.NAME_TAGS and (joined or self._is_name(text, start, word)):
                    results.append(self._result(start, start + len(word), f"jieba POS tag {flag}"))
        for start, end, strong in self._context_names(text) + self._names_before_titles(text):
            results.append(self._result(start, end, "naming context (strong)" if strong
                                        else "naming context (weak)",
                                        self.CONTEXT_SCORE[strong]))
        lexical = analyse(text, self.lac_line_cache, LAC_CACHED_LINE_CHARS)
        lexical_names = [word for word in lexical.words if word[2] == "PER"]
        for start, end, kind, context in self._running.find(text, all_tokens, lexical_names):
            results.append(self._result(start, end, f"running text: {kind}",
                                        self.RUNNING_SCORE[context]))
        foreign = self.foreign_words(all_tokens)
        results = [r for r in results if self.may_be_name(text, r.start, r.end, foreign)]
        if self._tagger is None:
            return results
        rule_names = [(r.start, r.end, rule_of(r)) for r in results]
        probabilities = self._tagger.probabilities(text, all_tokens, rule_names, lexical)
        tagged = [self._result(start, end, f"{TAGGER_RULE} (p={probability:.2f})", self.TAGGER_SCORE)
                  for start, end, probability in self._tagger.names(text, probabilities)
                  if self.may_be_name(text, start, end, foreign)]
        return tagged + [r for r in results if rule_stands(rule_of(r), r.start, r.end, probabilities)]

    def foreign_words(self, tokens: List[Token]) -> List[Tuple[int, int]]:
        """Spans of transliterated words of 3+ characters (see :class:`RunningTextNames`)."""
        return self._running.foreign_words(tokens)

    def may_be_name(self, text: str, start: int, end: int, foreign: List[Tuple[int, int]]) -> bool:
        """False for names cut out of a longer transliterated word (沃尔 of 沃尔库塔), such a word
        used as a place (到沃尔库塔), brands and dictionary words that are places / organisations
        (安卓), and names that start with a conjunction glued to the word before (主唱A和B: not 和B)."""
        if any(s < end and start < e and not (start <= s and e <= end) for s, e in foreign):
            return False
        if (start, end) in foreign and self._running.names_a_place(text, start, end):
            return False
        if self._running.not_a_person(text[start:end]) and not self._running.after_title(text, start):
            return False  # but 总统普京 (普京/ns)
        return not (text[start] in FUNCTION_SURNAMES and start > 0
                    and pp.CJK_RE.match(text[start - 1]))

    def _result(self, start: int, end: int, why: str, score: Optional[float] = None
                ) -> RecognizerResult:
        return recognizer_result(self, "PERSON", start, end, self.SCORE if score is None else score, why)

    def analyze(self, text: str, entities: List[str], nlp_artifacts=None) -> List[RecognizerResult]:
        if entities and "PERSON" not in entities:
            return []
        if not pp.CJK_RE.search(text):
            return []
        return self.find(text)
