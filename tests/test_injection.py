"""A hostile policy cannot inject code into its generated module (STYLE.md practices 1, 2 and 10).

Every name, quote, note, description and text value of the policy below carries hostile text:
quotes, backslashes, triple quotes, ``__import__('os').system(...)``, format braces, comment
signs, full-width look-alikes of Python keywords, bidirectional controls (U+202E, U+2066),
zero-width characters and C0 controls that Python's str.splitlines() treats as line breaks. The
policy file's own name has a lone carriage return. The generated module must:

- carry that text only inside repr'd string constants (checked with ``ast`` and ``tokenize``);
- use only ASCII identifiers, and call only the runtime's helpers, ctx methods, Decimal,
  datetime.date and frozenset in the policy part;
- have no side effect on import or evaluation (no sentinel file, no audit event for a process,
  a socket or a file opened for writing);
- be byte-identical when generated twice, in two processes with different hash seeds;
- give the same results as the interpreter, with the hostile text intact.
"""

from __future__ import annotations

import ast
import hashlib
import io
import json
import os
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

from compiler.targets.python.build import source_text
from compiler.semantics.check import check
from evalkit import Pair, REPO, import_source

HOSTILE = [
    "'", '"', "\\", "\\'", '"""', "'''", "\\n", "\\x00", "\\u202e",
    "__import__('os').system('touch PWNED_A')",
    "\"); __import__('os').system('touch PWNED_B'); (\"",
    "'''); open('PWNED_C', 'w').write('x'); ('''",
    '"""); import os; os.system("touch PWNED_D"); ("""',
    "{}", "{0}", "{__import__('os')}", "%s%(x)d", "${x}", "`id`",
    "# coding: rot13", "\t",
    "ｅｘｅｃ", "＿＿ｉｍｐｏｒｔ＿＿", "ｄｅｆ ｆ（）：", "ｌａｍｂｄａ",
    "\u202e", "\u2066evil\u2069", "\u200b", "\u200d", "\ufeff", "\u00a0",
    "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x7f", "\x01", "\x1b[31m",
]
MARKERS = ["PWNED", "__import__", "os.system", "\u202e", "\u2066", "ｅｘｅｃ", "＿＿ｉｍｐｏｒｔ＿＿", "rot13"]


