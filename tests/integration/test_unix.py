"""Unix on the JOS primitives (issue 12), driven through the user shell as a
person would: pipelines, redirections, quoting and statuses; exec in place
and its failures; descriptors, pipes, /tmp; strace in the lecture's format;
the hostile cases (unixtest: user/bin/unixtest.c prints one verdict line per
subcommand).

Every test is one user session: `ps` shows nothing before and after, the
free frame count after `exit` equals the one before `urun`, and /tmp holds
no page any more (`mem`'s tmpfs line), so nothing a test did is lost."""

import re

from harness import TestFailure, check_contains, check_match, check_not_contains
from integration.common import leave_user, user_session

PROG_TIMEOUT = 240          # one command line (TCG is slow; tmpfill writes 128 MiB)

# The lecture's line (6.828 shell and system calls): the call, padded to 40
# columns, then the result.
HELLO_WRITE_LINE = 'write(1, "Hello, world!\\n", 14)         = 14'


def tmpfs_pages(m):
    out = m.cmd('mem')
    return int(check_match(out, r'tmpfs: (\d+) pages in files', 'mem output').group(1))


def session(m, body):
    """user_session around body(); afterwards /tmp holds no page."""
    def leave(m):
        out = leave_user(m)
        check_not_contains(out, 'killed', 'urun after exit')
    user_session(m, body, leave, ['PANIC', 'FAILED'])
    pages = tmpfs_pages(m)
    if pages:
        raise TestFailure(f'/tmp still holds {pages} pages after every file was removed')


def run(m, line, timeout=PROG_TIMEOUT):
    out = m.cmd(line, timeout=timeout)
    check_not_contains(out, 'FAILED', f'output of {line!r}')
    return out


def lines_of(out):
    return [l for l in out.replace('\r', '').split('\n') if l.strip()]


def wc_counts(text):
    """What wc prints for text: (lines, words, bytes)."""
    return text.count('\n'), len(text.split()), len(text.encode())


def check_wc(out, text, what):
    m_ = check_match(out, r'^\s*(\d+)\s+(\d+)\s+(\d+)\s*$', what, re.M)
    got = tuple(int(x) for x in m_.groups())
    if got != wc_counts(text):
        raise TestFailure(f'{what}: wc printed {got}, expected {wc_counts(text)} for:\n{text}')


# ---- the "done means" ------------------------------------------------------

def test_done_means(m):
    """`ls /bin | grep f | wc`, `echo hi > /tmp/x; cat < /tmp/x`, `strace
    hello-write` and `strace -f run-fork` behave as on Unix."""
    def body():
        listing = run(m, 'ls /bin')
        names = lines_of(listing)
        if len(names) < 20 or not any('hello-write' in l for l in names):
            raise TestFailure(f'ls /bin lists too little:\n{listing}')
        with_f = ''.join(l + '\n' for l in names if 'f' in l)
        check_wc(run(m, 'ls /bin | grep f | wc'), with_f, 'ls /bin | grep f | wc')

        out = run(m, 'echo hi > /tmp/x; cat < /tmp/x')
        if lines_of(out) != ['hi']:
            raise TestFailure(f'echo hi > /tmp/x; cat < /tmp/x printed:\n{out}')

        out = run(m, 'strace hello-write')
        check_contains(out, 'Hello, world!', 'strace hello-write')
        trace = [l for l in lines_of(out) if l != 'Hello, world!']
        expected = ['exec("/bin/hello-write", ["hello-write"]) = 0', HELLO_WRITE_LINE,
                    'exit(0)                                 = ?', '+++ exited with 0 +++']
        if trace != expected:
            raise TestFailure('strace hello-write printed:\n' + '\n'.join(trace) +
                              '\nexpected:\n' + '\n'.join(expected))

        out = run(m, 'strace -f run-fork')
        child = check_match(out, r'^env_alloc\(\)\s+= (\d+)$', 'strace -f run-fork', re.M).group(1)
        for needle in [f'[pid {child}] exec("/bin/sh", ["sh", "-c", "ls"])',
                       f'[pid {child}] +++ exited with 0 +++',
                       f'wait({child}, ', '+++ exited with 0 +++', 'exec("/bin/ls", ["ls"])']:
            check_contains(out, needle, 'strace -f run-fork')
        # ls's own output is there too, and every traced process ended.
        check_contains(out, 'bin/', 'strace -f run-fork (the output of ls)')
        if len(re.findall(r'\+\+\+ exited with 0 \+\+\+', out)) != 3:
            raise TestFailure(f'strace -f run-fork: not three processes exited with 0:\n{out}')
        run(m, 'rm /tmp/x')
    session(m, body)


# ---- the shell --------------------------------------------------------------------

