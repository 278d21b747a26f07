"""The comparison marks whole words and figures: a changed date or number is one replacement."""
from __future__ import annotations

from webapp.review.compare import char_diff

DEL = '<del class="diff-del"><span class="visually-hidden">［削除］</span>'
INS = '<ins class="diff-ins"><span class="visually-hidden">［追加］</span>'


def test_text_is_cut_into_runs_of_one_script_and_whole_figures():
    from webapp.review.compare import tokens
    assert tokens("2024.8.29に九州観光機構がDMOセミナーを開催（3回）。") == [
        "2024.8.29", "に", "九州観光機構", "が", "DMO", "セミナー", "を", "開催", "（", "3", "回",
        "）", "。"]
    assert tokens("１２，３４５人、ｗｅｂで") == ["１２，３４５", "人", "、", "ｗｅｂ", "で"]


def test_a_changed_date_is_one_marked_replacement():
    left, right, changed = char_diff("23.8.30に実務者会議を開催", "2024.8.29に実務者会議を開催")
    assert changed
    assert left == f"{DEL}23.8.30</del>に実務者会議を開催"
    assert right == f"{INS}2024.8.29</ins>に実務者会議を開催"


def test_a_changed_number_leaves_no_stray_digits():
    left, right, _ = char_diff("参加者は120人だった", "参加者は210人となった")
    assert left == f"参加者は{DEL}120</del>人{DEL}だった</del>"
    assert right == f"参加者は{INS}210</ins>人{INS}となった</ins>"


def test_a_rewritten_phrase_is_marked_by_whole_words():
    # A lone particle between two changes reads as part of the change, not as an island.
    left, right, _ = char_diff("地熱資源の活用を推進する。", "地熱資源の利活用を強力に推進した。")
    assert left == f"地熱資源の{DEL}活用を</del>推進{DEL}する</del>。"
    assert right == f"地熱資源の{INS}利活用を強力に</ins>推進{INS}した</ins>。"
