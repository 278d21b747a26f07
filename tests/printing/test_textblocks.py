import pytest

from webapp.printing.textblocks import Block, is_fullwidth, marker_width_em, parse


def test_plain_lines_and_blank_lines():
    assert parse("一行目\n\n二行目\n") == [Block(0, "", "一行目"), Block(0, "", "二行目")]
    assert parse("") == [] and parse(None) == []


def test_two_spaces_nest_one_level_as_in_the_data():
    text = "・２０２３年度末までの件数：２８件\n  ※近年のプロジェクト\n  ・福岡県水素拠点化推進協議会を設立"
    assert parse(text) == [
        Block(0, "・", "２０２３年度末までの件数：２８件"),
        Block(1, "※", "近年のプロジェクト"),
        Block(1, "・", "福岡県水素拠点化推進協議会を設立"),
    ]


def test_deeper_indent_and_cap():
    assert parse("    ・四つ")[0].level == 2
    assert parse(" ・一つ")[0].level == 0          # a stray space does not nest
    assert parse("\t・タブ")[0].level == 1
    assert parse(" " * 20 + "深い")[0].level == 3   # capped


@pytest.mark.parametrize("line, marker, body", [
    ("・項目", "・", "項目"),
    ("○見出し", "○", "見出し"),
    ("〇見出し", "〇", "見出し"),
    ("●黒丸", "●", "黒丸"),
    ("◆菱形", "◆", "菱形"),
    ("■四角", "■", "四角"),
    ("□白四角", "□", "白四角"),
    ("※注記", "※", "注記"),
    ("• 点", "•", "点"),
    ("① 一", "①", "一"),
    ("⑳二十", "⑳", "二十"),
    ("㉑二十一", "㉑", "二十一"),
    ("（１）全角括弧", "（１）", "全角括弧"),
    ("(1)半角括弧", "(1)", "半角括弧"),
    ("(２）混在", "(２）", "混在"),
    ("（ア）カナ", "（ア）", "カナ"),
    ("１．全角", "１．", "全角"),
    ("1. half", "1.", "half"),
    ("2)かっこ", "2)", "かっこ"),
    ("⇒ 2025年までに", "⇒", "2025年までに"),
    ("- dash item", "-", "dash item"),
    ("・　全角空白の後", "・", "全角空白の後"),
])
def test_markers(line, marker, body):
    assert parse(line) == [Block(0, marker, body)]


@pytest.mark.parametrize("line", [
    "2.5GW/2.5GW（進捗率26.3％）",      # a decimal, not "2."
    "2024.3月末時点938件",
    "2030年の目標",
    "（アフターコロナ）",                # a parenthesised heading, not "(ア)"
    "【目標】",
    "＜会員数＞",
    "[設立日] 2001年9月",
    "-5%の減少",
    "第１回会議",
    "e.g. an example",
])
def test_not_markers(line):
    assert parse(line) == [Block(0, "", line)]


def test_fullwidth_space_is_a_paragraph_indent_unless_a_marker_follows():
    assert parse("\u3000本文") == [Block(0, "", "\u3000本文")]
    assert parse("\u3000・項目") == [Block(1, "・", "項目")]


def test_crlf_and_trailing_spaces():
    assert parse("・a  \r\n・b\r") == [Block(0, "・", "a"), Block(0, "・", "b")]


def test_markup_is_just_text():
    # The parser never interprets HTML; escaping is the template's job.
    assert parse('<img src="file:///etc/passwd">') == [
        Block(0, "", '<img src="file:///etc/passwd">')]


def test_marker_widths():
    assert marker_width_em("・") == 1.0
    assert marker_width_em("（１）") == 3.0
    assert marker_width_em("(1)") == 2.0
    assert is_fullwidth("（１）") and not is_fullwidth("(1)")
