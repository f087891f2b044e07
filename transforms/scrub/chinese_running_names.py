"""Chinese person names in running text, without a naming phrase: :class:`RunningTextNames`.

Real writing rarely says 我叫: names stand alone ("期待如画和如风在一起", "@顾天池", "萧亚轩的新歌",
"弗里曼高龄啊"). This module scores candidates cut at jieba's word boundaries with the character
statistics of :mod:`.chinese_name_stats`, and asks for more evidence where a kind of candidate is
often an ordinary word. Kinds (each a rule below, each with a named threshold):

* full names: a surname plus 1-2 given-name characters, ending where jieba ends a word;
* transliterated names: a run of words made of transliteration characters (格瓦拉, 弗里曼);
* nicknames: 小X / 阿X / 老X, X子, XX (琪琪), X哥 / X姐, and 2-character given names (诗焱, 嘉欣);
* names after a news title (美国总统奥巴马, 首相特雷莎·梅): the word after 总统 / 总理 / 记者 ...
  that jieba tags as a name, or as a place (奥巴马/ns, 普京/ns: the title says it is a person).

Context words around a candidate (speaking and meeting verbs, thanks, titles, ``@``, an enumeration
with 和 / 与 / 、 next to another name) lower the thresholds; nicknames and transliterated names
need context. What is never a name, whatever the statistics say: a dictionary word that jieba tags as
a place, organisation or other proper noun, a known brand, a candidate cut out of a longer
transliterated word (沃尔 of 沃尔库塔, which :meth:`RunningTextNames.foreign_words` returns so the
other detectors skip it too).
"""

from __future__ import annotations

from typing import Callable, List, Mapping, Sequence, Tuple

from transforms.scrub.chinese_name_stats import NameCharStats

Token = Tuple[int, str, str]  # start offset in the text, word, jieba POS flag
Candidate = Tuple[int, int, str, bool]  # start, end, kind, has context

# Thresholds on the mean / minimum given-name log-likelihood ratio of the given-name characters.
FULL_NAME_MEAN = 2.0  # 2-character given name, no context
FULL_NAME_MIN = 1.0
FULL_NAME_MEAN_IN_CONTEXT = 1.2
FULL_NAME_MIN_IN_CONTEXT = 0.0
DICTIONARY_NAME_MEAN = 1.0  # a rare 3-character word jieba's dictionary tags nr (萧亚轩, 汪东城)
DICTIONARY_NAME_MIN = 0.0
DICTIONARY_NAME_FREQ = 100
SINGLE_GIVEN = 3.0  # 1-character given name: only with context, or found by jieba's HMM
SINGLE_GIVEN_IN_CONTEXT = 1.5
NICKNAME = 1.5  # each name character of a nickname (context required)
TRANSLIT_CHAR = 1.0  # every character of a transliterated word
TRANSLIT_MEAN = 2.5  # a transliterated person name (context required)
# A candidate that is a dictionary word at least this frequent (and not tagged as a name) is a word.
WORD_FREQ = 20
NAME_WORD_FREQ = 200
MADE_OF_WORDS_FREQ = 200  # a part of a candidate this frequent as an ordinary word  # dictionary words jieba tags nr: frequent ones are ordinary words (王八, 白领)

# jieba tags of proper nouns that are not people: places, organisations, other proper nouns.
NOT_PERSON_TAGS = ("ns", "nt", "nz")
# Foreign brands and products written in Chinese characters: proper nouns that read like names.
BRAND_WORDS = frozenset(
    "安卓 谷歌 微软 苹果 三星 诺基亚 摩托罗拉 索尼 佳能 尼康 奥迪 宝马 奔驰 丰田 本田 福特 雪佛兰 别克 "
    "沃尔沃 雷克萨斯 保时捷 法拉利 兰博基尼 阿迪达斯 耐克 彪马 星巴克 麦当劳 肯德基 可口可乐 百事 雀巢 "
    "香奈儿 迪奥 古驰 普拉达 爱马仕 路易威登 卡地亚 欧莱雅 兰蔻 雅诗兰黛 迪士尼 亚马逊 推特 脸书 优衣库 "
    "宜家 沃尔玛 家乐福 英特尔 华硕 戴尔 惠普 飞利浦 西门子 松下 夏普 东芝 任天堂 宝洁 联合利华 "
    "汉堡王 必胜客 哈根达斯 乐高 芭比 奥利奥 费列罗 德芙 路虎 捷豹 马自达 雷诺 标致 雪铁龙 斯柯达 "
    "科鲁兹 凯美瑞 卡罗拉 思域 雅阁 帕萨特 迈腾 高尔夫 速腾".split())
