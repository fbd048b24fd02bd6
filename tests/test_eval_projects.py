"""Per-project items (每个项目): each project evaluated with its own fields and the enterprise's;
caps per project, the annual cap on the total, one rounding of the total, project history.

Policy: tests/policies/projects.pol.
"""

from __future__ import annotations

from evalkit import label, pair

P = "projects.pol"
TECH, MATCH, LAND = label(1, "技改"), label(2, "配套"), label(3, "用地")


def project(name, kind="区级技改项目", investment=None, **more):
    out = {"项目名称": name, "项目类型": kind}
    if investment is not None:
        out["核定投资额"] = investment
    out.update(more)
    return out


BASE = {"房地产企业": False, "申报年度": 2025}


def test_sum_over_qualifying_projects_with_per_project_cap():
    # A: 500万 × 10% = 50万; B: 2000万 × 10% = 200万 → 单个项目最高100万; C is 市级, not eligible
    # total 150万 ≤ 年度上限 150万
    record = {**BASE, "项目": [project("A", investment="500万元"), project("B", investment="2000万元"),
                                project("C", "市级技改项目", "1000万元")]}
    r = pair(P).expect(TECH, record, "符合", "1500000.00")
    assert {s.get("项目") for s in r["理由"]} >= {"A", "B", "C"}


def test_annual_cap_applies_to_the_total():
    # A 80万 + B 100万 (capped) = 180万 → 年度上限 150万; with 30万 already this year: 120万
    record = {**BASE, "项目": [project("A", investment="800万元"), project("B", investment="2000万元")]}
    pair(P).expect(TECH, record, "符合", "1500000.00")
    history = [{"条款": TECH, "年度": 2025, "金额": "30万元"}, {"条款": TECH, "年度": 2024, "金额": "150万元"}]
    pair(P).expect(TECH, {**record, "已获支持": history}, "符合", "1200000.00")


def test_total_is_rounded_once():
    # 0.05 × 10% = 0.005 per project; 0.005 + 0.005 = 0.01 (rounding each project first would give 0.02)
    record = {**BASE, "项目": [project("A", investment="0.05"), project("B", investment="0.05")]}
    pair(P).expect(TECH, record, "符合", "0.01")


def test_statuses():
    p = pair(P)
    # no projects at all
    p.expect(TECH, BASE, "不符合")
    p.expect(TECH, {**BASE, "项目": []}, "不符合")
    # only an ineligible project
    p.expect(TECH, {**BASE, "项目": [project("C", "市级技改项目", "1000万元")]}, "不符合")
    # an undecided project next to an ineligible one: 信息不足, naming the project field
    r = p.expect(TECH, {**BASE, "项目": [project("C", "市级技改项目", "1000万元"), {"项目名称": "D"}]}, "信息不足")
    assert r["缺少信息"] == ["项目.项目类型"]
    # an undecided project next to a qualifying one (A: 50万元): the total is not known, and the result says why
    r = p.expect(TECH, {**BASE, "项目": [project("A", investment="500万元"), {"项目名称": "D"}]}, "信息不足")
    assert r["缺少信息"] == ["项目.项目类型"]
    # an enterprise fact every project needs
    r = p.expect(TECH, {"申报年度": 2025, "项目": [project("A", investment="500万元")]}, "信息不足")
    assert r["缺少信息"] == ["房地产企业"]
    p.expect(TECH, {"房地产企业": True, "申报年度": 2025, "项目": [project("A", investment="500万元")]}, "不符合")
    # a qualifying project whose amount is unknown
    r = p.expect(TECH, {**BASE, "项目": [project("A")]}, "信息不足")
    assert r["缺少信息"] == ["项目.核定投资额"]


def test_annual_cap_needs_the_year():
    r = pair(P).expect(TECH, {"房地产企业": False, "项目": [project("A", investment="500万元")]}, "信息不足")
    assert r["缺少信息"] == ["申报年度"]


def matched(name, level, grant):
    return {"项目名称": name, "项目级别": level, "上级扶持金额": grant}


