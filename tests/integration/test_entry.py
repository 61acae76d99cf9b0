"""The entry code (arch/x86_64/entry/): the kernel's `entrytest` self-test,
its deliberate crashes (each must give a clear report, never a silent
triple fault), and real NMIs injected through QEMU's monitor while the
kernel idles and while user programs run.

The hostile user programs that go with these fixes (ntflag, farret,
singlestep, spawnexit, readdirleak, mapreserved, maplimit) are in
test_hostile.py."""

import os
import re
import socket
import threading
import time

from harness import TestFailure, boot, check_contains, check_match, check_not_contains
from integration.common import (check_alive, check_frames, check_no_processes, enter_user,
                                free_frames, leave_user, panic_report, selftest)

# A monitor socket per runner process (the decorator is evaluated once).
MONITOR_SOCK = f'/tmp/strata-monitor-{os.getpid()}.sock'
NMI_RE = re.compile(r'NMI: (\d+) received, no known source: ignored \(so far (\d+): '
                    r'(\d+) in user mode, (\d+) in the kernel with the user\'s GS'
                    r'(?:, the last at (\S+))?\)')


class Monitor:
    """QEMU's human monitor on a unix socket: cmd('nmi') and the like."""

    def __init__(self, path, timeout=30):
        deadline = time.time() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.time() > deadline:
                    raise TestFailure(f'cannot connect to the QEMU monitor at {path}')
                time.sleep(0.1)
        self.sock.settimeout(timeout)
        self._read_prompt()

    def _read_prompt(self):
        buf = b''
        while b'(qemu) ' not in buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise TestFailure(f'the QEMU monitor closed the connection: {buf!r}')
            buf += chunk
        return buf.decode(errors='replace')

    def cmd(self, line):
        self.sock.sendall(line.encode() + b'\n')
        return self._read_prompt()

    def close(self):
        self.sock.close()


def nmi_figures(out, what):
    """(total, user mode, kernel with the user's GS) from the last NMI report."""
    reports = NMI_RE.findall(out)
    if not reports:
        raise TestFailure(f'{what}: no "NMI: ... received" report:\n{out[-3000:]}')
    _, total, user, window, _ = reports[-1]
    return int(total), int(user), int(window)


# ---- the self-test and the deliberate crashes -------------------------------------

def test_entrytest(m):
    out = selftest(m, 'entrytest', 'entrytest', 30)
    # Its two int $2 (one inside a simulated swapgs window) were NMIs like
    # any other: counted, reported later, the kernel carries on.
    m.cmd('mem')
    total, user, window = nmi_figures(m.output.replace('\r', ''), 'entrytest')
    if total != 2 or user != 0 or window != 1:
        raise TestFailure(f'entrytest: NMI figures {total}/{user}/{window}, expected 2/0/1:\n{out}')
    check_alive(m)


def test_bad_iret_report(m):
    """An iretq to user mode that the CPU refuses (the 32-bit code segment,
    not present): recognised at the iretq, GS switched back, the user
    context reported and its process killed. From the root shell there is
    no process, so the kill ends in a panic: the report must come first."""
    out = panic_report(m, 'entrytest badiret')
    check_match(out, r'trap: the return to user mode faulted \(general protection fault, '
                     r'error 0x18\): rip 0xffff800000400000 cs 0x1b', 'entrytest badiret')
    check_contains(out, 'PANIC: process_fault_signal: user-mode fault in a thread without '
                        'a process', 'entrytest badiret')


def test_double_fault_report(m):
    """A real double fault (#SS whose delivery faults again) with the user's
    GS live: the paranoid entry swaps GS, the report names the fault."""
    out = panic_report(m, 'entrytest df')
    check_contains(out, '*** double fault (vector 8, error code 0) in kernel mode', 'entrytest df')
    check_match(out, r"GS: the user's at entry, swapped to the kernel's \(per-CPU area 0x[0-9a-f]+\)",
                'entrytest df')
    check_contains(out, 'PANIC: trap_fatal: double fault', 'entrytest df')


