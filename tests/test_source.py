"""Reading bytes: BOM, newlines, full-width folding, size/binary/UTF-8 diagnostics,
and where the caret goes when a diagnostic is shown under a Chinese line."""

from __future__ import annotations

import time

import pytest

from compiler.syntax import parser

from compiler.syntax import source
from compiler.diagnostics import Diagnostic, ERROR, Span, display_width, render

from frontend_util import HEADER, run

PROGRAM = "政策「p」\n参数「x」：比例，待定\n"


def decode(data: bytes) -> source.Source:
    src = source.decode("t.pol", data)
    assert isinstance(src, source.Source), src
    return src


# ---- BOM, newlines, whitespace ----

def test_bom_is_stripped():
    src = decode(b"\xef\xbb\xbf" + PROGRAM.encode())
    assert src.text == PROGRAM
    assert src.lines[0] == "政策「p」"
    result = run(b"\xef\xbb\xbf" + PROGRAM.encode())
    assert result.diagnostics == ()
    assert result.document.span.line == 1


def test_bom_does_not_shift_columns():
    # an error on line 1 is at the column the drafter sees; editors hide the BOM
    result = run(b"\xef\xbb\xbf" + "政策 「p」 哈\n".encode())
    d = result.only("E100")
    assert (d.span.line, d.span.column) == (1, 8)  # 政 策 _ 「 p 」 _ 哈


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r", "\u2028", "\u2029", "\x85"])
def test_newlines_are_unified(newline):
    text = newline.join(["政策「p」", "参数「x」：比例，待定", "参数「y」：比例，哈"]) + newline
    src = decode(text.encode())
    assert src.lines == ("政策「p」", "参数「x」：比例，待定", "参数「y」：比例，哈", "")
    assert "\r" not in src.text and "\u2028" not in src.text
    # diagnostics count lines the same way whatever the file used
    d = run(text).only("E100")
    assert (d.span.line, d.span.column) == (3, 10)


def test_mixed_newlines_count_one_line_each():
    text = "政策「p」\r\n\r参数「x」：比例，待定\n\u2028参数「y」：比例，哈\n"
    d = run(text).only("E100")
    assert (d.span.line, d.span.column) == (5, 10)


def test_tabs_and_ideographic_spaces_separate_tokens():
    text = "政策\t「p」\n参数\t「x」：\t比例，　待定\n\t第1条「a」\n\t\t款「b」\t给予\t200万元\n"
    result = run(text)
    assert result.diagnostics == ()
    assert result.document.params[0].pending


def test_empty_file_parses_to_no_statements_then_lacks_a_header():
    src = decode(b"")
    tree = parser.parse(src)
    assert not isinstance(tree, Diagnostic)
    assert tree.children == []
    result = run(b"")
    assert result.codes == ["E152"]
    d = result.only("E152")
    assert (d.span.line, d.span.column) == (1, 1)


@pytest.mark.parametrize("text", ["\n\n\n", "   ", "# 只有注释\n", "\ufeff", "\u3000\n"])
def test_blank_files_lack_a_header(text):
    assert run(text).codes == ["E152"]


# ---- bytes that are not a .pol text ----

def test_binary_file_is_e002_with_position():
    data = "政策「p」\n参数".encode() + b"\x00\x01\x02"
    d = source.decode("t.pol", data)
    assert isinstance(d, Diagnostic)
    assert d.code == "E002" and d.severity == ERROR
    assert (d.span.line, d.span.column) == (2, 3)  # 参=1 数=2, the NUL is the 3rd character


def test_binary_file_at_start():
    d = source.decode("t.pol", b"\x89PNG\r\n\x1a\n\x00\x00")
    assert d.code == "E002"
    assert d.span.line == 3  # \r\n and \n before the NUL: two line breaks


