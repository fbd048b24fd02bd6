"""Expressions and clauses as plain Chinese text, for traces, formulas and the docs.

Every function takes an optional keyword ``name``: a function from a ``Ref``
to the text shown for it. Without it a name is shown as 「名称」; the docs pass
one that makes Markdown links (and escapes the name), so there is one renderer
for the trace, the formula and the documentation.
"""

from __future__ import annotations

from compiler.syntax import nodes as n

_OPS = {"+": "＋", "-": "－", "×": "×", "÷": "÷"}
_REL_WORD = {">=": "不低于", "<=": "不超过", ">": "超过", "<": "低于"}
_PRECEDENCE = {"或": 1, "且": 2, "+": 4, "-": 4, "×": 5, "÷": 5, "的": 3}

# 边界词的含义（民法典第一千二百五十九条）：是否包括本数。
BOUND_MEANING = {">=": "≥，含本数", "<=": "≤，含本数", ">": "＞，不含本数", "<": "＜，不含本数"}


def _plain_name(ref: n.Ref) -> str:
    return f"「{ref.name}」"


def text(e, parent: int = 0, *, name=None, times: bool = False) -> str:
    """A readable rendering that keeps the drafter's own words where it can.

    With ``times`` a ratio of a base (``「基数」的「比例」``) is written as a product,
    for formulas: ``「基数」 × 「比例」``.
    """
    name = name or _plain_name
    if e is None:
        return ""
    if isinstance(e, n.Literal):
        return e.text
    if isinstance(e, n.Ref):
        return name(e)
    if isinstance(e, n.Binary):
        op = "×" if times and e.op == "的" else e.op
        mine = _PRECEDENCE[op]
        left = text(e.left, mine, name=name, times=times)
        right = text(e.right, mine + 1, name=name, times=times)
        body = f"{left}的{right}" if op == "的" else f"{left} {_OPS[op]} {right}"
        return f"（{body}）" if mine < parent else body
    if isinstance(e, n.ByLevel):
        entries = "，".join(f"{name(lv)}{text(a, name=name, times=times)}" for lv, a in e.entries)
        return f"按{text(e.measure, name=name)}分级：{entries}"
    if isinstance(e, n.Compare):
        return compare_text(e, name=name)
    if isinstance(e, n.Logic):
        mine = _PRECEDENCE[e.op]
        body = f"{text(e.left, mine, name=name)} {e.op} {text(e.right, mine + 1, name=name)}"
        return f"（{body}）" if mine < parent else body
    if isinstance(e, n.Not):
        if isinstance(e.operand, n.Compare) and e.operand.words == ("不等于",):
            return compare_text(e.operand, name=name)
        if e.excluded:
            return f"{text(e.operand, 9, name=name)}除外"
        return f"非{text(e.operand, 9, name=name)}"
    if isinstance(e, n.Holds):
        names = "、".join(name(r) for r in e.recognitions)
        body = f"已认定{names}" if len(e.recognitions) == 1 else f"已认定{{{names}}}之一"
        if e.first:
            body = f"首次认定{names}"
        if e.level is not None:
            body += name(e.level) + ("及以上" if e.level_op == ">=" else _REL_WORD.get(e.level_op, ""))
        return body
    if isinstance(e, n.Within):
        return f"{text(e.value, 9, name=name)}自{text(e.start, 9, name=name)}起{e.text}"
    if isinstance(e, n.AwardOf):
        return f"金额（{e.item}）"
    if isinstance(e, n.Step):
        return (f"{text(e.measure, 9, name=name, times=times)}{e.word}{text(e.size, 9, name=name)}"
                f"增加{text(e.each, 9, name=name, times=times)}")
    if isinstance(e, n.Round):
        return f"{e.mode}（{text(e.value, name=name, times=times)}，{text(e.unit, name=name)}）"
    if isinstance(e, n.Aggregate):
        parts = [name(e.list) + (f"的{text(e.value, name=name, times=times)}" if e.value is not None else "")]
        if e.where is not None:
            parts.append(f"凡{text(e.where, name=name)}")
        if e.test is not None:
            parts.append(text(e.test, name=name))
        return f"{e.kind}（" + "，".join(parts) + "）"
    if isinstance(e, n.Progressive):
        parts = [(band_text(t.band, "", name=name) if t.band is not None else "") + "的部分按"
                 + text(t.amount, name=name) for t in e.tiers]
        return f"累进{text(e.measure, 9, name=name)}（" + "，".join(parts) + "）"
    if isinstance(e, n.Pick):
        return f"{e.op}（" + "，".join(text(x, name=name, times=times) for x in e.operands) + "）"
    if isinstance(e, n.Received):
        return f"已获「{e.source.item}」"
    if isinstance(e, n.First):
        words = e.words or (_REL_WORD[e.op],)
        prefix = "".join(w for w in words if w in _PREFIX)
        postfix = "".join(w for w in words if w not in _PREFIX)
        return f"{name(e.measure)}首次{prefix}{text(e.threshold, name=name)}{postfix}"
    if isinstance(e, n.Member):
        elements = "、".join(name(r) for r in e.elements)
        left = text(e.left, name=name)
        if e.op == "属于":
            return f"{left}属于{{{elements}}}"
        return f"{left}包含{name(e.elements[0])}" if len(e.elements) == 1 else f"{left}包含{{{elements}}}之一"
    return "？"


