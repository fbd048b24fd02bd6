"""What a portal shows beside an evaluation, and the compact result it sends.

The runtime says, per item, its status, amount and trace. A 政策计算器 also wants: which tier was
reached and how far the next one is; how far each alternative of a failed 或 condition is; for an
item that is 信息不足, what it would pay if the missing facts came out in the enterprise's favour
(labelled conditional, never counted in the totals); and which missing facts to ask for first.
These are worked out here from the lowered plan by the reference interpreter's own IR walk, after
``evaluate`` has run; the evaluation itself is not touched. ``polc eval`` and ``polc serve`` both
use this module, so the command line and the service show the same thing.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, localcontext

from compiler import runtime as rt
from compiler.targets.python.interpreter import Interpreter, run

CONDITIONAL_NOTE = ("有条件金额是条件性估计：假定缺少的信息都有利于企业时可得的金额（金额本身取决于缺少的信息时，"
                    "给出其上限「最多」）；不计入合计")


# ---- the evaluation context, rebuilt for a record that has already evaluated ----------------

def _context(interpreter: Interpreter, record: dict, params: dict | None, as_of) -> rt.Context:
    policy = interpreter.policy
    ctx, _, _ = rt.read_record(record, policy["schema"])
    given = rt.read_params(policy["declared_params"], params or {}, policy["schema"]["levels"])
    bound = policy.get("bound_params", {}).get(as_of)  # evaluate_policy has usually just worked it out
    if bound is None:
        bound = rt.bound_params(policy["param_values"], as_of)
    ctx.params = {**bound, **given}
    ctx.pending = set()
    return ctx


def _projects(item, ctx):
    """(project name or None, ctx positioned on it): once for an enterprise-level item, per project otherwise."""
    if not item.per_project:
        yield None, ctx
        return
    for index, project in enumerate(ctx.projects):
        ctx.project = project
        yield project.get("项目名称", f"第{index + 1}个项目"), ctx
    ctx.project = None


# ---- units and names read off the IR --------------------------------------------------------

_OPS = {"const", "field", "pfield", "param", "add", "sub", "mul", "div", "cmp", "and", "or", "not", "truth",
        "holds", "member", "contains", "level_of", "by_level", "tiers"}


def _walk(ir):
    """Every IR node in an expression, outermost first."""
    if isinstance(ir, tuple) and ir and isinstance(ir[0], str) and ir[0] in _OPS:
        yield ir
        for child in ir[1:]:
            yield from _walk(child)
    elif isinstance(ir, (list, tuple)):
        for child in ir:
            yield from _walk(child)
    elif isinstance(ir, dict):
        for child in ir.values():
            yield from _walk(child)


def _kind(plan, ir) -> tuple | None:
    for node in _walk(ir):
        if node[0] == "field":
            return plan.fields.get(node[1])
        if node[0] == "pfield":
            return plan.project_fields.get(node[1]) or plan.fields.get(node[1])
        if node[0] == "param":
            declared = plan.declared_params.get(node[1])
            return declared[0] if declared else None
    return None


def _unit(plan, *irs) -> str:
    for ir in irs:
        kind = _kind(plan, ir)
        if kind is None:
            continue
        if kind[0] == "金额":
            return kind[1]
        if kind[0] == "比例":
            return "%"
        if kind[0] == "数量":
            return kind[1]
        return ""
    return ""


def _name(ir) -> str | None:
    return ir[1] if ir[0] in ("field", "pfield", "param") else None


def _shown(value, unit: str) -> str:
    if unit in ("元", "美元"):
        return rt.money_text(value, unit)
    if unit == "%":
        return rt.ratio_text(value)
    return f"{rt.plain(value)}{unit}"


# ---- tiers ------------------------------------------------------------------------------

_TIERS: dict = {}  # id(item plan) → (item plan, its 分档 node or None): found once, not per request


def _tiers_node(item):
    known = _TIERS.get(id(item))
    if known is None or known[0] is not item:
        node = next((x for x in _walk(item.award) if x[0] == "tiers"), None) if item.award is not None else None
        known = _TIERS[id(item)] = (item, node)
    return known[1]


def tier_position(plan, item, ctx) -> dict | None:
    """The tier an item's 分档 award reached and what the next tier needs, or None without tiers."""
    node = _tiers_node(item)
    if node is None:
        return None
    measure = run(node[1], ctx)
    if not isinstance(measure, Decimal):
        return None
    bands = []
    for low_op, low, high_op, high, amount in node[2]:
        low_v = run(low, ctx) if low else None
        high_v = run(high, ctx) if high else None
        if rt.blocked(low_v, high_v):
            return None  # a threshold still 待定: no tier can be named
        bands.append((low_op, low_v, high_op, high_v, amount))
    order = sorted(range(len(bands)), key=lambda i: (bands[i][1] is not None, bands[i][1] or 0))
    ordered = [bands[i] for i in order]
    chosen = rt.select_tier(measure, [(lo_op, lo, hi_op, hi, (lambda k=k: k))
                                      for k, (lo_op, lo, hi_op, hi, _) in enumerate(ordered)])
    chosen = chosen if isinstance(chosen, int) else None
    unit = _unit(plan, node[1])
    named = re.search(r"分档「([^」]+)」", item.formula)
    out = {"依据": _name(node[1]) or (named.group(1) if named else "分档依据"), "取值": _shown(measure, unit), "档数": len(ordered),
           "所在档": chosen + 1 if chosen is not None else None, "下一档": None}
    candidates = [k for k, band in enumerate(ordered) if band[1] is not None and band[1] > measure
                  or (band[1] == measure and band[0] == ">")]
    if candidates:
        k = candidates[0]
        low_op, low, _, _, amount_ir = ordered[k]
        amount = run(amount_ir, ctx)
        out["下一档"] = {"档": k + 1, "门槛": _shown(low, unit), "差距": rt.gap_text(low_op, measure, low, unit),
                      "金额": rt.money(amount) if isinstance(amount, Decimal) else None}
    return out


