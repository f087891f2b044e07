"""Chinese person names (transforms.scrub.chinese_names): jieba POS tags and naming contexts."""

from __future__ import annotations

import pytest

from scrub_helpers import found, types


def test_chinese_names(presidio):
    assert ("PERSON", "张伟") in found(presidio, "我叫张伟，住在北京。")
    assert ("PERSON", "王小明") in found(presidio, "王小明的电话是13812345678")
    assert ("PERSON", "何志强") in found(presidio, "经理何志强今天请假")
    assert ("PERSON", "李娜") in found(presidio, "李娜女士您好")


def test_chinese_common_words_are_not_names(presidio):
    text = "好的谢谢，我明白了，这个武功很厉害，顾问说王朝很强大。请问黄山怎么去？"
    assert "PERSON" not in types(presidio, text)


@pytest.mark.parametrize(
    "text,name",
    [
        ("如有疑问请联系乔想，电话13812345678。", "乔想"),  # jieba: 乔 / 想(v)
        ("如有疑问请联系洪玉兰，电话13812345678。", "洪玉兰"),
        ("黑洞是什么？\n我叫鞠敏，手机13812345678。", "鞠敏"),
        ("如有疑问请联系高欢，电话13812345678。", "高欢"),  # jieba: 高欢(v)
        ("帮我写一张请假条。我叫周建华，手机13812345678。", "周建华"),  # 周 / 建华(nz)
        ("请联系文建华，电话：13812345678。", "文建华"),
        ("收件人辜颖，电话13812345678", "辜颖"),  # surname missing from our list
        ("请拨打13812345678联系鄢瑞。", "鄢瑞"),
        ("和李娜说一下会议改期了", "李娜"),
        ("周建平先生您好，您的订单已发货。", "周建平"),
        ("尊敬的邱丹丹女士：", "邱丹丹"),
        ("请联系谢建国处理。", "谢建国"),
        ("联系人：欧阳娜娜", "欧阳娜娜"),
        ("我是常坤，手机13750042671，帮我给物业写一条报修的短信。", "常坤"),  # found by the leak check
    ],
)
def test_chinese_names_in_context(presidio, text, name):
    assert ("PERSON", name) in found(presidio, text)


# Ordinary sentences, many with naming-context words used otherwise: no PERSON at all.
CN_NO_NAMES = """
我是高中生，想学编程。|我是江苏人，现在在上海工作。|我是程序员，每天写代码。|我是金融行业的从业者。
我是单身，想找个对象。|我是白领，工作压力很大。|我是华为的员工。|我是文科生，数学不好。|我是石油工人。
我是马上要毕业的大学生。|这是关于人工智能的文章。|这是方便面的做法。|这是黄色的还是橙色的？|联系方式：请在官网查看。
请联系客服处理退款。|如有问题请联系管理员。|联系时请说明订单号。|请联系房东确认一下。|请联系商家修改地址。
联系程序员修复这个bug。|请联系华为售后。|我叫了外卖，还没到。|给高层汇报工作进度。|给文件命名要规范。
和高中同学聊了很久。|和田玉的价格怎么样？|和平是人类共同的愿望。|与时俱进是很重要的。|同时要注意安全。
找房子要注意什么？|问路的时候要有礼貌。|谢谢你的帮助，我学到了很多。|叶绿素吸收红光和蓝光。|解方程的时候要先移项。
申请人需要提交身份证明。|何时能完成这个项目？|高铁比飞机更准时。|黄金价格最近上涨了。|万一失败了怎么办？
宁可慢一点也要保证质量。|康复训练需要坚持。|谢谢老师的指导。|联系方式见附件。|联系本人。|联系销售。
我叫车去公司。|我是湖南长沙人。|我是高三学生。|这是高铁站吗？|这是金属材料。|和高手过招。|跟时间赛跑。
收件人信息不完整。|寄件人需要填写电话。|姓名一栏不能为空。|本人承诺以上信息属实。|请转告沈阳分公司。
好的谢谢，我明白了，这个武功很厉害，顾问说王朝很强大。请问黄山怎么去？
""".replace("\n", "").split("|")


def test_chinese_sentences_without_names(presidio):
    flagged = {text: found(presidio, text) for text in CN_NO_NAMES}
    flagged = {text: spans for text, spans in flagged.items() if any(t == "PERSON" for t, _ in spans)}
    assert not flagged


def test_junk_spacy_span_does_not_hide_chinese_name(presidio):
    # the capital X makes spaCy run; it tags most of the sentence as one PERSON, which is dropped
    # (CJK, digits) - it must not take the name found inside it along
    text = "请问澳大利亚的首都是哪里？\n收货地址：西藏自治区红梅市城东姚路X座 136971，收件人邓宁，联系电话15590753811。"
    assert ("PERSON", "邓宁") in found(presidio, text)


def test_jieba_cuts_are_cached_per_run(presidio):
    from transforms.scrub.chinese_names import ChinesePersonRecognizer

    recognizer = next(r for r in presidio._analyzer.registry.recognizers
                      if isinstance(r, ChinesePersonRecognizer))
    presidio.clear_caches()
    presidio.find_spans("请联系王小明处理，谢谢")
    misses = recognizer.cut_cache.misses
    presidio.find_spans("Order 12345: 请联系王小明处理，谢谢")  # new text, same CJK runs
    assert recognizer.cut_cache.misses == misses and recognizer.cut_cache.hits >= 2


def test_the_jieba_dictionary_is_loaded_once_per_process_and_only_read(presidio):
    """A second recognizer (another scrubber of the worker) shares the first one's dictionary, POS
    table and statistics instead of loading them again, and finds the same names."""
    from transforms.scrub.chinese_names import ChinesePersonRecognizer

    first = next(r for r in presidio._analyzer.registry.recognizers if isinstance(r, ChinesePersonRecognizer))
    second = ChinesePersonRecognizer()
    assert second.freq is first.freq and second.word_tags is first.word_tags and second.stats is first.stats
    assert second._tagger is not first._tagger  # each has its own CRF tagger (and lock)
    size = len(first.freq)
    text = "我和王小明昨天去了上海，见到了李华。"
    found = [(r.start, r.end) for r in second.analyze(text, ["PERSON"])]
    assert found and found == [(r.start, r.end) for r in first.analyze(text, ["PERSON"])]
    assert len(first.freq) == size  # cutting added no word
