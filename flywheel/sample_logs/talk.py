"""What is said: templated but varied user prompts and assistant answers, with PII planted in them.

`Talk` draws from the corpora in `templates.py` and the PII makers in `pii.py`, all on one seeded rng.
"""

from __future__ import annotations

import random
import re
from typing import Callable

from flywheel.sample_logs.pii import Pii
from flywheel.sample_logs.templates import (
    ADJS, BUGS, CHITCHAT_EN, CHITCHAT_ZH, CODE, CODE_INTROS_EN, CODE_INTROS_ZH, GRAMMAR, INTROS_EN, INTROS_ZH,
    NOUNS, PARALLEL, PITFALLS_EN, PITFALLS_ZH, POEM_EN, POEM_ZH, PRODUCTS, QA, SUBJECTS, TIPS_EN, TIPS_ZH,
    ZH_ADJS, ZH_NOUNS,
)

AnswerFn = Callable[[], str]


class Talk:
    """Templated but varied user prompts and assistant answers, with PII planted at realistic rates."""

    USER_PII_RATE = 0.14  # of task turns (not follow-ups), plus "personal" tasks: ~15% of user turns
    ASSISTANT_PII_RATE = 0.03

    def __init__(self, rng: random.Random, pii: Pii) -> None:
        self.rng, self.pii = rng, pii

    # -- helpers -----------------------------------------------------------------------------------
    def _sentences(self, lang: str, k: int) -> list[str]:
        picks = self.rng.sample(PARALLEL, k)
        return [p[0] if lang == "en" else p[1] for p in picks]

    def _text(self, lang: str, lo: int, hi: int) -> str:
        sents = self._sentences(lang, self.rng.randint(lo, hi))
        return " ".join(sents) if lang == "en" else "".join(sents)

    def _intro(self, lang: str) -> str:
        return self.rng.choice(INTROS_EN if lang == "en" else INTROS_ZH)

    # -- tasks: each returns (user text, answer function) -----------------------------------------
    def task(self, lang: str, topic: str) -> tuple[str, AnswerFn]:
        return getattr(self, "_t_" + topic)(lang)

    def _t_code(self, lang: str) -> tuple[str, AnswerFn]:
        r = self.rng
        label, fence, task_en, task_zh, code, expl_en, expl_zh = r.choice(CODE)
        if lang == "en":
            user = r.choice((f"How do I {task_en} in {label}?", f"Write a {label} function to {task_en}.",
                             f"{task_en} in {label}?", f"Can you show me how to {task_en} in {label}?"))
        else:
            user = r.choice((f"如何用{label}{task_zh}？", f"写一个{label}函数，{task_zh}。", f"{label}怎么{task_zh}？"))

        def answer() -> str:
            if lang == "en":
                intro = r.choice(CODE_INTROS_EN).format(task=task_en, lang=label)
                parts = [intro, f"```{fence}\n{code}\n```", expl_en]
                if r.random() < 0.5:
                    parts += ["### Tips", "\n".join("- " + t for t in r.sample(TIPS_EN, r.randint(3, 6)))]
                    if r.random() < 0.6:
                        parts += ["### Common pitfalls",
                                  "\n".join("- " + t for t in r.sample(PITFALLS_EN, r.randint(3, 5))),
                                  f"Let me know if you'd like a version that handles more edge cases, or the same "
                                  f"thing in another language."]
            else:
                intro = r.choice(CODE_INTROS_ZH).format(task=task_zh, lang=label)
                parts = [intro, f"```{fence}\n{code}\n```", expl_zh]
                if r.random() < 0.5:
                    parts += ["### 建议", "\n".join(f"{i + 1}. {t}" for i, t in enumerate(r.sample(TIPS_ZH, 4)))]
                    if r.random() < 0.6:
                        parts += ["### 常见问题", "\n".join("- " + t for t in r.sample(PITFALLS_ZH, 4)),
                                  "如果需要处理更多边界情况，或者换一种语言实现，请告诉我。"]
            return "\n\n".join(parts)

        return user, answer

    def _t_bug(self, lang: str) -> tuple[str, AnswerFn]:
        r = self.rng
        fence, code, error, fix_en, fix_zh, fixed = r.choice(BUGS)
        block = f"```{fence}\n{code}\n```"
        if lang == "en":
            user = r.choice((f"Why does this code give me `{error}`?\n\n{block}",
                             f"{block}\n\nI get {error}. What's wrong?",
                             f"Can you fix this? It fails with {error}\n{block}"))
        else:
            user = r.choice((f"这段代码为什么报错 `{error}`？\n\n{block}", f"{block}\n\n运行时出现 {error}，怎么解决？"))

        def answer() -> str:
            if lang == "en":
                return f"{self._intro(lang)}{fix_en}\n\nHere's a corrected version:\n\n```{fence}\n{fixed}\n```"
            return f"{self._intro(lang)}{fix_zh}\n\n修改后的代码：\n\n```{fence}\n{fixed}\n```"

        return user, answer

    def _t_qa(self, lang: str) -> tuple[str, AnswerFn]:
        r = self.rng
        q_en, a_en, q_zh, a_zh = r.choice(QA)
        if lang == "en":
            user = r.choice((q_en, q_en, q_en.lower().rstrip("?"), f"Quick question: {q_en}", f"{q_en} Explain simply."))
        else:
            user = r.choice((q_zh, q_zh, f"请问{q_zh}", f"{q_zh}简单解释一下"))

        def answer() -> str:
            return self._intro(lang) + (a_en if lang == "en" else a_zh)

        return user, answer

    def _t_writing(self, lang: str) -> tuple[str, AnswerFn]:
        r = self.rng
        s_en, s_zh = r.choice(SUBJECTS)
        p_en, p_zh = r.choice(PRODUCTS)
        kind = r.choice(("poem", "poem", "haiku", "tweet", "blog", "grammar"))
        if lang == "en":
            user = {
                "poem": f"Write a short poem about {s_en}.",
                "haiku": f"Write a haiku about {s_en}.",
                "tweet": f"Write a tweet announcing {p_en}.",
                "blog": f"Write a 300-word blog post about {s_en}.",
                "grammar": "",
            }[kind]
            if kind == "grammar":
                wrong, right = r.choice(GRAMMAR)
                user = f"Fix the grammar: \"{wrong}\""
        else:
            user = {
                "poem": f"写一首关于{s_zh}的短诗",
                "haiku": f"用三行写一首关于{s_zh}的小诗",
                "tweet": f"帮我写一条关于{p_zh}的朋友圈文案",
                "blog": f"写一篇500字左右的关于{s_zh}的短文",
                "grammar": "",
            }[kind]
            if kind == "grammar":
                sent = r.choice(PARALLEL)[1]
                user = f"帮我润色这句话：{sent}"

        def poem(lines: int) -> str:
            if lang == "en":
                pool = r.sample(POEM_EN, lines)
                text = [ln.format(S=s_en.capitalize(), adj=r.choice(ADJS), n1=r.choice(NOUNS), n2=r.choice(NOUNS))
                        for ln in pool]
                text[0] = text[0][0].upper() + text[0][1:]
                return "\n".join(text)
            pool = r.sample(POEM_ZH, min(lines, len(POEM_ZH)))
            return "\n".join(ln.format(S=s_zh, adj=r.choice(ZH_ADJS), n=r.choice(ZH_NOUNS)) for ln in pool)

        def answer() -> str:
            if kind == "poem":
                return self._intro(lang) + ("\n\n" if lang == "en" else "\n\n") + poem(r.choice((4, 6, 8)))
            if kind == "haiku":
                return poem(3)
            if kind == "tweet":
                if lang == "en":
                    return f"Say hello to {p_en}! Designed for everyday life and built to last. Available now - " \
                           f"grab yours today. #new #launch"
                return f"{p_zh}上新啦！好看又实用，数量有限，快来抢购吧～"
            if kind == "blog":
                return self._essay(lang, s_en if lang == "en" else s_zh)
            if lang == "en":
                return f"{self._intro(lang)}Corrected: \"{right}\""
            return f"润色后：{sent.rstrip('。')}，这一点值得关注。"

        return user, answer

    def _essay(self, lang: str, subject: str) -> str:
        r = self.rng
        paras = []
        if lang == "en":
            paras.append(f"# Thinking about {subject}")
            paras.append(f"Few topics come up as often as {subject}. It touches our work, our routines and the way "
                         f"we plan the future, and it is worth looking at from more than one angle.")
            for _ in range(r.randint(3, 5)):
                paras.append(" ".join(self._sentences("en", r.randint(2, 4))))
            paras.append(f"In the end, {subject} is less about big decisions than about small habits. Start with one "
                         f"change this week and see where it leads.")
        else:
            paras.append(f"# 关于{subject}")
            paras.append(f"说起{subject}，每个人都有自己的体会。它影响着我们的工作和生活，也值得我们从不同的角度去思考。")
            for _ in range(r.randint(3, 5)):
                paras.append("".join(self._sentences("zh", r.randint(3, 5))))
            paras.append(f"总之，{subject}并不遥远，它就藏在日常的点点滴滴之中。从今天开始，试着做出一点小小的改变吧。")
        return "\n\n".join(paras)

    def _t_summarize(self, lang: str) -> tuple[str, AnswerFn]:
        r = self.rng
        sents = self._sentences(lang, r.randint(3, 8))
        contact = ""
        if r.random() < 0.2:  # an email to summarize, with a contact in it
            if lang == "en":
                name = self.pii.person()
                contact = f"If you have questions, contact {name} at {self.pii.email(name)} or {self.pii.phone()}."
            else:
                contact = f"如有疑问请联系{self.pii.cn_person()}，电话{self.pii.cn_phone()}。"
        if lang == "en":
            body = " ".join(sents)
            if contact:
                body = f"Hi team,\n\n{body}\n\n{contact}\n\nThanks"
            user = r.choice((f"Summarize the following text:\n\n{body}", f"Summarize the following text in one "
                             f"sentence: {body}", f"TL;DR:\n{body}", f"Can you summarize this for me?\n\n{body}"))
        else:
            body = "".join(sents)
            if contact:
                body = f"各位同事：\n{body}\n{contact}"
            user = r.choice((f"请总结以下内容：\n{body}", f"用一句话概括下面这段话：{body}", f"帮我总结一下：{body}"))

        def answer() -> str:
            key = sents[: r.randint(1, min(3, len(sents)))]
            if lang == "en":
                if r.random() < 0.5:
                    return "Summary: " + " ".join(key)
                out = "Key points:\n" + "\n".join("- " + s for s in key)
                return out + ("\n- There is a contact person for questions." if contact else "")
            if r.random() < 0.5:
                return "总结：" + "".join(key)
            return "要点：\n" + "\n".join(f"{i + 1}. {s}" for i, s in enumerate(key))

        return user, answer

    def _t_translate(self, lang: str) -> tuple[str, AnswerFn]:
        r = self.rng
        pairs = r.sample(PARALLEL, r.randint(1, 4))
        en_text, zh_text = " ".join(p[0] for p in pairs), "".join(p[1] for p in pairs)
        to_en = (lang == "zh") == (r.random() < 0.75)
        if to_en:
            user = r.choice((f"把下面的内容翻译成英文：{zh_text}", f"翻译成英文：\n{zh_text}",
                             f"Translate this into English: {zh_text}"))
            return user, lambda: en_text
        user = r.choice((f"Translate the following into Chinese:\n\n{en_text}", f"Translate to Chinese: {en_text}",
                         f"把这段话翻译成中文：{en_text}"))
        return user, lambda: zh_text

    def _t_math(self, lang: str) -> tuple[str, AnswerFn]:
        r = self.rng
        kind = r.choice(("mul", "add", "linear", "percent", "deriv", "speed"))
        en = lang == "en"
        if kind == "mul":
            a, b = r.randint(12, 999), r.randint(12, 99)
            user = r.choice((f"What is {a} * {b}?", f"Calculate {a} x {b}", f"{a}*{b}=?")) if en else f"计算 {a} × {b} 等于多少？"
            hi, lo = b // 10 * 10, b % 10
            steps = f"{a} × {b} = {a} × {hi} + {a} × {lo} = {a * hi} + {a * lo} = {a * b}"
            ans = (f"{steps}\n\nSo the answer is **{a * b}**." if en else f"{steps}\n\n所以答案是 **{a * b}**。")
        elif kind == "add":
            a, b = r.randint(100, 99999), r.randint(100, 99999)
            user = f"What is {a} + {b}?" if en else f"{a} 加 {b} 等于多少？"
            ans = f"{a} + {b} = {a + b}" if en else f"{a} + {b} = {a + b}。"
        elif kind == "linear":
            x, a, b = r.randint(-20, 20), r.randint(2, 12), r.choice([i for i in range(-50, 51) if i])
            c = a * x + b
            eq = f"{a}x {'+' if b > 0 else '-'} {abs(b)} = {c}"
            user = f"Solve for x: {eq}" if en else f"解方程：{eq}"
            if en:
                ans = (f"Start with {eq}.\n\n1. {'Subtract' if b > 0 else 'Add'} {abs(b)} on both sides: "
                       f"{a}x = {c - b}\n2. Divide both sides by {a}: x = {x}\n\n**x = {x}**")
            else:
                ans = f"由 {eq}：\n\n1. 两边同时{'减去' if b > 0 else '加上'} {abs(b)}：{a}x = {c - b}\n2. 两边同时除以 {a}：x = {x}\n\n**x = {x}**"
        elif kind == "percent":
            p, n = r.choice((5, 10, 15, 20, 25, 30, 40, 75)), r.randint(1, 50) * 20
            val = f"{p * n / 100:g}"
            user = f"What is {p}% of {n}?" if en else f"{n} 的 {p}% 是多少？"
            ans = f"{p}% of {n} = {p}/100 × {n} = {val}" if en else f"{n} × {p}% = {val}"
        elif kind == "deriv":
            c2, c1, c0 = r.randint(1, 9), r.randint(1, 9), r.randint(1, 20)
            poly = f"{c2}x^3 + {c1}x^2 + {c0}"
            d = f"{3 * c2}x^2 + {2 * c1}x"
            user = f"Find the derivative of f(x) = {poly}" if en else f"求函数 f(x) = {poly} 的导数"
            ans = (f"Using the power rule d/dx xⁿ = n·xⁿ⁻¹ term by term:\n\nf'(x) = {d}" if en
                   else f"利用幂函数求导法则逐项求导：\n\nf'(x) = {d}")
        else:
            h, v = r.randint(2, 6), r.randint(6, 30) * 5
            d = h * v
            user = (f"A train travels {d} km in {h} hours. What is its average speed?" if en
                    else f"一列火车{h}小时行驶了{d}公里，平均速度是多少？")
            ans = (f"Average speed = distance / time = {d} km / {h} h = **{v} km/h**." if en
                   else f"平均速度 = 路程 ÷ 时间 = {d} ÷ {h} = **{v} 公里/小时**。")
        return user, lambda: self._intro(lang) + ans

    def _t_chitchat(self, lang: str) -> tuple[str, AnswerFn]:
        q, a = self.rng.choice(CHITCHAT_EN if lang == "en" else CHITCHAT_ZH)
        return q, lambda: a

    def _t_personal(self, lang: str) -> tuple[str, AnswerFn]:
        """Requests where PII is the point: letters, forms, contact cards, leaked keys."""
        r, p = self.rng, self.pii
        if lang == "en":
            kind = r.choice(("landlord", "contact", "dispute", "cover", "leak"))
            if kind == "landlord":
                name, addr, phone = p.person(), p.address(), p.phone()
                user = (f"Write a short complaint letter to my landlord about a broken heater. My name is {name}, "
                        f"I live at {addr}, and my phone number is {phone}.")
                return user, lambda: (
                    f"Dear Landlord,\n\nMy name is {name} and I am a tenant at {addr}. I am writing to let you know "
                    f"that the heater in my apartment has stopped working. With the cold weather this is urgent, "
                    f"so I would appreciate it if you could arrange a repair as soon as possible.\n\nYou can reach "
                    f"me at {phone}.\n\nSincerely,\n{name}")
            if kind == "contact":
                name = p.person()
                email, phone, addr = p.email(name), p.phone(), p.address()
                user = f"Format this as a contact card: name {name}, email {email}, phone {phone}, address {addr}"
                return user, lambda: (f"**{name}**\n- Email: {email}\n- Phone: {phone}\n- Address: {addr}")
            if kind == "dispute":
                card, name = p.credit_card(), p.person()
                last4 = re.sub(r"\D", "", card)[-4:]
                user = (f"I'm {name}. I was charged twice for the same order on my card {card}. "
                        f"Write a dispute email to my bank.")
                return user, lambda: (
                    f"Subject: Duplicate charge dispute\n\nDear Customer Service,\n\nI am writing to dispute a "
                    f"duplicate charge on my card ending in {last4}. The same order was billed twice and I would "
                    f"like the second charge reversed.\n\nPlease let me know if you need any further information."
                    f"\n\nKind regards,\n{name}")
            if kind == "cover":
                name = p.person()
                email = p.email(name)
                user = f"Help me write the opening of a cover letter. I'm {name}, my email is {email}."
                return user, lambda: (
                    f"{name}\n{email}\n\nDear Hiring Manager,\n\nI am excited to apply for this position. Over the "
                    f"past few years I have built products end to end, worked closely with customers and learned "
                    f"to ship reliable software quickly.")
            key = p.api_key(r.choice(("aws", "gh", "sk")))
            user = f"I accidentally pushed my key {key} to a public GitHub repo. What should I do?"
            return user, lambda: (
                "Act quickly:\n\n1. Revoke or rotate the key immediately in the provider's console.\n2. Check the "
                "access logs for any usage you don't recognize.\n3. Remove the key from the repository history "
                "(e.g. with `git filter-repo`) and force-push.\n4. Store secrets in environment variables or a "
                "secret manager from now on.")
        kind = r.choice(("leave", "parcel", "idcard", "intro", "phone"))
        if kind == "leave":
            name, phone = p.cn_person(), p.cn_phone()
            user = f"帮我写一张请假条。我叫{name}，手机{phone}，明天要去医院复查。"
            return user, lambda: (f"请假条\n\n尊敬的领导：\n\n我是{name}，因明天需要去医院复查，特申请请假一天，"
                                  f"望批准。如有急事请拨打我的手机{phone}。\n\n申请人：{name}")
        if kind == "parcel":
            name, phone, addr = p.cn_person(), p.cn_phone(), p.cn_address()
            user = f"帮我整理一下快递信息：收件人{name}，电话{phone}，地址{addr}"
            return user, lambda: f"收件人：{name}\n联系电话：{phone}\n收货地址：{addr}"
        if kind == "idcard":
            rid = p.cn_id()
            user = r.choice((f"我的身份证号{rid}，帮我看看出生日期是哪天？", f"身份证号码是 {rid}，能算出我多大吗？"))
            birth = f"{rid[6:10]}年{rid[10:12]}月{rid[12:14]}日"
            return user, lambda: f"根据身份证号第7到14位，出生日期是{birth}。提醒一下：身份证号属于敏感个人信息，请不要随意在网上透露。"
        if kind == "intro":
            name = p.cn_person()
            email = p.email()
            user = f"我叫{name}，邮箱{email}，帮我写一段简短的自我介绍，用于求职。"
            return user, lambda: (f"大家好，我叫{name}，有三年的产品开发经验，熟悉从需求分析到上线的完整流程。"
                                  f"我做事认真负责，善于沟通协作，期待与您进一步交流。联系邮箱：{email}")
        name, phone = p.cn_person(), p.cn_phone()
        user = f"我是{name}，手机{phone}，帮我给物业写一条报修的短信，家里的水管漏水了。"
        return user, lambda: f"您好，我是{name}，家里的水管漏水了，麻烦尽快安排师傅上门维修，谢谢！联系电话：{phone}"

    # -- follow-ups --------------------------------------------------------------------------------
    def followup(self, lang: str, prev_answer: str) -> tuple[str, AnswerFn]:
        r = self.rng
        kind = r.choice(("shorter", "detail", "thanks", "recheck"))
        first = prev_answer.split("\n\n")[0]
        if lang == "en":
            user = {"shorter": r.choice(("Can you make it shorter?", "shorter please", "TL;DR?")),
                    "detail": r.choice(("Can you explain that in more detail?", "Why?", "Can you elaborate?")),
                    "thanks": r.choice(("Thanks, that's helpful!", "thank you", "Perfect, thanks.")),
                    "recheck": "Are you sure? That doesn't look right."}[kind]
        else:
            user = {"shorter": "能再简短一点吗？", "detail": r.choice(("能再详细解释一下吗？", "为什么？")),
                    "thanks": r.choice(("谢谢，很有帮助！", "好的，谢谢")), "recheck": "你确定吗？好像不太对。"}[kind]

        def answer() -> str:
            if kind == "shorter":
                return ("In short: " if lang == "en" else "简单来说：") + first
            if kind == "thanks":
                return r.choice(("You're welcome! Let me know if there's anything else.", "Glad it helped!")) \
                    if lang == "en" else r.choice(("不客气！", "很高兴能帮到你！"))
            if kind == "recheck":
                return ("You're right to double-check. Going through it again:\n\n" if lang == "en"
                        else "好的，我再检查一遍：\n\n") + prev_answer
            extra = "\n".join(("- " if lang == "en" else "· ") + t
                              for t in r.sample(TIPS_EN if lang == "en" else TIPS_ZH, 3))
            more = self._text(lang, 2, 4)
            head = "Sure, here is more detail." if lang == "en" else "好的，详细说明如下。"
            return f"{head}\n\n{prev_answer}\n\n{more}\n\n{extra}"

        return user, answer

    # -- PII snippets --------------------------------------------------------------------------------
    def plant_user(self, text: str, lang: str) -> str:
        r, p = self.rng, self.pii
        if lang == "en":
            k = r.randrange(13)
            if k == 0:
                s = f"My name is {p.person()} and I need some help."
            elif k == 1:
                s = f"Hi, I'm {p.person()}."
            elif k == 2:
                name = p.person()
                s = f"Please email the result to {name} at {p.email(name)} when it's done."
            elif k == 3:
                s = f"You can reach me at {p.phone()} or {p.email()}."
            elif k == 4:
                s = f"For context, I live at {p.address()}."
            elif k == 5:
                s = f"Ship it to {p.person()}, {p.address()}."
            elif k == 6:
                s = f"(my card number is {p.credit_card()} in case you need it)"
            elif k == 7:
                s = f"My SSN is {p.ssn()}, is it safe to put it on this form?"
            elif k == 8:
                s = f"Our staging server is at {p.ip()} if that matters."
            elif k == 9:
                form = r.randrange(3)  # make only the key that is used: every made value is recorded
                if form == 0:
                    s = f"Here's my config:\n```python\nOPENAI_API_KEY = \"{p.api_key('sk')}\"\n```"
                elif form == 1:
                    s = f"```bash\nexport AWS_ACCESS_KEY_ID={p.api_key('aws')}\n```"
                else:
                    s = f"I cloned with `git clone https://{p.api_key('gh')}@github.com/acme/app.git`"
            elif k == 10:
                s = f"My colleague {p.person()} ({p.phone()}) asked me to forward this."
            elif k == 11:
                s = f"My Chinese mobile is {p.cn_phone()}, my name is {p.person()}."
            else:
                s = f"Logs show requests from {p.ip()} and {p.ip()}."
            if r.random() < 0.5:
                return f"{s} {text}"
            return f"{text}\n\n{s}"
        k = r.randrange(10)
        if k == 0:
            s = f"我叫{p.cn_person()}。"
        elif k == 1:
            s = f"我叫{p.cn_person()}，手机{p.cn_phone()}。"
        elif k == 2:
            s = f"身份证号{p.cn_id()}。"
        elif k == 3:
            s = f"请联系{p.cn_person()}，电话：{p.cn_phone()}。"
        elif k == 4:
            s = f"收货地址：{p.cn_address()}，收件人{p.cn_person()}，联系电话{p.cn_phone()}。"
        elif k == 5:
            s = f"我的邮箱是{p.email()}。"
        elif k == 6:
            s = f"服务器IP是{p.ip()}。"
        elif k == 7:
            s = f"信用卡号{p.credit_card()}。"
        elif k == 8:
            s = f"我的API key是{p.api_key()}。"
        else:
            s = f"有问题打我手机{p.cn_phone()}。"
        if r.random() < 0.5:
            return s + text
        return f"{text}\n{s}"

    def plant_assistant(self, text: str, lang: str) -> str:
        r, p = self.rng, self.pii
        if lang == "en":
            k = r.randrange(4)
            if k == 0:
                name = p.person()
                s = f"If you need more help, our specialist {name} can be reached at {p.email(name)}."
            elif k == 1:
                s = f"For example: `curl -H \"Authorization: Bearer {p.api_key('sk')}\" https://api.example.com/v1/models`"
            elif k == 2:
                s = f"You could also call {p.person()} directly at {p.phone()}."
            else:
                s = f"Example request log: `GET /login 200 from {p.ip()}`"
            return f"{text}\n\n{s}"
        k = r.randrange(3)
        if k == 0:
            s = f"如需帮助，请拨打{p.cn_phone()}联系{p.cn_person()}。"
        elif k == 1:
            s = f"示例：收件人{p.cn_person()}，地址{p.cn_address()}。"
        else:
            s = f"例如配置 `api_key = \"{p.api_key('sk')}\"`。"
        return f"{text}\n\n{s}"

    def edit(self, answer: str, lang: str) -> str:
        paras = answer.split("\n\n")
        r = self.rng
        if len(paras) > 1 and r.random() < 0.6:
            paras = paras[:-1]
        added = r.choice(("I double-checked this and it works for my case.", "Edited for our team wiki.",
                          "Note: tested on our setup.")) if lang == "en" else r.choice(("已核对无误。", "已根据实际情况修改。"))
        return "\n\n".join(paras + [added])
