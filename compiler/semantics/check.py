"""The front end as one call: load, resolve, type-check, check structure, measure coverage.

Whatever the input, ``check`` returns diagnostics; it never raises. An
unexpected exception becomes diagnostic E999, which is always a bug in polc.
"""

from __future__ import annotations

import gc
import traceback
from pathlib import Path

import attrs

from compiler.semantics.coverage import Coverage, coverage
from compiler.diagnostics import Diagnostic, ERROR, Reporter, Span
from compiler.semantics.program import Program, load_program
from compiler.semantics.resolver import resolve
from compiler.semantics.structure import check_structure
from compiler.semantics.typecheck import typecheck


@attrs.define
class CheckResult:
    """What the front end found: the loaded program (None if nothing loaded), every diagnostic, quote coverage."""
    program: Program | None
    diagnostics: list[Diagnostic]
    coverage: Coverage | None = None

    @property
    def ok(self) -> bool:
        return not any(d.severity == ERROR for d in self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity != ERROR]

    def summary(self) -> dict:
        """The figures polc check prints and reports as JSON: articles, items, parameters, cases, coverage."""
        p = self.program
        if p is None:
            return {"articles": 0, "items": 0, "parameters": 0, "pending_parameters": 0, "coverage": None,
                    "cases": 0}
        params = list(p.symbols.params.values())
        bound = {b.key for doc in p.documents() for b in doc.bindings}
        main = p.main
        return {
            "kind": main.kind,
            "name": main.name,
            "articles": len(p.symbols.articles),
            "items": len(p.symbols.items),
            "parameters": len(params),
            "pending_parameters": sum(1 for x in params if x.pending and x.key not in bound),
            "cases": sum(len(doc.cases) for doc in p.documents() if doc.kind != "模块"),
            "coverage": round(self.coverage.ratio, 4) if self.coverage else None,
            "uncovered": list(self.coverage.uncovered) if self.coverage else [],
            "coverage_limit": self.coverage.limit if self.coverage else None,
            "open_items": sum(1 for i in p.symbols.items.values() if i.unencoded),
        }


def check(path: str | Path, rules: str | Path | None = None, text: str | None = None) -> CheckResult:
    """Run the whole front end on a policy file (with a 细则, or on ``text`` in place of the file's contents)."""
    reporter = Reporter()
    program = None
    cov = None
    # Trees only grow during a check: the cyclic collector would rescan them again and
    # again (quadratic on large files) and find nothing to free.
    collecting = gc.isenabled()
    gc.disable()
    try:
        program = load_program(path, reporter, rules=rules, text=text)
        if program is not None and not any(d.code in ("E001", "E002", "E003", "E004") for d in reporter.diagnostics):
            resolve(program, reporter)
            typecheck(program, reporter)
            check_structure(program, reporter)
            cov = coverage(program)
    except RecursionError:
        reporter.error("E110", "文件结构嵌套过深，无法处理", Span(str(path), 1, 1, 1, 1), "拆分过深的条件或算式")
    except Exception as exc:  # noqa: BLE001 - turned into a diagnostic that names the bug
        where = traceback.extract_tb(exc.__traceback__)[-1]
        reporter.error("E999", f"polc 内部错误：{type(exc).__name__}: {exc}（{Path(where.filename).name}:{where.lineno}）",
                       Span(str(path), 1, 1, 1, 1), "这是 polc 的缺陷，请连同此文件一起报告")
    finally:
        if collecting:
            gc.enable()
    return CheckResult(program, reporter.sorted(), cov)
