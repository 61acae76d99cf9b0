"""The user shell as a person uses it (issue 13): line editing and history
with the root shell's keys and a serial terminal's escape sequences,
Ctrl-C for the program in the foreground (a busy loop, a sleep, a
pipeline, a handler that catches it, a JOS job, an empty prompt, a flood,
during fork and exec), cooked input for the programs the shell runs, the
console calls' hostile cases, quoting and the argument limit.

Every test is one user session (integration.common.user_session): `ps`
shows nothing before and after, and the free frame count after `exit` is
the one before `urun`: nothing an interrupted program held is lost."""

import re
import time

from harness import ROOT_PROMPT, TestFailure, check_contains, check_match, check_not_contains
from integration.common import URUN_TIMEOUT, check_alive, leave_user, user_session
from integration.fuzzing import console_resync

LEFT, RIGHT, UP, DOWN = '\x1b[D', '\x1b[C', '\x1b[A', '\x1b[B'
HOME, END, DELETE = '\x1b[H', '\x1b[F', '\x1b[3~'
BACKSPACE, CTRL_A, CTRL_C, CTRL_D, CTRL_E, CTRL_K, CTRL_U = '\x7f', '\x01', '\x03', '\x04', '\x05', '\x0b', '\x15'
INTERRUPTED = 'killed by signal 2 (SIGINT)'
INTERRUPT_TIMEOUT = 20      # seconds from Ctrl-C to the prompt (TCG, a loaded machine)


def ECHOED(line):
    """The shell's echo of a typed line and its Enter, in the raw output."""
    return re.compile(re.escape(line) + r'\r?\n')


def session(m, body):
    """user_session around body(), leaving with `exit 0` (an interrupted
    program leaves $? at 130, which a bare `exit` would pass on)."""
    user_session(m, body, lambda m: leave_user(m, 'exit 0'), ['FAILED'])


def typed(m, keys):
    """Type keys (ending in Enter) at the prompt; what the line printed."""
    m.send(keys)
    return m.wait_reply(URUN_TIMEOUT)


def check_line(m, keys, want, what):
    out = typed(m, keys)
    if out != want:
        raise TestFailure(f'{what}: {keys!r} printed {out!r}, expected {want!r}')


def interrupt(m, line, ready, what, settle=0.3):
    """Run line, wait for `ready` in its output and `settle` seconds more,
    press Ctrl-C: the prompt must come back. Returns what was printed from
    `ready` on."""
    m.sendline(line)
    m.expect(ready, URUN_TIMEOUT)
    mark = m.mark()
    time.sleep(settle)          # let it settle into its loop or wait
    m.send(CTRL_C)
    try:
        m.wait_prompt(INTERRUPT_TIMEOUT)
    except TestFailure as e:
        raise TestFailure(f'{what}: no prompt after Ctrl-C: {e}') from None
    return m.output_since(mark)


def check_status(m, want, what):
    out = m.cmd('echo $?', URUN_TIMEOUT)
    if out.strip() != str(want):
        raise TestFailure(f'{what}: $? is {out.strip()!r}, expected {want}')


# ---- line editing and history ---------------------------------------------------

def test_line_editing(m):
    def body():
        # In the middle of a line: left arrows, insert, Backspace, Delete.
        check_line(m, 'echo wrld' + LEFT * 3 + 'o\r', 'world\n', 'insert in the middle')
        check_line(m, 'echo helxlo' + LEFT * 2 + BACKSPACE + '\r', 'hello\n', 'backspace in the middle')
        check_line(m, 'echo abXc' + LEFT * 2 + DELETE + '\r', 'abc\n', 'Delete under the cursor')
        # Home/End and Ctrl-A/E in every spelling a terminal sends.
        for home, end in [(HOME, END), ('\x1bOH', '\x1bOF'), ('\x1b[1~', '\x1b[4~'), (CTRL_A, CTRL_E)]:
            check_line(m, 'cho mid' + home + 'e' + end + ' end\r', 'mid end\n', f'Home {home!r} / End {end!r}')
        check_line(m, 'echo ab' + RIGHT * 3 + LEFT * 9 + RIGHT * 6 + 'X\r', 'aXb\n', 'arrows past either end')
        # Ctrl-U deletes before the cursor, Ctrl-K from it.
        out = typed(m, 'junk words' + CTRL_U + 'echo clean\r')
        if out != 'clean\n':
            raise TestFailure(f'Ctrl-U then a new line printed {out!r}')
        check_line(m, 'echo keep drop' + LEFT * 5 + CTRL_K + '\r', 'keep\n', 'Ctrl-K')
        # Ctrl-C abandons a line: nothing runs.
        m.send('echo never' + CTRL_C)
        out = m.wait_reply(URUN_TIMEOUT)
        check_not_contains(out, 'never', 'a line abandoned with Ctrl-C')
        # Ctrl-D on an empty line does not end the shell.
        m.send(CTRL_D)
        check_contains(m.wait_prompt(URUN_TIMEOUT), 'use "exit" to leave the shell', 'Ctrl-D at the prompt')
        # Unknown keys and sequences are ignored; a line too long is refused.
        check_line(m, 'ec\x02ho\x1b[Z o\x1b[99~k\x07\r', 'ok\n', 'unknown keys')
        out = typed(m, 'echo ' + 'x' * 300 + '\r')
        check_contains(out, 'sh: line too long (max 255 characters); ignored', 'a line of 305 characters')
        check_not_contains(out, 'xxxxx\n', 'a line of 305 characters')
    session(m, body)


