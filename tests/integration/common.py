"""Strata-specific helpers shared by the integration tests: the root shell's
`mem`, self-test commands, panics, and the user shell that `urun` starts.
(Generic Machine operations, such as cmd_at(), are in tests/harness.py.)

    from integration.common import enter_user, leave_user, selftest

run_tests.py puts tests/ on sys.path, so this module imports as
integration.common; it is no test module (its name lacks the test_ prefix)."""

import re

from harness import (EXIT_PANIC, ROOT_PROMPT, USER_PROMPT, TestFailure,
                     check_contains, check_match, check_not_contains)

GREETING = ['Hello from userspace!',
            "[init] starting shell (/sh). Run the 'help' program for help"]
URUN_TIMEOUT = 60           # generous: TCG
SELFTEST_TIMEOUT = 180      # TCG: pagingtest, threadtest many 1000 take a few seconds normally


# ---- memory figures from the root shell's `mem` ------------------------------------

def free_frames(m):
    """The free frame count from the root shell's `mem`, and mem's output."""
    out = m.cmd('mem')
    f = re.search(r'frames:.*?\bfree\s+(\d+)', out)
    if not f:
        raise TestFailure(f"mem output has no 'frames: ... free N':\n{out}")
    return int(f.group(1)), out


def mem_figures(m, prompt=None):
    """(free frames, heap bytes in use) from `mem` (at `prompt`, default the
    current one)."""
    out = m.cmd_at('mem', prompt or m.prompt)
    free = int(check_match(out, r'frames:.*\bfree (\d+)', 'mem output').group(1))
    heap = int(check_match(out, r'heap: in use (\d+) bytes', 'mem output').group(1))
    return free, heap


def check_frames(m, before, before_out):
    """free_frames() is `before` again (before_out: the `mem` output then)."""
    after, after_out = free_frames(m)
    if after != before:
        raise TestFailure(f'free frames {before} before urun, {after} after every '
                          f'process ended ({after - before:+d}):\n'
                          f'--- before ---\n{before_out}--- after ---\n{after_out}')


# ---- self-test commands and panics ---------------------------------------------------

def selftest(m, line, name, minimum, timeout=SELFTEST_TIMEOUT, prompt=None):
    """Run a self-test command that prints `  PASS: ...`/`  FAIL: ...` lines
    and a final `NAME: N passed, N failed`; fail unless everything passed,
    at least `minimum` checks ran and the counts agree with the lines.
    Returns the output."""
    out = m.cmd_at(line, prompt or m.prompt, timeout)
    summary = check_match(out, r'(?m)^' + re.escape(name) + r': (\d+) passed, (\d+) failed$',
                          f'{line} output')
    passed, failed = int(summary.group(1)), int(summary.group(2))
    fails = [l for l in out.split('\n') if l.lstrip().startswith('FAIL')]
    if failed or fails:
        raise TestFailure(f'{line}: {failed} checks failed:\n' + '\n'.join(fails) +
                          '\n--- full output ---\n' + out)
    npass = len([l for l in out.split('\n') if l.startswith('  PASS: ')])
    if npass != passed:
        raise TestFailure(f'{line}: summary says {passed} passed but {npass} PASS lines:\n{out}')
    if passed < minimum:
        raise TestFailure(f'{line}: only {passed} checks ran (expected >= {minimum}):\n{out}')
    return out


def panic_report(m, line):
    """Type `line`; the kernel must panic and exit (the test ISO's command
    line has panic=exit); return what it printed from then on."""
    mark = m.mark()
    m.sendline(line)
    m.expect_exit(EXIT_PANIC)
    return m.output_since(mark)


# ---- the user shell (`urun`) -----------------------------------------------------

def enter_user(m):
    """`urun` from the root shell: exactly the two greeting lines, then the
    user prompt. Switches m.prompt to the user prompt."""
    m.sendline('urun')
    m.expect('\n')                      # the root shell's echo of the line
    m.prompt = USER_PROMPT
    try:
        out = m.wait_prompt(URUN_TIMEOUT)
    except TestFailure:
        m.prompt = ROOT_PROMPT
        raise
    lines = [l for l in out.split('\n') if l.strip()]
    if lines != GREETING:
        raise TestFailure('urun printed, before the first user prompt:\n'
                          + out + '\nexpected exactly:\n' + '\n'.join(GREETING))


def leave_user(m, line='exit'):
    """Type `exit` at the user prompt; the root prompt must come back. Returns
    what was printed in between (urun's report of /init's status)."""
    m.prompt = ROOT_PROMPT
    return m.cmd(line, timeout=URUN_TIMEOUT)


def check_no_processes(m):
    """`ps` lists no process (just the header)."""
    out = m.cmd('ps')
    lines = [l for l in out.split('\n') if l.strip()]
    if not lines or 'PID' not in lines[0]:
        raise TestFailure(f'ps printed no header:\n{out}')
    if len(lines) > 1:
        raise TestFailure('ps lists processes after every one ended:\n' + out)


def check_alive(m, forbidden=()):
    """QEMU still runs, nothing panicked (nor printed anything in
    `forbidden`), the root shell answers."""
    if m.proc.poll() is not None:
        m.fail(f'QEMU exited (status {m.proc.returncode})')
    out = m.output
    for bad in ['PANIC', *forbidden]:
        check_not_contains(out, bad, 'serial output')
    check_contains(m.cmd('help'), 'urun', 'root shell help (is the root shell alive?)')


def user_session(m, body, leave=leave_user, forbidden=()):
    """ps shows nothing; mem; urun; body(); leave(m) back to the root shell;
    ps shows nothing; mem shows the same free frames; the kernel is alive
    (check_alive with `forbidden`)."""
    check_no_processes(m)
    before, before_out = free_frames(m)
    enter_user(m)
    body()
    leave(m)
    check_no_processes(m)
    check_frames(m, before, before_out)
    check_alive(m, forbidden)
