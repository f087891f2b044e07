"""Deterministic, realistic LLM product logs: the demo data and the benchmark data.

`generate_logs` writes `<out_dir>/<YYYY-MM-DD>/events-00000.jsonl.gz` (the flywheel's own event format,
one `schemas.events` model per line, exactly its `model_dump_json()`) and/or `openai-00000.jsonl.gz`
(an OpenAI-compatible gateway format: one line per chat-completion call, the whole history repeated in
`request.messages`).

What is in it, on purpose:
- multi-turn conversations (1-6 user turns), ~75% English and ~25% Chinese, some mixed;
- system prompts and templated user prompts that repeat across conversations; code questions with fenced
  code blocks in the answers, math, writing, QA, summaries, translations, chit-chat; some long answers;
- PII of many kinds planted in user (~15% of turns) and assistant (~3%) text, every value recorded in
  `GeneratedLogs.planted_pii` with its entity type (the ground truth of the scrubbing benchmark);
- feedback events (thumbs, ratings, regenerate with a sibling answer, copy, edit with the edited text,
  report with a comment), ~10% of them without a message_id;
- conversations interleaved in time order within a file, every timestamp inside its UTC day;
- malformed lines at `malformed_rate` (truncated JSON, garbage, missing fields, bad timestamps, unknown
  roles, out-of-range ratings), written in addition to the valid lines they are derived from.

Determinism: the same seed and arguments give byte-identical files (seeded `random.Random`, Faker seeded
per instance, gzip headers without mtime or file name). A day's content depends only on the seed, the
date and the arguments, not on which other days are generated in the same call. Generation streams
conversation by conversation: memory is bounded by the conversations active at the same time.
"""

from __future__ import annotations

import bisect
import gzip as _gzip
import hashlib
import heapq
import json
import random
import re
import string
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterable

from faker import Faker

from schemas.events import FeedbackEvent, MessageEvent

__all__ = ["PlantedPii", "GeneratedLogs", "generate_logs", "planted_values", "ENTITY_TYPES", "main"]

LOG_FORMATS = ("events", "openai", "mixed")

# Every entity type the generator plants.
ENTITY_TYPES = (
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CN_PHONE_NUMBER",
    "CREDIT_CARD",
    "CN_RESIDENT_ID",
    "IP_ADDRESS",
    "API_KEY",
    "ADDRESS",
    "US_SSN",
    "CN_PERSON",
    "CN_ADDRESS",
)


@dataclass(frozen=True)
class PlantedPii:
    entity_type: str
    value: str


@dataclass
class GeneratedLogs:
    files: list[str] = field(default_factory=list)  # paths written, in order
    planted_pii: list[PlantedPii] = field(default_factory=list)  # deduplicated, in order of first use
    lines: int = 0  # lines written in total
    malformed_lines: int = 0  # of which deliberately malformed
    events: int = 0  # valid lines written (an openai-format line counts as one)


def planted_values(logs: GeneratedLogs) -> set[str]:
    """The set of every PII string planted anywhere in the generated text."""
    return {p.value for p in logs.planted_pii}


# --------------------------------------------------------------------------------------------------
# Seeds, time
# --------------------------------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_US = 1_000_000
_DAY_US = 86_400 * _US


def _derive(seed: int, *parts: object) -> int:
    """A 64-bit seed from the run seed and a purpose; stable across processes (no hash())."""
    text = ":".join([str(seed), *map(str, parts)])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _dt(ts_us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=ts_us)


def _iso_ms(ts_us: int) -> str:
    d = _dt(ts_us)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


# Relative traffic per UTC hour: Chinese users peak around 01-10 UTC, American users around 14-03 UTC.
_HOURLY = (7, 6, 6, 7, 7, 7, 7, 6, 5, 5, 5, 5, 6, 7, 8, 9, 10, 10, 9, 8, 8, 8, 8, 7)
_HOURLY_CUM = [0]
for _w in _HOURLY:
    _HOURLY_CUM.append(_HOURLY_CUM[-1] + _w)
# Conversations start at least this long before midnight, then get squeezed into the day if needed.
_LAST_START_S = 86_400 - 300


def _start_offset_us(i: int, n: int, rng: random.Random) -> int:
    """Start of the i-th of n conversations, nondecreasing in i, following the diurnal curve."""
    u = (i + rng.random()) / n * _HOURLY_CUM[-1]
    h = min(bisect.bisect_right(_HOURLY_CUM, u) - 1, 23)
    hours = h + (u - _HOURLY_CUM[h]) / _HOURLY[h]
    return int(hours * 3600 / 86_400 * _LAST_START_S * _US)


# --------------------------------------------------------------------------------------------------
# Corpora
# --------------------------------------------------------------------------------------------------

# Neutral sentence pairs (no PII): fillers for summaries, translations, essays.
_PARALLEL: tuple[tuple[str, str], ...] = (
    ("The quarterly report shows that revenue grew by twelve percent compared with last year.",
     "季度报告显示，收入比去年增长了百分之十二。"),
    ("Our team decided to move the weekly meeting from Monday to Wednesday afternoon.",
     "我们团队决定把每周例会从周一改到周三下午。"),
    ("The new policy requires all employees to complete security training before the end of the month.",
     "新政策要求所有员工在月底前完成安全培训。"),
    ("Customers have complained that the mobile app crashes when they upload large photos.",
     "客户反映上传大图片时手机应用会崩溃。"),
    ("Remote work has changed how companies think about office space.", "远程办公改变了公司对办公空间的看法。"),
    ("The city plans to open three new subway lines over the next five years.",
     "这座城市计划在未来五年内开通三条新的地铁线路。"),
    ("Regular exercise improves both physical health and mental well-being.", "经常锻炼对身体健康和心理健康都有好处。"),
    ("The shipment was delayed because of a storm at the port.", "由于港口遭遇暴风雨，货物延误了。"),
    ("Please make sure the database backup finishes before the maintenance window starts.",
     "请确保在维护窗口开始前完成数据库备份。"),
    ("Many students find it easier to learn programming through small projects.",
     "很多学生发现通过小项目学习编程更容易。"),
    ("The museum will extend its opening hours during the summer holiday.", "博物馆将在暑假期间延长开放时间。"),
    ("Electric cars are becoming cheaper as battery technology improves.", "随着电池技术的进步，电动汽车越来越便宜。"),
    ("The restaurant changed its menu to include more vegetarian dishes.", "这家餐厅调整了菜单，增加了更多素食菜品。"),
    ("Our website traffic doubled after the product launch.", "产品发布后，我们网站的访问量翻了一番。"),
    ("The committee will announce the final decision next Friday.", "委员会将于下周五公布最终决定。"),
    ("Drinking enough water is important, especially in hot weather.", "多喝水很重要，尤其是在炎热的天气里。"),
    ("The software update fixes several bugs and improves battery life.", "这次软件更新修复了若干漏洞，并延长了电池续航。"),
    ("Housing prices in the city center have risen sharply this year.", "今年市中心的房价大幅上涨。"),
    ("The training course consists of six online lessons and a final exam.", "该培训课程包括六节在线课程和一次期末考试。"),
    ("We need to reduce the cost of cloud storage without hurting performance.",
     "我们需要在不影响性能的前提下降低云存储成本。"),
    ("The library offers free workshops on digital skills for senior citizens.", "图书馆为老年人提供免费的数字技能讲座。"),
    ("Sales of the new model exceeded expectations in the first week.", "新款产品首周销量超出预期。"),
    ("The flight was cancelled, so the conference was moved online.", "由于航班取消，会议改为线上举行。"),
    ("Good documentation saves developers a lot of time.", "好的文档能为开发者节省大量时间。"),
    ("The school introduced a new reading program for young children.", "学校为低年级学生推出了新的阅读计划。"),
    ("Farmers are worried that the dry season will affect this year's harvest.", "农民担心旱季会影响今年的收成。"),
    ("The company will hire fifty new engineers in the second half of the year.", "公司将在下半年招聘五十名新工程师。"),
    ("Users can now export their data as a CSV file.", "用户现在可以将数据导出为CSV文件。"),
    ("The bridge will be closed for repairs until the end of October.", "这座桥将封闭维修至十月底。"),
    ("Sleep quality has a strong effect on concentration at work.", "睡眠质量对工作时的注意力有很大影响。"),
    ("The project deadline has been extended by two weeks.", "项目截止日期延长了两周。"),
    ("Online shopping increased significantly during the holiday season.", "节假日期间网购量大幅增加。"),
    ("The hospital is testing a new appointment system to shorten waiting times.",
     "医院正在试行新的预约系统以缩短等待时间。"),
    ("Air quality improved after the factory installed new filters.", "工厂安装新的过滤设备后，空气质量有所改善。"),
    ("The app now supports dark mode and larger fonts.", "该应用现在支持深色模式和大字体。"),
    ("Volunteers cleaned up the beach on Saturday morning.", "志愿者们周六上午清理了海滩。"),
)

