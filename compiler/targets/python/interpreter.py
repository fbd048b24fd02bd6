"""The reference interpreter: walks the lowered IR, written to be obviously right.

It shares the runtime (clause order, logic, rounding, results) with generated
modules; the differential tests compare the two on every policy.
"""

from __future__ import annotations

import datetime
import functools

from compiler import runtime as rt
from compiler.plan.lower import PolicyPlan, lower
from compiler.semantics.program import Program


def run(ir, ctx):
    """The value of one IR expression for ``ctx``."""
    op = ir[0]
    if op == "const":
        return ir[1]
    if op == "field":
        return ctx.field(ir[1])
    if op == "pfield":
        return ctx.project_field(ir[1])
    if op == "param":
        return ctx.param(ir[1])
    if op in ("add", "sub", "mul", "div"):
        return getattr(rt, op)(run(ir[1], ctx), run(ir[2], ctx))
    if op == "award_of":
        return ctx.award_of(ir[1])
    if op == "steps":
        return rt.steps(run(ir[1], ctx), run(ir[2], ctx), run(ir[3], ctx))
    if op == "round":
        return rt.round_to(ir[1], run(ir[2], ctx), run(ir[3], ctx))
    if op == "marginal":
        return rt.marginal(run(ir[1], ctx), [tuple(None if x is None else run(x, ctx) for x in seg) for seg in ir[2]])
    if op == "add_months":
        return rt.add_months(run(ir[1], ctx), run(ir[2], ctx))
    if op == "lfield":
        return ctx.list_field(ir[1], ir[2])
    if op == "agg":
        return rt.aggregate(ctx, ir[1], ir[2], _fn(ir[3]), _fn(ir[4]), _fn(ir[5]))
    if op in ("least", "greatest"):
        return getattr(rt, op)(*[run(x, ctx) for x in ir[1]])
    if op == "cmp":
        return rt.compare(ir[1], run(ir[2], ctx), run(ir[3], ctx))
    if op == "and":
        return rt.and_(*[run(x, ctx) for x in ir[1]])
    if op == "or":
        return rt.or_(*[run(x, ctx) for x in ir[1]])
    if op == "not":
        return rt.not_(run(ir[1], ctx))
    if op == "truth":
        return rt.truth(run(ir[1], ctx))
    if op == "holds":
        return rt.holds(ctx.recognitions(), ir[1], ir[2], ir[3])
    if op == "member":
        return rt.member(run(ir[1], ctx), ir[2])
    if op == "contains":
        return rt.contains(run(ir[1], ctx), ir[2])
    if op == "level_of":
        return ctx.level_of(ir[1])
    if op == "by_level":
        return rt.by_level(run(ir[1], ctx), {rank: run(x, ctx) for rank, x in ir[2].items()})
    if op == "when":
        return rt.tier_if(run(ir[1], ctx), lambda: run(ir[2], ctx))
    if op == "first_holds":
        return rt.first_held(ctx.recognitions(), ir[1], ir[2], ir[3], ctx.earlier_held())
    if op == "received":
        return ctx.received(ir[1])
    if op == "first":
        return rt.first_reached(ir[1], ctx.field(ir[2]), run(ir[4], ctx), ctx.earlier(ir[2], ir[3]))
    if op == "tiers":
        bands = [(lo_op, run(lo, ctx) if lo else None, hi_op, run(hi, ctx) if hi else None,
                  (lambda a=amount: run(a, ctx))) for lo_op, lo, hi_op, hi, amount in ir[2]]
        return rt.select_tier(run(ir[1], ctx), bands)
    raise ValueError(f"unknown IR {op}")


def _fn(ir):
    return None if ir is None else (lambda ctx: run(ir, ctx))


def item_spec(item) -> dict:
    """An item's plan as the spec dict the runtime evaluates, with closures over the IR
    where the generated module has compiled functions."""
    return {
        "label": item.label,
        "where": item.where,
        "quote": item.quote,
        "kind": item.kind,
        "gate": item.gate,
        "per_project": item.per_project,
        "frequency": item.frequency,
        "frequency_also": item.frequency_also,
        "history_labels": (item.label,),
        "conditions": [(c.text, c.where, _fn(c.test),
                        (lambda ctx, s=c.sides: (s[0], run(s[1], ctx), run(s[2], ctx))) if c.sides else None,
                        c.unit) for c in item.conditions],
        "award": _fn(item.award) if item.award is not None else (lambda ctx: rt.NOT_APPLICABLE),
        "uplifts": [(_fn(r), _fn(w), text, where) for r, w, text, where in item.uplifts],
        "caps": [(lim.kind, lim.text, lim.where, _fn(lim.amount)) for lim in item.limits],
        "topup": item.topup,
        "tranches": [_fn(t) for t in item.tranches],
        "formula": item.formula,
        "up_to": item.up_to,
        "result": item.result,
    }


def policy_spec(plan: PolicyPlan) -> dict:
    """The policy-wide spec the runtime reads (input schema, parameters, validity, combinations)."""
    validity = None
    if plan.validity is not None:
        start, end, months = plan.validity
        validity = (_fn(start), _fn(end), months)
    return {
        "name": plan.name,
        "where": plan.where,
        "schema": {"fields": plan.fields, "project_fields": plan.project_fields, "levels": plan.levels,
                   "recognitions": plan.recognitions,
                   "items": [i.label for i in plan.items] + list(plan.externals),
                   "signed": sorted(plan.signed), "lists": plan.lists,
                   "fractional_units": plan.fractional_units, "last_year": plan.last_year},
        "param_values": plan.param_values,
        "declared_params": plan.declared_params,
        "validity": validity,
        "overrides": plan.overrides,
        "exclusives": plan.exclusives,
        "sum_caps": [(text, _fn(ir)) for text, ir in plan.sum_caps],
        "sum_cap_scopes": plan.sum_cap_scopes,
        "group_caps": [(g, _fn(ir)) for g, ir in plan.group_caps],
    }


class Interpreter:
    """Evaluate a checked program directly."""

    def __init__(self, program: Program):
        self.plan = lower(program)
        self.policy = policy_spec(self.plan)
        self.items = [item_spec(i) for i in self.plan.items]

    @classmethod
    def from_plan(cls, plan: PolicyPlan) -> "Interpreter":
        """An interpreter for an already lowered plan (one read from the cache)."""
        self = cls.__new__(cls)
        self.plan = plan
        self.policy = policy_spec(plan)
        self.items = [item_spec(i) for i in plan.items]
        return self

    def evaluate(self, enterprise: dict, params: dict | None = None, as_of: datetime.date | str | None = None) -> dict:
        """Every item's result for one enterprise record (``params`` override bound ones); bad input raises InputError."""
        return rt.evaluate_policy(self.policy, self.items, enterprise, params, as_of)

    def evaluate_json(self, text: str | bytes, params: dict | None = None, as_of=None) -> dict:
        """Evaluate a record given as JSON text: duplicate keys, a BOM and the like are problems (runtime.read_json)."""
        return self.evaluate(rt.read_json(text), params, as_of)

    def decide(self, enterprise: dict, params: dict | None = None, as_of: datetime.date | str | None = None) -> dict:
        """The decide path (status and amounts, no trace), each item by the runtime's own quiet evaluation:
        the reference for a generated module's ``decide``."""
        return rt.decide_policy(self.policy, self.items, self._deciders, enterprise, params, as_of)

    @functools.cached_property
    def _deciders(self) -> list:
        """One decider per item, made once: a batch decides many records."""
        return [functools.partial(rt.decide_item, spec) for spec in self.items]