def hostile_policy(folder: Path, stem: str = "hostile") -> Path:
    """Write a policy whose every piece of text is hostile, and its source text."""
    sentences = [f"第{i}句{h}。" for i, h in enumerate(HOSTILE)]
    (folder / "hostile.txt").write_text("恶意政策原文\n" + "\n".join(sentences) + "\n", encoding="utf-8")
    lines = [
        f"政策「恶意政策{HOSTILE[9]}{HOSTILE[13]}」",
        f"发布单位「单位{HOSTILE[10]}」",
        f"文本状态「状态{HOSTILE[12]}{HOSTILE[25]}」",
        "原文文件「hostile.txt」",
        "施行 自 2025-01-01 起",
        "引用「企业」",
        f"等级「等级{HOSTILE[0]}」：「甲{HOSTILE[1]}」>「乙{HOSTILE[2]}」，说明「{HOSTILE[11]}」",
        f"认定「认定{HOSTILE[3]}」 分级「等级{HOSTILE[0]}」，说明「{HOSTILE[26]}」",
        f"认定「认定{HOSTILE[14]}」",
        f"字段「类别{HOSTILE[15]}」：文本，说明「{HOSTILE[4]}」",
        f"字段「标签{HOSTILE[16]}」：集合",
        f"参数「待定{HOSTILE[17]}」：金额，待定，说明「{HOSTILE[18]}」",
        f"参数「级别参数{HOSTILE[5]}」：等级「等级{HOSTILE[0]}」，取值「乙{HOSTILE[2]}」",
    ]
    for i, h in enumerate(HOSTILE):
        lines += [f"字段「事实{i}{h}」：布尔，说明「说明{i}{h}」",
                  f"参数「金额{i}{h}」：金额，范围 0元 至 100万元，取值 {i + 1}万元，说明「参数{i}{h}」"]
    lines += [f"章「章{HOSTILE[19]}」", f"第1条「条{HOSTILE[20]}」", f"  原文「{sentences[0]}」",
              f"  备注「备注{HOSTILE[21]}」"]
    for i, h in enumerate(HOSTILE):
        lines += [
            f"  款「款{i}{h}」",
            f"    原文「{sentences[i]}」",
            f"    条件「事实{i}{h}」",
            f"    给予「金额{i}{h}」",
            f"    备注「备注{i}{h}」",
        ]
    lines += [
        "第2条「组合」",
        f"  原文「{sentences[1]}」",
        f"  款「文本{HOSTILE[6]}」",
        f"    原文「{sentences[2]}」",
        f"    条件「类别{HOSTILE[15]}」 属于 {{「值{HOSTILE[7]}」、「值{HOSTILE[8]}」、「值{HOSTILE[24]}」}}",
        f"    条件「标签{HOSTILE[16]}」 包含「标{HOSTILE[27]}」",
        f"    条件 已认定「认定{HOSTILE[3]}」「乙{HOSTILE[2]}」及以上 且 已认定「认定{HOSTILE[14]}」",
        f"    给予 分级「认定{HOSTILE[3]}」：「甲{HOSTILE[1]}」「金额1{HOSTILE[1]}」，「乙{HOSTILE[2]}」「金额2{HOSTILE[2]}」",
        f"    上限「待定{HOSTILE[17]}」",
        f"  款「非资金{HOSTILE[22]}」",
        f"    原文「{sentences[3]}」",
        f"    给予 非资金支持「支持{HOSTILE[23]}」",
        f"互斥「互斥{HOSTILE[28]}」：第1条「款0{HOSTILE[0]}」、第1条「款1{HOSTILE[1]}」 就高",
    ]
    path = folder / f"{stem}.pol"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    path = hostile_policy(folder)
    result = check(str(path))
    assert result.ok, [f"{d.code} {d.span.line}:{d.span.column} {d.message}" for d in result.errors]
    return path, result, source_text(result.program)


def split(source: str) -> tuple[str, str, int]:
    """The copied runtime, the part generated from the policy, and the line where that part starts."""
    marker = "# ---- the policy ----\n"
    assert source.count(marker) == 1
    head, tail = source.split(marker)
    return head, tail, head.count("\n") + 2


def test_the_hostile_text_is_in_the_policy(hostile):
    _, result, source = hostile
    # the test is only worth something if the text really reached the module
    for h in HOSTILE[9:13] + ["\u202e", "ｅｘｅｃ", "\x0b"]:
        assert repr(h)[1:-1] in source or h in source


def test_module_parses_and_every_identifier_is_ascii(hostile):
    tree = ast.parse(hostile[2])
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Name):
            names.append(node.id)
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.arg):
            names.append(node.arg)
        elif isinstance(node, ast.alias):
            names += [node.name, node.asname or ""]
        elif isinstance(node, ast.keyword) and node.arg:
            names.append(node.arg)
        for name in names:
            assert name.isascii() and (not name or name.isidentifier()), repr(name)


def test_policy_text_only_in_string_constants(hostile):
    source = hostile[2]
    head, tail, start = split(source)
    for marker in MARKERS:
        assert marker not in head, f"policy text in the copied runtime: {marker!r}"
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    for tok in tokens:
        if tok.start[0] < start:
            continue
        if tok.type == tokenize.COMMENT:
            pytest.fail(f"a comment in the generated part: {tok.string!r}")
        if tok.type == tokenize.STRING:
            assert not tok.string.lstrip("rbuRBU").startswith(("f", "F")), "no f-strings in generated code"
            value = ast.literal_eval(tok.string)
            assert isinstance(value, str)
            continue
        assert tok.string.isascii(), f"non-ASCII outside a string at line {tok.start[0]}: {tok.string!r}"
    # every generated line is printable ASCII: hostile characters appear only as escapes or inside repr'd str
    for number, line in enumerate(tail.split("\n")):
        for marker in ("\u202e", "\u2066", "\x0b", "\x0c", "\x1c", "\x1b", "\r", "\x7f"):
            assert marker not in line, f"raw control character {marker!r} in generated line {number}"
    # str.splitlines() sees the same lines as "\n" does: no hidden line breaks anywhere
    assert source.splitlines() == source.split("\n")[:-1]


