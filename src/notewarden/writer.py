"""Writing fixed notes without ever losing an editor's save.

A fix is written to a temp file in the note's folder (named `.NAME.XXXXXXXX.notewarden-tmp`,
so `watch` knows its own), given the note's owner, group, mode and (on Linux) extended
attributes, fsynced, and only then made the note. Every problem with one note (it changed, it is
read-only, its folder refuses the temp file, the disk is full...) is a WriteSkipped that
names that note, so the other notes are still written and reported; no temp file is left
behind (one exception, below: a save that could not be put back is kept in the temp file,
and the message says where). Notes that cannot be rewritten without changing something
besides their bytes are reported, not written: a read-only note, one with more than one
hard link (a rewrite gives the name a new file and would leave the other links with the old
bytes), one whose owner or group this process cannot give to a new file, one whose extended
attributes cannot be copied.

How the fixed file becomes the note, and what is guaranteed ("the snapshot" is the note's
bytes, size and mtime when notewarden read it; "a save" is another program, such as an
editor, writing the note in any of the ways listed under "Saves covered"):

Linux, where the file system can exchange two names (ext4, btrfs, xfs, tmpfs, f2fs, ...):
  1. The note is opened read-only and a read lease is taken on it (fcntl F_SETLEASE). The
     kernel grants a read lease only while no process has the file open for writing, and
     from then on any open of it for writing (or truncate) breaks the lease. If someone
     has it open for writing, the note is reported ("open for writing by another program")
     and not written.
  2. `renameat2(RENAME_EXCHANGE)` swaps the fixed file and the note atomically: the name
     now holds the fix and the temp name holds exactly what was the note a moment ago.
  3. What was swapped out is checked: it must be the very file opened in step 1 (not a
     file an editor renamed onto the note), with the snapshot's bytes, size and mtime, and
     the lease must still be whole, which proves that nobody opened it for writing since
     step 1 ("afterwards" has to mean "once nobody can write into the old file any more":
     comparing bytes alone cannot know about a writer that opened the file before the swap
     and writes after the comparison; the lease knows).
  4. If all holds, the old file is unlinked. Otherwise it is swapped back, so the save
     wins, the fix waits for the next run, and the note is reported ("changed while being
     fixed (an editor saving?); not written"). A program that opened the note for writing
     during steps 1-3 is held in its open() by the kernel until step 4 is done (a fraction
     of a millisecond), then writes into the restored note. If yet another save was renamed
     onto the note between the two swaps, the newest save is the one left at the name, as
     it would be without notewarden.
  Saves covered: in place (open, truncate or append, write, close: Node's fs.writeFile,
  VS Code's default), by rename (the editor's own temp file renamed onto the note: VS
  Code's atomic save, most "atomic write" libraries), and by moving the note aside and
  writing a new one (vim's default, backupcopy=auto): every such save that lands at any
  moment around a fix is still there afterwards, whichever editor (Obsidian included)
  makes it. What remains:
  - an in-place save whose open() had looked the name up before the swap but takes write
    access on the file (a few instructions further into the same call) only after step 3,
    some tens of microseconds later: the editor's thread must be descheduled inside open()
    for that whole time. Its bytes go into the old file, which is gone.
  - programs on other machines writing through a network file system: leases and names
    are local to this kernel.
  - where no lease can be taken (leases turned off by fs.leases-enable, a file system that
    has none, a process without CAP_LEASE rewriting another user's note, or a program that
    handles SIGURG, the signal the lease is set up to raise, which is otherwise ignored),
    step 3 cannot see writers: an in-place save whose open() came before the swap and whose
    write() comes after step 3 is lost.
  - an open() for writing with O_NONBLOCK during steps 1-4 fails with EWOULDBLOCK instead
    of waiting; the editor then reports that its save failed (nothing is lost silently).

Elsewhere (macOS, Windows, BSDs; a Linux file system or kernel without RENAME_EXCHANGE,
which returns EINVAL or ENOSYS): the note is compared with the snapshot (same file, same
bytes, size and mtime), and at once replaced with `os.replace`. A save that lands in the
microseconds between that comparison and the replace is lost, and so is an in-place save
whose write() comes after the replace although its open() came before. On Linux the
lease still refuses notes open for writing at the comparison. On Windows a note another
program holds open is not replaced (the OS refuses; it is reported).

Everywhere: a crash leaves either the old note or the fixed one under the name, never a mix;
a crash during a write may leave a `.notewarden-tmp` file in the note's folder (the fix, or
just after the swap the old note), which `watch` ignores. The new file (data and metadata)
is fsynced before it becomes visible, the folder is not, so after a power cut the old note
may be back. Inode flags (chattr's +A, +c, +d and so on), birth time and atime belong to
the old file and are not carried over; a note marked immutable or append-only is reported,
not written. A symlink is written through only when its target is inside the vault.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import os
import platform
import secrets
import signal
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from notewarden.reading import MAX_NOTE_BYTES, read_regular_file

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

TEMP_SUFFIX = ".notewarden-tmp"  # watch ignores files ending so
_OPEN_OLD = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
             | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
             | getattr(os, "O_BINARY", 0))
_OPEN_TEMP = (os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
              | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
_MAX_PUT_BACKS = 8  # each one needs another program's rename to land in microseconds


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a file looked like when it was read."""

    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of(cls, path: Path, data: bytes) -> Snapshot:
        info = path.stat()
        return cls(info.st_size, info.st_mtime_ns, hashlib.sha256(data).hexdigest())


