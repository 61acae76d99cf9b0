#!/usr/bin/env python3
"""Print Strata's benchmark figures (`make bench` builds first, then runs this).

    python3 tests/bench.py [--group G] [--json FILE]

Boots build/strata-test.iso twice with the test harness:

  icount   TCG with `-icount shift=0,sleep=off` (ICOUNT=1): the guest TSC
           counts executed instructions, so every figure is an instruction
           count, identical from run to run;
  cycles   the default accelerator (tools/qemu-args: KVM only when kvm_intel
           or kvm_amd is loaded, else TCG; ACCEL overrides), no icount: the
           TSC figures are cycles as the guest measures them (under TCG,
           host TSC cycles spent emulating: noisy).

In each boot it runs the kernel's `bench` command (kernel/ktest/cmd_bench.c) and,
if /bin/sysbench exists, `urun` then `sysbench` in the user shell, and then
prints the figures side by side with the host wall time of each boot.

Nothing here judges speed. The exit status is 1 only for functional
failures: the kernel crashed or hung, a step reported an error, or a figure
is missing; otherwise 0. The serial logs stay in build/test-logs/bench-*.log.
See docs/benchmarks.md for what each figure measures.
"""

import argparse
import json
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

from harness import (EXIT_POWEROFF, ROOT_PROMPT, USER_PROMPT, Machine,  # noqa: E402
                     TestFailure, qemu_base_args)

BENCH_TIMEOUT = 600         # seconds for `bench` (hang detection only)
SYSBENCH_TIMEOUT = 300

# bench: <name> <value> <unit> (<statistic>)
FIGURE_RE = re.compile(r'^bench: (\S+) (\d+) (\S+) \((.*)\)$', re.M)
ERROR_RE = re.compile(r'^bench: ERROR .*$', re.M)
DONE_RE = re.compile(r'^bench: done, (\d+) figures, (\d+) errors$', re.M)
CHECK_RE = re.compile(r'^bench-check: .*$', re.M)
INFO_RE = re.compile(r'^bench-info: .*$', re.M)
# sysbench: <how>: <value> cycles/call (<n> calls)
SYSBENCH_RE = re.compile(r'^sysbench: (\w+): (\d+) cycles/call \((\d+) calls\)$', re.M)

# Figures `bench all` must print (kernel/ktest/cmd_bench.c); a missing one is a
# functional failure.
EXPECTED = {
    'base': ['tsc_overhead', 'boot_to_prompt', 'boot_root_check'],  # printed whatever the group
    'switch': ['thread_switch', 'thread_switch_aspace', 'aspace_switch', 'aspace_thread_move'],
    'fault': ['fault_phys', 'mem_phys_frames', 'mem_phys_tables',
              'fault_anon', 'mem_anon_frames', 'mem_anon_tables', 'touch_mapped',
              'fault_file', 'mem_file_frames', 'mem_file_tables'],
    'eager': [f'{op}_eager_4g_{s}' for s in ('1g', '2m', '4k') for op in ('add', 'remove')] +
             [f'mem_eager_4g_{s}_tables' for s in ('1g', '2m', '4k')],
    'remove': ['fault_anon_64m', 'remove_anon_64m', 'mem_anon_64m_frames', 'mem_anon_64m_tables',
               'remove_lazy_4k', 'remove_lazy_1m'],
    'regions': ['fault_anon_regions_1', 'fault_anon_regions_1000', 'fault_anon_regions_100000',
                'map_unmap_1m_regions_1', 'map_unmap_1m_regions_1000', 'map_unmap_1m_regions_100000',
                'region_add_lazy', 'mem_region_bytes', 'mem_region_map_100000_frames',
                'aspace_destroy_100000_regions'],
}
SYSBENCH_EXPECTED = ['sysbench_syscall', 'sysbench_int80', 'sysbench_spawn_wait',
                     'sysbench_fork_exit_wait', 'sysbench_fork_exec_wait',
                     'sysbench_anon_fault', 'sysbench_file_fault', 'sysbench_mmap_munmap',
                     'sysbench_ipc_roundtrip', 'sysbench_ipc_page_roundtrip',
                     'sysbench_pipe_roundtrip', 'sysbench_yield_roundtrip']
# /jos/forkbench (user-level fork over exofork and region copies), same format.
FORKBENCH_EXPECTED = ['sysbench_jos_fork_exit_wait', 'sysbench_jos_fork_exit_wait_unbatched',
                      'sysbench_jos_fork_16m_exit_wait', 'sysbench_jos_fork_16m_exit_wait_unbatched',
                      'sysbench_jos_cow_fault']

MODES = [
    # name, environment for tools/qemu-args, column title
    ('icount', {'ICOUNT': '1', 'ACCEL': 'tcg'}, 'instructions (icount)'),
    ('cycles', {'ICOUNT': '0'}, 'cycles (no icount)'),
]


class BenchFailure(Exception):
    pass


def accel_of(env):
    args = qemu_base_args(env)
    accel = args[args.index('-accel') + 1] if '-accel' in args else '?'
    return accel + (' + icount' if '-icount' in args else '')


