"""Run work that cannot be interrupted in a forked child process, with a time limit, an output
limit and (optionally) a memory limit and no new files or sockets.

pyoxigraph holds the interpreter while it evaluates a query: a thread cannot be stopped and
signals wait until the query ends. A forked child shares the parent's memory (copy on write, so
the store is not copied) and can be killed: the parent waits in `select`, where the time limit,
Ctrl-C and SIGTERM all reach it, and kills the child (SIGKILL) whatever stopped the wait.

The child writes its output to a pipe, which the parent reads as it comes, counting the bytes:
an answer past `max_output` is cut off there, never held whole. What the child says on stderr
(an error message, or the Rust runtime's "memory allocation failed") goes to a second pipe and
becomes the parent's error message.

Forking costs about 5 ms for the curated data and 20 ms for the world layers' store (2 cores,
400 MB resident), measured with `SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }`; through
`sistercities serve` a small query answers in 8 ms and 31 ms (median, HTTP included).
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import resource
import selectors
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from .errors import SisterCitiesError

__all__ = [
    "ChildFailed",
    "IsolationError",
    "OutputLimitExceeded",
    "TimeLimitExceeded",
    "can_isolate",
    "run_isolated",
]

_OUT, _ERR = 3, 4  # the child's output and error pipes, as file descriptors
_MESSAGE_LIMIT = 4096  # bytes of the child's stderr kept for the message


class IsolationError(SisterCitiesError):
    """Work in a child process did not give its answer."""


class TimeLimitExceeded(IsolationError):
    """The work ran past its time limit and was killed."""


class OutputLimitExceeded(IsolationError):
    """The work's output grew past its limit and the work was killed."""


class ChildFailed(IsolationError):
    """The work raised an error (its message is this error's) or the child died."""


def can_isolate() -> bool:
    """Whether this platform can fork (POSIX); elsewhere work runs in the process itself."""
    return hasattr(os, "fork")


def run_isolated(
    work: Callable[[IO[bytes]], None],
    *,
    timeout: float,
    max_output: int | None = None,
    memory_limit: int | None = None,
    memory_name: str = "the memory limit",
    no_new_files: bool = False,
) -> bytes:
    """Run `work(output)` in a forked child and return the bytes it wrote to `output`.

    The child is killed when `timeout` seconds pass (`TimeLimitExceeded`), when its output
    passes `max_output` bytes (`OutputLimitExceeded`), or when the parent is interrupted
    (KeyboardInterrupt, re-raised). `memory_limit` bounds the child's address space to that
    many bytes above the parent's (`memory_name` says where that limit comes from, for the
    message), never above the address-space limit in force (``ulimit -v``), which is kept:
    running out of memory is a `ChildFailed` that names the limit that stopped it.
    `no_new_files` leaves the child unable to open any file or socket (so a query cannot
    reach the network). An exception in `work` becomes `ChildFailed` with its message.

    A child killed by a signal is a `ChildFailed` saying so, but for SIGINT and SIGTERM in
    the main thread: there they are the user's interrupt (KeyboardInterrupt).
    """
    out_read, out_write = os.pipe()
    err_read, err_write = os.pipe()
    limit, limit_text = _address_limit(memory_limit, memory_name)
    parent = os.getpid()
    interruptible = threading.current_thread() is threading.main_thread()
    # SIGINT and SIGTERM wait, blocked, until the child has its own (default) handlers: one that
    # came between the fork and those would meet the parent's Python handler in the child.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        pid = os.fork()
    except OSError as error:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        for end in (out_read, out_write, err_read, err_write):
            os.close(end)
        raise ChildFailed(f"cannot start a process for the query: {error.strerror}") from None
    if pid == 0:  # the child: never returns
        _child(work, out_write, err_write, limit, no_new_files, timeout, parent, held)
    signal.pthread_sigmask(signal.SIG_SETMASK, held)
    os.close(out_write)
    os.close(err_write)
    try:
        output, message = _collect(out_read, err_read, timeout, max_output)
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        raise
    finally:
        os.close(out_read)
        os.close(err_read)
        _pid, status = os.waitpid(pid, 0)  # reaped here, whatever happened: no zombie
    return _outcome(status, output, message, limit_text, interruptible)