@pytest.mark.parametrize("data, line, column", [
    (b"\xff", 1, 1),
    ("政策「p」\n参数「".encode() + b"\xc3\x28", 2, 4),  # after 参 数 「: 4th character
    ("政策「p」\n\n  第".encode() + b"\xe4\xb8", 3, 4),  # truncated 3-byte sequence at end
    (b"a\rb\r\xff", 3, 1),  # lone CR newlines count as newlines here too
    (b"a\r\nb\r\n\xff", 3, 1),
    ("a\u2028".encode() + b"\xff", 2, 1),
    (b"\xef\xbb\xbf\xff", 1, 1),  # the BOM is not a column
    ("政策「p」".encode() + b"\xed\xa0\x80", 1, 6),  # an encoded surrogate is not UTF-8
])
def test_invalid_utf8_is_e003_at_the_bad_byte(data, line, column):
    d = source.decode("t.pol", data)
    assert isinstance(d, Diagnostic)
    assert d.code == "E003"
    assert (d.span.line, d.span.column) == (line, column)
    assert (d.span.end_line, d.span.end_column) == (line, column + 1)


def test_gbk_file_is_e003():
    d = source.decode("t.pol", PROGRAM.encode("gbk"))
    assert d.code == "E003"
    assert (d.span.line, d.span.column) == (1, 1)


def test_ten_megabyte_file_is_e001_quickly():
    data = ("政策「p」\n" + "# 填充\n" * 1_500_000).encode()
    assert len(data) > 10_000_000
    start = time.perf_counter()
    d = source.decode("big.pol", data)
    assert time.perf_counter() - start < 0.5
    assert d.code == "E001"
    assert (d.span.line, d.span.column) == (1, 1)


def test_size_limit_is_inclusive():
    assert isinstance(source.decode("t.pol", b"#" * 10, max_bytes=10), source.Source)
    assert source.decode("t.pol", b"#" * 11, max_bytes=10).code == "E001"


def test_read_source_missing_file_and_directory(tmp_path):
    assert source.read_source(tmp_path / "nope.pol").code == "E004"
    assert source.read_source(tmp_path).code == "E004"
    path = tmp_path / "a.pol"
    path.write_bytes(b"\xef\xbb\xbf" + PROGRAM.replace("\n", "\r\n").encode())
    src = source.read_source(path)
    assert src.text == PROGRAM
    assert src.path == str(path)


# ---- full-width folding ----

def test_full_width_punctuation_outside_names_is_folded():
    written = "参数「x」：比例，范围 ０％ 至 ２０％，待定（备注）"
    folded = source.fold_width(written)
    assert folded == "参数「x」:比例,范围 0% 至 20%,待定(备注)"
    assert len(folded) == len(written)


def test_full_width_inside_names_is_kept():
    written = "原文「符合条件的，给予（最高）５０万元：“专精特新”」，"
    folded = source.fold_width(written)
    assert folded == "原文「符合条件的，给予（最高）５０万元：“专精特新”」,"


def test_curly_quotes_and_ideographic_space_fold():
    assert source.fold_width("“a”\u3000b") == '"a" b'


def test_folded_and_written_text_keep_positions():
    src = decode("政策「p」\n参数「：」：比例，待定\n".encode())
    assert src.text.split("\n")[1] == "参数「：」：比例，待定"
    assert src.normalized.split("\n")[1] == "参数「：」:比例,待定"
    assert len(src.text) == len(src.normalized)


def test_full_width_program_parses_like_ascii():
    written = HEADER + "参数「x」：比例，范围 ０％ 至 ２０％，待定\n第８条「a」\n 款「b」 条件 （「甲」 或 「乙」） 且 「丙」 不低于 ２００万元\n"
    ascii_ = HEADER + "参数「x」:比例,范围 0% 至 20%,待定\n第8条「a」\n 款「b」 条件 (「甲」 或 「乙」) 且 「丙」 不低于 200万元\n"
    a, b = run(written), run(ascii_)
    assert a.diagnostics == () and b.diagnostics == ()
    assert a.document.articles[0].number == b.document.articles[0].number == "8"


def test_a_bracket_inside_a_name_does_not_nest():
    # The lexer ends a name at the first 」, so folding must too; it used to count
    # 「 as nesting and stop folding for the rest of the line.
    assert source.fold_width("「a「b」：") == "「a「b」:"
    result = run(HEADER + "参数「a「b」：比例，待定\n")
    assert result.diagnostics == ()
    assert result.document.params[0].name == "a「b"


