"""Entry point of a worker process: `python -m pipeline.worker`, driven by `pipeline.pool`.

A worker is started as a fresh interpreter on purpose. multiprocessing's spawn and forkserver
children re-run the host's `__main__` (under Airflow's task runner that is the `airflow` script,
which initialises Airflow and dies without a metadata database), so the workers of a pool never
inherit anything from their host but this module and what the jobs they are sent import.

Protocol, over stdin/stdout, one frame each (8-byte big-endian length, then a pickle):
  in:  ("setup", fn, fixed, warm)
                              from now on, a call runs fn(item, *fixed); warm(*fixed) runs
                              once first, after "ready", unless it is None
       ("call", seq, item)
  out: ("hello", info)        once, at start
       ("ready",)             after each setup
       ("done", seq, value) | ("raised", seq, traceback)
The worker exits when stdin closes or its parent goes away. Only the standard library (and
`pipeline.logcontext`, which is stdlib only) is imported here; stdout is kept for frames (stray
prints of libraries go to stderr).

Log records go to stderr as one line each, `LOG_MARK` then JSON [level, logger, source,
input_ref, text], with the source and input they are about (`pipeline.logcontext`): the pool
re-logs them at their level under their logger's name. Any other stderr line (a traceback of a
crash, a library's print) is raw text, kept by the pool for its failure reports.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import pickle
import signal
import struct
import sys
import threading
import time
import traceback
from typing import IO, Any

FRAME = struct.Struct("!Q")
# Starts a stderr line that is a log record (no library's own output starts with it).
LOG_MARK = "\x1ebroadsheet-log\t"
# A frame larger than this is a broken stream, not a document (documents are capped far below).
MAX_FRAME = 1 << 31


def read_frame(stream: IO[bytes]) -> Any | None:
    """The next message, or None at the end of the stream."""
    head = stream.read(FRAME.size)
    if len(head) < FRAME.size:
        return None
    (size,) = FRAME.unpack(head)
    if size > MAX_FRAME:
        raise ValueError(f"frame of {size} bytes")
    body = stream.read(size)
    if len(body) < size:
        return None
    return pickle.loads(body)


def frame(message: Any) -> bytes:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return FRAME.pack(len(body)) + body


class _LogLine(logging.Formatter):
    """A record as one stderr line for the pool: its text (with any traceback) JSON-escaped."""

    def format(self, record: logging.LogRecord) -> str:
        fields = [record.levelno, record.name]
        fields += [getattr(record, "source", None), getattr(record, "input_ref", None)]
        return LOG_MARK + json.dumps([*fields, super().format(record)])


def parse_log_line(line: str) -> tuple[int, str, str | None, str | None, str] | None:
    """(level, logger, source, input_ref, text) of a line `_LogLine` wrote; None for any other
    line (raw stderr)."""
    if not line.startswith(LOG_MARK):
        return None
    try:
        level, name, source, ref, text = json.loads(line[len(LOG_MARK) :])
    except (ValueError, TypeError):  # torn by another thread's write: raw text
        return None
    if not isinstance(level, int) or not isinstance(name, str) or not isinstance(text, str):
        return None
    return level, name, _str_or_none(source), _str_or_none(ref), text


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _log_to_pool(level: int) -> None:
    """Records at `level` and above go to the pool, each with the source and input it is about."""
    from pipeline.logcontext import ContextFilter  # standard library only

    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextFilter())
    handler.setFormatter(_LogLine())
    logging.basicConfig(level=level, handlers=[handler], force=True)


def _orphan_watch(parent: int) -> None:
    """Exit once the parent is gone, even while a job is stuck (stdin EOF is not seen then)."""
    while True:
        time.sleep(2)
        if os.getppid() != parent:
            os._exit(0)


def main(argv: list[str] | None = None) -> int:
    """argv: [level], the lowest level of records sent to the pool (default WARNING)."""
    args = sys.argv[1:] if argv is None else argv
    # Ctrl-C reaches the whole process group: the parent decides what happens to the night.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    _log_to_pool(int(args[0]) if args and args[0].isdigit() else logging.WARNING)
    threading.Thread(target=_orphan_watch, args=(os.getppid(),), daemon=True).start()
    inp = sys.stdin.buffer

    def send(message: Any) -> None:
        out.write(frame(message))
        out.flush()

    send(("hello", {"pid": os.getpid(), "airflow": "airflow" in sys.modules}))
    fn: Any = None
    fixed: tuple[Any, ...] = ()
    while True:
        try:
            msg = read_frame(inp)
        except Exception:
            # A setup whose job cannot be imported here: say why, then stop; the pool reports
            # it as a failure to start.
            traceback.print_exc()
            send(("raised", -1, traceback.format_exc()))
            return 1
        if msg is None:
            # Everything is sent: skip the interpreter's teardown of a large heap (a fifth of
            # a second per worker, paid at the end of every shard).
            with contextlib.suppress(OSError):  # the parent may be gone already
                out.close()
            logging.shutdown()
            sys.stderr.flush()
            os._exit(0)
        if msg[0] == "setup":
            _, fn, fixed, warm = msg
            send(("ready",))
            if warm is not None:
                try:
                    warm(*fixed)
                except Exception:  # a warm-up is an optimisation: the items say what is wrong
                    logging.getLogger(__name__).debug("warm-up failed", exc_info=True)
            continue
        _, seq, item = msg
        try:
            value = fn(item, *fixed)
        except Exception:
            send(("raised", seq, traceback.format_exc()))
            continue
        send(("done", seq, value))


if __name__ == "__main__":
    sys.exit(main())
