"""JOS lab 4 challenges, message passing (issue 11): networks of processes
built with fork and connected by IPC (user/jos/csp.h). /jos/matmul is
Hoare's 3x3 array of multipliers (CSP, 1978, section 6.2), /jos/powser
McIlroy's power-series streams computing sin(1+x^2) and cos(1+x^2) exactly.

The printed results are checked here on their own (y = A x recomputed, the
coefficients against the closed forms with Python's Fraction), not only the
programs' final "OK" lines. Every forked process must end (`ps` lists none
afterwards) and the free frame count must come back.

The programs' lines are matched from anywhere in a line to its end: a
program prints a line in one piece, but the kernel prints its JOS lines
("[ID] exiting gracefully") a byte at a time, and a process preempted in
the middle of one lets another process's line in after the first bytes.

Every test ends with check_alive(): QEMU still running, no panic, the root
shell answering."""

import re
from fractions import Fraction
from math import factorial

from harness import TestFailure, check_contains, check_match, check_not_contains
from integration.common import (URUN_TIMEOUT, check_alive, check_frames, check_no_processes,
                                enter_user, free_frames, leave_user)

ID = r'([0-9a-f]{8})'
INT = r'(-?\d+)'
MATMUL_NODES = 21
POWSER_NODES = 14


def run(m, line):
    """`urun /jos/LINE` from the root shell: its output and the id of the
    environment it started."""
    out = m.cmd(f'urun /jos/{line}', timeout=URUN_TIMEOUT).replace('\r', '')
    return out, check_match(out, r'\[00000000\] new env ' + ID, line).group(1)


def check_network(out, root, n, what):
    """root forked n processes and nobody panicked. (That they all ended is
    checked by `ps` and the free frames, and by the program itself, which
    reaps every child before its last line. The kernel's "exiting
    gracefully" / "free env" lines are not used: two processes' kernel
    lines can interleave mid-line when one is preempted in kprintf; the
    fork lines cannot, the children wait for the parent's id table before
    they do anything.)"""
    children = re.findall(r'^\[' + root + r'\] new env ' + ID + r'$', out, re.M)
    if len(children) != n:
        raise TestFailure(f'{what}: {len(children)} processes forked, expected {n}:\n{out}')
    check_not_contains(out, 'user panic', what)
    check_not_contains(out, 'user fault', what)


def with_frames(fn):
    """Run fn(m) between two free-frame counts that must agree; no process
    may be left."""
    def test(m):
        before, before_out = free_frames(m)
        fn(m)
        check_no_processes(m)
        check_frames(m, before, before_out)
        check_alive(m)
    test.__name__ = fn.__name__
    test.__doc__ = fn.__doc__
    return test


# ---- matmul --------------------------------------------------------------------