def test_matching_per_project_with_gate_and_project_history():
    p = pair(P)
    # X 市级 200万 1:1 = 200万; Y 国家级 600万 → 单个最高500万; Z 区级 not eligible: 700万, 待评定
    record = {"项目": [matched("X", "市级", "200万元"), matched("Y", "国家级", "600万元"), matched("Z", "区级", "1万元")]}
    p.expect(MATCH, record, "待评定", "7000000.00")
    # 一次性 per project: X was already matched in 2024, so only Y counts (500万元)
    history = [{"条款": MATCH, "年度": 2024, "金额": "200万元", "项目": "X"}]
    p.expect(MATCH, {**record, "已获支持": history}, "待评定", "5000000.00")
    # both already matched
    history.append({"条款": MATCH, "年度": 2024, "金额": "500万元", "项目": "Y"})
    p.expect(MATCH, {**record, "已获支持": history}, "不符合")


def test_an_award_naming_no_project_counts_against_every_project():
    p = pair(P)
    record = {"项目": [matched("X", "市级", "200万元"), matched("Y", "国家级", "600万元")]}
    # 一次性 per project, and the 2024 award does not say which project had it: it may have been either,
    # so neither is paid again (rather than risk paying the same project twice)
    history = [{"条款": MATCH, "年度": 2024, "金额": "200万元"}]
    p.expect(MATCH, {**record, "已获支持": history}, "不符合")


def test_non_monetary_per_project():
    p = pair(P)
    p.expect(LAND, {"项目": [{"项目名称": "A", "项目评定通过": False}, {"项目名称": "B", "项目评定通过": True}]}, "符合")
    p.expect(LAND, {"项目": [{"项目名称": "A", "项目评定通过": False}]}, "不符合")
    r = p.expect(LAND, {"项目": [{"项目名称": "A"}]}, "信息不足")
    assert r["缺少信息"] == ["项目.项目评定通过"]


def test_two_projects_with_one_name_are_warned_about():
    # A 500万 × 10% = 50万 and A 800万 × 10% = 80万: both paid (130万 ≤ 年度上限 150万), but an award
    # naming project “A” would count against both, and 项目金额 adds them under one name: the reader says so.
    record = {**BASE, "项目": [project("A", investment="500万元"), project("A", investment="800万元"),
                                project("B", investment="100万元")]}
    result = pair(P).evaluate(record)
    warned = [w for w in result["输入提示"] if w["位置"] == "$.项目[1].项目名称"]
    assert len(warned) == 1 and "$.项目[0]" in warned[0]["问题"] and "同名" in warned[0]["问题"]
    assert not any("$.项目[2]" in w["位置"] for w in result["输入提示"])
    r = [x for x in result["条款"] if x["条款"] == TECH][0]
    assert (r["状态"], r["金额"]) == ("符合", "1400000.00")  # 50万 + 80万 + 10万


def test_the_decide_path_writes_the_per_project_row():
    # 配套 1:1, 单个项目最高500万, 一次性 per project, no award yet: X 200万; Y 600万 → 500万 (capped);
    # Z 区级 fails 「市级」及以上. 700万 in all, 待评定 (经综合评定), with each project's amount.
    p = pair(P)
    record = {"项目": [matched("X", "市级", "200万元"), matched("Y", "国家级", "600万元"), matched("Z", "区级", "1万元")]}
    row = next(r for r in p.module.decide(record)["条款"] if r["条款"] == MATCH)
    full = p.item(MATCH, record)
    assert (row["状态"], row["金额"]) == ("待评定", "7000000.00")
    assert row["项目金额"] == {"X": "2000000.00", "Y": "5000000.00"}
    assert row["上限"] == full["上限"] is not None and "理由" not in row
    # assessed at 600万: the runtime settles it, as on the explain path
    assessed = next(r for r in p.module.decide({**record, "评定": {MATCH: "600万元"}})["条款"] if r["条款"] == MATCH)
    assert (assessed["状态"], assessed["金额"]) == ("符合", "6000000.00")
    # 非资金支持 per project: B qualifies, so the item does, with no amount
    land = {"项目": [{"项目名称": "A", "项目评定通过": False}, {"项目名称": "B", "项目评定通过": True}]}
    row = next(r for r in p.module.decide(land)["条款"] if r["条款"] == LAND)
    assert (row["状态"], row["金额"], row["缺少信息"]) == ("符合", None, [])
