"""The Minhang encoding over time: 首次突破/首次达到, one award per recognition, frequencies (issue 12).

Both evaluators, with the example 细则's values (policies/minhang_2024_示例细则.pol):
工业总产值突破 tiers 1亿/5亿/10亿元 → 20万/50万/100万元; 品牌示范标杆企业支持金额 30万元;
服务业类标杆示范支持金额 50万元; 平台载体类认定支持金额 20万元; 公共服务示范平台认定支持金额 50万元.
"""

from __future__ import annotations

import functools
import json

from evalkit import REPO, Pair, label


@functools.cache
def minhang() -> Pair:
    return Pair(REPO / "policies" / "minhang_2024.pol", REPO / "policies" / "minhang_2024_示例细则.pol")


def example(name: str) -> dict:
    return json.loads((REPO / "examples" / f"{name}.json").read_text(encoding="utf-8"))


FIRST = label(13, "工业总产值首次突破分档")


def test_first_breakthrough_in_the_examples():
    p = minhang()
    # foreign_invested: 15亿元 now, 上年 14.2亿元 already above the 10亿元 threshold: not 首次突破
    p.expect(FIRST, example("foreign_invested"), "不符合")
    # commercial_space: 3.5亿元 now, 上年 1.2亿元 already above 1亿元, below 5亿元: no new tier
    p.expect(FIRST, example("commercial_space"), "不符合")
    # manufacturer: 6.2亿元 now, 上年 4.8亿元 < 5亿元: 首次 second tier, 50万 − 20万 paid in 2023 = 30万元
    p.expect(FIRST, example("manufacturer"), "符合", "300000.00")


def test_first_breakthrough_needs_earlier_years():
    record = {"属于工业": True, "工业总产值": "12亿元", "申报年度": 2025}
    r = minhang().expect(FIRST, record, "信息不足")
    assert r["缺少信息"] == ["历年.工业总产值"]
    # the same year's figure last year: the 10亿元 threshold was reached before
    minhang().expect(FIRST, {**record, "上年工业总产值": "12亿元"}, "不符合")
    # 历年 instead of the 上年 field: 2024 at 9亿元, 2023 at 11亿元 → reached 10亿 in 2023
    minhang().expect(FIRST, {**record, "历年": {"工业总产值": {"2023": "11亿元", "2024": "9亿元"}}}, "不符合")
    # 2023 8亿, 2024 9亿: 10亿 first reached now → third tier 100万元, nothing paid before
    minhang().expect(FIRST, {**record, "历年": {"工业总产值": {"2023": "8亿元", "2024": "9亿元"}}}, "符合", "1000000.00")


def test_online_sales_first_reached():
    p = minhang()
    item = label(16, "网络交易年销售额首次达标支持")
    base = {"电子商务企业": True, "网络交易年销售额": "60亿元", "申报年度": 2025}
    # the 细则 sets the threshold at 1亿元: 60亿元 this year and last year is not 首次
    p.expect(item, {**base, "历年": {"网络交易年销售额": {"2024": "60亿元"}}}, "不符合")
    p.expect(item, base, "信息不足")


def test_two_recognitions_are_both_paid():
    # 服务业类标杆示范 (国家级, 新认定) and 工业设计类示范企业 (市级): 第21条 item 1 pays 50万元 for the first,
    # the 工业设计 item 30万元 for the second; the 服务类标杆示范 item (30万元) is the same recognition as
    # item 1 and loses 就高. Total 50 + 30 = 80万元 from 第21条.
    p = minhang()
    record = {"新认定服务业类标杆示范": True, "已认定": {"服务业类标杆示范": "国家级", "工业设计类示范企业": "市级"}}
    result = p.evaluate(record)
    got = {r["条款"]: (r["状态"], r["金额"]) for r in result["条款"] if r["条款"].startswith("第21条")}
    assert got[label(21, "服务业类标杆示范支持")] == ("符合", "500000.00")
    assert got[label(21, "工业设计类示范企业品牌支持")] == ("符合", "300000.00")
    assert got[label(21, "服务类标杆示范支持")] == ("符合", "300000.00")
    counted = set(result["汇总"]["计入合计"])
    assert label(21, "工业设计类示范企业品牌支持") in counted
    assert label(21, "服务业类标杆示范支持") in counted
    assert label(21, "服务类标杆示范支持") not in counted


def test_recognition_awards_are_paid_once():
    p = minhang()
    paid = [{"条款": label(48, "特色园区认定支持"), "年度": 2024, "金额": "20万元"}]
    record = {"已认定": {"特色园区": True, "文创载体": True}, "已获支持": paid}
    p.expect(label(48, "特色园区认定支持"), record, "不符合")
    p.expect(label(48, "文创载体认定支持"), record, "符合", "200000.00")


def test_every_money_item_states_its_frequency_and_the_review_lists_the_readings():
    # Each item of the Minhang encoding that pays money writes its 频次; where the text says nothing it is
    # marked 原文未写 (109 lines of the file say so). polc check gives no W430 any more, and the review
    # lists exactly those items, each with the reading taken, none left to the default.
    import re

    from compiler import review as rv
    from compiler.semantics.check import check

    path = REPO / "policies" / "minhang_2024.pol"
    text = path.read_text(encoding="utf-8")
    readings = re.findall(r"^    频次 .*，原文未写$", text, flags=re.M)
    assert len(readings) == 109
    result = check(path)
    assert result.ok and not [d for d in result.warnings if d.code == "W430"]
    found = [f for f in rv.review(result.program) if f.kind == rv.FREQUENCY]
    assert len(found) == 1
    rows = found[0].rows
    assert len(rows) == len(readings)
    assert all("原文未写，编码理解" in reading for _, reading in rows)
    assert not [row for row in rows if row[1].startswith("默认")]