_SYSTEM_EN = (
    "You are a helpful assistant.",
    "You are a helpful, concise assistant. Answer clearly and avoid unnecessary detail.",
    "You are CodePilot, an expert programming assistant. Always include runnable code in fenced code blocks.",
    "You are a customer support assistant for an online store. Be polite and never ask for full credit card "
    "numbers.",
    "You are a writing assistant. Help the user improve clarity, tone and grammar.",
    "You are a math tutor. Explain each step of your reasoning.",
)
_SYSTEM_ZH = (
    "你是一个乐于助人的AI助手。",
    "你是一名专业的中文写作助手，请用简洁、自然的中文回答。",
    "你是一个编程助手，回答时请给出完整可运行的代码。",
)

# request model -> model the gateway reports back
_MODELS = {
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "gpt-4o": "gpt-4o-2024-08-06",
    "qwen2.5-72b-instruct": "qwen2.5-72b-instruct",
    "llama-3.1-70b-instruct": "llama-3.1-70b-instruct",
    "deepseek-chat": "deepseek-chat",
}
_MODEL_NAMES = tuple(_MODELS)
_MODEL_WEIGHTS_EN = (40, 20, 10, 20, 10)
_MODEL_WEIGHTS_ZH = (15, 10, 35, 5, 35)

# (language label, fence tag, task_en, task_zh, code, explanation_en, explanation_zh)
_CODE = (
    ("Python", "python", "reverse a string", "反转一个字符串",
     'def reverse(s: str) -> str:\n    return s[::-1]\n\n\nprint(reverse("hello"))  # olleh',
     "Slicing with a step of -1 walks the string from the end to the start and builds a new string.",
     "步长为 -1 的切片会从末尾向开头遍历字符串，并生成一个新字符串。"),
    ("Python", "python", "read a CSV file and compute the average of a column", "读取CSV文件并计算某一列的平均值",
     'import pandas as pd\n\ndf = pd.read_csv("sales.csv")\naverage = df["amount"].mean()\n'
     'print(f"Average amount: {average:.2f}")',
     "`pd.read_csv` loads the file into a DataFrame and `.mean()` ignores missing values by default.",
     "`pd.read_csv` 会把文件读成 DataFrame，`.mean()` 默认会忽略缺失值。"),
    ("JavaScript", "javascript", "debounce a function", "实现防抖函数",
     "function debounce(fn, wait = 300) {\n  let timer;\n  return (...args) => {\n    clearTimeout(timer);\n"
     "    timer = setTimeout(() => fn(...args), wait);\n  };\n}\n\n"
     "window.addEventListener('resize', debounce(() => console.log('resized'), 200));",
     "Each call resets the timer, so `fn` only runs once the calls stop for `wait` milliseconds.",
     "每次调用都会重置定时器，只有在停止调用 `wait` 毫秒之后 `fn` 才会执行。"),
    ("SQL", "sql", "find the top 10 customers by total order value", "查询订单总金额最高的前10个客户",
     "SELECT c.customer_id,\n       c.name,\n       SUM(o.total) AS total_spent\nFROM customers c\n"
     "JOIN orders o ON o.customer_id = c.customer_id\nGROUP BY c.customer_id, c.name\n"
     "ORDER BY total_spent DESC\nLIMIT 10;",
     "The join attaches orders to customers, `GROUP BY` sums per customer and `ORDER BY ... DESC LIMIT 10` "
     "keeps the biggest spenders.",
     "先用 JOIN 关联订单和客户，再用 GROUP BY 按客户求和，最后用 ORDER BY ... DESC LIMIT 10 取前十名。"),
    ("Bash", "bash", "find all files larger than 100 MB", "查找所有大于100MB的文件",
     "find . -type f -size +100M -exec ls -lh {} \\; | sort -k5 -h",
     "`-size +100M` filters by size and `sort -k5 -h` orders the `ls -lh` output by the human-readable size column.",
     "`-size +100M` 按大小过滤，`sort -k5 -h` 按 `ls -lh` 输出中的文件大小列排序。"),
    ("Python", "python", "compute Fibonacci numbers efficiently", "高效地计算斐波那契数列",
     "from functools import lru_cache\n\n\n@lru_cache(maxsize=None)\ndef fib(n: int) -> int:\n"
     "    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n\n\nprint([fib(i) for i in range(10)])",
     "`lru_cache` memoizes results, turning the exponential recursion into linear time.",
     "`lru_cache` 会缓存计算结果，把指数级的递归变成线性时间。"),
    ("Go", "go", "write a minimal HTTP server", "写一个最简单的HTTP服务器",
     'package main\n\nimport (\n\t"fmt"\n\t"net/http"\n)\n\nfunc main() {\n'
     '\thttp.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {\n'
     '\t\tfmt.Fprintln(w, "hello")\n\t})\n\thttp.ListenAndServe(":8080", nil)\n}',
     "`http.HandleFunc` registers a handler for the root path and `ListenAndServe` blocks serving on port 8080.",
     "`http.HandleFunc` 为根路径注册处理函数，`ListenAndServe` 会在 8080 端口上阻塞运行。"),
    ("Python", "python", "remove duplicates from a list while keeping the order", "去除列表中的重复元素并保持顺序",
     "def dedupe(items):\n    return list(dict.fromkeys(items))\n\n\nprint(dedupe([3, 1, 3, 2, 1]))  # [3, 1, 2]",
     "Dictionaries keep insertion order, so `dict.fromkeys` drops duplicates without reordering.",
     "字典会保持插入顺序，所以 `dict.fromkeys` 可以去重且不改变顺序。"),
    ("Python", "python", "retry a function with exponential backoff", "实现带指数退避的重试",
     "import random\nimport time\n\n\ndef retry(fn, attempts=5, base=0.5):\n    for attempt in range(attempts):\n"
     "        try:\n            return fn()\n        except Exception:\n            if attempt == attempts - 1:\n"
     "                raise\n            time.sleep(base * 2 ** attempt + random.random() * 0.1)",
     "The delay doubles after each failure; the small random jitter keeps many clients from retrying in lockstep.",
     "每次失败后等待时间翻倍，加一点随机抖动可以避免大量客户端同时重试。"),
    ("JavaScript", "javascript", "fetch JSON from an API with async/await", "用 async/await 请求接口并解析JSON",
     "async function getJson(url) {\n  const res = await fetch(url);\n  if (!res.ok) {\n"
     "    throw new Error(`HTTP ${res.status}`);\n  }\n  return res.json();\n}\n\n"
     "getJson('/api/items').then(items => console.log(items.length));",
     "`fetch` only rejects on network errors, so the `res.ok` check turns HTTP errors into exceptions too.",
     "`fetch` 只在网络错误时才会 reject，所以需要检查 `res.ok` 把 HTTP 错误也变成异常。"),
)

