"""A policy written to attack the documentation site, and a checker for the HTML built from it.

``write_hostile_policy(folder)`` writes a policy and a 细则 whose every piece of text (names of the
policy, chapters, articles, items, fields, parameters, levels, recognitions, units, measures,
cases, 互斥 groups; issuer, stage, 原文 quotes, the 原文文件's start sentence, notes, descriptions,
text values, the drafter's ``#`` notes inside a case, ...) carries a payload: ``<script>``,
``<img onerror>``, ``<svg onload>``, Markdown links to ``javascript:``, attr_list ``{: onclick }``,
text that closes ``<title>`` or an attribute, and entities that would turn into tags if decoded
once too often. Each payload carries a number (``PWN17``), so anything that ran would say where it
came from.

``scan_html(text)`` parses a page with ``html.parser`` and lists what could run: script elements
whose content names a payload, any ``on*`` attribute, any ``javascript:`` URL.
"""

from __future__ import annotations

import html.parser
import itertools
from pathlib import Path

# {n} is replaced by a running number: every place gets its own marker.
PAYLOADS = [
    '<script>alert("PWN{n}")</script>',
    '<img src=x onerror=alert("PWN{n}")>',
    '<svg onload=alert("PWN{n}")>',
    '[x](javascript:alert("PWN{n}"))',
    '{{: onclick=alert("PWN{n}") }}',
    '</title><script>alert("PWN{n}")</script>',
    '&lt;script&gt;alert("PWN{n}")&lt;/script&gt;',
    '"><svg onload=alert("PWN{n}")>',
    "<a href=\"javascript:alert('PWN{n}')\">x</a>",
    '<javascript:alert("PWN{n}")>',
    '![x](javascript:alert("PWN{n}"))',
    '<details open ontoggle=alert("PWN{n}")>',
    '{{ onclick=alert("PWN{n}") }}',
    '[x]: javascript:alert("PWN{n}")',
    '<iframe src="javascript:alert(\'PWN{n}\')"></iframe>',
]


class Payloads:
    """Hands out payloads in turn, each with its own number; remembers which ones the site shows."""

    def __init__(self):
        self.counter = itertools.count(1)
        self.kinds = itertools.cycle(PAYLOADS)
        self.shown: list[str] = []  # texts the site displays: they must read exactly as written
        self.unshown: list[str] = []  # texts the site has no place for (field descriptions, ...)

    def __call__(self, prefix: str = "", shown: bool = True) -> str:
        text = prefix + next(self.kinds).format(n=next(self.counter))
        (self.shown if shown else self.unshown).append(text)
        return text


