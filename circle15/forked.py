"""Run one writer in a forked child process while this process goes on with the others.

Output writers are independent once the computation is done; a forked child sees the run's
data without pickling it (copy-on-write memory) and sends back only a small result. Where a
fork is not possible or not wanted, the job runs here, at once, in this process: inside a
daemonic process (a Dask worker or a ``multiprocessing`` pool may not have children), on a
machine with one core, and where the ``fork`` start method does not exist (Windows).
"""

from __future__ import annotations

import gc
import logging
import multiprocessing as mp
import os
import threading
import traceback
from collections.abc import Callable
from typing import Any


def can_fork() -> bool:
    """Whether :class:`Job` may run its function in a forked child process.

    ``False`` inside a daemonic process (a Dask worker), outside the main thread (a task
    of a threaded scheduler: the fork would copy a process whose other threads hold locks),
    with one core (``os.cpu_count() == 1``) and where ``fork`` is not a start method.
    """
    if mp.current_process().daemon or (os.cpu_count() or 1) < 2:
        return False
    if threading.current_thread() is not threading.main_thread():
        return False
    return "fork" in mp.get_all_start_methods()


class _ChildError(RuntimeError):
    """An exception raised in the child that could not be sent back as itself."""


class _Collect(logging.Handler):
    """Log records of the child, kept to be logged again by the parent."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def _collect_logs() -> _Collect:
    """Send the child's log records (and warnings) to a collector instead of the console:
    the console's lock may have been held by another thread of the parent at the fork."""
    handler = _Collect()
    root = logging.getLogger()
    for lg in [root, *(x for x in logging.Logger.manager.loggerDict.values()
                       if isinstance(x, logging.Logger))]:
        lg.handlers = [handler] if lg is root else []
    logging.captureWarnings(True)
    return handler


def _child(conn: Any, func: Callable[..., Any], args: tuple[Any, ...]) -> None:
    logs = _collect_logs()
    try:
        out: tuple[Any, ...] = ("ok", func(*args))
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
        out = ("error", exc, traceback.format_exc())
    try:
        conn.send((*out[:2], logs.records))
    except Exception:  # noqa: BLE001 - the exception itself did not pickle
        conn.send(("error", _ChildError(out[-1] if out[0] == "error" else repr(out[1])),
                   logs.records))
    conn.close()


def _relog(records: list[tuple[str, int, str]]) -> None:
    for name, level, message in records:
        logging.getLogger(name).log(level, "%s", message)


class Job:
    """``func(*args)`` in a forked child (``concurrent=True``) or here, at once.

    Parameters
    ----------
    func : callable
        The job; its return value must pickle (it is sent back from the child).
    args : tuple
        Its arguments (not pickled: the child is a fork of this process).
    concurrent : bool
        Fork a child for the job; ``False`` runs it here, before the constructor returns
        (and raises its exception from the constructor).

    Notes
    -----
    :meth:`result` returns the job's value or raises the job's exception (in this process:
    the child's exception when it pickles, else a ``RuntimeError`` with its traceback).
    The child's log messages (and warnings) are logged again here, by :meth:`result`.
    :meth:`cancel` stops a child that is still running.
    """

    def __init__(self, func: Callable[..., Any], args: tuple[Any, ...] = (), *,
                 concurrent: bool) -> None:
        self._proc: Any = None
        self._value: Any = None
        self._error: BaseException | None = None
        if not concurrent:  # its exception is raised here, at once
            self._value = func(*args)
            return
        ctx = mp.get_context("fork")
        self._conn, child_conn = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_child, args=(child_conn, func, args), daemon=False)
        gc.freeze()  # the child's collector then leaves the shared pages alone (no copies)
        try:
            self._proc.start()
        finally:
            gc.unfreeze()
        child_conn.close()

    def result(self) -> Any:
        """Wait for the job; its return value, or its exception raised here."""
        if self._proc is not None:
            try:
                msg = self._conn.recv()
            except EOFError:
                self._proc.join()
                msg = ("error", _ChildError("the writer process ended without a result "
                                            f"(exit code {self._proc.exitcode})"), [])
            finally:
                self._proc.join()
                self._conn.close()
                self._proc = None
            _relog(msg[2])
            if msg[0] == "error":
                self._error = msg[1]
            else:
                self._value = msg[1]
        if self._error is not None:
            raise self._error
        return self._value

    def cancel(self) -> None:
        """Stop the child if it still runs (after a failure elsewhere); no-op otherwise."""
        if self._proc is None:
            return
        if self._proc.is_alive():
            self._proc.terminate()
        self._proc.join()
        self._conn.close()
        self._proc = None
