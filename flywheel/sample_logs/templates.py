"""The generator's text data: system prompts, models, and the corpora the conversations are made from.

This module is data, not logic, and is long on purpose: neutral English/Chinese sentence pairs, code
snippets and bugs with their fixes, QA pairs, chit-chat, writing subjects, poem lines, answer intros and
the topic mix. None of it contains PII (planted PII comes from `pii.py`). Changing any entry changes the
generated logs for every seed.
"""

from __future__ import annotations

# Neutral sentence pairs (no PII): fillers for summaries, translations, essays.
PARALLEL: tuple[tuple[str, str], ...] = (
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

SYSTEM_EN = (
    "You are a helpful assistant.",
    "You are a helpful, concise assistant. Answer clearly and avoid unnecessary detail.",
    "You are CodePilot, an expert programming assistant. Always include runnable code in fenced code blocks.",
    "You are a customer support assistant for an online store. Be polite and never ask for full credit card "
    "numbers.",
    "You are a writing assistant. Help the user improve clarity, tone and grammar.",
    "You are a math tutor. Explain each step of your reasoning.",
)
SYSTEM_ZH = (
    "你是一个乐于助人的AI助手。",
    "你是一名专业的中文写作助手，请用简洁、自然的中文回答。",
    "你是一个编程助手，回答时请给出完整可运行的代码。",
)

# request model -> model the gateway reports back
MODELS = {
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "gpt-4o": "gpt-4o-2024-08-06",
    "qwen2.5-72b-instruct": "qwen2.5-72b-instruct",
    "llama-3.1-70b-instruct": "llama-3.1-70b-instruct",
    "deepseek-chat": "deepseek-chat",
}
MODEL_NAMES = tuple(MODELS)
MODEL_WEIGHTS_EN = (40, 20, 10, 20, 10)
MODEL_WEIGHTS_ZH = (15, 10, 35, 5, 35)

# (language label, fence tag, task_en, task_zh, code, explanation_en, explanation_zh)
CODE = (
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
BUGS = (
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

TIPS_EN = (
    "Add type hints so your editor can catch mistakes early.",
    "Write a small unit test for the edge cases (empty input, very large input).",
    "Prefer the standard library before adding a new dependency.",
    "Log enough context to debug failures, but never log secrets or personal data.",
    "Measure before optimizing; the bottleneck is often not where you expect.",
    "Keep functions small and give them descriptive names.",
    "Handle errors explicitly instead of silently ignoring them.",
    "Use version control and commit small, focused changes.",
)
PITFALLS_EN = (
    "Watch out for off-by-one errors at the boundaries of loops and slices.",
    "Very large inputs may need streaming instead of loading everything into memory at once.",
    "Be careful with mutable default arguments and shared state between calls.",
    "Encoding issues are common when files come from different systems; be explicit about UTF-8.",
    "Network calls can fail or hang, so set timeouts and handle retries deliberately.",
    "Floating point arithmetic is not exact; compare with a tolerance rather than with ==.",
    "Check the behaviour on empty input and on None values before relying on the result.",
)
PITFALLS_ZH = (
    "注意循环和切片边界处的差一错误。",
    "输入数据很大时，最好使用流式处理，而不是一次性全部读入内存。",
    "不同系统产生的文件经常有编码问题，读取时请显式指定 UTF-8。",
    "网络请求可能失败或卡住，记得设置超时并合理处理重试。",
    "浮点数运算并不精确，比较时应使用误差范围而不是直接用 ==。",
)
TIPS_ZH = (
    "加上类型注解，编辑器可以更早发现错误。",
    "为边界情况（空输入、超大输入）写几个单元测试。",
    "优先使用标准库，再考虑引入新的依赖。",
    "日志中记录足够的上下文，但不要记录密钥或个人信息。",
    "先测量再优化，瓶颈往往不在你以为的地方。",
    "保持函数短小，并使用有意义的命名。",
)

# (q_en, a_en, q_zh, a_zh)
QA = (
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

CHITCHAT_EN = (
    ("hi", "Hello! How can I help you today?"),
    ("hello", "Hi there! What can I do for you?"),
    ("thanks!", "You're welcome! Let me know if there's anything else I can help with."),
    ("who are you?", "I'm an AI assistant. I can help with writing, coding, math, translation and general questions."),
    ("what can you do?", "I can answer questions, write and edit text, explain concepts, help with code, translate "
     "between languages and much more. What would you like to try?"),
    ("good morning", "Good morning! How can I help you today?"),
)
CHITCHAT_ZH = (
    ("你好", "你好！有什么可以帮你的吗？"),
    ("谢谢", "不客气！还有其他问题随时问我。"),
    ("你是谁？", "我是一个AI助手，可以帮你写作、编程、翻译、解答问题等。"),
    ("你能做什么？", "我可以回答问题、写作和润色文字、解释概念、帮你写代码、做翻译等等。你想试试什么？"),
    ("早上好", "早上好！今天有什么需要帮忙的吗？"),
)

SUBJECTS = (
    ("autumn", "秋天"), ("the ocean", "大海"), ("city life", "城市生活"), ("coffee", "咖啡"), ("friendship", "友谊"),
    ("the moon", "月亮"), ("a rainy day", "雨天"), ("starting a new job", "开始新工作"), ("remote work", "远程办公"),
    ("learning to code", "学习编程"),
)
PRODUCTS = (
    ("our new noise-cancelling headphones", "新款降噪耳机"), ("a reusable water bottle", "环保水杯"),
    ("our summer sale", "夏季促销活动"), ("a budgeting app", "记账App"), ("a handmade ceramic mug", "手工陶瓷杯"),
)
NOUNS = ("wind", "river", "window", "street", "garden", "lamp", "harbor", "silence", "shadow", "morning")
ADJS = ("quiet", "golden", "restless", "gentle", "pale", "bright", "slow", "distant")
POEM_EN = (
    "{S} arrives on a {adj} breath,", "the {n1} remembers the {n2},", "and every {n1} turns {adj} again,",
    "I walk where the {n1} grows still,", "{S} hums beneath the {n1},", "a {adj} hour, a {adj} song,",
    "the {n2} leans toward the light,", "we keep what the {n1} forgets.",
)
POEM_ZH = (
    "{S}在{adj}的风里醒来，", "窗外的{n}悄悄地说话，", "我把{S}写进一封信，", "灯光落在{n}的肩上，",
    "时间在{n}里慢慢走远，", "留下一整夜的温柔。",
)
ZH_NOUNS = ("街角", "河流", "窗台", "晚风", "灯火", "月光", "站台")
ZH_ADJS = ("安静", "温柔", "微凉", "明亮", "遥远")

GRAMMAR = (
    ("me and him goes to the store yesterday", "He and I went to the store yesterday."),
    ("their going to announce the results tomorrow", "They're going to announce the results tomorrow."),
    ("the data shows that less people uses the app", "The data shows that fewer people use the app."),
    ("I have saw this movie twice", "I have seen this movie twice."),
    ("each of the students have a laptop", "Each of the students has a laptop."),
)

INTROS_EN = ("", "Sure! ", "Of course. ", "Great question! ", "Here you go. ", "Certainly! ")
INTROS_ZH = ("", "好的，", "当然可以。", "没问题！", "好的！")
CODE_INTROS_EN = ("Here's a simple way to {task} in {lang}:", "You can {task} like this:",
                  "Here is a {lang} version:", "One idiomatic way to {task} in {lang}:")
CODE_INTROS_ZH = ("下面是用{lang}{task}的一种简单写法：", "可以这样{task}：", "这是一个{lang}版本的实现：")

# Topics a conversation is about (`Talk.task` dispatches on the name), and their mix per language.
TOPICS = ("code", "bug", "qa", "writing", "summarize", "translate", "math", "chitchat", "personal")
TOPIC_W_EN = (16, 6, 17, 14, 12, 5, 12, 10, 8)
TOPIC_W_ZH = (10, 4, 17, 14, 14, 14, 10, 9, 8)
