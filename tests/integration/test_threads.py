"""Kernel threads from the shell: the `threadtest` self-test, the `threads`
listing, leaks after many threads, and threadtest's argument errors."""

import re

from harness import TestFailure, check_contains, check_match, check_not_contains
from integration.common import mem_figures, selftest


def thread_rows(out):
    """{name: (tid, state, aspace, cycles)} from `threads` output."""
    rows = {}
    for r in re.finditer(r'(?m)^\s*(\d+)\s+(\S+)\s+(\w+)\s+(\S+)\s+(\d+)\s+\d+\.\d{3}$', out):
        rows[r.group(2)] = (int(r.group(1)), r.group(3), r.group(4), int(r.group(5)))
    return rows


def test_threadtest_passes(m):
    out = selftest(m, 'threadtest', 'threadtest', 5)
    for needle in ['create and join many threads', 'heap and free frames back',
                   'preemption', 'sleep lasts at least', 'joining oneself is -EINVAL']:
        check_contains(out, needle, 'threadtest output')


def test_threadtest_single_modes(m):
    out = selftest(m, 'threadtest sleep 50', 'threadtest', 1)
    check_contains(out, 'slept 50 ms', 'threadtest sleep 50')
    selftest(m, 'threadtest preempt', 'threadtest', 1)
    out = selftest(m, 'threadtest many 10', 'threadtest', 2)
    check_contains(out, '10 threads created, 10 joined with the right value', 'threadtest many 10')


def test_threads_lists_main_and_idle(m):
    out = m.cmd('threads')
    check_match(out, r'(?m)^\s*TID\s+NAME\s+STATE\s+ASPACE\s+CPU-CYCLES\s+CPU-MS\s*$',
                'threads header')
    rows = thread_rows(out)
    if 'main' not in rows or 'idle' not in rows:
        raise TestFailure(f'threads lacks main or idle:\n{out}')
    tid, state, aspace, _ = rows['main']
    if (tid, state, aspace) != (1, 'running', 'root'):
        raise TestFailure(f"main should be thread 1, running, in 'root':\n{out}")
    _, state, aspace, _ = rows['idle']
    if state not in ('runnable', 'running') or aspace != 'boot':
        raise TestFailure(f"idle should be runnable in 'boot':\n{out}")


def test_threads_in_nested_shell(m):
    m.prompt = 'shell1> '
    m.cmd('shell')
    rows = thread_rows(m.cmd('threads'))
    if rows.get('shell1', (0, '', ''))[1:3] != ('running', 'shell1'):
        raise TestFailure(f"the nested shell's thread should run in 'shell1': {rows}")
    if rows.get('main', (0, '', ''))[1:3] != ('blocked', 'root'):
        raise TestFailure(f"main should wait (blocked) in 'root': {rows}")
    m.prompt = 'root-shell> '
    m.cmd('exit')
    rows = thread_rows(m.cmd('threads'))
    if 'shell1' in rows:
        raise TestFailure(f"thread shell1 still listed after exit: {rows}")


def test_many_threads_leak_nothing(m):
    before = mem_figures(m)
    out = selftest(m, 'threadtest many 1000', 'threadtest', 2)
    check_contains(out, '1000 threads created, 1000 joined with the right value',
                   'threadtest many 1000')
    after = mem_figures(m)
    if before != after:
        raise TestFailure(f'threadtest many 1000 changed (free frames, heap bytes) '
                          f'from {before} to {after}')


def test_threadtest_bad_arguments(m):
    for line, message in [('threadtest many 0', 'N must be 1..10000 threads'),
                          ('threadtest many 10001', 'N must be 1..10000 threads'),
                          ('threadtest many abc', 'N must be 1..10000 threads'),
                          ('threadtest sleep -5', 'MS must be 0..10000 milliseconds'),
                          ('threadtest sleep 10001', 'MS must be 0..10000 milliseconds')]:
        out = m.cmd(line)
        check_contains(out, 'threadtest: ' + message, line)
        check_not_contains(out, 'PASS', line)
    for line in ['threadtest bogus', 'threadtest Many', 'threadtest preempt 5', 'threadtest all 5',
                 'threadtest many 5 6']:
        out = m.cmd(line)
        check_contains(out, 'usage: threadtest', line)
        check_not_contains(out, 'PASS', line)
    # sleep 0 is a sleep of no time, not a bad count (issue 13).
    out = selftest(m, 'threadtest sleep 0', 'threadtest', 1)
    check_contains(out, 'slept 0 ms', 'threadtest sleep 0')
    # The shell and the thread machinery still work.
    check_contains(m.cmd('threads'), 'main', 'threads after bad arguments')
    selftest(m, 'threadtest many 5', 'threadtest', 2)
