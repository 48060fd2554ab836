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
import everything again each time, where a fork from the server copies what is loaded.

The fork server is supervised: one that died (the kernel's OOM killer, an operator's kill) is
found at the next call, reaped (no zombie stays) and started again, and the call goes on.
"""

import contextlib
import io
import logging
import os
import resource
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Celery's multiprocessing (billiard) rather than the standard library's, whose processes may not
# start children from a daemonic process: a Celery pool process is one.
import billiard as multiprocessing
from billiard import context, forkserver, popen_forkserver, reduction, spawn

logger = logging.getLogger(__name__)

_context = multiprocessing.get_context("forkserver")
_preloaded = ["ocr_engine.pdf"]
_context.set_forkserver_preload(_preloaded)


def preload(module: str) -> None:
    """Have the fork server import `module` when it starts, so that no call pays for it (a module
    named after the server started is imported by each child instead)."""
    if module not in _preloaded:
        _preloaded.append(module)
        _context.set_forkserver_preload(_preloaded)


class LimitExceeded(Exception):
    """The call did not finish within its limits, or its process died: `reason` is "time",
    "memory" (Python ran out of it under the ceiling) or "died" (the process ended without an
    answer: native code out of memory under the ceiling, which PDFium answers by ending its
    process, or a crash; the fork server reports every such end alike)."""

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


class _Popen(popen_forkserver.Popen):
    """billiard's start of a process by the fork server, less one step: multiprocessing imports the
    caller's main module again in every child (`init_main_from_*`), which runs whatever that module
    does at import (a benchmark script deleted its database so) and costs its imports per call. A
    child here runs one function of an importable module and needs no main module."""

    def _launch(self, process_obj):
        preparation = spawn.get_preparation_data(process_obj._name)
        preparation.pop("init_main_from_name", None)
        preparation.pop("init_main_from_path", None)
        buffer = io.BytesIO()
        context.set_spawning_popen(self)
        try:
            reduction.dump(preparation, buffer)
            reduction.dump(process_obj, buffer)
        finally:
            context.set_spawning_popen(None)
        self.sentinel, writer = forkserver.connect_to_new_process(self._fds)
        with open(writer, "wb", closefd=True) as pipe:
            pipe.write(buffer.getbuffer())
        self.pid = forkserver.read_unsigned(self.sentinel)


class _Process(_context.Process):
    @staticmethod
    def _Popen(process_obj):
        return _Popen(process_obj)


class _ForkServer:
    """billiard's fork server, watched: billiard starts it once per process and never looks at it
    again, so a server that died made every later call fail (and stayed a zombie)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.pid: int | None = None

    def start_child(self, child: "_Process") -> None:
        """Start `child` from a living fork server: a dead one is reaped and started again."""
        with self._lock:
            if self.pid is not None and not _is_running(self.pid):
                self._replace("it had ended")
        try:
            child.start()
        except (ConnectionError, EOFError, FileNotFoundError) as error:  # it died since
            with self._lock:
                self._replace(f"it could not be reached: {error}")
            child.start()
        with self._lock:
            if self.pid is None:
                self.pid = _fork_server_pid()

    def _replace(self, why: str) -> None:
        logger.warning("The fork server of contained calls is started again: %s.", why)
        server = forkserver._forkserver
        with server._lock:
            if server._forkserver_alive_fd is not None:
                os.close(server._forkserver_alive_fd)
            server._forkserver_alive_fd = None
            server._forkserver_address = None
        if self.pid is not None:
            try:  # killed if it hangs, then reaped: its zombie would stay until this process ends
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        self.pid = None


def _is_running(pid: int) -> bool:
    """Whether our child `pid` lives: a dead one is reaped on the way."""
    try:
        ended, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return ended == 0


def _fork_server_pid() -> int | None:
    """The pid of this process's fork server, found among its children by its command line."""
    me = str(os.getpid())
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = stat.read().rsplit(")", 1)[1].split()[1]
            if parent != me:
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                if b"billiard.forkserver" in cmdline.read():
                    return int(entry)
        except (OSError, IndexError):
            continue
    return None


_fork_server = _ForkServer()


def run_contained(function: Callable[..., Any], *args: Any, limits: Limits) -> Any:
    """`function(*args)` run in a child process within `limits`; its result or its exception
    (both must pickle). Raises LimitExceeded when the child ran out of time or memory, or died."""
    receiver, sender = _context.Pipe(duplex=False)
    child = _Process(target=_child, args=(sender, limits, function, args), daemon=True)
    _fork_server.start_child(child)
    sender.close()  # the child holds the only writing end: its death is an end of file here
    answer, timed_out = None, True
    try:
        if receiver.poll(limits.seconds):
            timed_out = False
            try:
                answer = receiver.recv()
            except EOFError:  # the child died without answering
                pass
    finally:
        receiver.close()
        if child.is_alive():
            # It may end between the look and the kill (its fork server reaps it): nothing to kill.
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, signal.SIGKILL)
        child.join()
    if answer is None:
        raise LimitExceeded("time" if timed_out else "died", limits)
    status, outcome = answer
    if status == "memory":
        raise LimitExceeded("memory", limits)
    if status == "error":
        raise outcome
    return outcome


def _child(sender, limits: Limits, function: Callable[..., Any], args: tuple) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    # A backstop for the parent's timer: CPU seconds cannot outrun wall-clock ones.
    cpu = int(limits.seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    try:
        answer = ("ok", function(*args))
    except MemoryError:  # what was being allocated was refused, so there is room to say so
        answer = ("memory", None)
    except Exception as error:  # handed to the caller, who knows what it means
        answer = ("error", error)
    sender.send(answer)
    sender.close()
