"""The editor extension: its TextMate grammar is generated from the keyword table and must be current."""

from __future__ import annotations

import json
import re
from pathlib import Path

from compiler.syntax.keywords import KEYWORDS
from compiler.textmate import GRAMMAR_PATH, grammar_json

VSCODE = Path(__file__).parent.parent / "editors" / "vscode"


def test_committed_grammar_is_current():
    assert GRAMMAR_PATH.read_text(encoding="utf-8") == grammar_json(), \
        "editors/vscode/syntaxes/polc.tmLanguage.json 已过时：运行 python -m compiler.textmate 重新生成"


def test_every_keyword_is_highlighted_with_its_group_scope():
    grammar = json.loads(GRAMMAR_PATH.read_text(encoding="utf-8"))
    keyword = grammar["repository"]["keyword"]
    pattern = re.compile(keyword["match"])
    for kw in KEYWORDS:
        for word in kw.words:
            match = pattern.match(word)
            assert match and match.group(0) == word, word  # the whole word, not a shorter one
            index = next(i for i, g in enumerate(match.groups(), start=1) if g is not None)
            assert keyword["captures"][str(index)]["name"].endswith(".polc")
    # Longest first: 金额为 (案例) is one word, not 金额 (类型) followed by 为.
    assert pattern.match("金额为").group(0) == "金额为"
    assert pattern.match("不低于").group(0) == "不低于"
    assert pattern.match("待编码").group(0) == "待编码"


def test_extension_files_refer_to_each_other():
    package = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    language = package["contributes"]["languages"][0]
    assert language["extensions"] == [".pol"]
    assert (VSCODE / language["configuration"]).is_file()
    grammar = package["contributes"]["grammars"][0]
    assert (VSCODE / grammar["path"]).resolve() == GRAMMAR_PATH.resolve()
    assert grammar["scopeName"] == json.loads(GRAMMAR_PATH.read_text(encoding="utf-8"))["scopeName"]
    assert (VSCODE / package["main"]).is_file()
    config = json.loads((VSCODE / "language-configuration.json").read_text(encoding="utf-8"))
    assert config["comments"]["lineComment"] == "#" and ["「", "」"] in config["brackets"]