def test_calls_only_known_helpers(hostile):
    source = hostile[2]
    tree = ast.parse(source)
    head, _, start = split(source)
    helpers = {node.name for node in ast.parse(head).body if isinstance(node, ast.FunctionDef)}
    # the generated part's own functions (a tier table of the decide path is one), each checked here too
    own = {node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.lineno >= start}
    assert own.isdisjoint(helpers), "a generated function hides a runtime helper"
    # set() only makes the decide path's empty sets of missing facts; it takes no argument there;
    # type() only asks whether a value is a Decimal or a text before comparing it directly
    allowed_names = helpers | own | {"Decimal", "frozenset", "set", "type", "evaluate_policy", "decide_policy"}
    allowed_attributes = {("ctx", "field"), ("ctx", "project_field"), ("ctx", "param"), ("ctx", "recognitions"),
                          ("ctx", "level_of"), ("ctx", "past"), ("datetime", "date")}
    calls = 0
    for node in ast.walk(tree):
        if getattr(node, "lineno", 0) < start:
            continue
        if isinstance(node, ast.Call):
            calls += 1
            func = node.func
            if isinstance(func, ast.Name):
                assert func.id in allowed_names, f"call of {func.id} at line {node.lineno}"
                assert func.id != "set" or not node.args, f"set() with an argument at line {node.lineno}"
                assert func.id != "type" or len(node.args) == 1, f"type() with other than one argument at line {node.lineno}"
            else:
                assert isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name), ast.dump(func)
                assert (func.value.id, func.attr) in allowed_attributes, f"call of {func.value.id}.{func.attr}"
            for arg in node.args:
                assert not isinstance(arg, ast.Starred)
        assert not isinstance(node, (ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal, ast.Delete,
                                     ast.JoinedStr, ast.Await, ast.Yield, ast.With, ast.Try))
        if isinstance(node, ast.Name):
            assert node.id not in {"eval", "exec", "compile", "open", "getattr", "setattr", "globals", "vars",
                                   "__import__", "__builtins__", "breakpoint", "input"}, node.id
    assert calls > 100


AUDIT = r"""
import json, sys
events = []
WATCH = ("os.system", "subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "socket.",
         "os.remove", "os.rename", "os.unlink", "shutil.", "ctypes.", "os.putenv", "os.chdir", "os.mkdir")
def hook(event, args):
    if event.startswith(WATCH):
        events.append(event)
    if event == "open" and isinstance(args[1], str) and any(c in args[1] for c in "wax+"):
        events.append(f"open {args[0]} {args[1]}")
sys.addaudithook(hook)
sys.path.insert(0, sys.argv[1])
import hostile_module as m
records = json.loads(sys.stdin.read())
results = [m.evaluate(r, None, "2025-06-01") for r in records]
json.dump({"events": events, "results": results, "policy": m.POLICY, "parameters": m.PARAMETERS}, sys.stdout)
"""


def records_for(program):
    facts = [f.name for f in program.symbols.fields.values() if f.name.startswith("事实")]
    return [{}, {name: True for name in facts}, {name: i % 2 == 0 for i, name in enumerate(facts)}]


