"""Worker processes for per-document work: started clean, isolated, bounded in time.

Each worker is a `python -m pipeline.worker` child of its own (see that module for why not
multiprocessing), so the pool behaves the same under the CLI, `airflow dags test`, the Local and
Celery executors' task runners and a notebook. Documents go out in order, results come back in
order; a document that kills or hangs its worker is reported as a `Failure` for that document
alone. A failure of the pool itself (workers that cannot start, or that die on most documents)
raises `PoolError`: that is a fault of the run, and must not be published as a night of
quarantined documents.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import queue
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from pipeline.worker import frame, parse_log_line, read_frame

log = logging.getLogger(__name__)

# Importing the document chain (trafilatura, lxml, numpy) takes seconds on a loaded machine.
START_TIMEOUT_S = 120.0
# Systemic failure: this many documents in a row failed the same way, or more than half of the
# documents so far (once there are MIN_FOR_SHARE of them).
FAILURES_IN_A_ROW = 8
MIN_FOR_SHARE = 20
_DIED = ("died",)


class PoolError(RuntimeError):
    """The pool cannot do its work (workers do not start, or die on most documents)."""


@dataclass(frozen=True)
class Failure:
    """Why one item has no result: its worker died, hung past the limit, or the job raised."""

    kind: Literal["died", "hung", "raised"]
    message: str
    detail: str = ""  # the worker's traceback or last stderr lines

    @property
    def signature(self) -> str:
        """What identical failures share: the last line of the traceback, or the exit status."""
        lines = [ln for ln in (self.detail or self.message).splitlines() if ln.strip()]
        return f"{self.kind}: {lines[-1] if lines else ''}"


def _env() -> dict[str, str]:
    """The child's environment: the host's, with this package and the host's import path first,
    so jobs pickled by reference (including tests' own functions) import in the child."""
    env = dict(os.environ)
    here = str(Path(__file__).resolve().parent.parent)
    paths = [here] + [p for p in sys.path if p and os.path.isdir(p)]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    env.pop("PYTHONSTARTUP", None)
    return env


class Worker:
    """One child process, with a feeder thread (so writing never blocks reading) and readers
    for its result frames and its stderr (kept as a tail for the failure report)."""

    def __init__(self, setup: bytes) -> None:
        self.proc = subprocess.Popen(
            # Records as low as this process shows come back (`_drain_stderr`).
            [sys.executable, "-m", "pipeline.worker", str(logging.getLogger().getEffectiveLevel())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_env(),
            close_fds=True,
        )
        self.pid = self.proc.pid
        self.results: queue.Queue[Any] = queue.Queue()
        self.assigned: deque[_Task] = deque()
        self.stderr_tail: deque[str] = deque(maxlen=40)
        self._inbox: queue.Queue[bytes | None] = queue.Queue()
        assert self.proc.stdin and self.proc.stdout and self.proc.stderr
        for target, stream in (
            (self._feed, self.proc.stdin),
            (self._read, self.proc.stdout),
            (self._drain_stderr, self.proc.stderr),
        ):
            threading.Thread(target=target, args=(stream,), daemon=True).start()
        self.info: dict[str, Any] = {}
        self.ready = False
        self._inbox.put(setup)

    def _feed(self, stream: IO[bytes]) -> None:
        with contextlib.suppress(OSError, ValueError):
            while (data := self._inbox.get()) is not None:
                stream.write(data)
                stream.flush()
        with contextlib.suppress(OSError, ValueError):
            stream.close()

    def _read(self, stream: IO[bytes]) -> None:
        try:
            while (msg := read_frame(stream)) is not None:
                self.results.put(msg)
        except Exception:  # a torn frame is a dead worker
            log.debug("worker stream broken", exc_info=True)
        self.results.put(_DIED)

    def _drain_stderr(self, stream: IO[bytes]) -> None:
        """Re-log the worker's log records here, at their level, under their logger, with the
        source and input they are about; other stderr lines (a crash's traceback) at INFO."""
        with contextlib.suppress(OSError, ValueError):
            for raw in stream:
                line = raw.decode("utf-8", "replace").rstrip()
                record = parse_log_line(line)
                if record is None:
                    self.stderr_tail.append(line)
                    log.info("worker %s: %s", self.pid, line, extra={"worker_pid": self.pid})
                    continue
                level, name, source, input_ref, text = record
                self.stderr_tail.append(f"{logging.getLevelName(level)} {name}: {text}")
                logging.getLogger(name).log(
                    level,
                    "%s",
                    text,
                    extra={"source": source, "input_ref": input_ref, "worker_pid": self.pid},
                )

    def send(self, data: bytes) -> None:
        self._inbox.put(data)

    def next_message(self, timeout: float) -> Any:
        """The next frame; `_DIED` when the process ended; raises queue.Empty on timeout."""
        return self.results.get(timeout=max(timeout, 0.0))

    def wait_ready(self, timeout: float) -> None:
        """Block until the worker took its setup; PoolError (with its stderr) if it cannot."""
        deadline = time.monotonic() + timeout
        while not self.ready:
            try:
                msg = self.next_message(deadline - time.monotonic())
            except queue.Empty:
                self.kill()
                raise PoolError(
                    f"a worker process did not start within {timeout:.0f}s{self.stderr_text()}"
                ) from None
            if msg[0] == "hello":
                self.info = msg[1]
            elif msg[0] == "ready":
                self.ready = True
            else:
                detail = msg[2] if msg[0] == "raised" else self.exit_text()
                self.kill()
                raise PoolError(f"a worker process could not start: {detail}{self.stderr_text()}")

    def exit_text(self) -> str:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=2)
        code = self.proc.returncode
        if code is None:
            return "the worker stopped answering"
        return f"the worker process exited with status {code}"

    def stderr_text(self) -> str:
        time.sleep(0.05)  # let the stderr reader catch the last lines
        tail = "\n".join(self.stderr_tail)
        return f"\nworker stderr:\n{tail}" if tail else ""

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.kill()
        self._inbox.put(None)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)

    def finish(self) -> None:
        """Ask the worker to finish (its stdin closes once what was sent is written)."""
        self._inbox.put(None)

    def close(self, timeout: float = 5.0) -> None:
        """Ask the worker to finish, kill it if it does not."""
        self.finish()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass(eq=False)  # tasks are compared by identity
