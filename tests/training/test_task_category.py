"""Task categories (rules, on a few dozen EN and ZH prompts) and message language (scripts, then py3langid)."""

import re

import pytest

from transforms.text import LANGUAGE_CODE_PATTERN, detect_language
from transforms.task_category import CATEGORIES, RULES, categorize, category_scores

CATEGORY_CASES = [
    # coding
    ("Write a Python function to reverse a string", None, "coding"),
    ("```\nprint(1/0)\n```\nwhy does this fail?", None, "coding"),
    ("Traceback (most recent call last):\n  File \"a.py\"\nKeyError: 'x'", None, "coding"),
    ("Hi, can you help me fix this SQL query? SELECT * FROM users WHERE", None, "coding"),
    ("reverse a linked list", "```python\ndef rev(h):\n    pass\n```", "coding"),
    ("用Python写一个快速排序", None, "coding"),
    ("我的代码报错了，怎么办？", None, "coding"),
    ("用Python写一个读取邮件的脚本", None, "coding"),
    # math
    ("What is 15% of 80?", None, "math"),
    ("Solve x^2 - 5x + 6 = 0", None, "math"),
    ("What is the derivative of sin(x)?", None, "math"),
    ("hi, what is 2+2?", None, "math"),
    ("解方程 x^2 - 5x + 6 = 0", None, "math"),
    ("计算一下 123 * 45 等于多少", None, "math"),
    ("求函数f(x)=x^2的导数", None, "math"),
    # writing
    ("Write a poem about the sea", None, "writing"),
    ("Can you proofread my cover letter?", None, "writing"),
    ("summarize this article for me: The economy grew", None, "writing"),
    ("写一首关于秋天的诗", None, "writing"),
    ("帮我写一封请假邮件", None, "writing"),
    ("请帮我润色这段话：我今天很开心。", None, "writing"),
    # translation
    ("Translate 'good morning' into French", None, "translation"),
    ("How do you say thank you in Japanese?", None, "translation"),
    ("把这句话翻译成英文：今天天气很好", None, "translation"),
    ("“苹果”用英语怎么说？", None, "translation"),
    # chitchat
    ("hi", None, "chitchat"),
    ("Hello! How are you?", None, "chitchat"),
    ("thanks, that worked", None, "chitchat"),
    ("你好", None, "chitchat"),
    ("谢谢！", None, "chitchat"),
    # qa
    ("What is the capital of France?", None, "qa"),
    ("Why is the sky blue?", None, "qa"),
    ("How much is a flight from Paris to Rome?", None, "qa"),
    ("Tell me about the history of Rome", None, "qa"),
    ("中国的首都是哪里？", None, "qa"),
    ("为什么天空是蓝色的", None, "qa"),
    ("诗人李白是哪个朝代的？", None, "qa"),
    ("这篇文章讲了什么？", None, "qa"),
    # other
    ("asdf", None, "other"),
    ("", None, "other"),
]


@pytest.mark.parametrize("prompt,answer,expected", CATEGORY_CASES)
def test_categorize(prompt, answer, expected):
    assert categorize(prompt, answer) == expected, category_scores(prompt, answer)


def test_greetings_count_only_in_short_prompts():
    long_prompt = "Hello! Please explain in detail where the Roman empire's borders were in the year 100"
    assert categorize(long_prompt) == "qa"
    assert category_scores(long_prompt)["chitchat"] == 0


def test_every_rule_names_a_known_category():
    assert {rule.category for rule in RULES} <= set(CATEGORIES)
    assert all(rule.applies_to in ("prompt", "answer") for rule in RULES)


LANGUAGE_CASES = [
    ("Hello, how are you?", "en"),
    ("What does 你好 mean in English and how do I pronounce it?", "en"),
    ("这个 API 的 endpoint 是什么 and how do I call it from JavaScript code please", "en"),
    ("Please translate 我爱你 into French", "en"),  # a Latin sentence quoting Chinese is not Chinese
    ("你好，今天天气怎么样？", "zh"),
    ("用Python写一个函数", "zh"),
    ("请解释一下 machine learning 和 deep learning 的区别", "zh"),
    ("我叫<PERSON_1>，我的邮箱是<EMAIL_ADDRESS_1>", "zh"),  # placeholders are not English
    ("```python\nprint('hi')\nprint('there')\n```\n这段代码为什么报错？", "zh"),  # code is not English
    ("Translate 你好世界 into English", "mixed"),
    ("这个 function 怎么 debug", "mixed"),
    ("こんにちは、元気ですか？", "ja"),
    ("東京の天気はどうですか", "ja"),  # Japanese: Han among kana
    ("안녕하세요", "ko"),
    ("Привет, как дела?", "ru"),
    # short or symbol-only: undetermined, not guessed
    ("ok", "und"),
    ("Yes.", "und"),
    ("TL;DR?", "und"),
    ("12345 !!!", "und"),
    ("<PERSON_1>", "und"),
    ("```\nx = 1\n```", "und"),
    ("", "und"),
    (None, "und"),
]


@pytest.mark.parametrize("text,expected", LANGUAGE_CASES)
def test_detect_language(text, expected):
    assert detect_language(text) == expected


# Chat requests as users write them, in the European languages Latin script used to lump together as "en".
EUROPEAN_REQUESTS = [
    ("fr", "Peux-tu m'expliquer la différence entre une liste et un tuple en Python ?"),
    ("fr", "Écris-moi un poème court sur la mer en automne."),
    ("fr", "Non, ce n'est pas correct, le résultat devrait être 42."),
    ("fr", "Merci beaucoup, c'est exactement ce que je cherchais !"),
    ("de", "Kannst du mir bitte erklären, wie eine Wärmepumpe funktioniert?"),
    ("de", "Schreib mir eine kurze E-Mail an meinen Vermieter wegen der Heizung."),
    ("de", "Das ist falsch, die Antwort sollte anders sein."),
    ("es", "¿Puedes ayudarme a escribir una carta de presentación para un trabajo?"),
    ("es", "¿Cuál es la diferencia entre ser y estar?"),
    ("es", "No entiendo tu respuesta, ¿puedes explicarlo de otra manera?"),
    ("it", "Come posso cucinare una buona carbonara senza panna?"),
    ("pt", "Você pode me explicar como funciona a fotossíntese?"),
    ("nl", "Wat is het verschil tussen een virus en een bacterie?"),
    ("pl", "Czy możesz mi pomóc napisać list motywacyjny?"),
    ("en", "Can you explain how a heat pump works?"),
    ("en", "No, that's wrong, the result should be 42."),
    ("en", "Please rewrite this paragraph so it sounds more formal."),
]


@pytest.mark.parametrize("expected,text", EUROPEAN_REQUESTS)
def test_european_languages_are_told_apart(expected, text):
    assert detect_language(text) == expected


def test_a_long_message_costs_what_its_head_costs():
    # The model reads a bounded sample: a long answer is still read by its opening prose.
    assert detect_language("Voici la réponse à votre question sur les impôts. " * 400) == "fr"


def test_every_language_matches_the_policy_pattern():
    texts = [t for t, _ in LANGUAGE_CASES] + [t for _, t in EUROPEAN_REQUESTS]
    assert all(re.fullmatch(LANGUAGE_CODE_PATTERN, detect_language(t)) for t in texts)