LONG_BRAND_WORDS = tuple(brand for brand in BRAND_WORDS if len(brand) >= 3)
# After a transliterated word: it names a place or an organisation (沃尔库塔市, 格瓦拉大学).
PLACE_SUFFIXES = tuple("市州省县区镇村河江湖山岛港湾城堡国洲岭峰谷街路") + (
    "大学", "公司", "集团", "银行", "酒店", "广场", "机场", "地区", "共和国", "王国")
# Before a word: it is a place (到沃尔库塔, 来自伊斯坦布尔).
PLACE_BEFORE = ("到", "在", "去", "往", "来自", "位于", "前往", "飞往", "抵达", "访问", "游览", "住在")
# Titles written right before a person's name in news and formal text (美国总统奥巴马, 德国总理默克尔,
# 记者王晓峰): the word after one is a person even where jieba's dictionary calls it a place
# (奥巴马/ns, 普京/ns).
NEWS_TITLES = (
    "总统", "副总统", "总理", "副总理", "首相", "外长", "外交部长", "国务卿", "主席", "副主席", "部长", "大使",
    "发言人", "记者", "通讯员", "主教练", "教练", "球星", "队长", "董事长", "总裁", "首席执行官", "创始人",
    "市长", "州长", "省长", "议员", "参议员", "国王", "女王", "王储", "亲王", "将军", "院士", "教授")
# Name tags of jieba words that may follow a news title; "ns" only for words of transliteration
# characters (奥巴马) or after a title (普京); "PER": a person word of LAC's analysis (朔尔茨, which
# jieba cuts apart): a news model's person tag right after a news title.
TITLED_NAME_TAGS = ("nr", "nrt", "nrfg", "ns", "PER")
# A middle dot joins the parts of a transliterated name (特雷莎·梅).
NAME_DOTS = "·•・．"
# Context: words right before / after a person's name in running text.
LEFT_CONTEXT = (
    "@", "#", "感谢", "谢谢", "多谢", "恭喜", "祝", "喜欢", "想念", "支持", "期待", "关注", "我是", "叫", "名叫",
    "和", "与", "跟", "、", "及", "给", "找", "问", "陪", "见到", "遇到", "偶遇", "认识", "告诉", "回复", "致",
    "亲爱的", "主唱", "歌手", "演员", "导演", "作者", "主演", "明星", "偶像", "男神", "女神", "老公", "老婆",
    "同学", "朋友", "闺蜜", "哥哥", "姐姐", "弟弟", "妹妹", "老师", "粉丝", "嘉宾") + NEWS_TITLES
RIGHT_CONTEXT = (
    "#", "说", "道", "讲", "表示", "回复", "问", "告诉", "：", ":", "和", "与", "、", "跟", "同学", "老师",
    "先生", "女士", "小姐", "哥", "姐", "君", "酱", "叔", "大叔", "阿姨", "宝宝", "总", "的微博", "的新歌",
    "的歌", "的电影", "的演唱会", "主演", "执导", "导演", "演唱", "生日快乐", "加油", "欧巴", "在一起",
    "你好", "您好", "同志", "教授", "医生", "律师", "夫妇", "本人")
TITLES = frozenset("先生 女士 小姐 老师 同学 师傅 阿姨 叔叔 大爷 大妈 老板 经理 医生 律师 教授".split())
NICKNAME_PREFIXES = ("小", "阿", "老")
NICKNAME_SUFFIXES = ("子", "哥", "姐", "爷", "妹", "君", "酱")
# Characters that are a surname and a conjunction or preposition: after another word they are the
# function word (主唱A和B: 和 joins, it does not start a name; 还连老子一起偷).
FUNCTION_SURNAMES = "和于向连"


