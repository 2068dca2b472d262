"""One process owns an embedded data dir: Chroma's PersistentClient is not multi-process safe.

A second process on the same directory can hang for minutes on SQLite's busy timeout or
corrupt the HNSW segment. So opening an embedded index takes an exclusive `flock` on
`DATA_DIR/inkoop.lock`; a second process fails at once with a message that says what to do.
The kernel drops the lock when its process dies, so a crash never leaves a stale lock.
"""

from __future__ import annotations

import fcntl
import os
import sys
import threading
import time
from pathlib import Path
from typing import TextIO

from index.store import IndexError_

LOCK_NAME = "inkoop.lock"


class DataDirBusyError(IndexError_):
    """Another process is using the embedded data dir."""


_held: dict[Path, tuple[TextIO, int]] = {}  # per process: path -> (open file, users)
_guard = threading.Lock()


def acquire(data_dir: Path) -> Path:
    """Take (or share, within this process) the lock of a data dir; returns the lock path."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = (data_dir / LOCK_NAME).resolve()
    with _guard:
        if path in _held:
            handle, users = _held[path]
            _held[path] = (handle, users + 1)
            return path
        handle = path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "another process"
            handle.close()
            raise DataDirBusyError(
                f"the data dir {data_dir} is in use by {owner}. Only one process may use an "
                "embedded index: stop that process (e.g. the running `inkoop serve`) and try "
                "again, or run a Chroma server and set INKOOP_CHROMA_URL so several processes "
                "can share the index (see README, 'A Chroma server')."
            ) from None
        handle.seek(0)
        handle.truncate()
        command = " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))
        handle.write(f"pid {os.getpid()} ({command[:120]}), since {time.strftime('%H:%M:%S')}")
        handle.flush()
        _held[path] = (handle, 1)
        return path


def release(path: Path) -> None:
    """Give back one use of a lock taken with `acquire`; the last use unlocks it."""
    with _guard:
        if path not in _held:
            return
        handle, users = _held[path]
        if users > 1:
            _held[path] = (handle, users - 1)
            return
        del _held[path]
        handle.seek(0)
        handle.truncate()
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()