# (fence tag, buggy code, error, fix explanation en, fix explanation zh, fixed code)
_BUGS = (
    ("python", "items = [1, 2, 3]\nfor i in range(len(items) + 1):\n    print(items[i])", "IndexError: list index out of range",
     "The loop goes one step too far: `range(len(items) + 1)` ends at index 3, but the last valid index is 2.",
     "循环多走了一步：`range(len(items) + 1)` 会取到下标 3，而最后一个合法下标是 2。",
     "items = [1, 2, 3]\nfor item in items:\n    print(item)"),
    ("python", 'total = 0\nfor line in open("data.txt"):\n    total += line\nprint(total)',
     "TypeError: unsupported operand type(s) for +=: 'int' and 'str'",
     "Each `line` is a string; convert it before adding, e.g. with `int(line)`.",
     "每一行 `line` 都是字符串，需要先用 `int(line)` 转换再相加。",
     'total = 0\nwith open("data.txt") as f:\n    for line in f:\n        total += int(line)\nprint(total)'),
    ("javascript", "const user = await getUser();\nconsole.log(user.profile.name);",
     "TypeError: Cannot read properties of undefined (reading 'name')",
     "`user.profile` is undefined for some users; use optional chaining to guard the access.",
     "有些用户的 `user.profile` 是 undefined，可以用可选链来避免报错。",
     "const user = await getUser();\nconsole.log(user.profile?.name ?? 'unknown');"),
    ("python", "def add_item(item, bucket=[]):\n    bucket.append(item)\n    return bucket",
     "the list keeps growing between calls",
     "Default arguments are evaluated once, so every call shares the same list. Use `None` as the default.",
     "默认参数只会求值一次，所有调用共享同一个列表。应该用 `None` 作为默认值。",
     "def add_item(item, bucket=None):\n    if bucket is None:\n        bucket = []\n    bucket.append(item)\n"
     "    return bucket"),
)

_TIPS_EN = (
    "Add type hints so your editor can catch mistakes early.",
    "Write a small unit test for the edge cases (empty input, very large input).",
    "Prefer the standard library before adding a new dependency.",
    "Log enough context to debug failures, but never log secrets or personal data.",
    "Measure before optimizing; the bottleneck is often not where you expect.",
    "Keep functions small and give them descriptive names.",
    "Handle errors explicitly instead of silently ignoring them.",
    "Use version control and commit small, focused changes.",
)
_PITFALLS_EN = (
    "Watch out for off-by-one errors at the boundaries of loops and slices.",
    "Very large inputs may need streaming instead of loading everything into memory at once.",
    "Be careful with mutable default arguments and shared state between calls.",
    "Encoding issues are common when files come from different systems; be explicit about UTF-8.",
    "Network calls can fail or hang, so set timeouts and handle retries deliberately.",
    "Floating point arithmetic is not exact; compare with a tolerance rather than with ==.",
    "Check the behaviour on empty input and on None values before relying on the result.",
)
_PITFALLS_ZH = (
    "注意循环和切片边界处的差一错误。",
    "输入数据很大时，最好使用流式处理，而不是一次性全部读入内存。",
    "不同系统产生的文件经常有编码问题，读取时请显式指定 UTF-8。",
    "网络请求可能失败或卡住，记得设置超时并合理处理重试。",
    "浮点数运算并不精确，比较时应使用误差范围而不是直接用 ==。",
)
_TIPS_ZH = (
    "加上类型注解，编辑器可以更早发现错误。",
    "为边界情况（空输入、超大输入）写几个单元测试。",
    "优先使用标准库，再考虑引入新的依赖。",
    "日志中记录足够的上下文，但不要记录密钥或个人信息。",
    "先测量再优化，瓶颈往往不在你以为的地方。",
    "保持函数短小，并使用有意义的命名。",
)