def test_machine_check_report(m):
    out = panic_report(m, 'entrytest mc')
    check_contains(out, '*** machine check (vector 18, error code 0) in kernel mode', 'entrytest mc')
    check_contains(out, "GS: the user's at entry, swapped to the kernel's", 'entrytest mc')
    check_contains(out, 'PANIC: trap_fatal: machine check', 'entrytest mc')


# ---- NMIs from outside ----------------------------------------------------------------

def run_with_nmis(m, mon, line, timeout=300, gap=0.005):
    """Type `line` at the current prompt and inject NMIs until the prompt is
    back; returns (output, NMIs injected)."""
    stop = threading.Event()
    sent = [0]
    errors = []

    def inject():
        try:
            while not stop.is_set():
                mon.cmd('nmi')
                sent[0] += 1
                time.sleep(gap)
        except (OSError, TestFailure) as e:
            errors.append(e)

    injector = threading.Thread(target=inject, daemon=True)
    injector.start()
    try:
        out = m.cmd(line, timeout=timeout)
    finally:
        stop.set()
        injector.join(timeout=30)
    if errors:
        raise TestFailure(f'injecting NMIs during {line!r}: {errors[0]}')
    return out, sent[0]


@boot(extra_args=['-monitor', f'unix:{MONITOR_SOCK},server=on,wait=off'])
def test_nmi_injected(m):
    """NMIs from QEMU's monitor (`nmi`): while the kernel idles at the root
    prompt, and while user programs run (in user mode, in system calls, in
    the swapgs windows of the entry paths). Each is counted and ignored;
    nothing panics, the programs finish, every frame comes back."""
    mon = Monitor(MONITOR_SOCK)
    try:
        mon.cmd('nmi')
        m.expect('NMI: 1 received, no known source: ignored (so far 1: 0 in user mode, 0 in '
                 "the kernel with the user's GS)", timeout=30)
        m.expect('\n')             # the rest of the report's line
        check_no_processes(m)
        before, before_out = free_frames(m)
        enter_user(m)
        out, sent_busy = run_with_nmis(m, mon, 'spin -b 20')
        check_match(out, r'spin \d+: done \(20 million iterations\)', 'spin -b 20 under NMIs')
        out, sent_sys = run_with_nmis(m, mon, 'sysbench 20000')
        check_match(out, r'sysbench: syscall: \d+ cycles/call \(20000 calls\)',
                     'sysbench 20000 under NMIs')
        check_match(out, r'sysbench: int80: \d+ cycles/call \(20000 calls\)',
                     'sysbench 20000 under NMIs')
        check_not_contains(out, 'sh: ', 'sysbench 20000 under NMIs')
        leave_user(m)
        m.cmd('mem')            # a few more timer ticks: the last report is out
        total, user, window = nmi_figures(m.output.replace('\r', ''), 'the NMI reports')
        if total < 2 or total > 1 + sent_busy + sent_sys:
            raise TestFailure(f'{total} NMIs counted for {1 + sent_busy + sent_sys} injected')
        if user == 0:
            raise TestFailure(f'none of {total} NMIs struck in user mode (spin -b runs there)')
        check_no_processes(m)
        check_frames(m, before, before_out)
        check_alive(m)
    finally:
        mon.close()
        if os.path.exists(MONITOR_SOCK):
            os.unlink(MONITOR_SOCK)


def test_syscall_paths(m):
    """sysregs (user/bin/sysregs.c): a system call gives back every register
    but rax, rcx and r11 on both entry paths (the fast path keeps rbx, rbp
    and r12-r15 live in their registers and saves only the rest), and a
    fast call made with TF set leaves through iretq, so single-stepping
    across it sees ordinary steps."""
    enter_user(m)
    out = m.cmd('sysregs')
    for needle in ['sysregs: fast: ok', 'sysregs: full: ok', 'sysregs: step: ok', 'sysregs: ok']:
        check_contains(out, needle, 'sysregs')
    for bad in ['FAILED', 'sh: ', 'killed by', 'user fault']:
        check_not_contains(out, bad, 'sysregs')
    leave_user(m)
