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
    clarification   UR4  asks what a word of the answer means, weak ("what does idempotent mean", "是指什么")
    praise          UR5  this answer worked or was good ("that worked", "exactly what I needed", "解决了")
    approval        UR5  bare approval, weak ("great", "perfect", "ok", "不错")
    thanks          UR5  gratitude or approval, weaker on its own ("thanks", "谢谢", "没问题")
    confusion       UR4  the user could not follow the answer ("huh?", "what do you mean?", "I don't understand",
                         "that makes no sense", "什么意思", "你在说什么"): a reaction to it, unlike a question
                         that asks for more ("what's the address?")
    other_please    UR1  the user asks for another one instead of what was offered ("find me someplace else", "换一个")
    retry           UR1  the user asks it to do the same again: the last try failed ("try again", "再查一下")
    repetition      UR3  the answer repeats itself or the conversation ("you already said that", "你刚才说过了")
    off_topic       UR3  the answer is beside the point ("why are you asking me that?", "that's random", "跑题了")
    insult          UR3  the user calls the answer or the assistant names ("that's nonsense", "you're dumb", "胡言乱语")
    dislike         UR3  the user does not like what the assistant offered ("I didn't like that one", "不喜欢这个")
    disappointment  UR3  the user is let down by what the answer says ("what a shame", "that's too bad", "太可惜了")
    agreement       UR5  the user agrees with the answer ("exactly!", "I agree", "good point", "说得对")
    irony           UR3  praise in mockery ("nice try", "great, another wrong answer", "呵呵")
    closing         -    the user is done ("that's all", "没有别的问题了")
    leading_no      -    a reply opening with "no": an answer, a closing or a rejection, by the assistant's act

