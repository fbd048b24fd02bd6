"""``polc build``: write the generated module of a checked program."""

from __future__ import annotations

import keyword
import re
from pathlib import Path

from compiler.targets.python.codegen import generate
from compiler.files import write_inside
from compiler.plan.lower import lower
from compiler.semantics.program import Program


def module_name(program: Program) -> str:
    """A Python module name for the generated file, from the policy file's stem (policy when it has none)."""
    stem = Path(program.main.path).stem
    if not (stem.isascii() and stem.isidentifier()):
        safe = re.sub(r"[^0-9A-Za-z_]", "_", stem).strip("_")
        stem = safe if safe and safe.isidentifier() and not safe[0].isdigit() else "policy"
    return stem + "_" if keyword.iskeyword(stem) else stem


def metadata(program: Program) -> dict:
    """The policy's particulars the generated module carries: 名称, 发布单位, 发布日期, 文本状态, 细则, counts of 条 and 款."""
    policy = program.policy
    return {
        "名称": policy.name,
        "发布单位": policy.issuer,
        "发布日期": policy.issued.isoformat() if policy.issued else None,
        "文本状态": policy.stage,
        "细则": program.rules.name if program.rules is not None else None,
        "条": len(program.symbols.articles),
        "款": len(program.symbols.items),
    }


def source_text(program: Program) -> str:
    """The generated module's Python source for a checked program."""
    return generate(lower(program), metadata(program))


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a generated module (Chinese), or None when it can.

    The name becomes the file ``NAME.py`` inside the output folder and is imported as ``import NAME``:
    so an ASCII Python identifier (a full-width ``ｆｏｏ`` would import as ``foo``), not a keyword,
    and never a path.
    """
    if not (name.isascii() and name.isidentifier()):
        return "模块名只能由英文字母、数字和下划线组成，且不以数字开头（不能含路径、空格或中文）"
    if keyword.iskeyword(name):
        return f"「{name}」是 Python 关键字，不能作模块名"
    return None


def build_module(program: Program, directory: Path, name: str | None = None) -> Path:
    """Write ``NAME.py`` inside ``directory`` and nowhere else."""
    name = name if name is not None else module_name(program)
    problem = name_problem(name)
    if problem:
        raise ValueError(problem)
    return write_inside(directory, f"{name}.py", source_text(program))
