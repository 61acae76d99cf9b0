"""Address spaces from the shell: `asis`, `ases`, the `aspacetest`
self-test of the registry and wrapper errors, and nested shells (naming,
depth limit, errors)."""

import re

from harness import (ROOT_PROMPT, TestFailure, check_contains, check_match,
                     check_not_contains)
from integration.common import selftest


def aspace_names(out):
    return re.findall(r"(?m)^aspace \d+ '([^']*)'", out)


def test_asis(m):
    out = m.cmd('asis')
    check_match(out, r'(?m)^base\s+granularity 0x40000000, alignment 0x40000000, '
                r'1 instance\(s\), singleton$', 'asis: base')
    check_match(out, r'(?m)^paging\s+granularity 0x1000, alignment 0x1000, '
                r'1 instance\(s\)$', 'asis: paging')
    check_contains(out, 'none (fixed map)', 'asis: base regions')


def test_asis_counts_instances(m):
    m.cmd_at('shell', 'shell1> ')
    out = m.cmd_at('asis', 'shell1> ')
    check_match(out, r'(?m)^paging\s+granularity 0x1000, alignment 0x1000, 2 instance\(s\)$',
                'asis in a nested shell')
    m.cmd_at('exit', ROOT_PROMPT)
    check_match(m.cmd('asis'), r'(?m)^paging\s.*, 1 instance\(s\)$', 'asis after exit')


def test_ases(m):
    out = m.cmd('ases')
    check_match(out, r"(?m)^aspace 0 'boot' \(impl base\): \d+ thread\(s\)$", 'ases: boot')
    check_match(out, r"(?m)^aspace \d+ 'root' \(impl paging\): 1 thread\(s\), loaded$", 'ases: root')
    check_not_contains(out, "  thread ", 'ases without detail')
    if aspace_names(out) != ['boot', 'root']:
        raise TestFailure(f"ases should list exactly boot and root:\n{out}")


def test_ases_detail(m):
    out = m.cmd('ases detail')
    check_match(out, r"thread 1 'main' running", 'ases detail')
    check_match(out, r"thread \d+ 'idle' (runnable|running)", 'ases detail')
    check_match(out, r'identity map \[0x0000000000001000-0x[0-9a-f]+\) rw- kernel-only: low memory',
                'ases detail: boot')
    check_match(out, r'identity map \[0x0000000000100000-0x[0-9a-f]+\) r-x kernel-only: kernel text',
                'ases detail: boot')
    check_not_contains(out, 'rwx', 'ases detail (the kernel map is W^X)')
    # The kernel map's segments, the kernel stack window every paging
    # address space shows, and the lazy alias.
    check_match(out, r'8 region\(s\); page tables: \d+ table page\(s\); mapped: ', 'ases detail: root')
    check_match(out, r'\[0x0000400000000000-0x0000408000000000\) rw- PKL kstack \(kernel stacks',
                'ases detail: root (kernel stack window)')
    check_match(out, r'faults filled: \d+ phys, \d+ anon, \d+ file', 'ases detail: root')
    check_match(out, r'frames owned: \d+ \(\d+ filled pages, \d+ table pages\), limit \d+',
                'ases detail: root (frame count and limit)')


def test_ases_bad_argument(m):
    usage = 'usage: ases [detail [PID|NAME [ADDRESS]]]'
    check_contains(m.cmd('ases bogus'), usage, 'ases bogus')
    # Extra arguments are refused, not ignored (issue 13).
    check_contains(m.cmd('ases detail root 0x1000 extra'), usage, 'ases detail root 0x1000 extra')
    check_contains(m.cmd('ases detail nosuch'), "ases: no address space 'nosuch'", 'ases detail nosuch')


def test_aspacetest_passes(m):
    out = selftest(m, 'aspacetest', 'aspacetest', 25, timeout=120)
    for needle in ['unknown implementation -> -2',
                   "second instance of singleton 'base' -> -16",
                   'name of an existing address space -> -17',
                   'add a region to \'boot\' -> -95',
                   "destroy 'boot' -> -1",
                   'destroy it while a thread is inside -> -16',
                   '32-character name (too long) -> -22']:
        check_contains(out, needle, 'aspacetest output')
    # Nothing the test created is left behind.
    if aspace_names(m.cmd('ases')) != ['boot', 'root']:
        raise TestFailure('aspacetest left address spaces behind:\n' + m.cmd('ases'))


def test_aspacetest_usage(m):
    check_contains(m.cmd('aspacetest now'), 'usage: aspacetest', 'aspacetest now')


def test_shell_named(m):
    out = m.cmd_at('shell foo', 'foo> ')
    check_contains(out, "nested shell in address space 'foo'", 'shell foo')
    names = aspace_names(m.cmd_at('ases', 'foo> '))
    if 'foo' not in names:
        raise TestFailure(f"ases in shell foo lacks 'foo': {names}")
    m.cmd_at('exit', ROOT_PROMPT)
    if 'foo' in aspace_names(m.cmd('ases')):
        raise TestFailure("'foo' still listed after exit")


def test_shell_depth_limit(m):
    m.cmd_at('shell', 'shell1> ')
    m.cmd_at('shell', 'shell2> ')
    m.cmd_at('shell', 'shell3> ')
    names = aspace_names(m.cmd_at('ases', 'shell3> '))
    if names != ['boot', 'root', 'shell1', 'shell2', 'shell3']:
        raise TestFailure(f'three nested shells should give five address spaces: {names}')
    out = m.cmd_at('shell', 'shell3> ')
    check_contains(out, 'too deeply nested (max 3)', 'a fourth nested shell')
    check_contains(m.cmd_at('help', 'shell3> '), 'exit', 'help in shell3')
    m.cmd_at('exit', 'shell2> ')
    m.cmd_at('exit', 'shell1> ')
    m.cmd_at('exit', ROOT_PROMPT)
    out = m.cmd('ases')
    if aspace_names(out) != ['boot', 'root']:
        raise TestFailure('nested shells left address spaces behind:\n' + out)
    # The depth counter went back down: nesting works again.
    m.cmd_at('shell', 'shell4> ')
    m.cmd_at('exit', ROOT_PROMPT)


def test_shell_name_errors(m):
    out = m.cmd('shell ' + 'x' * 40)
    check_contains(out, 'name too long (max 31 characters)', 'shell <40 characters>')
    out = m.cmd('shell root')
    check_contains(out, "cannot create address space 'root': already exists", 'shell root')
    out = m.cmd('shell a b')
    check_contains(out, 'usage: shell [name]', 'shell a b')
    if aspace_names(m.cmd('ases')) != ['boot', 'root']:
        raise TestFailure('a failed shell left an address space behind')
    # The longest name that fits still works.
    name = 'y' * 31
    m.cmd_at('shell ' + name, name + '> ')
    m.cmd_at('exit', ROOT_PROMPT)
