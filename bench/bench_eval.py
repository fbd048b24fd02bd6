"""Evaluation speed on the Minhang policy with every parameter bound by the illustrative 细则.

Three evaluators in one process, on the same generated enterprises:
  - the generated module (polc build), on all items;
  - the reference interpreter, on all items;
  - a hand-written plain-Python evaluator of five representative items (ratio with
    cap, tier table, matching funds, 互斥 就高, counted limit), the baseline, against
    the generated module restricted to the same items and the same input fields.
  - the decide path (decide(): no trace) on all items, and on the five items against a minimal
    hand-written Decimal evaluator that returns their amounts only;
  - the decide path's items alone, on records already read and checked, and under it a floor: building
    their decided rows (the result model) again from contents known beforehand, nothing decided;
  - reading and checking the five items' records alone (read_record), the part of the decide path that
    the minimal evaluator, which assumes a valid record, does not do.
Prints time per enterprise and the ratios: each figure is the least of several runs, the runs of the
evaluators compared taken in turn (the machine's speed drifts; a ratio of two single runs drifts with it).
Run: python bench/bench_eval.py [N]
"""

from __future__ import annotations

import importlib.util
import random
import sys
import tempfile
import time
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

from compiler.targets.python.build import source_text
from compiler.semantics.check import check
from compiler.targets.python.interpreter import Interpreter

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "minhang_2024.pol"
RULES = ROOT / "policies" / "minhang_2024_示例细则.pol"

FIVE = ("第8条「实到外资支持」", "第13条「年度产值增量分档」", "第29条「商业发射保险配套支持」",
        "第22条「参加重大展览事后支持」", "第22条「参展展位费支持」", "第49条「优质创新型中小企业融资支持」")


# ---- enterprises -------------------------------------------------------------------

