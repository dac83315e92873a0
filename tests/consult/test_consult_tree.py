"""The decision tree's validation (every error in plain Chinese) and the walk."""

from __future__ import annotations

import copy

import pytest

from consult import tree as dtree
from demo.consult_trees import QUESTIONNAIRES, WAGES


def _tree():
    return copy.deepcopy(WAGES)


@pytest.mark.parametrize("matter, _title, _intro, tree", QUESTIONNAIRES)
def test_every_demo_questionnaire_is_valid_and_every_outcome_has_laws_and_materials(matter, _title, _intro, tree):
    assert dtree.validate(tree) == []
    outcomes = [node for node in tree["nodes"].values() if node["type"] == "outcome"]
    assert len(outcomes) >= 2
    assert all(node["materials"] and node["laws"] for node in outcomes)


def test_six_matters_and_all_four_paths_are_covered():
    assert len(QUESTIONNAIRES) >= 6
    paths = {n["path"] for *_rest, tree in QUESTIONNAIRES for n in tree["nodes"].values() if n["type"] == "outcome"}
    assert paths == set(dtree.PATHS)


def test_the_one_year_labour_arbitration_limit_is_cited():
    laws = [law for node in WAGES["nodes"].values() for law in node.get("laws", [])]
    assert any(law["law"] == "劳动争议调解仲裁法" and law["article"] == "第二十七条" for law in laws)


def test_an_option_pointing_to_a_missing_node():
    tree = _tree()
    tree["nodes"]["asked"]["options"][0]["next"] = "nowhere"
    problems = dtree.validate(tree)
    assert any("指向的节点“nowhere”不存在" in p for p in problems)


def test_a_cycle_is_named():
    tree = _tree()
    tree["nodes"]["contract"]["options"][0]["next"] = "still_working"
    problems = dtree.validate(tree)
    assert any("绕成了一个圈" in p and "still_working" in p for p in problems)


def test_an_outcome_without_a_path_to_it():
    tree = _tree()
    tree["nodes"]["workers"]["options"][1]["next"] = "contract"  # nothing leads to out_inspection now
    problems = dtree.validate(tree)
    assert problems == ["结论“out_inspection”没有任何选项通向它，群众永远走不到，请连上或删除。"]


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda t: t.update(start="missing"), "第一个问题（start）“missing”不存在"),
        (lambda t: t["nodes"]["asked"].update(type="form"), "类型（type）只能是"),
        (lambda t: t["nodes"]["asked"]["options"].pop(), "至少要有两个选项"),
        (lambda t: t["nodes"]["asked"]["options"][1].update(value="refused"), "与前面的选项重复"),
        (lambda t: t["nodes"]["asked"]["options"][1].update(value="Bad Value"), "只能用小写英文字母"),
        (lambda t: t["nodes"]["asked"].update(text=""), "没有填写问题文字"),
        (lambda t: t["nodes"]["out_mediation"].update(path="prayer"), "建议途径（path）只能是"),
        (lambda t: t["nodes"]["out_mediation"].update(reasons=[]), "至少要写一条理由"),
        (lambda t: t["nodes"]["out_mediation"].update(materials="身份证"), "至少要写一项需准备的材料"),
        (lambda t: t["nodes"]["out_mediation"]["laws"].append({"law": "民法典"}), "每条都要写法律名称"),
        (lambda t: t["nodes"].update({"Bad-Id": t["nodes"]["asked"]}), "节点名“Bad-Id”"),
    ],
)
def test_bad_trees_say_what_is_wrong(change, expected):
    tree = _tree()
    change(tree)
    assert any(expected in p for p in dtree.validate(tree)), dtree.validate(tree)


@pytest.mark.parametrize("tree", [None, [], {"start": "a"}, {"start": "a", "nodes": {}}, "text"])
def test_a_tree_without_nodes(tree):
    assert dtree.validate(tree) == ["决策树应包含 start（第一个问题）和 nodes（全部问题和结论）。"]


def test_an_outcome_as_the_first_node_is_refused():
    tree = {"start": "end", "nodes": {"end": _tree()["nodes"]["out_mediation"]}}
    assert dtree.validate(tree) == ["第一个节点（start）必须是一个问题。"]


def test_walk_stops_at_the_first_unanswered_question_and_ignores_answers_off_the_path():
    route = dtree.walk(WAGES, {"still_working": "working", "contract": "signed"})
    assert route.question_id == "asked" and route.outcome_id is None
    assert route.answers == {"still_working": "working"}


def test_walk_reaches_an_outcome():
    route = dtree.walk(WAGES, {"still_working": "left_long"})
    assert route.outcome_id == "out_late"


def test_walk_refuses_an_answer_that_is_not_an_option():
    with pytest.raises(dtree.AnswerError):
        dtree.walk(WAGES, {"still_working": "maybe"})
