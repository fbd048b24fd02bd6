"""Help and usage errors of the polc command line in Chinese, aligned by display width.

argparse writes its own words in English ("usage:", "options", "show this help message and
exit", "the following arguments are required") and pads columns by ``len``, which counts a
Chinese character as one column where a terminal shows two. ``PolcParser`` and ``HelpFormatter``
replace both: every word polc prints is Chinese, and columns line up on a terminal.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

from compiler.escape import display_width, terminal

_ERRORS = [  # argparse's messages → the same in Chinese
    (r"the following arguments are required: (.*)", "缺少必需的参数：{0}"),
    (r"unrecognized arguments: (.*)", "无法识别的参数：{0}"),
    (r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)", "参数 {0} 的值 {1} 无效（可选：{2}）"),
    (r"argument (\S+): invalid (int|float) value: (.*)",
     lambda m: f"参数 {m[1]} 的值 {m[3]} 不是{'整数' if m[2] == 'int' else '数'}"),
    (r"argument (\S+): expected one argument", "参数 {0} 后面要写一个值"),
    (r"argument (\S+): expected at least one argument", "参数 {0} 后面至少要写一个值"),
    (r"argument (\S+): ignored explicit argument (.*)", "参数 {0} 不带值，却写了 {1}"),
    (r"ambiguous option: (\S+) could match (.*)", "选项 {0} 有歧义，可能是：{1}"),
    (r"argument (\S+): not allowed with argument (\S+)", "参数 {0} 不能与 {1} 同时使用"),
]


def chinese_error(message: str) -> str:
    for pattern, chinese in _ERRORS:
        m = re.fullmatch(pattern, message)
        if m:
            return chinese(m) if callable(chinese) else chinese.format(*m.groups())
    return message


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns: Chinese may break between any two characters, other text at spaces."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line, used = "", 0
        for token in re.findall(r"[A-Za-z0-9_\-.=/:%,()\[\]{}<>'\"`|*+]+ ?|\S ?| ", paragraph):
            w = display_width(token.rstrip())
            if used + w > width and line.strip():
                lines.append(line.rstrip())
                line, used = "", 0
                token = token.lstrip()
            line += token
            used += display_width(token)
        lines.append(line.rstrip())
    return lines


def _terminal_columns() -> int:
    """$COLUMNS, else the terminal's width, else 80: what shutil.get_terminal_size gives."""
    try:
        columns = int(os.environ.get("COLUMNS", 0))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's layout with columns measured in terminal cells and the usage prefix in Chinese.

    Descriptions and epilogs (the examples) keep their line breaks; option help is wrapped by width.
    """

    def __init__(self, prog, indent_increment=2, max_help_position=24, width=None):
        if width is None:  # as argparse measures it, without importing shutil (4 ms of every command)
            width = _terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)

    def format_help(self):
        text = super().format_help()  # section headings end with argparse's ":"; Chinese takes "："
        return re.sub(r"^( *)(选项|位置参数|命令):$", r"\1\2：", text, flags=re.M)

    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)

    def add_argument(self, action):
        if action.help is not argparse.SUPPRESS:
            invocations = [self._format_action_invocation(action)]
            invocations += [self._format_action_invocation(s) for s in self._iter_indented_subactions(action)]
            length = max(display_width(i) for i in invocations) + self._current_indent
            self._action_max_length = max(self._action_max_length, length)
            self._add_item(self._format_action, [action])

    def _split_lines(self, text, width):
        return wrap(" ".join(text.split()), width)

    def _format_action(self, action):
        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_width = max(self._width - help_position, 11)
        action_width = help_position - self._current_indent - 2
        header = self._format_action_invocation(action)
        indent = " " * self._current_indent
        parts = []
        if not action.help:
            parts.append(f"{indent}{header}\n")
        elif display_width(header) <= action_width:
            lines = self._split_lines(self._expand_help(action), help_width)
            pad = " " * (action_width - display_width(header))
            parts.append(f"{indent}{header}{pad}  {lines[0] if lines else ''}\n")
            parts += [" " * help_position + line + "\n" for line in lines[1:]]
        else:
            parts.append(f"{indent}{header}\n")
            parts += [" " * help_position + line + "\n"
                      for line in self._split_lines(self._expand_help(action), help_width)]
        for sub in self._iter_indented_subactions(action):
            parts.append(self._format_action(sub))
        return self._join_parts(parts)


class PolcParser(argparse.ArgumentParser):
    """An argument parser that speaks Chinese: section titles, -h, usage errors."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(2, terminal(f"{self.prog}：错误：{chinese_error(message)}") + f"\n（{self.prog} -h 查看帮助）\n")