English phrases are written in their long form: signals expand contractions first (CONTRACTIONS).
Also here: CONTRAST (the clause after it decides), FIRST_PERSON / POINTS_AT_ANSWER / ADDRESSES_ASSISTANT
(is a complaint about the answer?), RESTATES (a "no" that says what the user wanted instead), ASKS_FOR_MORE
(not a rephrase) and
ASSISTANT_ACTS (what the assistant's turn did).

NOT_FEEDBACK lists phrases that contain a cue word but are not about the answer ("no problem", "not bad",
"what's wrong with my code", "不错", "对不对", "是我自己写错了"): they are blanked out before the complaint,
correction, doubt and clarification cues are matched, so they can never make a negative. NOT_PRAISE does the same
for the positive cues: wishes, advice and conditions that share praise's words ("it would be helpful if...").
NEGATORS, looked for just before a praise or thanks cue, cancel it ("not helpful", "没有用").
"""

from __future__ import annotations

CUES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "correction": (
            r"(^|[.!?,;:] ?)actually,? (it|it is|its|that|that is|the|they|he|she|this|you)\b",
            # Statements only: "what should be the output?" asks, it does not correct.
            # About the answer ("it should be 12"), not a requirement ("the rating should be 4 or more").
            r"\b(it|that|this|which|answer|result|output|code) should (be|have been|say|read|return|raise|use|go)\b(?![^.!?\n]*\?)",
            # Not hearsay about a film ("it is supposed to be amazing"): what the assistant or the answer failed to do.
            r"\byou (are|were) supposed to\b|\b(it|that|this) (is|was) supposed to (return|give|print|show|output|say|work|compile|run)\b",
            r"\bthe (right|correct|real) (answer|one|value|number|date|year|name) is\b",
            # "I wanted to see it" is a wish and "that's all I wanted" a closing: neither corrects.
            r"(?<!all )(?<!everything )\bi (actually |really |originally )?(said|asked for|meant(?! to\b)|wanted(?! to\b)|specified)\b",
            r"(?<!if )\bi told you\b",
            r"\b(as|like) i (mentioned|said|told you|stated|asked) (earlier|before|already|above)\b",
            r"\bi (asked|was asking) (you )?(about|what|how|why|whether|which|where|when|who)\b",
            r"\byou (forgot|missed|left out|ignored|skipped|dropped|misread|misunderstood|mixed up|confused)\b|\byou are (confusing|mixing up)\b",
            r"\b(it|that|this) (misses|is missing|forgot|ignores|breaks)\b",
            r"\bwrong (year|date|number|name|answer|value|unit|formula|city|language|person)\b",
            # "Spain, not France", "2 tickets, not 4": a short fix at the end of its clause, not "it's okay, not
            # really my thing" nor a sentence that goes on ("not in a movie form").
            r"\w, not (?!(a single|only|sure|yet|now|even|just|much|many|really|too|always|like|in|any|that|so|very|at all"
            r"|right|today|tonight|for|at|this|quite)\b)"
            r"(the |a |an )?[\w$€£:/-]+( \w+)?\s*([.!]|$)",
            r"\binstead[.!]*$",
            # The answer in the wrong language: "please answer in English".
            r"\b(please )?(answer|reply|respond|write|speak)( to me)? in (english|chinese|plain english)\b",
            r"\bnot quite\b(?! sure)",
            r"\b(it|that|this|which) (is|was|should be) (actually |about |around |only )?[\d$€£]",
        ),
        "complaint": (
            r"\b(that|this|it|which|your answer|the answer) (is|was|seems|looks|sounds)"
            r"( (still|just|all|completely|totally|clearly|definitely|simply|also|kind of|a bit))? "
            r"(wrong|incorrect|inaccurate|false|not (right|correct|accurate|true))\b(?! (to|for|with)\b)",
            r"^(wrong|incorrect|not correct|not right)\b(?! (now|away|at the moment|yet))",
            r"\byou are (wrong|mistaken|not listening)\b",
            r"\b(does not|did not|do not|will not) (work|help|compile|run|fix|change|answer|load|start)\b",
            r"\bnot (working|helpful|useful|what i (asked|wanted|meant|need|needed))\b",
            r"\b(are|is|was|were) not (being )?(very |really |that |too |at all )?(helpful|useful)\b",
            # Made up, cut off, or not how it works: kinds of a wrong answer in assistant chats.
            r"\byou (made (that|it|this|those|these) up|are (making (that|it|this|things|stuff) up|hallucinating|lying))\b",
            r"\b((that|this|the|your) (function|method|package|library|module|book|paper|link|command|option|flag|file|api|class|url)"
            r"|that|this|it|which) (does not|did not) (even )?exist\b"
            r"|(?<!if )\bthere is no such\b",
            r"\b(finish|complete) your (last |previous )?(sentence|answer|response|thought|reply)\b|"
            r"\byou (stopped|did not finish|cut off)\b|\b(it|the answer|that|your answer) (is|was|got) cut off\b|\bincomplete\b",
            r"\b(that|this|it) is not how (it|this|that|\w+) works\b|\bare you (even )?(listening|reading)\b",
            r"\bstill (not|does not|is not|will not|getting|get|broken|fails|failing|the same|same|happening|crashes|stuck)\b",
            r"\bsame (error|problem|issue|thing|result|message) (as before|again)?",
            r"\b(no luck|nothing (changed|happens|happened)|useless|unhelpful)\b",
            r"\bthat is not it\b",
            r"\bthis is not what i\b|\bnot what i asked\b",
            r"\byou did not (answer|read|listen|understand)\b",
            r"\b(gives|throws|got|get|getting) (me )?(an |a )?(\w+ )?(error|exception)\b",
            r"\b(completely|way|totally) off\b",
            r"\btoo (long|short|vague|generic|complicated)\b",
            r"\b(came|comes) out (flat|wrong|bad|burnt|raw|broken)\b",
            r"\bi do not think (that is|this is|it is) (right|correct|true)\b",
            # "I don't believe 'bres-thh' is correct": what it says of the answer's own words (checked in code).
            r"\bi (do not|did not) (think|believe) (?!(i|we|my|our)\b)[^.!?;]{1,40}\b(is|was|are|were) (right|correct|true|accurate)\b",
            r"\b(does not|do not) (look|seem|sound) right\b",
            r"\b(seems|looks|sounds) (off|wrong|fishy)\b",
            r"\b(ugh|smh)\b",
            r"\b(that is|this is|it is|how|so|very|really) (disappointing|frustrating|annoying|unfortunate)\b",
            # Kinds of a wrong answer in assistant chats: outdated, made up, beside the source, evasive, off by far.
            r"\b(that|this|it|which|the answer|your answer) (is|was|seems|looks) (so |very |completely |totally |badly )?"
            r"(outdated|out of date|deprecated|a hallucination)\b",
            # Of a part of the answer ("the math is wrong", "your second step is wrong"), not the weather forecast.
            r"\b(the|your|this|that) (\w+ )?(math|calculation|result|output|code|date|time|number|total|sum|formula|translation"
            r"|step|example|link|name|address|price|year|spelling|grammar|information|info|fact|figure|value|list|summary"
            r"|answer|part|line|word|sentence|source|reference|citation)s? (is|was|are|were) (still |completely |totally |all |just )?"
            r"(wrong|incorrect|inaccurate)\b",
            r"\bnot (even )?in the (document|text|article|passage|source|file|context|paper|link)\b|\bnot even close\b",
            r"\banswer (the|my) (question|actual question)\b",
            r"\btoo (verbose|wordy|long-winded|repetitive)\b",
            # It made things worse: "now it crashes on startup", "great, now nothing works", "it's even worse".
            r"\b(even|much|now|only made it) worse\b|\bnothing works\b"
            r"|\bnow (it|this|that|everything|the \w+|my \w+)( \w+){0,3} (crashes|crashed|breaks|broke|is broken|fails|failed"
            r"|does not work|is not working|will not (start|run|compile|load))\b",
        ),
        # The user could not follow the answer at all (UR4, strong): a bare "huh?", "you lost me".
        "confusion": (
            r"^(huh|what|wait what|excuse me|sorry|pardon|come again)\s*\?+$|^huh\s*[?!.]*$",
            r"\byou lost me\b|\bi am (so |totally |completely )?(confused|lost)\b",
            r"\b(makes|made) no sense\b|\b(does|did) not make (any )?sense\b",
            r"\bwhat are you (talking about|saying)\b",
            # Not following the answer: a reaction to it, unlike a question that asks for more.
            r"\bwhat do you mean\b|\bwhat does (that|this|it|that even|this even) mean\b",
            r"\bi (do not|did not|cannot) (understand|get it|follow)\b(?! (how|why|what|where|which|when) )",
            r"\bnot (quite |really |entirely |too |totally )?sure (what you mean|i follow|i understand|what you are (saying|talking about))\b",
            r"\b(that|this|it) is (so |very |really )?confusing\b",
            r"\b(explain|say) (that|it) again\b|\b(more simply|in simpler (terms|words))\b",
            r"^\?+$|^(lol|haha+|lmao|um+|uh+)?[,.]? ?(what|huh|wut|wat)\s*\?*!*$",
            r"\byou are not making (any )?sense\b|\byou make no sense\b|\b(makes|make) zero sense\b",
            r"\b(can|could) you explain (that|it|this|what you mean) (better|again|more clearly|differently)\b",
        ),
        "doubt": (
            r"\bare you sure\b",
            r"\bare you (quite|really|absolutely|completely|totally|100%) sure\b",
            r"\bare you (kidding|joking|serious)( me)?\s*\?",
            r"^(seriously|for real|you sure)\s*\?+\s*$",
            r"\bis (that|this|it) (really|actually) (true|right|correct|accurate)\s*\?",
            r"\bi doubt (that|this|it|you|whether|if)\b",
        ),
        "rephrase": (
            r"\blet me (rephrase|try again|ask again|put it another way)\b",
            r"\bin other words\b",
            r"\b(i will|i am going to) ask again\b",
            r"^again[:,] |\bagain:",
            r"\bwhat i am (asking|saying) is\b",
            r"\bwhat i (meant|mean) (was|is)\b",
            r"\bmy question (is|was)\b",
            r"\bto be (clear|more specific)\b",
        ),
        # Asks what a word of the answer means: weak, often a wish for more rather than a reaction to an error.
        "clarification": (
            r"\bwhat does (?!(that|this|it)\b)\S+ mean\b",
            r"\b(can|could) you clarify\b",
            r"\bwhat is \w+ here\b",
            r"\bwhich one should i\b",
        ),
        # Praise said in mockery: never positive ("nice try", "great, another wrong answer").
        "irony": (
            r"\bnice try\b|\bthanks for nothing\b",
            r"\b(great|wonderful|perfect|brilliant|awesome|fantastic),? (another|more|yet another|even more)\b",
            r"\b(so|very|really) (helpful|useful)\s*(\.\.\.|…)|\b(helpful|useful)\s*(\.\.\.|…)\s*not\b",
            r"\bwow,? (just )?wow\b|\bgood job,? (genius|buddy)\b|\breal (helpful|useful|smart|clever)\b",
        ),
        # The user asks it to do the same again: the last try failed ("try again", "check again", "redo it").
        "retry": (
            # Not the user's own plan: "let me try again later", "(I) will do it again".
            r"(?<!let me )(?<!will )(?<!i am going to )\b(try|check|search|look|do it) again\b",
            r"\b(please )?(redo|retry) (it|that|this)\b|^(redo|retry)\b|\bgive it another (try|shot|go)\b|\btry harder\b",
        ),
        # Asks for another one instead of what was offered: "find me someplace else", "a different one, please".
        "other_please": (
            r"\b(find|suggest|give|show|recommend|get) (me |us )?(something|someplace|somewhere|someone|anything) else\b",
            r"\b(find|suggest|give|show|recommend|try|get) (me |us )?(another|a different) (one|option|movie|film|place|restaurant|hotel|time|day"
            r"|way|approach|method|solution)\b",
        ),
        # The answer repeats itself or what was already said: a reply that brings nothing new.
        "repetition": (
            r"\byou (already|just) (said|asked|told me) (that|this|it)\b|\byou already (said|asked|told me|mentioned|suggested|recommended)\b",
            r"\byou (said|asked|told me|mentioned) (that|this|it) (already|before|earlier|twice)\b",
            r"\byou keep (saying|repeating|asking|telling me)\b|\b(you are )?repeating yourself\b",
            r"\b(same|that) (answer|thing|question|reply) again\b|\byou (are|keep) going in circles\b",
        ),
        # The answer misses the point of the conversation: "why are you asking me that?", "that's random".
        "off_topic": (
            r"\bwhy (are|did|would|do) you (ask|asking|say|saying|talk|talking|bring|bringing|tell|telling|mention|mentioning)\b",
            r"\b(that|this|it) (is|was|seems) (so |kind of |a bit |totally |completely )?(random|irrelevant|off[- ]topic|beside the point)\b",
            r"\bwhat does (that|this|it) have to do with\b|\b(that|this) has nothing to do with\b",
            r"\b(changing|change) the (subject|topic)\b|\bnot what we were talking about\b|^random\s*[.!?]*$",
        ),
        # Calling the answer (or the assistant) names: a verdict on the answer whatever else is said.
        "insult": (
            r"\byou are (so |really |very |such an? |an? )?(dumb|stupid|useless|an idiot|idiot|annoying|rude|creepy|boring|weird|broken|a moron|moron|clueless|pathetic)\b",
            r"\bare you (stupid|dumb|an idiot|a moron|broken|drunk)\b",
            r"\b(that|this|your answer|the answer) (is|was|sounds like) (so |really |very |just |complete |total |utter )?"
            r"(nonsense|gibberish|garbage|rubbish)\b|\b(that is|that was|how) (so |really |very )?rude\b",
            r"\b(what a|such a|that is a|that was a|this is a|this was a) (weird|strange|stupid|dumb|bizarre|rude|useless|odd|creepy) (answer|response|reply|thing to say)\b",
            r"^(nonsense|gibberish|rubbish|bs|wtf)\b",
        ),
        # The user does not like what was offered or said: a recommendation turned down on its merits.
        "dislike": (
            # "that" as the thing, not as a conjunction ("I don't like that she has wings" is about the topic).
            r"\bi ((do not|did not|never|really do not|really did not) (like|liked|enjoy|enjoyed|care for|love|loved)"
            r"|(actually |really |just )?(hated|hate|disliked|dislike)) (that|this|it|those|these|them)"
            r"( one| movie| film| book| show| song| place| idea| answer| suggestion| recommendation)?"
            r"( either| much| that much| very much| at all| so much)?\s*([.!,;:\n]|$)",
            r"\b(that|this|it) (one |movie |film |book |show |song |place )?(is|was|sounds|looks) (so |really |very |kind of |pretty )?"
            r"(boring|lame|dull|not (interesting|my thing|for me))\b",
            r"\bnot (really )?(my thing|for me|my type|my style|my cup of tea|interested in (that|this|it))\b",
            r"\bi am not (a |really a |much of a )?(big |huge )?fan of (that|this|it|those|these|them)\b|\bcannot stand (that|this|it|those|them)\b",
        ),
        # Let down by what the answer says: "what a shame", "too bad". About the outcome as much as the answer.
        "disappointment": (
            r"\bwhat a (shame|pity|bummer|letdown)\b|\b(that is|it is|this is) (a )?(shame|pity|bummer|letdown|a letdown)\b",
            r"^(too bad|bummer|shame|pity|darn|dang)\b|\b(that is|it is|this is) too bad\b",
            # A sad face: let down, by the answer or by what it says.
            r":-?\((?!\w)|☹|🙁|😞|😔",
        ),
        # The user agrees with what the answer says: it convinced them.
        "agreement": (
            r"^(exactly|precisely|absolutely|indeed|true|so true|very true|right on)\s*[.!]*$|^exactly[,.!]",
            r"\bi (totally |completely |fully |definitely |100% |really )?agree\b(?! to\b)",
            r"\b(good|great|fair|valid|excellent) point\b|\bso true\b|\bwell said\b|\byou (are|were) (so |absolutely |totally )?right\b",
            # Not "that's funny": users laugh at a strange answer as much as with a witty one.
            r"\byou are (so |really |very )?(smart|clever|wise|good at this)\b",
        ),
        # Praise of this answer in particular: it worked, it was what the user needed, it explained well. Said of
        # the answer, not of a film, a third party or a plan: NOT_PRAISE lists the wishes, advice and stories
        # that share its words ("it would be helpful if...", "it is always a good idea to...").
        "praise": (
            # Not "exactly what they are doing in the docs".
            r"\bexactly right\b|\b(exactly|just) what (i|we) (need|needed|want|wanted|was looking for|am looking for"
            r"|were looking for|are looking for|asked for|meant)\b",
            r"\b(that is|this is|it is|that was) (exactly |just )?what i (needed|wanted|was looking for|asked for)\b",
            r"\b(works|worked|working) (now|fine|great|perfectly|like a charm)\b",
            r"\b(that|this|it) worked\b",
            r"\b(did|does) the trick\b",
            # What the answer did, not a fixed price or a solved equation.
            r"\b(that|this|it|which|you) (did it|fixed it|solved it|fixed (the|my)|solved (the|my))\b|(^|[.!?;] )(fixed|solved)( now| it)?\s*([.!,;]|$)"
            r"|\b(problem|issue|bug|error|it|that) (is|was|has been|got) (now )?(fixed|solved)\b",
            r"\b(very |really |so |super )?(helpful|useful|clearer|clear now)\b",
            r"\bspot on\b|\bnailed it\b",
            # Of the answer ("that is a great idea", "good explanation!", "thanks for the clear summary"), not of
            # someone else's work ("the director did a great job") nor in a story ("from a good idea to a mess").
            r"(^|[.!?,;:] ?|\b(that|this|it|which) (is|was) |\b(sounds?|seems|looks) like |\bwhat |\bsuch "
            r"|\byou (did|have done|gave( me)?|made|had) |\b(for|love|like|appreciate|enjoyed) (a|the|your|this|that|these|all the) "
            r"|\b(ok|okay|yes|yeah|yep|oh|wow|thanks|thank you) )"
            r"(a |an |some |two |three |a few |so many |many |lots of )?(really |very |pretty |so |such a )?(good|nice|great|excellent|perfect|clear|brilliant)"
            r" (answer|explanation|summary|job|suggestion|recommendation|pick|idea|solution|choice|option|tip|advice|example|list|find)s?\b",
            r"\bsaved me\b|\blife ?saver\b",
            # The user's own love of it, not someone else's ("my kids love that one", "people really love it").
            # "My daughter will love it" is said of the suggestion.
            r"(^|[.!?,;:] ?|\b(i|we|oh) (really |just |absolutely |totally |do |really do )?|\b(will|going to) (really "
            r"|definitely |absolutely )?)love (it|this|that|them)\b|\bi love '",
            r"\b(tests?|build) (pass|passes|passed|works)\b",
            r"\bthat (helps|helped)\b",
        ),
        # Bare approval: "great", "perfect", "ok", "that is right". Said as often to accept an offer, confirm
        # a detail or move on as to praise: weak evidence.
        "approval": (
            r"\b(perfect|excellent|awesome|amazing|brilliant|fantastic|wonderful|superb|great)\b",
            r"\bgot it\b|\bnot bad\b|\bsounds good\b|\bmakes (sense|more sense)\b",
            r"\b(that is|this is) (it|right|correct)\b|\byou are right\b|\b(that|this|it) works\b",
            r"👍|🙏|🎉|❤️",
            r"^(nice|cool|yes|ok|okay|alright|good)\b",
        ),
        "thanks": (
            r"\bthanks?\b|\bthank you\b|\bthx\b|\bty\b|\btysm\b|\bcheers\b",
            r"\bappreciate (it|that|this|the)\b",
        ),
        # The user is done: "that is all", "nothing else", "I am all set". A closing, not a verdict.
        "closing": (
            r"\b(that is|that will be|that would be|that should be) (all|everything|it for (now|today))\b",
            r"\bnothing (else|more)\b|\bi am (all set|good|fine|done)\b|\ball set\b",
            r"\b(good ?bye|bye|see you|have a (good|nice|great) (day|night|one))\b",
        ),
        # A reply that opens with "no". What it means depends on what the assistant did: an answer to its
        # question or offer, a closing after "anything else?", or a correction of an answer.
        "leading_no": (
            # Not "oh no": dismay, often sympathy with what the answer tells.
            r"^((lol|haha+|lmao|hah|ha|actually|um+|hmm+),? )?(no|nope|nah|negative|none of (those|them|these)|not really|not now"
            r"|not right now|not at the moment|not yet|no thanks|no thank you)\b",
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
            r"我(问|说|要)的是|我(其实|本来|原本)(是)?(想|要|问|说)",
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
            # Worse than before: "现在更糟了", "反而报错了".
            r"(现在|这下|反而)(更(糟|差|乱|严重)|(全|都)?(崩|坏|挂)了|报错了|不能用了|打不开了)|反而(更(糟|差|乱|严重|慢)|出错|不行)",
            r"不是我(要|想要)的|不是这个意思",
            r"答非所问|没(有)?回答|等于没说|胡说|瞎说|不靠谱",
            r"没(有)?帮助|没帮上",
            r"找不到",
            r"(太|也太)(长|短|啰嗦|笼统)了",
            r"过时了|差得(太)?远|回答(我的)?问题|(用|说)中文(回答|回复)",
            r"你(在)?(瞎|胡|乱)编|编造的|根本不存在|没(说|写)完|不完整|(回答|答案|内容)(被)?(截断|断)了|(把话|把它|继续)(说|写)完",
            # "我不认为这个读音是对的": what it says of the answer (checked in code, as in English).
            r"我(不|并不)(认为|觉得|相信)(?!我).{1,20}(是)?(对|正确|准确)的",
        ),
        "confusion": (
            r"^(啊|嗯|什么|啥|哈)\s*[？?]+$",
            r"什么意思|啥意思|没(太)?看懂|看不懂|没(太)?明白|不(太)?明白|不(太)?理解|(听|看)?不懂",
            r"(你)?(在)?说(的)?(什么|啥)(呢|啊)?[？?]|莫名其妙|不知所云|一头雾水|完全(没|不)(看|听)(懂|明白)",
            r"(没有|毫无)(道理|逻辑)|说不通",
        ),
        "retry": (
            r"(再|重新)(试|查|找|搜|做)(一)?(下|次|遍)|重试|再来一(次|遍)",
        ),
        "other_please": (
            r"(换|用)(一)?(个|种)(别的|其他|其它|不同的)?(方法|办法|思路|解法)",
            r"(换|找|推荐|给我)(一)?(个|家|部|种)(别的|其他|其它|不同的)|^(请|麻烦)?(换|再找)(一)?(个|家|部)(?!话题|问题|方式|说法|角度)",
        ),
        "repetition": (
            r"(你)?(已经|刚才|刚刚|之前|前面)(说|问|讲|提|推荐)过(了)?",
            r"(一直|老是|总是|又)在?(重复|说同样|说一样)|重复(了|啦)|又来了|车轱辘话",
        ),
        "off_topic": (
            r"跑题|离题|偏题|文不对题|牛头不对马嘴|扯远了",
            r"(和|跟|与).{0,8}有(什么|啥)关系|为什么(要)?(问|说|提|聊)(这个|这些|这)",
        ),
        "insult": (
            # Said of the assistant or its answer: 笨, 蠢, 傻 alone are parts of other words (笨手笨脚, 变傻).
            r"(你|您)(真|好|太|是|真是|也太)?(个)?(笨|蠢|傻|弱智|智障)|胡言乱语|一派胡言|(说|讲)的(什么)?(废话|胡话)|^废话",
        ),
        "dislike": (
            r"不(太)?喜欢(这|那|它)|(这|那)(个|部|本|首|家)?(不好看|不好听|没意思|太无聊|很无聊|好无聊|不怎么样)",
        ),
        "disappointment": (
            r"(太|真|好|很)?可惜|遗憾|(好|很|太)?失望|扫兴",
        ),
        "agreement": (
            r"我(很|完全|非常|也)?(同意|赞同|认同)|^(同意|赞同)|说得(对|好|有道理|在理)|^有道理|确实如此|^就是这样|(你|您)(真|好|太)(聪明|厉害)",
        ),
        "doubt": (
            r"(你)?确定(吗|么|？|\?)",
            r"(你)?(在)?开玩笑(吧|吗|呢)",
            r"真的吗",
            r"是不是(搞|弄|写|算)错",
        ),
        "irony": (
            r"呵呵|谢谢你(的)?(废话|帮倒忙)|真是(太)?(谢谢|感谢)你了[，,。!！]*(又|还是|结果)",
            r"(真|太|好)(棒|厉害|聪明|有用)(了|啊|呢)?[，,。!！…]*(又|还是|结果)",
        ),
        "rephrase": (
            r"我再问一(遍|次|下)|再问一(遍|次)",
            r"换(个|一个|种)(说法|问法)|换句话说",
            r"我的意思是",
            r"我是(问|说)",
            r"重新(写|回答|来|生成)|重来",
        ),
        "clarification": (
            r"是指什么|指的是什么|是(什么|啥)[？?]?$",
            r"有点晕|糊涂了",
        ),
        "praise": (
            r"解决了|搞定|成功了|跑通了|通过了|全过了",
            # Said of the answer at the end of a clause, not what a product does ("有效阻止紫外线"); not 好吃:
            # the food, not the answer.
            r"(有用|有效|管用|有帮助|好用)(了|啊|呀|哦|的)?(?=[！!。，,~～…\s]|$)|帮了(我)?(大忙|很大的忙)|到位",
            # How it was explained ("讲得很清楚"), not how a song sounds ("很好听") or what the user knows ("我很清楚").
            r"(讲|说|写|解释|回答|答)得(很|非常|特别|真|太|挺|好)?(清楚|明白|详细|好|到位)|^(很好|非常好|太好了)"
            r"|(很|非常|特别|挺)(清楚|详细)(了|啊)?(?=[！!。，,~～…\s]|$)",
            r"原来如此|难怪|学到了",
            r"正是我(需要|想要)的|就是这个(了|啊|意思|！|!|。|$)|完全正确",
            # Better than before, by following the answer: "按这个方法煮出来好吃多了".
            r"好吃多了|(更|变)好吃了",
            # Not 省了吧: "forget it".
            r"没毛病|省了(?!吧)",
        ),
        "approval": (
            r"太棒了|完美|厉害|给力|赞|不错|牛[！!，,。]|^牛|太牛|真牛|牛逼",
            r"好了|可以了|(懂了|明白了|清楚了)|对的|没错|正确|喜欢",
            r"👍|🙏|🎉",
        ),
        "thanks": (
            r"谢谢|多谢|感谢|谢啦|谢了|3q|辛苦",
            r"没问题|可以的|收到",
        ),
        "closing": (
            r"没(有)?(别的|其他|其它)(问题|事|需要)(了)?|就这(些|样)(吧|了)|没事了|再见|拜拜",
        ),
        "leading_no": (
            r"^(不用|不要|不了|没有|算了|不需要|不对|不是)|^(不|没)([，,。！!]|$)",
        ),
    },
}

# Phrases that contain a cue word yet say nothing bad about the answer; blanked before negative cues.
NOT_FEEDBACK: dict[str, tuple[str, ...]] = {
    "en": (
        # Before "not bad" below is blanked: "no, not bad" agrees, its "no" rejects nothing.
        r"^no,? not (bad|too bad|so bad|that bad)\b",
        r"\bno (problem|problems|worries|doubt|issue|issues)\b",
        r"\bactually,? (that is|that will be|that would be|it is) (all|everything|it)\b",
        # "No, I haven't seen it": the user answers about themselves (a question the assistant implied), not the answer.
        r"^no,? (i|we) (have not|had not|have never|never|did not) (seen|watched|heard|read|been|tried|had|used)\b",
        # Surprise or understanding, not disagreement: "no way!", "no kidding", "no wonder it failed".
        r"\bno (way|kidding|wonder)\b",
        r"\bnot (a problem|bad|too bad|wrong)\b",
        r"\bnothing wrong\b",
        r"\bwhat is wrong with\b|\bwhat is wrong here\b",
        r"\b(what|where) (am i|did i|i am) (doing |getting )?wrong\b",
        r"\bi am (doing|getting) (something|it) wrong\b",
        r"\bdoing (something|it) wrong\b|\bwent wrong\b",
        r"\bi was wrong\b|\bmy (mistake|bad|fault)\b",
        r"\bcannot complain\b",
        # A condition on what comes next, not a verdict: "if that doesn't work, try 2 nights".
        r"\bif (that|this|it|they|none|nothing) (does not|do not|did not|will not|is not|are not) (work|fit|available)\b",
        r"\b(if|unless|when|whether) you (did not|do not|have not|had not|have never) \w+",
        # The answer gave what was asked for: praise, however much it sounds like "I asked for".
        r"\b(just|exactly|precisely|that is|this is) what i (said|asked for|wanted|meant|needed|was looking for)\b",
        r"\b(that|this|it) (should|would|will) be (all|everything|it|fine|good|great|enough)\b",
        r"^no,? (it is|its|that is) (ok|okay|fine|alright|all right)\b",
        # The user mends their own slip ("sorry, I meant Python 3", "oops, I meant the 14th"): the answer did as asked.
        r"\b(sorry|oops|whoops|my bad|typo|i mean)\b\W{0,3}(i )?(meant|mean)\b|\bi meant\b(?=[^.!?]*\bmy (bad|mistake|fault)\b)",
        # A requirement of a new request, not a fix: "I'm also looking for a restaurant. It should be expensive."
        r"\b(looking for|i need|i want|i would like|find me|search for)\b[^?]{0,80}?\b(it|that|which) should (be|have)\b",
        # A friendly goodbye: "don't work too hard".
        r"\bdo not work too hard\b",
        # A negated complaint is no complaint: "I don't think that's wrong".
        r"\bi do not think (that is|this is|it is|that was|it was) (wrong|incorrect|bad|a problem)\b",
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

# Phrases that contain a praise word yet are no verdict on the answer: a wish or request ("it would be helpful
# if you added comments", "make it clearer"), advice ("it is always a good idea to back up"), what worked before
# ("it worked before your change") or a condition ("if that works"). Blanked before the positive cues.
NOT_PRAISE: dict[str, tuple[str, ...]] = {
    "en": (
        r"\b(would|could|will|might|should|may) (be|have been|make it|help|be even|be much) (very |really |so |super "
        r"|more |much |most |extremely |a lot |even |a bit )?(helpful|useful|clearer|clear|great|good|nice|better|perfect)\b",
        r"\b(helpful|useful|clearer|clear) (if|when|for (me|us) to|to (?!(me|us|you)\b))",
        r"\b(make|making|made|be|get|getting) (it |this |that |them |things |the \w+ )?(a bit |a little |much |more |even )?"
        r"(clearer|clear)\b",
        r"\b(make|get|getting|making) (the |all |my |these |those )?(tests?|build) (to )?(pass|work)",
        r"\b(good|great|nice|bad|better) idea (to|for (me|us|you|them) to|if)\b",
        r"\b(worked|was working|were working|used to work|working) (fine |well |great |perfectly )?(before|until|yesterday"
        r"|earlier|previously|last time|in the past)\b|\bused to work\b",
        r"\b(if|whether|once|unless|until|hope|hoping|hopefully|see if) (that|this|it|they|the \w+) (works|worked|work"
        r"|will work|is fixed|gets fixed|helps|is helpful|is useful)\b",
        # The user solved it without the answer: "never mind, it works now, I fixed it myself".
        r"\b(works|worked|working|fixed|solved)\b[^.!?]{0,30}\b(myself|on my own|by myself)\b",
    ),
    "zh": (
        # "If it helped, that would be good", "I hope it works": a wish, not a verdict.
        r"(如果|要是|假如|希望|但愿|能不能|是否).{0,12}(有用|有效|管用|有帮助|解决|搞定|成功|清楚|明白)",
        r"(会|就|应该)(更)?(有用|有帮助|清楚|明白)",
        # Solved by the user, not by the answer: "我自己解决了".
        r"(我)?自己.{0,4}(解决|搞定|弄好|修好|跑通)了?",
    ),
}

# Just before a praise or thanks cue, these cancel it: "not helpful", "never worked", "没有用", "不太清楚".
NEGATORS: dict[str, str] = {
    "en": r"\b(not|never|no|hardly|barely|nothing|neither|cannot)\W+(\w+\W+){0,2}$",
    "zh": r"(不|没|没有|未|并不|不太|不是|别)$",
}

# Words that carry no topic, left out when comparing two user messages for a rephrase.
SIMILARITY_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        """a an the to of in on for and or but is are was were be been am do does did done i you my me your
        it its it's this that these those how what why when where which who whom can could would should will
        shall may might must please pls plz with by at from as so just again now also then there here about
        into out up down over any some all tell give show write get make let know want need like help way
        use using way is there thing things one ok okay hi hey hello thanks thank
        yes yeah yep no nope not sure fine good great well very really much too have has had
        sound sounds work works correct right bye goodbye day""".split()
    ),
    # Only characters that are almost never part of a content word: particles, pronouns, question words.
    # (都, 在, 有, 要, 还 are left in: they are half of 首都, 现在, 没有, 需要, 还是.)
    "zh": frozenset("的了吗呢吧啊呀么嘛是我你他她它们个一这那怎什如何哪谁几请帮给把"),
}


# Contractions and their common apostrophe-less spellings, expanded before any cue is matched, so every
# phrase above is written once in its long form ("does not make sense" also finds "doesn't make sense").
CONTRACTIONS: tuple[tuple[str, str], ...] = (
    (r"\bwon'?t\b", "will not"),
    (r"\bcan'?t\b", "cannot"),
    (r"\bain't\b", "is not"),
    (r"\b(do|does|did|is|was|are|were|have|has|had|could|would|should|must|need)n'?t\b", r"\1 not"),
    (r"\b(that|it|what|there|here|he|she|who|where|this)'s\b", r"\1 is"),
    (r"\bthats\b", "that is"),
    (r"\b(you|we|they|who)'re\b|\byoure\b", r"\1 are"),
    (r"\bi'm\b", "i am"),
    (r"\b(i|you|we|they|it|that|he|she)'ll\b", r"\1 will"),
    (r"\b(i|you|we|they)'ve\b", r"\1 have"),
    (r"\b(i|you|we|they|he|she|it|that)'d\b", r"\1 would"),
)

# After a reply's opening "no": what the user wants instead, which makes the "no" a correction of what the
# assistant offered or confirmed ("no, I wanted a cheaper one", "no, make it two"), not a plain answer.
RESTATES: dict[str, str] = {
    "en": r"\b(i|we) (said|wanted|asked for|meant|told you|specified|requested)\b|\blike i said\b"
          r"|\b(wrong|incorrect|instead|rather|make it|change it|let us|let's)\b",
    "zh": r"我(说|要|问)(的|了|过)|应该是|而是|改(成|为)|换成|错了|不对",
}

# Right after a reply's opening "no": the detail the assistant should have had ("no, for 3 people", "no, the
# 10th of March", "no, make it 6 pm"). Matched where the "no" ends, so a detail later in a new request
# ("no, but when does train 1234 leave?") does not count.
RESTATED_DETAIL: dict[str, str] = {
    # A few words of the same clause may come first: "no, I check in on the 7th", "no, put it as March 12th".
    # Not a closing: "no, that will be all for today".
    "en": r"[\s,.!:;-]*(?!(that|this|it) (is|will be|would be|should be|was) (all|everything|it)\b)"
          r"((?!not\b|never\b|no\b)[a-z'-]+ ){0,4}?"
          r"(for |at |on |in |the |just |only |actually |until |till |as |from |to )?"
          # "one" as a number ("no, one ticket"), not a pronoun ("no, that was the one").
          r"(\d|(one(?<!the one)(?<!that one)(?<!this one)(?<! a one)(?<!any one)(?<!which one)(?<!other one)|two|three|four|five|six|seven|eight"
          r"|nine|ten)\b|(monday|tuesday|wednesday|thursday|friday|saturday"
          r"|sunday|january|february|march|april|may|june|july|august|september|october|november|december"
          r"|tomorrow|today|tonight|next|morning|evening|afternoon)\b)",
    "zh": r"[\s，,。.!！]*(是|要|改成|应该是|我要|我需要)?([\d一二两三四五六七八九十]|明天|后天|今天|今晚|周|星期|上午|下午|晚上)",
}

# A follow-up that asks for other or more options ("are there any other flights?") wants more, it does not
# ask the same thing again: never a rephrase, however much it overlaps the previous request.
ASKS_FOR_MORE: dict[str, str] = {
    "en": r"\b(other|another|else|more|different|alternatives?|also|too)\b",
    "zh": r"其他|其它|别的|另外|更多|还有|也",
}

# Where a message turns: the clause after the last of these carries the verdict ("thanks, but that's wrong").
CONTRAST: dict[str, str] = {
    "en": r"\b(but|however|though|although|except|yet)\b",
    "zh": r"但是|可是|不过|然而|但",
}

# A complaint must be about the answer. A clause whose subject is the user ("I don't have a car any more",
# "I need to go") is about the user's life unless it points at the answer: second person, that/this/it,
# or the answer's own words (checked in code).
FIRST_PERSON: dict[str, str] = {
    "en": r"\b(i|we|my|our|me)\b",
    "zh": r"我",
}
# After the assistant asked something, the reply answers it: "it's too long for my taste" is the user's
# opinion of the topic. A complaint or correction then counts only when it addresses the assistant.
ADDRESSES_ASSISTANT: dict[str, str] = {
    # Not "like I said": answering a question, users refer back to their own earlier answers ("like I said,
    # I like comedies"); after an answer it still corrects (checked without this).
    # Saying the assistant's statement is wrong addresses it whatever the turn ended with: "The tower is in
    # Berlin. Have you been?" - "that's not true".
    "en": r"\b(you|your)\b|(?<!like )(?<!as )\bi (said|told you|asked( for)?)\b|\bwhat i (asked|said|wanted)\b"
          r"|\b(as|like) i (mentioned|said|told you|stated|asked) (earlier|before|already|above)\b"
          r"|\b(that|this|it) (is|was) (just |simply |completely |totally |all )?(wrong|incorrect|false|not (true|right|correct))\b"
          r"(?! (to|for|with)\b)"
          r"|\b(suggestion|recommendation|idea|pick|the question|answer|response|reply)\b",
    "zh": r"你|您|我(说|问)(的|了|过)|推荐|建议|回答|答案|回复|(这|那|它)?(不对|错了|不是这样)",
}
POINTS_AT_ANSWER: dict[str, str] = {
    "en": r"\b(you|your|that|this|it|these|those|which|the (answer|result|code|reply|list|suggestion))\b",
    "zh": r"你|您|这|那|它|答案|回答|结果",
}

# What the assistant's turn did, read from its last sentences (transforms/label/dialogue_acts.py).
# "closing": it offered more help ("anything else?"); "options": it proposed something to pick or
# accept ("how about X?", "would you prefer A or B?"); "question": it asked the user something.
# A turn that does none of these gave an answer.
ASSISTANT_ACTS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "closing": (
            r"\banything else\b|\bsomething else (i can|to) help\b|\b(can|may) i help (you )?with (something|anything)\b",
            r"\bwhat else can i\b|\bis there (anything|something) (else|more)\b|\bany(thing)? more (i can|to)\b",
            r"\b(help|assist) you with (anything|something) else\b|\bother (questions|requests)\b",
        ),
        "options": (
            # Not "how about a movie you did not like?": that asks the user for one. Not "do you like comedies?": that
            # asks about their taste.
            r"\b(how|what) about\b(?! (a|an|one|some|any) \w+( \w+)? (that|which|you|where|when)\b)"
            r"|\bwould you (prefer|like|rather)\b|\bdo you (want|prefer)\b",
            r"\bshall i\b|\bshould i\b|\b(would|do) you be (interested|ok)\b|\bwhich (one|of)\b|\bhave you (ever )?seen\b",
            r"\bplease confirm\b|\bcan you confirm\b|\bto confirm\b|\b(is|does) that (work|sound)\b",
            r"\bi (can|could|would)? ?(recommend|suggest|offer)\b|\bmay i suggest\b",
            # Recommendations and found slots are offers too, question mark or not.
            r"\byou (might|may|should|could|would) (like|enjoy|try|check|watch|love)\b|\bcheck (it|this) out\b",
            r"\bgive it a (shot|try)\b|\bhas an opening\b|\b(is|are) available\b",
            # An offer in passing: "if you want a reservation, just let me know", "if you like, I can book it".
            r"\bif you (want|would like|like|need)\b[^.?!]{0,80}\b(let me know|i can|i could|i will)\b|\bjust let me know\b",
        ),
        "question": (
            r"\?\s*$",
            # Asked for something of the user's, with or without a question mark, maybe before a last remark: "could you
            # tell me about a film you disliked", "got it, can you name one? it need not be a comedy".
            r"(^|[.!?,] )(can|could|would|will) (you|u) (also )?(tell|name|describe|share|list)\b",
            r"\b(how|what) about (a|an|one|some|any) \w+( \w+)? (that|which|you|where|when)\b",
        ),
    },
    "zh": {
        "closing": (r"还有(什么|其他|别的|其它)(问题|需要|事|可以|能)|(还)?(需要|有)(什么|其他)(可以)?帮",),
        "options": (r"要不要|你(想|要)(选|哪)|哪(个|一个)|推荐|(可以|要)(吗|么)|确认(一下)?",),
        "question": (r"[？?吗呢]\s*$",),
    },
}