def _address_limit(memory_limit: int | None, name: str) -> tuple[int, str]:
    """The address-space limit to give the child (0: leave the one in force) and the words
    that name the limit that applies, for an out-of-memory message."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    in_force = None if soft == resource.RLIM_INFINITY else soft
    ulimit = f"{_mib(in_force)} of address space, the limit in force: ulimit -v"
    if memory_limit is None:
        return 0, ulimit if in_force is not None else ""
    wanted = _address_space() + memory_limit
    if in_force is not None and in_force <= wanted:
        return 0, ulimit  # the limit in force is the lower: kept, never raised
    return wanted, f"{_mib(memory_limit)} beyond the process's own size, {name}"


def _mib(size: int | None) -> str:
    return f"{(size or 0) / (1 << 20):,.0f} MiB"


def _child(
    work: Callable[[IO[bytes]], None],
    out_write: int,
    err_write: int,
    address_limit: int,
    no_new_files: bool,
    timeout: float,
    parent: int,
    held: set[int | signal.Signals],
) -> None:
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a signal held since the fork: now
        _die_with_parent(parent)
        # A backstop should the parent die without killing it: the kernel stops the child
        # once it has used its time limit in CPU seconds (and a second more).
        if math.isfinite(timeout):
            cpu = math.ceil(timeout) + 1
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        os.dup2(out_write, _OUT)
        os.dup2(err_write, _ERR)
        os.dup2(_ERR, 2)  # the Rust runtime's own messages (allocation failures) go there too
        os.closerange(_ERR + 1, _max_files())
        if no_new_files:
            resource.setrlimit(resource.RLIMIT_NOFILE, (_ERR + 1, _ERR + 1))
        if address_limit:
            _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            resource.setrlimit(resource.RLIMIT_AS, (address_limit, hard))
        with os.fdopen(_OUT, "wb") as output:
            try:
                work(output)
                output.flush()
                status = 0
            except MemoryError:
                os.write(_ERR, b"the query failed: it ran out of memory")
                status = 3
            except Exception as error:
                os.write(_ERR, (str(error) or type(error).__name__).encode("utf-8", "replace"))
                status = 3
    except BaseException as error:  # setting up failed: say why, for the parent's message
        with contextlib.suppress(Exception):
            os.write(_ERR, f"cannot start the query: {error}".encode("utf-8", "replace"))
        status = 3
    finally:
        os._exit(status)


def _die_with_parent(parent: int) -> None:
    """Linux: the child gets SIGKILL when the thread that forked it ends (the parent killed)."""
    if _LIBC is not None:
        with contextlib.suppress(Exception):
            _LIBC.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL))
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


_PR_SET_PDEATHSIG = 1
try:
    _LIBC: ctypes.CDLL | None = ctypes.CDLL(None) if sys.platform.startswith("linux") else None
except OSError:
    _LIBC = None


def _max_files() -> int:
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft if soft != resource.RLIM_INFINITY and soft > 0 else 65536


def _address_space() -> int:
    """The process's virtual size in bytes (Linux), else 0 (then the limit is the budget)."""
    try:
        return int(Path("/proc/self/statm").read_bytes().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _collect(
    out_read: int, err_read: int, timeout: float, max_output: int | None
) -> tuple[bytes, str]:
    """The child's output and error message, read until both pipes close."""
    deadline = time.monotonic() + timeout
    output = bytearray()
    message = bytearray()
    with selectors.DefaultSelector() as selector:
        selector.register(out_read, selectors.EVENT_READ)
        selector.register(err_read, selectors.EVENT_READ)
        while selector.get_map():
            left = min(deadline - time.monotonic(), 3600.0)  # (an infinite timeout waits on)
            if left <= 0:
                raise TimeLimitExceeded(f"the query ran past its time limit of {timeout:g} s")
            for key, _events in selector.select(left):
                chunk = os.read(key.fd, 1 << 16)
                if not chunk:
                    selector.unregister(key.fd)
                elif key.fd == out_read:
                    output += chunk
                    if max_output is not None and len(output) > max_output:
                        raise OutputLimitExceeded(
                            f"the answer is larger than the limit of {max_output:,} bytes"
                        )
                elif len(message) < _MESSAGE_LIMIT:
                    message += chunk
    return bytes(output), message.decode("utf-8", "replace").strip()


def _outcome(
    status: int, output: bytes, text: str, limit_text: str = "", interruptible: bool = True
) -> bytes:
    """The output of a child that exited well, else the error its exit status means."""
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        return output
    signalled = os.WIFSIGNALED(status)
    if signalled and interruptible and os.WTERMSIG(status) in (signal.SIGINT, signal.SIGTERM):
        raise KeyboardInterrupt  # Ctrl-C reached the child first: the parent's turn now
    out_of_memory = "memory allocation" in text or text.endswith("it ran out of memory")
    if out_of_memory:
        where = f" (its limit: {limit_text})" if limit_text else ""
        raise ChildFailed(f"the query failed: it ran out of memory{where}")
    if signalled:  # SIGKILL: the kernel's (or someone's); SIGSEGV …
        name = _signal_name(os.WTERMSIG(status))
        raise ChildFailed(f"the query failed: its process was killed by {name}")
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 3 and text:
        raise ChildFailed(" ".join(text.split()))  # the work's own message, on one line
    raise ChildFailed("the query failed")


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