class WriteSkipped(Exception):
    """The file was not written; the message names it and says why."""


def read_with_snapshot(path: Path) -> tuple[bytes, Snapshot]:
    """A note's bytes and its snapshot, for a later write_atomic. Raises OSError for a file
    that is not regular (a FIFO never blocks), is unreadable, or is over MAX_NOTE_BYTES."""
    data = read_regular_file(path, MAX_NOTE_BYTES)
    if len(data) > MAX_NOTE_BYTES:
        raise OSError(errno.EFBIG, f"over the {MAX_NOTE_BYTES // 2**20} MB limit", str(path))
    return data, Snapshot.of(path, data)


def write_atomic(path: Path, data: bytes, expected: Snapshot,
                 vault_root: Path) -> os.stat_result:
    """Make `data` the bytes of `path` if the note still matches `expected`, keeping any
    save another program makes meanwhile (see the module docstring for what is guaranteed
    where). Returns the status of the file written (its size and mtime identify it even if
    an editor replaces it a moment later). Raises WriteSkipped, naming `path`, for every
    reason not to write."""
    try:
        target = path.resolve()
        root = vault_root.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop (RuntimeError before 3.13)
        raise WriteSkipped(f"{path}: cannot resolve: {exc}; not written") from None
    if not target.is_relative_to(root):
        raise WriteSkipped(f"{path} is a symlink to {target}, outside the vault; not written")
    rewrite = _Rewrite(path, target, data, expected)
    try:
        return rewrite.run()
    except WriteSkipped:
        raise
    except (OSError, ValueError) as exc:  # ENOSPC, EROFS, EPERM, a vanished folder...
        reason = getattr(exc, "strerror", None) or str(exc)
        raise WriteSkipped(f"{path}: cannot {rewrite.step}: {reason}; not written") from None


# --- one rewrite ------------------------------------------------------------------------

FileId = tuple[int, int]  # (st_dev, st_ino)


def _identity(info: os.stat_result) -> FileId:
    return info.st_dev, info.st_ino


