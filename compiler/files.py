"""Files in and out: reads that cannot hang or grow without bound, writes that stay where they are told.

A path named by a policy is checked where it is resolved (``program.local_file``); here are the
two things every read and write of polc does whatever the path: read only regular files, and
never more than the limit plus one byte; write only inside the folder given, replacing (never
following) a symbolic link that stands where the file goes.
"""

from __future__ import annotations

import errno
import os
import stat

TYPE_CHECKING = False  # pathlib costs a warm eval 5 ms; only write_inside needs it
if TYPE_CHECKING:
    from pathlib import Path


class ReadRefused(Exception):
    """A file polc will not read: not a regular file, or larger than the limit. The message is Chinese."""

    def __init__(self, message: str, too_large: bool = False):
        super().__init__(message)
        self.too_large = too_large


def read_bounded(path: str | Path, max_bytes: int) -> bytes:
    """The bytes of a regular file, reading at most ``max_bytes + 1`` of them.

    A device, FIFO or socket is refused before a byte is read (opened without blocking, then
    checked with fstat, so the check is about the file actually opened); a file larger than the
    limit raises ReadRefused after the limit plus one byte, however large it is or claims to be.
    """
    _refuse_special(path, os.stat(path).st_mode)  # before opening: opening some devices does something
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        _refuse_special(path, os.fstat(fd).st_mode)  # and what was opened, should the path have changed
        chunks, size = [], 0
        while size <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > max_bytes:
        raise ReadRefused(f"文件过大：超过上限 {max_bytes:,} 字节", too_large=True)
    return b"".join(chunks)


def _refuse_special(path, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "是目录", str(path))
    if not stat.S_ISREG(mode):
        raise ReadRefused(f"「{path}」不是普通文件（{_kind(mode)}），polc 只读取普通文件")


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "命名管道"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件"
    if stat.S_ISSOCK(mode):
        return "套接字"
    return "特殊文件"


def write_inside(directory: str | Path, name: str, text: str) -> Path:
    """Write ``text`` to the file ``name`` directly inside ``directory`` (made if missing).

    ``name`` is a bare file name. The text goes to a new temporary file in the same folder
    (created exclusively, not through a link) that then replaces the target: a symbolic link
    named like the target is replaced, not written through, so nothing lands outside.
    """
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\x00" in name:
        raise ValueError(f"「{name}」不是单纯的文件名")
    from pathlib import Path

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    temporary = directory / f".{name}.{os.urandom(6).hex()}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(temporary, flags, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8"))
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


# errno → what it means for the person at the terminal
_OS_ERRORS = {
    errno.EACCES: "没有权限", errno.EPERM: "没有权限", errno.EISDIR: "同名的目录已存在",
    errno.ENOTDIR: "路径中的某一段是文件而不是目录", errno.ENOSPC: "磁盘空间已满", errno.EROFS: "文件系统只读",
    errno.ENOENT: "找不到文件或目录", errno.EEXIST: "文件已存在", errno.ENAMETOOLONG: "文件名过长",
    errno.ELOOP: "符号链接过多或成环",
}


def os_error_text(exc: OSError) -> str:
    """A Chinese reason for an OSError (the system's own text only when there is no translation)."""
    return _OS_ERRORS.get(exc.errno) or exc.strerror or type(exc).__name__
