"""Bytes of a text file (TXT, Markdown, HTML, CSV) as text: which encoding a file from a Dutch
Windows or Excel user is in.

Tried in this order: UTF-16 when the file starts with its byte-order mark (Excel's "Unicode
text"), UTF-8 with or without a BOM, else Windows-1252 (Dutch Excel's "CSV (gescheiden door
lijstscheidingsteken)") when it reads as text. Callers turn `NotTextError` into their own error
and message; how much garbage a Windows-1252 reading may hold is theirs to say.
"""

from __future__ import annotations

import codecs

UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Control characters real text holds: tab, line ends, form feed (page break), DOS end-of-file.
_TEXT_CONTROLS = frozenset("\t\n\r\f\x1a")


class NotTextError(ValueError):
    """The bytes are not text; `reason` is "utf-16" (a BOM, but no UTF-16 after it), "binary"
    (NUL bytes in UTF-8) or "encoding" (neither UTF-8 nor readable as Windows-1252)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


def decode_text(data: bytes, max_garbage_share: float = 0.0) -> tuple[str, str]:
    """The text and the encoding it was read in: "utf-16", "utf-8" or "cp1252".

    Windows-1252 decodes almost any bytes; real text in it has next to no control characters or
    undefined bytes, while binary data read this way has them every few characters. A reading
    with more than `max_garbage_share` of them (0: none at all) is refused.
    """
    if data.startswith(UTF16_BOMS):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise NotTextError("utf-16", str(exc)) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    else:
        if "\x00" in text:  # NULs mean binary, or UTF-16 without a BOM
            raise NotTextError("binary")
        return text, "utf-8"
    text = data.decode("cp1252", errors="replace")
    if garbage_count(text) > max_garbage_share * len(text):
        raise NotTextError("encoding")
    return text, "cp1252"


def garbage_count(text: str) -> int:
    """Characters that do not occur in text: undefined bytes, DEL and most control characters."""
    return sum(
        1
        for ch in text
        if ch == "\ufffd" or ch == "\x7f" or (ch < " " and ch not in _TEXT_CONTROLS)
    )