def test_history(m):
    def body():
        for word in ['first', 'second', 'third']:
            m.cmd('echo ' + word, URUN_TIMEOUT)
        check_line(m, UP + '\r', 'third\n', 'up: the last line')       # kept once
        check_line(m, UP + UP + DOWN + '\r', 'third\n', 'up, up, down')
        check_line(m, UP + UP + '\r', 'second\n', 'up twice')         # now the newest
        check_line(m, UP * 10 + '\r', 'first\n', 'up past the oldest')
        # The line being typed comes back below the newest.
        check_line(m, 'echo draft' + UP + UP + DOWN + DOWN + '\r', 'draft\n', 'back to the draft')
        # A recalled line can be edited before it runs.
        check_line(m, UP + LEFT * 5 + CTRL_K + 'edited\r', 'edited\n', 'a recalled line, edited')
        # History survives the programs the shell runs in between.
        m.cmd('hello', URUN_TIMEOUT)
        check_line(m, UP + UP + '\r', 'edited\n', 'history after running a program')
    session(m, body)


# ---- Ctrl-C -------------------------------------------------------------------------

def test_ctrl_c_interrupts_foreground(m):
    """A busy loop (no system call: the signal comes on the timer's return
    to user mode), a sleep (an interrupted wait), a pipeline (every
    process of the job), a JOS job (parent and forked child)."""
    def body():
        out = interrupt(m, 'spin -b 1000000', 'start', 'spin -b')
        check_contains(out, '^C', 'spin -b: the echo of Ctrl-C')
        check_contains(out, 'sh: spin: ' + INTERRUPTED, 'spin -b')
        check_not_contains(out, 'done', 'spin -b')
        check_status(m, 130, 'after spin -b')

        start = time.monotonic()
        out = interrupt(m, 'sleep 100', ECHOED('sleep 100'), 'sleep 100', settle=1.5)
        check_contains(out, 'sh: sleep: ' + INTERRUPTED, 'sleep 100')
        if time.monotonic() - start > 60:
            raise TestFailure('sleep 100 was not interrupted: it took a minute')

        # cat | cat: a line typed goes through both; Ctrl-C ends the job.
        m.sendline('cat | cat')
        m.expect(ECHOED('cat | cat'), URUN_TIMEOUT)
        time.sleep(1.5)
        m.send('through the pipe\r')
        m.expect(re.compile(r'through the pipe\r?\n(.*\n)?through the pipe'), URUN_TIMEOUT)
        mark = m.mark()
        m.send(CTRL_C)
        m.wait_prompt(INTERRUPT_TIMEOUT)
        check_contains(m.output_since(mark), 'sh: cat: ' + INTERRUPTED, 'cat | cat')

        # A JOS job: both environments go, as "[00000000] free env" lines.
        out = interrupt(m, '/jos/spinforever', 'I am the child.  Spinning...', '/jos/spinforever')
        frees = re.findall(r'\[00000000\] free env [0-9a-f]{8}', out)
        if len(frees) != 2:
            raise TestFailure(f'/jos/spinforever: {len(frees)} environments freed by Ctrl-C, expected 2:\n{out}')
        check_contains(out, 'sh: /jos/spinforever: ' + INTERRUPTED, '/jos/spinforever')

        # Ctrl-C at the prompt abandons nothing and kills nothing.
        m.send(CTRL_C)
        out = m.wait_reply(URUN_TIMEOUT)
        if out.strip():
            raise TestFailure(f'Ctrl-C at an empty prompt printed {out!r}')
        check_contains(m.cmd('echo still here', URUN_TIMEOUT), 'still here', 'the shell after Ctrl-C')
    session(m, body)


def test_ctrl_c_caught_by_handler(m):
    """sigint (user/bin/sigint.c) catches Ctrl-C in a busy loop, a sleep and
    a read; each interrupted wait returns -EINTR; the program carries on."""
    def body():
        m.sendline('sigint')
        for phase in ['busy loop', 'sleep', 'read']:
            m.expect(f'sigint: waiting ({phase})', URUN_TIMEOUT)
            time.sleep(0.3)
            m.send(CTRL_C)
            m.expect('sigint: caught signal 2 (SIGINT)', INTERRUPT_TIMEOUT)
        out = m.wait_prompt(URUN_TIMEOUT)
        check_contains(out, 'sigint: read returned -EINTR', 'sigint')
        check_contains(out, 'sigint: ok (3 caught)', 'sigint')
        check_not_contains(out, 'sh: sigint', 'sigint (it was not killed)')
        check_contains(m.output, 'sigint: sleep returned -EINTR', 'sigint')
        check_status(m, 0, 'sigint')
    session(m, body)


