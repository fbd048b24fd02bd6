"""Straight-line Python for the lowered IR, as the code generator writes it.

A condition becomes a run of statements: 且 and 或 stop at the first operand that decides them
(three-valued: 且 at a false one, 或 at a true one), thresholds compare two Decimals directly and
call the runtime only for a missing value. Constants that cost something to build (Decimal,
dates, sets) are written once at module level and named, not rebuilt on every call.

Each IR node kind is one method: ``value_<kind>`` writes it as a Python expression, ``test_<kind>``
(for the kinds that gain from it) as statements. A kind without a method is written by
``codegen.expr``, so a node the generator knows is never lost here.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

HOISTED_TYPES = (Decimal, datetime.date, frozenset, tuple)


class Constants:
    """Module-level names for constants: the first use names them, later uses share the name."""

    def __init__(self, constant):
        self.constant = constant
        self.names: dict[str, str] = {}

    def name(self, value) -> str:
        """The name of ``value`` (or its literal text, for str, int, bool and None, which cost nothing)."""
        text = self.constant(value)
        if not isinstance(value, HOISTED_TYPES) or isinstance(value, bool):
            return text
        if text not in self.names:
            self.names[text] = f"_K{len(self.names)}"
        return self.names[text]

    def definitions(self) -> list[str]:
        """The assignments that define every name handed out, in the order they were."""
        return [f"{name} = {text}" for text, name in self.names.items()]


class Body:
    """The statements of one generated function, with fresh local names."""

    def __init__(self):
        self.lines: list[str] = []
        self.count = 0

    def fresh(self) -> str:
        self.count += 1
        return f"v{self.count}"

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)


class Straight:
    """Writes IR as Python: expressions with named constants, conditions as short-circuiting statements."""

    def __init__(self, constant, fallback, guesses: dict | None = None):
        self.k = Constants(constant)
        self.fallback = fallback  # codegen.expr: for the node kinds without a method here
        self.guesses = guesses or {}  # parameter → its bound value: the likely order of a tier table
        self.helpers: list[str] = []  # functions the expressions written so far call, to define first
        self.tables = 0

    # ---- expressions --------------------------------------------------------------------
    def value(self, ir) -> str:
        """Python expression for an IR node; ``ctx`` is the evaluation context."""
        method = getattr(self, "value_" + ir[0], None)
        return method(ir) if method is not None else self.fallback(ir)

    def lambda_or_none(self, ir) -> str:
        return "None" if ir is None else f"lambda ctx: {self.value(ir)}"

    def value_const(self, ir) -> str:
        return self.k.name(ir[1])

    def value_field(self, ir) -> str:
        return f"ctx.field({ir[1]!r})"

    def value_pfield(self, ir) -> str:
        return f"ctx.project_field({ir[1]!r})"

    def value_param(self, ir) -> str:
        return f"ctx.param({ir[1]!r})"

    def arithmetic(self, ir) -> str:
        return f"{ir[0]}({self.value(ir[1])}, {self.value(ir[2])})"

    value_add = value_sub = value_mul = value_div = arithmetic

    def value_award_of(self, ir) -> str:
        return f"ctx.award_of({ir[1]!r})"

    def value_steps(self, ir) -> str:
        return f"steps({self.value(ir[1])}, {self.value(ir[2])}, {self.value(ir[3])})"

    def value_round(self, ir) -> str:
        return f"round_to({ir[1]!r}, {self.value(ir[2])}, {self.value(ir[3])})"

    def value_lfield(self, ir) -> str:
        return f"ctx.list_field({ir[1]!r}, {ir[2]!r})"

    def value_agg(self, ir) -> str:
        parts = ", ".join(self.lambda_or_none(x) for x in ir[3:6])
        return f"aggregate(ctx, {ir[1]!r}, {ir[2]!r}, {parts})"

    def pick(self, ir) -> str:
        return f"{ir[0]}(" + ", ".join(self.value(x) for x in ir[1]) + ")"

    value_least = value_greatest = pick

    def value_cmp(self, ir) -> str:
        return f"compare({ir[1]!r}, {self.value(ir[2])}, {self.value(ir[3])})"

    def logic(self, ir) -> str:
        return f"{ir[0]}_(" + ", ".join(self.value(x) for x in ir[1]) + ")"

    value_and = value_or = logic

    def value_not(self, ir) -> str:
        return f"not_({self.value(ir[1])})"

    def value_truth(self, ir) -> str:
        return f"truth({self.value(ir[1])})"

    def value_holds(self, ir) -> str:
        return f"holds(ctx.recognitions(), {self.k.name(ir[1])}, {self.k.name(ir[2])}, {ir[3]!r})"

    def value_member(self, ir) -> str:
        return f"member({self.value(ir[1])}, {self.k.name(ir[2])})"

    def value_contains(self, ir) -> str:
        return f"contains({self.value(ir[1])}, {self.k.name(ir[2])})"

    def value_level_of(self, ir) -> str:
        return f"ctx.level_of({ir[1]!r})"

    def value_by_level(self, ir) -> str:
        entries = ", ".join(f"{rank!r}: {self.value(x)}" for rank, x in ir[2].items())
        return f"by_level({self.value(ir[1])}, {{{entries}}})"

    def value_when(self, ir) -> str:
        return f"tier_if({self.value(ir[1])}, lambda: {self.value(ir[2])})"

    def value_first_holds(self, ir) -> str:
        return (f"first_held(ctx.recognitions(), {self.k.name(ir[1])}, {self.k.name(ir[2])}, {ir[3]!r}, "
                f"ctx.earlier_held())")

    def value_received(self, ir) -> str:
        return f"ctx.received({ir[1]!r})"

    def value_first(self, ir) -> str:
        return (f"first_reached({ir[1]!r}, ctx.field({ir[2]!r}), {self.value(ir[4])}, "
                f"ctx.earlier({ir[2]!r}, {ir[3]!r}))")

    def value_tiers(self, ir) -> str:
        """A tier table as a function of its own: the measure and bounds read once, then, when they are
        numbers in the order expected, the bands tried one by one as straight comparisons; otherwise
        (a bound unknown or 待定, or the bounds in another order) the runtime's ``select_tier``."""
        bands = ir[2]
        self.tables += 1
        name = f"tiers_{self.tables}"
        body = Body()
        body.emit(1, f"measure = {self.value(ir[1])}")
        bounds = {}  # (band, side) → local name
        for index, (_lo_op, lo, _hi_op, hi, _amount) in enumerate(bands):
            for side, bound in ((1, lo), (3, hi)):
                if bound is not None:
                    bounds[index, side] = f"b{len(bounds)}"
                    body.emit(1, f"{bounds[index, side]} = {self.value(bound)}")
        amounts = [self.value(band[4]) for band in bands]
        table = ", ".join(
            f"({lo_op!r}, {bounds.get((i, 1), 'None')}, {hi_op!r}, {bounds.get((i, 3), 'None')}, lambda: {amounts[i]})"
            for i, (lo_op, _lo, hi_op, _hi, _amount) in enumerate(bands))
        order = self.tier_order(bands)
        ops = {op for band in bands for op in (band[0], band[2]) if op is not None}
        if ops <= {">=", ">", "<=", "<"}:
            numbers = " and ".join(f"type({v}) is Decimal" for v in ("measure", *bounds.values()))
            lows = [bounds[i, 1] for i in order if (i, 1) in bounds]
            rising = "".join(f" and {a} < {b}" for a, b in zip(lows, lows[1:]))
            body.emit(1, f"if {numbers}{rising}:")
            for place, i in enumerate(order):  # as select_tier tries them: an open band ends where the next starts
                lo_op, _lo, hi_op, _hi, _amount = bands[i]
                high = bounds.get((i, 3))
                if hi_op is None and place + 1 < len(order) and bands[order[place + 1]][0] is not None:
                    hi_op, high = ("<" if bands[order[place + 1]][0] == ">=" else "<="), bounds[order[place + 1], 1]
                tests = [f"measure {lo_op} {bounds[i, 1]}"] if lo_op is not None else []
                tests += [f"measure {hi_op} {high}"] if hi_op is not None else []
                if tests:
                    body.emit(2, f"if {' and '.join(tests)}:")
                    body.emit(3, f"return {amounts[i]}")
                else:
                    body.emit(2, f"return {amounts[i]}")
                    break
            else:
                body.emit(2, "return NOT_APPLICABLE")
        body.emit(1, f"return select_tier(measure, [{table}])")
        self.helpers += [f"def {name}(ctx):", *body.lines, "", ""]
        return f"{name}(ctx)"

    def tier_order(self, bands) -> list[int]:
        """The order ``select_tier`` likely sorts the bands into (open below first, then by lower bound), from
        the constants and the parameters' bound values, or as written where they do not tell; the
        generated code checks it before it relies on it."""
        def guess(ir):
            if ir[0] == "const" and type(ir[1]) is Decimal:
                return ir[1]
            if ir[0] == "param" and type(self.guesses.get(ir[1])) is Decimal:
                return self.guesses[ir[1]]
            return None

        lows = [guess(band[1]) if band[1] is not None else Decimal(0) for band in bands]
        if any(value is None for value in lows):
            lows = list(range(len(bands)))
        return sorted(range(len(bands)), key=lambda i: (bands[i][1] is not None, lows[i]))

    # ---- conditions as statements ------------------------------------------------------------
    def test(self, ir, body: Body, depth: int, shortcut: str | None = "top") -> str:
        """Statements at ``depth`` that leave the condition's three-valued truth in the returned name.

        ``shortcut`` says which junction may stop early: the condition's own (``"top"``), or below it
        only one of the same kind (且 in 且, 或 in 或), whose deciding operand decides the whole
        condition. Elsewhere every operand runs, because an unknown condition reports the missing facts
        of all its operands, even of those inside a part that came out false."""
        method = getattr(self, "test_" + ir[0], None)
        if method is not None:
            return method(ir, body, depth, ir[0] if shortcut == "top" else shortcut)
        name = body.fresh()
        body.emit(depth, f"{name} = {self.value(ir)}")
        return name

    def test_and(self, ir, body: Body, depth: int, shortcut=None) -> str:
        return self.junction(ir[1], False, body, depth, shortcut == "and")

    def test_or(self, ir, body: Body, depth: int, shortcut=None) -> str:
        return self.junction(ir[1], True, body, depth, shortcut == "or")

    def junction(self, parts, decisive: bool, body: Body, depth: int, early: bool) -> str:
        """且 (``decisive`` False) or 或 (True): the first operand equal to ``decisive`` settles it;
        otherwise an unknown operand leaves it unknown. With ``early`` the operands after the deciding
        one are not run; without, all run and the runtime's and_/or_ combine them."""
        kind = "or" if decisive else "and"
        if not early:
            got = [self.test(part, body, depth, None) for part in parts]
            name = body.fresh()
            body.emit(depth, f"{name} = {kind}_({', '.join(got)})")
            return name
        name = body.fresh()
        body.emit(depth, f"{name} = {not decisive}")
        for index, part in enumerate(parts):
            got = self.test(part, body, depth, kind)
            body.emit(depth, f"if {got} is {decisive}:")
            body.emit(depth + 1, f"{name} = {decisive}")
            if index == len(parts) - 1:
                body.emit(depth, f"elif {got} is None:")
                body.emit(depth + 1, f"{name} = None")
            else:
                body.emit(depth, "else:")
                depth += 1
                body.emit(depth, f"if {got} is None:")
                body.emit(depth + 1, f"{name} = None")
        return name

    def test_not(self, ir, body: Body, depth: int, shortcut=None) -> str:
        got = self.test(ir[1], body, depth, None)
        name = body.fresh()
        body.emit(depth, f"{name} = None if {got} is None else not {got}")
        return name

    def test_truth(self, ir, body: Body, depth: int, shortcut=None) -> str:
        got = body.fresh()
        body.emit(depth, f"{got} = {self.value(ir[1])}")
        name = body.fresh()
        body.emit(depth, f"{name} = {got} if {got} is True or {got} is False else truth({got})")
        return name

    def test_member(self, ir, body: Body, depth: int, shortcut=None) -> str:
        """属于: a text is looked up in the set directly; anything else (unknown, 待定) in the runtime."""
        got = body.fresh()
        body.emit(depth, f"{got} = {self.value(ir[1])}")
        name = body.fresh()
        elements = self.k.name(ir[2])
        body.emit(depth, f"{name} = ({got} in {elements}) if type({got}) is str else member({got}, {elements})")
        return name

    def test_cmp(self, ir, body: Body, depth: int, shortcut=None) -> str:
        op, left, right = ir[1], ir[2], ir[3]
        if op not in (">=", "<=", ">", "<", "=="):  # written as the runtime's compare spells it
            name = body.fresh()
            body.emit(depth, f"{name} = {self.value(ir)}")
            return name
        a = body.fresh()
        body.emit(depth, f"{a} = {self.value(left)}")
        if right[0] == "const" and type(right[1]) is Decimal:
            b, typed = self.k.name(right[1]), f"type({a}) is Decimal"
        else:
            b = body.fresh()
            body.emit(depth, f"{b} = {self.value(right)}")
            typed = f"type({a}) is Decimal and type({b}) is Decimal"
        name = body.fresh()
        body.emit(depth, f"{name} = ({a} {op} {b}) if {typed} else compare({op!r}, {a}, {b})")
        return name

    def decide(self, name: str, spec: str, item) -> list[str]:
        """The decide path of one item counted for the enterprise (not per project): each condition in
        turn, leaving at the first that fails, then the frequency; an item that passes both goes on to
        its amount (``amount``) or, for the kinds without one, in the runtime (``decide_rest``)."""
        label = repr(item.label)
        body = Body()
        if not item.conditions:
            body.emit(1, "missing = set()")
            body.emit(1, "pending = set()")
            body.emit(1, "unknown = False")
        for index, condition in enumerate(item.conditions):
            body.emit(1, "if ctx.missing:")
            body.emit(2, "ctx.missing = set()")
            body.emit(1, "if ctx.pending:")
            body.emit(2, "ctx.pending = set()")
            got = self.test(condition.test, body, 1)
            body.emit(1, f"if {got} is False:")
            body.emit(2, f"return refused({label})")
            if index == 0:  # the facts missing so far are this condition's: most items stop before this
                body.emit(1, f"unknown = {got} is None")
                body.emit(1, "missing = set() | ctx.missing if unknown else set()")
                body.emit(1, "pending = set() | ctx.pending if unknown else set()")
                continue
            body.emit(1, f"if {got} is None:")
            body.emit(2, "unknown = True")
            body.emit(2, "missing |= ctx.missing")
            body.emit(2, "pending |= ctx.pending")
        # The frequency after the conditions: a failed condition and a spent frequency both refuse, so
        # which comes first changes nothing but the time; it still comes before an unknown condition counts.
        body.emit(1, f"past = ctx.past({self.k.name((item.label,))})")
        if item.frequency is not None:
            # Unused, a frequency of years or of a count of at least one allows: the runtime is asked
            # only when there is a past award or no year to place this one in.
            parts = (item.frequency, *item.frequency_also)
            free = all(kind == "每年" or kind == "每次" or kind not in ("每季度", "每月") and type(count) is int
                       and count > 0 for kind, count, _text, _where in parts)
            guard = "(past or ctx.year is None) and " if free else ""
            body.emit(1, f"if {guard}not frequency_quiet({spec}, ctx, past, missing):")
            body.emit(2, f"return refused({label})")
        body.emit(1, "if unknown:")
        body.emit(2, f"return undecided({label}, missing, pending)")
        waits = bool(item.gate or item.up_to)  # 待评定 until the record says what the assessment decided
        if item.kind == "一事一议":
            body.emit(1, f"return granted({label}, '一事一议', missing)")
        elif item.kind == "非资金支持":
            if waits:
                body.emit(1, f"if {label} in ctx.assessed:")
                body.emit(2, f"return decide_rest({spec}, ctx, past, missing, pending)")
            body.emit(1, f"return granted({label}, {'待评定' if waits else '符合'!r}, missing)")
        elif item.kind == "核定":
            body.emit(1, f"return decide_rest({spec}, ctx, past, missing, pending)")
        else:
            self.amount(spec, item, body)
        return [f"def {name}(ctx):", *body.lines]

    def amount(self, spec: str, item, body: Body) -> None:
        """The amount as the runtime's ``run_amount`` computes it (award, uplifts, floors, then caps),
        written out; paid at once when nothing over the years applies, else settled by the runtime."""
        label = repr(item.label)
        body.emit(1, "if ctx.missing:")
        body.emit(2, "ctx.missing = set()")
        body.emit(1, "if ctx.pending:")
        body.emit(2, "ctx.pending = set()")
        self.award(item, body, 1, f"return refused({label})")
        body.emit(1, "missing |= ctx.missing")
        body.emit(1, "pending |= ctx.pending")
        if item.topup is not None or item.tranches or over_years(item):
            body.emit(1, f"return settle_rest({spec}, ctx, amount, bound, past, missing, pending)")
        elif item.gate or item.up_to:  # paid once assessed: 待评定 until the record says what was decided
            body.emit(1, f"if {label} in ctx.assessed:")
            body.emit(2, f"return settle_rest({spec}, ctx, amount, bound, past, missing, pending)")
            body.emit(1, f"return paid({label}, amount, bound, missing, pending, '待评定', {bool(item.up_to)})")
        else:
            body.emit(1, f"return paid({label}, amount, bound, missing, pending)")

    def award(self, item, body: Body, depth: int, not_applicable: str) -> None:
        """``amount`` and ``bound`` as ``run_amount`` leaves them: the award (``not_applicable`` runs when
        it falls in no tier), its uplifts, then floors and caps."""
        one = self.k.name(Decimal(1))
        body.emit(depth, f"amount = {self.value(item.award) if item.award is not None else 'NOT_APPLICABLE'}")
        body.emit(depth, "if amount is NOT_APPLICABLE:")
        body.emit(depth + 1, not_applicable)
        for ratio, when, _text, _where in item.uplifts:
            if when is None:
                body.emit(depth, f"amount = mul(amount, add({one}, {self.value(ratio)}))")
                continue
            body.emit(depth, f"applies = {self.value(when)}")
            body.emit(depth, "if applies is None:")
            body.emit(depth + 1, "amount = UNKNOWN if amount is not PENDING else amount")
            body.emit(depth, "elif applies:")
            body.emit(depth + 1, f"amount = mul(amount, add({one}, {self.value(ratio)}))")
        body.emit(depth, "bound = None")
        for kind, test in (("下限", "<"), ("上限", ">")):
            for limit in item.limits:
                if limit.kind != kind:
                    continue
                body.emit(depth, f"limit = {self.value(limit.amount)}")
                body.emit(depth, "if limit is not NOT_APPLICABLE:")
                body.emit(depth + 1, "stop = blocked(amount, limit)")
                body.emit(depth + 1, "if stop:")
                body.emit(depth + 2, "amount = stop if amount is not PENDING else amount")
                body.emit(depth + 1, f"elif amount {test} limit:")
                body.emit(depth + 2, f"amount, bound = limit, {limit.text!r}")

    def decide_per_project(self, name: str, spec: str, item) -> list[str]:
        """The decide path of an item counted per project. When no project meets the conditions (each
        stops at its first failed one) the item is 不符合 at once. Otherwise the runtime's
        ``decide_projects`` goes through the projects and calls a function written here for each: None
        when the project fails a condition, its amount and the cap that bound it when it is paid as
        computed (no amount for 一事一议 and 非资金支持), or UNKNOWN when the runtime must decide the
        item in full (a condition or amount not decided, or an item settled over the years or 核定)."""
        project = f"{name}_project"
        body = Body()
        body.emit(1, "if ctx.missing:")
        body.emit(2, "ctx.missing = set()")
        body.emit(1, "if ctx.pending:")
        body.emit(2, "ctx.pending = set()")
        self.project_conditions(item, body, 1, "return None", "return UNKNOWN")
        if item.kind == "核定" or item.topup is not None or item.tranches or over_years(item):
            body.emit(1, "return UNKNOWN")  # settled by the runtime
        else:
            body.emit(1, "if ctx.missing or ctx.pending:")
            body.emit(2, "return UNKNOWN")
            if item.kind in ("一事一议", "非资金支持"):
                body.emit(1, "return None, None")  # qualifies, with no money to add up
            else:
                self.award(item, body, 1, "return UNKNOWN")
                body.emit(1, "if type(amount) is not Decimal or ctx.missing or ctx.pending:")
                body.emit(2, "return UNKNOWN")
                body.emit(1, "return amount, bound")
        first = Body()  # most enterprises have no project that meets the conditions: refused here at once
        first.emit(1, "for project in ctx.projects:")
        first.emit(2, "ctx.project = project")
        self.project_conditions(item, first, 2, "continue")
        first.emit(2, "ctx.project = None")
        first.emit(2, f"return decide_projects({spec}, ctx, {project})")
        first.emit(1, "ctx.project = None")
        first.emit(1, f"return refused({item.label!r})")
        return [f"def {project}(ctx):", *body.lines, "", "", f"def {name}(ctx):", *first.lines]

    def project_conditions(self, item, body: Body, depth: int, failed: str, undecided: str | None = None) -> None:
        """The item's conditions in turn for the project in ``ctx.project``: ``failed`` runs at the first
        false one, ``undecided`` (when given) at one that cannot be decided."""
        for condition in item.conditions:
            got = self.test(condition.test, body, depth)
            body.emit(depth, f"if {got} is False:")
            body.emit(depth + 1, failed)
            if undecided is not None:
                body.emit(depth, f"if {got} is None:")
                body.emit(depth + 1, undecided)


def over_years(item) -> bool:
    """Caps that read the past or are scoped to a project: the runtime's ``settle`` and ``project_caps``."""
    return any(limit.kind not in ("上限", "下限") for limit in item.limits)
