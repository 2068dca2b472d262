"""The change log of the documents: DATA_DIR/documenten-log.jsonl, one JSON line per change."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

LOG_NAME = "documenten-log.jsonl"  # DATA_DIR/documenten-log.jsonl: every change


class ChangeLog:
    """Every change to the documents, one JSON line each: at, who, action, document, detail."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def write(self, who: str, action: str, document: str, **detail: Any) -> None:
        entry = {
            "at": datetime.now().astimezone().isoformat(timespec="seconds"),
            "who": who or "onbekend",
            "action": action,
            "document": document,
            **{k: v for k, v in detail.items() if v not in (None, "", [], {})},
        }
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line)

    def entries(self, limit: int = 200) -> list[dict[str, Any]]:
        """The newest `limit` entries, newest first."""
        if not self.path.is_file():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()[-limit:]
        out = []
        for line in reversed(lines):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut by a crash
        return out