class _Task:
    seq: int
    item: Any
    tries: int = 0
    result: Any = None
    done: bool = False


@dataclass
class _Health:
    """Counts that tell a bad document from a broken pool."""

    completed: int = 0
    failed: int = 0
    in_a_row: int = 0
    last_signature: str = ""
    first_failure: Failure | None = None
    recent: deque[str] = field(default_factory=lambda: deque(maxlen=FAILURES_IN_A_ROW))

    def ok(self) -> None:
        self.completed += 1
        self.in_a_row = 0

    def failed_with(self, f: Failure) -> None:
        self.completed += 1
        self.failed += 1
        self.first_failure = self.first_failure or f
        self.in_a_row = self.in_a_row + 1 if f.signature == self.last_signature else 1
        self.last_signature = f.signature
        if self.in_a_row >= FAILURES_IN_A_ROW:
            raise PoolError(
                f"{self.in_a_row} documents in a row failed the same way in the worker pool "
                f"({f.signature}); first failure: {self._first()}"
            )
        if self.completed >= MIN_FOR_SHARE and 2 * self.failed > self.completed:
            raise PoolError(
                f"the worker pool failed on {self.failed} of {self.completed} documents; "
                f"first failure: {self._first()}"
            )

    def _first(self) -> str:
        f = self.first_failure
        return "" if f is None else f"{f.message}\n{f.detail}".strip()