def test_pipelines(m):
    """Pipelines of two and three programs, and one of five; what flows
    through them is checked against the files' contents."""
    def body():
        run(m, 'ls /bin > /tmp/list')
        listing = run(m, 'cat /tmp/list').replace('\r', '')
        names = listing.split('\n')
        if len(lines_of(listing)) < 20:
            raise TestFailure(f'ls /bin > /tmp/list wrote too little:\n{listing}')
        first5 = ''.join(l + '\n' for l in names[:5])
        check_wc(run(m, 'cat /tmp/list | head -n 5 | wc'), first5, 'cat | head | wc')
        check_wc(run(m, 'cat /tmp/list | wc'), listing, 'cat | wc')
        check_wc(run(m, 'wc < /tmp/list'), listing, 'wc < file')
        with_e = ''.join(l + '\n' for l in names if 'e' in l and 't' not in l)
        check_wc(run(m, 'cat /tmp/list | grep e | grep -v t | wc'), with_e, 'cat | grep | grep -v | wc')
        out = run(m, 'cat /tmp/list | cat | cat | cat | head -n 1')
        if lines_of(out) != [names[0]]:
            raise TestFailure(f'a pipeline of five printed:\n{out}')
        # grep -v of everything: an empty stream; wc still answers.
        check_wc(run(m, 'cat /tmp/list | grep -v "" | wc'), '', 'grep -v ""')
        # A pipeline's status is its last command's.
        run(m, 'true | false')
        check_contains(run(m, 'echo $?'), '1', '$? after true | false')
        run(m, 'false | true')
        check_contains(run(m, 'echo $?'), '0', '$? after false | true')
        # tee: into a file and on down the pipe.
        out = run(m, 'echo one two | tee /tmp/tee | wc')
        check_wc(out, 'one two\n', 'tee | wc')
        check_contains(run(m, 'cat /tmp/tee'), 'one two', 'the file tee wrote')
        run(m, 'rm /tmp/tee /tmp/list')
    session(m, body)


def test_redirections(m):
    """<, >, >>, 2> into /tmp and back; errors of each."""
    def body():
        run(m, 'echo first > /tmp/r')
        run(m, 'echo second >> /tmp/r')
        if lines_of(run(m, 'cat < /tmp/r')) != ['first', 'second']:
            raise TestFailure('> then >> did not give two lines')
        run(m, 'echo third > /tmp/r')
        if lines_of(run(m, 'cat /tmp/r')) != ['third']:
            raise TestFailure('> did not truncate')
        # 2>: the error goes to the file, not the console.
        out = run(m, 'cat /tmp/nosuch 2> /tmp/err')
        check_not_contains(out, 'no such file', 'cat 2> /tmp/err (console)')
        check_contains(run(m, 'cat /tmp/err'), 'cat: /tmp/nosuch: no such file or directory', '/tmp/err')
        # < and > together, through a program.
        run(m, 'grep ir < /tmp/r > /tmp/r2')
        if lines_of(run(m, 'cat /tmp/r2')) != ['third']:
            raise TestFailure('grep ir < /tmp/r > /tmp/r2')
        # Errors: each is the shell's own line, and the shell goes on.
        check_contains(run(m, 'cat < /tmp/nosuch'), 'sh: /tmp/nosuch: no such file or directory', '<')
        check_contains(run(m, 'echo x > /bin/x'), 'read-only file system', '> into the initrd')
        check_contains(run(m, 'echo x > /tmp/nodir/x'), 'no such file or directory', '> into no dir')
        check_contains(run(m, 'echo x >'), 'sh: a redirection needs a file name', '> alone')
        check_contains(run(m, 'echo x > /tmp'), 'is a directory', '> onto a directory')
        run(m, 'rm /tmp/r /tmp/r2 /tmp/err')
    session(m, body)


def test_shell_syntax(m):
    """Quoting, ;, $?, background jobs and wait, exit statuses, missing and
    malformed programs (the exec failure leaves the shell as it was)."""
    def body():
        out = run(m, "echo 'a  b'  \"c  d\" e'f'\"g\"")
        check_contains(out, 'a  b c  d efg', 'quotes')
        out = run(m, "echo '|' '>' \";\" '&'")
        check_contains(out, '| > ; &', 'quoted operators')
        check_contains(run(m, 'echo "unterminated'), 'sh: unterminated quote', 'unterminated quote')
        out = run(m, 'echo one; echo two ;echo three')
        if lines_of(out) != ['one', 'two', 'three']:
            raise TestFailure(f'; printed:\n{out}')
        run(m, 'false')
        check_contains(run(m, 'echo $?'), '1', '$? after false')
        check_contains(run(m, 'echo $?'), '0', '$? after echo')
        out = run(m, 'nosuchprogram')
        check_contains(out, 'sh: nosuchprogram: command not found', 'a missing program')
        check_contains(run(m, 'echo $?'), '127', '$? after a missing program')
        out = run(m, '/bad/refuse-magic')
        check_contains(out, 'exec format error', 'a malformed ELF file')
        check_contains(run(m, 'echo $?'), '126', '$? after a malformed program')
        out = run(m, 'exitcode 42')
        check_contains(run(m, 'echo $?'), '42', '$? after exit 42')
        # Background: the prompt comes back at once; wait collects the job.
        out = run(m, 'sleep 300ms & echo started')
        check_match(out, r'\[1\] \d+', 'a background job')
        check_contains(out, 'started', 'the command after &')
        out = run(m, 'wait')
        check_contains(out, '[1] done sleep', 'wait')
        # A background pipeline, then a foreground command (this hung once).
        out = run(m, 'true | true & true')
        check_match(out, r'\[1\] \d+', 'a background pipeline')
        run(m, 'wait')
        check_contains(run(m, 'echo still here'), 'still here', 'the shell after the jobs')
    session(m, body)


