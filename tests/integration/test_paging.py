"""The "paging" address-space implementation: the `pagingtest` self-test,
the root shell's own paging address space, nested shells in address spaces
of their own, leaks, and the kernel's report of a kernel thread's fault."""

import re

from harness import (ROOT_PROMPT, TestFailure, check_contains, check_match,
                     check_not_contains)
from integration.common import mem_figures, panic_report, selftest

MIN_PAGINGTEST_CHECKS = 100     # pagingtest prints ~110 checks


def aspace_blocks(out):
    """{name: (header line, body)} from `ases` / `ases detail` output."""
    blocks = {}
    for m in re.finditer(r"(?ms)^(aspace \d+ '([^']*)'[^\n]*)\n(.*?)(?=^aspace |\Z)", out):
        blocks[m.group(2)] = (m.group(1), m.group(3))
    return blocks


# ---- pagingtest ----------------------------------------------------------

def test_pagingtest_passes(m):
    out = selftest(m, 'pagingtest', 'pagingtest', MIN_PAGINGTEST_CHECKS)
    # The checks the issue asks for are all there.
    for needle in ['add overlapping the second half of a region -> -17',
                   'identity map and lazy alias agree',
                   'identity map and eager alias agree',
                   'new memory shows, not the old',
                   'reads fault after the remove',
                   'remove a pinned region -> -1',
                   'after protect -WRITE it faults again',
                   'every ANON page reads zero',
                   'FILE region equals the file page by page',
                   'the extra page past the file is all zero',
                   'add with zero length -> -22',
                   'add ANON|FILE -> -22',
                   'move an ANON region -> -22',
                   'move where there is no region -> -2',
                   'mapped with two 2 MiB leaves',
                   'free frames back to where they were']:
        check_contains(out, needle, 'pagingtest output')
    check_match(out, r'no-execute region faults|NX is not enabled', 'pagingtest output')


def test_pagingtest_twice_leaks_nothing(m):
    selftest(m, 'pagingtest', 'pagingtest', MIN_PAGINGTEST_CHECKS)
    before = mem_figures(m)
    selftest(m, 'pagingtest', 'pagingtest', MIN_PAGINGTEST_CHECKS)
    after = mem_figures(m)
    if before != after:
        raise TestFailure(f'a second pagingtest changed (free frames, heap bytes) '
                          f'from {before} to {after}')
    blocks = aspace_blocks(m.cmd('ases'))
    if 'pagingtest' in blocks:
        raise TestFailure("address space 'pagingtest' still exists after the test")


def test_pagingtest_in_nested_shell(m):
    m.cmd_at('shell', 'shell1> ')
    out = selftest(m, 'pagingtest', 'pagingtest', MIN_PAGINGTEST_CHECKS, prompt='shell1> ')
    check_contains(out, "move back out to 'shell1'", 'pagingtest output in shell1')
    m.cmd_at('exit', ROOT_PROMPT)
    check_not_contains(m.cmd('ases'), "'shell1'", 'ases after exit')


def test_pagingtest_usage(m):
    check_contains(m.cmd('pagingtest bogus'), 'usage: pagingtest', 'pagingtest bogus')
    check_contains(m.cmd('pagingtest fault extra'), 'usage: pagingtest', 'pagingtest fault extra')


# ---- the root shell's address space ----------------------------------------

def test_root_shell_has_own_paging_aspace(m):
    check_match(m.boot_output,
                r"root shell: address space 'root' \(paging\): identity map and lazy alias "
                r"at 0xffff800000000000 agree", 'boot output')
    check_not_contains(m.boot_output, 'DISAGREE', 'boot output')
    check_not_contains(m.boot_output, "staying in 'boot'", 'boot output')


def test_ases_detail_root_loaded_with_main(m):
    blocks = aspace_blocks(m.cmd('ases detail'))
    if 'root' not in blocks or 'boot' not in blocks:
        raise TestFailure(f"ases detail lacks 'root' or 'boot': {list(blocks)}")
    head, body = blocks['root']
    check_match(head, r"\(impl paging\): 1 thread\(s\), loaded$", "ases detail: 'root' header")
    check_match(body, r"(?m)^\s+thread 1 'main' running$", "ases detail: 'root' threads")
    check_match(body, r'\[0x0000000000100000-0x[0-9a-f]+\) r-x PKE phys -> pa 0x100000',
                "ases detail: 'root' kernel text region")
    check_match(body, r'\[0xffff800000000000-0x[0-9a-f]+\) r-- -KL phys -> pa 0',
                "ases detail: 'root' lazy alias region")
    bhead, bbody = blocks['boot']
    check_contains(bhead, '(impl base)', "ases detail: 'boot' header")
    check_not_contains(bhead, 'loaded', "ases detail: 'boot' header")
    check_match(bbody, r"thread \d+ 'idle'", "ases detail: 'boot' threads")


def test_nested_shell_own_aspace(m):
    out = m.cmd_at('shell', 'shell1> ')
    check_contains(out, "nested shell in address space 'shell1'", 'shell output')
    blocks = aspace_blocks(m.cmd_at('ases detail', 'shell1> '))
    if 'shell1' not in blocks:
        raise TestFailure(f"ases in the nested shell lacks 'shell1': {list(blocks)}")
    head, body = blocks['shell1']
    check_match(head, r"\(impl paging\): 1 thread\(s\), loaded$", "'shell1' header")
    check_match(body, r"thread \d+ 'shell1' running", "'shell1' threads")
    check_match(blocks['root'][0], r'1 thread\(s\)$', "'root' header while shell1 runs")
    m.cmd_at('exit', ROOT_PROMPT)
    blocks = aspace_blocks(m.cmd('ases'))
    if 'shell1' in blocks:
        raise TestFailure("'shell1' still listed by ases after exit")
    check_match(blocks['root'][0], r'loaded$', "'root' header after exit")


# ---- a kernel thread's fault: report and panic --------------------------------

def check_fault_common(out):
    check_match(out, r'ip 0x[0-9a-f]+ <[A-Za-z_]\w*\+0x[0-9a-f]+>', 'fault report (ip line)')
    check_match(out, r'ip 0x[0-9a-f]+ <pagingtest_fault_touch\+0x[0-9a-f]+> '
                r"in thread \d+ 'kfault', address space 'kfault'", 'fault report (ip line)')
    check_contains(out, 'PANIC', 'fault report')


def test_kernel_fault_unmapped(m):
    out = panic_report(m, 'pagingtest fault')
    check_match(out, r'kernel page fault at va 0x7f0000000000: supervisor read, page not present',
                'fault report')
    check_contains(out, 'page not present', 'fault report')
    check_contains(out, 'no region covers the address', 'fault report (verdict)')
    check_contains(out, 'region: none covers this address', 'fault report')
    check_fault_common(out)


def test_kernel_fault_write_readonly(m):
    out = panic_report(m, 'pagingtest fault-ro')
    check_match(out, r'kernel page fault at va 0xffff801000000000: supervisor write', 'fault report')
    check_contains(out, 'write to a read-only region', 'fault report (verdict)')
    check_match(out, r'region \[0xffff801000000000-0xffff801000001000\) r-- -KL phys',
                'fault report (region line)')
    check_fault_common(out)