class WorkerPool:
    """`workers` child processes running one job, fn(item, *fixed); see the module docstring.

    `hard_limit_s` bounds one item: past it the worker is killed and the item fails as `hung`
    (the job's own timers cannot fire inside C code). An item whose worker died is retried once
    in a fresh worker before it fails as `died` (memory pressure can kill an innocent page).
    """

    def __init__(self, workers: int, in_flight_per_worker: int = 32) -> None:
        self.size = max(1, workers)
        self.in_flight = self.size * in_flight_per_worker
        self._setup: bytes | None = None
        self._workers: list[Worker] = []
        self._seq = 0

    # -- set-up ---------------------------------------------------------------------------------

    def configure(
        self, fn: Callable[..., Any], *fixed: Any, warm: Callable[..., Any] | None = None
    ) -> None:
        """Set the job; running workers take it in order, after what they were sent before.
        `warm(*fixed)` runs in each worker once it has the job, before its first item: what
        the job loads on first use (models, lazy imports) is loaded while the parent is still
        reading, not on the clock of the first items."""
        setup = frame(("setup", fn, fixed, warm))
        if setup == self._setup:
            return
        self._setup = setup
        for w in self._workers:
            w.send(setup)
            w.ready = False

    def spawn(self) -> None:
        """Start the missing workers without waiting for them: they import and warm up while
        the caller prepares the rest (the first `imap` waits for them to be ready)."""
        assert self._setup is not None, "configure() the pool first"
        while len(self._workers) < self.size:
            self._workers.append(Worker(self._setup))

    def _start(self) -> None:
        self.spawn()
        for w in self._workers:
            w.wait_ready(START_TIMEOUT_S)

    def _restart(self, w: Worker) -> Worker:
        """A fresh worker in `w`'s place; its readiness is awaited with its first result."""
        w.kill()
        assert self._setup is not None
        fresh = Worker(self._setup)
        self._workers[self._workers.index(w)] = fresh
        return fresh

    def close(self) -> None:
        for w in self._workers:
            w.finish()  # all at once: they wind down side by side
        for w in self._workers:
            w.close()
        self._workers = []

    def pids(self) -> list[int]:
        return [w.pid for w in self._workers]

    # -- work -----------------------------------------------------------------------------------

    def imap(
        self,
        items: Iterable[Any],
        wanted: Callable[[Any], bool],
        hard_limit_s: float,
    ) -> Iterator[tuple[Any, Any | Failure | None]]:
        """(item, result) in input order; items not `wanted` pass through with None.

        At most `in_flight` items are read ahead, so memory does not grow with the input.
        """
        self._start()
        health = _Health()
        pending: deque[tuple[Any, _Task | None]] = deque()
        source = iter(items)
        try:
            while True:
                while len(pending) < self.in_flight:
                    item = next(source, _END)
                    if item is _END:
                        break
                    pending.append((item, self._submit(item) if wanted(item) else None))
                if not pending:
                    return
                item, task = pending.popleft()
                if task is None:
                    yield item, None
                    continue
                result = self._wait(task, hard_limit_s)
                if isinstance(result, Failure):
                    health.failed_with(result)
                else:
                    health.ok()
                yield item, result
        except BaseException:
            # Interrupted or failed: the workers hold work nobody will collect.
            self.close()
            raise

    def one(self, item: Any, hard_limit_s: float) -> Any | Failure:
        """The result of one more item, also while an `imap` is under way (the results it
        collects on the way stay with that imap's items): what must not run in the parent
        either, such as a known input extracted after all."""
        self._start()
        return self._wait(self._submit(item), hard_limit_s)

    def _submit(self, item: Any) -> _Task:
        self._seq += 1
        task = _Task(self._seq, item)
        w = min(self._workers, key=lambda w: len(w.assigned))
        self._send(w, task)
        return task

    @staticmethod
    def _send(w: Worker, task: _Task) -> None:
        w.assigned.append(task)
        w.send(frame(("call", task.seq, task.item)))

    def _wait(self, task: _Task, hard_limit_s: float) -> Any | Failure:
        """The result of `task`, collecting its worker's earlier results on the way."""
        while not task.done:
            w = next(w for w in self._workers if task in w.assigned)
            head = w.assigned[0]
            try:
                msg = w.next_message(hard_limit_s if w.ready else START_TIMEOUT_S)
            except queue.Empty:
                if not w.ready:
                    w.kill()
                    raise PoolError(
                        f"a worker process did not start within {START_TIMEOUT_S:.0f}s"
                        f"{w.stderr_text()}"
                    ) from None
                msg = ("hung",)
            kind = msg[0]
            if kind == "hello":
                w.info = msg[1]
            elif kind == "ready":
                w.ready = True
            elif kind in ("done", "raised"):
                w.assigned.popleft()
                head.done = True
                head.result = (
                    msg[2]
                    if kind == "done"
                    else Failure("raised", "the extraction code raised", msg[2])
                )
            elif not w.ready:  # died before taking its job: nothing can run here
                raise PoolError(
                    f"a worker process could not start: {w.exit_text()}{w.stderr_text()}"
                )
            elif kind == "hung":
                message = f"the worker hung on this document for over {hard_limit_s:.0f}s; killed"
                self._fail_head(w, "hung", message)
            else:
                message = "the worker process died on this document (crash or out of memory)"
                self._fail_head(w, "died", message)
        return task.result

    def _fail_head(self, w: Worker, kind: Literal["died", "hung"], message: str) -> None:
        """The worker's current document killed or hung it: restart the worker and resend the
        rest of its queue; the document itself gets one more try after a death."""
        detail = f"{w.exit_text() if kind == 'died' else 'killed'}{w.stderr_text()}"
        queued = list(w.assigned)
        head = queued[0]
        log.warning(
            "worker %s on a document; restarting it",
            kind,
            extra={"worker_pid": w.pid, "item": _describe(head.item)},
        )
        fresh = self._restart(w)
        if kind == "died" and head.tries == 0:
            head.tries = 1
        else:
            head.result, head.done = Failure(kind, message, detail), True
            queued = queued[1:]
        for task in queued:
            self._send(fresh, task)


