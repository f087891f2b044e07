"""Chinese names in running text, without a naming phrase (transforms.scrub.chinese_running_names),
and the kinds of false alarm it must not raise."""

from __future__ import annotations

import pytest

from scrub_helpers import found


def persons(scrubber, text: str) -> list[str]:
    return [value for kind, value in found(scrubber, text) if kind == "PERSON"]


@pytest.mark.parametrize(
    "text,name",
    [
        ("分享歌曲，萧亚轩的新歌真好听", "萧亚轩"),  # a rare dictionary name, no naming phrase
        ("感谢雪莹的礼物，太喜欢了", "雪莹"),  # a given name alone, after thanks
        ("期待阿强和小玲在一起", "小玲"),  # nickname in an enumeration
        ("//@張夢如:看見了！", "張夢如"),  # traditional surname after an @mention
        ("昨天遇到弗里曼说了几句话", "弗里曼"),  # transliterated name between meeting and speaking
    ],
)
def test_names_without_naming_phrase(presidio, text, name):
    assert name in persons(presidio, text)


def test_conjunction_is_not_swallowed_into_a_name(presidio):
    # 主唱 is no name, so 和 is the conjunction: "和陈皮", "和微博" are no names either
    for text in ("乐队主唱汪峰和张三一起唱歌", "将干荷叶，干山楂，薏米和陈皮清洗一下",
                 "小姐和微博位置小位子也来到了同一个地方"):
        assert not any(name.startswith("和") for name in persons(presidio, text)), text


def test_names_are_not_cut_out_of_transliterated_places(presidio):
    # jieba: 沃尔/nr 库塔/nrt - 沃 is a surname, 沃尔 is no name
    assert persons(presidio, "他被流放到沃尔库塔的劳改营，在那里待了十年。") == []


@pytest.mark.parametrize("text", ["我用安卓手机已经三年了", "自己，关爱家人转敬请关注安卓精选",
                                  "新买的雪佛兰科鲁兹很好开"])
def test_brands_are_not_names(presidio, text):
    assert persons(presidio, text) == []


# Ordinary running text with surname characters, given-name characters and context words.
CN_RUNNING_NO_NAMES = [
    "感谢大家的支持，我们下周见。",
    "期待明天的天气好一点。",
    "和朋友一起去吃火锅了。",
    "小明天要去上学吗？",
    "谢谢老板的红包！",
    "关注我们的微博，每天都有惊喜。",
    "@所有人 明天开会",
    "张开嘴巴，深呼吸。",
    "我和妈妈去了北京天安门。",
    "黄金周去哪里玩比较好？",
]


def test_running_text_without_names(presidio):
    flagged = {text: persons(presidio, text) for text in CN_RUNNING_NO_NAMES}
    assert not {text: names for text, names in flagged.items() if names}
