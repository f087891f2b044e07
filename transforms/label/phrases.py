"""What users write about an answer, per language: the phrase lists behind the conversational rules.

Data only; transforms/label/signals.py turns these into decisions. Each entry is a regular expression, matched
case-insensitively against the user's next message after light normalisation (lower case, straight
apostrophes, single spaces). English patterns carry their own word boundaries; Chinese ones match
anywhere, since Chinese has no spaces.

Cue groups and the feedback taxonomy they stand for (Don-Yehiya et al. 2024):
    correction      UR2  the user says what the right answer is ("it's X, not Y", "应该是…")
    complaint       UR3  the answer is wrong / did not work, without the fix ("still not working", "还是不行")
    doubt           UR3  the user doubts the answer, weaker ("are you sure?", "你确定吗")
    rephrase        UR1  the user says they are asking again ("let me rephrase", "我再问一遍")
    clarification   UR4  the user did not understand the answer ("what do you mean", "什么意思")
    praise          UR5  the answer worked or was good ("that worked", "perfect", "解决了")
    thanks          UR5  gratitude or approval, weaker on its own ("thanks", "谢谢", "没问题")

NOT_FEEDBACK lists phrases that contain a cue word but are not about the answer ("no problem", "not bad",
"what's wrong with my code", "不错", "对不对", "是我自己写错了"): they are blanked out before the complaint,
correction, doubt and clarification cues are matched, so they can never make a negative.
NEGATORS, looked for just before a praise or thanks cue, cancel it ("not helpful", "没有用").
"""

from __future__ import annotations

