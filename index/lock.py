"""One process owns an embedded data dir: Chroma's PersistentClient is not multi-process safe.

A second process on the same directory can hang for minutes on SQLite's busy timeout or
corrupt the HNSW segment. So opening an embedded index takes an exclusive `flock` on
`DATA_DIR/inkoop.lock` (`DataDirLock`), held by the open index and given back by its
`close()`; a second process fails at once with a message that says what to do. The kernel
drops the lock when its process dies, so a crash never leaves a stale lock.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import TextIO

from index.errors import DataDirBusyError

LOCK_NAME = "inkoop.lock"


class DataDirLock:
    """The exclusive lock of one data dir, as a context manager or with acquire/release.

    A second lock on a directory this same process already holds is granted without a
    `flock` of its own (the lock file names our pid): one process may open its data dir
    twice, e.g. to empty an index it then reopens.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._handle: TextIO | None = None
        self._shared = False

    @property
    def path(self) -> Path:
        """The lock file."""
        return (self.data_dir / LOCK_NAME).resolve()

    @property
    def held(self) -> bool:
        return self._handle is not None or self._shared

    def acquire(self) -> DataDirLock:
        if self.held:
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "another process"
            handle.close()
            if owner.startswith(f"pid {os.getpid()} "):
                self._shared = True  # this process holds it already
                return self
            raise DataDirBusyError(
                f"the data dir {self.data_dir} is in use by {owner}. Only one process may use "
                "an embedded index: stop that process (e.g. the running `inkoop serve`) and try "
                "again, or run a Chroma server and set INKOOP_CHROMA_URL so several processes "
                "can share the index (see README, 'A Chroma server')."
            ) from None
        handle.seek(0)
        handle.truncate()
        command = " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))
        handle.write(f"pid {os.getpid()} ({command[:120]}), since {time.strftime('%H:%M:%S')}")
        handle.flush()
        self._handle = handle
        return self

    def release(self) -> None:
        """Give the lock back; a no-op when it is not held."""
        self._shared = False
        handle, self._handle = self._handle, None
        if handle is None:
            return
        handle.seek(0)
        handle.truncate()
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()

    def __enter__(self) -> DataDirLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