# (q_en, a_en, q_zh, a_zh)
_QA = (
    ("What is the capital of Australia?", "The capital of Australia is Canberra, not Sydney as many people assume. "
     "Canberra was chosen as a compromise between Sydney and Melbourne and became the capital in 1913.",
     "澳大利亚的首都是哪里？", "澳大利亚的首都是堪培拉，而不是很多人以为的悉尼。堪培拉是悉尼和墨尔本之间的折中选择，于1913年成为首都。"),
    ("What is the difference between TCP and UDP?", "TCP is connection-oriented: it guarantees ordered, reliable "
     "delivery with retransmissions and flow control. UDP is connectionless and sends datagrams without delivery "
     "guarantees, which makes it faster and a good fit for streaming, games and DNS.",
     "TCP和UDP有什么区别？", "TCP 是面向连接的协议，通过重传和流量控制保证数据可靠、有序地到达；UDP 是无连接的，不保证送达，但开销更小、速度更快，适合音视频、游戏和DNS等场景。"),
    ("How does photosynthesis work?", "Plants capture light energy with chlorophyll and use it to turn carbon dioxide "
     "and water into glucose, releasing oxygen as a by-product. The light-dependent reactions make ATP and NADPH, "
     "and the Calvin cycle uses them to fix carbon.",
     "光合作用是怎么进行的？", "植物利用叶绿素吸收光能，把二氧化碳和水转化为葡萄糖，同时释放氧气。光反应产生ATP和NADPH，卡尔文循环利用它们固定二氧化碳。"),
    ("What is recursion?", "Recursion is when a function calls itself to solve a smaller instance of the same "
     "problem. Every recursive function needs a base case that stops the calls, otherwise it recurses forever.",
     "什么是递归？", "递归是指函数调用自身来解决规模更小的同类问题。每个递归函数都需要一个终止条件，否则会无限调用下去。"),
    ("Why is the sky blue?", "Sunlight is scattered by the molecules in the atmosphere, and shorter blue wavelengths "
     "scatter much more than red ones (Rayleigh scattering), so blue light reaches our eyes from every direction.",
     "天空为什么是蓝色的？", "阳光穿过大气时会被空气分子散射，波长较短的蓝光比红光散射得更强（瑞利散射），所以我们从各个方向看到的都是蓝光。"),
    ("What is a black hole?", "A black hole is a region of space where gravity is so strong that nothing, not even "
     "light, can escape once it crosses the event horizon. Most form when massive stars collapse.",
     "黑洞是什么？", "黑洞是引力极强的时空区域，任何物质甚至光一旦越过事件视界都无法逃脱。大多数黑洞由大质量恒星坍缩形成。"),
    ("How do vaccines work?", "Vaccines train the immune system by exposing it to a harmless piece or version of a "
     "pathogen. The body produces antibodies and memory cells, so it can respond quickly to a real infection.",
     "疫苗的原理是什么？", "疫苗让免疫系统接触无害的病原体成分或减毒病原体，身体会产生抗体和记忆细胞，从而在真正感染时迅速作出反应。"),
    ("What is the difference between a list and a tuple in Python?", "Lists are mutable and tuples are immutable. "
     "Use a tuple for fixed collections (and as dictionary keys), and a list when you need to add or remove items.",
     "Python里列表和元组有什么区别？", "列表是可变的，元组是不可变的。固定的数据集合（或作为字典的键）用元组，需要增删元素时用列表。"),
    ("What causes inflation?", "Inflation happens when the general price level rises, usually because demand grows "
     "faster than supply, production costs increase, or the money supply expands faster than the economy.",
     "通货膨胀是什么原因造成的？", "通货膨胀是物价总水平的持续上涨，常见原因包括需求增长快于供给、生产成本上升，以及货币供应增长快于经济增长。"),
    ("How many planets are in the solar system?", "There are eight planets: Mercury, Venus, Earth, Mars, Jupiter, "
     "Saturn, Uranus and Neptune. Pluto was reclassified as a dwarf planet in 2006.",
     "太阳系有几颗行星？", "太阳系有八颗行星：水星、金星、地球、火星、木星、土星、天王星和海王星。冥王星在2006年被重新归类为矮行星。"),
    ("What is Docker used for?", "Docker packages an application with its dependencies into a container image, so it "
     "runs the same way on a laptop, a CI server and production. Containers share the host kernel, which makes "
     "them lighter than virtual machines.",
     "Docker是用来做什么的？", "Docker 把应用和它的依赖打包成容器镜像，使其在开发机、CI 服务器和生产环境中表现一致。容器共享宿主机内核，比虚拟机更轻量。"),
    ("What is the Pythagorean theorem?", "In a right triangle, the square of the hypotenuse equals the sum of the "
     "squares of the other two sides: a² + b² = c².",
     "勾股定理是什么？", "在直角三角形中，斜边的平方等于两条直角边的平方和，即 a² + b² = c²。"),
)

_CHITCHAT_EN = (
    ("hi", "Hello! How can I help you today?"),
    ("hello", "Hi there! What can I do for you?"),
    ("thanks!", "You're welcome! Let me know if there's anything else I can help with."),
    ("who are you?", "I'm an AI assistant. I can help with writing, coding, math, translation and general questions."),
    ("what can you do?", "I can answer questions, write and edit text, explain concepts, help with code, translate "
     "between languages and much more. What would you like to try?"),
    ("good morning", "Good morning! How can I help you today?"),
)
_CHITCHAT_ZH = (
    ("你好", "你好！有什么可以帮你的吗？"),
    ("谢谢", "不客气！还有其他问题随时问我。"),
    ("你是谁？", "我是一个AI助手，可以帮你写作、编程、翻译、解答问题等。"),
    ("你能做什么？", "我可以回答问题、写作和润色文字、解释概念、帮你写代码、做翻译等等。你想试试什么？"),
    ("早上好", "早上好！今天有什么需要帮忙的吗？"),
)

_SUBJECTS = (
    ("autumn", "秋天"), ("the ocean", "大海"), ("city life", "城市生活"), ("coffee", "咖啡"), ("friendship", "友谊"),
    ("the moon", "月亮"), ("a rainy day", "雨天"), ("starting a new job", "开始新工作"), ("remote work", "远程办公"),
    ("learning to code", "学习编程"),
)
_PRODUCTS = (
    ("our new noise-cancelling headphones", "新款降噪耳机"), ("a reusable water bottle", "环保水杯"),
    ("our summer sale", "夏季促销活动"), ("a budgeting app", "记账App"), ("a handmade ceramic mug", "手工陶瓷杯"),
)
_NOUNS = ("wind", "river", "window", "street", "garden", "lamp", "harbor", "silence", "shadow", "morning")
_ADJS = ("quiet", "golden", "restless", "gentle", "pale", "bright", "slow", "distant")
_POEM_EN = (
    "{S} arrives on a {adj} breath,", "the {n1} remembers the {n2},", "and every {n1} turns {adj} again,",
    "I walk where the {n1} grows still,", "{S} hums beneath the {n1},", "a {adj} hour, a {adj} song,",
    "the {n2} leans toward the light,", "we keep what the {n1} forgets.",
)
_POEM_ZH = (
    "{S}在{adj}的风里醒来，", "窗外的{n}悄悄地说话，", "我把{S}写进一封信，", "灯光落在{n}的肩上，",
    "时间在{n}里慢慢走远，", "留下一整夜的温柔。",
)
_ZH_NOUNS = ("街角", "河流", "窗台", "晚风", "灯火", "月光", "站台")
_ZH_ADJS = ("安静", "温柔", "微凉", "明亮", "遥远")

_GRAMMAR = (
    ("me and him goes to the store yesterday", "He and I went to the store yesterday."),
    ("their going to announce the results tomorrow", "They're going to announce the results tomorrow."),
    ("the data shows that less people uses the app", "The data shows that fewer people use the app."),
    ("I have saw this movie twice", "I have seen this movie twice."),
    ("each of the students have a laptop", "Each of the students has a laptop."),
)

_INTROS_EN = ("", "Sure! ", "Of course. ", "Great question! ", "Here you go. ", "Certainly! ")
_INTROS_ZH = ("", "好的，", "当然可以。", "没问题！", "好的！")
_CODE_INTROS_EN = ("Here's a simple way to {task} in {lang}:", "You can {task} like this:",
                   "Here is a {lang} version:", "One idiomatic way to {task} in {lang}:")
_CODE_INTROS_ZH = ("下面是用{lang}{task}的一种简单写法：", "可以这样{task}：", "这是一个{lang}版本的实现：")

_REPORT_EN = ("This answer is factually wrong.", "Inappropriate content.", "It ignored my instructions.",
              "The response contains someone's personal information.", "Spam")
