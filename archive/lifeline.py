"""Pool workers that end when the process that started them is gone, however it ended.

A `ProcessPoolExecutor` worker waits on its call queue for work. When the main process ends
normally it tells its workers to stop; when it is killed (``kill -9``, the OOM killer, a
crashed interpreter) nobody does, and the worker keeps waiting forever: it holds both ends of
its own queue's pipe, so it never even sees an end of file. Those orphans then hold memory
and file descriptors until someone finds and kills them by hand.

`watch_parent(pid)` is a pool initializer that ends the worker (`os._exit`) as soon as the
process `pid` is gone. It watches an explicit pid, not the worker's parent: with the
``forkserver`` (and ``spawn``) start methods a worker's parent is the fork server, not the
process that owns the pool. How it waits, best first:

* ``pidfd`` (Linux >= 5.3): a daemon thread blocks in ``poll`` on ``os.pidfd_open(pid)``,
  which becomes readable the moment the process exits — no polling loop, no delay, and no
  confusion with a later process that reuses the pid;
* otherwise a daemon thread checks every `POLL_INTERVAL` seconds that the pid still exists
  and is not a zombie.

Not ``prctl(PR_SET_PDEATHSIG)``: it fires when the parent *thread* that forked the worker
ends, not the parent process — a pool that starts workers from a helper thread would see
them killed mid-task — and with forkserver the parent is the wrong process anyway.

Use `pool_kwargs` to build the executor's ``initializer``/``initargs``; it chains the pool's
own initializer, if any::

    ProcessPoolExecutor(jobs, mp_context=context, **pool_kwargs(_init_worker, (queue,)))

This module imports neither Scrapy nor ``crawler``: both the crawl and replay use it.
"""

from __future__ import annotations

import os
import select
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, Literal

__all__ = ["ORPHAN_EXIT_STATUS", "POLL_INTERVAL", "Method", "pool_kwargs", "watch_parent"]

#: Exit status of a worker that ended because its owner was gone (nobody is left to read it,
#: but it tells a debugger or an init system's log why the process ended).
ORPHAN_EXIT_STATUS = 70
#: Seconds between checks when the system offers no way to wait for another process's end.
POLL_INTERVAL = 1.0

Method = Literal["auto", "pidfd", "poll"]


def pool_kwargs(
    initializer: Callable[..., object] | None = None,
    initargs: Iterable[Any] = (),
    *,
    method: Method = "auto",
) -> dict[str, Any]:
    """``initializer``/``initargs`` for a process pool whose workers die with this process.

    The pid is taken here, in the process that builds the pool, because a worker cannot find
    it: its own parent may be the fork server. `initializer` runs after the watch is set up.
    """
    return {
        "initializer": _initialize,
        "initargs": (os.getpid(), method, initializer, tuple(initargs)),
    }


def _initialize(
    pid: int,
    method: Method,
    initializer: Callable[..., object] | None,
    initargs: tuple[Any, ...],
) -> None:
    watch_parent(pid, method=method)
    if initializer is not None:
        initializer(*initargs)


def watch_parent(pid: int, *, method: Method = "auto") -> None:
    """End this process with `os._exit` as soon as process `pid` is gone.

    Returns at once: the waiting happens in a daemon thread, so an ordinary shutdown of the
    worker is not held up. `method` is ``"auto"`` (pidfd when available, else polling);
    ``"pidfd"`` or ``"poll"`` force one, which lets the tests exercise the fallback.
    When `pid` is already gone the process ends here, before doing any work.
    """
    if pid == os.getpid():
        raise ValueError("a process cannot watch itself")
    pidfd = None
    if method in ("auto", "pidfd"):
        try:
            pidfd = os.pidfd_open(pid)
        except ProcessLookupError:
            os._exit(ORPHAN_EXIT_STATUS)
        except (AttributeError, OSError):  # not Linux, kernel < 5.3, or a seccomp filter
            if method == "pidfd":
                raise
    if pidfd is not None:
        target: Callable[..., None] = _wait_pidfd
        args: tuple[Any, ...] = (pidfd,)
    else:
        if not _alive(pid):
            os._exit(ORPHAN_EXIT_STATUS)
        target, args = _poll_alive, (pid, POLL_INTERVAL)
    threading.Thread(target=target, args=args, name=f"lifeline-{pid}", daemon=True).start()


def _wait_pidfd(pidfd: int) -> None:
    """Block until the process behind `pidfd` has exited, then end this one."""
    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    while not poller.poll():  # an empty answer cannot happen without a timeout; be safe
        pass
    os._exit(ORPHAN_EXIT_STATUS)


def _poll_alive(pid: int, interval: float) -> None:
    """Check every `interval` seconds that `pid` is alive; end this process when it is not."""
    while True:
        time.sleep(interval)
        if not _alive(pid):
            os._exit(ORPHAN_EXIT_STATUS)


def _alive(pid: int) -> bool:
    """Whether `pid` exists and has not exited (a zombie waits to be reaped: it is gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            # "pid (comm) S ...": comm may hold spaces and ")"; the state follows the last ")".
            state = stat.read().rpartition(b")")[2].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (macOS, BSD): os.kill said it exists
    return state not in (b"Z", b"X")
