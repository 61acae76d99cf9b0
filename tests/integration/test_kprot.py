"""The kernel's protection of itself (include/kmap.h, arch/x86_64/cpu/protect.c):
page 0 unmapped, a W^X kernel map in the `paging` and `base` address spaces,
SMEP and SMAP.

  - `kprot` checks everything with fault-recovering probes (no panic);
  - `kprot CASE` and `crash null` make one forbidden access for real: the
    kernel must print a fault report that names it, then panic (the test
    ISO has panic=exit, so QEMU exits with EXIT_PANIC);
  - on a CPU without SMEP/SMAP (-cpu qemu64) the kernel says so, runs
    without them, and user copies still work (stac/clac are skipped)."""

import re

from harness import boot, check_contains, check_match, check_not_contains
from integration.common import (URUN_TIMEOUT, check_alive, check_frames, check_no_processes,
                                enter_user, free_frames, leave_user, panic_report, selftest)

MIN_KPROT_CHECKS = 30
HEX = r'0x[0-9a-f]+'


def check_panicked_in(out, func):
    check_match(out, rf'ip {HEX} <{func}\+{HEX}>', 'fault report (ip line)')
    check_contains(out, 'PANIC: aspace_trap: unresolved page fault in kernel mode', 'fault report')


# ---- the layout and the self-test ------------------------------------------------

def test_protection_banner(m):
    check_contains(m.boot_output, 'protection: W^X kernel map, page 0 unmapped, SMEP on, SMAP on',
                   'boot banner')


def test_kprot_selftest(m):
    out = selftest(m, 'kprot', 'kprot', MIN_KPROT_CHECKS)
    check_not_contains(out, 'SKIP', 'kprot output (-cpu max has SMEP, SMAP and NX)')
    for needle in ['paging: no translation for page 0',
                   'paging: kernel text [', 'is mapped read-only, executable, kernel-only',
                   'paging: a write to kernel text faults',
                   'paging: the heap and free frames do not execute',
                   'SMAP: a plain kernel read or write of a user page faults',
                   'the user-copy routines read the user page',
                   'leaves RFLAGS.AC clear',
                   'SMEP: a kernel call into a user page faults',
                   'base: page 0 is not mapped',
                   'base: a write to kernel text faults',
                   'base: .data does not execute',
                   'free frames and heap back to their starting figures']:
        check_contains(out, needle, 'kprot output')


def test_kprot_usage(m):
    check_contains(m.cmd('kprot bogus'), 'usage: kprot', 'kprot bogus')
    check_contains(m.cmd('kprot smap extra'), 'usage: kprot', 'kprot smap extra')


def test_kernel_map_layout(m):
    """`ases detail`: the same W^X segments in 'root' (paging regions) and
    'boot' (base), nothing below 4 KiB, nothing writable and executable."""
    out = m.cmd('ases detail')
    check_not_contains(out, 'rwx', 'ases detail')
    segments = [('low memory', 'rw-'), ('kernel text', 'r-x'), ('kernel rodata', 'r--'),
                ('kernel data', 'rw-'), ('kernel symbols', 'r--'), ('memory', 'rw-')]
    boot_map = re.findall(r'identity map \[(0x[0-9a-f]+)-(0x[0-9a-f]+)\) (\S+) kernel-only: (.*)$',
                          out.replace('\r', ''), re.M)
    if [(name, prot) for _, _, prot, name in boot_map] != segments:
        raise AssertionError(f"'boot' kernel map is not {segments}:\n{out}")
    if int(boot_map[0][0], 16) != 0x1000:
        raise AssertionError(f"'boot' maps something below 4 KiB:\n{out}")
    for (_, end, _, _), (start, _, _, _) in zip(boot_map, boot_map[1:]):
        if end != start:
            raise AssertionError(f"'boot' kernel map has a gap or overlap at {end}/{start}:\n{out}")
    for start, end, prot, _ in boot_map:
        check_match(out, rf'\[{int(start, 16):#018x}-{int(end, 16):#018x}\) {prot} PKE phys -> pa '
                    rf'{int(start, 16):#x}\b', f"'root' region for [{start}-{end})")


def test_shared_kernel_map_survives_processes(m):
    """The kernel map's page tables are shared by every address space and
    belong to none: after hundreds of processes were created and destroyed
    (spawned, forked, exec'd), `kmapcheck` still finds every shared table
    page a page table with one reference and the right entry count, and
    every kernel page translating as laid out; no frame is lost either. An
    address-space destroy that freed a shared table page fails here (or
    panics on the way, when the frame is handed out again)."""
    kmap_re = r'kmapcheck: ok \((\d+) translations checked; shared kernel map: (\d+) table page\(s\)'
    first = check_match(m.cmd('kmapcheck'), kmap_re, 'kmapcheck at boot')
    before, before_out = free_frames(m)
    for line, needle in [('urun /bin/spawnexit 40', 'spawnexit: ok (40 rounds)'),
                         ('urun /jos/forktree', 'exiting gracefully'),
                         ('urun /bin/strace /bin/hello', '+++ exited with 0 +++')]:
        check_contains(m.cmd(line, timeout=URUN_TIMEOUT * 4), needle, line)
    check_no_processes(m)
    check_frames(m, before, before_out)
    again = check_match(m.cmd('kmapcheck'), kmap_re, 'kmapcheck after the processes')
    if again.groups() != first.groups():
        raise AssertionError(f'kmapcheck changed: {first.group(0)} -> {again.group(0)}')
    check_alive(m)


