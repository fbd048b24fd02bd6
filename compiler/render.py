"""Expressions and clauses as plain Chinese text, for traces, formulas and the docs."""

from __future__ import annotations

from . import nodes as n

_OPS = {"+": "＋", "-": "－", "×": "×", "÷": "÷"}
_REL_WORD = {">=": "不低于", "<=": "不超过", ">": "超过", "<": "低于"}
_PRECEDENCE = {"或": 1, "且": 2, "+": 4, "-": 4, "×": 5, "÷": 5, "的": 3}


def text(e, parent: int = 0) -> str:
    """A readable rendering that keeps the drafter's own words where it can."""
    if e is None:
        return ""
    if isinstance(e, n.Literal):
        return e.text
    if isinstance(e, n.Ref):
        return f"「{e.name}」"
    if isinstance(e, n.Binary):
        mine = _PRECEDENCE[e.op]
        if e.op == "的":
            body = f"{text(e.left, mine)}的{text(e.right, mine + 1)}"
        else:
            body = f"{text(e.left, mine)} {_OPS[e.op]} {text(e.right, mine + 1)}"
        return f"（{body}）" if mine < parent else body
    if isinstance(e, n.ByLevel):
        entries = "，".join(f"「{lv.name}」{text(a)}" for lv, a in e.entries)
        return f"按{text(e.measure)}分级：{entries}"
    if isinstance(e, n.Compare):
        return compare_text(e)
    if isinstance(e, n.Logic):
        mine = _PRECEDENCE[e.op]
        body = f"{text(e.left, mine)} {e.op} {text(e.right, mine + 1)}"
        return f"（{body}）" if mine < parent else body
    if isinstance(e, n.Not):
        if e.excluded:
            return f"{text(e.operand, 9)}除外"
        return f"非{text(e.operand, 9)}"
    if isinstance(e, n.Holds):
        names = "、".join(f"「{r.name}」" for r in e.recognitions)
        body = f"已认定{names}" if len(e.recognitions) == 1 else f"已认定{{{names}}}之一"
        if e.level is not None:
            body += f"「{e.level.name}」" + ("及以上" if e.level_op == ">=" else _REL_WORD.get(e.level_op, ""))
        return body
    if isinstance(e, n.Member):
        elements = "、".join(f"「{r.name}」" for r in e.elements)
        if e.op == "属于":
            return f"{text(e.left)}属于{{{elements}}}"
        return f"{text(e.left)}包含「{e.elements[0].name}」" if len(e.elements) == 1 else \
            f"{text(e.left)}包含{{{elements}}}之一"
    return "？"


def compare_text(e: n.Compare, measure: str | None = None) -> str:
    left = measure if measure is not None else text(e.left)
    words = e.words or (_REL_WORD[e.op],)
    prefix = [w for w in words if w in _PREFIX]
    postfix = [w for w in words if w not in _PREFIX]
    body = f"{left}{''.join(prefix)}{text(e.right)}{''.join(postfix)}"
    return body.strip()


_PREFIX = {"达到", "不低于", "不少于", "不超过", "不高于", "最高", "超过", "高于", "多于", "不满", "低于", "少于"}


def band_text(band: n.Band, measure: str) -> str:
    parts = [compare_text(b, measure) for b in (band.low, band.high) if b is not None]
    return " 且 ".join(parts)


def award_text(award: n.Award) -> str:
    if award.kind == "一事一议":
        return "一事一议"
    if award.kind == "非资金支持":
        return f"非资金支持：{award.description or ''}".rstrip("：")
    if award.kind == "分档":
        return f"按{text(award.measure)}分档"
    prefix = "" if award.kind == "金额" else award.kind + " "
    return prefix + text(award.amount)