def matmul_input(v, i):
    """Component i (1..3) of input vector v, as matmul.c generates it."""
    return (v * (i + 2) + v // 7 + i) % 11 - 5


def matmul_results(out, what):
    """A (from the "A row" lines) and the (x, y) pairs printed, in order."""
    rows = re.findall(r'A row (\d): ' + ' '.join([INT] * 3) + r'$', out, re.M)
    if [r[0] for r in rows] != ['1', '2', '3']:
        raise TestFailure(f'{what}: no "A row 1..3" lines:\n{out}')
    a = [[int(x) for x in r[1:]] for r in rows]
    vec = r'\(' + ', '.join([INT] * 3) + r'\)'
    pairs = re.findall(r'x = ' + vec + r'  A x = ' + vec + r'$', out, re.M)
    return a, [([int(x) for x in p[:3]], [int(y) for y in p[3:]]) for p in pairs]


def check_matmul(out, vectors, what):
    a, pairs = matmul_results(out, what)
    want_x = [[matmul_input(v, i) for i in (1, 2, 3)] for v in range(vectors)]
    if [x for x, _ in pairs] != want_x:
        raise TestFailure(f'{what}: the input vectors are not the {vectors} expected, '
                          f'in order:\n{out}')
    for x, y in pairs:
        ax = [sum(a[j][i] * x[i] for i in range(3)) for j in range(3)]
        if y != ax:
            raise TestFailure(f'{what}: A x for x = {x} is {ax}, the network said {y}:\n{out}')
    check_match(out, rf'(?m)matmul: {vectors} vectors OK$', what)


@with_frames
def test_matmul(m):
    """Hoare's array: four vectors, then a stream of a hundred (the array is
    a pipeline: several vectors are in it at once)."""
    for vectors in (4, 100):
        line = 'matmul' if vectors == 4 else f'matmul {vectors}'
        out, root = run(m, line)
        check_matmul(out, vectors, line)
        check_network(out, root, MATMUL_NODES, line)


@with_frames
def test_matmul_mismatch_is_reported(m):
    """`matmul 4 wrong`: one multiplier adds 1 to its sums. The program must
    say so at the first vector and destroy the network; nothing is left."""
    out, root = run(m, 'matmul 4 wrong')
    a, pairs = matmul_results(out, 'matmul wrong')
    if len(pairs) != 1:
        raise TestFailure(f'matmul wrong: expected exactly one result line:\n{out}')
    x, y = pairs[0]
    ax = [sum(a[j][i] * x[i] for i in range(3)) for j in range(3)]
    # M(2,2) holds A[2][2] (1-based) and adds to column 2's sum: y_2 is off by one.
    if y != [ax[0], ax[1] + 1, ax[2]]:
        raise TestFailure(f'matmul wrong: expected y_2 off by one from {ax}, got {y}:\n{out}')
    check_contains(out, f'matmul: mismatch: vector 1 gave ({y[0]}, {y[1]}, {y[2]}), '
                        f'expected ({ax[0]}, {ax[1]}, {ax[2]})', 'matmul wrong')
    check_not_contains(out, 'OK', 'matmul wrong')
    check_network(out, root, MATMUL_NODES, 'matmul wrong')
    check_match(out, r'\[' + root + r'\] destroying', 'matmul wrong: the network destroyed')


# ---- powser ---------------------------------------------------------------------

def closed_form(series, n):
    """The coefficient of x^n in sin(1+x^2) or cos(1+x^2), as {basis: Fraction}:
    with u = x^2, sin(1+u) = sin1 cos u + cos1 sin u, cos(1+u) = cos1 cos u -
    sin1 sin u; u^m comes from cos u (m even) or sin u (m odd), as s/m! with
    s = (-1)^(m//2)."""
    if n % 2:
        return {}
    m = n // 2
    c = Fraction((-1) ** (m // 2), factorial(m))
    if m % 2 == 0:
        return {'sin1' if series == 'sin' else 'cos1': c}
    return {'cos1': c} if series == 'sin' else {'sin1': -c}


RAT = r'-?\d+(?:/\d+)?(?: sin1| cos1)?'
COEF = r'0|' + RAT + r'(?: [+-] ' + RAT + r')*'     # as powser prints a coefficient


def parse_coef(text, what):
    """'0', '-1/2 sin1', '1 + 1/3 cos1' -> {basis: Fraction}; each fraction
    must be in lowest terms."""
    if text == '0':
        return {}
    coef = {}
    for part in text.replace(' - ', ' + -').split(' + '):
        mt = re.fullmatch(r'(-?\d+)(?:/(\d+))?(?: (sin1|cos1))?', part)
        if not mt:
            raise TestFailure(f'{what}: cannot read the coefficient {text!r}')
        num, den = int(mt.group(1)), int(mt.group(2) or 1)
        q = Fraction(num, den)
        if (q.numerator, q.denominator) != (num, den) or den == 1 and mt.group(2):
            raise TestFailure(f'{what}: {part!r} is not in lowest terms')
        coef[mt.group(3) or '1'] = q
    return coef


def check_powser_terms(out, terms, what):
    """Lines for x^0 .. x^(terms-1) of both series, each equal to the
    closed form, in order."""
    got = re.findall(r'(sin|cos)\(1\+x\^2\) x\^(\d+): (' + COEF + r')$', out, re.M)
    want = [(s, str(n)) for n in range(terms) for s in ('sin', 'cos')]
    if [(s, n) for s, n, _ in got] != want:
        raise TestFailure(f'{what}: expected x^0..x^{terms - 1} of sin and cos in order:\n{out}')
    for series, n, text in got:
        if parse_coef(text, what) != closed_form(series, int(n)):
            raise TestFailure(f'{what}: {series}(1+x^2) x^{n} is {text}, expected '
                              f'{closed_form(series, int(n))}:\n{out}')


@with_frames
def test_powser(m):
    """sin(1+x^2) and cos(1+x^2) to x^23 (twelve nonzero terms each)."""
    out, root = run(m, 'powser')
    check_powser_terms(out, 24, 'powser')
    check_match(out, r'(?m)powser: 24 terms OK$', 'powser')
    check_network(out, root, POWSER_NODES, 'powser')


@with_frames
def test_powser_overflow_is_reported(m):
    """`powser 44`: every coefficient whose denominator fits in an int64
    (up to x^41: 20!) is exact; x^42 needs 21! and must be reported as not
    fitting, not printed wrong; the network still ends."""
    assert factorial(20) < 2 ** 63 <= factorial(21)
    out, root = run(m, 'powser 44')
    check_powser_terms(out, 42, 'powser 44')
    check_match(out, r'(?m)sin\(1\+x\^2\) x\^42: does not fit in 64-bit rationals$', 'powser 44')
    check_match(out, r'(?m)powser: stopped at x\^42$', 'powser 44')
    check_not_contains(out, 'terms OK', 'powser 44')
    check_network(out, root, POWSER_NODES, 'powser 44')


# ---- both at once -----------------------------------------------------------------

def test_networks_side_by_side(m):
    """Both programs in the background of the user shell at the same time:
    the two networks' messages share the IPC machinery but never cross.
    (The kernel's JOS lines of two programs may interleave mid-line, so
    here the programs' own lines, the jobs' ends, `ps` and the free frames
    say that everything ended: each program prints OK only after it has
    reaped every process it forked.)"""
    before, before_out = free_frames(m)
    enter_user(m)
    mark = m.mark()
    m.cmd('/jos/matmul 30 & /jos/powser 30 &', timeout=URUN_TIMEOUT)
    m.cmd('wait', timeout=URUN_TIMEOUT)
    out = m.output_since(mark).replace('\r', '')
    check_matmul(out, 30, 'matmul in the background')
    check_powser_terms(out, 30, 'powser in the background')
    check_match(out, r'(?m)powser: 30 terms OK$', 'powser in the background')
    check_match(out, r'\[1\] done /jos/matmul', 'the shell reports the first job')
    check_match(out, r'\[2\] done /jos/powser', 'the shell reports the second job')
    check_not_contains(out, 'user panic', 'the two networks')
    leave_user(m)
    check_no_processes(m)
    check_frames(m, before, before_out)
    check_alive(m)
