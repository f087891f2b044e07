"""Stock phrases of chat answers, English and Chinese: data for the low-information filters (filters.py,
low_information.py). Lists, not rules: add a phrase here, not a pattern to a check.

Each entry is a regular expression that must match a whole clause (the text between sentence or clause
punctuation, see low_information.clauses) of normalized text (NFKC, casefolded, whitespace collapsed): write
them in lower case and without clause punctuation. Kept general on purpose: they are the phrases any assistant
uses, not those of one product or of the sample-log generator.
"""

from __future__ import annotations

_APOS = "['’]"

# Acknowledgements, thanks-replies, greetings and offers of further help: what an answer says when it says
# nothing about the task. An answer made (nearly) only of these is a pleasantry.
PLEASANTRIES: tuple[str, ...] = (
    # thanks-replies and acknowledgements
    rf"you{_APOS}re (?:very |most )?welcome", r"you are (?:very |most )?welcome", r"no problem(?: at all)?",
    r"my pleasure", r"(?:it was )?a pleasure", r"any ?time", r"no worries", r"don{_APOS}t mention it",
    rf"(?:i{_APOS}m |i am |so )?glad (?:that )?(?:i could|i was able to|to|it|this|that)(?: help(?:ed)?| work(?:s|ed)?)?",
    rf"(?:i{_APOS}m |i am |always )?happy to help", r"happy i could help", r"great to hear", r"good to hear",
    r"thanks?(?: you)?(?: so much| very much| a lot)?(?: for (?:asking|the feedback|letting me know|your patience))?",
    r"cheers", r"you got it", r"sounds good", r"perfect", r"awesome", r"great",
    # offers of further help and sign-offs
    rf"let me know if (?:there{_APOS}s|there is|you (?:have|need)) anything else(?: i can help (?:you )?with)?",
    r"let me know if you (?:have|need) (?:any )?(?:more|other|further) (?:questions|help)",
    r"(?:feel free to|don't hesitate to) (?:ask|reach out|come back)(?: (?:if|anytime|any time)[^.!?。！？]*)?",
    r"if you (?:have|need) (?:any )?(?:more|other|further) (?:questions|help)[^.!?。！？]*",
    r"is there anything else i can (?:help (?:you )?with|do for you)", r"anything else\??",
    r"have a (?:great|nice|good|wonderful) (?:day|evening|weekend|one)", r"good luck(?: with [^.!?]{0,30})?",
    r"take care", r"happy coding",
    # greetings and bare offers of help
    r"(?:hi|hello|hey)(?: there)?", r"good (?:morning|afternoon|evening)",
    r"how (?:can|may) i (?:help|assist)(?: you)?(?: today)?", r"what can i (?:do|help with)(?: for you)?(?: today)?",
    r"how are you(?: doing)?(?: today)?", r"nice to (?:meet|see) you",
    # Chinese
    r"不客气", r"不用(?:客气|谢)", r"没关系", r"(?:很|非常)?(?:高兴|开心)(?:能)?(?:帮到|帮上|帮助到?)(?:你|您)(?:的忙)?",
    r"很高兴(?:能)?(?:帮忙|为(?:你|您)服务)", r"乐意(?:效劳|帮忙|为(?:你|您)效劳)", r"随时(?:为(?:你|您))?(?:效劳|乐意帮忙)",
    r"(?:(?:如果)?(?:你|您)?(?:还)?有(?:任何|其他|别的)?(?:问题|需要)(?:的话)?)?(?:欢迎)?随时(?:再)?(?:来)?(?:问我|找我|提问|联系我|告诉我)",
    r"(?:如果)?(?:你|您)?(?:还)?有(?:任何|其他|别的)(?:问题|需要)(?:的话)?",
    r"(?:还)?有(?:什么|其他)(?:可以|能)?(?:帮(?:你|您)|帮忙)的(?:吗|地方吗)?", r"(?:有)?什么(?:需要)?(?:可以|能)?帮(?:你|您)(?:的)?(?:吗)?",
    r"今天有什么需要帮忙的吗", r"谢谢(?:你|您)?", r"感谢(?:你|您)?", r"祝(?:你|您)[^。！!？?]{0,8}", r"加油",
    r"(?:你|您)好", r"早上好", r"下午好", r"晚上好",
)

# Lead-ins and fillers that open (or pad) an answer without content: "Certainly! ", "In short: ", "好的，".
# Two answers that differ only by these differ trivially.
FILLERS: tuple[str, ...] = (
    r"certainly", r"sure(?: thing)?", r"of course", r"absolutely", r"great question", r"good question",
    r"here you go", r"here it is", r"here you are", r"here is (?:some )?more detail", r"in short", r"in summary",
    r"to summarize", r"no problem",
    rf"you{_APOS}re right to double[- ]check", r"let me (?:double[- ]check|check (?:that|this|it) again)",
    r"(?:going|let me go) through (?:it|this|that) again", r"let me (?:take another look|try again)",
    r"好的", r"当然(?:可以)?", r"没问题", r"简单来说", r"总的来说",
    r"详细说明如下", r"我再(?:检查|核对|确认)一(?:遍|下)", r"让我再(?:检查|看)一(?:遍|下)",
)

# What marks a paragraph a user added to an answer as a note to themselves, not to the reader: a "Note:" label,
# the editor speaking of themselves, or a remark that the text was checked, tested or edited.
NOTE_LABELS: tuple[str, ...] = (
    r"note", r"nb", r"n\.b\.", r"ps", r"p\.s\.", r"todo", r"fixme", r"memo", r"注", r"备注", r"注意", r"附注",
)
NOTE_SELF_REFERENCES: tuple[str, ...] = (
    r"\bi\b", rf"\bi{_APOS}(?:m|ve|ll|d)\b", r"\bmy\b", r"\bme\b", r"\bmine\b", r"\bwe\b", r"\bour\b", r"\bus\b",
    r"我", r"咱",
)
NOTE_EDIT_REMARKS: tuple[str, ...] = (
    r"\b(?:edited|checked|double-checked|verified|tested|reviewed|updated|adapted|modified|corrected|adjusted)\b",
    r"已(?:经)?(?:根据[^。]{0,12})?(?:核对|检查|修改|确认|测试|验证|更新|编辑|调整|审核)",
)