def run_boot(mode, env, group):
    """Boot once, run bench and sysbench; return a dict of results."""
    res = {'mode': mode, 'accel': accel_of(env), 'figures': {}, 'info': [],
           'check': None, 'errors': [], 'wall': {}}
    t_start = time.monotonic()
    with Machine('bench-' + mode, env=env) as m:
        m.wait_boot()
        res['wall']['boot'] = time.monotonic() - t_start

        t0 = time.monotonic()
        out = m.cmd('bench ' + group, BENCH_TIMEOUT)
        res['wall']['bench'] = time.monotonic() - t0
        for name, value, unit, how in FIGURE_RE.findall(out):
            res['figures'][name] = (int(value), unit, how)
        res['info'] = INFO_RE.findall(out)
        res['errors'] = ERROR_RE.findall(out)
        check = CHECK_RE.search(out)
        res['check'] = check.group(0) if check else None
        if not DONE_RE.search(out):
            raise BenchFailure(f'{mode}: `bench` did not finish:\n{out}')

        res['sysbench'] = 'sysbench' in m.cmd('ls /bin').split()
        if res['sysbench']:
            t0 = time.monotonic()
            m.prompt = USER_PROMPT
            m.sendline('urun')
            m.wait_prompt(SYSBENCH_TIMEOUT)
            out = m.cmd('sysbench', SYSBENCH_TIMEOUT)
            for how, value, calls in SYSBENCH_RE.findall(out):
                res['figures']['sysbench_' + how] = (int(value), 'cycles/call', f'mean of {calls}')
            if not SYSBENCH_RE.search(out):
                res['errors'].append('sysbench printed no figures: ' + out.strip())
            out = m.cmd('/jos/forkbench', SYSBENCH_TIMEOUT)
            for how, value, calls in SYSBENCH_RE.findall(out):
                res['figures']['sysbench_' + how] = (int(value), 'cycles/call', f'mean of {calls}')
            m.prompt = ROOT_PROMPT
            m.cmd('exit', SYSBENCH_TIMEOUT)
            res['wall']['sysbench'] = time.monotonic() - t0

        m.sendline('poweroff')
        m.expect_exit(EXIT_POWEROFF)
    res['wall']['total'] = time.monotonic() - t_start
    return res


def expected_names(group, with_sysbench):
    names = []
    for g, ns in EXPECTED.items():
        if group in ('all', g) or g == 'base':
            names += ns
    if with_sysbench:
        names += SYSBENCH_EXPECTED + FORKBENCH_EXPECTED
    return names


def is_memory(unit):
    return unit in ('frames', 'pages', 'bytes/region')


def fmt_value(v):
    return f'{v:,}' if v is not None else '-'


def print_table(title, headers, rows):
    widths = [max(len(str(r[i])) for r in [headers] + rows) for i in range(len(headers))]
    print(f'\n{title}')
    print(('  ' + ' | '.join(h.ljust(widths[i]) for i, h in enumerate(headers))).rstrip())
    print('  ' + '-+-'.join('-' * w for w in widths))
    for r in rows:
        cells = []
        for i, c in enumerate(r):
            c = str(c)
            cells.append(c.rjust(widths[i]) if 0 < i < len(headers) - 2 else c.ljust(widths[i]))
        print('  ' + ' | '.join(cells).rstrip())


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--group', default='all',
                    choices=['all', 'switch', 'fault', 'eager', 'remove', 'regions'],
                    help='which kernel figures (`bench GROUP`; default all)')
    ap.add_argument('--json', metavar='FILE', help='also write the results as JSON')
    opts = ap.parse_args(argv)

    results, problems = [], []
    for mode, env, _ in MODES:
        print(f'bench: booting ({mode}: {accel_of(env)}) ...', flush=True)
        try:
            results.append(run_boot(mode, env, opts.group))
        except (TestFailure, BenchFailure) as e:
            print(f'bench: FAILED ({mode} boot): {e}', file=sys.stderr)
            return 1

    by_mode = {r['mode']: r for r in results}
    names = expected_names(opts.group, all(r['sysbench'] for r in results))
    for r in results:
        for e in r['errors']:
            problems.append(f"{r['mode']}: {e}")
        missing = [n for n in names if n not in r['figures']]
        if missing:
            problems.append(f"{r['mode']}: missing figures: {', '.join(missing)}")
    # Figures printed but not expected still show (after the expected ones).
    extra = sorted({n for r in results for n in r['figures']} - set(names))
    order = names + extra

    ic, cy = by_mode['icount'], by_mode['cycles']
    timing_rows, memory_rows = [], []
    for n in order:
        a, b = ic['figures'].get(n), cy['figures'].get(n)
        unit = (a or b)[1]
        how = (a or b)[2]
        row = [n, fmt_value(a and a[0]), fmt_value(b and b[0]), unit, how]
        (memory_rows if is_memory(unit) else timing_rows).append(row)

    print(f"\naccelerators: icount run: {ic['accel']}; cycles run: {cy['accel']}")
    for r in results:
        for i in r['info']:
            print(f"  [{r['mode']}] {i}")
    print_table('Timings (TSC ticks per operation)',
                ['figure', MODES[0][2], MODES[1][2], 'unit', 'statistic'], timing_rows)
    if memory_rows:
        print_table('Memory (counts; the same in both boots)',
                    ['figure', 'icount boot', 'other boot', 'unit', 'what'], memory_rows)

    print('\nHost wall time per boot (seconds):')
    for r in results:
        w = r['wall']
        parts = ', '.join(f'{k} {w[k]:.1f}' for k in ('boot', 'bench', 'sysbench') if k in w)
        print(f"  {r['mode']:7s} ({r['accel']}): total {w['total']:.1f} ({parts})")

    print('\nLeak check (sanity print, not a test):')
    for r in results:
        print(f"  [{r['mode']}] {r['check'] or 'no bench-check line'}")
        if r['check'] and 'CHANGED' in r['check']:
            print(f"  WARNING: `bench` did not leave memory as it found it ({r['mode']} boot)")

    if problems:
        print('\nbench: FAILED (functional, not timing):', file=sys.stderr)
        for p in problems:
            print('  ' + p, file=sys.stderr)
        return 1
    if opts.json:       # only a complete run replaces the saved figures
        with open(opts.json, 'w') as f:
            json.dump(results, f, indent=2)
            f.write('\n')
    print(f'\nbench: {len(order)} figures from {len(results)} boots')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
