"""Fuzzing, bounded for `make test` (`make fuzz` runs the long campaign,
tests/fuzz.py):

  - user/bin/fuzz: 30,000 random and hostile system calls over three seeds,
    in batches run by children, two at a time; no call that must fail
    succeeds, the kernel survives, every frame comes back;
  - the malformed ELF files in /bad (tools/gen-bad-elf.py): each refused,
    run or killed as its name says;
  - 256 KiB of random bytes in 64 KiB bursts plus an escape-sequence storm
    into the root shell, and the same into the user shell: both answer
    afterwards;
  - heap and frame exhaustion on a 64 MiB machine (`fuzz -x`)."""

import random
import re

from harness import ROOT_PROMPT, USER_PROMPT, TestFailure, boot, check_contains, check_not_contains
from integration.common import check_alive, check_frames, free_frames, user_session
from integration.fuzzing import check_elf_outcomes, console_flood, console_resync, run_fuzz

SEED = 1
CONSOLE_BYTES = 256 * 1024
STORM_BYTES = 4 * 1024
PROG_TIMEOUT = 300


def leave_all_user_shells(m):
    """`exit` until the root prompt is back (random input may have started a
    nested /bin/sh)."""
    either = re.compile(re.escape(ROOT_PROMPT) + '|' + re.escape(USER_PROMPT))
    for _ in range(5):
        m.sendline('exit')
        m.expect('\n')
        if m.expect(either, timeout=60).group(0) == ROOT_PROMPT:
            m.prompt = ROOT_PROMPT
            return
    m.fail('still in a user shell after five exits')


# ---- system calls -------------------------------------------------------------------

def test_fuzz_syscalls(m):
    def body():
        out, d = run_fuzz(m, f'-s {SEED} -k 3 -n 10000 -b 1000 -j 2', timeout=PROG_TIMEOUT)
        check_not_contains(out, 'ACCEPTED', 'fuzz output')
        check_not_contains(out, 'sh: fuzz', 'fuzz output (the campaign itself must exit 0)')
        if (d['calls'], d['batches'], d['accepted'], d['spawn_failures']) != (30000, 30, 0, 0):
            raise TestFailure(f'fuzz: unexpected totals {d}:\n{out[-3000:]}')
        if d['exits'] + d['kills'] != 30 or d['exits'] < 15:
            raise TestFailure(f'fuzz: most batches should run to the end: {d}')
        check_contains(m.cmd('hello'), 'Hello, world!', 'hello after fuzz')
    user_session(m, body, leave_all_user_shells)


def test_fuzz_usage(m):
    def body():
        for line in ['fuzz -n', 'fuzz -q 1', 'fuzz -b 0', 'fuzz -j 9', 'fuzz -c 1 2', 'fuzz -c 1 2 3 -x']:
            out = m.cmd(line)
            check_contains(out, 'usage: fuzz', line)
            check_contains(out, 'sh: fuzz: exit status 2', line)
    user_session(m, body, leave_all_user_shells)


# ---- malformed executables ------------------------------------------------------------

def test_malformed_elf_files(m):
    def body():
        out = m.cmd('fuzz -e /bad', timeout=PROG_TIMEOUT)
        files, refused, exited, killed = check_elf_outcomes(out)
        if refused < 34:
            raise TestFailure(f'only {refused} malformed ELF files were refused:\n{out}')
        check_not_contains(out, 'sh: fuzz', 'fuzz -e /bad')
        # The user shell itself, too.
        check_contains(m.cmd('/bad/refuse-magic'), 'sh: /bad/refuse-magic: exec format error',
                       '/bad/refuse-magic')
        check_contains(m.cmd('/bad/refuse-phoff-wrap'), 'program headers outside the file',
                       '/bad/refuse-phoff-wrap (the kernel says why)')
        check_contains(m.cmd('/bad/run-valid'), 'sh: /bad/run-valid: exit status 42', '/bad/run-valid')
    user_session(m, body, leave_all_user_shells)


# ---- the consoles --------------------------------------------------------------------

def test_console_flood_root_shell(m):
    rng = random.Random(SEED)
    before, before_out = free_frames(m)
    console_flood(m, rng, CONSOLE_BYTES, STORM_BYTES)
    console_resync(m, user=False)
    check_contains(m.cmd('help'), 'urun', 'help after the flood')
    check_frames(m, before, before_out)
    check_alive(m)


def test_console_flood_user_shell(m):
    def body():
        rng = random.Random(SEED + 1)
        console_flood(m, rng, CONSOLE_BYTES, STORM_BYTES)
        console_resync(m, user=True)
        check_contains(m.cmd('hello'), 'Hello, world!', 'hello after the flood')
    user_session(m, body, leave_all_user_shells)


# ---- exhaustion ----------------------------------------------------------------------

@boot(extra_args=['-m', '64M'])
def test_fuzz_exhaustion(m):
    """`fuzz -x` on a 64 MiB machine: one child maps one-page regions until
    the kernel heap (or the frames it grows from) runs out; another touches
    pages until no frame is left and is killed. Both end alone; processes
    start again and every frame comes back."""
    def body():
        out = m.cmd('fuzz -x', timeout=PROG_TIMEOUT)
        check_contains(out, 'fuzz: exhaustion: ok', 'fuzz -x')
        check_contains(out, 'fuzz: -xf: killed by signal 11', 'fuzz -x (frame exhaustion)')
        if not re.search(r'fuzz: -xh: (exit 0|killed by signal 11)', out):
            raise TestFailure(f'fuzz -x: the heap exhaustion child ended otherwise:\n{out}')
        check_contains(m.cmd('hello'), 'Hello, world!', 'hello after exhaustion')
    user_session(m, body, leave_all_user_shells)
