"""The monitor for user programs (issue 13, JOS lab 3's breakpoint exercise
and its challenge; docs/monitor.md), driven as a person would: `urun -d
debugme` stops at the program's int3 in a `monitor> ` prompt; each command
(help, regs, x, bt, break, delete, step, continue, kill), the hostile
cases (kernel and unmapped addresses for x and break, bogus commands,
long lines, Ctrl-C), breakpoints kept away from fork children, a program
that never stops, a SIGTRAP handler that wins, and `urun` without -d as
before. Addresses are checked against the program's own symbols (nm).

Every test starts and ends with no process and the same free frame count
(a killed or finished program leaves nothing behind), and the kernel alive."""

import os
import re
import subprocess

from harness import ROOT, ROOT_PROMPT, TestFailure, check_contains, check_match, check_not_contains
from integration.common import (URUN_TIMEOUT, check_alive, check_frames, check_no_processes,
                                free_frames)

MONITOR_PROMPT = 'monitor> '
DEBUGME = os.path.join(ROOT, 'build', 'user', 'bin', 'debugme')


def symbols():
    """{name: address} of debugme, from nm."""
    out = subprocess.run(['nm', DEBUGME], capture_output=True, text=True, check=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            syms[parts[2]] = int(parts[0], 16)
    for name in ['debugme_inner', 'debugme_outer', 'debugme_tick', 'debugme_value', 'main', '_start']:
        if name not in syms:
            raise TestFailure(f'nm {DEBUGME}: no symbol {name}')
    return syms


def mon(m, line):
    """A command at the monitor prompt; what it printed."""
    return m.cmd_at(line, MONITOR_PROMPT, URUN_TIMEOUT)


def to_root(m, line):
    """A line that ends the program: what was printed until the root prompt."""
    return m.cmd_at(line, ROOT_PROMPT, URUN_TIMEOUT)


def stop_rip(out, where, why, what):
    """The rip of the stop line in out, which must say <where>: why."""
    s = check_match(out, r'monitor: debugme \(pid \d+\) stopped at (0x[0-9a-f]+) <' +
                    re.escape(where) + r'>: ' + re.escape(why), what)
    return int(s.group(1), 16)


def session(m, body):
    """No process and the free frames before; body(); the same after."""
    check_no_processes(m)
    before, before_out = free_frames(m)
    body()
    check_no_processes(m)
    check_frames(m, before, before_out)
    check_alive(m, ['monitor: cannot', 'keeps the int3'])


def frames_of(out):
    """The symbols of a backtrace's lines, in order."""
    return re.findall(r'(?m)^#\d+\s+0x[0-9a-f]+ <([A-Za-z_]\w*)', out)


# ---- the commands ---------------------------------------------------------------

def test_monitor_commands(m):
    syms = symbols()

    def body():
        out = mon(m, 'urun -d debugme')
        check_contains(out, 'debugme: start', 'urun -d debugme')
        rip = stop_rip(out, 'debugme_inner+0x5', 'int3 in the program', 'the first stop')
        if rip != syms['debugme_inner'] + 5:
            raise TestFailure(f'stopped at {rip:#x}, debugme_inner is at {syms["debugme_inner"]:#x}')

        out = mon(m, 'help')
        for cmd in ['help', 'regs', 'x ADDR|SYMBOL|$REG [N]', 'bt', 'break [ADDR|SYMBOL|$REG]', 'delete N',
                    'step', 'continue', 'kill', '8-byte words']:
            check_contains(out, cmd, 'monitor help')

        out = mon(m, 'regs')
        check_match(out, r'RIP 0x0*%x <debugme_inner\+0x5>' % rip, 'regs')
        for reg in ['RAX', 'RBX', 'RCX', 'RDX', 'RSI', 'RDI', 'RBP', 'RSP', 'R8 ', 'R15', 'RFLAGS']:
            check_contains(out, reg, 'regs')

        out = mon(m, 'bt')
        if frames_of(out) != ['debugme_inner', 'debugme_outer', 'main', '_start']:
            raise TestFailure(f'bt at the int3 shows {frames_of(out)}:\n{out}')

        # $REG as an address, as in GDB: x $rsp reads the stack at rsp.
        rsp = int(check_match(mon(m, 'regs'), r'RSP ([0-9a-f]{16})', 'regs (rsp)').group(1), 16)
        check_match(mon(m, 'x $rsp 1'), r'0x0*%x( <[^>]*>)?:\s+0x[0-9a-f]{16}\n' % rsp, 'x $rsp 1')
        check_contains(mon(m, 'x $rpi'), "x: '$rpi' is not a register", 'x $rpi')

        out = mon(m, 'x debugme_value 1')
        check_match(out, r'0x0*%x <debugme_value>:\s+0x1122334455667788\n' % syms['debugme_value'],
                    'x debugme_value 1')
        out = mon(m, 'x %#x' % syms['debugme_value'])
        words = [w for line in out.split('\n') if ':' in line
                 for w in re.findall(r'0x[0-9a-f]{16}', line.split(':', 1)[1])]
        if len(words) != 4 or words[0] != '0x1122334455667788':
            raise TestFailure(f'x ADDR (default 4 words) printed:\n{out}')

        tick = syms['debugme_tick']
        out = mon(m, 'break debugme_tick')
        check_match(out, r'breakpoint 1 at 0x0*%x <debugme_tick>' % tick, 'break debugme_tick')
        check_match(mon(m, 'break'), r'breakpoint 1 at 0x0*%x' % tick, 'break (the list)')
        # x shows the program's byte, not the planted int3 (0xcc).
        out = mon(m, 'x debugme_tick 1')
        word = check_match(out, r'<debugme_tick>:\s+0x([0-9a-f]{16})', 'x debugme_tick').group(1)
        if word.endswith('cc'):
            raise TestFailure(f'x shows the planted int3 at debugme_tick:\n{out}')

        out = mon(m, 'step')
        s = check_match(out, r'stopped at (0x[0-9a-f]+) <debugme_inner\+0x[0-9a-f]+>: step', 'step')
        if int(s.group(1), 16) <= rip:
            raise TestFailure(f'step went from {rip:#x} to {s.group(1)}')

        out = mon(m, 'continue')
        check_contains(out, 'debugme: after int3', 'continue to the breakpoint')
        check_not_contains(out, 'debugme: tick', 'continue to the breakpoint')
        stop_rip(out, 'debugme_tick', 'breakpoint 1', 'continue to the breakpoint')
        check_match(mon(m, 'regs'), r'RIP 0x0*%x <debugme_tick>' % tick, 'regs at the breakpoint')
        # At a function's first instruction: the caller comes from rsp.
        out = mon(m, 'bt')
        if frames_of(out) != ['debugme_tick', 'main', '_start']:
            raise TestFailure(f'bt at debugme_tick shows {frames_of(out)}:\n{out}')

        # Stepping over the breakpoint runs the program's instruction...
        out = mon(m, 'step')
        stop_rip(out, 'debugme_tick+0x1', 'step', 'step over the breakpoint')
        # ... and plants the int3 again: the next call stops too.
        out = mon(m, 'c')
        check_contains(out, 'debugme: tick 1', 'c')
        stop_rip(out, 'debugme_tick', 'breakpoint 1', 'the breakpoint again')

        check_contains(mon(m, 'delete 1'), 'deleted breakpoint 1', 'delete 1')
        check_contains(mon(m, 'break'), 'no breakpoints', 'break after delete')
        out = to_root(m, 'continue')
        for line in ['debugme: tick 2', 'debugme: tick 3', 'debugme: done, sum 12']:
            check_contains(out, line, 'continue to the end')
        check_not_contains(out, 'monitor:', 'continue to the end')
        check_not_contains(out, 'urun:', 'continue to the end (exit status 0)')

    session(m, body)


# ---- hostile input ----------------------------------------------------------------

def test_monitor_hostile(m):
    syms = symbols()

    def body():
        stop_rip(mon(m, 'urun -d debugme'), 'debugme_inner+0x5', 'int3 in the program', 'stop')
        not_user = 'is not a user address'
        # x: the kernel (low half, the kernel stacks' window), the top of
        # the address space, the unmapped bottom of the user half, and a
        # read that runs from the stack's top off the user half.
        for addr in ['0x100000', '0', '0x400000000000', '0xffffffffffffffff']:
            check_contains(mon(m, f'x {addr} 1'), not_user, f'x {addr}')
        check_contains(mon(m, 'x 0xffff800000000000 2'), 'nothing the program can read is mapped',
                       'x of the unmapped bottom of the user half')
        out = mon(m, 'x 0xffffff7ffffffff0 4')
        check_match(out, r'0xffffff7ffffffff0:\s+0x[0-9a-f]{16}\s+0x[0-9a-f]{16}\n', 'x at the stack top')
        check_contains(out, f'0xffffff8000000000 {not_user}', 'x past the user half')
        # break: kernel code, unmapped, data, unknown symbol, duplicates, all slots.
        check_contains(mon(m, 'break 0x100000'), not_user, 'break on kernel code')
        check_contains(mon(m, 'break 0xffffffff80000000'), not_user, 'break on a high kernel address')
        check_contains(mon(m, 'break 0xffff800000000000'), 'nothing is mapped', 'break on unmapped')
        check_contains(mon(m, 'break debugme_value'), "is not in the program's code", 'break on data')
        check_contains(mon(m, 'break no_such_symbol'), 'neither a number, a symbol of the program nor a $register', 'break no_such_symbol')
        check_contains(mon(m, 'x no_such_symbol'), 'neither a number, a symbol of the program nor a $register', 'x no_such_symbol')
        main = syms['main']
        for i in range(8):
            check_contains(mon(m, f'break {main + i:#x}'), f'breakpoint {i + 1} at', f'break {i + 1}')
        check_contains(mon(m, f'break {main:#x}'), 'is already at', 'the same breakpoint twice')
        check_contains(mon(m, 'break debugme_tick'), 'all 8 breakpoints are in use', 'a ninth breakpoint')
        # Bad commands and arguments.
        check_contains(mon(m, 'frobnicate'), "unknown command 'frobnicate'", 'bogus command')
        check_contains(mon(m, 'x'), 'usage: x', 'x alone')
        check_contains(mon(m, 'x debugme_value 0'), 'count must be 1..64', 'x N 0')
        check_contains(mon(m, 'x debugme_value 65'), 'count must be 1..64', 'x N 65')
        check_contains(mon(m, 'x debugme_value lots'), 'count must be 1..64', 'x N not a number')
        check_contains(mon(m, 'x 1 2 3 4'), 'too many words', 'too many words')
        check_contains(mon(m, 'x "debugme_value'), 'unterminated quote', 'a quote')
        check_contains(mon(m, 'delete 9'), 'give the number of a breakpoint', 'delete 9')
        check_contains(mon(m, 'delete'), 'give the number of a breakpoint', 'delete alone')
        check_contains(mon(m, 'x' * 300), 'line too long', 'a 300-character line')
        check_contains(mon(m, 'x ' + '9' * 40), 'neither a number, a symbol of the program nor a $register', 'a 40-digit number')
        # Ctrl-C abandons the line being typed; the program stays stopped.
        m.send('regs\x03')
        m.prompt, old = MONITOR_PROMPT, m.prompt
        try:
            out = m.wait_prompt(URUN_TIMEOUT)
        finally:
            m.prompt = old
        check_contains(out, '^C', 'Ctrl-C at the monitor prompt')
        check_contains(mon(m, 'regs'), 'RIP', 'regs after Ctrl-C')
        out = to_root(m, 'kill')
        check_contains(out, 'monitor: killing debugme', 'kill')
        check_match(out, r'urun: /bin/debugme \(pid \d+\) was killed by signal 9', 'kill')

    session(m, body)


# ---- breakpoints and fork -----------------------------------------------------------

def test_monitor_fork(m):
    """A child forked before the breakpoint is planted shares the text frame
    (the int3 goes into a private copy of the parent's); one forked after
    gets the program's byte back: neither dies of the parent's int3."""
    def body():
        stop_rip(mon(m, 'urun -d debugme fork'), 'debugme_inner+0x5', 'int3 in the program', 'stop')
        check_contains(mon(m, 'break debugme_tick'), 'breakpoint 1 at', 'break')
        out = mon(m, 'continue')
        for n, tick in [(1, 10), (2, 20)]:
            check_contains(out, f'debugme: tick {tick}', f'child {n}')
            check_contains(out, f'debugme: child {n} exited with status 0', f'child {n}')
        check_not_contains(out, 'killed', 'the children')
        stop_rip(out, 'debugme_tick', 'breakpoint 1', "the parent's breakpoint")
        out = to_root(m, 'kill')
        check_match(out, r'urun: /bin/debugme \(pid \d+\) was killed by signal 9', 'kill')

    session(m, body)


# ---- what the monitor leaves alone ----------------------------------------------------

def test_monitor_not_stopping(m):
    """-d with a program that never reaches an int3, with programs whose
    SIGTRAP handler takes the int3 or the trap flag, and without -d: as
    before the monitor existed."""
    def body():
        mark = m.mark()
        out = to_root(m, 'urun -d debugme nobreak')
        check_contains(out, 'debugme: no int3', 'debugme nobreak')
        check_contains(out, 'debugme: done, sum 12', 'debugme nobreak')
        out = to_root(m, 'urun -d debugme handler')
        check_contains(out, 'debugme: handler caught signal 5', 'debugme handler')
        check_contains(out, 'debugme: done, sum 12', 'debugme handler')
        out = to_root(m, 'urun -d brkpt')
        check_contains(out, 'brkpt: caught SIGTRAP', 'brkpt under -d')
        check_contains(out, 'brkpt: resumed', 'brkpt under -d')
        out = to_root(m, 'urun -d singlestep')
        check_contains(out, 'singlestep: ok (4 steps, then TF cleared)', 'singlestep under -d')
        # Without -d: SIGTRAP kills, as it always did.
        out = to_root(m, 'urun debugme')
        check_match(out, r'\[pid \d+\] user fault ip 0x[0-9a-f]+ \(breakpoint\)', 'urun debugme')
        check_match(out, r'urun: /bin/debugme \(pid \d+\) was killed by signal 5', 'urun debugme')
        check_not_contains(m.output_since(mark), 'monitor', 'every run above')
        check_contains(m.cmd('help urun'), 'urun [-d]', 'help urun')

    session(m, body)
