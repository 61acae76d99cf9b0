"""Hostile user programs (user/bin/*.c) inside the user shell: each one gets
its documented outcome, the kernel survives, and every frame comes back.

  - programs that fault without a handler are killed alone, with the right
    signal: the kernel prints "[pid N] user fault ..." and "[pid N] NAME
    killed by SIGxxx (n)", the shell "sh: NAME: killed by signal n", and the
    shell (and /init) live on;
  - programs with a handler see the signal and resume or exit cleanly;
  - bad pointers / lengths / numbers to system calls fail with the right
    negative error (badptr), spawn limits hold (bigargv), forged signal
    contexts are harmless (badsig), privileged instructions fault
    (privinsn);
  - the entry code and process hardening of issue 8: RFLAGS.NT left set
    into sigreturn, yield and system calls (ntflag), far returns into other
    segments (farret), single-stepping with a SIGTRAP handler (singlestep),
    a process reaped while its fresh child has not run yet (spawnexit),
    kernel bytes in readdir/stat results (readdirleak), map() over the
    reserved pages (mapreserved), the region and descriptor limits
    (maplimit);
  - after each group: `exit`, and the free frame count equals the one
    before `urun`; `ps` lists nothing.

Several programs share one boot; each check names the command, and the
serial log of a failing boot stays in build/test-logs/."""

import os
import re

from harness import ROOT, TestFailure, check_contains, check_match, check_not_contains
from integration.common import leave_user, user_session

PROG_TIMEOUT = 120          # one program (TCG is slow)

SIGILL, SIGTRAP, SIGFPE, SIGSEGV = 4, 5, 8, 11
SIGNAMES = {SIGILL: 'SIGILL', SIGTRAP: 'SIGTRAP', SIGFPE: 'SIGFPE', SIGSEGV: 'SIGSEGV'}

# include/uapi/layout.h
USER_START = 0xffff800000000000
USER_LOAD_MIN = 0xffff800000400000
USER_MMAP_BASE = 0xffffa00000000000
USER_STACK_GUARD = 0xffffff7ffff01000
KERNEL_IMAGE = 0x100000

FAULT_RE = re.compile(r'\[pid (\d+)\] user fault (?:va (\S+) )?ip (\S+) \((.*)\)[ \t]*$', re.M)
KILLED_RE = re.compile(r'\[pid (\d+)\] (\S+) killed by (\w+) \((\d+)\)(.*)$', re.M)

# Never printed by a kernel that contains the program.
BREAKOUT = ['Wow, that actually worked!', 'survived?!', 'LEAKED', 'ESCALATION',
            'EXECUTED in user mode', 'ACCEPTED', 'resumed through a kernel-address',
            'resumed after a kernel-address handler']


# ---- helpers ---------------------------------------------------------------------

def leave_user_clean(m):
    """`exit 0` at the user prompt: back at the root prompt, with no report
    from urun (so neither the shell nor /init was killed on the way)."""
    out = leave_user(m)
    if out.strip():
        raise TestFailure(f'urun reported, when the user shell exited:\n{out}')
    check_not_contains(m.output.replace('\r', ''), '[init] shell killed', 'serial output')


def run(m, line, timeout=PROG_TIMEOUT):
    """Run `line` in the user shell; return its output. Fails if anything in
    BREAKOUT shows."""
    out = m.cmd(line, timeout=timeout)
    for bad in BREAKOUT:
        if bad in out:
            raise TestFailure(f'{line!r} printed {bad!r}:\n{out}')
    return out


def expect(out, needle, line):
    check_contains(out, needle, f'output of {line!r}')


def session(m, body):
    """user_session() that leaves with leave_user_clean and forbids BREAKOUT."""
    user_session(m, body, leave_user_clean, BREAKOUT)


def hexval(s):
    return int(s, 16) if s.startswith('0x') else int(s)