_END = object()


def _describe(item: Any) -> str:
    return str(getattr(item, "input_ref", type(item).__name__))


# -- one long-lived pool per process ---------------------------------------------------------------

_shared: WorkerPool | None = None


def shared(workers: int, in_flight_per_worker: int = 32) -> WorkerPool:
    """The process's pool, reused across shards (starting workers costs seconds)."""
    global _shared
    if _shared is not None and _shared.size == workers:
        return _shared
    close_shared()
    _shared = WorkerPool(workers, in_flight_per_worker)
    return _shared


def close_shared() -> None:
    """Stop the shared pool's workers (their memory is better spent on the publish)."""
    global _shared
    if _shared is not None:
        _shared.close()
        _shared = None


atexit.register(close_shared)


def call(job: tuple[Callable[..., Any], tuple[Any, ...]]) -> Any:
    """A generic job: (function, args); lets one helper worker run different functions."""
    fn, args = job
    return fn(*args)


class Helper:
    """One clean worker process running arbitrary module-level functions, one after another
    (the gate imports Great Expectations here while the shards run)."""

    def __init__(self) -> None:
        self._worker = Worker(frame(("setup", call, (), None)))
        self._seq = 0

    @property
    def pid(self) -> int:
        return self._worker.pid

    def submit(self, fn: Callable[..., Any], *args: Any) -> int:
        self._seq += 1
        self._worker.send(frame(("call", self._seq, (fn, args))))
        return self._seq

    def result(self, seq: int, timeout: float | None = None) -> Any:
        """The value of call `seq` (earlier results are dropped); PoolError if the worker died
        or the call raised (its traceback in the message)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = 1e9 if deadline is None else deadline - time.monotonic()
            try:
                msg = self._worker.next_message(left)
            except queue.Empty:
                raise PoolError(f"the helper process gave no answer in {timeout}s") from None
            if msg is _DIED:
                raise PoolError(
                    f"the helper process died: {self._worker.exit_text()}"
                    f"{self._worker.stderr_text()}"
                )
            if msg[0] in ("done", "raised") and msg[1] == seq:
                if msg[0] == "raised":
                    raise PoolError(f"the helper's call raised:\n{msg[2]}")
                return msg[2]

    def close(self, timeout: float = 2.0) -> None:
        """Let the current call finish within `timeout` seconds, then kill the process."""
        self._worker.close(timeout=timeout)