# ---- gaps on alternatives ---------------------------------------------------------------

def _alternatives(ir) -> list:
    if ir[0] == "or":
        return [leaf for part in ir[1] for leaf in _alternatives(part)]
    return [ir]


def _alternative_text(plan, alt, ctx) -> tuple[str, bool]:
    """How one alternative of a failed 或 stands, and whether that is a measured distance."""
    if alt[0] == "cmp":
        gap = rt.gap_text(alt[1], run(alt[2], ctx), run(alt[3], ctx), _unit(plan, alt[2], alt[3]))
        if gap:
            return f"「{_name(alt[2]) or _name(alt[3]) or '数值'}」{gap}", True
    if alt[0] == "truth" and _name(alt[1]):
        return f"「{_name(alt[1])}」不成立", False
    if alt[0] == "holds":
        return "未认定" + "、".join(f"「{name}」" for name in alt[1]) + ("（或等级不够）" if alt[2] is not None else ""), False
    return "另一条件不满足", False


def alternative_gaps(plan, item, ctx) -> list[dict]:
    """For each failed condition joined with 或 that compares a number: how far each alternative is."""
    out = []
    for condition in item.conditions:
        if condition.test[0] != "or":
            continue
        for project, ctx in _projects(item, ctx):
            if run(condition.test, ctx) is not False:
                continue
            parts = [_alternative_text(plan, alt, ctx) for alt in _alternatives(condition.test)]
            if not any(measured for _, measured in parts):
                continue  # no distance to tell: the runtime's trace already says which facts failed
            entry = {"条件": condition.text, "差距": "任一即可：" + "；".join(dict.fromkeys(t for t, _ in parts))}
            if project is not None:
                entry["项目"] = project
            out.append(entry)
    return out


# ---- conditional amounts -----------------------------------------------------------------

def _favourable(condition):
    text, where, test, sides, unit = condition

    def hopeful(ctx, test=test):
        value = test(ctx)
        return True if value is None else value

    return (text, where, hopeful, sides, unit)


def conditional_amount(interpreter, index: int, ctx) -> dict | None:
    """What an item that is 信息不足 would pay if its missing facts were favourable; None if nothing to say."""
    spec = interpreter.items[index]
    hopeful = dict(spec, conditions=[_favourable(c) for c in spec["conditions"]])
    if ctx.year is None:  # favourable: no award in the year applied for
        ctx.year = max((h["年度"] for h in ctx.history), default=datetime.date.today().year) + 1
    ctx.missing, ctx.pending, ctx.project = set(), set(), None
    result = rt.evaluate_item(hopeful, ctx)
    if result["金额"] is not None:
        return {"条件性": True, "金额": result["金额"]}
    limits = []
    for kind, _text, _where, limit_fn in spec["caps"]:
        if kind in ("上限", "年度上限", "累计上限"):
            limit = limit_fn(ctx)
            if isinstance(limit, Decimal):
                limits.append(limit)
    if limits:
        # the amount itself needs a missing fact: its cap, and which facts would fix it
        return {"条件性": True, "最多": rt.money(min(limits)), "金额还需": result["缺少信息"]}
    return None


