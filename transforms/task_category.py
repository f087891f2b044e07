"""Task category of a prompt, by rules: coding, math, writing, qa, translation, chitchat or other.

Each rule is a pattern and a weight, declared once in `RULES`. A prompt's score per category is the sum of
the weights of the rules that match; the highest score wins, ties go to the category listed first in
`CATEGORIES` (the more specific task). No rule matching gives "other". English and Chinese keywords live
side by side: Chinese has no word boundaries, so its keywords are plain substrings, while English ones
are whole words.

Shared by the conversation step (a category on every turn and conversation, transforms/conversation_tags.py)
and the training rows (an SFT or preference row's category), so both call a request the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["CATEGORIES", "RULES", "CategoryRule", "categorize", "category_scores"]

# In tie-break order: a prompt that is as much "translate" as "question" is a translation task.
CATEGORIES: tuple[str, ...] = ("translation", "coding", "math", "writing", "chitchat", "qa", "other")

# Greetings and social messages count only in short prompts: "Hi! Can you fix my SQL query ..." is coding.
SHORT_PROMPT_CHARS = 40


@dataclass(frozen=True)
class CategoryRule:
    category: str
    weight: float
    pattern: re.Pattern[str]
    # "prompt" or "answer": answers only add evidence (a code fence in the answer says coding).
    applies_to: str = "prompt"
    # Only for prompts at most SHORT_PROMPT_CHARS long (after stripping).
    short_only: bool = False
    why: str = ""


def _words(*words: str) -> re.Pattern[str]:
    """English keywords as whole words, case-insensitive.

    ASCII lookarounds, not `\\b`: Chinese characters count as word characters, so "用Python写" has no `\\b`
    around "Python". Every keyword starts with an ASCII letter, so a match starts only where the lookahead
    `[A-Za-z]` holds (under IGNORECASE it takes the letters' case variants too: K, ſ, ı, İ): the regex
    engine skips every other position (spaces, punctuation, Chinese) without trying each keyword there.
    """
    if not all(re.match(r"(?:\(\?:)?[A-Za-z]", word) for word in words):
        raise ValueError(f"a keyword must start with an ASCII letter: {words}")
    return re.compile(r"(?=[A-Za-z])(?<![A-Za-z0-9_])(?:" + "|".join(words) + r")(?![A-Za-z0-9_])", re.IGNORECASE)


def _substrings(*parts: str) -> re.Pattern[str]:
    """Chinese keywords (and symbols) as plain substrings: Chinese has no word boundaries."""
    return re.compile("|".join(re.escape(p) for p in parts))


RULES: tuple[CategoryRule, ...] = (
    # translation
    CategoryRule("translation", 3, _words(r"translat(?:e|es|ed|ing|ion)", r"how (?:do|would) (?:you|i) say"),
         why="asks for a translation"),
    CategoryRule("translation", 3, _substrings("翻译", "译成", "翻成", "译为", "英译中", "中译英", "英文怎么说", "中文怎么说",
                                       "用英语怎么说", "用中文怎么说", "英文是什么", "中文是什么意思"),
         why="asks for a translation (zh)"),
    CategoryRule("translation", 1, _words(r"(?:in|into|to) (?:english|chinese|french|german|spanish|japanese|korean)"),
         why="names a target language"),
    # coding
    CategoryRule("coding", 3, re.compile(r"```|~~~"), why="a fenced code block in the prompt"),
    CategoryRule("coding", 2, re.compile(r"```"), applies_to="answer", why="the answer is code"),
    CategoryRule("coding", 2, re.compile(r"Traceback \(most recent call last\)|\b\w+(?:Error|Exception):|"
                                 r"^\s*(?:def|class|import|from \S+ import|function|const|let|var|#include|"
                                 r"public (?:static )?(?:void|class)|SELECT .+ FROM)\b", re.MULTILINE),
         why="pasted code or a stack trace"),
    CategoryRule("coding", 1.5, _words("python", "javascript", "typescript", "java", r"c\+\+", "c#", "golang", "rust",
                               "kotlin", "swift", "php", "ruby", "sql", "bash", "powershell", "html", "css",
                               "react", "django", "flask", "pandas", "numpy", "docker", "kubernetes", "git",
                               "regex", "api", "json", "yaml", "npm", "pip", "linux", "excel formula"),
         why="names a language or tool"),
    CategoryRule("coding", 1.5, _words("code", "coding", "program", "programming", "function", "method", "variable",
                               "compile", "compiler", "debug", "bug", "stack trace", "script", "algorithm",
                               "refactor", "unit test", "database", "query", "endpoint", "runtime",
                               "syntax", "loop", "array", "recursion"),
         why="programming words"),
    CategoryRule("coding", 1.5, _substrings("代码", "编程", "程序", "报错", "调试", "脚本", "编译", "算法", "正则", "数据库",
                                    "接口", "变量", "前端", "后端", "部署", "bug"),
         why="programming words (zh)"),
    # math
    CategoryRule("math", 2, re.compile(r"\d\s*[-+*/×÷^]\s*\(?\d|[∫∑∏√π≤≥≠±∞∂]|\\(?:frac|sqrt|int|sum)\b|"
                               r"\b[a-z]\s*\^\s*\d|\d\s*%|\b[a-z]\s*=\s*-?\d"),
         why="arithmetic or math notation"),
    CategoryRule("math", 1.5, _words("solve", "equation", "equations", "calculate", "compute", "integral", "derivative",
                             "probability", "percent", "percentage", "sum of", "prime", "factorial",
                             "matrix", "theorem", "proof", "prove", "geometry", "algebra", "calculus", "average",
                             "mean of", "square root", "logarithm"),
         why="math words"),
    CategoryRule("math", 1.5, _substrings("计算", "方程", "求解", "积分", "导数", "概率", "等于多少", "等于几", "数学", "几何",
                                  "证明", "平方根", "百分之", "多少钱", "平均数", "函数的", "求值"),
         why="math words (zh)"),
    # writing
    CategoryRule("writing", 2, _words(r"write (?:me )?(?:a|an|the|my|some)? ?(?:\w+ )?(?:essay|poem|story|letter|email|"
                              r"e-mail|speech|blog|post|article|paragraph|tweet|caption|slogan|song|lyrics|"
                              r"haiku|cover letter|report|summary|review|description|message)s?",
                              "rewrite", "rephrase", "paraphrase", "proofread", "polish", "summari[sz]e",
                              "draft", "essay", "poem", "cover letter"),
         why="asks for a text"),
    # "写" plus the kind of text within a few characters: "这篇文章讲了什么" is a question, not a writing task.
    CategoryRule("writing", 2, re.compile(r"写.{0,8}?(?:文章|故事|邮件|小说|诗|信|报告|文案|演讲稿|作文|总结|简历|日记|歌词|"
                                  r"段落|评论|祝福|标题)|润色|改写|扩写|续写|缩写|作文|摘要|总结一下|帮我总结|改一下这段"),
         why="asks for a text (zh)"),
    # chitchat: greetings and short social messages
    CategoryRule("chitchat", 2, _words("hi", "hello", "hey", "yo", "thanks", "thank you", "thx", "good (?:morning|night|"
                               r"evening|afternoon)", "how are you", "who are you", "what(?:'s| is) your name",
                               "bye", "goodbye", "lol", "haha", "nice to meet you", "are you there", "ok", "okay",
                               "cool", "great"),
         short_only=True, why="a greeting or social message"),
    CategoryRule("chitchat", 2, _substrings("你好", "您好", "嗨", "谢谢", "多谢", "早上好", "晚上好", "晚安", "在吗", "你是谁",
                                    "哈哈", "再见", "拜拜", "你叫什么"),
         short_only=True, why="a greeting or social message (zh)"),
    # qa: a question about the world. Weak signals (0.5 each): most tasks are phrased as questions, so a
    # topic keyword (1.5) outweighs all three together.
    CategoryRule("qa", 0.5, re.compile(r"[?？]\s*$"), why="ends with a question mark"),
    CategoryRule("qa", 0.5, _words("what", "why", "how", "when", "where", "who", "which", "explain", "difference between",
                         "is it true", "tell me about", "define", "meaning of"),
         why="question words"),
    CategoryRule("qa", 0.5, _substrings("什么", "为什么", "怎么", "如何", "哪", "吗", "是否", "谁", "介绍", "解释", "区别",
                              "多少"),
         why="question words (zh)"),
)


# Per (applies_to, short prompt): the positions in RULES of the rules that may apply.
_APPLICABLE: dict[tuple[str, bool], tuple[int, ...]] = {
    (applies_to, short): tuple(i for i, rule in enumerate(RULES)
                               if rule.applies_to == applies_to and (short or not rule.short_only))
    for applies_to in ("prompt", "answer") for short in (True, False)
}


# Cached: a request is read for its own turn, then again for each answer to it and for each training row.
@lru_cache(maxsize=4096)
def _matching_rules(text: str, applies_to: str, short: bool) -> tuple[int, ...]:
    """The positions in RULES of the rules for `applies_to` ("prompt" or "answer") that match the text."""
    return tuple(i for i in _APPLICABLE[(applies_to, short)] if RULES[i].pattern.search(text))


def _matching(prompt: str, answer: str | None) -> tuple[int, ...]:
    """The positions in RULES of every rule that matches this prompt (and answer), in RULES order."""
    prompt = prompt or ""
    short = len(prompt.strip()) <= SHORT_PROMPT_CHARS
    matching = _matching_rules(prompt, "prompt", short) if prompt else ()
    if answer:
        matching += _matching_rules(answer, "answer", short)
    return tuple(sorted(matching))


# Few distinct sets of matching rules occur: their scores and category are worked out once each.
@lru_cache(maxsize=1024)
def _scores(matching: tuple[int, ...]) -> tuple[tuple[str, float], ...]:
    scores = {category: 0.0 for category in CATEGORIES}
    for i in matching:  # summed in RULES order, as ever: float sums depend on it
        scores[RULES[i].category] += RULES[i].weight
    return tuple(scores.items())


@lru_cache(maxsize=1024)
def _category(matching: tuple[int, ...]) -> str:
    scores = dict(_scores(matching))
    best = max(scores.values())
    if best <= 0:
        return "other"
    # max() keeps the first maximum, and CATEGORIES is in tie-break order.
    return max(CATEGORIES, key=lambda category: scores[category])


def category_scores(prompt: str, answer: str | None = None) -> dict[str, float]:
    """Every category's score for this prompt (and answer): the summed weights of the matching rules."""
    return dict(_scores(_matching(prompt, answer)))


def categorize(prompt: str, answer: str | None = None) -> str:
    """The task category of a prompt.

    In: the prompt (the last user message before the answer) and, optionally, the answer, which only adds
    evidence (a code block in it). Out: one of CATEGORIES; "other" when no rule matches (an empty prompt
    included). Refuses nothing.
    """
    return _category(_matching(prompt, answer))