_REPORT_ZH = ("回答内容不准确", "包含不当内容", "答非所问", "回答里泄露了个人信息")
_DOWN_EN = ("too long", "wrong answer", "didn't answer my question", "code doesn't work")
_DOWN_ZH = ("太长了", "答案错误", "没有回答我的问题", "代码跑不通")

_ALNUM = string.ascii_letters + string.digits
_UPPER_ALNUM = string.ascii_uppercase + string.digits
_US_AREA = ("212", "310", "312", "415", "512", "617", "646", "702", "206", "303", "404", "213", "305", "718")
_CN_PREFIX = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
              "157", "158", "159", "166", "176", "177", "180", "181", "185", "186", "187", "188", "189", "199")


# --------------------------------------------------------------------------------------------------
# PII
# --------------------------------------------------------------------------------------------------


class _Recorder:
    def __init__(self) -> None:
        self.seen: set[tuple[str, str]] = set()
        self.items: list[PlantedPii] = []

    def add(self, entity_type: str, value: str) -> str:
        key = (entity_type, value)
        if key not in self.seen:
            self.seen.add(key)
            self.items.append(PlantedPii(entity_type, value))
        return value


class _Pii:
    """Makes PII values and records each one with its type."""

    def __init__(self, rng: random.Random, en: Faker, zh: Faker, rec: _Recorder) -> None:
        self.rng, self.en, self.zh, self.rec = rng, en, zh, rec

    def person(self) -> str:
        return self.rec.add("PERSON", f"{self.en.first_name()} {self.en.last_name()}")

    def email(self, name: str | None = None) -> str:
        if name and self.rng.random() < 0.6:
            first, _, last = name.lower().partition(" ")
            first, last = re.sub("[^a-z]", "", first), re.sub("[^a-z]", "", last)
            local = self.rng.choice((f"{first}.{last}", f"{first[:1]}{last}", f"{first}{last}{self.rng.randint(1, 99)}"))
            value = f"{local}@{self.en.free_email_domain()}"
        else:
            value = self.en.free_email()
        return self.rec.add("EMAIL_ADDRESS", value)

    def phone(self) -> str:
        r = self.rng
        area, ex, line = r.choice(_US_AREA), f"{r.randint(2, 9)}{r.randint(0, 9)}{r.randint(1, 9)}", f"{r.randint(0, 9999):04d}"
        fmt = r.random()
        if fmt < 0.4:
            value = f"({area}) {ex}-{line}"
        elif fmt < 0.7:
            value = f"{area}-{ex}-{line}"
        elif fmt < 0.85:
            value = f"+1 {area} {ex} {line}"
        else:
            value = f"{area}.{ex}.{line}"
        return self.rec.add("PHONE_NUMBER", value)

    def cn_phone(self) -> str:
        r = self.rng
        p, a, b = r.choice(_CN_PREFIX), f"{r.randint(0, 9999):04d}", f"{r.randint(0, 9999):04d}"
        fmt = r.random()
        if fmt < 0.6:
            value = f"{p}{a}{b}"
        elif fmt < 0.75:
            value = f"+86 {p} {a} {b}"
        elif fmt < 0.85:
            value = f"+86{p}{a}{b}"
        else:
            value = f"{p}-{a}-{b}"
        return self.rec.add("CN_PHONE_NUMBER", value)

    def credit_card(self) -> str:
        kind = self.rng.choice(("visa16", "visa16", "mastercard", "mastercard", "amex", "discover"))
        digits = self.en.credit_card_number(card_type=kind)
        if len(digits) == 16 and self.rng.random() < 0.35:
            sep = self.rng.choice((" ", "-"))
            digits = sep.join(digits[i : i + 4] for i in range(0, 16, 4))
        return self.rec.add("CREDIT_CARD", digits)

    def cn_id(self) -> str:
        return self.rec.add("CN_RESIDENT_ID", self.zh.ssn(min_age=18, max_age=80))

    def ip(self) -> str:
        return self.rec.add("IP_ADDRESS", self.en.ipv4_public())

    def api_key(self, kind: str | None = None) -> str:
        r = self.rng
        kind = kind or r.choice(("sk", "sk", "aws", "gh"))
        if kind == "sk":
            value = "sk-" + "".join(r.choices(_ALNUM, k=48))
        elif kind == "aws":
            value = "AKIA" + "".join(r.choices(_UPPER_ALNUM, k=16))
        else:
            value = "ghp_" + "".join(r.choices(_ALNUM, k=36))
        return self.rec.add("API_KEY", value)

    def address(self) -> str:
        e = self.en
        return self.rec.add("ADDRESS", f"{e.street_address()}, {e.city()}, {e.state_abbr()} {e.zipcode()}")

    def ssn(self) -> str:
        return self.rec.add("US_SSN", self.en.ssn())

    def cn_person(self) -> str:
        return self.rec.add("CN_PERSON", self.zh.name())

    def cn_address(self) -> str:
        return self.rec.add("CN_ADDRESS", self.zh.address())


# --------------------------------------------------------------------------------------------------
# Conversation content
# --------------------------------------------------------------------------------------------------

AnswerFn = Callable[[], str]

_TOPICS = ("code", "bug", "qa", "writing", "summarize", "translate", "math", "chitchat", "personal")
_TOPIC_W_EN = (16, 6, 17, 14, 12, 5, 12, 10, 8)
_TOPIC_W_ZH = (10, 4, 17, 14, 14, 14, 10, 9, 8)