def write_hostile_policy(folder: Path) -> tuple[Path, Path, Payloads]:
    """A hostile policy, its 原文, and a 细则 extending it: (policy, 细则, the payloads used)."""
    p = Payloads()
    quotes = [f"第{i}句{p()}。" for i in range(1, 10)]
    start = p("正文起")
    source = "\n".join(["恶意政策原文", start, *quotes, f"这一句不被引用{p()}。"]) + "\n"
    source_name = 'hostile<svg onload=alert("PWN-FILE")>.txt'  # a file name is text too (no "/" in it)
    (folder / source_name).write_text(source, encoding="utf-8")
    level, lv_high, lv_low = p("等级", shown=False), p("高"), p("低")
    rec, graded_rec = p("认定"), p("分级认定")
    text_field, set_field, count_field, money_field = p("类别"), p("标签"), p("数量"), p("投资")
    unit = "场"
    value_a, value_b = p("值"), p("值")
    param_ratio, param_pending, param_level = p("比例"), p("待定"), p("等级参数")
    measure = p("度量")
    proj_text = p("项目类型")
    item_a, item_b, item_c, item_d, item_e = p("款"), p("款"), p("款"), p("款"), p("款")
    case_name = p("案例")
    lines = [
        f"政策「{p('政策')}」",
        f"发布单位「{p('单位')}」",
        "发布日期 2025-01-01",
        f"文本状态「{p('状态')}」",
        f"原文文件「{source_name}」自「{start}」起",
        "施行 自 2025-01-01 起",
        "引用「企业」、「项目」",
        f"备注「{p('政策备注')}」",
        # declarations the site does not list: their texts are only checked not to run
        f"单位「{p('单位名', shown=False)}」，说明「{p(shown=False)}」",
        f"等级「{level}」：「{lv_high}」>「{lv_low}」，说明「{p(shown=False)}」",
        f"认定「{rec}」，说明「{p(shown=False)}」",
        f"认定「{graded_rec}」 分级「{level}」，说明「{p(shown=False)}」",
        f"字段「{text_field}」：文本，说明「{p(shown=False)}」",
        f"字段「{set_field}」：集合，说明「{p(shown=False)}」",
        f"字段「{count_field}」：数量（{unit}），说明「{p(shown=False)}」",
        f"字段「{money_field}」：金额，说明「{p(shown=False)}」",
        f"项目字段「{proj_text}」：文本，说明「{p(shown=False)}」",
        f"度量「{measure}」 =「{money_field}」+ 1万元，说明「{p(shown=False)}」",
        f"参数「{param_ratio}」：比例，范围 0% 至 20%，取值 10%，说明「{p()}」",
        f"参数「{param_pending}」：金额，范围 0元 至 100万元，待定，说明「{p()}」",
        f"参数「{param_level}」：等级「{level}」，取值「{lv_low}」，说明「{p()}」",
        f"章「{p('章')}」",
        f"第1条「{p('条')}」",
        f"  原文「{quotes[0]}」",
        f"  备注「{p('条备注')}」",
        f"  款「{item_a}」",
        f"    原文「{quotes[1]}」",
        f"    条件「{text_field}」 属于 {{「{value_a}」、「{value_b}」}} 且「{set_field}」 包含「{p('标')}」",
        f"    条件「{count_field}」 达到 3{unit}",
        "    经综合评定",
        f"    给予 按「{measure}」的「{param_ratio}」",
        f"    上限「{param_pending}」",
        f"    备注「{p('款备注')}」",
        f"  款「{item_b}」",
        f"    原文「{quotes[2]}」",
        f"    条件 已认定「{graded_rec}」「{lv_low}」及以上 或 已认定「{rec}」",
        f"    给予 分级「{graded_rec}」：「{lv_high}」20万元，「{lv_low}」10万元",
        "    频次 一次性",
        f"  款「{item_c}」",
        f"    原文「{quotes[3]}」",
        f"    给予 非资金支持「{p('支持')}」",
        f"章「{p('章')}」",
        f"第2条「{p('条')}」",
        f"  原文「{quotes[4]}」",
        f"  款「{item_d}」",
        f"    原文「{quotes[5]}」",
        "    每个项目",
        f"    条件「{proj_text}」 属于 {{「{value_a}」}}",
        "    给予 按「核定投资额」的 10%",
        "    上限 最高 100万元",
        f"  款「{item_e}」",
        f"    原文「{quotes[6]}」",
        f"    给予 分档「{money_field}」",
        "      档 达到 100万元 且 低于 500万元：10万元",
        "      档 达到 500万元：30万元",
        "    上限 最高 30万元",
        f"    例外 第1条「{item_c}」",
        f"附则「{p('附则章')}」",
        f"附则第1条「{p('附则')}」",
        f"  原文「{quotes[7]}」",
        f"  款「{p('附则款')}」",
        f"    原文「{quotes[7]}」",
        "    给予 一事一议",
        f"互斥「{p('互斥')}」：第1条「{item_a}」、第1条「{item_b}」 就高",
        "",
        f"案例「{case_name}」",
        f"  # {p('手算')}",
        f"  企业「{text_field}」「{value_a}」，「{count_field}」5{unit}，「{money_field}」200万元，"
        f"「{set_field}」{{「{p('元素')}」}}",
        f"  企业 已认定「{graded_rec}」为「{lv_high}」",
        f"  项目「{proj_text}」「{value_a}」，「核定投资额」100万元",
        f"  已获 第2条「{item_d}」「{p('已获项目', shown=False)}」 2024年度 1万元",
        f"  设定「{param_pending}」为 50万元",
        f"  预期 第1条「{item_b}」 符合，金额为 20万元",
        f"  预期 第2条「{item_e}」 符合，金额为 10万元",
    ]
    policy = folder / "hostile.pol"
    policy.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rules = folder / 'hostile_rules<img src=x onerror=alert("PWN-STEM")>.pol'  # its stem is in the URLs
    rules.write_text("\n".join([
        f"细则「{p('细则')}」",
        "扩展「hostile.pol」",
        f"设定「{param_pending}」为 40万元",
        f"设定「{param_level}」为「{lv_high}」",
        f"补充条件 第1条「{item_a}」：「{text_field}」 属于 {{「{value_b}」}}",
        f"备注「{p('细则备注')}」",
        f"第9条「{p('细则条')}」",
        f"  原文「{quotes[8]}」",
        f"  款「{p('细则款')}」",
        f"    原文「{quotes[8]}」",
        "    给予 5万元",
        "    频次 每年",
    ]) + "\n", encoding="utf-8")
    return policy, rules, p


# ---- what could run ---------------------------------------------------------------

class _Scanner(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.text: list[str] = []
        self._script = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            shown = "".join((value or "").split()).lower()
            if shown.startswith("javascript:") or "javascript:" in shown and name.lower() in _URL_ATTRS:
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self._script = []

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            body = "".join(self._script)
            if "PWN" in body or "alert(" in body:
                self.found.append(f"<script>{body[:80]}</script>")
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)
        else:
            self.text.append(data)


_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "poster", "background"}


def scan_html(text: str) -> tuple[list[str], str]:
    """(what could run, the page's text as a reader sees it)."""
    scanner = _Scanner()
    scanner.feed(text)
    scanner.close()
    if scanner._script is not None and ("PWN" in "".join(scanner._script)):
        scanner.found.append("<script> left open")
    return scanner.found, "".join(scanner.text)
