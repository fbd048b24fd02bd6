"""Loading: a policy, its 细则 and the stdlib modules they import, as one Program.

The symbol tables built here are what every later pass and every generator
reads. Names are keyed by NFKC, so full-width look-alikes collide.
"""

from __future__ import annotations

import difflib
import functools
from importlib import resources
from pathlib import Path, PurePosixPath, PureWindowsPath

import attrs

from compiler.syntax import nodes as n
from compiler.syntax.builder import build
from compiler.diagnostics import Diagnostic, Reporter, Span
from compiler.syntax.parser import later_syntax_errors, parse
from compiler.syntax.source import Source, decode, keyword_span, read_source


@attrs.define
class Symbols:
    """The program's declarations by kind, keyed by NFKC name: where every later pass looks names up."""
    fields: dict[str, n.Field] = attrs.field(factory=dict)
    params: dict[str, n.Param] = attrs.field(factory=dict)
    measures: dict[str, n.Measure] = attrs.field(factory=dict)
    levels: dict[str, n.Levels] = attrs.field(factory=dict)
    recognitions: dict[str, n.Recognition] = attrs.field(factory=dict)
    units: dict[str, n.Unit] = attrs.field(factory=dict)
    articles: dict[str, n.Article] = attrs.field(factory=dict)
    items: dict[tuple[str, str], n.Item] = attrs.field(factory=dict)
    lists: dict[str, n.ListDecl] = attrs.field(factory=dict)
    list_fields: dict[tuple[str, str], n.Field] = attrs.field(factory=dict)  # (list key, field key) → field
    unit_base: dict[str, tuple[str, object]] = attrs.field(factory=dict)  # unit → (base unit, how many of it)
    externals: dict[str, n.External] = attrs.field(factory=dict)

    def value_decl(self, key: str):
        """The field, parameter or measure a name denotes, or None."""
        return self.fields.get(key) or self.params.get(key) or self.measures.get(key)

    def level_rank(self, levels_name: str, member: str) -> int | None:
        """Rank of a member in an ordered level type; higher is more senior."""
        levels = self.levels.get(n.name_key(levels_name))
        if levels is None:
            return None
        keys = [m.key for m in levels.members]
        key = n.name_key(member)
        return len(keys) - keys.index(key) if key in keys else None

    def level_members(self) -> dict[str, str]:
        """Each level member's key → the name of the 等级 it belongs to."""
        return {m.key: lv.name for lv in self.levels.values() for m in lv.members}

    def suggest(self, key: str, pool) -> str | None:
        """The key in ``pool`` closest to ``key``, for a did-you-mean hint; None if none is close."""
        match = difflib.get_close_matches(key, list(pool), n=1, cutoff=0.5)
        return match[0] if match else None


@attrs.define
class Program:
    """A policy (or module, or 细则 with its policy) with everything it imports."""

    main: n.Document  # the file checked
    policy: n.Document  # the policy: ``main`` itself, or the one a 细则 extends
    rules: n.Document | None
    modules: list[n.Document]
    symbols: Symbols
    sources: dict[str, Source]
    source_text: str | None = None  # the declared official text
    operative_start: int = 0  # where its operative part starts

    def documents(self) -> list[n.Document]:
        """The loaded files, dependencies first: imported modules, the policy, then its 细则."""
        docs = [*self.modules, self.policy]
        if self.rules is not None:
            docs.append(self.rules)
        return docs

    def items(self):
        """Every item the resolver collected from the loaded files."""
        return self.symbols.items.values()


@functools.lru_cache(maxsize=1)
def stdlib_modules() -> dict[str, Path]:
    """The stdlib's modules by name. 引用 looks a name up here; it never joins a name into a path."""
    folder = Path(str(resources.files("compiler.stdlib")))
    real = folder.resolve()
    return {p.stem: p for p in sorted(folder.glob("*.pol"))
            if p.is_file() and p.resolve().is_relative_to(real)}


def local_file(folder: Path, name: str) -> tuple[Path | None, str | None]:
    """A file a policy names (原文文件, 扩展): its real path inside the policy's folder, or why not.

    The name is relative to the folder of the .pol file and must stay inside it: no absolute
    path, no ``..``, no symbolic link that leads out of it. The reason is Chinese, for E207.
    """
    if not name.strip():
        return None, "文件名为空"
    if "\x00" in name:
        return None, "文件名中有空字符"
    parts = name.replace("\\", "/").split("/")
    if PurePosixPath(name).is_absolute() or PureWindowsPath(name).is_absolute() or PureWindowsPath(name).drive:
        return None, "不能写绝对路径"
    if ".." in parts:
        return None, "不能用“..”指向上级目录"
    base = folder.resolve()
    try:
        real = (folder / name).resolve()
    except (OSError, RuntimeError):  # a symbolic link loop
        return None, "路径中有循环的符号链接"
    if not real.is_relative_to(base):
        return None, "经由符号链接指向了政策所在目录之外"
    return real, None


def parse_document(source: Source, reporter: Reporter) -> n.Document | None:
    """Parse and build one source; syntax errors (the first and those after it) are reported and give None."""
    tree = parse(source)
    if isinstance(tree, Diagnostic):
        reporter.diagnostics.append(tree)
        reporter.diagnostics.extend(later_syntax_errors(source, tree))
        return None
    return build(tree, source.path, reporter)


def load_file(path: str | Path, reporter: Reporter, sources: dict[str, Source]) -> n.Document | None:
    """Read, parse and build one file, keeping its Source in ``sources`` so diagnostics can show its lines."""
    source = read_source(path)
    if isinstance(source, Diagnostic):
        reporter.diagnostics.append(source)
        return None
    sources[source.path] = source
    return parse_document(source, reporter)