def check_killed(m, line, signo, own_line, reason=None, va=None, fault=True, out=None):
    """Run `line` (unless its output is given): the program prints own_line,
    then the kernel reports one fault and one kill of that program (one
    pid), with signal signo; the shell reports "killed by signal signo".
    reason: a regex for the fault's reason; va: the expected fault address
    (an int, or a function of the int returning True). Returns the output."""
    if out is None:
        out = run(m, line)
    name = line.split()[0]
    what = f'output of {line!r}'
    check_contains(out, own_line, what)

    kills = KILLED_RE.findall(out)
    if len(kills) != 1:
        raise TestFailure(f'{what}: {len(kills)} "[pid N] NAME killed by" lines, expected 1:\n{out}')
    pid, kname, signame, num, extra = kills[0]
    if kname != name or signame != SIGNAMES[signo] or int(num) != signo:
        raise TestFailure(f'{what}: "[pid {pid}] {kname} killed by {signame} ({num})", '
                          f'expected {name} killed by {SIGNAMES[signo]} ({signo}):\n{out}')
    if extra.strip():
        raise TestFailure(f'{what}: unexpected kill detail {extra.strip()!r}:\n{out}')

    if fault:
        faults = FAULT_RE.findall(out)
        if len(faults) != 1:
            raise TestFailure(f'{what}: {len(faults)} "[pid N] user fault" lines, '
                              f'expected 1:\n{out}')
        fpid, fva, fip, freason = faults[0]
        if fpid != pid:
            raise TestFailure(f'{what}: the fault (pid {fpid}) and the kill (pid {pid}) '
                              f'name different processes:\n{out}')
        ip = hexval(fip)
        if not USER_LOAD_MIN <= ip < USER_MMAP_BASE:
            raise TestFailure(f'{what}: fault ip {fip} is not in the program text:\n{out}')
        if reason is not None and not re.search(reason, freason):
            raise TestFailure(f'{what}: fault reason {freason!r} does not match '
                              f'{reason!r}:\n{out}')
        if va is not None:
            if not fva:
                raise TestFailure(f'{what}: expected a page fault with an address:\n{out}')
            ok = va(hexval(fva)) if callable(va) else hexval(fva) == va
            if not ok:
                raise TestFailure(f'{what}: fault address {fva} is wrong:\n{out}')
    check_contains(out, f'sh: {name}: killed by signal {signo}', what)
    return out


def printed_address(out, regex, line):
    mm = check_match(out, regex, f'output of {line!r}')
    return hexval(mm.group(1))


# ---- programs killed by a signal ----------------------------------------------

def test_killed_by_signal(m):
    def body():
        def killed(*a, **kw):
            return check_killed(m, *a, **kw)

        killed('divzero', SIGFPE, 'divzero: dividing by zero', reason='divide')
        killed('illegal', SIGILL, 'illegal: executing ud2', reason='invalid opcode')
        killed('nullderef', SIGSEGV, 'nullderef: reading address 0', va=0)
        killed('nullderef user', SIGSEGV, 'nullderef: reading address 0xffff800000000000',
               va=USER_START)
        killed('kernelread', SIGSEGV, 'kernelread: reading kernel memory at 0x100000',
               va=KERNEL_IMAGE)
        # Non-canonical: a #GP, not a page fault (no address).
        killed('kernelread 0x0000800000000000', SIGSEGV,
               'kernelread: reading kernel memory at 0x800000000000', reason='general protection')
        # Above the user half.
        killed('kernelread 0xffffff8000000000', SIGSEGV,
               'kernelread: reading kernel memory at 0xffffff8000000000', va=0xffffff8000000000)
        killed('kernelread 0xffffffff80000000', SIGSEGV,
               'kernelread: reading kernel memory at 0xffffffff80000000', va=0xffffffff80000000)

        out = killed('textwrite', SIGSEGV, 'textwrite: writing to own text at')
        addr = printed_address(out, r'writing to own text at (0x[0-9a-f]+)', 'textwrite')
        if hexval(FAULT_RE.search(out).group(2) or '0') != addr:
            raise TestFailure(f'textwrite: the fault address is not the text address {addr:#x}:\n{out}')

        out = killed('unmapuse', SIGSEGV, 'unmapuse: touching')
        addr = printed_address(out, r'unmapuse: touching (0x[0-9a-f]+) after unmap', 'unmapuse')
        if hexval(FAULT_RE.search(out).group(2) or '0') != addr:
            raise TestFailure(f'unmapuse: the fault address is not the unmapped page {addr:#x}:\n{out}')

        guard = lambda a: USER_STACK_GUARD <= a < USER_STACK_GUARD + 0x1000  # noqa: E731
        killed('stackoverflow', SIGSEGV, 'stackoverflow: recursing', va=guard)
        # With a handler: no room for a signal frame on the full stack, so the
        # same kill (a kernel delivering on another stack would let the
        # handler run and exit 0 instead).
        out = run(m, 'stackoverflow handler')
        if 'stackoverflow: handler ran' not in out:
            check_killed(m, 'stackoverflow handler', SIGSEGV, 'stackoverflow: recursing',
                         va=guard, out=out)

        # Each kill took out only the program (one kill line each, checked
        # above): the shell still runs programs, and leave_user_clean() checks that
        # neither it nor /init was killed.
        expect(run(m, 'hello'), 'Hello, world!', 'hello after the kills')

    session(m, body)