# ---- exec ------------------------------------------------------------------------

def test_exec_hostile(m):
    """exec with hostile paths and argv, and of every malformed ELF file in
    place: each fails, and the caller's memory and files are intact."""
    def body():
        out = run(m, 'unixtest exec')
        mm = check_match(out, r'unixtest: exec: ok \((\d+) hostile execs refused, (\d+) of them '
                              r'malformed ELF files', 'unixtest exec')
        if int(mm.group(2)) < 30:
            raise TestFailure(f'only {mm.group(2)} malformed ELF files tried')
        check_not_contains(out, 'Hello, world!', 'unixtest exec (an exec went through)')
    session(m, body)


def test_exec_keeps_and_resets(m):
    """exec keeps the pid, the parent and the open files (with their shared
    offset); it resets the signal handler, so a fault after exec kills."""
    def body():
        out = run(m, 'unixtest execkeep')
        check_contains(out, 'unixtest: execkept: ok (pid, parent and descriptors kept', 'execkeep')
        check_contains(out, 'sh: unixtest: killed by signal 11', 'execkeep (the fault after exec)')
        check_not_contains(out, 'survived exec', 'execkeep')
    session(m, body)


# ---- descriptors, pipes, /tmp ----------------------------------------------------------

def test_descriptors(m):
    def body():
        check_contains(run(m, 'unixtest forklazy'), 'unixtest: forklazy: ok', 'unixtest forklazy')
        check_contains(run(m, 'unixtest dup2'), 'unixtest: dup2: ok (32 descriptors)', 'unixtest dup2')
        check_contains(run(m, 'unixtest fds'),
                       'unixtest: fds: ok (29 files opened, then too many open files)', 'unixtest fds')
    session(m, body)


def test_pipes(m):
    """No readers, no writers, 256 KiB through a pipe, atomic PIPE_BUF
    records from two writers, a blocked writer whose reader goes away."""
    def body():
        check_contains(run(m, 'unixtest pipe'), 'unixtest: pipe: ok (262144 bytes, 1000 records',
                       'unixtest pipe')
        # A reader that stops early: the writer's next write gets -EPIPE,
        # and the pipeline ends.
        out = run(m, 'cat /etc/motd /etc/motd /etc/motd | head -n 1')
        if len(lines_of(out)) != 1:
            raise TestFailure(f'head -n 1 of a pipe printed:\n{out}')
    session(m, body)


def test_tmp_files(m):
    """The lecture's mkstemp-alike (a second run: EEXIST), a /tmp filled to
    ENOSPC and emptied, 1,000 unlinks of open files, map_file and read."""
    def body():
        run(m, 'mkstemp-alike')
        check_contains(run(m, 'cat /tmp/jos-Fl9E8n'), '6.828 is amazing.', 'the file mkstemp-alike wrote')
        out = run(m, 'mkstemp-alike')
        check_contains(out, 'mkstemp-alike: /tmp/jos-Fl9E8n: file exists', 'a second mkstemp-alike')
        run(m, 'rm /tmp/jos-Fl9E8n')
        out = run(m, 'unixtest tmpfill')
        check_match(out, r'unixtest: tmpfill: ok \(\d+ KiB, then no space left on device; space back',
                    'unixtest tmpfill')
        check_match(run(m, 'unixtest sparse'), r'unixtest: sparse: ok \(\d+ files of 120 MiB, then no space',
                    'unixtest sparse (page indexes count against the cap)')
        check_contains(run(m, 'unixtest unlinkopen 1000'),
                       'unixtest: unlinkopen: ok (1000 files unlinked while open)', 'unlinkopen')
        check_contains(run(m, 'unixtest mapfile'), 'unixtest: mapfile: ok', 'unixtest mapfile')
        # A program copied to /tmp runs from there.
        out = run(m, 'cp /bin/hello-write /tmp/hw; /tmp/hw; strace /tmp/hw')
        check_contains(out, 'Hello, world!', 'a program in /tmp')
        check_match(out, r'exec\("/tmp/hw", \["/tmp/hw"\]\) +\= 0', 'strace of a program in /tmp')
        run(m, 'rm /tmp/hw')
        out = run(m, 'mkdir /tmp/d; touch /tmp/d/f; rm /tmp/d')
        check_contains(out, 'directory not empty', 'rm of a full directory')
        run(m, 'rm /tmp/d/f /tmp/d')
        check_contains(run(m, 'ls /tmp'), '', 'ls /tmp')
        if lines_of(run(m, 'ls /tmp')):
            raise TestFailure('/tmp is not empty at the end')
    session(m, body)


