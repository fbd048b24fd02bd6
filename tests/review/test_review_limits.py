"""The review's bounded work: pairs of items decided without the solver where thresholds settle
them, a total solver budget and a report cap, each said in the report when hit."""

from __future__ import annotations

from compiler import review as rv
from compiler.targets.smt import review_logic
from compiler.semantics.check import check

HEAD = ("政策「审查上限测试政策」\n原文文件「原文.txt」 自「一、支持内容」起\n施行 自 2025-01-01 起\n"
        "引用「基础」、「企业」\n\n章「一、支持内容」\n\n")


def policy(tmp_path, conditions: list[str]):
    """One article per condition; every item pays 10% of the same investment (one shared base)."""
    pol, text = [HEAD], ["审查上限测试政策\n\n一、支持内容\n\n"]
    for k, condition in enumerate(conditions, start=1):
        sentence = f"对第{k}类企业按投资额的10%给予支持。"
        pol.append(f"第{k}条「第{k}类」\n  原文「第{k}类。」\n  款「第{k}类」\n    原文「{sentence}」\n"
                   f"    条件 {condition}\n    给予 按「固定资产投资」的 10%\n    上限 100万元\n")
        text.append(f"{k}.第{k}类。{sentence}\n")
    (tmp_path / "原文.txt").write_text("".join(text), encoding="utf-8")
    (tmp_path / "p.pol").write_text("".join(pol), encoding="utf-8")
    result = check(tmp_path / "p.pol")
    assert result.program is not None and not result.errors, [d.message for d in result.errors]
    return result.program


def test_thresholds_decide_pairs_without_the_solver(tmp_path):
    # Revenue bands [0,1000), [1000,2000), [2000,3000) 万元 and one set of industries: the bands
    # exclude one another, each meets the industry item. Three pairs pay twice; none needs the solver.
    program = policy(tmp_path, ["「营业收入」 低于 1000万元", "「营业收入」 达到 1000万元 且 「营业收入」 低于 2000万元",
                                "「营业收入」 达到 2000万元 且 「营业收入」 低于 3000万元",
                                "「所属行业」 属于 {「制造业」}"])
    reviewer = rv.Reviewer(program)
    reviewer.double_funding()
    assert reviewer.encoder.used == 0
    pairs = sorted(tuple(sorted(p)) for p in reviewer.pairs)
    assert pairs == [("1", "4"), ("2", "4"), ("3", "4")]


def test_a_boundary_shared_by_two_bands_is_a_pair(tmp_path):
    # 达到 1000万元 and 不超过 1000万元 both hold at exactly 1000万元.
    program = policy(tmp_path, ["「营业收入」 不超过 1000万元", "「营业收入」 达到 1000万元"])
    reviewer = rv.Reviewer(program)
    reviewer.double_funding()
    assert reviewer.pairs == [("1", "2")]


def test_solver_budget_is_said_in_the_report(tmp_path, monkeypatch):
    monkeypatch.setattr(review_logic, "BUDGET", review_logic.QUERY_COST)  # room for one query
    nonlinear = "「研发费用」÷「营业收入」 达到 「固定资产投资」÷「营业收入」"
    program = policy(tmp_path, [nonlinear] * 4)
    text = rv.review_markdown(program)
    assert "> **审查未完成**：求解器达到审查的总资源上限" in text


def test_report_cap_is_said_in_the_report(tmp_path, monkeypatch):
    monkeypatch.setattr(rv, "MAX_FINDINGS", 2)
    program = policy(tmp_path, ["「所属行业」 属于 {「制造业」}"] * 4)  # 6 pairs pay twice
    reviewer = rv.Reviewer(program)
    found = reviewer.run()
    assert len(found) == 2
    assert any("报告只列出按严重程度排在前面的 2 条" in n for n in reviewer.notices)
    assert "审查未完成" in rv.render_markdown(program, found, reviewer.explanations, reviewer.notices)


def test_pair_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(rv, "MAX_PAIRS", 3)
    program = policy(tmp_path, ["「所属行业」 属于 {「制造业」}"] * 5)  # 10 pairs share the base
    reviewer = rv.Reviewer(program)
    reviewer.run()
    assert len(reviewer.pairs) == 3
    assert any("前 3 对条款" in n for n in reviewer.notices)
