"""Running a risky call in a child process that may use only so much memory and time.

Some inputs cost without end in native code that no Python time-out can stop: a PDF whose page
draws a form that draws itself makes PDFium allocate ~130 MB/s until the machine runs out (or,
under a cap, abort and take its process with it). Such calls run here: in a process forked for
the call, with an address-space ceiling (RLIMIT_AS) set before the work starts, killed when it is
not done in time. The caller's process never holds the memory, and one slow call makes nobody
else wait: every call has a process of its own.

Children are forked from a small single-threaded server (multiprocessing's "forkserver") that has
the modules preloaded, not from the caller: forking a process with threads (gunicorn's, ONNX
Runtime's) can copy a lock held by another thread, and starting a fresh interpreter per call would
cost ~150 ms. A fork from the server costs a few milliseconds; handing a rendered page back
through a pipe ~50 ms more at 300 dpi.
"""

import os
import resource
import signal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Celery's multiprocessing (billiard) rather than the standard library's, whose processes may not
# start children from a daemonic process: a Celery pool process is one.
import billiard as multiprocessing

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(["ocr_engine.pdf"])


class LimitExceeded(Exception):
    """The call did not finish within its limits; `reason` is "time" or "memory"."""

    def __init__(self, reason: str, limits: "Limits") -> None:
        super().__init__(reason)
        self.reason = reason
        self.limits = limits


@dataclass(frozen=True)
class Limits:
    memory_bytes: int
    seconds: float

    @property
    def memory_mib(self) -> int:
        return self.memory_bytes // (1024 * 1024)


def run_contained(function: Callable[..., Any], *args: Any, limits: Limits) -> Any:
    """`function(*args)` run in a child process within `limits`; its result or its exception
    (both must pickle). Raises LimitExceeded when the child ran out of time or memory (or died)."""
    receiver, sender = _context.Pipe(duplex=False)
    child = _context.Process(target=_child, args=(sender, limits, function, args), daemon=True)
    child.start()
    sender.close()  # the child holds the only writing end: its death is an end of file here
    try:
        if not receiver.poll(limits.seconds):
            raise LimitExceeded("time", limits)
        try:
            failed, outcome = receiver.recv()
        except EOFError:  # killed by the kernel, or aborted on a failed allocation
            raise LimitExceeded("memory", limits) from None
    finally:
        receiver.close()
        if child.is_alive():
            os.kill(child.pid, signal.SIGKILL)
        child.join()
    if failed:
        raise outcome
    return outcome


def _child(sender, limits: Limits, function: Callable[..., Any], args: tuple) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    # A backstop for the parent's timer: CPU seconds cannot outrun wall-clock ones.
    cpu = int(limits.seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    try:
        outcome = (False, function(*args))
    except MemoryError:
        sender.close()  # seen by the parent as a child that died of memory
        return
    except Exception as error:  # handed to the caller, who knows what it means
        outcome = (True, error)
    sender.send(outcome)
    sender.close()
