"""The layout shows the pipeline, and imports only go down it.

syntax → semantics → plan → targets, with the shared vocabulary (diagnostics, escaping, files,
limits, the runtime every evaluator shares) below everything and the commands on top. A module may
import from its own layer or any layer below; targets may use the Python target (the properties and
the solver run generated code) and the solver uses the properties' list of what to prove.
"""
from __future__ import annotations

import ast
from pathlib import Path

import compiler

PACKAGE = Path(compiler.__file__).parent

BASE = {"compiler", "compiler.diagnostics", "compiler.escape", "compiler.files", "compiler.limits",
        "compiler.runtime", "compiler.grammar", "compiler.stdlib"}
# rank of each layer; a module imports only from layers of the same or lower rank
LAYERS = {
    "base": 0,
    "compiler.syntax": 1,
    "compiler.semantics": 2,
    "compiler.plan": 3,
    "compiler.targets": 4,
    "top": 5,
}
# targets are siblings: these are the only ways one target may use another
TARGET_USES = {
    "compiler.targets.properties": {"compiler.targets.python"},
    "compiler.targets.smt": {"compiler.targets.python", "compiler.targets.properties"},
    "compiler.targets.docs": {"compiler.targets.python"},
    "compiler.targets.sql": {"compiler.targets.python"},
}


def layer(module: str) -> str:
    if module in BASE:
        return "base"
    for name in ("compiler.syntax", "compiler.semantics", "compiler.plan", "compiler.targets"):
        if module == name or module.startswith(name + "."):
            return name
    return "top"


def target(module: str) -> str | None:
    parts = module.split(".")
    return ".".join(parts[:3]) if parts[:2] == ["compiler", "targets"] and len(parts) > 2 else None


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, name: str):
    """Every polc module the file imports, at any depth (imports inside functions count too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("compiler"):
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            if not module.startswith("compiler"):
                continue
            for alias in node.names:  # `from compiler.x import y` may name a module y
                full = f"{module}.{alias.name}"
                yield node.lineno, full if (PACKAGE.parent / (full.replace(".", "/") + ".py")).exists() else module


def violations(path: Path, name: str) -> list[str]:
    """Each import of the module at ``path`` (called ``name``) that goes up or sideways."""
    wrong = []
    for line, used in imports(path, name):
        mine, theirs = layer(name), layer(used)
        if LAYERS[theirs] > LAYERS[mine]:
            wrong.append(f"{name}:{line} imports {used} ({mine} → {theirs})")
        elif mine == theirs == "compiler.targets" and target(name) != target(used):
            if target(used) not in TARGET_USES.get(target(name), set()):
                wrong.append(f"{name}:{line} imports {used} (target → target)")
    return wrong


def test_every_import_goes_down():
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 30
    wrong = [w for path in modules for w in violations(path, module_name(path))]
    assert not wrong, "\n".join(wrong)


def test_an_upward_or_sideways_import_is_seen(tmp_path):
    """The walk must notice a violation, also inside a function and in relative form."""
    module = tmp_path / "fake.py"
    module.write_text("from compiler.syntax import nodes\n"
                      "def f():\n    from compiler.cli import main\n"
                      "from ...plan import lower\n"
                      "from compiler.targets.docs import docgen\n", encoding="utf-8")
    found = sorted(violations(module, "compiler.targets.sql.fake"))
    assert found == ["compiler.targets.sql.fake:3 imports compiler.cli (compiler.targets → top)",
                     "compiler.targets.sql.fake:5 imports compiler.targets.docs.docgen (target → target)"]
    assert violations(module, "compiler.cli") == []
    assert sorted(w.split(" imports ")[1] for w in violations(module, "compiler.syntax.fake")) == [
        "compiler.cli (compiler.syntax → top)", "compiler.plan.lower (compiler.syntax → compiler.plan)",
        "compiler.targets.docs.docgen (compiler.syntax → compiler.targets)"]