def compare_text(e: n.Compare, measure: str | None = None, *, name=None) -> str:
    """A comparison in the drafter's boundary words; ``measure`` replaces the left side (a band's placeholder)."""
    left = measure if measure is not None else text(e.left, name=name)
    words = e.words or (_REL_WORD[e.op],)
    prefix = [w for w in words if w in _PREFIX]
    postfix = [w for w in words if w not in _PREFIX]
    body = f"{left}{''.join(prefix)}{text(e.right, name=name)}{''.join(postfix)}"
    return body.strip()


_PREFIX = {"为", "等于", "不等于", "达到", "不低于", "不少于", "不超过", "不高于", "最高", "超过", "高于", "多于", "不满", "低于", "少于",
           "大于", "小于", "不大于", "不小于"}


def band_text(band: n.Band, measure: str, *, name=None) -> str:
    """A tier's band over the given measure, its two bounds joined with 且."""
    parts = [compare_text(b, measure, name=name) for b in (band.low, band.high) if b is not None]
    return " 且 ".join(parts)


def award_text(award: n.Award, *, name=None) -> str:
    """The 给予 clause as one line of text: the formula shown in traces, the plan and the docs."""
    if award.kind == "一事一议":
        return "一事一议"
    if award.kind == "非资金支持":
        return f"非资金支持：{award.description or ''}".rstrip("：")
    if award.kind == "分档":
        return f"按{text(award.measure, name=name)}分档"
    if award.kind == "核定":
        return f"核定「{award.result}」为{text(award.amount, name=name)}"
    prefix = "" if award.kind == "金额" else award.kind + " "
    if award.up_to is not None:
        return prefix + up_to_text(award, name=name)
    return prefix + text(award.amount, name=name)


def up_to_text(award: n.Award, *, name=None) -> str:
    """最高50万元, 按「基数」的不高于5%: an award whose text gives only a maximum, in the drafter's words."""
    word, place = award.up_to
    e = award.amount
    if place == "比例" and isinstance(e, n.Binary) and e.op == "的":
        return f"按{text(e.left, 3, name=name)}的{word}{text(e.right, 4, name=name)}"
    return word + text(e, name=name)


def formula_text(award: n.Award, *, name=None) -> str | None:
    """The award as a formula in words (金额 = 「基数」 × 「比例」), or None where there is no amount."""
    if award.kind in ("一事一议", "非资金支持", "分档") or award.amount is None:
        return None
    return text(award.amount, name=name, times=True)


def frequency_text(f: n.Frequency) -> str:
    """一次性支持, 每年支持一次, 最多支持3次, 限第1至3发 (one part; see ``frequency_full`` for all)."""
    if f.kind == "一次性":
        return "一次性支持"
    if f.kind == "每年":
        return "每年支持一次"
    if f.kind == "每季度":
        return "每季度支持一次"
    if f.kind == "每月":
        return "每月支持一次"
    if f.kind == "每次":
        return "每次符合条件均支持"
    if f.kind == "最多":
        return f"最多支持{f.count}{f.unit or '次'}"
    return f"限第1至{f.count}{f.unit or '次'}"


def frequency_full(f: n.Frequency) -> str:
    """Every part of a 频次 clause, and whether the text states it: 每年支持一次、最多支持3次（原文未写，编码理解）."""
    return "、".join(frequency_text(g) for g in f.parts()) + ("" if f.stated else "（原文未写，编码理解）")


def limit_text(limit: n.Limit, *, name=None) -> str:
    """上限最高500万元, 累计上限1.5亿元, 下限按「评估价」的70%."""
    scope = "（每个项目）" if limit.per_project else (f"（{limit.window}年内）" if limit.window else "")
    return f"{limit.kind}{scope}{''.join(limit.words)}{text(limit.amount, name=name)}"
