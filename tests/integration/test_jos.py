"""JOS's environment and IPC layer (lab 4, part A) on Strata processes:
the programs in user/jos/ print what the lab text says (ids matched as hex
patterns), hostile calls get errors, and every frame comes back.

Every test ends with check_alive(): QEMU still running, no panic, the root
shell answering."""

import re

from harness import TestFailure, check_contains, check_match, check_not_contains
from integration.common import (URUN_TIMEOUT, check_alive, check_frames, enter_user,
                                free_frames, leave_user, selftest)

ID = r'([0-9a-f]{8})'       # an environment id as the kernel prints it (%08x)
HEX = r'([0-9a-f]+)'        # as the programs print it (%x)


def lines_of(out):
    return [l for l in out.split('\n') if l.strip()]


def background_then_wait(m, line):
    """Start background jobs with `line`, then `wait` for them; everything
    printed from the line on (background output may come between the
    prompt and the `wait`)."""
    mark = m.mark()
    m.cmd(line, timeout=URUN_TIMEOUT)
    m.cmd('wait', timeout=URUN_TIMEOUT)
    return m.output_since(mark).replace('\r', '')


def check_lifecycle_end(out, envid, what):
    """The JOS lines of an environment that exited by itself."""
    check_contains(out, f'[{envid}] exiting gracefully', what)
    check_contains(out, f'[{envid}] free env {envid}', what)


def test_hello_from_root_shell(m):
    before, before_out = free_frames(m)
    out = m.cmd('urun /jos/hello', timeout=URUN_TIMEOUT)
    got = lines_of(out)
    pat = [r'\[00000000\] new env ' + ID, r'hello, world', r'i am environment ' + ID,
           r'\[' + ID + r'\] exiting gracefully', r'\[' + ID + r'\] free env ' + ID]
    if len(got) != len(pat):
        raise TestFailure(f'urun /jos/hello printed {len(got)} lines, expected {len(pat)}:\n{out}')
    ids = set()
    for line, p in zip(got, pat):
        mt = re.fullmatch(p, line)
        if not mt:
            raise TestFailure(f'line {line!r} does not match {p!r}:\n{out}')
        ids.update(mt.groups())
    if len(ids) != 1:
        raise TestFailure(f'the lines name more than one environment ({sorted(ids)}):\n{out}')
    check_frames(m, before, before_out)
    check_alive(m)


def test_hello_parent_is_the_shell(m):
    before, before_out = free_frames(m)
    enter_user(m)
    out = m.cmd('/jos/hello', timeout=URUN_TIMEOUT)
    mt = check_match(out, r'\[' + ID + r'\] new env ' + ID, '/jos/hello from the user shell')
    shell, child = mt.groups()
    check_match(out, r'i am environment ' + child, '/jos/hello')
    check_lifecycle_end(out, child, '/jos/hello')
    # The shell is the user shell started by /init: its id is its pid.
    ps = m.cmd('/jos/hello')
    check_contains(ps, f'[{shell}] new env', 'a second run from the same shell')
    leave_user(m)
    check_frames(m, before, before_out)
    check_alive(m)


def test_pingpong2(m):
    before, before_out = free_frames(m)
    enter_user(m)
    out = background_then_wait(m, '/jos/pingpong2 & /jos/pingpong2 &')
    got = re.findall(HEX + r' got (\d+) from ' + HEX, out)
    if [int(v) for _, v, _ in got] != list(range(11)):
        raise TestFailure(f'pingpong2 did not count 0..10 in order:\n{out}')
    a, b = got[0][2], got[0][0]
    for i, (me, _, frm) in enumerate(got):
        want = (b, a) if i % 2 == 0 else (a, b)
        if (me, frm) != want:
            raise TestFailure(f'line {i} of the bounce is {me} got from {frm}, '
                              f'expected {want[0]} from {want[1]}:\n{out}')
    for e in (a, b):
        check_lifecycle_end(out, e.rjust(8, '0'), 'pingpong2')
    check_match(out, r'\[1\] done /jos/pingpong2', 'the shell reports the first job')
    check_match(out, r'\[2\] done /jos/pingpong2', 'the shell reports the second job')
    leave_user(m)
    check_frames(m, before, before_out)
    check_alive(m)


