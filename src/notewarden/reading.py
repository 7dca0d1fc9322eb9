"""Reading files notewarden does not trust: only regular files, never more than a limit.

Everything notewarden reads from a vault (notes, config, schemas) comes through here, so
that a FIFO, a socket or a device, named directly or through a symlink, can never make it
block or read without end.
"""

from __future__ import annotations

import os
import stat as stat_module
from pathlib import Path

MAX_NOTE_BYTES = 32 * 1024 * 1024  # a note larger than this is reported, not read


class NotRegularFile(OSError):
    """A path that names a FIFO, socket or device, directly or through a symlink: such a
    file is never read, since reading it could block for ever or never end."""


_KINDS = ((stat_module.S_ISFIFO, "a FIFO"), (stat_module.S_ISSOCK, "a socket"),
          (stat_module.S_ISCHR, "a character device"), (stat_module.S_ISBLK, "a block device"),
          (stat_module.S_ISDIR, "a folder"))
# Opened without blocking (a FIFO with no writer, a terminal) and without becoming the
# process's controlling terminal; the kind of file is checked on the open descriptor, so a
# symlink swapped in after a check elsewhere cannot slip past.
# O_BINARY: on Windows, without it, os.open reads in text mode and turns CRLF into LF.
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
               | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0))


def kind_of(mode: int) -> str:
    """A file mode's kind in words, for messages ("a FIFO", "a socket", ...)."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_regular_file(path: str | Path, limit: int, expected_size: int = 0) -> bytes:
    """The bytes of a regular file, at most `limit` + 1 of them (so a caller can tell a
    file over its limit). Raises NotRegularFile for anything else, and OSError as open()
    would. `expected_size` (from the walk) lets a small file be read in one call.

    Read with bare file-descriptor calls, half the cost of open() and its file object, for
    every note; and until end of file, as FileIO.readall does, so a file that grew since
    the walk (or a file system that reads short) is still read whole."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        mode = os.fstat(fd).st_mode
        if not stat_module.S_ISREG(mode):
            raise NotRegularFile(f"not a regular file ({kind_of(mode)})")
        data = os.read(fd, min(max(expected_size, 0), limit) + 1)
        parts, total = [data], len(data)
        while total <= limit:
            data = os.read(fd, 1 << 16)
            if not data:
                break
            parts.append(data)
            total += len(data)
        return parts[0] if len(parts) == 1 else b"".join(parts)
    finally:
        os.close(fd)