class _Rewrite:
    """The steps of writing one note; run() closes every descriptor it opens."""

    def __init__(self, path: Path, target: Path, data: bytes, expected: Snapshot) -> None:
        self.shown = path  # the name the user gave, for messages
        self.note = str(target)
        self.folder = target.parent
        self.data = data
        self.expected = expected
        self.old_fd = -1
        self.new_fd = -1
        self.temp = ""
        self.new_id: FileId | None = None
        self.step = "open it"  # for messages: what failed

    def skip(self, reason: str) -> WriteSkipped:
        return WriteSkipped(f"{self.shown}: {reason}; not written")

    def run(self) -> os.stat_result:
        lease: _ReadLease | None = None
        try:
            self.old_fd = os.open(self.note, _OPEN_OLD)
            old = os.fstat(self.old_fd)
            self.refuse_unsafe(old)
            lease = _ReadLease.take(self.old_fd, self)
            if not self.unchanged():
                raise self.skip("changed since it was read (an editor saving?)")
            self.step = "create a temp file in its folder"
            self.new_fd = self.create_temp()
            self.new_id = _identity(os.fstat(self.new_fd))
            self.step = "write the temp file"
            self.fill(old)
            written = os.fstat(self.new_fd)
            self.close_new()  # Windows renames no open file; nothing else needs it
            self.step = "replace it"
            self.make_visible(_identity(old), lease)
            return written
        finally:
            self.close_new()
            self.remove_own_temp()
            if lease is not None:
                lease.release()
            self.close_old()

    def close_new(self) -> None:
        if self.new_fd >= 0:
            os.close(self.new_fd)
            self.new_fd = -1

    def close_old(self) -> None:
        if self.old_fd >= 0:
            os.close(self.old_fd)
            self.old_fd = -1

    # --- before writing ---

    def refuse_unsafe(self, old: os.stat_result) -> None:
        if not stat.S_ISREG(old.st_mode):
            raise self.skip("not a regular file")
        if old.st_nlink > 1:
            raise self.skip(f"has {old.st_nlink} hard links; rewriting would break them")
        if not old.st_mode & stat.S_IWUSR or not _writable(self.note):
            raise self.skip("read-only")

    def unchanged(self) -> bool:
        """Whether the open old file still has the snapshot's size, mtime and bytes."""
        try:
            info = os.fstat(self.old_fd)
            if (info.st_size, info.st_mtime_ns) != (self.expected.size,
                                                    self.expected.mtime_ns):
                return False
            return hashlib.sha256(_read_all(self.old_fd)).hexdigest() == self.expected.sha256
        except OSError:
            return False  # unreadable now: not known to be unchanged

    def create_temp(self) -> int:
        base = os.path.basename(self.note)[:100]  # room for the rest within NAME_MAX
        for _attempt in range(20):
            name = f".{base}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
            try:
                fd = os.open(self.folder / name, _OPEN_TEMP, 0o600)
            except FileExistsError:
                continue
            self.temp = str(self.folder / name)
            return fd
        raise FileExistsError(errno.EEXIST, "no free temp file name in the note's folder")

    def fill(self, old: os.stat_result) -> None:
        """The fixed bytes with the old file's owner, group, xattrs and mode, all made
        durable before the file gets the note's name."""
        view = memoryview(self.data)
        while view:
            view = view[os.write(self.new_fd, view):]
        self.keep_owner(old)
        self.keep_xattrs()
        if hasattr(os, "fchmod"):
            os.fchmod(self.new_fd, stat.S_IMODE(old.st_mode))
        else:  # Windows before Python 3.13
            os.chmod(self.temp, stat.S_IMODE(old.st_mode))
        os.fsync(self.new_fd)

    def keep_owner(self, old: os.stat_result) -> None:
        if not hasattr(os, "fchown"):
            return  # Windows: files have no POSIX owner
        new = os.fstat(self.new_fd)
        uid = old.st_uid if old.st_uid != new.st_uid else -1
        gid = old.st_gid if old.st_gid != new.st_gid else -1
        if uid == -1 and gid == -1:
            return
        try:
            os.fchown(self.new_fd, uid, gid)
        except PermissionError:
            raise self.skip(f"owned by {old.st_uid}:{old.st_gid}, which a rewrite by this "
                            "user cannot keep") from None

    def keep_xattrs(self) -> None:
        if not hasattr(os, "listxattr"):
            return  # only Linux has them in the os module
        try:
            names = os.listxattr(self.old_fd)
        except OSError as exc:
            if exc.errno in (errno.ENOTSUP, errno.EOPNOTSUPP):
                return
            raise
        for name in names:
            value = os.getxattr(self.old_fd, name)
            try:
                if os.getxattr(self.new_fd, name) == value:
                    continue  # a security label the new file was given already
            except OSError:
                pass
            try:
                os.setxattr(self.new_fd, name, value)
            except OSError as exc:
                raise self.skip(f"cannot keep its extended attribute {name}: "
                                f"{exc.strerror}") from None

    # --- making the fix the note ---

    def make_visible(self, old_id: FileId, lease: _ReadLease | None) -> None:
        if _renameat2 is not None:
            try:
                self.exchange()
            except OSError as exc:
                if exc.errno not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP,
                                     errno.EOPNOTSUPP):
                    raise  # ENOENT: the note is gone; EPERM: immutable; ...
            else:
                self.check_swapped_out(old_id, lease)
                return
        self.replace_if_unchanged(old_id, lease)

    def exchange(self) -> None:
        """Swap the temp name and the note's name."""
        assert _renameat2 is not None
        exchange_with(_renameat2, self.temp, self.note)

    def check_swapped_out(self, old_id: FileId, lease: _ReadLease | None) -> None:
        """After the exchange: keep the fix only if what left the name is the old file,
        unchanged, and nobody opened it for writing since it was leased; else the save
        wins. The lease is checked last: until then a writer's open() waits."""
        out = _identity(os.lstat(self.temp))
        if out == old_id and self.unchanged() and (lease is None or lease.intact()):
            os.unlink(self.temp)
            return
        self.put_back(out)
        raise self.skip("changed while being fixed (an editor saving?)")

    def put_back(self, outsider: FileId) -> None:
        """Return `outsider` (now at the temp name) to the note's name. The name holds what
        we put there last (`placed`) unless another save was renamed onto it meanwhile; that
        newer save is then the one that must stay, as it would without notewarden."""
        assert self.new_id is not None
        placed = self.new_id
        try:
            for _attempt in range(_MAX_PUT_BACKS):
                try:
                    self.exchange()
                except FileNotFoundError:
                    # The name is free (the editor moved the note aside or deleted it): give
                    # it back the save, unless a new file takes the name first.
                    try:
                        os.link(self.temp, self.note, follow_symlinks=False)
                    except FileExistsError:
                        continue
                    os.unlink(self.temp)
                    return
                came = _identity(os.lstat(self.temp))
                if came == placed:
                    os.unlink(self.temp)  # our fix, or a save superseded by a newer one
                    return
                placed, outsider = outsider, came
            reason = "it kept changing"
        except OSError as exc:
            reason = exc.strerror or str(exc)
        raise self.skip(f"changed while being fixed, and the save could not be put back "
                        f"({reason}): it is kept in {self.temp}")

    def replace_if_unchanged(self, old_id: FileId, lease: _ReadLease | None) -> None:
        """Without an exchange: the last check, and at once the replace."""
        if (_identity(os.lstat(self.note)) != old_id or not self.unchanged()
                or (lease is not None and not lease.intact())):
            raise self.skip("changed since it was read (an editor saving?)")
        if os.name == "nt":
            self.close_old()  # Windows renames nothing over an open file
        os.replace(self.temp, self.note)

    def remove_own_temp(self) -> None:
        """Unlink the temp name if it still holds our own file (never anyone's save)."""
        if not self.temp:
            return
        with contextlib.suppress(FileNotFoundError):
            if _identity(os.lstat(self.temp)) == self.new_id:
                os.unlink(self.temp)