# ---- everything together --------------------------------------------------------------

def explain(interpreter: Interpreter, record: dict, result: dict, params: dict | None = None, as_of=None) -> dict:
    """The portal's additions for a result ``evaluate`` returned for this record: per item and overall."""
    as_of = rt.parse_date(as_of) if isinstance(as_of, str) else as_of
    per_item: dict[str, dict] = {}
    plan = interpreter.plan
    with localcontext(rt.MONEY_CONTEXT):
        ctx = _context(interpreter, record, params, as_of)
        year = ctx.year
        for index, (item, row) in enumerate(zip(plan.items, result["条款"])):
            if row["状态"] == "不在施行期":
                continue
            extra = {}
            ctx.missing, ctx.pending, ctx.project, ctx.year = set(), set(), None, year
            if not item.per_project:
                tier = tier_position(plan, item, ctx)
                if tier is not None:
                    extra["档次"] = tier
            if row["状态"] == "不符合":
                gaps = alternative_gaps(plan, item, ctx)
                if gaps:
                    extra["或差距"] = gaps
            if row["状态"] == "信息不足":
                conditional = conditional_amount(interpreter, index, ctx)
                if conditional is not None:
                    extra["有条件金额"] = conditional
            if extra:
                per_item[row["条款"]] = extra
    return {"条款": per_item, "建议补充": ask_next(result, per_item)}


def ask_next(result: dict, per_item: dict) -> list[dict]:
    """Missing facts ranked by how many undecided items each would settle, then by how much money."""
    facts: dict[str, dict] = {}
    for row in result["条款"]:
        if row["状态"] != "信息不足":
            continue
        conditional = per_item.get(row["条款"], {}).get("有条件金额") or {}
        money = Decimal(conditional.get("金额") or conditional.get("最多") or 0)  # pays at most this much
        for fact in row["缺少信息"]:
            if fact.startswith("（"):
                continue  # a division by zero, not a fact to ask for
            entry = facts.setdefault(fact, {"信息": fact, "涉及条款": [], "涉及金额": Decimal(0)})
            entry["涉及条款"].append(row["条款"])
            entry["涉及金额"] += money
    ranked = sorted(facts.values(), key=lambda f: (-len(f["涉及条款"]), -f["涉及金额"], f["信息"]))
    return [{"信息": f["信息"], "条款数": len(f["涉及条款"]), "涉及金额": rt.money(f["涉及金额"]),
             "涉及条款": f["涉及条款"]} for f in ranked]


_COMPACT_KEYS = ("条款", "状态", "金额", "上限", "缺少信息", "待定参数", "差距", "分期")


def compact(result: dict, extras: dict) -> dict:
    """Status, amount, cap, missing facts, gaps and the portal's additions per item; no traces or quotes.

    Most items of a district's policy do not apply to a given enterprise: one that does not, and
    is not within reach (no gap to a threshold, no next tier), is counted in 其余不符合 rather than
    listed, which keeps the result to a few KB.
    """
    items = []
    others = 0
    for row in result["条款"]:
        entry = {key: row[key] for key in _COMPACT_KEYS if row.get(key) not in (None, [])}
        extra = extras["条款"].get(row["条款"], {})
        if "或差距" in extra:
            entry["差距"] = entry.get("差距", []) + extra["或差距"]
        for key in ("档次", "有条件金额"):
            if key in extra:
                entry[key] = extra[key]
        if entry["状态"] == "不符合" and not (set(entry) & {"差距", "档次"}):
            others += 1
            continue
        items.append(entry)
    return {"政策": result["政策"], "评估日期": result["评估日期"], "汇总": result["汇总"], "条款": items,
            "其余不符合": others, "建议补充": extras["建议补充"], "输入提示": result["输入提示"],
            **({"说明": CONDITIONAL_NOTE} if any("有条件金额" in e for e in items) else {})}


def portal_view(interpreter: Interpreter, record: dict, params: dict | None = None, as_of=None) -> dict:
    """Evaluate and return the compact result with the portal's additions."""
    result = interpreter.evaluate(record, params, as_of)
    return compact(result, explain(interpreter, record, result, params, as_of))
