"""polc lsp over stdio: a small JSON-RPC client spawns the server and asks what an editor asks.

Every read has a deadline, so a server that hangs fails the test instead of stalling it.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import unquote

import pytest

pytest.importorskip("pygls")

from compiler.lsp import completions, from_utf16, name_at, to_utf16  # noqa: E402

REPO = Path(__file__).parent.parent
DEADLINE = 60  # seconds for any one answer (a check of the Minhang policy takes a few)

POLICY = """政策「编辑器」
原文文件「编辑器.txt」
引用「基础」、「企业」

参数「支持比例」：比例，范围 0% 至 100%，待定，说明「第1条：支持比例」

章「一、研发」

第1条「研发支持」
  原文「研发支持。」
  款「研发投入支持」
    原文「按研发费用给予支持。」
    条件「研发费用」不低于 100万元
    给予 按「研发费用」的「支持比例」
    上限 50万元
  款「以后再写」
    原文「其他支持另行规定。」
    待编码
"""
TEXT = "研发支持。按研发费用给予支持。其他支持另行规定。\n"


class Client:
    def __init__(self, cwd: Path):
        env = dict(os.environ, PYTHONPATH=str(REPO))
        self.process = subprocess.Popen([sys.executable, "-m", "compiler.cli", "lsp"], cwd=cwd, env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.messages: queue.Queue = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.process.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                key, _, value = line.decode("ascii").partition(":")
                headers[key.strip().lower()] = value.strip()
            body = out.read(int(headers["content-length"]))
            self.messages.put(json.loads(body.decode("utf-8")))

    def send(self, method: str, params, request: bool = True):
        message = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.next_id += 1
            message["id"] = self.next_id
        body = json.dumps(message, ensure_ascii=False).encode("utf-8")
        self.process.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body)
        self.process.stdin.flush()
        return message.get("id")

    def wait(self, predicate):
        while True:
            message = self.messages.get(timeout=DEADLINE)  # queue.Empty fails the test
            if predicate(message):
                return message

    def request(self, method: str, params):
        ident = self.send(method, params)
        answer = self.wait(lambda m: m.get("id") == ident and "method" not in m)
        assert "error" not in answer, answer
        return answer["result"]


@pytest.fixture
def client(tmp_path):
    c = Client(tmp_path)
    yield c
    if c.process.poll() is None:
        c.process.kill()
    c.process.wait(timeout=10)


def test_language_server_over_stdio(client, tmp_path):
    (tmp_path / "编辑器.txt").write_text(TEXT, encoding="utf-8")
    path = tmp_path / "编辑器.pol"
    path.write_text(POLICY, encoding="utf-8")
    uri = path.as_uri()
    caps = client.request("initialize", {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}})
    assert caps["capabilities"]["hoverProvider"] and caps["capabilities"]["definitionProvider"]
    client.send("initialized", {}, request=False)

    client.send("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "polc", "version": 1,
                                                          "text": POLICY}}, request=False)
    published = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")["params"]
    # The same as polc check: the 待编码 款 is warning W470 at line 16 (LSP line 15), and the policy has
    # no 施行 (W480); no errors.
    codes = sorted((d["code"], d["severity"], d["range"]["start"]["line"]) for d in published["diagnostics"])
    assert ("W470", 2, 15) in codes and all(severity == 2 for _, severity, _ in codes)

    # As you type: an unknown name becomes an error at once, without saving.
    broken = POLICY.replace("给予 按「研发费用」的「支持比例」", "给予 按「研发费用」的「支持比率」")
    client.send("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                           "contentChanges": [{"text": broken}]}, request=False)
    published = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")["params"]
    errors = [d for d in published["diagnostics"] if d["severity"] == 1]
    assert errors and "支持比率" in errors[0]["message"] and errors[0]["range"]["start"]["line"] == 13
    client.send("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3},
                                           "contentChanges": [{"text": POLICY}]}, request=False)
    client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")

    # Hover on 「支持比例」 in line 14 (LSP 13): its type, range, 说明 and that it is 待定.
    line13 = POLICY.split("\n")[13]
    column = line13.index("「支持比例」") + 2
    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                  "position": {"line": 13, "character": column}})
    text = hover["contents"]["value"]
    assert "参数「支持比例」" in text and "比例" in text and "待定" in text and "第1条：支持比例" in text

    # Hover on a field from the stdlib: its type with unit; on the 待编码 款: its 原文 and that it is open.
    column = line13.index("「研发费用」") + 2
    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                  "position": {"line": 13, "character": column}})
    assert "字段「研发费用」" in hover["contents"]["value"] and "金额" in hover["contents"]["value"]
    line15 = POLICY.split("\n")[15]
    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                  "position": {"line": 15, "character": line15.index("「") + 1}})
    assert "待编码" in hover["contents"]["value"] and "其他支持另行规定。" in hover["contents"]["value"]

    # Go to definition: the parameter is declared on line 5 (LSP 4) of this file; the field in the stdlib.
    found = client.request("textDocument/definition", {"textDocument": {"uri": uri},
                                                       "position": {"line": 13, "character": line13.index("「支持比例」") + 2}})
    assert found["uri"] == uri and found["range"]["start"]["line"] == 4
    found = client.request("textDocument/definition", {"textDocument": {"uri": uri},
                                                       "position": {"line": 13, "character": line13.index("「研发费用」") + 2}})
    assert found["uri"].endswith(".pol") and "stdlib" in found["uri"]
    stdlib_text = Path(unquote(found["uri"].removeprefix("file://"))).read_text(encoding="utf-8").split("\n")
    assert "「研发费用」" in stdlib_text[found["range"]["start"]["line"]]

    # Completion: inside 「 the declared names; elsewhere the keywords.
    client.send("textDocument/didChange", {"textDocument": {"uri": uri, "version": 4},
                                           "contentChanges": [{"text": POLICY + "    上限「支持"}]}, request=False)
    client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    last = len(POLICY.split("\n")) - 1
    listed = client.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                        "position": {"line": last, "character": len("    上限「支持")}})
    labels = {i["label"] for i in listed["items"]}
    assert "支持比例" in labels and "给予" not in labels
    listed = client.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                        "position": {"line": last, "character": 4}})
    labels = {i["label"] for i in listed["items"]}
    assert {"给予", "待编码", "不低于", "条件"} <= labels

    # Document symbols: 章 containing 条 containing its two 款.
    client.send("textDocument/didChange", {"textDocument": {"uri": uri, "version": 5},
                                           "contentChanges": [{"text": POLICY}]}, request=False)
    client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    outline = client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    assert [s["name"] for s in outline] == ["一、研发"]
    article = outline[0]["children"][0]
    assert article["name"] == "第1条「研发支持」" and article["range"]["start"]["line"] == 8
    assert [c["name"] for c in article["children"]] == ["款「研发投入支持」", "款「以后再写」"]

    assert client.request("shutdown", None) is None
    client.send("exit", None, request=False)
    assert client.process.wait(timeout=DEADLINE) == 0


def test_positions_count_utf16_units():
    line = "条件「𠀀字」"  # 𠀀 is outside the BMP: two UTF-16 units
    assert to_utf16(line, 1) == 0 and to_utf16(line, 4) == 3 and to_utf16(line, 5) == 5
    assert from_utf16(line, 5) == 4 and from_utf16(line, 3) == 3


def test_name_at_reads_article_references():
    line = "  预期 第12条「研发投入支持」 符合"
    at = name_at(line, line.index("研"))
    assert at.name == "研发投入支持" and at.article == "12"
    assert name_at(line, 2) is None
    assert completions(None, "上限「支", 4) == []  # no program yet: nothing to offer, no failure


def test_lookup_in_the_minhang_policy():
    from compiler.semantics.check import check
    from compiler.lsp import describe, lookup, outline

    path = str(REPO / "policies" / "minhang_2024.pol")
    program = check(path).program
    # A case's 预期 names 第1条「研发投入支持」: the 款 declared on line 27 (after 第1条 on 25 and its 原文 on 26).
    line = "  预期 第1条「研发投入支持」 待评定，金额为 200万元"
    found = lookup(program, name_at(line, line.index("研")))
    assert found.kind == "款" and found.span.line == 27
    text = describe(program, found)
    assert "原文：「对于符合我区产业导向" in text and "待编码" not in text
    # 研发投入支持比例 is declared 待定 on line 22 and no 细则 is loaded: the hover says 待定.
    found = lookup(program, name_at("「研发投入支持比例」", 1))
    assert found.kind == "参数" and found.span.line == 22 and "**待定**" in describe(program, found)
    # The outline's first 章 is 一)支持研发技术创新 with 第1条 to 第6条.
    first = outline(program, path)[0]
    assert first["name"] == "一)支持研发技术创新"
    assert [a["name"].split("「")[0] for a in first["children"]] == [f"第{i}条" for i in range(1, 7)]