def _writable(path: str) -> bool:
    """Whether this process may open `path` for writing (with its effective ids, where
    the OS can tell: a setuid or capability-dropped process)."""
    if os.access in os.supports_effective_ids:
        return os.access(path, os.W_OK, effective_ids=True)
    return os.access(path, os.W_OK)


def _read_all(fd: int) -> bytes:
    """The whole file behind `fd`, from its start, up to MAX_NOTE_BYTES + 1 bytes."""
    os.lseek(fd, 0, os.SEEK_SET)
    parts: list[bytes] = []
    total = 0
    while total <= MAX_NOTE_BYTES:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)


# --- read leases (Linux) ------------------------------------------------------------------


class _ReadLease:
    """A read lease on the old note: proof that nobody has it open for writing.

    The kernel signals a lease holder when its lease is broken; SIGIO by default, which
    would end the process, so the lease is set up to raise SIGURG instead, whose default
    action is to do nothing. Nothing waits for the signal: intact() asks the kernel."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    @classmethod
    def take(cls, fd: int, rewrite: _Rewrite) -> _ReadLease | None:
        """A lease on `fd`, or None where leases are unavailable. Raises WriteSkipped when
        another program has the note open for writing."""
        if fcntl is None or not hasattr(fcntl, "F_SETLEASE"):
            return None
        if signal.getsignal(signal.SIGURG) not in (signal.SIG_DFL, signal.SIG_IGN):
            return None  # the program wants SIGURG for something else
        try:
            fcntl.fcntl(fd, fcntl.F_SETSIG, signal.SIGURG)
            fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
        except OSError as exc:
            if exc.errno == errno.EAGAIN:
                raise rewrite.skip("open for writing by another program (an editor "
                                   "saving?)") from None
            return None  # EACCES (no CAP_LEASE), EINVAL or ENOLCK (no leases there)
        return cls(fd)

    def intact(self) -> bool:
        """Nobody opened the file for writing since the lease was taken, and nobody has it
        open for writing now (taking the lease again would fail)."""
        assert fcntl is not None
        try:
            if fcntl.fcntl(self.fd, fcntl.F_GETLEASE) != fcntl.F_RDLCK:
                return False  # broken: someone's open() for writing waits on it
            fcntl.fcntl(self.fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
        except OSError:
            return False
        return True

    def release(self) -> None:
        assert fcntl is not None
        with contextlib.suppress(OSError):  # closing the descriptor releases it too
            fcntl.fcntl(self.fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)


# --- renameat2(RENAME_EXCHANGE) (Linux) ---------------------------------------------------

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
# renameat2's number, for a libc without the wrapper (glibc before 2.28, older musl).
_SYSCALL_RENAMEAT2 = {"x86_64": 316, "amd64": 316, "i386": 353, "i686": 353,
                      "aarch64": 276, "arm64": 276, "riscv64": 276, "loongarch64": 276,
                      "armv7l": 382, "armv6l": 382, "ppc64le": 357, "ppc64": 357,
                      "s390x": 347}

Renameat2 = Callable[[int, bytes, int, bytes, int], int]


def libc_renameat2() -> Renameat2 | None:
    """libc's renameat2 wrapper, or None if libc has none."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]
    function.restype = ctypes.c_int
    return function  # type: ignore[no-any-return]


def syscall_renameat2() -> Renameat2 | None:
    """renameat2 through syscall(2), or None on a machine whose number we don't know."""
    number = _SYSCALL_RENAMEAT2.get(platform.machine().lower())
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        syscall = libc.syscall
    except (OSError, AttributeError):
        return None
    if number is None:
        return None
    syscall.restype = ctypes.c_long

    def renameat2(olddirfd: int, old: bytes, newdirfd: int, new: bytes, flags: int) -> int:
        return int(syscall(ctypes.c_long(number), ctypes.c_int(olddirfd), ctypes.c_char_p(old),
                           ctypes.c_int(newdirfd), ctypes.c_char_p(new), ctypes.c_uint(flags)))

    return renameat2


def exchange_with(renameat2: Renameat2, a: str, b: str) -> None:
    """Swap the names `a` and `b` atomically with `renameat2`; raises OSError."""
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), a, None, b)


_renameat2 = (libc_renameat2() or syscall_renameat2()) if sys.platform == "linux" else None


def exchange_available() -> bool:
    """Whether this OS offers an atomic exchange of two names (file systems may still
    refuse it, and then the writer falls back to a checked replace)."""
    return _renameat2 is not None