def money(rng: random.Random, top: int) -> str:
    return f"{rng.randrange(0, top * 100) / 100:.2f}" if rng.random() < 0.9 else str(rng.choice([0, top // 2, top]))


def enterprise(rng: random.Random, plan) -> dict:
    """A complete record: every field given, a few recognitions, projects and past awards."""
    record = {}
    for name, kind in plan.fields.items():
        t = kind[0]
        if name in ("申报季度", "申报月份"):  # the runtime reads these as a quarter 1–4 or a month 1–12
            record[name] = rng.randrange(1, 5 if name == "申报季度" else 13)
        elif t == "金额":
            record[name] = money(rng, 50_000_000)
        elif t == "布尔":
            record[name] = rng.random() < 0.6
        elif t == "数量":
            record[name] = rng.randrange(0, 80)
        elif t in ("比例",):
            record[name] = f"{rng.randrange(0, 100)}%"
        elif t in ("数值", "汇率"):
            record[name] = str(rng.randrange(0, 60) / 10)
        elif t == "年度":
            record[name] = 2025
        elif t == "日期":
            record[name] = "2025-06-30"
        elif t == "等级":
            record[name] = rng.choice(plan.levels[kind[1]] + ["无"])
        elif t == "集合":
            record[name] = []
        else:
            record[name] = "示例"
    record["已认定"] = {name: (rng.choice(plan.levels[levels]) if levels else True)
                     for name, levels in plan.recognitions.items() if rng.random() < 0.15}
    types = sorted({v for item in plan.items for c in item.conditions if c.test[0] == "member"
                    for v in c.test[2] if isinstance(v, str)})
    record["项目"] = []
    for k in range(rng.randrange(0, 4)):
        project = {"项目名称": f"项目{k + 1}", "项目类型": rng.choice(types)}
        for name, kind in plan.project_fields.items():
            if kind[0] == "金额":
                project[name] = money(rng, 20_000_000)
            elif kind[0] == "布尔":
                project[name] = rng.random() < 0.7
            elif kind[0] == "数量":
                project[name] = rng.randrange(1, 6)
            elif kind[0] == "等级":
                project[name] = rng.choice(plan.levels[kind[1]])
        record["项目"].append(project)
    labels = [item.label for item in plan.items]
    record["已获支持"] = [{"条款": rng.choice(labels), "年度": rng.choice([2023, 2024, 2025]),
                       "金额": money(rng, 1_000_000)} for _ in range(rng.randrange(0, 4))]
    return record


FIVE_FIELDS = ("外资企业", "符合产业导向", "年新增实到外资", "属于工业", "工业总产值", "上年工业总产值",
               "从事星箭研发生产或发射经营", "商业发射保险上级贴费", "近两年融资额", "申报年度")


def five_item_record(record: dict) -> dict:
    """The same enterprise with only what the five items read."""
    out = {k: record[k] for k in FIVE_FIELDS}
    out["已认定"] = {k: v for k, v in record["已认定"].items()
                  if k in ("创新型中小企业", "专精特新中小企业", "专精特新小巨人")}
    out["项目"] = [{k: p[k] for k in ("项目名称", "项目类型", "项目实际投入", "展位费") if k in p} for p in record["项目"]]
    out["已获支持"] = [h for h in record["已获支持"] if h["条款"] in FIVE]
    return out


# ---- the hand-written baseline ---------------------------------------------------------

CENT = Decimal("0.01")
YES, NO = "是", "否"


class BadInput(Exception):
    pass


def to_money(record: dict, key: str, problems: list) -> Decimal | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, (bool, float)) or not isinstance(value, (int, str)):
        problems.append({"位置": f"$.{key}", "问题": "金额应是整数或字符串"})
        return None
    try:
        amount = Decimal(value)
    except ArithmeticError:
        problems.append({"位置": f"$.{key}", "问题": "不是金额"})
        return None
    if not amount.is_finite() or amount < 0:
        problems.append({"位置": f"$.{key}", "问题": "金额须为非负的有限数"})
    return amount


def drop(result: dict, paid: dict, projects: set, why: str) -> None:
    """Take projects out of a per-project result: what is left is the smaller of its amount and the
    projects that remain; with none left it is 不符合."""
    gone = [name for name in paid if name in projects]
    if not gone:
        return
    for name in gone:
        del paid[name]
        result["理由"].append({"检查": why, "结果": NO, "位置": "22", "项目": name})
    if paid:
        result["金额"] = str(min(Decimal(result["金额"]), sum(paid.values(), Decimal(0))).quantize(CENT, ROUND_HALF_UP))
    else:
        result.update({"状态": "不符合", "金额": None, "上限": None})


def hand_written(record: dict, p: dict) -> dict:
    """Five items written by hand, returning the same result model as polc: status, amount,
    cap, a trace of every check, the quote; then 互斥 就高 and the totals."""
    problems = []
    usd = to_money(record, "年新增实到外资", problems)
    output, last_output = to_money(record, "工业总产值", problems), to_money(record, "上年工业总产值", problems)
    upstream = to_money(record, "商业发射保险上级贴费", problems)
    financing = to_money(record, "近两年融资额", problems)
    projects = []
    for i, project in enumerate(record.get("项目", [])):
        projects.append({"名称": project.get("项目名称", f"第{i + 1}个项目"), "类型": project.get("项目类型"),
                         "投入": to_money(project, "项目实际投入", problems), "展位费": to_money(project, "展位费", problems)})
    history = []
    for h in record.get("已获支持", []):
        history.append((h["条款"], int(h["年度"]), Decimal(h["金额"])))
    if problems:
        raise BadInput(problems)
    year = record["申报年度"]
    held = record.get("已认定", {})
    results = []

    def result(label, status, amount, cap, steps, quote):
        results.append({"条款": label, "状态": status,
                        "金额": str(amount.quantize(CENT, ROUND_HALF_UP)) if amount is not None else None,
                        "上限": cap if amount is not None else None, "理由": steps, "缺少信息": [],
                        "待定参数": [], "差距": [], "公式": None, "原文": quote})

    def capped(amount, cap_name, steps, where):
        cap = p[cap_name]
        if amount > cap:
            steps.append({"检查": f"上限「{cap_name}」", "结果": f"封顶为{cap}", "位置": where})
            return cap, f"上限「{cap_name}」"
        return amount, None

    # 第8条: a ratio of the USD amount, capped, once a year
    label = FIVE[0]
    done = sum(1 for h in history if h[0] == label and h[1] == year)
    steps = [{"检查": f"每年支持一次：{year}年度已获{done}次", "结果": YES if not done else NO, "位置": "8.1"}]
    ok = not done
    for text, value in (("外资企业", record["外资企业"]), ("符合产业导向", record["符合产业导向"]),
                        ("年新增实到外资不低于200万美元", usd >= 2_000_000)):
        steps.append({"检查": text, "结果": YES if value else NO, "位置": "8.1"})
        ok = ok and value
    if ok:
        amount, cap = capped(usd * p["美元汇率"] * p["实到外资支持比例"], "实到外资支持上限", steps, "8.1")
        result(label, "符合", amount, cap, steps, "…不低于200万美元,可按实到外资一定比例给予资金支持。")
    else:
        result(label, "不符合", None, None, steps, "…不低于200万美元,可按实到外资一定比例给予资金支持。")

    # 第13条: tiers over the increase in output, once a year
    label = FIVE[1]
    done = sum(1 for h in history if h[0] == label and h[1] == year)
    steps = [{"检查": f"每年支持一次：{year}年度已获{done}次", "结果": YES if not done else NO, "位置": "13.3"},
             {"检查": "属于工业", "结果": YES if record["属于工业"] else NO, "位置": "13.3"}]
    increase = output - last_output
    amount = None
    for low, award in (("产值增量第三档门槛", "产值增量第三档支持金额"), ("产值增量第二档门槛", "产值增量第二档支持金额"),
                       ("产值增量第一档门槛", "产值增量第一档支持金额")):
        if increase >= p[low]:
            amount = p[award]
            break
    if done or not record["属于工业"] or amount is None:
        result(label, "不符合", None, None, steps, "对于年度产值增量达到一定规模的,给予分档支持。")
    else:
        result(label, "符合", amount, None, steps, "对于年度产值增量达到一定规模的,给予分档支持。")

    # 第22条: two per-project supports for the same exhibitions, each once per project (an earlier
    # award naming no project may have been for any project, so it counts for each)
    paid_by = {}
    for label, base, ratio, cap_name in ((FIVE[3], "投入", "参加重大展览支持比例", "参加重大展览支持上限"),
                                         (FIVE[4], "展位费", "参展展位费支持比例", "参展展位费支持上限")):
        steps, paid, total, unknown, cap_used = [], {}, Decimal(0), False, None
        received = sum(1 for h in history if h[0] == label)
        for project in projects:
            steps.append({"检查": f"一次性支持：已获{received}次", "结果": NO if received else YES, "位置": "22",
                          "项目": project["名称"]})
            if received:
                continue
            fits = project["类型"] in ("境内外重大展览展示", "成果发布")
            steps.append({"检查": "项目类型属于展览展示或成果发布", "结果": YES if fits else NO, "位置": "22", "项目": project["名称"]})
            if not fits:
                continue
            if project[base] is None:
                unknown = True
                continue
            amount, cap = capped(project[base] * p[ratio], cap_name, steps, "22")
            cap_used = cap or cap_used
            paid[project["名称"]] = amount.quantize(CENT, ROUND_HALF_UP)
            total += amount
        # 不超过: the text gives only a maximum, so the item waits for the assessment (待评定) with 最多可得
        status = "待评定" if paid else ("信息不足" if unknown else "不符合")
        result(label, status, total if paid else None, cap_used, steps, "…给予不超过总投入一定比例的事后资金支持或展位费支持。")
        if paid:
            results[-1]["最多可得"] = results[-1]["金额"]
        paid_by[label] = paid

    # 第29条: matching the upstream premium subsidy
    label = FIVE[2]
    done = sum(1 for h in history if h[0] == label and h[1] == year)
    steps = [{"检查": f"每年支持一次：{year}年度已获{done}次", "结果": YES if not done else NO, "位置": "29.2"},
             {"检查": "从事星箭研发生产或发射经营", "结果": YES if record["从事星箭研发生产或发射经营"] else NO, "位置": "29.2"},
             {"检查": "商业发射保险上级贴费高于0元", "结果": YES if upstream > 0 else NO, "位置": "29.2"}]
    if not done and record["从事星箭研发生产或发射经营"] and upstream > 0:
        amount, cap = capped(upstream * p["商业发射保险贴费配套比例"], "商业发射保险配套上限", steps, "29.2")
        result(label, "符合", amount, cap, steps, "…给予商业发射保险贴费一定比例的配套支持。")
    else:
        result(label, "不符合", None, None, steps, "…给予商业发射保险贴费一定比例的配套支持。")

    # 第49条: a counted limit, at most two rounds
    label = FIVE[5]
    rounds = sum(1 for h in history if h[0] == label)
    recognised = any(k in held for k in ("创新型中小企业", "专精特新中小企业", "专精特新小巨人"))
    steps = [{"检查": f"限第1至2轮：已获{rounds}次", "结果": YES if rounds < 2 else NO, "位置": "49.4"},
             {"检查": "已认定创新型、专精特新或小巨人之一", "结果": YES if recognised else NO, "位置": "49.4"}]
    if rounds < 2 and recognised:
        amount, cap = capped(financing * p["优质创新型中小企业融资支持比例"], "优质创新型中小企业融资支持上限", steps, "49.4")
        result(label, "符合", amount, cap, steps, "对优质创新型中小企业,根据近两年融资情况,分两轮给予一定的资金支持。")
    else:
        result(label, "不符合", None, None, steps, "对优质创新型中小企业,根据近两年融资情况,分两轮给予一定的资金支持。")

    # 互斥 就高 between the two 第22条 supports, exhibition by exhibition; then the totals
    by_label = {r["条款"]: r for r in results}
    notes = []
    first, second = FIVE[3], FIVE[4]
    for label, other in ((first, second), (second, first)):  # a project already paid by the other is not paid again
        if any(h[0] == other and h[2] > 0 for h in history):
            drop(by_label[label], paid_by[label], set(paid_by[label]), f"本项目已获{other}，不重复支持")
    for project in sorted(set(paid_by[first]) & set(paid_by[second])):
        a, b = paid_by[first][project], paid_by[second][project]
        keep, lose = (first, second) if a >= b else (second, first)  # a tie keeps the first listed
        drop(by_label[lose], paid_by[lose], {project}, f"与{keep}就同一项目互斥（就高）")
        notes.append(f"参展支持择一：项目「{project}」取{keep}")
    counted = {r["条款"] for r in results if r["金额"] is not None}
    certain = sum((Decimal(r["金额"]) for r in results if r["条款"] in counted and r["状态"] == "符合"), Decimal(0))
    at_most = sum((Decimal(r["金额"]) for r in results if r["条款"] in counted), Decimal(0))
    certain, at_most = str(certain.quantize(CENT, ROUND_HALF_UP)), str(at_most.quantize(CENT, ROUND_HALF_UP))
    return {"条款": results, "汇总": {"合计": certain, "最高合计": at_most, "计入合计": sorted(counted),
                                   "互斥": notes, "总额上限": None}}


def hand_amounts(record: dict, p: dict) -> dict:
    """The five items again, minimal: Decimal arithmetic on a record assumed valid, amounts only
    (None where nothing is paid), no status, trace or totals: the floor for the decide path."""
    year = record["申报年度"]
    history = record.get("已获支持", [])
    out = {}

    def capped(amount, cap):
        return min(amount, p[cap]).quantize(CENT, ROUND_HALF_UP)

    label = FIVE[0]
    once = not any(h["条款"] == label and h["年度"] == year for h in history)
    usd = Decimal(record["年新增实到外资"])
    out[label] = capped(usd * p["美元汇率"] * p["实到外资支持比例"], "实到外资支持上限") \
        if once and record["外资企业"] and record["符合产业导向"] and usd >= 2_000_000 else None
    label = FIVE[1]
    once = not any(h["条款"] == label and h["年度"] == year for h in history)
    increase = Decimal(record["工业总产值"]) - Decimal(record["上年工业总产值"])
    amount = None
    for low, award in (("产值增量第三档门槛", "产值增量第三档支持金额"), ("产值增量第二档门槛", "产值增量第二档支持金额"),
                       ("产值增量第一档门槛", "产值增量第一档支持金额")):
        if increase >= p[low]:
            amount = p[award].quantize(CENT, ROUND_HALF_UP)
            break
    out[label] = amount if once and record["属于工业"] else None
    paid = {}
    for label, base, ratio, cap in ((FIVE[3], "项目实际投入", "参加重大展览支持比例", "参加重大展览支持上限"),
                                    (FIVE[4], "展位费", "参展展位费支持比例", "参展展位费支持上限")):
        paid[label] = {} if any(h["条款"] == label for h in history) else {
            project["项目名称"]: capped(Decimal(project[base]) * p[ratio], cap) for project in record.get("项目", [])
            if project.get("项目类型") in ("境内外重大展览展示", "成果发布") and base in project}
    first, second = FIVE[3], FIVE[4]
    amount = {label: sum(paid[label].values(), Decimal(0)) if paid[label] else None for label in (first, second)}
    for label, other in ((first, second), (second, first)):
        if any(h["条款"] == other and Decimal(h["金额"]) > 0 for h in history):
            paid[label] = {}
    for project in set(paid[first]) & set(paid[second]):
        lose = second if paid[first][project] >= paid[second][project] else first
        del paid[lose][project]
    for label in (first, second):  # what is left: the smaller of the amount and the projects that remain
        out[label] = min(amount[label], sum(paid[label].values(), Decimal(0))) if paid[label] else None
    label = FIVE[2]
    once = not any(h["条款"] == label and h["年度"] == year for h in history)
    upstream = Decimal(record["商业发射保险上级贴费"])
    out[label] = capped(upstream * p["商业发射保险贴费配套比例"], "商业发射保险配套上限") \
        if once and record["从事星箭研发生产或发射经营"] and upstream > 0 else None
    label = FIVE[5]
    rounds = sum(1 for h in history if h["条款"] == label)
    held = record.get("已认定", {})
    recognised = any(k in held for k in ("创新型中小企业", "专精特新中小企业", "专精特新小巨人"))
    out[label] = capped(Decimal(record["近两年融资额"]) * p["优质创新型中小企业融资支持比例"], "优质创新型中小企业融资支持上限") \
        if rounds < 2 and recognised else None
    return out


# ---- timing --------------------------------------------------------------------------

def timed(fn, records) -> float:
    start = time.perf_counter()
    for r in records:
        fn(r)
    return time.perf_counter() - start


def best_of(runs: dict, rounds: int) -> dict:
    """name → the least time of ``rounds`` runs of (fn, records), the runs of all names taken in turn:
    a ratio compares two evaluators in the same moments of a machine whose speed drifts."""
    best = {name: float("inf") for name in runs}
    for _ in range(rounds):
        for name, (fn, records) in runs.items():
            best[name] = min(best[name], timed(fn, records))
    return best


def load_module(text: str):
    path = Path(tempfile.mkdtemp()) / "minhang_bench.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("minhang_bench", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    result = check(POLICY, rules=RULES)
    if not result.ok:
        sys.exit("the Minhang policy or its 细则 has errors; run polc check")
    interpreter = Interpreter(result.program)
    module = load_module(source_text(result.program))
    plan = interpreter.plan
    rng = random.Random(20241014)
    records = [enterprise(rng, plan) for _ in range(count)]

    some = records[: max(1, count // 5)]

    params = module.bound_params(module._POLICY_SPEC["param_values"], None)
    subset = [spec for spec in module.ITEMS if spec["label"] in FIVE]
    small = [five_item_record(r) for r in records]
    for r in small:  # the baseline must give the same answers before it is timed
        got = module.evaluate_policy(module._POLICY_SPEC, subset, r)
        mine = {x["条款"]: x for x in hand_written(r, params)["条款"]}
        for item in got["条款"]:
            expect = mine[item["条款"]]
            assert (item["状态"], item["金额"]) == (expect["状态"], expect["金额"]), (item, expect)
        assert got["汇总"]["合计"] == hand_written(r, params)["汇总"]["合计"], (got["汇总"], r)

    five_deciders = [d for spec, d in zip(module.ITEMS, module.DECIDERS) if spec["label"] in FIVE]
    decide_five = lambda r: module.decide_policy(module._POLICY_SPEC, subset, five_deciders, r)  # noqa: E731
    for r in small:  # the minimal baseline must give the decide path's amounts before it is timed
        got = {x["条款"]: x["金额"] for x in decide_five(r)["条款"]}
        mine = {k: (str(v) if v is not None else None) for k, v in hand_amounts(r, params).items()}
        assert got == mine, (got, mine, r)
    contexts = []  # the records already read and checked: what deciding the items alone costs
    for r in records:
        ctx, _, _ = module.read_record(r, module._POLICY_SPEC["schema"])
        ctx.params, ctx.pending, ctx.specs = params, set(), {spec["label"]: spec for spec in module.ITEMS}
        contexts.append(ctx)

    def items_alone(_):
        with localcontext(module.MONEY_CONTEXT):
            for ctx in contexts:
                for decide in module.DECIDERS:
                    decide(ctx)
    with localcontext(module.MONEY_CONTEXT):
        contents = [[(row["条款"], row["状态"], None if row["金额"] is None else Decimal(row["金额"]), row["上限"])
                     for row in (decide(ctx) for decide in module.DECIDERS)] for ctx in contexts]

    def rows_alone(_):
        """A floor under the items alone: their decided rows built again from contents known beforehand."""
        for rows in contents:
            [{"条款": label, "状态": status, "金额": None if amount is None else module.money(amount), "上限": bound,
              "缺少信息": [], "待定参数": []} for label, status, amount, bound in rows]
    five = best_of({"five_generated": (lambda r: module.evaluate_policy(module._POLICY_SPEC, subset, r), small),
                    "five_hand": (lambda r: hand_written(r, params), small),
                    "five_decided": (decide_five, small), "five_minimal": (lambda r: hand_amounts(r, params), small),
                    "five_read": (lambda r: module.read_record(r, module._POLICY_SPEC["schema"]), small)}, 7)
    five_generated, five_hand, five_decided, five_minimal, five_read = (
        five[k] for k in ("five_generated", "five_hand", "five_decided", "five_minimal", "five_read"))
    whole = best_of({"generated": (module.evaluate, records), "decided": (module.decide, records),
                     "items_only": (items_alone, [None]), "rows_only": (rows_alone, [None]),
                     "interpreted": (interpreter.evaluate, some)}, 3)
    generated, decided, items_only, rows_only = whole["generated"], whole["decided"], whole["items_only"], whole["rows_only"]
    interpreted = whole["interpreted"] * len(records) / len(some)

    per = lambda seconds: seconds / count * 1e6  # noqa: E731  µs per enterprise
    print(f"{count:,} enterprises, {len(plan.items)} items, every parameter bound by the illustrative 细则")
    print(f"generated module, all items:   {per(generated):9.1f} µs per enterprise")
    print(f"interpreter, all items:        {per(interpreted):9.1f} µs per enterprise")
    print(f"hand-written, five items:      {per(five_hand):9.1f} µs per enterprise")
    print(f"generated module, five items:  {per(five_generated):9.1f} µs per enterprise")
    print(f"ratio generated / hand-written (five items): {five_generated / five_hand:.2f}  (target ≤ 1.5)")
    print(f"ratio interpreter / generated (all items):   {interpreted / generated:.2f}")
    print(f"decide path, all items:        {per(decided):9.1f} µs per enterprise (reading the record included)")
    print(f"decide path, all items:        {per(items_only):9.1f} µs per enterprise (the record already read)  (target ≤ 100)")
    print(f"  of which building the {len(plan.items)} decided rows alone: {per(rows_only):9.1f} µs per enterprise "
          "(the rows' contents known beforehand, nothing decided)")
    print(f"minimal hand-written, five items, amounts only: {per(five_minimal):9.1f} µs per enterprise")
    print(f"decide path, five items:       {per(five_decided):9.1f} µs per enterprise")
    print(f"ratio decide / minimal hand-written (five items): {five_decided / five_minimal:.2f}  (target ≤ 1.5)")
    print(f"  of which reading and checking the record alone: {per(five_read):9.1f} µs per enterprise, "
          f"{five_read / five_minimal:.2f} × the minimal evaluator, which assumes a valid record")
    print(f"ratio explain / decide (all items):               {generated / decided:.2f}")


if __name__ == "__main__":
    main()