def test_a_bracket_in_a_comment_opens_no_name():
    # 「 in a comment is ignored by the lexer, so it must not stop folding either.
    assert source.fold_width("# 见「第8条\n：") == "# 见「第8条\n:"
    result = run(HEADER + "# 见「第8条\n参数「x」：比例，待定\n")
    assert result.diagnostics == ()


def test_hash_inside_a_name_is_not_a_comment():
    assert source.fold_width("「#１」：") == "「#１」:"
    result = run(HEADER + "参数「#1」：比例，待定 # 注释：（）\n")
    assert result.diagnostics == ()
    assert result.document.params[0].name == "#1"


def test_full_width_hash_starts_a_comment():
    result = run(HEADER + "参数「x」：比例，待定 ＃ 注释「不配对\n参数「y」：比例，待定\n")
    assert result.diagnostics == ()
    assert [p.name for p in result.document.params] == ["x", "y"]


# ---- display width and the caret ----

@pytest.mark.parametrize("text, width", [
    ("", 0),
    ("abc", 3),
    ("政策", 4),
    ("「x」", 5),
    ("：，（）", 8),  # full-width forms are two columns
    ("ｅ\u0301", 2),  # a combining mark takes no column
    ("200万元", 7),
])
def test_display_width(text, width):
    assert display_width(text) == width


def test_caret_is_placed_by_display_width_on_a_chinese_line():
    line = "    条件 「甲」 不底于 5"
    d = Diagnostic("E100", ERROR, "无法识别", Span("t.pol", 1, 12, 1, 15))  # 不底于
    shown = render(d, [line]).split("\n")
    assert shown[1] == "    " + line
    # before 不: 4 spaces + 条件(4) + space + 「甲」(6) + space = 16 columns
    assert shown[2] == "    " + " " * 16 + "^" * 6


def test_caret_for_a_real_diagnostic():
    result = run("政策「p」\n第1条「a」\n  款「b」\n    条件 「甲」 不底于 5\n")
    d = result.only("E100")
    assert (d.span.line, d.span.column) == (4, 12)
    shown = render(d, list(result.source.lines)).split("\n")
    assert shown[1] == "        条件 「甲」 不底于 5"
    assert shown[2].index("^") == 4 + 16
    assert "不低于" in shown[-1]


def test_caret_under_full_width_punctuation_uses_the_written_line():
    # the diagnostic is found in the folded text; the line shown is what was written
    result = run(HEADER + "参数「x」：比例，待定　哈\n")
    d = result.only("E100")
    assert (d.span.line, d.span.column) == (2, 13)
    shown = render(d, list(result.source.lines)).split("\n")
    assert shown[1] == "    参数「x」：比例，待定　哈"
    # 参数(4) 「x」(5) ：(2) 比例(4) ，(2) 待定(4) ideographic space(2) = 23
    assert shown[2] == "    " + " " * 23 + "^^"


def test_caret_with_tabs_and_long_lines():
    d = Diagnostic("E100", ERROR, "x", Span("t.pol", 1, 3, 1, 4))
    assert render(d, ["\t\t哈"]).split("\n")[2] == "      ^^"
    long = "甲" * 300 + "哈"
    d = Diagnostic("E100", ERROR, "x", Span("t.pol", 1, 301, 1, 302))
    shown = render(d, [long]).split("\n")
    assert shown[2].index("^") - 4 == display_width(shown[1][4:][: shown[1][4:].index("哈")])


def test_render_clamps_positions_outside_the_line():
    d = Diagnostic("E102", ERROR, "文件意外结束", Span("t.pol", 1, 99, 1, 100))
    shown = render(d, ["政策"]).split("\n")
    assert shown[2] == "    " + " " * 4 + "^"
    assert render(Diagnostic("E1", ERROR, "x", Span("t.pol", 7, 1, 7, 2)), ["a"]).count("\n") == 0