# ---- strace ----------------------------------------------------------------------

def test_strace_format(m):
    """The lecture's mkstemp-alike lines, errors as -1 ENAME (Text), strings
    escaped and cut at 32 bytes, the trace on standard error (redirected to
    a file), a signal and a kill."""
    def body():
        out = run(m, 'strace mkstemp-alike')
        for line in ['open("/tmp/jos-Fl9E8n", O_RDWR|O_CREAT|O_EXCL, 0600) = 3',
                     'write(3, "6.828 is amazing.\\n", 18)     = 18',
                     'close(3)                                = 0']:
            check_contains(out, line, 'strace mkstemp-alike')
        out = run(m, 'strace mkstemp-alike')
        check_contains(out, 'open("/tmp/jos-Fl9E8n", O_RDWR|O_CREAT|O_EXCL, 0600) = -1 EEXIST (File exists)',
                       'a second strace mkstemp-alike')
        check_contains(out, '+++ exited with 1 +++', 'a second strace mkstemp-alike')
        run(m, 'rm /tmp/jos-Fl9E8n')
        # Long strings are cut at 32 bytes with "...", control bytes escaped.
        out = run(m, 'strace echo 0123456789abcdefghijklmnopqrstuvwxyz')
        check_contains(out, 'exec("/bin/echo", ["echo", "0123456789abcdefghijklmnopqrstuv"...]) = 0',
                       'a long argv string')
        check_contains(out, 'write(1, "0123456789abcdefghijklmnopqrstuv"..., 37) = 37', 'a long string')
        # Bytes that are not printable: octal, as strace prints them.
        out = run(m, 'strace head -n 1 /bin/true > /tmp/out 2> /tmp/tr; cat /tmp/tr')
        check_match(out, r'read\(3, "\\177ELF\\2\\1\\1\\0\\0\\0\\0\\0\\0\\0\\0\\0\\2\\0>\\0'
                         r'\\1\\0\\0\\0[^"]*"\.\.\., \d+\) += \d+', 'binary bytes in octal')
        run(m, 'rm /tmp/tr /tmp/out')
        # The trace goes to standard error: into a file, the program's
        # output stays on the console.
        out = run(m, 'strace hello-write 2> /tmp/trace')
        if lines_of(out) != ['Hello, world!']:
            raise TestFailure(f'strace hello-write 2> /tmp/trace printed on the console:\n{out}')
        check_contains(run(m, 'cat /tmp/trace'), HELLO_WRITE_LINE, 'the trace in /tmp/trace')
        run(m, 'rm /tmp/trace')
        # A fault: the signal, then the kill.
        out = run(m, 'strace nullderef')
        check_contains(out, '--- SIGSEGV {si_signo=SIGSEGV, si_addr=NULL} ---', 'strace nullderef')
        check_contains(out, '+++ killed by SIGSEGV +++', 'strace nullderef')
        # Usage errors are strace's own.
        check_contains(run(m, 'strace'), 'usage: strace [-f] PROG [ARGS...]', 'strace alone')
        check_contains(run(m, 'strace /bin/nosuch'), 'no such file or directory', 'strace of nothing')
    session(m, body)


def test_strace_fork_100(m):
    """strace -f of a program that forks 100 times: every child's calls and
    exit are traced, each with its pid; nothing is lost or torn."""
    def body():
        run(m, 'strace -f unixtest forkmany 100 2> /tmp/t')
        out = run(m, 'grep -c "+++ exited with" /tmp/t')
        if lines_of(out)[:1] != ['101']:
            raise TestFailure(f'strace -f of 100 forks: {out!r} exits traced, expected 101')
        out = run(m, 'grep -c "unknown" /tmp/t')
        if lines_of(out)[:1] != ['0']:
            raise TestFailure(f'strace -f of 100 forks: torn events ({out!r})')
        out = run(m, 'grep -c env_alloc /tmp/t')
        if lines_of(out)[:1] != ['100']:
            raise TestFailure(f'strace -f of 100 forks: {out!r} env_alloc calls traced')
        run(m, 'rm /tmp/t')
    session(m, body)
