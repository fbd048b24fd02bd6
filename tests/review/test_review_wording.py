"""Review findings that read the draft's words: boundary words shared by an enumeration or written
apart from their number, whole clauses in quotes, short self-names, and what the encoders' 备注
say (numbers and laws they cite are not articles or terms of the draft)."""

from __future__ import annotations

from compiler import review as rv
from compiler.semantics.check import check


def findings(tmp_path, title: str, text: str, body: str):
    (tmp_path / "原文.txt").write_text(text, encoding="utf-8")
    (tmp_path / "p.pol").write_text(f"政策「{title}」\n原文文件「原文.txt」 自「一、支持内容」起\n施行 自 2025-01-01 起\n"
                                   f"引用「基础」、「企业」\n\n章「一、支持内容」\n\n{body}", encoding="utf-8")
    result = check(tmp_path / "p.pol")
    blocking = [d for d in result.errors if d.code not in rv.REVIEWABLE]
    assert result.program is not None and not blocking, [d.message for d in blocking]
    return rv.review(result.program)


def article(k: int, quote: str, *lines: str, notes: str = "") -> str:
    return (f"第{k}条「第{k}条」\n  原文「第{k}条。」\n  款「第{k}款」\n    原文「{quote}」\n"
            + "".join(f"    {x}\n" for x in lines) + (f"    备注「{notes}」\n" if notes else ""))


LIST = "对营业收入首次达到5000万元、1亿元、5亿元的企业,分别给予20万元、30万元、50万元奖励。"
TIERS = ("给予 分档「营业收入」", "  档 达到 5000万元 且 低于 1亿元：20万元", "  档 达到 1亿元 且 低于 5亿元：30万元",
         "  档 达到 5亿元：50万元")


def test_an_enumeration_shares_its_boundary_word(tmp_path):
    # 达到 stands before 5000万元 and applies to 1亿元 and 5亿元 too: nothing lacks a boundary word.
    found = findings(tmp_path, "某区测试政策", f"某区测试政策\n\n一、支持内容\n\n1.第1条。{LIST}\n", article(1, LIST, *TIERS))
    assert [f.title for f in found if f.kind == rv.BOUNDARY] == []


def test_inclusive_mark_with_its_direction_word_is_no_contradiction(tmp_path):
    # 达到 and (含) agree (both include the number), whether 达到 stands right before the number,
    # before 人民币, or before an enumeration the number ends.
    quotes = ["对营业收入达到3000万元(含)的企业,给予10万元支持。", "对营业收入达到人民币4000万元(含)的企业,给予10万元支持。",
              "对营业收入首次达到2000万元(含)、6000万元(含)的企业,给予10万元支持。"]
    thresholds = ["3000万元", "4000万元", "6000万元"]
    text = "某区测试政策\n\n一、支持内容\n\n" + "".join(f"{k}.第{k}条。{q}\n" for k, q in enumerate(quotes, 1))
    body = "".join(article(k, q, f"条件 「营业收入」 达到 {t}", "给予 10万元")
                   for k, (q, t) in enumerate(zip(quotes, thresholds), 1))
    found = findings(tmp_path, "某区测试政策", text, body)
    assert [f.title for f in found if f.kind == rv.BOUNDARY] == []


def test_a_missing_boundary_word_is_quoted_with_its_whole_clause(tmp_path):
    quote = "对开设连锁门店2家的企业,给予资金支持。"
    body = "字段「测试门店」：数量（家）\n\n" + article(1, quote, "条件 「测试门店」 达到 2家", "给予 10万元")
    found = findings(tmp_path, "某区测试政策", f"某区测试政策\n\n一、支持内容\n\n1.第1条。{quote}\n", body)
    [hit] = [f for f in found if f.kind == rv.BOUNDARY]
    assert "原文“对开设连锁门店2家的企业”中的“2家”" in hit.why  # not “设连锁门店2家的企业,给”


def test_short_self_name_matches_the_title(tmp_path):
    # The title ends in 若干措施; the text says 本措施, its usual short form. Nobody writes 本若干措施 for it.
    quote = "对符合条件的企业给予10万元支持。本措施自2025年1月1日起施行。"
    found = findings(tmp_path, "某区支持产业发展若干措施", f"某区支持产业发展若干措施\n\n一、支持内容\n\n1.第1条。{quote}\n",
                     article(1, quote, "条件 「注册在本区」", "给予 10万元"))
    assert [f for f in found if f.kind == rv.TERMS] == []


def test_a_different_self_name_is_still_reported(tmp_path):
    quote = "对符合条件的企业给予10万元支持。本办法自2025年1月1日起施行。"
    found = findings(tmp_path, "某区支持产业发展若干措施", f"某区支持产业发展若干措施\n\n一、支持内容\n\n1.第1条。{quote}\n",
                     article(1, quote, "条件 「注册在本区」", "给予 10万元"))
    [hit] = [f for f in found if f.kind == rv.TERMS]
    assert "统一改为“本若干措施”" in hit.suggestion and hit.evidence == ("本办法",)


def test_notes_citing_a_law_or_an_amount_are_not_tied_to_the_draft(tmp_path):
    q1 = "对营业收入达到3000万元(含)的企业,给予10万元支持。"
    q2 = "对研发投入达到3000万元的企业,给予20万元支持。"
    text = f"某区测试政策\n\n一、支持内容\n\n1.第1条。{q1}\n2.第2条。{q2}\n"
    body = (article(1, q1, "条件 「营业收入」 达到 3000万元", "给予 10万元",
                    notes="依民法典第1259条，“达到”与“(含)”并不矛盾。")
            + article(2, q2, "条件 「研发费用」 达到 3000万元", "给予 20万元",
                      notes="本款与第1条对3000万元的企业可能重复支持。"))
    found = findings(tmp_path, "某区测试政策", text, body)
    # the first note says nothing is wrong: no finding, and no article 1259
    assert not [f for f in found if f.kind == rv.NOTE]
    assert not any("1259" in f.title + "".join(f.articles) for f in found)
    # the second names article 1; it is about that article, not about the item quoting “3000万元”
    [double] = [f for f in found if f.kind == rv.DOUBLE and "第2条" in f.title]
    assert ("第1条", "第1条。") in double.quotes and ("第1条「第1款」", q1) not in double.quotes
