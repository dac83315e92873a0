"""similar.text: the segmentation every match rests on."""

from similar.text import phrases, terms


def test_terms_are_cjk_bigrams_and_ascii_words_lower_cased():
    assert terms("拖欠工资 ABC公司 3000元") == ["拖欠", "欠工", "工资", "abc", "公司", "3000"]


def test_full_width_letters_and_digits_match_ascii():
    assert terms("ＡＢＣ１２３") == terms("abc123") == ["abc123"]


def test_stop_terms_and_function_characters_make_no_terms():
    got = terms("我们反映的问题，希望尽快处理了")
    assert got == []
    assert "的工" not in terms("村里的工地")


def test_phone_and_id_numbers_never_become_terms():
    got = terms("电话13800138000，身份证440608199001011234，欠款3000元")
    assert "13800138000" not in got and "440608199001011234" not in got
    assert "3000" in got


def test_terms_are_distinct_deterministic_and_tolerate_empty_text():
    assert terms("工资工资工资") == ["工资", "资工"]
    assert terms("") == [] and terms(None) == []
    assert terms("小区停车难") == terms("小区停车难")


def test_phrases_join_chained_bigrams_into_words():
    text = "老板拖欠工资三个月"
    shared = {"拖欠", "欠工", "工资", "三个"}
    got = phrases(text, shared, lambda t: 1.0)
    assert got[0] == "拖欠工资"
    assert "欠工" not in got and len(got) <= 5