class _Talk:
    """Templated but varied user prompts and assistant answers, with PII planted at realistic rates."""

    USER_PII_RATE = 0.14  # of task turns (not follow-ups), plus "personal" tasks: ~15% of user turns
    ASSISTANT_PII_RATE = 0.03

    def __init__(self, rng: random.Random, pii: _Pii) -> None:
        self.rng, self.pii = rng, pii

    # -- helpers -----------------------------------------------------------------------------------
    def _sentences(self, lang: str, k: int) -> list[str]:
        picks = self.rng.sample(_PARALLEL, k)
        return [p[0] if lang == "en" else p[1] for p in picks]

    def _text(self, lang: str, lo: int, hi: int) -> str:
        sents = self._sentences(lang, self.rng.randint(lo, hi))
        return " ".join(sents) if lang == "en" else "".join(sents)

    def _intro(self, lang: str) -> str:
        return self.rng.choice(_INTROS_EN if lang == "en" else _INTROS_ZH)

    # -- tasks: each returns (user text, answer function) -----------------------------------------
    def task(self, lang: str, topic: str) -> tuple[str, AnswerFn]:
        return getattr(self, "_t_" + topic)(lang)

    def _t_code(self, lang: str) -> tuple[str, AnswerFn]:
        r = self.rng
        label, fence, task_en, task_zh, code, expl_en, expl_zh = r.choice(_CODE)
        if lang == "en":
            user = r.choice((f"How do I {task_en} in {label}?", f"Write a {label} function to {task_en}.",
                             f"{task_en} in {label}?", f"Can you show me how to {task_en} in {label}?"))
        else:
            user = r.choice((f"如何用{label}{task_zh}？", f"写一个{label}函数，{task_zh}。", f"{label}怎么{task_zh}？"))

        def answer() -> str:
            if lang == "en":
                intro = r.choice(_CODE_INTROS_EN).format(task=task_en, lang=label)
                parts = [intro, f"```{fence}\n{code}\n```", expl_en]
                if r.random() < 0.5:
                    parts += ["### Tips", "\n".join("- " + t for t in r.sample(_TIPS_EN, r.randint(3, 6)))]
                    if r.random() < 0.6:
                        parts += ["### Common pitfalls",
                                  "\n".join("- " + t for t in r.sample(_PITFALLS_EN, r.randint(3, 5))),
                                  f"Let me know if you'd like a version that handles more edge cases, or the same "
                                  f"thing in another language."]
            else:
                intro = r.choice(_CODE_INTROS_ZH).format(task=task_zh, lang=label)
                parts = [intro, f"```{fence}\n{code}\n```", expl_zh]
                if r.random() < 0.5:
                    parts += ["### 建议", "\n".join(f"{i + 1}. {t}" for i, t in enumerate(r.sample(_TIPS_ZH, 4)))]
                    if r.random() < 0.6:
                        parts += ["### 常见问题", "\n".join("- " + t for t in r.sample(_PITFALLS_ZH, 4)),
                                  "如果需要处理更多边界情况，或者换一种语言实现，请告诉我。"]
            return "\n\n".join(parts)

        return user, answer

    def _t_bug(self, lang: str) -> tuple[str, AnswerFn]:
        r = self.rng
        fence, code, error, fix_en, fix_zh, fixed = r.choice(_BUGS)
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
        q_en, a_en, q_zh, a_zh = r.choice(_QA)
        if lang == "en":
            user = r.choice((q_en, q_en, q_en.lower().rstrip("?"), f"Quick question: {q_en}", f"{q_en} Explain simply."))
        else:
            user = r.choice((q_zh, q_zh, f"请问{q_zh}", f"{q_zh}简单解释一下"))

        def answer() -> str:
            return self._intro(lang) + (a_en if lang == "en" else a_zh)

        return user, answer

    def _t_writing(self, lang: str) -> tuple[str, AnswerFn]:
        r = self.rng
        s_en, s_zh = r.choice(_SUBJECTS)
        p_en, p_zh = r.choice(_PRODUCTS)
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
                wrong, right = r.choice(_GRAMMAR)
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
                sent = r.choice(_PARALLEL)[1]
                user = f"帮我润色这句话：{sent}"

        def poem(lines: int) -> str:
            if lang == "en":
                pool = r.sample(_POEM_EN, lines)
                text = [ln.format(S=s_en.capitalize(), adj=r.choice(_ADJS), n1=r.choice(_NOUNS), n2=r.choice(_NOUNS))
                        for ln in pool]
                text[0] = text[0][0].upper() + text[0][1:]
                return "\n".join(text)
            pool = r.sample(_POEM_ZH, min(lines, len(_POEM_ZH)))
            return "\n".join(ln.format(S=s_zh, adj=r.choice(_ZH_ADJS), n=r.choice(_ZH_NOUNS)) for ln in pool)

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
        pairs = r.sample(_PARALLEL, r.randint(1, 4))
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
        q, a = self.rng.choice(_CHITCHAT_EN if lang == "en" else _CHITCHAT_ZH)
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
                              for t in r.sample(_TIPS_EN if lang == "en" else _TIPS_ZH, 3))
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


# --------------------------------------------------------------------------------------------------
# Conversations -> lines
# --------------------------------------------------------------------------------------------------

_TURNS = (1, 2, 3, 4, 5, 6)
_TURN_W = (35, 25, 17, 11, 7, 5)


