"""Every ```pol example in docs/ is checked, so the documentation cannot drift from the language.

Conventions (also stated in docs/drafting.md, “文档中的示例”):

- A block whose first statement is 政策/细则/模块 is a **complete example**: it is
  checked as written. Blocks of the same page with a ``title="文件名"`` (``pol``
  or ``text`` blocks) are written beside it under that name first, so a complete
  policy can declare its 原文文件 and a 细则 can extend a policy shown earlier.
- Any other block is a **fragment**: the test wraps it in a minimal header
  (``FRAGMENT_HEADER``: a policy that imports every stdlib module) and writes a
  source text made of the fragment's own 原文 quotes, then checks it.
- A block right after ``<!-- polc:expect-error E123 -->`` must fail with that code.

Every example must check without errors; fragments and complete examples alike.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from compiler.plan.cases import run_case
from compiler.semantics.check import check
from compiler.targets.python.interpreter import Interpreter
from compiler.syntax.keywords import BOUNDARY_WORDS, KEYWORDS

DOCS = Path(__file__).resolve().parent.parent / "docs"

FRAGMENT_HEADER = """政策「文档示例」
原文文件「文档示例原文.txt」
引用「基础」、「企业」、「认定」、「项目」
"""

_FENCE = re.compile(r"^(?P<indent>[ ]*)```(?P<lang>[\w-]*)(?P<attrs>[^\n]*)\n(?P<body>.*?)^(?P=indent)```[ ]*$",
                    re.M | re.S)
_MARKER = re.compile(r"<!--\s*polc:expect-error\s+(E\d+)\s*-->\s*$")


def blocks(path: Path):
    """(lang, title, body, expected error code, line) for each fenced block of a page."""
    text = path.read_text(encoding="utf-8")
    for m in _FENCE.finditer(text):
        title = re.search(r'title="([^"]+)"', m.group("attrs"))
        before = text[:m.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = _MARKER.search(before)
        indent = len(m.group("indent"))
        body = "\n".join(line[indent:] for line in m.group("body").split("\n"))
        yield (m.group("lang"), title.group(1) if title else None, body, marker.group(1) if marker else None,
               text.count("\n", 0, m.start()) + 1)


def _first_statement(body: str) -> str:
    for line in body.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return line
    return ""


def is_complete(body: str) -> bool:
    return re.match(r"(政策|细则|模块)\s*「", _first_statement(body)) is not None


def examples():
    out = []
    for page in sorted(DOCS.glob("*.md")):
        for lang, title, body, error, line in blocks(page):
            if lang == "pol":
                out.append(pytest.param(page, title, body, error, id=f"{page.stem}:{line}"))
    return out


def _check_example(tmp_path: Path, page: Path, title: str | None, body: str):
    for lang, other_title, other_body, _, _ in blocks(page):
        if other_title and lang in ("pol", "text"):
            (tmp_path / other_title).write_text(other_body, encoding="utf-8")
    if is_complete(body):
        path = tmp_path / (title or "例.pol")
        path.write_text(body, encoding="utf-8")
        return check(path)
    quotes = re.findall(r"原文\s*「([^」]*)」", body)
    (tmp_path / "文档示例原文.txt").write_text("\n".join(quotes) + "\n", encoding="utf-8")
    path = tmp_path / "文档示例.pol"
    path.write_text(FRAGMENT_HEADER + "\n" + body, encoding="utf-8")
    return check(path)


def test_docs_have_examples():
    # a floor, so that a change in the extraction that finds nothing cannot pass silently
    assert len(examples()) >= 20


@pytest.mark.parametrize("page, title, body, error", examples())
def test_example_checks(tmp_path, page, title, body, error):
    result = _check_example(tmp_path, page, title, body)
    codes = [d.code for d in result.errors]
    if error:
        assert error in codes, f"示例应报 {error}，实际：{codes}"
        return
    assert result.ok, "\n".join(f"{d.span.line}:{d.span.column} {d.code} {d.message}" for d in result.errors)
    assert not any(d.code == "E999" for d in result.diagnostics)
    # the example's own 案例 must hold, as `polc test` would run them
    program = result.program
    cases = program.main.cases
    if cases:
        evaluate = Interpreter(program).evaluate
        for case in cases:
            outcome = run_case(case, program, evaluate)
            assert outcome.passed, (case.name, outcome.error, outcome.mismatches)


def _reference_examples() -> str:
    return "\n".join(body for lang, _, body, _, _ in blocks(DOCS / "reference.md") if lang == "pol")


def test_every_keyword_has_an_example_in_the_language_reference():
    text = _reference_examples()
    missing = [w for kw in KEYWORDS for w in kw.words if w not in text]
    assert not missing, f"语言参考的示例中没有用到：{'、'.join(missing)}"


def test_every_boundary_word_has_an_example_in_the_language_reference():
    text = _reference_examples()
    # 全角与半角括号的 (含)(不含) 在读入时是同一个词，示例写一种即可
    missing = [w for w in BOUNDARY_WORDS if w not in text and not w.startswith("（")]
    assert not missing, f"语言参考的示例中没有用到边界词：{'、'.join(missing)}"


def test_fragment_wrapping_is_documented():
    drafting = (DOCS / "drafting.md").read_text(encoding="utf-8")
    for line in FRAGMENT_HEADER.strip().splitlines():
        assert line in drafting, f"起草指南应写明片段外加的文件头：{line}"


def _table_fields(page: Path, heading: str) -> list[str]:
    """The `字段` names in the first column of the table under ``heading``."""
    text = page.read_text(encoding="utf-8")
    section = text[text.index(heading):]
    section = section[:section.find("\n#", 1)] if "\n#" in section[1:] else section
    return re.findall(r"^\| `([^`]+)` \|", section, re.M)


def test_developer_guide_lists_the_result_fields(tmp_path):
    """The 开发者指南's tables of result fields match what a generated module returns."""
    from compiler.targets.python.build import build_module

    data = Path(__file__).resolve().parent / "data" / "docgen"
    program = check(data / "a.pol").program
    path = build_module(program, tmp_path, name="docs_demo")
    import importlib.util

    spec = importlib.util.spec_from_file_location("docs_demo", path)  # imported as a developer would
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.evaluate({"外资企业": True}, params={"外资支持比例": "5%"})
    page = DOCS / "developer.md"
    assert _table_fields(page, "## 返回值") == list(result)
    item_fields = _table_fields(page, "### 每一款的结果")
    assert item_fields == [k for k in result["条款"][0] if k != "分期"]
    assert set(_table_fields(page, "## 模块中的常量")) == {"POLICY", "PARAMETERS", "SCHEMA"}
    for name in ("POLICY", "PARAMETERS", "SCHEMA", "InputError"):
        assert hasattr(module, name), name
    assert module.SCHEMA["type"] == "object" and "外资企业" in module.SCHEMA["properties"]
    # decide(): the section names every key a decided row may have, and the row has no other
    decided = module.decide({"外资企业": True}, params={"外资支持比例": "5%"})
    assert list(decided) == list(result) and decided["汇总"] == result["汇总"]
    text = page.read_text(encoding="utf-8")
    section = text[text.index("## 只要结果：decide()"):]
    section = section[:section.index("\n#", 1)]
    named = set(re.findall(r"`([^`]+)`", section))
    assert {"条款", "状态", "金额", "上限", "缺少信息", "待定参数", "最多可得", "分期", "项目金额", "核定"} <= named
    for row in decided["条款"]:
        assert set(row) <= named and "理由" not in row