def test_importing_and_running_has_no_side_effect(hostile, tmp_path):
    path, result, source = hostile
    out = tmp_path / "mod"
    out.mkdir()
    (out / "hostile_module.py").write_text(source, encoding="utf-8")
    records = records_for(result.program)
    run = subprocess.run([sys.executable, "-I", "-S", "-B", "-c", AUDIT, str(out)], input=json.dumps(records),
                         capture_output=True, text=True, encoding="utf-8", cwd=tmp_path, timeout=120)
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    assert got["events"] == []
    assert not list(tmp_path.glob("PWNED*")) and not list(Path.cwd().glob("PWNED*")) and not list(out.glob("PWNED*"))
    # the hostile text comes back intact, as data
    assert got["policy"]["名称"] == f"恶意政策{HOSTILE[9]}{HOSTILE[13]}"
    assert got["policy"]["发布单位"] == f"单位{HOSTILE[10]}"
    labels = [r["条款"] for r in got["results"][1]["条款"]]
    assert f"第1条「款12{HOSTILE[12]}」" in labels
    # every item applies when every fact is true: 款i gives (i + 1)万元
    amounts = {r["条款"]: r["金额"] for r in got["results"][1]["条款"]}
    for i, h in enumerate(HOSTILE):
        assert amounts[f"第1条「款{i}{h}」"] == f"{(i + 1) * 10000}.00"
    assert got["parameters"][f"待定{HOSTILE[17]}"]["取值"] == "待定"


def test_interpreter_and_module_agree(hostile):
    path, result, source = hostile
    pair = Pair(path)
    module = import_source(source, "hostile")
    for record in records_for(result.program) + [
        {f"类别{HOSTILE[15]}": f"值{HOSTILE[8]}", f"标签{HOSTILE[16]}": [f"标{HOSTILE[27]}"],
         "已认定": {f"认定{HOSTILE[3]}": f"甲{HOSTILE[1]}", f"认定{HOSTILE[14]}": True}},
    ]:
        a = pair.interpreter.evaluate(record, None, "2025-06-01")
        assert module.evaluate(record, None, "2025-06-01") == a == pair.module.evaluate(record, None, "2025-06-01")
    text_item = next(r for r in a["条款"] if r["条款"] == f"第2条「文本{HOSTILE[6]}」")
    assert text_item["状态"] == "参数待定" and text_item["待定参数"] == [f"待定{HOSTILE[17]}"]
    # the unknown hostile field names are echoed back as data in 输入提示, not executed
    warned = pair.module.evaluate({HOSTILE[9]: 1, HOSTILE[12]: 2})["输入提示"]
    assert {w["位置"] for w in warned} == {f"$.{HOSTILE[9]}", f"$.{HOSTILE[12]}"}


DIGEST = r"""
import hashlib, sys
sys.path[:0] = [sys.argv[1]]
from compiler.targets.python.build import source_text
from compiler.semantics.check import check
print(hashlib.sha256(source_text(check(sys.argv[2]).program).encode("utf-8")).hexdigest())
"""


def test_generation_is_deterministic(hostile, tmp_path):
    path, _, source = hostile
    again = source_text(check(str(path)).program)
    assert again == source
    digests = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-c", DIGEST, str(REPO), str(path)], capture_output=True, text=True,
                             env=env, timeout=120)
        assert run.returncode == 0, run.stderr
        digests.add(run.stdout.strip())
    assert digests == {hashlib.sha256(source.encode("utf-8")).hexdigest()}


def test_a_file_name_with_a_carriage_return(tmp_path):
    # a lone \r in the policy's own file name reaches every trace position, only as repr'd data
    path = hostile_policy(tmp_path, stem="evil\r'\"\\{}")
    result = check(str(path))
    assert result.ok, [d.message for d in result.errors]
    source = source_text(result.program)
    assert "\r" not in source
    assert source.splitlines() == source.split("\n")[:-1]
    module = import_source(source, "evil")
    item = module.evaluate({"事实0'": True})["条款"][0]
    assert item["理由"] and item["理由"][0]["位置"].startswith("evil\r'\"\\{}.pol:")


def test_build_writes_an_ascii_module_name(tmp_path):
    from compiler.targets.python.build import build_module

    path = hostile_policy(tmp_path, stem="evil'\"\\{}__import__('os')")
    written = build_module(check(str(path)).program, tmp_path / "out")
    assert written.name.isascii() and written.stem.isidentifier()