class _Builder:
    def __init__(self, rng: random.Random, talk: _Talk, users: int) -> None:
        self.rng, self.talk, self.users = rng, talk, users

    def _hex(self, bits: int = 64) -> str:
        return f"{self.rng.getrandbits(bits):0{bits // 4}x}"

    def build(self, start_us: int, day_end_us: int, fmt: str) -> list[tuple[int, str]]:
        """One conversation as (timestamp, line) pairs in time order."""
        r, talk = self.rng, self.talk
        lang = "en" if r.random() < 0.75 else "zh"
        conv_id = "conv_" + self._hex()
        user_id = None if r.random() < 0.03 else f"u_{r.randrange(self.users):06d}"
        model = r.choices(_MODEL_NAMES, _MODEL_WEIGHTS_EN if lang == "en" else _MODEL_WEIGHTS_ZH)[0]
        used_ids: set[str] = set()

        def new_id() -> str:
            while True:
                mid = "msg_" + self._hex(48)
                if mid not in used_ids:
                    used_ids.add(mid)
                    return mid

        # Abstract items: ("m", ts, id, parent, role, content, history) / ("f", ts, kind, target, extra, lang)
        items: list[tuple] = []
        t = 0
        history: list[tuple[str, str]] = []  # (role, content) of the chosen path, for the openai format
        parent: str | None = None
        if r.random() < 0.85:
            system = r.choice(_SYSTEM_EN if lang == "en" else _SYSTEM_ZH)
            sid = new_id()
            items.append(("m", t, sid, None, "system", system, None))
            history.append(("system", system))
            parent = sid
            t += r.randint(5_000, 900_000)
        topic = r.choices(_TOPICS, _TOPIC_W_EN if lang == "en" else _TOPIC_W_ZH)[0]
        prev_answer = ""
        n_turns = r.choices(_TURNS, _TURN_W)[0]
        for turn in range(n_turns):
            tlang = lang
            if r.random() < 0.04:  # some users switch language mid-conversation
                tlang = "zh" if lang == "en" else "en"
            if turn == 0 or r.random() < 0.45 or not prev_answer:
                if turn > 0:
                    topic = r.choices(_TOPICS, _TOPIC_W_EN if tlang == "en" else _TOPIC_W_ZH)[0]
                user, answer_fn = talk.task(tlang, topic)
                personal = topic == "personal"
            else:
                user, answer_fn = talk.followup(tlang, prev_answer)
                personal = True  # a follow-up ("shorter please") carries no PII of its own
            if not personal and r.random() < talk.USER_PII_RATE:
                user = talk.plant_user(user, tlang)
            if turn > 0:
                t += int(r.lognormvariate(17.3, 1.0)) + 2_000_000  # think time: median ~35 s
            uid = new_id()
            items.append(("m", t, uid, parent, "user", user, None))
            history.append(("user", user))
            request = list(history)
            regenerations = 0
            answers: set[str] = set()
            while True:
                answer = answer_fn()
                for _ in range(3):  # a regenerated answer differs from the ones before it
                    if answer not in answers:
                        break
                    answer = answer_fn()
                if answer in answers:
                    answer = (r.choice(_INTROS_EN[1:]) if tlang == "en" else r.choice(_INTROS_ZH[1:])) + answer
                answers.add(answer)
                if r.random() < talk.ASSISTANT_PII_RATE:
                    answer = talk.plant_assistant(answer, tlang)
                t += 600_000 + int(len(answer) / r.uniform(60, 250) * _US)  # generation latency
                aid = new_id()
                items.append(("m", t, aid, uid, "assistant", answer, request))
                regen = self._feedback(items, aid, answer, tlang, t, regenerations)
                t = items[-1][1] + 1
                if not regen:
                    break
                regenerations += 1
            history.append(("assistant", answer))
            prev_answer = answer
            parent = aid

        # squeeze into the day if the conversation would run past midnight
        last = start_us + items[-1][1]
        if last >= day_end_us:
            scale = (day_end_us - 1 - start_us) / items[-1][1]
            prev = -1
            squeezed = []
            for it in items:
                ts = max(prev + 1, int(it[1] * scale))
                squeezed.append((it[0], ts) + it[2:])
                prev = ts
            items = squeezed
        if fmt == "openai":
            return self._openai_lines(items, start_us, conv_id, user_id, model)
        return self._event_lines(items, start_us, conv_id, user_id, model)

    def _feedback(self, items: list, aid: str, answer: str, lang: str, t: int, regenerations: int) -> bool:
        """Append feedback on one assistant message; True when the user asked to regenerate it."""
        r = self.rng
        fb: list[tuple[str, dict]] = []
        if r.random() < 0.08:
            fb.append(("copy", {}))
        u = r.random()
        down = False
        if u < 0.12:
            fb.append(("thumbs_up", {}))
        elif u < 0.18:
            down = True
            extra = {}
            if r.random() < 0.3:
                extra["comment"] = r.choice(_DOWN_EN if lang == "en" else _DOWN_ZH)
            fb.append(("thumbs_down", extra))
        if r.random() < 0.05:
            if down:
                rating = r.choice((1, 1, 2, 2, 3))
            else:
                rating = r.choices((1, 2, 3, 4, 5), (4, 6, 15, 35, 40))[0]
            fb.append(("rating", {"rating": rating}))
        if r.random() < 0.02:
            fb.append(("edit", {"edited_text": self.talk.edit(answer, lang)}))
        if r.random() < 0.005:
            fb.append(("report", {"comment": r.choice(_REPORT_EN if lang == "en" else _REPORT_ZH)}))
        regen = regenerations < 2 and r.random() < (0.285 if down else 0.035)
        if regen:
            fb.append(("regenerate", {}))
        for kind, extra in fb:
            t += r.randint(800_000, 40_000_000)
            target = None if r.random() < 0.10 else aid
            event_id = None if r.random() < 0.10 else "fb_" + self._hex()
            items.append(("f", t, kind, target, extra, event_id))
        return regen

    def _event_lines(self, items, start_us, conv_id, user_id, model) -> list[tuple[int, str]]:
        out = []
        for it in items:
            ts = start_us + it[1]
            if it[0] == "m":
                _, _, mid, parent, role, content, _ = it
                ev = MessageEvent(conversation_id=conv_id, user_id=user_id, timestamp=_dt(ts), message_id=mid,
                                  parent_id=parent, role=role, content=content,
                                  model=model if role == "assistant" else None)
            else:
                _, _, kind, target, extra, event_id = it
                ev = FeedbackEvent(conversation_id=conv_id, user_id=user_id, timestamp=_dt(ts), event_id=event_id,
                                   message_id=target, kind=kind, **extra)
            out.append((ts, ev.model_dump_json()))
        return out

    def _openai_lines(self, items, start_us, conv_id, user_id, model) -> list[tuple[int, str]]:
        out = []
        r = self.rng
        for it in items:
            if it[0] != "m" or it[4] != "assistant":
                continue  # gateways see calls, not feedback
            ts = start_us + it[1]
            content, request = it[5], it[6]
            prompt_chars = sum(len(c) for _, c in request)
            finish = "length" if len(content) > 1500 and r.random() < 0.1 else "stop"
            prompt_tokens, completion_tokens = prompt_chars // 4 + 3 * len(request), len(content) // 4 + 1
            record = {
                "timestamp": _iso_ms(ts),
                "request": {"model": model, "messages": [{"role": role, "content": c} for role, c in request],
                            "temperature": 0.7},
                "response": {
                    "id": "chatcmpl-" + "".join(r.choices(_ALNUM, k=29)),
                    "object": "chat.completion",
                    "created": ts // _US,
                    "model": _MODELS[model],
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                 "finish_reason": finish}],
                    "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                              "total_tokens": prompt_tokens + completion_tokens},
                },
                "metadata": {"conversation_id": conv_id, "user_id": user_id},
            }
            out.append((ts, json.dumps(record, ensure_ascii=False, separators=(",", ":"))))
        return out


# --------------------------------------------------------------------------------------------------
# Malformed lines
# --------------------------------------------------------------------------------------------------

_BAD_TIMESTAMPS = ("2024-13-45T99:61:00Z", "not-a-timestamp", "31/02/2024 25:00", "", "yesterday", "2024-02-30T10:00Z")
_BAD_ROLES = ("bot", "narrator", "Assistant ", "human", "")


def _malformed(line: str, fmt: str, ts_us: int, r: random.Random, pii: _Pii) -> str:
    kind = r.choices(("truncated", "garbage", "missing", "timestamp", "role", "rating"), (30, 15, 15, 15, 15, 10))[0]
    if kind == "truncated":
        return line[: r.randint(1, len(line) - 2)]  # any proper prefix of a JSON object is invalid
    if kind == "garbage":
        g = r.randrange(6)
        if g == 0:
            return "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>"
        if g == 1:
            return ("Traceback (most recent call last):   File \"/app/gateway/log.py\", line 214, in emit     "
                    "KeyError: 'choices'")
        if g == 2:
            return f"{_iso_ms(ts_us)} WARN gateway upstream timeout after 30000ms request_id=req_{r.getrandbits(48):012x}"
        if g == 3:
            return f"{_iso_ms(ts_us)} ERROR auth failed for {pii.email()} from {pii.ip()}"
        return r.choice(("null", "[]", "\"message\"", "{\"type\": \"message\",,}", "ok"))
    record = json.loads(line)
    if kind == "missing":
        if fmt == "openai":
            if r.random() < 0.5:
                record["metadata"].pop("conversation_id")
            else:
                record.pop(r.choice(("request", "response")))
        else:
            fields = ["conversation_id", "timestamp"] + (["message_id", "role"] if record["type"] == "message" else ["kind"])
            record.pop(r.choice(fields))
    elif kind == "timestamp":
        record["timestamp"] = r.choice(_BAD_TIMESTAMPS)
    elif kind == "role" or (kind == "rating" and fmt == "openai"):
        if fmt == "openai":
            r.choice(record["request"]["messages"])["role"] = r.choice(_BAD_ROLES)
        elif record["type"] == "message":
            record["role"] = r.choice(_BAD_ROLES)
        else:
            record["kind"] = r.choice(("like", "star", "THUMBS_UP"))
    else:  # rating out of range, on an events line
        if record["type"] == "message":  # turn the message into a bogus rating
            for k in ("message_id", "parent_id", "role", "content", "model"):
                record.pop(k, None)
            record["type"] = "feedback"
        record["kind"] = "rating"
        record["rating"] = r.choice((0, 6, 10, -1, 4.5e9))
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


# --------------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------------

_OWN_FILE = re.compile(r"(events|openai)-\d{5}\.jsonl(\.gz)?")


