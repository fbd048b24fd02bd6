"""Files a policy names, files polc reads and writes, and what reaches the terminal.

- 原文文件 and 扩展 resolve only inside the policy's folder: no absolute path, no ``..``, no symbolic
  link that leads out (E207, in Chinese, with the folder to use); 引用 names only stdlib modules.
- Reads take regular files only (a FIFO or a device is refused without blocking) and stop at the
  limit plus one byte, however large the file is.
- ``polc build --name`` is an ASCII Python identifier; nothing is written outside ``-o``, not even
  through a symbolic link standing where the module goes.
- Control characters from source lines and record keys are printed escaped, never raw.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from compiler.semantics.check import check
from compiler.escape import display_width
from compiler.files import ReadRefused, read_bounded, write_inside
from compiler.semantics.program import stdlib_modules

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "tests" / "policies"
BODY = "施行 自 2025-01-01 起\n第1条「甲」\n  原文「正文」\n  款「乙」\n    原文「正文」\n    给予 非资金支持「场地」\n"


def polc(*args, timeout=60, cwd=None):
    return subprocess.run([sys.executable, "-m", "compiler.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd or ROOT, timeout=timeout,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))


def policy(folder: Path, source: str, name: str = "p.pol", extra: str = "") -> Path:
    path = folder / name
    path.write_text(f"政策「文件测试」\n原文文件「{source}」\n{extra}{BODY}", encoding="utf-8")
    return path


def codes(result) -> list[str]:
    return [d.code for d in result.errors]


@pytest.fixture
def folders(tmp_path):
    """A policy folder and, beside it, a folder with a file the policy must not reach."""
    inside, outside = tmp_path / "policy", tmp_path / "outside"
    inside.mkdir()
    outside.mkdir()
    (inside / "src.txt").write_text("正文\n", encoding="utf-8")
    (outside / "secret.txt").write_text("正文\n", encoding="utf-8")  # would even check: only the path stops it
    return inside, outside


# ---- 原文文件 and 扩展 ----------------------------------------------------------------

def test_source_file_in_the_folder_or_a_subfolder_is_read(folders):
    inside, _ = folders
    assert check(policy(inside, "src.txt")).ok
    (inside / "texts").mkdir()
    (inside / "texts" / "src.txt").write_text("正文\n", encoding="utf-8")
    assert check(policy(inside, "texts/src.txt")).ok
    (inside / "alias.txt").symlink_to(inside / "src.txt")  # a link that stays inside is fine
    assert check(policy(inside, "alias.txt")).ok


@pytest.mark.parametrize("named, why", [
    ("{outside}/secret.txt", "不能写绝对路径"),
    ("/etc/passwd", "不能写绝对路径"),
    ("../outside/secret.txt", "不能用“..”指向上级目录"),
    ("texts/../../outside/secret.txt", "不能用“..”指向上级目录"),
    ("..\\outside\\secret.txt", "不能用“..”指向上级目录"),
    ("C:\\Windows\\win.ini", "不能写绝对路径"),
    ("link.txt", "经由符号链接指向了政策所在目录之外"),
    ("linked/secret.txt", "经由符号链接指向了政策所在目录之外"),
])
def test_source_file_outside_the_folder_is_e207(folders, named, why):
    inside, outside = folders
    (inside / "link.txt").symlink_to(outside / "secret.txt")
    (inside / "linked").symlink_to(outside, target_is_directory=True)
    result = check(policy(inside, named.format(outside=outside)))
    assert codes(result) == ["E207"]
    d = result.errors[0]
    assert d.message == f"原文文件「{named.format(outside=outside)}」不在政策所在的目录中：{why}"
    assert str(inside) in d.hint and "原文文件「p.txt」" in d.hint
    assert (d.span.line, d.span.column) == (2, 1)  # the 原文文件 line
    assert result.program.source_text is None  # nothing was read


def test_rules_extend_only_a_policy_in_their_folder(folders):
    inside, outside = folders
    policy(outside, "secret.txt", "parent.pol")
    policy(inside, "src.txt", "parent.pol")
    for named, why in [(f"{outside}/parent.pol", "不能写绝对路径"), ("../outside/parent.pol", "不能用“..”指向上级目录")]:
        rules = inside / "r.pol"
        rules.write_text(f"细则「镇」\n扩展「{named}」\n", encoding="utf-8")
        result = check(rules)
        assert codes(result) == ["E207"]
        assert result.errors[0].message == f"细则扩展的政策文件「{named}」不在细则所在的目录中：{why}"
        assert result.errors[0].span.line == 2
    rules.write_text("细则「镇」\n扩展「parent.pol」\n", encoding="utf-8")
    assert check(rules).ok


def test_import_names_a_stdlib_module_never_a_path(tmp_path):
    # a module beside the policy, reachable from the stdlib folder by ../: 引用 must not load it
    (tmp_path / "evil.pol").write_text("模块「恶意」\n字段「恶意字段」：布尔\n", encoding="utf-8")
    stdlib = next(iter(stdlib_modules().values())).parent
    relative = os.path.relpath(tmp_path / "evil", stdlib)
    (tmp_path / "src.txt").write_text("正文\n", encoding="utf-8")
    for name in (relative, str(tmp_path / "evil"), "基础/../企业"):
        path = policy(tmp_path, "src.txt", extra=f"引用「{name}」\n")
        result = check(path)
        assert codes(result) == ["E200"], name
        assert result.errors[0].message == f"找不到要引用的模块「{name}」"
        assert not any(f.name == "恶意字段" for f in result.program.symbols.fields.values())
    assert "企业" in stdlib_modules() and check(policy(tmp_path, "src.txt", extra="引用「企业」\n")).ok


# ---- reads: regular files only, bounded -------------------------------------------------

def test_a_fifo_as_source_file_is_refused_without_blocking(folders):
    inside, _ = folders
    os.mkfifo(inside / "pipe.txt")  # nobody writes: opening it for reading would wait forever
    run = polc("check", policy(inside, "pipe.txt"), timeout=60)
    assert run.returncode == 1
    assert "错误[E205] 无法读取原文文件「pipe.txt」" in run.stdout and "不是普通文件（命名管道）" in run.stdout


def test_a_device_inside_the_folder_is_refused(folders):
    import stat

    inside, _ = folders
    try:
        os.mknod(inside / "zero.txt", stat.S_IFCHR | 0o600, os.makedev(1, 5))  # what /dev/zero is
    except PermissionError:
        pytest.skip("创建设备文件需要 root 权限")
    start = time.perf_counter()
    result = check(policy(inside, "zero.txt"))
    assert time.perf_counter() - start < 5
    assert codes(result) == ["E205"] and "不是普通文件（设备文件）" in result.errors[0].message


def test_a_fifo_or_device_as_policy_is_refused(tmp_path):
    os.mkfifo(tmp_path / "pipe.pol")
    run = polc("check", tmp_path / "pipe.pol", "/dev/zero", timeout=60)
    assert run.returncode == 1
    assert "不是普通文件（命名管道）" in run.stdout and "「/dev/zero」不是普通文件（设备文件）" in run.stdout


def test_reading_stops_at_the_limit_plus_one_byte(tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        f.truncate(8 * 2**30)  # 8 GiB, sparse: reading it all would take minutes and the memory
    read = []
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: read.append(real_read(fd, n)) or read[-1])
    start = time.perf_counter()
    with pytest.raises(ReadRefused) as refused:
        read_bounded(big, 1000)
    assert refused.value.too_large and time.perf_counter() - start < 2
    assert sum(map(len, read)) == 1001
    assert str(refused.value) == "文件过大：超过上限 1,000 字节"
    (tmp_path / "small.txt").write_bytes(b"x" * 1000)
    assert read_bounded(tmp_path / "small.txt", 1000) == b"x" * 1000


def test_a_huge_source_file_is_e205_quickly(folders):
    inside, _ = folders
    with open(inside / "huge.txt", "wb") as f:
        f.truncate(8 * 2**30)
    start = time.perf_counter()
    result = check(policy(inside, "huge.txt"))
    assert time.perf_counter() - start < 5
    assert codes(result) == ["E205"] and "文件过大：超过上限 2,000,000 字节" in result.errors[0].message


def test_eval_input_must_be_a_regular_file_of_bounded_size(tmp_path):
    os.mkfifo(tmp_path / "pipe.json")
    run = polc("eval", POLICIES / "cases.pol", "--input", tmp_path / "pipe.json", timeout=60)
    assert run.returncode == 1 and "不是普通文件（命名管道）" in run.stderr and "Traceback" not in run.stderr
    run = polc("eval", POLICIES / "cases.pol", "--input", "/dev/zero", timeout=60)
    assert run.returncode == 1 and "不是普通文件（设备文件）" in run.stderr
    with open(tmp_path / "huge.json", "wb") as f:
        f.truncate(8 * 2**30)
    run = polc("eval", POLICIES / "cases.pol", "--input", tmp_path / "huge.json", timeout=60)
    assert run.returncode == 1 and "文件过大" in run.stderr and "上限 20,000,000 字节" in run.stderr


# ---- writes: polc build --name, -o ------------------------------------------------------

@pytest.mark.parametrize("name", ["../escaped", "sub/mod", "/tmp/abs", "ｍｏｄ", "模块", "1mod", "class",
                                  "mod.py", "", "a b", "a\x1b[2Jb"])
def test_build_name_must_be_an_identifier(tmp_path, name):
    out = tmp_path / "out"
    run = polc("build", POLICIES / "cases.pol", "-o", out, "--name", name, cwd=tmp_path)
    assert run.returncode == 2
    assert f"--name「" in run.stderr and "不能作模块名" in run.stderr and "--name minhang_2024" in run.stderr
    assert "\x1b" not in run.stderr
    assert sorted(p.name for p in tmp_path.rglob("*")) == []  # nothing written anywhere


def test_build_writes_only_inside_the_output_folder(tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere.py"
    out.mkdir()
    elsewhere.write_text("# 不能被改写\n", encoding="utf-8")
    (out / "cases_mod.py").symlink_to(elsewhere)  # a link where the module goes
    run = polc("build", POLICIES / "cases.pol", "-o", out, "--name", "cases_mod")
    assert run.returncode == 0, run.stderr
    assert elsewhere.read_text(encoding="utf-8") == "# 不能被改写\n"
    module = out / "cases_mod.py"
    assert not module.is_symlink() and "def evaluate" in module.read_text(encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == ["cases_mod.py"]  # no temporary file left


def test_build_into_an_unwritable_place_says_so_in_chinese(tmp_path):
    (tmp_path / "file").write_text("", encoding="utf-8")
    run = polc("build", POLICIES / "cases.pol", "-o", tmp_path / "file" / "out")
    assert run.returncode == 1
    assert "无法在输出目录" in run.stderr and "路径中的某一段是文件而不是目录" in run.stderr and "-o DIR" in run.stderr


def test_write_inside_takes_a_bare_file_name(tmp_path):
    for name in ("../x.py", "a/b.py", "..", "", "a\\b.py"):
        with pytest.raises(ValueError):
            write_inside(tmp_path, name, "x")
    assert list(tmp_path.iterdir()) == []


def test_docs_pages_replace_a_link_instead_of_writing_through_it(tmp_path):
    out, elsewhere = tmp_path / "docs", tmp_path / "elsewhere.md"
    out.mkdir()
    elsewhere.write_text("不能被改写\n", encoding="utf-8")
    (out / "index.md").symlink_to(elsewhere)
    run = polc("docs", POLICIES / "cases.pol", "-o", out)
    assert run.returncode == 0, run.stderr
    assert elsewhere.read_text(encoding="utf-8") == "不能被改写\n"
    assert not (out / "index.md").is_symlink()


# ---- the terminal -----------------------------------------------------------------------

RAW_CONTROLS = [chr(c) for c in range(0x20) if c not in (0x0a,)] + ["\x7f", "\x9b", "\u202e"]


def raw_controls(text: str) -> list[str]:
    return sorted({c for c in text if c in RAW_CONTROLS})


def test_diagnostics_show_control_characters_escaped_and_the_caret_follows(tmp_path):
    path = tmp_path / "p.pol"
    path.write_text("政策「p\x1b[2J」\n参数「清屏\x1b[2J\u202e」：比例，哈\n", encoding="utf-8")
    run = polc("check", path)
    assert run.returncode == 1
    assert raw_controls(run.stdout) == []
    lines = run.stdout.splitlines()
    k = next(i for i, line in enumerate(lines) if "参数「清屏" in line)
    assert lines[k] == "    参数「清屏\\x1b[2J\\u202e」：比例，哈"
    # the caret is under 哈, counted on the line as shown
    assert lines[k + 1].index("^") == display_width(lines[k][:lines[k].index("哈")])


def test_check_summary_shows_control_characters_escaped(tmp_path):
    (tmp_path / "src.txt").write_text("正文\n\x1b]0;假标题\x07未引用的一句。\n", encoding="utf-8")
    path = tmp_path / "p.pol"
    path.write_text("政策「名称\x1b[31m」\n原文文件「src.txt」\n" + BODY, encoding="utf-8")
    run = polc("check", path)
    assert run.returncode == 0, run.stdout
    assert raw_controls(run.stdout) == []
    assert "政策「名称\\x1b[31m」" in run.stdout and "未引用：\\x1b]0;假标题\\x07未引用的一句。" in run.stdout


def test_eval_shows_keys_and_values_escaped(tmp_path):
    record = {"\x1b[31m红\x07\n合计：确定可得 1亿元": 1, "年新增实到外资": "300万美元", "申报年度": "2025年度"}
    (tmp_path / "e.json").write_text(json.dumps(record), encoding="utf-8")
    run = polc("eval", POLICIES / "cases.pol", "--input", tmp_path / "e.json")
    assert run.returncode == 0, run.stderr
    assert raw_controls(run.stdout) == []
    assert "提示 $.\\x1b[31m红\\x07\\n合计：确定可得 1亿元：未知字段" in run.stdout
    assert not any(line.startswith("合计：确定可得 1亿元") for line in run.stdout.splitlines())
    record["申报年度"] = "2025\x1b[2J\u202e"
    (tmp_path / "e.json").write_text(json.dumps(record), encoding="utf-8")
    run = polc("eval", POLICIES / "cases.pol", "--input", tmp_path / "e.json")
    assert run.returncode == 1 and raw_controls(run.stderr) == []
    assert "2025\\x1b[2J\\u202e" in run.stderr


def test_eval_json_escapes_what_json_leaves_raw(tmp_path):
    record = {"键\u202e\x9b\x7f": 1, "申报年度": "2025年度"}
    (tmp_path / "e.json").write_text(json.dumps(record), encoding="utf-8")
    run = polc("eval", POLICIES / "cases.pol", "--input", tmp_path / "e.json", "--json")
    assert run.returncode == 0, run.stderr
    assert raw_controls(run.stdout) == []
    result = json.loads(run.stdout)  # still the same JSON value
    assert any(w["位置"] == "$.键\u202e\x9b\x7f" for w in result["输入提示"])


def test_check_json_escapes_what_json_leaves_raw(tmp_path):
    (tmp_path / "src.txt").write_text("正文\n", encoding="utf-8")
    path = tmp_path / "p.pol"
    path.write_text("政策「名称\u202e\x9b」\n原文文件「src.txt」\n" + BODY, encoding="utf-8")
    run = polc("check", path, "--format", "json")
    assert run.returncode == 0, run.stdout
    assert raw_controls(run.stdout) == [] and "\\u202e\\u009b" in run.stdout
    assert json.loads(run.stdout)[0]["名称"] == "名称\u202e\x9b"


def test_set_with_control_characters_is_shown_escaped():
    run = polc("eval", POLICIES / "cases.pol", "--input", ROOT / "examples" / "manufacturer.json",
               "--set", "\x1b[2J清屏")
    assert run.returncode == 1 and raw_controls(run.stderr) == [] and "“\\x1b[2J清屏”" in run.stderr
