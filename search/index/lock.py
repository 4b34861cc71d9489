"""An exclusive, advisory lock on the embedded index directory.

qdrant-edge-py 0.9.0 lets a second process `EdgeShard.load` a shard another process holds; the
load fails and the holder's next `flush` then fails too. So the first process to open the index
takes this lock (fcntl.flock, released by the OS if the process dies) and writes its pid into the
lock file; any other process gets `IndexLockedError` naming that pid *before* touching the shard.
"""

from __future__ import annotations

import fcntl
import os
import sys
from pathlib import Path
from types import TracebackType
from typing import Self

from conseil.search.errors import IndexLockedError


class IndexLock:
    def __init__(self, directory: Path) -> None:
        self.path = directory / "conseil.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            who = f"process {holder[0]} ({holder[1]})" if holder else "another process"
            raise IndexLockedError(
                f"The embedded index at {self.path.parent} is in use by {who}. Only one process may "
                "open it at a time: stop that process (or, while `conseil serve` runs, go through the "
                "server), then retry.",
                holder_pid=holder[0] if holder else None,
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n{' '.join(sys.argv)[:200]}\n".encode())
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            try:
                os.ftruncate(self._fd, 0)
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            finally:
                os.close(self._fd)
                self._fd = None

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


def _read_holder(fd: int) -> tuple[int, str] | None:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 512).decode(errors="replace").splitlines()
        return int(text[0]), (text[1] if len(text) > 1 else "")
    except (ValueError, IndexError, OSError):
        return None
