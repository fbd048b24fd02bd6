"""``polc build``: write the generated module of a checked program."""

from __future__ import annotations

import re
from pathlib import Path

from .codegen import generate
from .lower import lower
from .program import Program


def module_name(program: Program) -> str:
    stem = Path(program.main.path).stem
    if stem.isascii() and stem.isidentifier():
        return stem
    safe = re.sub(r"[^0-9A-Za-z_]", "_", stem).strip("_")
    return safe if safe and safe.isidentifier() and not safe[0].isdigit() else "policy"


def metadata(program: Program) -> dict:
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
    return generate(lower(program), metadata(program))


def build_module(program: Program, directory: Path, name: str | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name or module_name(program)}.py"
    path.write_text(source_text(program), encoding="utf-8")
    return path