def test_fairness(m):
    before, before_out = free_frames(m)
    enter_user(m)
    for variant in ('', ' poll'):
        line = ' & '.join([f'/jos/fairness{variant}'] * 3) + ' &'
        out = background_then_wait(m, line)
        counts = [int(c) for c in re.findall(r'received (\d+) of 100 messages from', out)]
        if len(counts) != 2 or sum(counts) != 100:
            raise TestFailure(f'fairness{variant}: expected two counts summing to 100:\n{out}')
        # The library's ipc_send (a FIFO of blocked senders) is fair; JOS's
        # polling loop (`poll`) need not be, it only has to finish.
        if not variant and min(counts) < 40:
            raise TestFailure(f'fairness: unfair counts {counts}:\n{out}')
        check_not_contains(out, 'user panic', f'fairness{variant}')
    leave_user(m)
    check_frames(m, before, before_out)
    check_alive(m)


def test_fault_programs(m):
    before, before_out = free_frames(m)
    cases = {
        'fault': r'user fault va ffff800000000000 ip ffff8000004[0-9a-f]{5}',
        'faultread': r'user fault va ffff800000000000 ip ffff8000004[0-9a-f]{5}',
        'faultwrite': r'user fault va ffff800000000000 ip ffff8000004[0-9a-f]{5}',
        'buggyhello': r'user_mem_check assertion failure for va 00000001',
        'evilhello': r'user_mem_check assertion failure for va 00100020',
    }
    for prog, pat in cases.items():
        out = m.cmd(f'urun /jos/{prog}', timeout=URUN_TIMEOUT)
        mt = check_match(out, r'\[00000000\] new env ' + ID, prog)
        envid = mt.group(1)
        check_match(out, r'\[' + envid + r'\] ' + pat, prog)
        check_contains(out, f'[{envid}] free env {envid}', prog)
        check_not_contains(out, 'exiting gracefully', prog)
        check_not_contains(out, 'I read', prog)
    check_frames(m, before, before_out)
    check_alive(m)


def test_envtest_hostile_calls(m):
    before, before_out = free_frames(m)
    enter_user(m)
    selftest(m, 'envtest', 'envtest', 40, timeout=URUN_TIMEOUT * 2)
    leave_user(m)
    check_frames(m, before, before_out)
    check_alive(m)


def test_envtest_table_full(m):
    before, before_out = free_frames(m)
    enter_user(m)
    out = selftest(m, 'envtest full', 'envtest', 40, timeout=URUN_TIMEOUT * 6)
    check_contains(out, 'spawn fails with -E_NO_FREE_ENV after', 'envtest full')
    leave_user(m)
    check_frames(m, before, before_out)
    check_alive(m)


def test_envlog_switch(m):
    out = m.cmd('urun /bin/hello', timeout=URUN_TIMEOUT)
    check_not_contains(out, 'new env', 'a Strata program with envlog off')
    check_contains(m.cmd('envlog'), 'off', 'envlog')
    m.cmd('envlog on')
    out = m.cmd('urun /bin/hello', timeout=URUN_TIMEOUT)
    envid = check_match(out, r'\[00000000\] new env ' + ID, 'with envlog on').group(1)
    check_lifecycle_end(out, envid, 'a Strata program with envlog on')
    m.cmd('envlog off')
    out = m.cmd('urun /bin/hello', timeout=URUN_TIMEOUT)
    check_not_contains(out, 'new env', 'envlog off again')
    check_contains(m.cmd('envlog bogus'), 'usage: envlog', 'envlog with a bad argument')
    check_alive(m)


def test_ipc_page_transfer(m):
    before, before_out = free_frames(m)
    enter_user(m)
    out = background_then_wait(m, '/jos/ipcpage & /jos/ipcpage &')
    for line in ['sending a page to', 'received a page from', 'contents check out',
                 "sees the receiver's write: the frame is shared",
                 'page intact after the receiver exited']:
        check_contains(out, line, 'ipcpage')
    check_not_contains(out, 'user panic', 'ipcpage')
    check_not_contains(out, 'user fault', 'ipcpage')
    leave_user(m)
    check_frames(m, before, before_out)
    check_alive(m)
