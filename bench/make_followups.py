"""Write bench/data/followups_labeled.jsonl: hand-labeled user follow-ups, English and Chinese.

    python -m bench.make_followups

Each line is one exchange (previous user message, the assistant's answer, the user's next message) and
what that next message says about the answer:

    {"language": "en"|"zh", "previous_user": ..., "answer": ..., "follow_up": ...,
     "label": "positive"|"negative"|"neutral", "category": "UR1".."UR5"|null}

Categories follow the taxonomy of natural user feedback (Don-Yehiya et al. 2024): UR1 repeat or rephrase,
UR2 make aware with a correction, UR3 make aware without correction, UR4 ask for clarification, UR5
positive feedback. A follow-up that says nothing about the answer (a new question, a continuation, a
request to transform the answer) is neutral with category null.

How the labels were decided (written before the rules, not tuned to them):
- negative: the user shows the answer failed them: it was wrong (UR2/UR3), did not work, missed the
  question, or they had to ask again (UR1) or could not understand it (UR4).
- positive: the user shows the answer served them (UR5), including "thanks" that builds on the answer.
- neutral: nothing about the answer's quality; includes new questions that happen to contain "wrong",
  "错", "not", and related-but-new questions that share words with the previous one.

Most examples are written by hand against a specific exchange (`*_EXCHANGES`); generic follow-ups that fit
any answer (`*_GENERIC`) are paired with a shared pool of exchanges by a seeded shuffle, so the file is
the same on every run. Texts are already "scrubbed": placeholders like <PERSON_1> stand in for PII.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data" / "followups_labeled.jsonl"
SEED = 20240501

# --- English ------------------------------------------------------------------------------------------

EN_WEIGHT = ("How heavy is the 13-inch MacBook Air?", "The 13-inch MacBook Air weighs about 1.29 kg (2.8 lb).")
EN_CAPITAL = ("What's the capital of Australia?", "The capital of Australia is Sydney.")
EN_REVERSE = ("How do I reverse a list in Python?",
              "Use `my_list.reverse()` to reverse it in place, or `my_list[::-1]` to get a reversed copy.")
EN_SQL = ("Write a SQL query to count orders per customer.",
          "SELECT customer_id, COUNT(*) AS orders FROM orders GROUP BY customer_id;")
EN_WIFI = ("My laptop won't connect to wifi after the update, what do I do?",
           "Try forgetting the network and reconnecting, restart the router, and update the network driver "
           "from Device Manager.")
EN_TEMP = ("Convert 72 Fahrenheit to Celsius.", "72°F is about 22.2°C.")
EN_CSS = ("How do I center a div in CSS?",
          "Give the parent `display: flex; justify-content: center; align-items: center;`.")
EN_GIT = ("git push is rejected with 'non-fast-forward', how do I fix it?",
          "Run `git pull --rebase`, resolve any conflicts, then `git push` again.")
EN_PANCAKE = ("Give me a pancake recipe without eggs.",
              "Mix 1 cup flour, 1 tbsp sugar, 2 tsp baking powder, a pinch of salt, 1 cup milk and 2 tbsp oil. "
              "Cook on a hot pan until bubbles form, then flip.")
EN_WALL = ("What year did the Berlin Wall fall?", "The Berlin Wall fell in 1991.")
EN_SPANISH = ("Translate 'good morning' into Spanish.", "'Good morning' in Spanish is 'buenas noches'.")
EN_EMAIL = ("Write a short email to <PERSON_1> asking to move our meeting to Tuesday.",
            "Hi <PERSON_1>,\n\nWould it be possible to move our meeting to Thursday? Let me know what works.\n\nBest")
EN_UNDO = ("How do I go back one commit but keep my work?",
           "Use `git reset --hard HEAD~1` to move back one commit.")
EN_REGEX = ("Regex to match a US zip code?", "Use `^\\d{5}$`.")
EN_SORT_DICT = ("How do I sort a dict by value in Python?",
                "`sorted(d.items(), key=lambda kv: kv[1])` gives the items sorted by value.")
EN_BAKERY = ("Suggest a name for my bakery.", "How about 'Golden Crust', 'Rise & Shine' or 'The Daily Loaf'?")
EN_DOCKER = ("Why does my docker container exit immediately?",
             "A container stops when its main process ends. Check `docker logs <id>` and make sure the CMD "
             "runs a foreground process.")
EN_SUMMARY = ("Summarize this paragraph in one sentence: The committee met on Monday and, after a long "
              "debate, agreed to postpone the vote on the new budget until more figures are available.",
              "The committee met on Monday, debated at length, and postponed the budget vote pending more figures "
              "because members wanted more data before deciding, and they will meet again next month.")
EN_FUNC = ("Write a Python function that returns the factorial of n.",
           "def factorial(n):\n    return 1 if n <= 1 else n * factorial(n - 1)")
EN_PLANTS = ("How often should I water a snake plant?",
             "Water a snake plant every 2-3 weeks, letting the soil dry out completely between waterings.")

EN_EXCHANGES: list[tuple[tuple[str, str], str, str, str | None]] = [
    # UR2: make aware with a correction
    (EN_WEIGHT, "That's wrong, it is 1.24 kg for the M2 model.", "negative", "UR2"),
    (EN_CAPITAL, "No, the capital is Canberra, not Sydney.", "negative", "UR2"),
    (EN_WALL, "Thanks, but that's wrong: the wall fell in 1989.", "negative", "UR2"),
    (EN_SPANISH, "Actually it's 'buenos días'. 'Buenas noches' means good night.", "negative", "UR2"),
    (EN_TEMP, "I asked for Kelvin, not Celsius.", "negative", "UR2"),
    (EN_WEIGHT, "Hmm, I don't think that's right. The M3 one is 1.24 kg according to Apple.", "negative", "UR2"),
    (EN_SQL, "You forgot the WHERE clause, I only want active customers.", "negative", "UR2"),
    (EN_REVERSE, "nope, reverse() returns None, so `print(my_list.reverse())` prints None", "negative", "UR2"),
    (EN_TEMP, "That's not the right formula, Celsius = (F - 32) × 5/9 and that gives 22.2, ok, but I asked "
              "for 72 Celsius to Fahrenheit.", "negative", "UR2"),
    (EN_PANCAKE, "You misread my question, I need it egg-free AND dairy-free. Milk is dairy.", "negative", "UR2"),
    (EN_WALL, "Wrong year. It was 1989.", "negative", "UR2"),
    (EN_UNDO, "that command deletes my local changes!! I needed to keep them, --soft not --hard",
     "negative", "UR2"),
    (EN_FUNC, "This breaks for negative numbers, it should raise a ValueError there.", "negative", "UR2"),
    (EN_EMAIL, "Close, but the meeting is on Tuesday, not Thursday.", "negative", "UR2"),
    (EN_EMAIL, "Not quite — <PERSON_1> is my manager, so it should be more formal.", "negative", "UR2"),
    (EN_SUMMARY, "I said one sentence, and you added stuff that isn't in the text.", "negative", "UR2"),
    (EN_DOCKER, "No no, I meant the container exits with code 137, it's not the CMD.", "negative", "UR2"),
    (EN_REGEX, "That misses ZIP+4 codes like 12345-6789, it should be ^\\d{5}(-\\d{4})?$", "negative", "UR2"),
    (EN_PLANTS, "I think it's actually less often in winter, like once a month?", "negative", "UR2"),
    (EN_CAPITAL, "Sydney is the biggest city but the capital is Canberra.", "negative", "UR2"),
    (EN_SORT_DICT, "that returns a list of tuples, not a dict. I need a dict back.", "negative", "UR2"),
    (EN_CSS, "That only centers horizontally in my case, the parent has no height. Needs height: 100vh.",
     "negative", "UR2"),
    (EN_GIT, "I can't rebase, the branch is shared. It should be a merge instead.", "negative", "UR2"),
    (EN_SPANISH, "isn't it buenos dias?", "negative", "UR2"),
    (EN_WEIGHT, "Sorry, I should have said: the 15-inch one, not the 13-inch.", "negative", "UR2"),
    (EN_BAKERY, "I said it's a vegan bakery, these don't say anything about that.", "negative", "UR2"),
    # UR3: make aware without correction
    (EN_WIFI, "still not working", "negative", "UR3"),
    (EN_GIT, "I'm still getting the non-fast-forward error.", "negative", "UR3"),
    (EN_DOCKER, "That doesn't work. Same thing, it exits right away.", "negative", "UR3"),
    (EN_WIFI, "didn't help, the wifi still drops every few minutes", "negative", "UR3"),
    (EN_BAKERY, "this isn't what I asked for", "negative", "UR3"),
    (EN_SQL, "Your query gives a syntax error.", "negative", "UR3"),
    (EN_FUNC, "This code doesn't compile.", "negative", "UR3"),
    (EN_WALL, "Are you sure? That doesn't look right.", "negative", "UR3"),
    (EN_WEIGHT, "hmm that number seems off", "negative", "UR3"),
    (EN_REGEX, "doesn't match anything in my file", "negative", "UR3"),
    (EN_UNDO, "I tried that already, no luck.", "negative", "UR3"),
    (EN_CSS, "Nope, it's still stuck in the top left corner.", "negative", "UR3"),
    (EN_CAPITAL, "That is not correct.", "negative", "UR3"),
    (EN_SUMMARY, "That's way too long for one sentence.", "negative", "UR3"),
    (EN_PANCAKE, "I made these and they came out flat and gummy.", "negative", "UR3"),
    # UR1: repeat or rephrase
    (EN_REVERSE, "how to reverse a python list", "negative", "UR1"),
    (EN_CAPITAL, "capital city of australia?", "negative", "UR1"),
    (EN_TEMP, "72 F in C?", "negative", "UR1"),
    (EN_CSS, "I'll ask again: how do I center a div vertically AND horizontally?", "negative", "UR1"),
    (EN_UNDO, "In other words, how can I undo my last commit without losing the changes?", "negative", "UR1"),
    (EN_SQL, "Write a SQL query to count orders per customer.", "negative", "UR1"),
    (EN_WEIGHT, "What I'm asking is how much the 13 inch MacBook Air weighs in kg.", "negative", "UR1"),
    (EN_BAKERY, "suggest names for my bread shop", "negative", "UR1"),
    (EN_DOCKER, "why does my docker container stop right after starting?", "negative", "UR1"),
    (EN_WIFI, "laptop can't connect to wifi since the update, how to fix??", "negative", "UR1"),
    (EN_PLANTS, "Let me rephrase: how many times a month do snake plants need water?", "negative", "UR1"),
    (EN_GIT, "how do i fix the non-fast-forward rejection when I git push", "negative", "UR1"),
    (EN_SORT_DICT, "How do I sort a dict by its values in Python and get a dict?", "negative", "UR1"),
    (EN_FUNC, "python function for factorial of n please", "negative", "UR1"),
    (EN_EMAIL, "Again: write <PERSON_1> a short email to move our meeting to Tuesday.", "negative", "UR1"),
    (EN_SPANISH, "How do you say good morning in Spanish?", "negative", "UR1"),
    # UR4: ask for clarification (the answer was not clear to them)
    (EN_GIT, "What do you mean by 'rebase'?", "negative", "UR4"),
    (EN_WIFI, "I don't understand, where is Device Manager?", "negative", "UR4"),
    (EN_REVERSE, "Sorry, what does [::-1] mean?", "negative", "UR4"),
    (EN_DOCKER, "Could you clarify what you mean by a foreground process?", "negative", "UR4"),
    (EN_CSS, "huh? I don't follow", "negative", "UR4"),
    (EN_REVERSE, "I'm confused, which one should I use?", "negative", "UR4"),
    (EN_CSS, "not sure what you mean by align-items", "negative", "UR4"),
    (EN_SORT_DICT, "what is kv here?", "negative", "UR4"),
    # UR5: positive feedback
    (EN_REVERSE, "Thanks, that worked!", "positive", "UR5"),
    (EN_CSS, "Awesome. The flex trick did it.", "positive", "UR5"),
    (EN_GIT, "Brilliant, the rebase worked and the push went through.", "positive", "UR5"),
    (EN_SQL, "Thank you! Now can you write the same query but only for orders placed in 2023?",
     "positive", "UR5"),
    (EN_FUNC, "Nice, the tests pass now.", "positive", "UR5"),
    (EN_DOCKER, "Lol that's exactly the bug, my CMD was a background script. Fixed, thanks.", "positive", "UR5"),
    (EN_UNDO, "You're right, --hard was what I wanted this time. Works.", "positive", "UR5"),
    (EN_PLANTS, "Good to know, mine was getting water every week, no wonder it's dying. Thanks!",
     "positive", "UR5"),
    (EN_EMAIL, "Perfect, sending it now.", "positive", "UR5"),
    (EN_BAKERY, "Ooh I love 'Rise & Shine'!", "positive", "UR5"),
    (EN_REGEX, "that's all I needed, cheers", "positive", "UR5"),
    (EN_SORT_DICT, "Not bad at all, I'll wrap it in dict() and it's fine.", "positive", "UR5"),
    (EN_PANCAKE, "Made them this morning, kids loved them!", "positive", "UR5"),
    (EN_WIFI, "Updating the driver did it, wifi is back. Thank you!!", "positive", "UR5"),
    (EN_SUMMARY, "That's a good summary, thanks.", "positive", "UR5"),
    (EN_SQL, "No problem with that one, runs fine. Thanks!", "positive", "UR5"),
    # neutral: continuation, new questions, transformations
    (EN_REVERSE, "How do I reverse a string in Python?", "neutral", None),
    (EN_SORT_DICT, "And how would I sort it by key instead?", "neutral", None),
    (EN_FUNC, "Now write a unit test for it.", "neutral", None),
    (EN_CAPITAL, "Tell me more about the history of Canberra.", "neutral", None),
    (EN_DOCKER, "How do I install Docker on Ubuntu 22.04?", "neutral", None),
    (EN_SUMMARY, "Translate that into French.", "neutral", None),
    (EN_EMAIL, "Can you make it a bit shorter?", "neutral", None),
    (EN_SQL, "What's wrong with this one then? SELECT name FROM users WHERE id = ;", "neutral", None),
    (EN_PANCAKE, "Why do my pancakes always stick to the pan? Not sure what I'm doing wrong.", "neutral", None),
    (EN_REVERSE, "Is there a faster way for very large lists?", "neutral", None),
    (EN_WIFI, "ok, and how do I do the same on a mac?", "neutral", None),
    (EN_TEMP, "What's 100 Fahrenheit in Celsius?", "neutral", None),
    (EN_TEMP, "And in Kelvin?", "neutral", None),
    (EN_WALL, "Who was the leader of East Germany then?", "neutral", None),
    (EN_PLANTS, "What about a peace lily?", "neutral", None),
    (EN_CSS, "How do I center text inside a button?", "neutral", None),
    (EN_GIT, "Can you explain the difference between merge and rebase in more detail?", "neutral", None),
    (EN_REGEX, "Can you give me a regex for UK postcodes too?", "neutral", None),
    (EN_BAKERY, "Give me 5 more with a French vibe.", "neutral", None),
    (EN_UNDO, "How do I see the list of my last commits?", "neutral", None),
    (EN_WEIGHT, "How heavy is the 14-inch MacBook Pro?", "neutral", None),
    (EN_SPANISH, "How do I say good night in Italian?", "neutral", None),
    (EN_FUNC, "Could you write an iterative version as well?", "neutral", None),
    (EN_SUMMARY, "Now summarize this one: The board approved the merger after a two-hour meeting.",
     "neutral", None),
]

EN_GENERIC: dict[tuple[str, str | None], list[str]] = {
    ("positive", "UR5"): [
        "perfect, exactly what I needed",
        "That fixed it, thank you so much!!",
        "great, thanks",
        "ty",
        "ok that makes sense now, thanks",
        "Works like a charm 👍",
        "This is really helpful, appreciate it.",
        "Wow, that's a great explanation.",
        "Yes! that's it.",
        "cool thx",
        "That's correct, thanks for checking.",
        "makes sense 👍",
        "Excellent answer.",
        "that's helpful, although I'll probably tweak the wording a bit",
        "Spot on.",
        "thank you, this saved me a lot of time",
        "Got it, thanks a lot.",
        "Thanks! That's much clearer than the docs.",
        "amazing, it works now",
        "Great, that answers my question.",
        "Thanks, very helpful. Next I need to figure out the deployment side, but that's for later.",
        "Super useful, bookmarking this.",
        "You nailed it.",
        "Thanks a ton!",
        "Appreciate the quick answer, that did the trick.",
    ],
    ("negative", "UR3"): [
        "doesn't work",
        "That's not helpful at all.",
        "You didn't answer my question.",
        "That makes no sense.",
        "useless answer",
        "Same problem as before.",
        "that's not it",
        "This is wrong.",
        "Nope.",
        "still the same error",
        "That didn't fix anything.",
        "This is not what I asked.",
        "Not working for me, sadly.",
        "Well that's just incorrect.",
        "you're not listening to what I'm asking",
        "This answer is completely off.",
        "Nah, that's not right either.",
        "ugh, still broken",
        "Thanks but it still doesn't work",
        "I followed every step and nothing changed.",
    ],
    ("negative", "UR4"): [
        "What do you mean?",
        "I don't get it.",
        "can you explain that again? I didn't understand the second part",
        "Sorry, I'm lost. What's the first step exactly?",
        "What does that even mean?",
        "I'm not sure I follow, can you clarify?",
    ],
    ("neutral", None): [
        "ok",
        "Can you give me an example with real data?",
        "please continue",
        "Can you put that in a table?",
        "Write it in bullet points.",
        "What's the weather usually like in Lisbon in May?",
        "Another question: what is a left join?",
        "How many calories are in a banana?",
        "ok. new topic: how do I make cold brew coffee?",
        "Can you also explain why that is?",
        "What would you recommend for a beginner?",
        "Explain it like I'm five.",
        "Any good books on this?",
        "What does <PERSON_1> need to sign for this?",
        "Can you write that more formally?",
        "hmm interesting. what about the opposite case?",
        "Make it rhyme.",
        "Is that the same in Europe?",
        "Could you list the pros and cons?",
        "Not now, maybe later. What's a good stretching routine for the morning?",
    ],
}

# --- Chinese ------------------------------------------------------------------------------------------

ZH_WEIGHT = ("13寸的MacBook Air有多重？", "13英寸MacBook Air重约1.29千克。")
ZH_CAPITAL = ("澳大利亚的首都是哪里？", "澳大利亚的首都是悉尼。")
ZH_REVERSE = ("Python怎么反转列表？", "可以用 my_list.reverse() 原地反转，或者用 my_list[::-1] 得到一个反转后的新列表。")
ZH_SQL = ("帮我写个SQL统计每个客户的订单数", "SELECT customer_id, COUNT(*) AS orders FROM orders GROUP BY customer_id;")
ZH_WIFI = ("电脑更新系统后连不上WiFi了怎么办？", "可以先忘记网络再重新连接，重启路由器，然后在设备管理器里更新网卡驱动。")
ZH_TEMP = ("华氏72度是多少摄氏度？", "华氏72度约等于摄氏22.2度。")
ZH_TRANSLATE = ("帮我把这句话翻译成英文：今天天气很好，我们去公园散步吧。", "The weather is nice. Let's go to the park.")
ZH_WALL = ("柏林墙是哪一年倒塌的？", "柏林墙于1991年倒塌。")
ZH_GIT = ("git push 提示 non-fast-forward 怎么解决？", "先执行 git pull --rebase，解决冲突后再 git push。")
ZH_RICE = ("怎么煮出好吃的米饭？", "米和水的比例约1:1.2，先浸泡30分钟，大火煮开后转小火15分钟，关火再焖10分钟。")
ZH_LEAVE = ("帮我给<PERSON_1>写一封请假邮件，请周五一天假。",
            "<PERSON_1>您好：\n\n因家中有事，我想在下周四请假一天，望批准。\n\n谢谢！")
ZH_UNDO = ("怎么撤回上一次提交但保留我的修改？", "执行 git reset --hard HEAD~1 就可以回到上一次提交。")
ZH_DICT = ("Python字典怎么按值排序？", "sorted(d.items(), key=lambda kv: kv[1]) 可以得到按值排序的键值对列表。")
ZH_NAME = ("给我的面包店起个名字", "可以叫“麦香坊”、“晨光烘焙”或者“一日一面包”。")
ZH_DOCKER = ("为什么我的docker容器一启动就退出？", "容器的主进程结束后容器就会停止。用 docker logs 看看日志，确认 CMD 运行的是前台进程。")
ZH_SUMMARY = ("用一句话总结：委员会周一开会，经过长时间讨论，决定推迟新预算的投票，等拿到更多数据再说。",
              "委员会周一开会讨论很久，因为成员们希望先看到更多数据，所以决定推迟预算投票，并将在下个月再次开会。")
ZH_FUNC = ("写一个Python函数计算n的阶乘", "def factorial(n):\n    return 1 if n <= 1 else n * factorial(n - 1)")
ZH_PLANT = ("虎皮兰多久浇一次水？", "虎皮兰大约2到3周浇一次水，等土完全干透再浇。")
ZH_TRAIN = ("北京到上海的高铁要多久？", "北京到上海的高铁最快约4小时18分钟，一般在4个半到6个小时之间。")
ZH_PHONE = ("iPhone怎么截长图？", "在Safari里截屏后，点左下角的缩略图，选择“整页”即可保存长截图。")

ZH_EXCHANGES: list[tuple[tuple[str, str], str, str, str | None]] = [
    # UR2
    (ZH_WEIGHT, "不对，应该是1.24千克，你说的是老款。", "negative", "UR2"),
    (ZH_CAPITAL, "错了，澳大利亚首都是堪培拉，不是悉尼。", "negative", "UR2"),
    (ZH_WALL, "谢谢，不过这个不对，柏林墙是1989年倒的。", "negative", "UR2"),
    (ZH_TEMP, "我问的是开尔文，不是摄氏度。", "negative", "UR2"),
    (ZH_REVERSE, "reverse() 返回的是 None，你第二个写法没问题，但第一个例子写错了。", "negative", "UR2"),
    (ZH_SQL, "你漏了WHERE条件，我只要活跃客户的。", "negative", "UR2"),
    (ZH_WEIGHT, "好像不太对吧，M2款是1.24千克。", "negative", "UR2"),
    (ZH_LEAVE, "不是周四，是周五请假。", "negative", "UR2"),
    (ZH_DOCKER, "你理解错了，我说的是容器退出码137，跟CMD没关系。", "negative", "UR2"),
    (ZH_UNDO, "这个命令会把我本地的修改删掉！应该用--soft才对", "negative", "UR2"),
    (ZH_WALL, "年份错了，是1989年。", "negative", "UR2"),
    (ZH_LEAVE, "<PERSON_1>是我领导，语气要正式一点，而且日期写错了。", "negative", "UR2"),
    (ZH_TRANSLATE, "翻译漏了一半，“今天”和“散步”都没翻出来。", "negative", "UR2"),
    (ZH_SUMMARY, "我说的是一句话，你还加了原文里没有的内容。", "negative", "UR2"),
    (ZH_FUNC, "负数的时候应该抛异常，你这个直接返回1了。", "negative", "UR2"),
    (ZH_CAPITAL, "悉尼是最大城市，首都其实是堪培拉。", "negative", "UR2"),
    (ZH_DICT, "这样返回的是列表，不是字典，我要的是字典。", "negative", "UR2"),
    (ZH_PLANT, "冬天应该更久才浇一次吧，一个月一次？", "negative", "UR2"),
    (ZH_TRAIN, "不是，最快的是4小时18分没错，但我问的是二等座票价。", "negative", "UR2"),
    (ZH_GIT, "这个分支是共享的，不能rebase，得用merge。", "negative", "UR2"),
    (ZH_PHONE, "我用的是微信里的网页，没有“整页”这个选项，你说的只适用于Safari。", "negative", "UR2"),
    (ZH_NAME, "我说了是素食面包店，这几个名字完全没体现。", "negative", "UR2"),
    (ZH_RICE, "水放少了吧，新米应该是1:1，陈米才要多放水。", "negative", "UR2"),
    (ZH_TEMP, "算错了，(72-32)×5/9=22.2没错，可我要的是72摄氏度换成华氏度。", "negative", "UR2"),
    # UR3
    (ZH_WIFI, "还是不行", "negative", "UR3"),
    (ZH_GIT, "还是报 non-fast-forward 的错", "negative", "UR3"),
    (ZH_DOCKER, "试过了，不管用，还是一启动就退出。", "negative", "UR3"),
    (ZH_WIFI, "没用，过几分钟还是会断", "negative", "UR3"),
    (ZH_NAME, "这不是我要的", "negative", "UR3"),
    (ZH_SQL, "你这个SQL跑不起来，报语法错误", "negative", "UR3"),
    (ZH_FUNC, "这代码跑不通", "negative", "UR3"),
    (ZH_WALL, "你确定吗？好像不太对。", "negative", "UR3"),
    (ZH_WEIGHT, "这个数字感觉有问题", "negative", "UR3"),
    (ZH_UNDO, "我早就试过了，没效果", "negative", "UR3"),
    (ZH_CAPITAL, "这个答案不正确。", "negative", "UR3"),
    (ZH_SUMMARY, "这也太长了，根本不是一句话。", "negative", "UR3"),
    (ZH_RICE, "照你说的做，米饭还是夹生的。", "negative", "UR3"),
    (ZH_TRANSLATE, "翻译得不对", "negative", "UR3"),
    (ZH_PHONE, "找不到你说的那个按钮", "negative", "UR3"),
    # UR1
    (ZH_REVERSE, "python 列表如何倒序", "negative", "UR1"),
    (ZH_CAPITAL, "澳大利亚首都是哪个城市", "negative", "UR1"),
    (ZH_TEMP, "我再问一遍：华氏72度等于多少摄氏度？", "negative", "UR1"),
    (ZH_UNDO, "换个说法：怎么撤销最近一次commit，但是本地改动不要丢？", "negative", "UR1"),
    (ZH_SQL, "帮我写个SQL统计每个客户的订单数", "negative", "UR1"),
    (ZH_WEIGHT, "我的意思是13寸MacBook Air的重量是多少公斤", "negative", "UR1"),
    (ZH_NAME, "帮面包店想几个店名", "negative", "UR1"),
    (ZH_DOCKER, "docker容器启动后马上就停了是为什么", "negative", "UR1"),
    (ZH_WIFI, "系统更新之后WiFi连不上，怎么解决？？", "negative", "UR1"),
    (ZH_PLANT, "我是问虎皮兰一个月浇几次水", "negative", "UR1"),
    (ZH_GIT, "git push 被拒绝 non-fast-forward 要怎么处理", "negative", "UR1"),
    (ZH_DICT, "python 怎么把字典按照值排序，结果还是字典", "negative", "UR1"),
    (ZH_FUNC, "用Python写个求阶乘的函数", "negative", "UR1"),
    (ZH_LEAVE, "重新写：给<PERSON_1>写封邮件，周五请一天假", "negative", "UR1"),
    (ZH_TRAIN, "坐高铁从北京去上海大概几个小时", "negative", "UR1"),
    (ZH_PHONE, "苹果手机长截图怎么弄", "negative", "UR1"),
    # UR4
    (ZH_GIT, "rebase是什么意思？", "negative", "UR4"),
    (ZH_WIFI, "设备管理器在哪里？我不太明白", "negative", "UR4"),
    (ZH_REVERSE, "[::-1] 这个是啥意思", "negative", "UR4"),
    (ZH_DOCKER, "前台进程是指什么？没看懂", "negative", "UR4"),
    (ZH_DICT, "kv是什么？", "negative", "UR4"),
    (ZH_REVERSE, "有点晕，那我到底该用哪个？", "negative", "UR4"),
    (ZH_GIT, "不太理解你说的解决冲突具体怎么做", "negative", "UR4"),
    # UR5
    (ZH_REVERSE, "谢谢，解决了！", "positive", "UR5"),
    (ZH_SQL, "可以了，感谢！那再帮我写一个按年份统计的版本吧", "positive", "UR5"),
    (ZH_GIT, "成功了，push上去了，谢谢你", "positive", "UR5"),
    (ZH_DOCKER, "原来如此，我的CMD是个后台脚本，改了就好了", "positive", "UR5"),
    (ZH_UNDO, "你说得对，是我自己写错了参数，现在好了", "positive", "UR5"),
    (ZH_LEAVE, "不错，就用这个了", "positive", "UR5"),
    (ZH_WIFI, "更新驱动之后好了，太感谢了！", "positive", "UR5"),
    (ZH_SUMMARY, "总结得很到位，谢谢", "positive", "UR5"),
    (ZH_SQL, "没问题，跑通了，谢谢！", "positive", "UR5"),
    (ZH_RICE, "按这个方法煮出来真的好吃多了", "positive", "UR5"),
    (ZH_NAME, "“晨光烘焙”这个名字我很喜欢！", "positive", "UR5"),
    (ZH_PLANT, "难怪我的虎皮兰烂根了，原来是浇太勤了，谢谢", "positive", "UR5"),
    (ZH_DICT, "已经很不错了，外面再套个dict()就行", "positive", "UR5"),
    (ZH_PHONE, "找到了，太方便了", "positive", "UR5"),
    (ZH_FUNC, "测试全过了，赞", "positive", "UR5"),
    (ZH_TRAIN, "好的，明白了，谢谢", "positive", "UR5"),
    # neutral
    (ZH_REVERSE, "那python怎么反转字符串？", "neutral", None),
    (ZH_DICT, "那按键排序呢？", "neutral", None),
    (ZH_FUNC, "再帮我写个单元测试", "neutral", None),
    (ZH_CAPITAL, "堪培拉有什么好玩的地方？", "neutral", None),
    (ZH_DOCKER, "Ubuntu 22.04 上怎么安装 Docker？", "neutral", None),
    (ZH_SUMMARY, "翻译成英文", "neutral", None),
    (ZH_LEAVE, "能再简短一点吗？", "neutral", None),
    (ZH_SQL, "那这条哪里错了？SELECT name FROM users WHERE id = ;", "neutral", None),
    (ZH_RICE, "为什么我做的面包总是很硬？不知道哪里做错了", "neutral", None),
    (ZH_REVERSE, "数据量很大的时候有没有更快的方法？", "neutral", None),
    (ZH_WIFI, "好的，那Mac上怎么操作？", "neutral", None),
    (ZH_TEMP, "那华氏100度呢？", "neutral", None),
    (ZH_WALL, "当时东德的领导人是谁？", "neutral", None),
    (ZH_PLANT, "那绿萝呢？", "neutral", None),
    (ZH_GIT, "能详细讲讲merge和rebase的区别吗？", "neutral", None),
    (ZH_NAME, "再来五个有法式风格的", "neutral", None),
    (ZH_UNDO, "怎么查看最近几次提交记录？", "neutral", None),
    (ZH_WEIGHT, "14寸的MacBook Pro有多重？", "neutral", None),
    (ZH_TRAIN, "那北京到广州呢？", "neutral", None),
    (ZH_PHONE, "安卓手机呢？", "neutral", None),
    (ZH_TRANSLATE, "再翻译成日语", "neutral", None),
    (ZH_FUNC, "能再写一个非递归的版本吗？", "neutral", None),
    (ZH_SUMMARY, "再总结一下这段：董事会开了两个小时会，批准了合并方案。", "neutral", None),
    (ZH_LEAVE, "这个方法对不对？我想用在正式场合", "neutral", None),
]

ZH_GENERIC: dict[tuple[str, str | None], list[str]] = {
    ("positive", "UR5"): [
        "好的，谢谢",
        "太棒了，正是我需要的",
        "明白了，多谢",
        "完美👍",
        "有用，学到了",
        "懂了懂了",
        "很清楚，谢谢！",
        "好用，感谢",
        "这个回答很有帮助",
        "厉害，一下就好了",
        "嗯嗯，没毛病",
        "牛，问题解决了",
        "OK了，谢啦",
        "对的，就是这个意思",
        "谢谢你，帮了大忙",
        "完全正确，感谢",
        "讲得很好，一看就懂",
        "搞定了！",
        "太感谢了，省了我好多时间",
        "行，就这么办，谢谢",
        "给力！",
        "非常好，谢谢你的耐心解答",
        "收到，很有用",
        "谢谢！说得很明白，我这就去试试其他部分",
        "可以的，没问题",
    ],
    ("negative", "UR3"): [
        "不行啊",
        "你没有回答我的问题",
        "答非所问",
        "这说了等于没说",
        "胡说八道",
        "完全没帮助",
        "还是一样的报错",
        "不对吧",
        "问题还是没解决",
        "这个结果有问题",
        "错了",
        "不是这个意思",
        "你这个回答完全不靠谱",
        "跟之前一样，没变化",
        "谢谢，但是还是不行",
        "按你说的做了，没反应",
        "还是不对",
        "这不对",
        "你再好好想想，明显有问题",
        "说的不对",
    ],
    ("negative", "UR4"): [
        "什么意思？",
        "没看懂",
        "能说得简单一点吗？我没太明白",
        "第二步具体怎么做？看不懂",
        "啥意思啊",
        "不太明白，能解释一下吗",
    ],
    ("neutral", None): [
        "好的",
        "能举个例子吗？",
        "继续",
        "做成表格",
        "用要点列出来",
        "五月份去里斯本天气怎么样？",
        "另外问一下，什么是左连接？",
        "一根香蕉有多少卡路里？",
        "换个话题：冷萃咖啡怎么做？",
        "为什么会这样？",
        "新手的话你推荐哪个？",
        "用小学生能听懂的话讲一遍",
        "有相关的书推荐吗？",
        "<PERSON_1>需要签什么文件吗？",
        "写得正式一点",
        "那反过来呢？",
        "改成押韵的",
        "欧洲也是这样吗？",
        "列一下优缺点",
        "先不管这个了，早上有什么好的拉伸动作？",
    ],
}


def labeled_followups() -> list[dict]:
    """Every example, English then Chinese: hand-bound exchanges first, then generic follow-ups paired
    with the language's exchange pool by a seeded shuffle (deterministic)."""
    rows = []
    rng = random.Random(SEED)
    for language, exchanges, generic in (("en", EN_EXCHANGES, EN_GENERIC), ("zh", ZH_EXCHANGES, ZH_GENERIC)):
        pool = sorted({exchange for exchange, *_ in exchanges})
        for (previous_user, answer), follow_up, label, category in exchanges:
            rows.append(_row(language, previous_user, answer, follow_up, label, category))
        for (label, category), follow_ups in generic.items():
            for follow_up in follow_ups:
                previous_user, answer = rng.choice(pool)
                rows.append(_row(language, previous_user, answer, follow_up, label, category))
    return rows


def _row(language, previous_user, answer, follow_up, label, category) -> dict:
    return {"language": language, "previous_user": previous_user, "answer": answer, "follow_up": follow_up,
            "label": label, "category": category}


def main() -> None:
    rows = labeled_followups()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        counts[row["language"], row["label"]] = counts.get((row["language"], row["label"]), 0) + 1
    print(f"wrote {len(rows)} examples to {OUT}")
    for (language, label), n in sorted(counts.items()):
        print(f"  {language} {label:8} {n}")


if __name__ == "__main__":
    main()
