"""`inkoop`: ingest documents, search, ask and serve the chat. A thin layer over `Assistant`.

The parser is in `cli_args`, the commands in `commands`, `document_commands` and
`measure_commands`; here the process is set up and every product error
(`ingest.errors.InkoopError`) becomes one message and one exit code.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from assistant.ui import commands, document_commands, measure_commands
from assistant.ui.cli_args import EXIT_OK, EXIT_USAGE, LLM_FLAGS, build_parser

log = logging.getLogger("inkoop")

HANDLERS = {
    "ingest": document_commands._ingest,
    "ask": commands._ask,
    "search": commands._search,
    "documents": document_commands._documents,
    "relate": document_commands._relate,
    "decisions": commands._decisions,
    "serve": commands._serve,
    "eval": measure_commands._eval,
    "bench": measure_commands._bench,
    "model": commands._model,
    "nvi": commands._nvi,
}


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    _quiet_libraries(args.verbose)
    from pydantic import ValidationError

    from assistant.settings import Settings
    from ingest.errors import InkoopError

    try:
        overrides: dict[str, Any] = {}
        if args.data_dir:
            overrides["data_dir"] = args.data_dir
        for flag in LLM_FLAGS:  # the key stays in the environment (INKOOP_LLM_API_KEY)
            if getattr(args, flag, None) is not None:
                overrides[flag] = getattr(args, flag)
        settings = Settings(**overrides)
        with private_files(settings.data_dir):
            return HANDLERS[args.command](args, settings, out)
    except ValidationError as exc:
        print(f"error: invalid setting: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except InkoopError as exc:  # every product error: its message and its exit code
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `inkoop ... | head`: the reader left; no traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


@contextlib.contextmanager
def private_files(data_dir: Path) -> Iterator[None]:
    """The data dir holds intern text (Chroma, uploads, the NvI store) and the admin token:
    what the command creates is 0700 (folders) and 0600 (files), by umask 077 (put back
    afterwards, so a test calling `main` keeps its own), and an existing data dir is made
    0700 again."""
    if data_dir.is_dir():
        with contextlib.suppress(OSError):  # a dir of another owner (shared, read-only) stays
            data_dir.chmod(0o700)
    before = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(before)


def _quiet_libraries(verbose: bool) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if not verbose:
        for name in (
            "pypdf",
            "chromadb",
            "sentence_transformers",
            "transformers",
            "httpx",
            "bm25s",
        ):
            logging.getLogger(name).setLevel(logging.ERROR)
        # by environment, not by importing transformers (~3 s): a command that fails fast
        # (a busy data dir) must not pay for it
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        if "transformers" in sys.modules:
            transformers = sys.modules["transformers"]
            transformers.logging.set_verbosity_error()
            transformers.utils.logging.disable_progress_bar()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
