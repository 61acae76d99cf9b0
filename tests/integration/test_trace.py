"""The root shell's `trace` (issue 13: tracing a student can watch) and
`ases detail NAME [ADDRESS]`'s page-table pictures.

  - `trace faults on`: one line per page fault with the address, access,
    verdict, region, pager and cycles; the writes of /bin/pagetouch to
    known pages of its anonymous region show up exactly, the faults that
    load the program (file pager) too; `off` stops them;
  - `trace syscalls on`: a known call's name, arguments and result, for
    the right process; `off` stops them;
  - `trace switches on`: switches between two spinning processes' address
    spaces, naming the thread; `off` stops them;
  - bad arguments give the usage line and change nothing;
  - everything on while a fork bomb runs: the kernel survives, every frame
    comes back;
  - `ases detail PID ADDRESS`: the legend, and the picture of a lazy
    region with chosen pages touched (exact counts and map)."""

import re
import time

from harness import ROOT_PROMPT, USER_PROMPT, TestFailure, check_contains, check_match, check_not_contains
from integration.common import (URUN_TIMEOUT, check_alive, check_frames, check_no_processes,
                                enter_user, free_frames, leave_user)

STATUS_RE = r'trace: faults (on|off), syscalls (on|off), switches (on|off)'
USAGE = 'usage: trace [faults|syscalls|switches|all on|off]'
PAGE = 4096
HEX = r'0x[0-9a-f]+'


def status(m):
    """(faults, syscalls, switches) as `trace` reports them: True for on."""
    s = check_match(m.cmd('trace'), STATUS_RE, 'trace')
    return tuple(g == 'on' for g in s.groups())


def pagetouch_region(out):
    """The region address /bin/pagetouch printed."""
    return int(check_match(out, r'pagetouch \d+: region (' + HEX + r'), \d+ pages', 'pagetouch').group(1), 16)


def wait_no_processes(m, timeout=60):
    """Poll `ps` until no process is left (an orphan is reaped by the
    kernel's reaper, a little after it printed its last line)."""
    deadline = time.time() + timeout
    while True:
        lines = [l for l in m.cmd('ps').split('\n') if l.strip()]
        if len(lines) == 1:
            return
        if time.time() > deadline:
            raise TestFailure('processes left:\n' + '\n'.join(lines))
        time.sleep(1)


def test_trace_off_by_default(m):
    if status(m) != (False, False, False):
        raise TestFailure('tracing should be off at boot:\n' + m.cmd('trace'))
    check_not_contains(m.cmd('urun hello', timeout=URUN_TIMEOUT), 'trace: ', 'urun hello, tracing off')


def test_trace_faults(m):
    before, before_out = free_frames(m)
    out = m.cmd('trace faults on')
    check_match(out, r'trace: faults on, syscalls off, switches off', 'trace faults on')
    out = m.cmd('urun pagetouch 16 0 3 7', timeout=URUN_TIMEOUT)
    base = pagetouch_region(out)
    # The two writes: exactly these addresses, filled by the anon pager.
    for idx in (3, 7):
        va = base + idx * PAGE
        check_match(out, rf"trace: fault va={va:#x} w,user verdict=resolved "
                    rf"region=\[{base:#x}-{base + 16 * PAGE:#x}\) rw- -UL anon pager=anon "
                    rf"cycles=\d+ thread=\d+ 'pagetouch'", f'the fault of page {idx}')
    writes = re.findall(rf'trace: fault va=({HEX}) w,user verdict=resolved region=\[{base:#x}-', out)
    if writes != [hex(base + 3 * PAGE), hex(base + 7 * PAGE)]:
        raise TestFailure(f'expected exactly the faults of pages 3 and 7 of the region, got {writes}:\n{out}')
    # Loading the program: its text is filled from the file on first fetch.
    check_match(out, r"trace: fault va=0xffff8000004[0-9a-f]+ x,user verdict=resolved "
                r"region=\[0xffff800000400000-" + HEX + r"\) r-x -UL file pager=file cycles=\d+",
                'a fault loading the program text')
    check_match(m.cmd('trace faults off'), r'trace: faults off, syscalls off, switches off', 'off')
    out = m.cmd('urun pagetouch 16 0 3 7', timeout=URUN_TIMEOUT)
    check_contains(out, 'pagetouch', 'pagetouch again')
    check_not_contains(out, 'trace: fault', 'urun with faults traced off')
    check_frames(m, before, before_out)


def test_trace_fault_not_resolved(m):
    """A fault the process is killed for: the verdict and reason."""
    m.cmd('trace faults on')
    out = m.cmd('urun nullderef', timeout=URUN_TIMEOUT)
    check_match(out, r"trace: fault va=0x0 [rw],user verdict=access not allowed: no region covers the "
                r"address region=none pager=none cycles=\d+ thread=\d+ 'nullderef'", 'nullderef')
    m.cmd('trace faults off')


def test_trace_syscalls(m):
    check_match(m.cmd('trace syscalls on'), r'trace: faults off, syscalls on, switches off', 'on')
    out = m.cmd('urun hello', timeout=URUN_TIMEOUT)
    pid = check_match(out, r'hello: my pid is (\d+)', 'hello').group(1)
    who = rf"trace: syscall pid={pid} 'hello': "
    check_match(out, '(?m)' + re.escape(who) + r'write\(1, "Hello, world!\\n", 14\) += 14$',
                'write of hello')
    check_match(out, '(?m)' + re.escape(who) + rf'getpid\(\) += {pid}$', 'getpid of hello')
    check_match(out, '(?m)' + re.escape(who) + r'exit\(0\) += \?$', 'exit of hello')
    check_match(out, re.escape(who) + r'\+\+\+ exited with 0 \+\+\+', 'the end of hello')
    # An error result, decoded as strace does.
    out = m.cmd('urun cat /nonexistent', timeout=URUN_TIMEOUT)
    check_match(out, r"trace: syscall pid=\d+ 'cat': open\(\"/nonexistent\", O_RDONLY(, 0)?\) += -1 ENOENT",
                'a failing open')
    check_match(m.cmd('trace syscalls off'), r'trace: faults off, syscalls off, switches off', 'off')
    check_not_contains(m.cmd('urun hello', timeout=URUN_TIMEOUT), 'trace: syscall', 'syscalls off')