def load_text(text: str, path: str, reporter: Reporter, sources: dict[str, Source]) -> n.Document | None:
    """As load_file, for text held in memory (an editor buffer) under the given path."""
    source = decode(path, text.encode("utf-8"), max_bytes=len(text.encode("utf-8")) + 1)
    if isinstance(source, Diagnostic):
        reporter.diagnostics.append(source)
        return None
    sources[source.path] = source
    return parse_document(source, reporter)


def load_imports(doc: n.Document, reporter: Reporter, sources: dict[str, Source],
                 loaded: dict[str, n.Document | None]) -> list[n.Document]:
    """Stdlib modules ``doc`` imports, depth first, each once, dependencies first."""
    order: list[n.Document] = []
    modules = stdlib_modules()
    available = sorted(modules)
    for ref in doc.imports:
        key = ref.key
        if key in loaded:
            continue
        path = modules.get(key)
        if path is None:
            near = difflib.get_close_matches(key, available, n=1)
            reporter.error("E200", f"找不到要引用的模块「{ref.name}」", ref.span,
                           f"最接近的是「{near[0]}」" if near else f"可引用的模块：{'、'.join(available)}")
            loaded[key] = None
            continue
        loaded[key] = None  # mark first: an import cycle ends here
        module = load_file(path, reporter, sources)
        if module is None:
            continue
        if module.kind != "模块":
            reporter.error("E201", f"「{ref.name}」不是模块", ref.span)
        loaded[key] = module
        order.extend(load_imports(module, reporter, sources, loaded))
        order.append(module)
    return order


def load_program(path: str | Path, reporter: Reporter, rules: str | Path | None = None,
                 text: str | None = None) -> Program | None:
    """Load a file (and a 细则 for it) with every module they import."""
    sources: dict[str, Source] = {}
    main = load_text(text, str(path), reporter, sources) if text is not None else load_file(path, reporter, sources)
    if main is None:
        return None
    policy, rules_doc = main, None
    if main.kind == "细则":
        rules_doc = main
        policy = _load_parent(main, Path(path), reporter, sources)
        if policy is None:
            return None
    elif rules is not None:
        rules_doc = load_file(rules, reporter, sources)
        if rules_doc is None:
            return None
        if rules_doc.kind != "细则":
            reporter.error("E202", f"「{rules}」不是细则文件", rules_doc.span, "细则文件以“细则「名称」”开头")
            return None
    loaded: dict[str, n.Document | None] = {}
    modules = []
    for doc in (policy, rules_doc):
        if doc is not None:
            modules.extend(load_imports(doc, reporter, sources, loaded))
    program = Program(main, policy, rules_doc, modules, Symbols(), sources)
    _load_source_text(program, Path(path) if main is policy else Path(policy.path), reporter)
    return program


def _load_parent(rules: n.Document, path: Path, reporter: Reporter, sources) -> n.Document | None:
    if rules.extends is None:
        reporter.error("E203", "细则没有写明扩展哪份政策", rules.span, "写上：扩展「某政策.pol」")
        return None
    where = _statement_span(sources, rules, "扩展")
    parent_path, outside = local_file(path.parent, rules.extends)
    if outside:
        reporter.error("E207", f"细则扩展的政策文件「{rules.extends}」不在细则所在的目录中：{outside}", where,
                       f"把政策文件放在 {path.parent} 中（或其子目录中），写相对于该目录的文件名，如 扩展「某政策.pol」")
        return None
    parent_path = path.parent / rules.extends  # as written, for positions; local_file checked where it leads
    if not parent_path.exists():
        reporter.error("E203", f"找不到细则扩展的政策文件「{rules.extends}」", where,
                       f"文件路径相对于细则所在目录 {path.parent}")
        return None
    parent = load_file(parent_path, reporter, sources)
    if parent is not None and parent.kind != "政策":
        reporter.error("E203", f"「{rules.extends}」不是政策文件", rules.span)
        return None
    return parent


def _statement_span(sources: dict[str, Source], doc: n.Document, keyword: str) -> Span:
    """The position of a file header statement (原文文件, 扩展) for its diagnostics; the file's start if unknown."""
    source = sources.get(doc.path)
    return (keyword_span(source, keyword) if source is not None else None) or doc.span


def _load_source_text(program: Program, policy_path: Path, reporter: Reporter) -> None:
    policy = program.policy
    if policy.kind != "政策":
        return
    if policy.source_file is None:
        reporter.error("E204", "政策没有声明原文文件", policy.span,
                       "写上：原文文件「政策原文.txt」（与 .pol 文件放在同一目录）")
        return
    name, start = policy.source_file
    where = _statement_span(program.sources, policy, "原文文件")
    path, outside = local_file(policy_path.parent, name)
    if outside:
        reporter.error("E207", f"原文文件「{name}」不在政策所在的目录中：{outside}", where,
                       f"把原文文件放在 {policy_path.parent} 中（或其子目录中），写相对于该目录的文件名，"
                       f"如 原文文件「{Path(policy_path).stem}.txt」")
        return
    source = read_source(path)
    if isinstance(source, Diagnostic):
        reporter.error("E205", f"无法读取原文文件「{name}」：{source.message}", where,
                       f"原文文件应放在 {policy_path.parent}")
        return
    program.source_text = source.text
    if start:
        index = source.text.find(start)
        if index < 0:
            reporter.error("E206", f"原文中找不到起始句「{start}」", where)
        else:
            program.operative_start = index
