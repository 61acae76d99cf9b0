"""The figures `make bench-linux` compares and how a cell of its table is
written: shared by tools/bench-linux (which prints the table) and
tools/gen-bench-tables (which writes it into STATUS and docs/benchmarks.md
from the saved results), so the two cannot disagree.

A result `res` is {mode: {'figures': {name: value}, 'unsupported':
{name: why}, 'tsc_hz': rate or None}} for one system, or None.
"""

# Rows in order: (figure, what it measures). Linux's figures are measured
# by tools/bench-linux, never copied from anywhere.
ROWS = [
    ('syscall', 'null system call (getpid), syscall/sysret'),
    ('int80', 'the same through int $0x80'),
    ('yield_roundtrip', 'yield to another process and back'),
    ('pipe_roundtrip', 'one byte to another process and back through pipes'),
    ('ipc_roundtrip', 'an IPC value to another process and back'),
    ('ipc_page_roundtrip', 'the same with a page each way'),
    ('fork_exit_wait', 'fork, the child exits, wait'),
    ('fork_exec_wait', 'fork, the child execs a program that exits at once, wait'),
    ('spawn_wait', 'start a program that exits at once, wait (Linux: fork + exec)'),
    ('anon_fault', 'first write to a page of anonymous memory'),
    ('file_fault', "first read of a page of the program's read-only data"),
    ('mmap_munmap', 'map and unmap one untouched page'),
]


def cell(res, name, mode):
    """(number or None, text) for one system's figure in one mode."""
    if res is None:
        return None, 'no run'
    r = res.get(mode)
    if r is None:
        return None, 'no run'
    if name in r['figures']:
        v = r['figures'][name]
        if mode == 'cycles':
            if not r['tsc_hz']:
                return None, '? (no TSC rate)'
            ns = v * 1e9 / r['tsc_hz']
            return ns, f'{ns:,.0f} ns'
        return v, f'{v:,}'
    if name in r['unsupported']:
        return None, 'n/a: ' + r['unsupported'][name]
    return None, 'missing'


def ratio(a, b):
    return f'{b / a:.2f}' if a and b else '-'