# ---- programs that handle their own signal ----------------------------------------

def test_signal_handlers(m):
    def body():
        line = 'hack'
        out = run(m, line)
        for needle in ['hack: mapped memory is zeroed',
                       'hack: writing to kernel memory at 0x100000',
                       'Hit signal handler due to permission denial',
                       'hack: signal 11, fault address 0x100000']:
            expect(out, needle, line)
        check_not_contains(out, 'sh: hack', f'output of {line!r} (it exits 0)')
        check_not_contains(out, 'killed by', f'output of {line!r}')

        line = 'brkpt'
        out = run(m, line)
        expect(out, 'brkpt: caught SIGTRAP', line)
        expect(out, 'brkpt: resumed', line)
        check_not_contains(out, 'sh: brkpt', f'output of {line!r}')

        line = 'sigfault'
        out = run(m, line)
        caught = re.findall(r'sigfault: caught SIGSEGV at (\S+)', out)
        if len(caught) != 3 or out.count('sigfault: resumed after handler') != 3:
            raise TestFailure(f'sigfault: expected 3 faults caught and resumed:\n{out}')
        if hexval(caught[0]) != USER_START + 0x123 or hexval(caught[1]) != KERNEL_IMAGE:
            raise TestFailure(f'sigfault: wrong fault addresses {caught}:\n{out}')
        expect(out, 'sigfault: ok (3 faults handled, registers intact)', line)
        check_not_contains(out, 'sh: sigfault', f'output of {line!r}')

    session(m, body)


def privinsn_table():
    """(name, expected signal) of every E(name, SIG) entry in privinsn.c
    (signal 0: any signal will do)."""
    with open(os.path.join(ROOT, 'user', 'bin', 'privinsn.c')) as f:
        src = f.read()
    nums = {'SIGSEGV': SIGSEGV, 'SIGILL': SIGILL, 'SIGTRAP': SIGTRAP, 'SIGFPE': SIGFPE, '0': 0}
    return [(n, nums[s]) for n, s in re.findall(r'\bE\((\w+),\s*(SIG[A-Z]+|0)\)', src)]


# QEMU's TCG (7.x) decodes icebp (0xf1) only when built with WANT_ICEBP: it
# raises #UD there (SIGILL) where hardware raises #DB (SIGTRAP). (privinsn.c
# itself may list it with 0: any signal.)
EMULATION_ALTERNATIVES = {'icebp': {SIGILL}}