CUES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "correction": (
            r"\bactually,? (it|it's|its|that|that's|the|they|he|she|this|you)\b",
            # Statements only: "what should be the output?" asks, it does not correct.
            r"\bshould (be|have been|say|read|return|raise|use|go)\b(?![^.!?\n]*\?)",
            r"\b(is|was) supposed to\b",
            r"\bthe (right|correct|real) (answer|one|value|number|date|year|name) is\b",
            r"\bi (said|asked for|meant|wanted|specified)\b",
            r"(?<!if )\bi told you\b",
            r"\byou (forgot|missed|left out|ignored|skipped|dropped|misread|misunderstood|mixed up|confused)\b",
            r"\b(it|that|this) (misses|is missing|forgot|ignores|breaks)\b",
            r"\bwrong (year|date|number|name|answer|value|unit|formula|city|language|person)\b",
            r"\w, not (?!(a single|only|sure|yet|now|even|just|much|many|really|too|always)\b)(the |a |an )?\w",
            r"\binstead[.!]*$",
            r"^(no|nope|nah)\b[,.!]* +\w+",
            r"\bnot quite\b(?! sure)",
            r"\b(it|that|this|which)('s| is| was| should be) (actually |about |around |only )?[\d$€£]",
        ),
        "complaint": (
            r"\b(that|this|it|which|your answer|the answer)('s| is| was| seems| looks| sounds)"
            r"( (still|just|all|completely|totally|clearly|definitely|simply|also|kind of|a bit))? "
            r"(wrong|incorrect|inaccurate|false|not (right|correct|accurate|true))\b",
            r"^(wrong|incorrect|not correct|not right)\b",
            r"\byou('re| are) (wrong|mistaken|not listening)\b",
            r"\b(doesn't|does not|didn't|did not|don't|won't) (work|help|compile|run|fix|change|answer|load|start)\b",
            r"\bnot (working|helpful|useful|what i (asked|wanted|meant|need|needed))\b",
            r"\bstill (not|doesn't|isn't|won't|getting|get|broken|fails|failing|the same|same|happening|crashes|stuck)\b",
            r"\bsame (error|problem|issue|thing|result|message) (as before|again)?",
            r"\b(no luck|nothing (changed|happens|happened)|makes no sense|doesn't make sense|useless|unhelpful)\b",
            r"\b(that's|that is) not it\b",
            r"\bthis is not what i\b|\bthis isn't what i\b|\bnot what i asked\b",
            r"\byou didn't (answer|read|listen)\b",
            r"\b(gives|throws|got|get|getting) (me )?(an |a )?(\w+ )?(error|exception)\b",
            r"\b(completely|way|totally) off\b",
            r"\btoo (long|short|vague|generic|complicated)\b",
            r"\b(came|comes) out (flat|wrong|bad|burnt|raw|broken)\b",
            r"^(nope|nah|no)[.!]*$",
            r"\bi (don't|do not) think (that's|that is|this is|it's|it is) (right|correct|true)\b",
            r"\b(doesn't|does not) (look|seem|sound) right\b",
            r"\b(seems|looks|sounds) (off|wrong|fishy)\b",
            r"\b(ugh|smh)\b",
        ),
        "doubt": (
            r"\bare you sure\b",
            r"\bi doubt\b",
            r"^really\?",
        ),
        "rephrase": (
            r"\blet me (rephrase|try again|ask again|put it another way)\b",
            r"\bin other words\b",
            r"\b(i'll|i will|i'm going to) ask again\b",
            r"^again\b|\bagain:",
            r"\bwhat i('m| am) (asking|saying) is\b",
            r"\bwhat i meant (was|is)\b",
            r"\bmy question (is|was)\b",
            r"\bto be (clear|more specific)\b",
        ),
        "clarification": (
            r"\bwhat do you mean\b",
            r"\bwhat does (that|this|it|that even|this even) mean\b",
            r"\bwhat does \S+ mean\b",
            r"\bi (don't|do not|didn't|did not) (understand|get it|follow)\b",
            r"\b(i'm|i am) (confused|lost)\b",
            r"\bnot sure (what you mean|i follow|i understand)\b",
            r"\b(can|could) you clarify\b",
            r"\bwhat is \w+ here\b",
            r"^huh\b",
            r"\bwhich one should i\b",
        ),
        "praise": (
            r"\b(perfect|excellent|awesome|amazing|brilliant|fantastic|wonderful|superb|great)\b",
            r"\bexactly (what|right)\b",
            r"\b(that's|that is|this is) (it|right|correct)\b",
            r"\b(works|worked|working) (now|fine|great|perfectly|like a charm)\b",
            r"\b(that|this|it) (works|worked)\b",
            r"\b(did|does) the trick\b",
            r"\b(that|this|it|which) (did it|fixed it|solved it)\b|\bfixed\b|\bsolved\b",
            r"\b(helpful|useful|clearer|clear now)\b",
            r"\bmakes (sense|more sense)\b",
            r"\bgot it\b",
            r"\bspot on\b|\bnailed it\b|\byou're right\b",
            r"\b(good|nice|great) (answer|explanation|summary|job|one|to know)\b",
            r"\bsaved me\b|\blife ?saver\b",
            r"\blove (it|this|that|them)\b|\bi love '",
            r"\bnot bad\b",
            r"\b(tests?|build) (pass|passes|passed|works)\b",
            r"\ball i needed\b",
            r"👍|🙏|🎉|❤️",
            r"^(nice|cool|yes)\b",
        ),
        "thanks": (
            r"\bthanks?\b|\bthank you\b|\bthx\b|\bty\b|\btysm\b|\bcheers\b",
            r"\bappreciate (it|that|this|the)\b",
        ),
    },
    "zh": {
        "correction": (
            r"应该(是|用|改|写|为)",
            r"才对",
            r"其实(是|应该)",
            r"明明是",
            r"而不是",
            r"不是.{1,12}[，,、]\s*(而)?是",
            r"是.{1,12}[，,]\s*不是",
            r"我(问|说|要)的是",
            r"我说了",
            r"(漏|少|忘)了",
            r"(你|您)?(理解|看|想)错了",
            r"(搞|弄)反了",
            r"(年份|日期|数字|时间|名字|单位|公式)(错了|不对)",
        ),
        "complaint": (
            r"不对",
            r"不太对",
            r"错了",
            r"(说|写|算|搞|弄|翻译|记|答)错",
            r"不正确|不准确|有误",
            r"有问题",
            r"不行",
            r"没用|没有用|没什么用|不管用|没效果|没有效果|没反应|没变化",
            r"没(有)?解决",
            r"还是.{0,6}(不|没|错|报错|一样|老样子)",
            r"跑不(起来|通)|运行不了|用不了|打不开",
            r"不是我(要|想要)的|不是这个意思",
            r"答非所问|没(有)?回答|等于没说|胡说|瞎说|不靠谱",
            r"没(有)?帮助|没帮上",
            r"找不到",
            r"(太|也太)(长|短|啰嗦|笼统)了",
        ),
        "doubt": (
            r"(你)?确定(吗|么|？|\?)",
            r"真的吗",
            r"是不是(搞|弄|写|算)错",
        ),
        "rephrase": (
            r"我再问一(遍|次|下)|再问一(遍|次)",
            r"换(个|一个|种)(说法|问法)|换句话说",
            r"我的意思是",
            r"我是(问|说)",
            r"重新(写|回答|来|生成)|重来",
        ),
        "clarification": (
            r"什么意思|啥意思",
            r"没(太)?看懂|看不懂|没(太)?明白|不(太)?明白|不(太)?理解|不懂",
            r"是指什么|指的是什么|是(什么|啥)[？?]?$",
            r"有点晕|糊涂了",
        ),
        "praise": (
            r"解决了|搞定|好了|可以了|成功了|跑通了|通过了|全过了",
            r"太棒了|完美|厉害|给力|赞|不错|牛[！!，,。]|^牛|太牛|真牛|牛逼",
            r"有用|有帮助|帮了大忙|很到位|到位|好用|好吃",
            r"(懂了|明白了|清楚了)",
            r"(很|非常|特别|讲得|说得)(清楚|明白|详细|好)",
            r"原来如此|难怪|学到了",
            r"正是我(需要|想要)的|就是这个|对的|没错|完全正确|正确",
            r"没毛病|省了",
            r"喜欢",
            r"👍|🙏|🎉",
        ),
        "thanks": (
            r"谢谢|多谢|感谢|谢啦|谢了|3q|辛苦",
            r"没问题|可以的|收到",
        ),
    },
}