class RunningTextNames:
    """Scores name candidates in CJK text already cut by jieba (see the module docstring)."""

    def __init__(self, stats: NameCharStats, word_tags: Mapping[str, str], freq: Mapping[str, int]):
        self.stats = stats
        self._tags = word_tags
        self._freq = freq

    # -- words that are not names -------------------------------------------------------------

    def not_a_person(self, word: str) -> bool:
        """A brand (or a run holding a brand name of 3+ characters: 雪佛兰科鲁兹), or a dictionary
        word jieba tags as a place / organisation / other proper noun."""
        return (word in BRAND_WORDS or self._tags.get(word, "").startswith(NOT_PERSON_TAGS)
                or (len(word) > 3 and any(brand in word for brand in LONG_BRAND_WORDS)))

    @staticmethod
    def names_a_place(text: str, start: int, end: int) -> bool:
        """A word used as a place: a place suffix follows (沃尔库塔市), or a movement / location
        word comes before it with no person context (到沃尔库塔)."""
        before = text[:start]
        return text.startswith(PLACE_SUFFIXES, end) or (
            before.endswith(PLACE_BEFORE) and not before.endswith(LEFT_CONTEXT))

    def is_word(self, word: str) -> bool:
        """An ordinary dictionary word, a non-person proper noun or a brand: never a name."""
        if self.not_a_person(word):
            return True
        tag = self._tags.get(word)
        if tag is None:
            return False
        limit = NAME_WORD_FREQ if tag.startswith("nr") else WORD_FREQ
        return self._freq.get(word, 0) >= limit

    def foreign_words(self, tokens: Sequence[Token]) -> List[Tuple[int, int]]:
        """Spans of 3+ character runs of adjacent words made of transliteration characters (or
        tagged ``nrt``): 沃尔库塔, 格瓦拉. No name may be cut out of one."""
        runs: List[Tuple[int, int]] = []
        start = end = None
        for offset, word, flag in tokens:
            foreign = flag == "nrt" or all(self.stats.translit(ch) >= TRANSLIT_CHAR for ch in word)
            if foreign and start is not None and offset == end:
                end = offset + len(word)
                continue
            if start is not None and end - start >= 3:
                runs.append((start, end))
            start, end = (offset, offset + len(word)) if foreign else (None, None)
        if start is not None and end - start >= 3:
            runs.append((start, end))
        return runs

    # -- context ------------------------------------------------------------------------------

    @staticmethod
    def has_context(text: str, start: int, end: int) -> bool:
        before = text[max(0, start - 4):start]
        return before.endswith(LEFT_CONTEXT) or text.startswith(RIGHT_CONTEXT, end)

    # -- candidates ---------------------------------------------------------------------------

    @staticmethod
    def after_title(text: str, start: int) -> bool:
        return text[:start].endswith(NEWS_TITLES)

    def titled_names(self, text: str, tokens: Sequence[Token]) -> List[Candidate]:
        """The word right after a news title when jieba tags it as a name, or as a place made of
        transliteration characters (总统奥巴马, 总理默克尔, 首相特雷莎·梅); a middle dot joins the
        next part of the name. ``tokens`` may hold words of other cuts after jieba's (LAC's person
        words): where two start at the same place, the first stands (莫迪 of jieba, not LAC's 莫迪通)."""
        found: List[Candidate] = []
        for offset, word, flag in tokens:
            if any(start == offset for start, _, _, _ in found) or not (2 <= len(word) <= 5 and flag in TITLED_NAME_TAGS and self.after_title(text, offset)):
                continue
            if word in BRAND_WORDS or text.startswith(PLACE_SUFFIXES, offset + len(word)):
                continue
            end = offset + len(word)
            while end + 1 < len(text) and text[end] in NAME_DOTS and self.stats.translit(text[end + 1]) >= 0:
                end += 2
                while end < len(text) and end - offset < 12 and self.stats.translit(text[end]) >= TRANSLIT_CHAR:
                    end += 1
            found.append((offset, end, "name after a title", True))
        return found

    def find(self, text: str, tokens: Sequence[Token], lexical_names: Sequence[Token] = ()
             ) -> List[Candidate]:
        """(start, end, kind, has context) of the names found in ``text``; ``lexical_names`` are
        LAC's person words of it (:func:`.chinese_lexical.analyse`), read after news titles."""
        starts = {offset for offset, _, _ in tokens}
        ends = {offset + len(word) for offset, word, _ in tokens}
        foreign = self.foreign_words(tokens)
        found: List[Candidate] = self.titled_names(text, list(tokens) + list(lexical_names))
        for start, end in foreign:
            name = text[start:end]
            mean = sum(self.stats.translit(ch) for ch in name) / len(name)
            if (mean >= TRANSLIT_MEAN and not self.is_word(name)
                    and not self.names_a_place(text, start, end)
                    and self.has_context(text, start, end)):
                found.append((start, end, "transliterated name", True))
        for start in sorted(starts):
            # a surname that is also a conjunction / preposition (和, 于) starts no name here: the
            # jieba and naming-context detectors still find 和珅, 于丹
            if any(s <= start < e for s, e in foreign) or text[start] in FUNCTION_SURNAMES:
                continue
            span = self._full_name(text, start, ends, tokens) or self._nickname(text, start, ends)
            if span is not None:
                found.append(span)
        return found

    def _full_name(self, text: str, start: int, ends: set, tokens: Sequence[Token]):
        surname = self.stats.surname_length(text, start)
        if not surname:
            return None
        for given_len in (2, 1):
            end = start + surname + given_len
            if end not in ends or end > len(text):
                continue
            name, given = text[start:end], text[start + surname:end]
            if self.is_word(name) or self._made_of_words(name, surname):
                continue
            scores = [self.stats.given(ch) for ch in given]
            context = self.has_context(text, start, end)
            if given_len == 2:
                mean, low = sum(scores) / 2, min(scores)
                if self._dictionary_name(name, given) and (context or (
                        mean >= DICTIONARY_NAME_MEAN and low >= DICTIONARY_NAME_MIN)):
                    return start, end, "surname + given name (dictionary)", context
                if (mean >= FULL_NAME_MEAN and low >= FULL_NAME_MIN) or (
                        context and mean >= FULL_NAME_MEAN_IN_CONTEXT and low >= FULL_NAME_MIN_IN_CONTEXT):
                    return start, end, "surname + given name", context
            else:
                if name in self._tags:
                    continue  # 2-character dictionary words tagged nr are mostly words (蓝光, 白领)
                one_word = any(o == start and len(w) == len(name) and f.startswith("nr")
                               for o, w, f in tokens)
                if (context and scores[0] >= SINGLE_GIVEN_IN_CONTEXT) or (
                        one_word and scores[0] >= SINGLE_GIVEN and surname == 1):
                    return start, end, "surname + given name", context
        return None

    def _made_of_words(self, name: str, surname: int) -> bool:
        """A 3-character candidate whose first two or last two characters are a frequent
        ordinary word or a place (文科 / 文科生, 和田 / 和田玉, 安全 / 安全感)."""
        if len(name) - surname < 2:
            return False
        return any(self.not_a_person(part) or (
            part in self._tags and not self._tags[part].startswith("nr")
            and self._freq.get(part, 0) >= MADE_OF_WORDS_FREQ) for part in (name[:2], name[-2:]))

    def _dictionary_name(self, name: str, given: str) -> bool:
        """A rare word jieba's dictionary tags as a person name (famous people: 萧亚轩), whose
        given name is no title (赵小姐, 王先生)."""
        return (len(name) == 3 and self._tags.get(name, "").startswith("nr")
                and self._freq.get(name, 0) < DICTIONARY_NAME_FREQ and given not in TITLES)

    def _nickname(self, text: str, start: int, ends: set):
        """小X / 阿X / 老X, X子 / X哥 ..., XX and 2-character given names, in context only."""
        given: Callable[[str], float] = self.stats.given
        end = start + 2
        word = text[start:end]
        if end not in ends or self.is_word(word) or (
                word in self._tags and not self._tags[word].startswith("nr")):
            return None
        first, second = word
        ok = False
        if word.startswith(NICKNAME_PREFIXES):
            ok = given(second) >= NICKNAME
        elif word.endswith(NICKNAME_SUFFIXES):
            ok = given(first) >= NICKNAME
        elif first == second:
            ok = given(first) >= NICKNAME
        elif word not in self._tags:  # a given name alone (诗焱), never a dictionary word (博文)
            ok = given(first) >= NICKNAME and given(second) >= NICKNAME
        if ok and self.has_context(text, start, end):
            return start, end, "nickname", True
        return None
