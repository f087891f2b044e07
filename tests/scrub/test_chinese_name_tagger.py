"""The learned tagger of Chinese person names (transforms.scrub.chinese_name_tagger) and the news
rules beside it: formal full names, 记者XXX, titles before transliterated names, Latin-script names
inside Chinese text; and news text without names stays untouched."""

from __future__ import annotations

import pytest

from scrub_helpers import found
from transforms.scrub.chinese_name_tagger import MODEL_PATH, name_spans


def persons(scrubber, text: str) -> list[str]:
    return [value for kind, value in found(scrubber, text) if kind == "PERSON"]


@pytest.mark.parametrize(
    "text,names",
    [
        ("新华社北京3月5日电（记者王晓峰）国务院总理李克强今天作政府工作报告。", ["王晓峰", "李克强"]),
        ("据本报记者张建国报道，美国总统奥巴马会见了德国总理默克尔。", ["张建国", "奥巴马", "默克尔"]),
        ("中国女排主教练郎平表示，朱婷和张常宁的状态都很好。", ["郎平", "朱婷", "张常宁"]),
        ("昨天下午，市公安局副局长刘志明带队检查了消防工作。", ["刘志明"]),
        ("英国首相特雷莎·梅宣布将提前举行大选。", ["特雷莎·梅"]),
        ("俄罗斯总统普京与印度总理莫迪通了电话。", ["普京", "莫迪"]),  # 普京: jieba says ns
        ("本届奥运会上，孙杨获得了男子四百米自由泳金牌。", ["孙杨"]),
        ("外交部发言人华春莹在例行记者会上回答了提问。", ["华春莹"]),
        ("本报记者李明远、通讯员赵小兵报道：", ["李明远", "赵小兵"]),
        ("浙江大学教授陈建华的研究团队在国际期刊上发表了论文。", ["陈建华"]),
        ("法国总统马克龙与德国总理朔尔茨在柏林举行会谈。", ["马克龙", "朔尔茨"]),
        ("美国国务卿蓬佩奥今天抵达北京，开始为期两天的访问。", ["蓬佩奥"]),
    ],
)
def test_names_in_news_text(presidio, text, names):
    assert set(names) <= set(persons(presidio, text))


@pytest.mark.parametrize("text,name", [("我跟Jennifer说过这件事。", "Jennifer"),
                                       ("昨天和Michael一起吃的饭，他请客。", "Michael")])
def test_latin_names_inside_chinese_text(presidio, text, name):
    assert name in persons(presidio, text)


NEWS_WITHOUT_NAMES = [
    "国家统计局今天发布了上半年的经济数据，国内生产总值同比增长百分之六。",
    "上海证券交易所的成交量今天明显放大。",
    "华为公司发布了新款手机，售价四千元。",
    "教育部要求各地做好高考的组织工作。",
    "黄河水利委员会发布了汛情通报。",
    "总统府发言人表示，会谈取得了积极成果。",
    "市长热线接到的投诉比去年减少了三成。",
    "我们公司的安全生产工作做得很好。",
    "今天的天气很好，我们去公园散步吧。",
    "会议定于下周三上午九点在三楼会议室召开。",
    "南京长江大桥是我国自行设计建造的双层铁路公路桥。",
    "王府井大街上的游客越来越多了。",
    "高速公路上发生了一起交通事故，造成两人受伤。",
    "这家餐厅的红烧肉特别好吃，下次还来。",
]


def test_news_without_names(presidio):
    flagged = {text: persons(presidio, text) for text in NEWS_WITHOUT_NAMES}
    assert not {text: names for text, names in flagged.items() if names}


def no_latin_names(word: str) -> bool:
    return False


def test_name_spans_are_runs_over_the_threshold_with_a_peak():
    text = "我和张三说，"
    probabilities = [0.1, 0.2, 0.9, 0.8, 0.3, 0.9]  # the comma is no name character
    assert [(s, e) for s, e, _ in name_spans(text, probabilities, no_latin_names, 0.5, 0.6)] == [(2, 4)]
    assert name_spans(text, probabilities, no_latin_names, 0.5, 0.95) == []  # no character at the peak
    assert name_spans("我张", [0.1, 0.9], no_latin_names, 0.5, 0.6) == []  # one character is no name


def test_name_spans_leave_out_digits_titles_and_latin_words_that_are_no_names():
    assert [(s, e) for s, e, _ in name_spans("李帆123", [0.9] * 5, no_latin_names, 0.5, 0.6)] == [(0, 2)]
    assert [(s, e) for s, e, _ in name_spans("周建平先生", [0.9] * 5, no_latin_names, 0.5, 0.6)] == [(0, 3)]
    assert name_spans("Email", [0.9] * 5, no_latin_names, 0.5, 0.6) == []
    assert name_spans("Tom", [0.9] * 3, lambda word: word == "Tom", 0.5, 0.6) == [(0, 3, 0.9)]


def test_the_trained_model_ships_with_the_package():
    assert MODEL_PATH.is_file() and MODEL_PATH.stat().st_size > 10_000