# Phrases that contain a cue word yet say nothing bad about the answer; blanked before negative cues.
NOT_FEEDBACK: dict[str, tuple[str, ...]] = {
    "en": (
        r"\bno (problem|problems|worries|doubt)\b",
        r"\bnot (a problem|bad|too bad|wrong)\b",
        r"\bnothing wrong\b",
        r"\bwhat's wrong with\b|\bwhat is wrong with\b|\bwhat('s| is) wrong here\b",
        r"\b(what|where) (am i|i'm|did i|i am) (doing |getting )?wrong\b",
        r"\bi('m| am) (doing|getting) (something|it) wrong\b",
        r"\bdoing (something|it) wrong\b|\bwent wrong\b",
        r"\bi was wrong\b|\bmy (mistake|bad|fault)\b",
        r"\bcan't complain\b",
        r"^no,? (it's|its|it is|that's|thats) (ok|okay|fine|alright|all right)\b",
    ),
    "zh": (
        r"不错",
        r"没问题",
        r"没关系|不客气|不好意思|对不起",
        r"对不对|行不行|有没有问题|有问题吗",
        r"不行的话|要是不行|如果不行",
        r"没用过",
        r"我(自己)?.{0,3}错",
        r"哪里.{0,3}错",
        r"不用谢",
    ),
}

# Just before a praise or thanks cue, these cancel it: "not helpful", "never worked", "没有用", "不太清楚".
NEGATORS: dict[str, str] = {
    "en": r"\b(not|never|no|hardly|barely|isn't|wasn't|aren't|doesn't|didn't|don't|won't|nothing|neither)\W+(\w+\W+){0,2}$",
    "zh": r"(不|没|没有|未|并不|不太|不是|别)$",
}

# Words that carry no topic, left out when comparing two user messages for a rephrase.
SIMILARITY_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        """a an the to of in on for and or but is are was were be been am do does did done i you my me your
        it its it's this that these those how what why when where which who whom can could would should will
        shall may might must please pls plz with by at from as so just again now also then there here about
        into out up down over any some all tell give show write get make let know want need like help way
        use using way is there thing things one ok okay hi hey hello thanks thank""".split()
    ),
    # Only characters that are almost never part of a content word: particles, pronouns, question words.
    # (都, 在, 有, 要, 还 are left in: they are half of 首都, 现在, 没有, 需要, 还是.)
    "zh": frozenset("的了吗呢吧啊呀么嘛是我你他她它们个一这那怎什如何哪谁几请帮给把"),
}
