"""`inkoop` in a child process that SIGKILLs itself right after its nth write to Chroma: a
crash at a chosen point of an ingest, the same point on every machine (no timer racing the
child). Every write is one Chroma collection call (add, upsert, update, delete); the child
names the one it was killed after on stderr.

    python tests/helpers_crash.py N ingest DOCS --data-dir DATA ...
"""

from __future__ import annotations

import functools
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

WRITES = ("add", "upsert", "update", "delete")
KILLED = "killed after write"  # how the child's last line on stderr starts


def kill_after(n: int) -> None:
    """Make Chroma's nth collection write in this process, once it returned, the last thing
    this process does."""
    from chromadb.api.models.Collection import Collection

    done = 0

    def counted(write: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(write)
        def run(self: Any, *args: Any, **kwargs: Any) -> Any:
            nonlocal done
            result = write(self, *args, **kwargs)
            done += 1
            if done == n:
                sys.stderr.write(f"{KILLED} {done}: {self.name}.{write.__name__}\n")
                sys.stderr.flush()
                os.kill(os.getpid(), signal.SIGKILL)
            return result

        return run

    for name in WRITES:
        setattr(Collection, name, counted(getattr(Collection, name)))


if __name__ == "__main__":
    kill_after(int(sys.argv[1]))
    from assistant.ui.cli import main

    raise SystemExit(main(sys.argv[2:]))
