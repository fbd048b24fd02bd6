"""After a syntax error the parser starts again at the next statement, so one run shows every broken article."""

from __future__ import annotations

from compiler.semantics.check import check

POLICY = """政策「测试」
原文文件「t.txt」
引用「企业」
第1条「甲」
  原文「第1条 支持研发。」
  款「乙」
    原文「对研发费用达到100万元的企业给予支持。」
    条件 「研发费用」 不底于 100万元
    给予 10万元
第2条「丙」
  原文「第1条 支持研发。」
  款「丁」
    原文「对研发费用达到100万元的企业给予支持。」
    条件 「研发费用」 100万元
    给予 10万元
参数「比例」 比例，待定
第3条「戊」
  原文「第1条 支持研发。」
  款「己」
    原文「对研发费用达到100万元的企业给予支持。」
    给予 10万元
"""


def test_each_broken_statement_is_reported_once(tmp_path):
    (tmp_path / "t.txt").write_text("第1条 支持研发。对研发费用达到100万元的企业给予支持。\n", encoding="utf-8")
    path = tmp_path / "p.pol"
    path.write_text(POLICY, encoding="utf-8")
    result = check(path)
    found = [(d.code, d.span.line, d.span.column) for d in result.diagnostics]
    # line 8: 不底于 is no word (column 15); line 14: a number with no boundary word, seen at 给予 on line 15,
    # column 5; line 16: the colon after the parameter's name is missing, seen at 比例 (column 8).
    # Article 3 is well formed and gives nothing.
    assert found == [("E100", 8, 15), ("E101", 15, 5), ("E101", 16, 8)]
    assert "不低于" in result.diagnostics[0].hint
    assert "边界词" in result.diagnostics[1].hint
    assert "：" in result.diagnostics[2].hint


def test_a_clean_remainder_adds_nothing(tmp_path):
    (tmp_path / "t.txt").write_text("第1条 支持研发。\n", encoding="utf-8")
    path = tmp_path / "p.pol"
    path.write_text("政策「测试」\n原文文件「t.txt」\n第1条「甲」 原文「第1条 支持研发。」 款 「乙」 给予\n", encoding="utf-8")
    result = check(path)
    assert [d.code for d in result.diagnostics] == ["E102"]  # the file ends where an award was expected
