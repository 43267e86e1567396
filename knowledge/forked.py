"""Runs one piece of training work in a forked process while the caller goes on with another.

Training is mostly pure Python and NumPy work on one core; on a machine with a second core, a copy of
the process (fork: no pickling of the inputs, no imports) computes one part meanwhile and sends back
its result. Without a second core or `fork`, or when the helper fails, the caller computes the part
itself: the result is the same either way, only the time differs.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

# A helper that has not answered by then is given up and its part computed here.
HELPER_TIMEOUT_SECONDS = 120


def second_core_available() -> bool:
    """True when this process may run on two cores and can fork."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores >= 2 and "fork" in multiprocessing.get_all_start_methods()


class ForkedCall(Generic[T]):
    """`work()` computed in a forked helper process; `result()` waits for it."""

    def __init__(self, work: Callable[[], T]):
        self._work = work
        self._helper: multiprocessing.process.BaseProcess | None = None
        self._receiving: Connection | None = None
        if not second_core_available():
            return
        context = multiprocessing.get_context("fork")
        receiving, sending = context.Pipe(duplex=False)
        helper = context.Process(target=_send_result, args=(work, sending), daemon=True)
        try:
            helper.start()
        except OSError as exc:  # no process to be had (limits, memory): the caller computes it
            log.warning("no helper process for training (%s): computing in one", exc)
            receiving.close()
            return
        finally:
            sending.close()
        self._helper, self._receiving = helper, receiving

    def result(self) -> T:
        """The helper's result, or `work()` computed here when there is no helper or it failed."""
        if self._helper is None or self._receiving is None:
            return self._work()
        try:
            if not self._receiving.poll(HELPER_TIMEOUT_SECONDS):
                raise TimeoutError(f"no result after {HELPER_TIMEOUT_SECONDS} s")
            return self._receiving.recv()
        except (OSError, EOFError, TimeoutError) as exc:
            log.warning("training helper process failed (%s): computing its part here", exc)
            return self._work()
        finally:
            self._receiving.close()
            self._helper.join(timeout=5)
            if self._helper.is_alive():
                self._helper.kill()


def _send_result(work: Callable[[], object], connection: Connection) -> None:
    """In the helper: compute and send; on any failure send nothing (the caller sees the pipe close)."""
    try:
        connection.send(work())
    finally:
        connection.close()
