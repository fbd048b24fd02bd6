"""A cache of checked and lowered policies, so that a repeated ``polc eval`` does not check again.

An entry is keyed by where the policy and its 细则 are and by polc's own sources; it records the
time, size and hash of every file the check read (the policy, its 细则, the policy a 细则 extends,
the stdlib modules, the official text), and is used only while all of them are unchanged: the same
time and size, or else the same content. It holds three things: the metadata, the generated module
compiled to bytecode (loading it needs nothing but the standard library, which is what keeps a warm
``polc eval`` fast) and the pickled plan for the reference interpreter (what ``polc serve`` and the
portal view walk). Entries are written atomically, so concurrent runs at worst both fill the same entry.

This module imports only the standard library at load time; the front end is imported on a miss.
"""

from __future__ import annotations

import json
import marshal
import os
import sys
import types

TYPE_CHECKING = False  # pathlib costs a warm eval 5 ms; paths here are strings
if TYPE_CHECKING:
    from pathlib import Path

FORMAT = 2  # bump when the layout of an entry changes
RACY_NS = 2_000_000_000  # a file changed this close to the entry's writing is compared by content


def cache_dir() -> str:
    """$POLC_CACHE_DIR, else $XDG_CACHE_HOME/polc, else ~/.cache/polc."""
    if os.environ.get("POLC_CACHE_DIR"):
        return os.environ["POLC_CACHE_DIR"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "polc")


def _sha256():
    """hashlib's sha256; on Python 3.11 straight from the built-in module, since importing hashlib
    loads OpenSSL (5 ms of a warm eval). The digests are the same."""
    try:
        from _sha256 import sha256
    except ImportError:
        from hashlib import sha256
    return sha256


def _digest(path: str | Path) -> str | None:
    sha256 = _sha256()
    try:
        with open(path, "rb") as f:
            return sha256(f.read()).hexdigest()
    except OSError:
        return None


