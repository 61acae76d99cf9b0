"""Machines other than the default 256 MiB, one CPU: the smallest memory
the kernel is expected to run in (64 MiB), memory above 4 GiB (4096 MiB:
QEMU puts 1 GiB of it above the PCI hole, so the kernel map grows to
5 GiB), and a second CPU the kernel leaves parked. Each boots, passes the
protection and paging self-tests, runs user programs and a short fuzz,
and gives every frame back."""

import re

from harness import boot, check_contains, check_match, check_not_contains
from integration.common import selftest, user_session
from integration.fuzzing import run_fuzz

MIN_PAGINGTEST_CHECKS = 100
MIN_KPROT_CHECKS = 30


def exercise(m, pagingtest=True):
    selftest(m, 'kprot', 'kprot', MIN_KPROT_CHECKS)
    if pagingtest:
        selftest(m, 'pagingtest', 'pagingtest', MIN_PAGINGTEST_CHECKS)

    def body():
        check_contains(m.cmd('hello'), 'Hello, world!', 'hello')
        check_contains(m.cmd('memtest', timeout=300), 'memtest: ok', 'memtest')
        _, d = run_fuzz(m, '-s 7 -n 3000 -b 500', timeout=300)
        if d['accepted'] or d['spawn_failures'] or d['batches'] != 6:
            raise AssertionError(f'fuzz: {d}')
    user_session(m, body)


@boot(extra_args=['-m', '64M'])
def test_boot_64m(m):
    mib = int(check_match(m.boot_output, r'memory: (\d+) MiB usable', 'boot banner').group(1))
    if not 56 <= mib <= 64:
        raise AssertionError(f'-m 64M: the kernel reports {mib} MiB usable')
    exercise(m)


@boot(extra_args=['-m', '4096M'], timeout=120)
def test_boot_4096m(m):
    mib = int(check_match(m.boot_output, r'memory: (\d+) MiB usable', 'boot banner').group(1))
    if mib < 3900:
        raise AssertionError(f'-m 4096M: the kernel reports only {mib} MiB usable')
    out = m.cmd('ases detail')
    # RAM above 4 GiB: the kernel map's last segment reaches past it.
    ends = [int(e, 16) for e in re.findall(r'identity map \[0x[0-9a-f]+-(0x[0-9a-f]+)\) rw- '
                                           r'kernel-only: memory', out)]
    if not ends or ends[0] <= 1 << 32:
        raise AssertionError(f'the kernel map does not cover memory above 4 GiB:\n{out}')
    exercise(m)


@boot(extra_args=['-smp', '2'])
def test_boot_smp2(m):
    exercise(m, pagingtest=False)
    selftest(m, 'threadtest', 'threadtest', 5, timeout=300)


@boot(extra_args=['-m', '32M'])
def test_bench_out_of_memory_is_named(m):
    """bench's 64 MiB region cannot be filled in 32 MiB: the error says out
    of memory (it once said "bad address"), and every frame comes back."""
    out = m.cmd('bench remove', timeout=120)
    check_contains(out, 'bench: ERROR touch or remove the 64 MiB ANON region: out of memory '
                   '(give QEMU more memory: make bench uses 256 MiB)', 'bench remove under -m 32M')
    check_not_contains(out, 'bad address', 'bench remove under -m 32M')
    check_match(out, r'bench-check: .*: unchanged', 'bench remove under -m 32M')