def test_privileged_and_signal_abuse(m):
    def body():
        line = 'privinsn'
        out = run(m, line)
        table = privinsn_table()
        if not table:
            raise TestFailure('no E(name, SIG) entries found in user/bin/privinsn.c')
        problems = []
        for name, sig in table:
            mm = re.search(r'privinsn: ' + re.escape(name) + r' -> signal (\d+)', out)
            if not mm:
                problems.append(f'{name}: no "-> signal" line')
                continue
            got = int(mm.group(1))
            if sig and got != sig and got not in EMULATION_ALTERNATIVES.get(name, ()):
                problems.append(f'{name}: signal {got}, expected {sig}')
        if problems:
            raise TestFailure('privinsn: ' + '; '.join(problems) + f':\n{out}')
        expect(out, f'privinsn: all {len(table)} instructions faulted', line)
        check_not_contains(out, 'unexpected signal', f'output of {line!r}')
        check_not_contains(out, 'sh: privinsn', f'output of {line!r}')

        line = 'badsig all'
        out = run(m, line, timeout=300)
        cases = re.findall(r'badsig: (\w+): (ok|FAILED) \(([^)]*)\)', out)
        bad = [c for c in cases if c[1] != 'ok']
        if bad:
            raise TestFailure(f'badsig cases failed: {bad}:\n{out}')
        mm = check_match(out, r'badsig: all (\d+) cases handled safely', f'output of {line!r}')
        if int(mm.group(1)) != len(cases) or not cases:
            raise TestFailure(f'badsig: {len(cases)} verdict lines for {mm.group(1)} cases:\n{out}')
        # The forged contexts that must never be resumed as given.
        for case in ['kernelrip', 'noncanonrip', 'badrsp', 'kstack', 'nested']:
            check_match(out, r'badsig: ' + case + r': ok \(killed by signal 11\)',
                        f'badsig {case}')
        check_not_contains(out, 'sh: badsig', f'output of {line!r}')

    session(m, body)


# ---- system call abuse and resource limits ---------------------------------------

def test_syscall_abuse(m):
    def body():
        line = 'badptr'
        out = run(m, line, timeout=300)
        notes = re.findall(r'badptr: note: .*', out)
        if notes:
            raise TestFailure('badptr: system calls returned unexpected error codes '
                              '(kernel bug):\n' + '\n'.join(notes))
        results = re.findall(r'^(.+) = (-?\d+)$', out, re.M)
        nonneg = [r for r in results if int(r[1]) >= 0]
        if nonneg:
            raise TestFailure(f'badptr: calls accepted: {nonneg}:\n{out}')
        expect(out, 'badptr: all rejected', line)
        expect(out, 'badptr: all error codes as expected', line)
        check_not_contains(out, 'sh: badptr', f'output of {line!r}')
        if len(results) < 50:
            raise TestFailure(f'badptr: only {len(results)} calls reported:\n{out}')

        line = 'bigargv'
        out = run(m, line, timeout=300)
        failed = re.findall(r'bigargv: .*FAILED.*', out)
        if failed:
            raise TestFailure('bigargv:\n' + '\n'.join(failed))
        expect(out, 'bigargv: ok', line)
        check_not_contains(out, 'sh: bigargv', f'output of {line!r}')

        for line, needle in [('spawnrec', 'spawnrec: ok (depth 8)'),
                             ('spawnrec -w 64', 'spawnrec: wide ok (64 children)'),
                             ('memtest', 'memtest: ok'),
                             ('loadcheck', 'loadcheck: ok'),
                             ('spin 200', 'done (200 yields)'),
                             ('spin -b 2', 'done (2 million iterations)')]:
            out = run(m, line, timeout=300)
            expect(out, needle, line)
            check_not_contains(out, 'sh: ', f'output of {line!r}')

        line = 'sysbench 2000'
        out = run(m, line)
        check_match(out, r'sysbench: syscall: \d+ cycles/call \(2000 calls\)', f'output of {line!r}')
        check_match(out, r'sysbench: int80: \d+ cycles/call \(2000 calls\)', f'output of {line!r}')

        for code in [1, 42, 255]:
            out = run(m, f'exitcode {code}')
            expect(out, f'sh: exitcode: exit status {code}', f'exitcode {code}')
        out = run(m, 'exitcode 256')            # only the low 8 bits
        if out.strip():
            raise TestFailure(f'exitcode 256 printed {out!r}')

    session(m, body)


