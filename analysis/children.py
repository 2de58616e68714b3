"""Child processes that die with their parent, and what /proc says about them.

A batch's workers and their Jupyter kernels must not outlive it: killed with SIGKILL, the batch
process cannot clean up, so every child asks Linux (prctl PR_SET_PDEATHSIG) to be killed when its
parent dies. Workers ask for it in their pool initializer, kernels before they start
(`die_with_parent` as Popen's preexec_fn). Elsewhere than Linux these are no-ops.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1
_LINUX = sys.platform.startswith("linux")
# resolved here, not in a forked child: a child may only call what is already loaded
_prctl = ctypes.CDLL(None, use_errno=True).prctl if _LINUX else None


def die_with_parent() -> None:
    """Have this process killed (SIGKILL) when its parent dies. Safe as a preexec_fn."""
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def die_with(parent_pid: int) -> None:
    """`die_with_parent`, and exit now if `parent_pid` already died before we asked."""
    die_with_parent()
    if _LINUX and os.getppid() != parent_pid:
        os._exit(1)


def _status(pid: int | str) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)


def peak_mb(pid: int | str = "self") -> float | None:
    """The process's peak resident memory (VmHWM) in MB, or None if it is gone or not Linux."""
    value = _status(pid).get("VmHWM", "").strip()
    return round(int(value.split()[0]) / 1024, 1) if value else None


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process (from /proc/<pid>/stat)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (command) state ppid …": the command may hold spaces and parentheses
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def children(pid: int | None = None) -> list[int]:
    """The child processes of `pid` (default: this process)."""
    pid = os.getpid() if pid is None else pid
    return sorted(p for p, parent in _parents().items() if parent == pid)


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children, grandchildren, …), found in one scan of /proc."""
    parents = _parents()
    out, todo = [], [pid]
    while todo:
        below = [p for p, parent in parents.items() if parent == todo[-1]]
        todo.pop()
        out += below
        todo += below
    return sorted(out)


def alive(pid: int) -> bool:
    """True unless the process is gone or a zombie (dead, waiting to be reaped)."""
    state = _status(pid).get("State", "")
    return bool(state) and not state.startswith(("Z", "X"))
