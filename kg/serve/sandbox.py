"""The second safety layer: a query worker process that cannot open network connections.

Whatever the query text says, the engine in a worker cannot reach another host: before the
worker opens the store, a seccomp filter makes ``socket(AF_INET | AF_INET6, …)`` (and
``io_uring_setup``, which could create sockets past the filter) fail with EPERM, for every
thread of the process and every thread it starts later. The pipe to the server was made
before, so it keeps working. Where seccomp is not available the worker moves into a network
namespace of its own (no interfaces but a loopback that is down); where neither holds
(macOS, Windows, other CPUs) the worker runs as before and :func:`block_network` says why.
"""
from __future__ import annotations

import ctypes
import errno
import os
import platform
import socket
import struct
import sys

# Linux ABI (linux/seccomp.h, linux/filter.h, linux/audit.h, asm/unistd.h).
_ARCH = {  # machine: (AUDIT_ARCH_*, nr of socket, nr of seccomp, nr of io_uring_setup)
    "x86_64": (0xC000003E, 41, 317, 425),
    "aarch64": (0xC00000B7, 198, 277, 425),
}
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_ALLOW, _ERRNO = 0x7FFF0000, 0x00050000
_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _MODE_FILTER = 38, 22, 2
_SET_MODE_FILTER, _FLAG_TSYNC = 1, 1
_CLONE_NEWUSER, _CLONE_NEWNET = 0x10000000, 0x40000000


class _Filter(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _program(arch: int, nr_socket: int, nr_uring: int) -> bytes:
    """BPF over struct seccomp_data {int nr; u32 arch; u64 ip; u64 args[6]}."""
    deny = _ERRNO | errno.EPERM
    code = [
        (_LD_W_ABS, 0, 0, 4),                # A = arch
        (_JEQ_K, 1, 0, arch),                # another ABI (i386, x32 …): deny everything
        (_RET_K, 0, 0, deny),
        (_LD_W_ABS, 0, 0, 0),                # A = syscall number
        (_JGE_K, 0, 1, 0x40000000),          # x32 numbers on x86_64
        (_RET_K, 0, 0, deny),
        (_JEQ_K, 0, 1, nr_uring),
        (_RET_K, 0, 0, deny),
        (_JEQ_K, 1, 0, nr_socket),
        (_RET_K, 0, 0, _ALLOW),
        (_LD_W_ABS, 0, 0, 16),               # A = low half of args[0], the address family
        (_JEQ_K, 2, 0, socket.AF_INET),
        (_JEQ_K, 1, 0, socket.AF_INET6),
        (_RET_K, 0, 0, _ALLOW),
        (_RET_K, 0, 0, deny),
    ]
    return b"".join(struct.pack("=HBBI", *c) for c in code)


def _seccomp(libc) -> str | None:
    """Install the filter; None when done, else why not."""
    arch = _ARCH.get(platform.machine())
    if arch is None:
        return f"no seccomp program for {platform.machine()}"
    prog = ctypes.create_string_buffer(_program(arch[0], arch[1], arch[3]))
    fprog = _Filter(len(prog.raw) // 8, ctypes.addressof(prog))
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return f"prctl(NO_NEW_PRIVS): {os.strerror(ctypes.get_errno())}"
    if libc.syscall(arch[2], _SET_MODE_FILTER, _FLAG_TSYNC, ctypes.byref(fprog)) == 0:
        return None
    if libc.prctl(_PR_SET_SECCOMP, _MODE_FILTER, ctypes.byref(fprog), 0, 0) == 0:
        return None  # this thread only: the worker has no other thread yet
    return f"seccomp: {os.strerror(ctypes.get_errno())}"


def _unshare(libc) -> str | None:
    for flags in (_CLONE_NEWNET, _CLONE_NEWUSER | _CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            return None
    return f"unshare(CLONE_NEWNET): {os.strerror(ctypes.get_errno())}"


def block_network() -> tuple[bool, str]:
    """Make this process unable to open IPv4/IPv6 sockets: (done, how or why not)."""
    if not sys.platform.startswith("linux"):
        return False, f"not available on {sys.platform}"
    libc = ctypes.CDLL(None, use_errno=True)
    why = _seccomp(libc)
    if why is None:
        return True, "seccomp"
    why2 = _unshare(libc)
    if why2 is None:
        return True, "network namespace"
    return False, f"{why}; {why2}"