def _stamp(path: str | Path) -> list | None:
    """A file's modification time and size, which change whenever it is written."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return [status.st_mtime_ns, status.st_size]


def _compiler_digest() -> str:
    """polc's own sources, by name, time and size as Python's own bytecode cache trusts them: a new
    compiler may lower the same policy differently. Reading them all would cost a warm eval 8 ms."""
    here = os.path.dirname(os.path.abspath(__file__))
    parts = [f"{FORMAT}:{sys.version_info[:2]}"]
    for top in (here, os.path.join(os.path.dirname(here), "grammar")):  # every package of the pipeline
        for folder, subfolders, files in os.walk(top):
            subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
            for name in sorted(files):
                if name.endswith((".py", ".lark")):
                    path = os.path.join(folder, name)
                    parts.append(f"{os.path.relpath(path, top)}:{_stamp(path)}")
    return _hash("\n".join(parts))


def _hash(text: str) -> str:
    return _sha256()(text.encode()).hexdigest()


def _inputs(path: str | Path, rules: str | Path | None) -> list:
    """The files given on the command line: the policy, and its 细则 when there is one."""
    return [path] if rules is None else [path, rules]


def entry_key(path: str | Path, rules: str | Path | None) -> str | None:
    """The key of a policy (and 细则) by where they are; None when a file cannot be read, so the check
    reports it. Their contents are dependencies of the entry, compared by _fresh."""
    inputs = _inputs(path, rules)
    if any(_stamp(p) is None for p in inputs):
        return None
    return _hash("\0".join([_compiler_digest()] + [os.path.abspath(p) for p in inputs]))


def _dependencies(program, inputs: list) -> dict[str, list]:
    """Every file the check read, with its time, size and hash: a change to any of them makes the
    entry stale."""
    from pathlib import Path

    paths = set(program.sources) | {str(p) for p in inputs}
    policy = program.policy
    if getattr(policy, "source_file", None):
        paths.add(str(Path(policy.path).parent / policy.source_file[0]))
    return {os.path.abspath(p): (_stamp(p) or [0, 0]) + [_digest(p) or ""] for p in sorted(paths)}


def _fresh(meta: dict) -> bool:
    """Every dependency unchanged: the same time and size, or, when those differ or the file was
    written within RACY_NS of the entry (when a time cannot tell two writes apart), the same hash."""
    if meta.get("format") != FORMAT:
        return False
    for path, (mtime, size, digest) in meta["dependencies"].items():
        stamp = _stamp(path)
        trusted = stamp == [mtime, size] and meta["written"] - mtime > RACY_NS
        if not trusted and _digest(path) != digest:
            return False
    return True


def _write(path: str, data: bytes) -> None:
    import tempfile

    folder, name = os.path.split(path)
    os.makedirs(folder, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=folder, prefix=name, suffix=".tmp")
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

    def __init__(self, key: str, meta: dict, folder: str):
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
            with open(os.path.join(self.folder, f"{self.key}.module"), "rb") as f:
                code = marshal.loads(f.read())  # marshal.load(f) reads object by object: 4 times slower
            module = types.ModuleType(f"polc_cached_{self.key[:12]}")
            exec(code, module.__dict__)
            self._module = module
        return self._module

    def plan(self):
        """The lowered plan, for the reference interpreter."""
        import pickle

        with open(os.path.join(self.folder, f"{self.key}.plan"), "rb") as f:
            return pickle.load(f)  # written by this cache only


def _store(key: str, program, folder: str, inputs: list) -> Entry:
    import pickle
    import time
    from pathlib import Path

    from compiler.targets.python.build import metadata
    from compiler.targets.python.codegen import generate
    from compiler.plan.lower import lower

    plan = lower(program)
    source = generate(plan, metadata(program))
    code = compile(source, f"<polc {Path(program.main.path).name}>", "exec")
    meta = {"format": FORMAT, "written": time.time_ns(), "dependencies": _dependencies(program, inputs),
            "metadata": metadata(program)}
    _write(os.path.join(folder, f"{key}.module"), marshal.dumps(code))
    _write(os.path.join(folder, f"{key}.plan"), pickle.dumps(plan, protocol=pickle.HIGHEST_PROTOCOL))
    _write(os.path.join(folder, f"{key}.json"), json.dumps(meta, ensure_ascii=False).encode("utf-8"))
    return Entry(key, meta, folder)


def lookup(path: str | Path, rules: str | Path | None = None) -> Entry | None:
    """The fresh cache entry for this policy, or None."""
    key = entry_key(path, rules)
    if key is None:
        return None
    folder = cache_dir()
    try:
        with open(os.path.join(folder, f"{key}.json"), "rb") as f:
            meta = json.load(f)
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
    inputs = _inputs(path, rules)
    try:
        return _store(key, program, cache_dir(), inputs)
    except OSError:  # a read-only home: evaluate without caching
        import tempfile

        return _store(key, program, tempfile.mkdtemp(prefix="polc-cache-"), inputs)


class Loaded:
    """A policy ready to serve: the reference interpreter, the metadata, and the generated module's
    decide path (``decide``) for results without a trace."""

    def __init__(self, interpreter, metadata: dict, entry: Entry | None = None):
        self.interpreter = interpreter
        self.metadata = metadata
        self.entry = entry

    def decide(self, record, params=None, as_of=None) -> dict:
        """The cached generated module's ``decide`` (the interpreter's without an entry); the module's
        own InputError, from its copy of the runtime, is raised as the runtime's."""
        if self.entry is None:
            return self.interpreter.decide(record, params, as_of)
        module = self.entry.module()
        try:
            return module.decide(record, params, as_of)
        except module.InputError as exc:
            from compiler import runtime as rt

            raise rt.InputError(exc.problems) from None


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
    return Loaded(Interpreter.from_plan(entry.plan()), entry.metadata, entry)
