"""pytest plugin (entry point ``pytest11``): plain ``pytest`` runs each policy's 案例 and generated properties.

Only ``.pol`` files under the ``polc_policies`` folders (default ``policies``,
relative to the rootdir) are collected, so the deliberately broken policies
that the test suite keeps under ``tests/`` are never collected twice or as
policies. A 细则 file brings its own cases and the properties of the policy it
binds. ``polc_examples`` (default 25) sets how many examples each property tries
unless POLC_EXAMPLES is set.
"""

from __future__ import annotations

import os

import pytest


def pytest_addoption(parser):
    """The ini options: which folders hold the policies to run, and examples per property."""
    parser.addini("polc_policies", "folders whose .pol files pytest runs (cases and properties)", type="linelist",
                  default=["policies"])
    parser.addini("polc_examples", "examples per generated property", default="25")


def pytest_collect_file(file_path, parent):
    """Collect a .pol file only when it lies in one of the polc_policies folders."""
    if file_path.suffix != ".pol":
        return None
    config = parent.config
    roots = [config.rootpath / folder for folder in config.getini("polc_policies")]
    if not any(root == file_path.parent or root in file_path.parents for root in roots):
        return None
    return PolicyFile.from_parent(parent, path=file_path)


class PolicyFile(pytest.File):
    """A .pol file: one failing item if it has errors, else one item per 案例 and per generated property."""
    def collect(self):
        from compiler.semantics.check import check

        result = check(self.path)
        if not result.ok:
            yield CheckItem.from_parent(self, name="polc check", result=result)
            return
        program = result.program
        if program.main.kind == "模块":
            return
        for case in program.main.cases:
            yield CaseItem.from_parent(self, name=f"案例「{case.name}」", case=case, program=program)
        os.environ.setdefault("POLC_EXAMPLES", str(self.config.getini("polc_examples")))
        from compiler.targets.properties.propgen import load_properties

        module = load_properties(str(self.path), None, program=program)
        for name, label, description in module.PROPERTIES:
            yield PropertyItem.from_parent(self, name=f"{label} {description}", module=module, function=name)


class CheckItem(pytest.Item):
    """A policy that fails polc check: fails with its errors, one per line."""
    def __init__(self, *, result, **kwargs):
        super().__init__(**kwargs)
        self.result = result

    def runtest(self):
        raise PolicyError("\n".join(f"{d.span.file}:{d.span.line}:{d.span.column}: {d.code} {d.message}"
                                    for d in self.result.errors))

    def repr_failure(self, excinfo):
        return str(excinfo.value)

    def reportinfo(self):
        return self.path, None, self.name


class CaseItem(pytest.Item):
    """One 案例, run with the interpreter; fails listing every expectation it misses."""
    def __init__(self, *, case, program, **kwargs):
        super().__init__(**kwargs)
        self.case = case
        self.program = program

    def runtest(self):
        from compiler.plan.cases import run_case
        from compiler.targets.python.interpreter import Interpreter

        outcome = run_case(self.case, self.program, Interpreter(self.program).evaluate)
        if not outcome.passed:
            lines = [f"输入有误：{outcome.error}"] if outcome.error else []
            lines += [f"{m.label}：预期 {m.expected}，实际 {m.actual}（{m.where}）" for m in outcome.mismatches]
            raise PolicyError("\n".join(lines))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, PolicyError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, self.case.span.line - 1, self.name


class PropertyItem(pytest.Item):
    """One generated property, run by propcheck; fails with the counterexample hypothesis found."""
    def __init__(self, *, module, function, **kwargs):
        super().__init__(**kwargs)
        self.module = module
        self.property_name = function  # not ``function``: pytest's -k reads that as a Python function

    def runtest(self):
        from compiler.targets.properties.propcheck import outcome_of

        outcome = outcome_of(self.module, self.property_name)  # run with the properties sharing its draws
        if not outcome.passed:
            raise PolicyError(str(outcome.error))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, PolicyError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, self.name


class PolicyError(Exception):
    """A failed case or property: reported as its message, without a traceback."""