def test_process_exhaustion(m):
    """spawnrec 5000: a chain of processes until memory runs out (or 5000
    deep). Any of these outcomes is fine: all 5000 levels; a spawn that
    fails (reported, exit status 3 up the chain); or, since programs are
    demand-paged, the newest process killed by SIGSEGV because a page fault
    found no free frame (exit status 4 up the chain), either in user mode
    or while the kernel wrote its arguments on its stack. Nothing else may
    be killed, every frame comes back, and processes start again afterwards."""
    def body():
        line = 'spawnrec 5000'
        what = f'output of {line!r}'
        out = run(m, line, timeout=600)
        kills = KILLED_RE.findall(out)
        if 'spawnrec: ok (depth 5000)' in out:
            pass                            # all 5000 levels
        elif re.search(r'spawnrec: spawn at depth \d+ failed: \S', out):
            expect(out, 'sh: spawnrec: exit status 3', line)
            if kills:
                raise TestFailure(f'{what}: a process was killed as well:\n{out[-3000:]}')
        else:
            faults = FAULT_RE.findall(out)
            user_fault = len(faults) == 1 and 'no free frame' in faults[0][3]
            stack_setup = not faults and kills and 'no free frame' in kills[0][4]
            if len(kills) != 1 or not (user_fault or stack_setup):
                raise TestFailure(f'{what}: neither a clean spawn failure nor one process '
                                  f'killed for want of a frame:\n{out[-3000:]}')
            check_match(out, r'spawnrec: child at depth \d+ killed by signal 11', what)
            expect(out, 'sh: spawnrec: exit status 4', line)
        expect(run(m, 'hello'), 'Hello, world!', 'hello after exhaustion')
        expect(run(m, 'spawnrec -w 16'), 'spawnrec: wide ok (16 children)',
               'spawnrec -w 16 after exhaustion')

    session(m, body)


# ---- the entry code and process hardening (issue 8) --------------------------------

def test_entry_abuse(m):
    """Each program prints its own verdict; none may be killed (no handler
    is missing), and the kernel must say nothing: no fault report, no kill."""
    def body():
        for line, needles in [
                ('ntflag all', ['ntflag: sigreturn: ok', 'ntflag: yield: ok (20 yields with NT set)',
                                'ntflag: syscall: ok', 'ntflag: all cases ok']),
                ('farret', ['farret: 0x1b: refused (signal 11 at the lretq, handler in 64-bit mode)',
                            'farret: ok (8 selectors refused)']),
                ('singlestep', ['singlestep: step 1 at ss_2\nsinglestep: step 2 at ss_3\n'
                                'singlestep: step 3 at ss_4\nsinglestep: step 4 at ss_stop\n'
                                'singlestep: ok (4 steps, then TF cleared)']),
                ('spawnexit 20', ['spawnexit: ok (20 rounds)']),
                ('readdirleak', ['readdirleak: ok (']),
                ('mapreserved', ['mapreserved: ok']),
                ('maplimit', ['maplimit: descriptors: limit after 29 open()s (too many open files)',
                              'maplimit: ok'])]:
            out = run(m, line, timeout=300)
            for needle in needles:
                expect(out, needle, line)
            for bad in ['sh: ', 'killed by', 'user fault', 'FAILED']:
                check_not_contains(out, bad, f'output of {line!r}')
        # The region limit counts the program's own regions too: 1024 in all.
        line = 'maplimit'
        mm = check_match(run(m, line), r'maplimit: regions: limit after (\d+) map\(\)s '
                                       r'\(per-process limit reached\)', f'output of {line!r}')
        if not 1000 <= int(mm.group(1)) < 1024:
            raise TestFailure(f'maplimit: {mm.group(1)} map()s before the limit of 1024 regions')

    session(m, body)
