"""Shared helpers for the evaluator tests: check a test policy, build its module, run both evaluators.

Every expectation in the evaluator tests is asserted against the reference
interpreter *and* the generated module, so a test fails if either one is
wrong, whichever it is.
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import sys
import tempfile
from pathlib import Path

from compiler.targets.python.build import source_text
from compiler.semantics.check import check
from compiler.targets.python.interpreter import Interpreter

TESTS = Path(__file__).parent
POLICIES = TESTS / "policies"
REPO = TESTS.parent

_BUILD_DIR = Path(tempfile.mkdtemp(prefix="polc-evalkit-"))
_counter = itertools.count()


def checked(path: str | Path, rules: str | Path | None = None):
    """The CheckResult of a policy file; fails the test on any error."""
    result = check(str(path), rules=str(rules) if rules else None)
    errors = [f"{d.code} {d.span.file}:{d.span.line}:{d.span.column} {d.message}" for d in result.errors]
    assert result.ok, "policy does not check:\n" + "\n".join(errors)
    return result


def import_source(text: str, stem: str = "policy"):
    """Write a generated module to a fresh file and import it under a unique name."""
    name = f"polc_generated_{stem}_{next(_counter)}"
    path = _BUILD_DIR / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class Pair:
    """A checked policy with both evaluators."""

    def __init__(self, path: Path, rules: Path | None = None):
        self.path = path
        self.result = checked(path, rules)
        self.program = self.result.program
        self.interpreter = Interpreter(self.program)
        self.source = source_text(self.program)
        self.module = import_source(self.source, "".join(c if c.isascii() and c.isalnum() else "_" for c in path.stem))

    def both(self, record: dict, params: dict | None = None, as_of=None) -> tuple[dict, dict]:
        """(interpreter result, module result); each evaluator gets its own copy of the input."""
        import copy

        a = self.interpreter.evaluate(copy.deepcopy(record), copy.deepcopy(params), as_of)
        b = self.module.evaluate(copy.deepcopy(record), copy.deepcopy(params), as_of)
        return a, b

    def evaluate(self, record: dict, params: dict | None = None, as_of=None) -> dict:
        """The interpreter's result, after asserting the module gives the very same dict."""
        a, b = self.both(record, params, as_of)
        assert a == b, "interpreter and generated module disagree"
        return a

    def item(self, label: str, record: dict, params: dict | None = None, as_of=None) -> dict:
        result = self.evaluate(record, params, as_of)
        found = [r for r in result["条款"] if r["条款"] == label]
        assert found, f"no item {label}; items: {[r['条款'] for r in result['条款']]}"
        return found[0]

    def expect(self, label: str, record: dict, status: str, amount: str | None = None,
               params: dict | None = None, as_of=None) -> dict:
        """Assert status and amount (a string such as "12345.67", or None) of one item, in both evaluators
        and on the generated module's decide path."""
        import copy

        a, b = self.both(record, params, as_of)
        decided = self.module.decide(copy.deepcopy(record), copy.deepcopy(params), as_of)
        for who, result in (("interpreter", a), ("module", b), ("decide path", decided)):
            got = [r for r in result["条款"] if r["条款"] == label]
            assert got, f"{who}: no item {label}"
            r = got[0]
            assert (r["状态"], r["金额"]) == (status, amount), \
                f"{who}: {label} expected {status} {amount}, got {r['状态']} {r['金额']}; trace: {r.get('理由')}"
        assert a == b, "interpreter and generated module disagree"
        return a["条款"][[r["条款"] for r in a["条款"]].index(label)]

    def outcome(self, evaluate, error_type, record, params=None, as_of=None):
        """("result", dict) or ("problems", list): an InputError is an answer, any other exception a bug."""
        import copy

        try:
            return "result", evaluate(copy.deepcopy(record), copy.deepcopy(params), as_of)
        except error_type as exc:
            return "problems", exc.problems

    def outcomes(self, record, params=None, as_of=None):
        """The same outcome from both evaluators, asserted equal."""
        from compiler import runtime as rt

        a = self.outcome(self.interpreter.evaluate, rt.InputError, record, params, as_of)
        b = self.outcome(self.module.evaluate, self.module.InputError, record, params, as_of)
        assert a == b, "interpreter and generated module disagree"
        return a

    def problems(self, record, params=None, as_of=None) -> list[dict]:
        """The problems both evaluators report for a bad input (asserted to be the same)."""
        kind, value = self.outcomes(record, params, as_of)
        assert kind == "problems", "expected the input to be rejected"
        assert value, "an InputError must say what is wrong"
        return value


@functools.cache
def pair(name: str, rules: str | None = None) -> Pair:
    """The policy tests/policies/<name> (with an optional 细则 from the same folder), checked and built once."""
    return Pair(POLICIES / name, POLICIES / rules if rules else None)


def label(article: int, item: str) -> str:
    return f"第{article}条「{item}」"