# ---- deliberate faults: report, then panic ------------------------------------

def test_null_dereference_report(m):
    out = panic_report(m, 'crash null')
    check_match(out, r'kernel page fault at va 0x8: supervisor read, page not present', 'fault report')
    check_contains(out, 'NULL pointer dereference (page 0 is never mapped)', 'fault report')
    check_contains(out, 'region: none covers this address', 'fault report')
    check_panicked_in(out, 'cmd_crash')


def test_text_write_report(m):
    out = panic_report(m, 'kprot text-write')
    check_match(out, rf'kernel page fault at va {HEX}: supervisor write, page present '
                r'\(protection violation\)', 'fault report')
    check_contains(out, 'verdict: access not allowed: write to a read-only region', 'fault report')
    check_match(out, rf'region \[0x100000-{HEX}\) r-x PKE phys', 'fault report (region line)')
    check_panicked_in(out, 'cmd_kprot')


def test_rodata_write_report(m):
    out = panic_report(m, 'kprot rodata-write')
    check_contains(out, 'write to a read-only region', 'fault report')
    check_match(out, rf'region \[{HEX}-{HEX}\) r-- PKE phys', 'fault report (region line)')
    check_panicked_in(out, 'cmd_kprot')


def check_exec_report(out, what):
    m = check_match(out, rf'kprot: calling {what} at ({HEX})', 'kprot output')
    va = int(m.group(1), 16)
    check_match(out, rf'kernel page fault at va {va:#x}: supervisor instruction fetch, page present',
                'fault report')
    check_contains(out, 'verdict: access not allowed: instruction fetch from a no-execute region',
                   'fault report')
    check_match(out, rf'region \[{HEX}-{HEX}\) rw- PKE phys', 'fault report (region line)')
    check_match(out, rf'ip {va:#x} in thread \d+ ', 'fault report (ip line)')
    check_contains(out, 'PANIC', 'fault report')


def test_heap_exec_report(m):
    check_exec_report(panic_report(m, 'kprot heap-exec'), 'heap memory')


def test_data_exec_report(m):
    check_exec_report(panic_report(m, 'kprot data-exec'), r'\.data')


def test_smap_report(m):
    out = panic_report(m, 'kprot smap')
    check_contains(out, 'outside the user-copy routines (SMAP on)', 'kprot output')
    check_match(out, r'kernel page fault at va 0xffffa00000000000: supervisor read, page present',
                'fault report')
    check_contains(out, 'verdict: access not allowed: kernel access to a user page outside the '
                   'user-copy routines (SMAP)', 'fault report')
    check_match(out, r'region \[0xffffa00000000000-0xffffa00000001000\) rwx -UE phys',
                'fault report (region line)')
    check_panicked_in(out, 'cmd_kprot')


def test_smep_report(m):
    out = panic_report(m, 'kprot smep')
    check_contains(out, 'kprot: calling user page 0xffffa00000000000 (SMEP on)', 'kprot output')
    check_match(out, r'kernel page fault at va 0xffffa00000000000: supervisor instruction fetch, '
                r'page present', 'fault report')
    check_contains(out, 'verdict: access not allowed: kernel instruction fetch from a user page (SMEP)',
                   'fault report')
    check_match(out, r"ip 0xffffa00000000000 in thread \d+ 'main', address space 'kprot'",
                'fault report (ip line)')
    check_contains(out, 'PANIC', 'fault report')


# ---- a CPU without SMEP and SMAP -------------------------------------------------

@boot(extra_args=['-cpu', 'qemu64'])
def test_cpu_without_smep_smap(m):
    check_contains(m.boot_output, 'SMEP off (not supported), SMAP off (not supported)', 'boot banner')
    out = selftest(m, 'kprot', 'kprot', MIN_KPROT_CHECKS - 6)
    check_contains(out, 'SKIP: SMAP: the CPU does not have it', 'kprot output')
    check_contains(out, 'SKIP: SMEP: the CPU does not have it', 'kprot output')
    check_contains(out, 'the user-copy routines read the user page', 'kprot output')
    # User copies run their stac/clac only where SMAP exists: here they
    # must not be executed (they would be invalid opcodes).
    enter_user(m)
    check_contains(m.cmd('echo copied through uaccess'), 'copied through uaccess', 'echo')
    check_contains(m.cmd('cat /etc/motd'), 'Strata', 'cat /etc/motd')
    leave_user(m)
