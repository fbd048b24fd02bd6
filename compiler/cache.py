"""A cache of checked and lowered policies, so that a repeated ``polc eval`` does not check again.

An entry is keyed by the content hashes of the file given, its 细则 and polc's own sources; it
records the hash of every file the check read (the policy a 细则 extends, the stdlib modules, the
official text), and is used only while all of them are unchanged. It holds three things: the
metadata, the generated module compiled to bytecode (loading it needs nothing but the standard
library, which is what keeps a warm ``polc eval`` fast) and the pickled plan for the reference
interpreter (what ``polc serve`` and the portal view walk). Entries are written atomically, so
concurrent runs at worst both fill the same entry.

This module imports only the standard library at load time; the front end is imported on a miss.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import pickle
import sys
import tempfile
import types
from pathlib import Path

FORMAT = 1  # bump when the layout of an entry changes


def cache_dir() -> Path:
    """$POLC_CACHE_DIR, else $XDG_CACHE_HOME/polc, else ~/.cache/polc."""
    if os.environ.get("POLC_CACHE_DIR"):
        return Path(os.environ["POLC_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "polc"


def _digest(path: str | Path) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def _compiler_digest() -> str:
    """polc's own sources: a new compiler may lower the same policy differently."""
    here = Path(__file__).parent
    h = hashlib.sha256(f"{FORMAT}:{sys.version_info[:2]}".encode())
    for folder in (here, here / "grammar", here.parent / "grammar"):
        if folder.is_dir():  # every package of the pipeline, not only the top folder
            for path in sorted(folder.rglob("*")):
                if path.suffix in (".py", ".lark") and "__pycache__" not in path.parts:
                    h.update(str(path.relative_to(folder)).encode())
                    h.update(path.read_bytes())
    return h.hexdigest()


def entry_key(path: str | Path, rules: str | Path | None) -> str | None:
    """The key of a policy (and 细则); None when a file cannot be read, so the check reports it."""
    parts = [_compiler_digest(), os.path.abspath(path), _digest(path)]
    if rules is not None:
        parts += [os.path.abspath(rules), _digest(rules)]
    if None in parts:
        return None
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _dependencies(program) -> dict[str, str]:
    """Every file the check read, with its hash: a change to any of them makes the entry stale."""
    paths = set(program.sources)
    policy = program.policy
    if getattr(policy, "source_file", None):
        paths.add(str(Path(policy.path).parent / policy.source_file[0]))
    return {str(p): _digest(p) or "" for p in sorted(paths)}


def _fresh(meta: dict) -> bool:
    return meta.get("format") == FORMAT and all(_digest(p) == h for p, h in meta["dependencies"].items())


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


class Entry:
    """A cached policy: its metadata, and the two evaluators built on demand."""

    def __init__(self, key: str, meta: dict, folder: Path):
        self.key = key
        self.meta = meta
        self.folder = folder
        self._module = None

    @property
    def metadata(self) -> dict:
        return self.meta["metadata"]

    def module(self) -> types.ModuleType:
        """The generated module, executed from its cached bytecode."""
        if self._module is None:
            code = marshal.loads((self.folder / f"{self.key}.module").read_bytes())
            module = types.ModuleType(f"polc_cached_{self.key[:12]}")
            exec(code, module.__dict__)
            self._module = module
        return self._module

    def plan(self):
        with open(self.folder / f"{self.key}.plan", "rb") as f:
            return pickle.load(f)  # written by this cache only, keyed by content hashes


def _store(key: str, program, folder: Path) -> Entry:
    from compiler.targets.python.build import metadata
    from compiler.targets.python.codegen import generate
    from compiler.plan.lower import lower

    plan = lower(program)
    source = generate(plan, metadata(program))
    code = compile(source, f"<polc {Path(program.main.path).name}>", "exec")
    meta = {"format": FORMAT, "dependencies": _dependencies(program), "metadata": metadata(program)}
    _write(folder / f"{key}.module", marshal.dumps(code))
    _write(folder / f"{key}.plan", pickle.dumps(plan, protocol=pickle.HIGHEST_PROTOCOL))
    _write(folder / f"{key}.json", json.dumps(meta, ensure_ascii=False).encode("utf-8"))
    return Entry(key, meta, folder)


def lookup(path: str | Path, rules: str | Path | None = None) -> Entry | None:
    """The fresh cache entry for this policy, or None."""
    key = entry_key(path, rules)
    if key is None:
        return None
    folder = cache_dir()
    try:
        meta = json.loads((folder / f"{key}.json").read_bytes())
    except (OSError, ValueError):
        return None
    return Entry(key, meta, folder) if _fresh(meta) else None


def load(path: str | Path, rules: str | Path | None, check_program) -> Entry | None:
    """The cache entry for a policy; on a miss ``check_program()`` checks it (and reports its errors)
    and returns the program, or None when it has errors."""
    entry = lookup(path, rules)
    if entry is not None:
        return entry
    program = check_program()
    if program is None:
        return None
    key = entry_key(path, rules)
    try:
        return _store(key, program, cache_dir())
    except OSError:  # a read-only home: evaluate without caching
        folder = Path(tempfile.mkdtemp(prefix="polc-cache-"))
        return _store(key, program, folder)


class Loaded:
    """A policy ready to serve: the reference interpreter and the metadata."""

    def __init__(self, interpreter, metadata: dict):
        self.interpreter = interpreter
        self.metadata = metadata


def load_interpreter(path: str | Path, rules: str | Path | None = None, check_program=None) -> Loaded | None:
    """The reference interpreter for a policy, from the cache when it is fresh."""
    from compiler.targets.python.interpreter import Interpreter

    def checked():
        from compiler.semantics.check import check

        result = check(path, rules=rules)
        if not result.ok:
            if check_program is None:
                first = result.errors[0]
                raise ValueError(f"{first.span.file}:{first.span.line}:{first.span.column}: {first.message}"
                                 f"（共 {len(result.errors)} 个错误；polc check {path} 列出全部）")
            return None
        return result.program

    entry = load(path, rules, check_program or checked)
    if entry is None:
        return None
    return Loaded(Interpreter.from_plan(entry.plan()), entry.metadata)