class _Writer:
    """Rolls `<prefix>-NNNNN.jsonl[.gz]` files every lines_per_file lines; reproducible gzip headers."""

    def __init__(self, day_dir: Path, prefix: str, gz: bool, lines_per_file: int, files: list[str]) -> None:
        self.day_dir, self.prefix, self.gz, self.limit, self.files = day_dir, prefix, gz, lines_per_file, files
        self.index = 0
        self.count = 0
        self.raw = None
        self.stream = None
        self.buf: list[str] = []

    def _open(self) -> None:
        path = self.day_dir / f"{self.prefix}-{self.index:05d}.jsonl{'.gz' if self.gz else ''}"
        self.index += 1
        self.count = 0
        self.raw = open(path, "wb")
        self.stream = _gzip.GzipFile(filename="", mode="wb", compresslevel=6, fileobj=self.raw, mtime=0) if self.gz \
            else self.raw
        self.files.append(str(path))

    def _flush(self) -> None:
        if self.buf:
            self.stream.write("".join(self.buf).encode("utf-8"))
            self.buf.clear()

    def write(self, line: str) -> None:
        if self.stream is None or self.count >= self.limit:
            self.close()
            self._open()
        self.buf.append(line + "\n")
        self.count += 1
        if len(self.buf) >= 2000:
            self._flush()

    def close(self) -> None:
        if self.stream is not None:
            self._flush()
            if self.gz:
                self.stream.close()
            self.raw.close()
            self.stream = self.raw = None


# --------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------


def generate_logs(
    out_dir: str | Path,
    days: Iterable[date],
    conversations_per_day: int = 200,
    *,
    seed: int = 7,
    log_format: str = "events",
    malformed_rate: float = 0.01,
    gzip: bool = True,
    lines_per_file: int = 50_000,
) -> GeneratedLogs:
    """Write realistic sample logs for each day under out_dir; see the module docstring.

    log_format: "events" (schemas.events lines), "openai" (gateway lines) or "mixed" (each conversation goes
    to one or the other, ~65/35, so every day has both kinds of file).
    Files of our own naming pattern already in a day directory are removed first, so a rerun with other
    arguments leaves no stale files behind.
    """
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log_format must be one of {LOG_FORMATS}, got {log_format!r}")
    if not 0 <= malformed_rate < 1:
        raise ValueError(f"malformed_rate must be in [0, 1), got {malformed_rate}")
    if conversations_per_day < 0:
        raise ValueError("conversations_per_day must be >= 0")
    if lines_per_file < 1:
        raise ValueError("lines_per_file must be >= 1")
    day_list = [d.date() if isinstance(d, datetime) else d for d in days]
    if len(set(day_list)) != len(day_list):
        raise ValueError("days must not repeat")

    out = Path(out_dir)
    result = GeneratedLogs()
    rec = _Recorder()
    fake_en, fake_zh = Faker("en_US"), Faker("zh_CN")
    for day in day_list:
        _generate_day(out, day, conversations_per_day, seed, log_format, malformed_rate, gzip, lines_per_file,
                      fake_en, fake_zh, rec, result)
    result.planted_pii = rec.items
    return result


def _generate_day(out: Path, day: date, n: int, seed: int, log_format: str, malformed_rate: float, gz: bool,
                  lines_per_file: int, fake_en: Faker, fake_zh: Faker, rec: _Recorder, result: GeneratedLogs) -> None:
    day_dir = out / day.isoformat()
    day_dir.mkdir(parents=True, exist_ok=True)
    for old in day_dir.iterdir():
        if _OWN_FILE.fullmatch(old.name) and old.is_file():
            old.unlink()

    key = day.isoformat()
    rng = random.Random(_derive(seed, key, log_format, "content"))
    mrng = random.Random(_derive(seed, key, log_format, "malformed"))
    fake_en.seed_instance(_derive(seed, key, "faker-en"))
    fake_zh.seed_instance(_derive(seed, key, "faker-zh"))
    pii = _Pii(rng, fake_en, fake_zh, rec)
    mpii = _Pii(mrng, fake_en, fake_zh, rec)
    builder = _Builder(rng, _Talk(rng, pii), users=max(10, n // 3))
    writers = {f: _Writer(day_dir, f, gz, lines_per_file, result.files) for f in ("events", "openai")}

    day_start = int((datetime(day.year, day.month, day.day, tzinfo=timezone.utc) - _EPOCH).total_seconds()) * _US
    day_end = day_start + _DAY_US
    heap: list[tuple[int, int, str, str]] = []
    seq = 0

    def emit(ts: int, fmt: str, line: str) -> None:
        w = writers[fmt]
        w.write(line)
        result.lines += 1
        result.events += 1
        if malformed_rate and mrng.random() < malformed_rate:
            w.write(_malformed(line, fmt, ts, mrng, mpii))
            result.lines += 1
            result.malformed_lines += 1

    for i in range(n):
        start = day_start + _start_offset_us(i, n, rng)
        while heap and heap[0][0] < start:
            ts, _, fmt, line = heapq.heappop(heap)
            emit(ts, fmt, line)
        if log_format == "mixed":
            fmt = "events" if rng.random() < 0.65 else "openai"
        else:
            fmt = log_format
        for ts, line in builder.build(start, day_end, fmt):
            heapq.heappush(heap, (ts, seq, fmt, line))
            seq += 1
    while heap:
        ts, _, fmt, line = heapq.heappop(heap)
        emit(ts, fmt, line)
    for w in writers.values():
        w.close()


def main(argv: list[str] | None = None) -> int:
    """python -m flywheel.sample_logs OUT_DIR --start 2024-05-01 --days 3 --conversations 200"""
    import argparse
    import time

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("out_dir")
    ap.add_argument("--start", type=date.fromisoformat, default=date(2024, 5, 1))
    ap.add_argument("--days", type=int, default=1)
    ap.add_argument("--conversations", type=int, default=200, help="conversations per day")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--format", choices=LOG_FORMATS, default="events")
    ap.add_argument("--malformed-rate", type=float, default=0.01)
    ap.add_argument("--no-gzip", action="store_true")
    ap.add_argument("--lines-per-file", type=int, default=50_000)
    ap.add_argument("--pii-out", help="write the planted PII as JSON lines here")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    logs = generate_logs(a.out_dir, [a.start + timedelta(days=i) for i in range(a.days)], a.conversations,
                         seed=a.seed, log_format=a.format, malformed_rate=a.malformed_rate, gzip=not a.no_gzip,
                         lines_per_file=a.lines_per_file)
    dt = time.perf_counter() - t0
    if a.pii_out:
        with open(a.pii_out, "w", encoding="utf-8") as f:
            for p in logs.planted_pii:
                f.write(json.dumps({"entity_type": p.entity_type, "value": p.value}, ensure_ascii=False) + "\n")
    print(f"{len(logs.files)} files, {logs.lines} lines ({logs.malformed_lines} malformed), {logs.events} events, "
          f"{len(logs.planted_pii)} planted PII values, {dt:.1f}s ({logs.events / max(dt, 1e-9):,.0f} events/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
