"""A kernel-enforced "no network" for the query worker processes (Linux seccomp, via ctypes).

pyoxigraph evaluates ``SERVICE <http://…>`` by opening an HTTP connection from the process that
runs the query.  The screen (``server.screen``) refuses such queries with a clear 403, but a
lexer is only as good as its model of the engine's grammar; this filter makes the guarantee not
depend on it: once installed, ``socket()`` fails with EPERM in every thread of the worker, so no
query can open a connection to any host or port, whatever it says.  The worker needs no new
socket: it talks to the service through the pipe it inherited, which stays usable.

The filter also refuses ``io_uring_setup`` (io_uring can create and connect sockets without the
``socket`` and ``connect`` system calls), system calls of the x32 ABI and of any architecture
other than the native one (the classic ways around a syscall filter).  ``PR_SET_NO_NEW_PRIVS`` is
set first, as the kernel requires for an unprivileged filter; it also means the worker can never
gain privileges through an exec.  A filter cannot be removed: the worker stays confined for life.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
import sys

# linux/filter.h, linux/seccomp.h, linux/audit.h
_BPF_LD_W_ABS = 0x20
_BPF_JEQ_K = 0x15
_BPF_JGE_K = 0x35
_BPF_RET_K = 0x06
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1
_PR_SET_NO_NEW_PRIVS = 38
_X32_SYSCALL_BIT = 0x40000000
_OFFSET_NR, _OFFSET_ARCH = 0, 4

#: machine → (audit architecture, seccomp syscall number, refused syscall numbers, has x32)
_ARCHES: dict[str, tuple[int, int, tuple[int, ...], bool]] = {
    # socket 41, io_uring_setup 425
    "x86_64": (0xC000003E, 317, (41, 425), True),
    # socket 198, io_uring_setup 425
    "aarch64": (0xC00000B7, 277, (198, 425), False),
}


class SandboxUnavailable(Exception):
    """This system cannot confine the worker (not Linux, an unknown architecture, no seccomp)."""


def _insn(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def program(machine: str) -> bytes:
    """The BPF program: EPERM for socket(), io_uring_setup(), x32 and foreign-architecture calls."""
    if machine not in _ARCHES:
        raise SandboxUnavailable(f"no seccomp filter for the {machine} architecture")
    arch, _, refused, x32 = _ARCHES[machine]
    # (code, k, jump to DENY if true, jump to DENY if false); DENY is the last instruction
    steps: list[tuple[int, int, bool, bool]] = [(_BPF_LD_W_ABS, _OFFSET_ARCH, False, False),
                                                (_BPF_JEQ_K, arch, False, True),
                                                (_BPF_LD_W_ABS, _OFFSET_NR, False, False)]
    if x32:
        steps.append((_BPF_JGE_K, _X32_SYSCALL_BIT, True, False))
    steps += [(_BPF_JEQ_K, nr, True, False) for nr in refused]
    deny_at = len(steps) + 1  # after the steps: ALLOW, then DENY
    code = []
    for i, (op, k, deny_if_true, deny_if_false) in enumerate(steps):
        to_deny = deny_at - (i + 1)  # jumps count from the next instruction
        code.append(_insn(op, k, to_deny if deny_if_true else 0, to_deny if deny_if_false else 0))
    code.append(_insn(_BPF_RET_K, _SECCOMP_RET_ALLOW))
    code.append(_insn(_BPF_RET_K, _SECCOMP_RET_ERRNO | errno.EPERM))
    return b"".join(code)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def confine() -> None:
    """Forbid new sockets in this process, in all its threads, for good.

    Raises :class:`SandboxUnavailable` where the kernel or architecture does not allow it.
    """
    if not sys.platform.startswith("linux"):
        raise SandboxUnavailable(f"seccomp is Linux-only (this is {sys.platform})")
    machine = platform.machine()
    code = program(machine)
    seccomp_nr = _ARCHES[machine][1]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SandboxUnavailable(f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}")
    buffer = ctypes.create_string_buffer(code, len(code))
    prog = _SockFprog(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    result = libc.syscall(seccomp_nr, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC, ctypes.byref(prog))
    if result != 0:
        err = ctypes.get_errno()
        reason = os.strerror(err) if result < 0 else f"thread {result} could not be synchronised"
        raise SandboxUnavailable(f"seccomp(SECCOMP_SET_MODE_FILTER) failed: {reason}")