def test_cooked_input(m):
    """Programs reading the console get echoed, edited lines that end at
    Enter, and Ctrl-D on an empty line as the end of file."""
    def body():
        m.sendline('cat')
        m.expect(ECHOED('cat'), URUN_TIMEOUT)
        time.sleep(1)
        m.send('one\r')
        m.expect(re.compile(r'one\r?\none\r?\n'), URUN_TIMEOUT)
        m.send('twx' + BACKSPACE + 'o' + LEFT * 3 + 'a ' + '\r')    # edited by the console
        m.expect(re.compile(r'\na two\r?\n'), URUN_TIMEOUT)     # cat's copy (the echo was drawn)
        m.send(CTRL_D)
        m.wait_prompt(URUN_TIMEOUT)
        check_status(m, 0, 'cat ended by Ctrl-D')
        m.sendline('wc')
        m.expect(ECHOED('wc'), URUN_TIMEOUT)
        time.sleep(1)
        m.send('a b\rc\r' + CTRL_D)
        out = m.wait_prompt(URUN_TIMEOUT)
        check_match(out, r'(?m)^\s*2\s+3\s+6\s*$', 'wc of two typed lines')
    session(m, body)


def test_ctrl_c_hostile(m):
    """The console calls' hostile cases (consoletest), a flood of Ctrl-C at
    the prompt, at a busy loop and at a handler, and Ctrl-C pressed with
    Enter, while the shell forks and the child execs."""
    def body():
        out = m.cmd('consoletest', URUN_TIMEOUT)
        check_match(out, r'consoletest: ok \(\d+ checks\)', 'consoletest')

        m.send(CTRL_C * 300)                        # at the prompt
        console_resync(m, True)

        m.sendline('spin -b 1000000')
        m.expect('start', URUN_TIMEOUT)
        mark = m.mark()
        m.send(CTRL_C * 300)
        m.expect('sh: spin: ' + INTERRUPTED, INTERRUPT_TIMEOUT)
        console_resync(m, True)
        if m.output_since(mark).count(INTERRUPTED) != 1:
            raise TestFailure('a flood of Ctrl-C at spin -b reported more than one death')

        # A handler under a flood: signals that come while it runs wait
        # (one at a time, never nested); it counts to 20 and ends.
        m.sendline('sigint -n 20')
        m.expect('sigint: waiting for 20', URUN_TIMEOUT)
        for _ in range(200):
            m.send(CTRL_C * 5)
            if 'sigint: ok (20 caught)' in m.output:
                break
            time.sleep(0.05)
        m.expect('sigint: ok (20 caught)', INTERRUPT_TIMEOUT)
        console_resync(m, True)

        # Ctrl-C with Enter: it lands during fork, exec, or in the program;
        # the job must end (another Ctrl-C if it came before the program
        # could get it), and nothing may be left behind.
        for line in ['spin -b 1000000', 'sleep 100', '/jos/spinforever', 'cat | cat']:
            for _ in range(3):
                m.send(line + '\r' + CTRL_C)
                for tries in range(10):
                    try:
                        m.wait_prompt(3)
                        break
                    except TestFailure:
                        m.send(CTRL_C)
                else:
                    raise TestFailure(f'{line!r} with Ctrl-C: no prompt after 10 more Ctrl-Cs')
                console_resync(m, True)
    session(m, body)


# ---- quoting and limits ------------------------------------------------------------------

def test_quoting_and_argument_limit(m):
    def body():
        out = m.cmd('args \'a b\' "c  d" e\\ f', URUN_TIMEOUT)
        want = 'argc=4\nargv[0]="args"\nargv[1]="a b"\nargv[2]="c  d"\nargv[3]="e f"\nargv[argc]=NULL\n'
        if out != want:
            raise TestFailure(f'quoted arguments: printed\n{out}\nexpected\n{want}')
        out = m.cmd('echo ' + ' '.join(str(i) for i in range(1, 16)), URUN_TIMEOUT)
        if out.strip() != ' '.join(str(i) for i in range(1, 16)):
            raise TestFailure(f'16 words (the most): printed {out!r}')
        out = m.cmd('echo ' + ' '.join(str(i) for i in range(1, 17)), URUN_TIMEOUT)
        check_contains(out, "sh: too many arguments (at most 16 words, the command's name included)",
                       '17 words')
    session(m, body)


# ---- urun from the root shell ----------------------------------------------------------

def test_urun_ctrl_c(m):
    """The root shell's `urun PROG` gives the console to the program: Ctrl-C
    interrupts it; at the root prompt, Ctrl-C still abandons the line."""
    m.sendline('urun /bin/spin -b 1000000')
    m.expect('start', URUN_TIMEOUT)
    time.sleep(0.3)
    m.send(CTRL_C)
    out = m.wait_prompt(INTERRUPT_TIMEOUT)
    check_match(out, r'urun: /bin/spin \(pid \d+\) was killed by signal 2', 'urun /bin/spin -b')
    m.send('mem' + CTRL_C)
    out = m.wait_reply()
    check_not_contains(out, 'frames', 'a root-shell line abandoned with Ctrl-C')
    check_alive(m)
    if m.prompt != ROOT_PROMPT:
        raise TestFailure('not back at the root shell')