def test_trace_switches(m):
    check_match(m.cmd('trace switches on'), r'trace: faults off, syscalls off, switches on', 'on')
    m.sendline('urun /bin/sh -c "spin 300 & spin 300; wait"')
    m.expect('\n')
    out = m.wait_prompt(URUN_TIMEOUT * 2)
    pids = re.findall(r'spin (\d+): start', out)
    if len(pids) != 2:
        raise TestFailure(f'two spins should start:\n{out[-3000:]}')
    a, b = (f'proc{p}.1' for p in pids)
    # (The thread keeps the name of the shell it was forked from.)
    between = re.findall(rf"trace: switch '({a}|{b})' -> '({a}|{b})' thread=\d+ '[^']+'", out)
    if not any(x != y for x, y in between):
        raise TestFailure(f'no switch line between {a} and {b}:\n{out[-3000:]}')
    check_match(out, r"trace: switch '" + re.escape(a) + r"' -> '[^']+' thread=\d+ '[^']+'", 'switch lines')
    # The shell stays usable: typing works while lines come, and off stops them.
    check_match(m.cmd('trace switches off'), r'trace: faults off, syscalls off, switches off', 'off')
    check_not_contains(m.cmd('urun hello', timeout=URUN_TIMEOUT), 'trace: switch', 'switches off')


def test_trace_usage(m):
    for line in ['trace bogus', 'trace faults maybe', 'trace faults on extra', 'trace faults',
                 'trace on', 'trace syscalls ON', 'trace switches off off']:
        check_contains(m.cmd(line), USAGE, line)
    if status(m) != (False, False, False):
        raise TestFailure('a refused trace command changed what is traced:\n' + m.cmd('trace'))
    check_match(m.cmd('trace all on'), r'trace: faults on, syscalls on, switches on', 'trace all on')
    check_match(m.cmd('trace all off'), r'trace: faults off, syscalls off, switches off', 'trace all off')
    check_contains(m.cmd('help trace'), USAGE.replace('usage: ', ''), 'help trace')


def test_trace_fork_bomb(m):
    """Everything traced while a fork bomb fills the process table: the
    lines are rate limited, the kernel survives, every frame comes back."""
    before, before_out = free_frames(m)
    m.cmd('trace all on')
    out = m.cmd('urun /jos/forkbomb', timeout=URUN_TIMEOUT * 6)
    check_match(out, r'forkbomb: fork failed \((resource temporarily unavailable|out of memory)',
                'forkbomb')
    check_contains(out, 'trace: syscall', 'forkbomb traced')
    check_contains(out, 'trace: fault', 'forkbomb traced')
    m.cmd('trace all off')
    wait_no_processes(m)
    check_frames(m, before, before_out)
    check_alive(m)


def test_ases_detail_picture(m):
    before, before_out = free_frames(m)
    enter_user(m)
    # Its line may come before or after the next prompt: wait for the line
    # only (leave_user waits for the root prompt whatever came between).
    m.sendline('pagetouch 100 10000 0 2 5 99 &')
    line = m.expect(re.compile(r'pagetouch (\d+): region (' + HEX + r'), 100 pages, 4 touched'),
                    timeout=URUN_TIMEOUT)
    pid, base = line.group(1), int(line.group(2), 16)
    leave_user(m)                       # pagetouch lives on, an orphan, for 10 s
    out = m.cmd(f'ases detail {pid} {base:#x}')
    check_contains(out, 'flags: r always, w writable, x executable; P pinned; K kernel-only, U user; '
                   'E eager, L lazy (filled on fault); kind phys|anon|file|kstack', 'the legend')
    check_match(out, rf"aspace \d+ 'proc{pid}\.1' \(impl paging\)", 'the address space')
    lines = out.split('\n')
    i = next((k for k, l in enumerate(lines)
              if l.strip().startswith(f'[{base:#x}-{base + 100 * PAGE:#x}) rw- -UL anon: 100 page(s)')), None)
    if i is None:
        raise TestFailure(f'no picture of the region at {base:#x}:\n{out}')
    want = ['tables: 1 PML4, 1 PDPT, 1 PD, 1 PT',
            'leaves: 4 x 4K, 0 x 2M, 0 x 1G; 4 of 100 pages present',
            '+0x0000000 #.#..#' + '.' * 58 + " ('#' present, '.' absent)",
            '+0x0040000 ' + '.' * 35 + '#']
    got = [l.strip() for l in lines[i + 1:i + 5]]
    if got != want:
        raise TestFailure('picture of the region:\n' + '\n'.join(got) + '\nexpected:\n' + '\n'.join(want))
    # Only that region: no other picture.
    if len(re.findall(r'(?m)^\s+tables: ', out)) != 1:
        raise TestFailure(f'ases detail PID ADDRESS should draw one region:\n{out}')
    check_contains(m.cmd(f'ases detail {pid} 0x10'), 'no region of', 'an address no region holds')
    m.expect(rf'pagetouch {pid}: done', timeout=URUN_TIMEOUT)
    wait_no_processes(m)
    check_no_processes(m)
    check_frames(m, before, before_out)
