"""Boot the real kernel in QEMU and drive its serial console like a person.

    from harness import Machine, boot, noboot, EXIT_POWEROFF

    def test_help(m):                  # the runner boots m and waits for the prompt
        out = m.cmd('help')            # type a line, wait for the next prompt
        assert 'poweroff' in out

    @boot(extra_args=['-m', '512M'])   # customise the boot
    def test_big(m): ...

    @boot(wait_prompt=False)           # get m as soon as QEMU starts
    def test_early(m):
        m.expect('Strata', timeout=60)

    @noboot                            # no machine at all
    def test_pure(): ...

Outside the runner:

    with Machine('try') as m:
        m.wait_boot()
        print(m.cmd('mem'))
        m.sendline('poweroff')
        assert m.wait_exit() == EXIT_POWEROFF

All serial output goes to build/test-logs/<name>.log as it arrives (the
runner deletes the logs of passing tests). Output from the kernel uses
"\\r\\n" line ends; expect() sees it raw, cmd() returns it with the \\r removed.

Timeouts only detect hangs: they are generous (TCG is slow) and nothing here
measures speed.
"""

import codecs
import os
import re
import subprocess
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOG_DIR = os.path.join(ROOT, 'build', 'test-logs')
DEFAULT_ISO = os.environ.get('TEST_ISO', 'build/strata-test.iso')
QEMU = os.environ.get('QEMU', 'qemu-system-x86_64')

ROOT_PROMPT = 'root-shell> '
USER_PROMPT = 'user# '

# QEMU's exit status for the isa-debug-exit device at 0xf4: (value << 1) | 1.
EXIT_POWEROFF = 33      # kernel `poweroff` writes 0x10
EXIT_PANIC = 35         # a panic with panic=exit on the command line writes 0x11
EXIT_REBOOT = 0         # a reboot, with -no-reboot

BOOT_TIMEOUT = 60       # seconds from QEMU start to the first prompt
CMD_TIMEOUT = 30        # seconds for one command to print its prompt again
EXIT_TIMEOUT = 30       # seconds for QEMU to exit once asked to

TAIL_CHARS = 2048       # output shown in a failure message


class TestFailure(Exception):
    """A test failed; the message says why (and shows recent output)."""


# ---- decorators for the runner ---------------------------------------------

def boot(iso=None, extra_args=(), env=None, timeout=BOOT_TIMEOUT,
         wait_prompt=True, prompt=None):
    """Customise how the runner boots the machine for one test.

    iso          ISO to boot (default build/strata-test.iso)
    extra_args   more QEMU arguments (later ones override, e.g. ['-m', '512M'])
    env          extra environment for tools/qemu-args, e.g. {'MEM': '512M'}
    timeout      boot timeout in seconds
    wait_prompt  wait for the first prompt before calling the test
    prompt       the prompt cmd() waits for (default 'root-shell> ')
    """
    opts = dict(iso=iso, extra_args=tuple(extra_args), env=env,
                timeout=timeout, wait_prompt=wait_prompt, prompt=prompt)

    def deco(fn):
        fn.boot_options = opts
        return fn
    return deco


def noboot(fn):
    """The test takes no machine (the runner calls fn())."""
    fn.boot_options = None
    return fn


# ---- the machine ------------------------------------------------------------

_live = set()
_live_lock = threading.Lock()


def kill_all():
    """Kill every QEMU still running (for the runner on Ctrl-C)."""
    with _live_lock:
        machines = list(_live)
    for m in machines:
        m.close()


def qemu_base_args(env=None):
    """The shared QEMU arguments printed by tools/qemu-args (honours ACCEL,
    MEM and ICOUNT from the environment)."""
    e = dict(os.environ)
    if env:
        e.update(env)
    r = subprocess.run([os.path.join(ROOT, 'tools', 'qemu-args')], env=e,
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise TestFailure('tools/qemu-args failed: ' + r.stderr.strip())
    return [a for a in r.stdout.splitlines() if a]


def _describe(pattern):
    return pattern.pattern if isinstance(pattern, re.Pattern) else pattern


class Machine:
    """One QEMU running the kernel, with its serial port on a pipe.

    The output read so far is `output`; expect() searches it from a cursor
    that each match moves past, so consecutive expects find things in order.
    """

    def __init__(self, name, iso=DEFAULT_ISO, extra_args=(), timeout=BOOT_TIMEOUT,
                 prompt=ROOT_PROMPT, env=None, log_dir=LOG_DIR):
        self.name = name
        self.prompt = prompt
        self.boot_timeout = timeout
        self.iso = iso if os.path.isabs(iso) else os.path.join(ROOT, iso)
        self.boot_output = None
        self.returncode = None
        self._buf = []              # chunks of output
        self._text = ''             # joined output (cache)
        self._len = 0
        self._pos = 0               # expect() cursor
        self._stderr = []
        self._cond = threading.Condition()
        self._eof = False
        self._closed = False

        if not os.path.exists(self.iso):
            raise TestFailure(f'{os.path.relpath(self.iso, ROOT)} does not exist (run make)')
        self.args = ([QEMU] + qemu_base_args(env) +
                     ['-cdrom', self.iso, '-display', 'none', '-serial', 'stdio',
                      '-monitor', 'none', '-no-reboot'] + list(extra_args))
        os.makedirs(log_dir, exist_ok=True)
        self.log_path = os.path.join(log_dir, name + '.log')
        self._log = open(self.log_path, 'wb')
        self._log.write(('# ' + ' '.join(self.args) + '\n').encode())
        self._log.flush()
        try:
            self.proc = subprocess.Popen(self.args, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         cwd=ROOT, start_new_session=True)
        except OSError as e:
            self._log.close()
            raise TestFailure(f'cannot start {QEMU}: {e}') from None
        with _live_lock:
            _live.add(self)
        self._reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._reader.start()
        self._errreader = threading.Thread(target=self._read_stderr, daemon=True)
        self._errreader.start()

    # -- context manager

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        """Kill QEMU (if still running) and close the log."""
        if self._closed:
            return
        self._closed = True
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self.returncode = self.proc.returncode
        self._reader.join(timeout=5)
        self._errreader.join(timeout=5)
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                f.close()
            except OSError:
                pass
        err = self.stderr
        if err:
            self._log.write(b'\n# qemu stderr:\n' + err.encode(errors='replace'))
        self._log.close()
        with _live_lock:
            _live.discard(self)

    # -- reading

    def _read_stdout(self):
        dec = codecs.getincrementaldecoder('utf-8')(errors='replace')
        fd = self.proc.stdout.fileno()
        while True:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b''
            if not data:
                break
            try:
                self._log.write(data)
                self._log.flush()
            except ValueError:      # log closed by close()
                pass
            text = dec.decode(data)
            with self._cond:
                self._buf.append(text)
                self._len += len(text)
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def _read_stderr(self):
        for line in self.proc.stderr:
            self._stderr.append(line.decode(errors='replace'))

    @property
    def output(self):
        """Everything QEMU printed on the serial port so far (raw)."""
        with self._cond:
            return self._joined()

    def _joined(self):
        if len(self._text) != self._len:
            self._text = ''.join(self._buf)
            self._buf = [self._text]
        return self._text

    @property
    def stderr(self):
        return ''.join(self._stderr)

    def mark(self):
        """A position in the output, for output_since()."""
        with self._cond:
            return self._len

    def output_since(self, mark, strip_cr=True):
        text = self.output[mark:]
        return text.replace('\r', '') if strip_cr else text

    def tail(self, n=TAIL_CHARS):
        text = self.output
        return ('...' if len(text) > n else '') + text[-n:]

    def fail(self, message):
        """Raise a TestFailure with `message` and the recent output."""
        raise TestFailure(self._context(message))

    def _context(self, message):
        out = self.tail().replace('\r', '')
        msg = f'{message}\n--- last output ---\n{out}\n--- end of output ---'
        err = self.stderr.strip()
        if err:
            msg += f'\n--- qemu stderr ---\n{err[-TAIL_CHARS:]}'
        return msg

    def expect(self, pattern, timeout=CMD_TIMEOUT):
        """Wait for `pattern` (a str, matched literally, or a compiled regex)
        in the output after the cursor; move the cursor past the match and
        return the re.Match. Raises TestFailure on timeout or QEMU exit."""
        regex = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern))
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                text = self._joined()
                m = regex.search(text, self._pos)
                if m:
                    self._pos = m.end()
                    return m
                if self._eof:
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(min(left, 1.0))
        if self._eof:
            try:
                status = self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                status = 'unknown'
            self.fail(f'QEMU exited (status {status}) while waiting '
                      f'for {_describe(pattern)!r}')
        self.fail(f'timed out after {timeout}s waiting for {_describe(pattern)!r}')

    # -- writing

    def send(self, text):
        """Write raw characters (str or bytes) to the serial port."""
        data = text.encode() if isinstance(text, str) else bytes(text)
        try:
            for i in range(0, len(data), 16):
                self.proc.stdin.write(data[i:i + 16])
                self.proc.stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            self.fail(f'cannot send {text!r}: QEMU has exited '
                      f'(status {self.proc.poll()})')

    def sendline(self, text=''):
        """Type `text` and press Enter (the terminal sends '\\r')."""
        self.send(text + '\r')

    # -- shell helpers

    def wait_boot(self, timeout=None):
        """Wait for the first prompt; sets and returns boot_output (the output
        before the prompt, \\r removed)."""
        m = self.expect(self.prompt, timeout or self.boot_timeout)
        self.boot_output = self.output[:m.start()].replace('\r', '')
        return self.boot_output

    def wait_prompt(self, timeout=CMD_TIMEOUT):
        """Wait for the next prompt; return the output before it (\\r removed)."""
        start = self._pos
        m = self.expect(self.prompt, timeout)
        return self.output[start:m.start()].replace('\r', '')

    def wait_reply(self, timeout=CMD_TIMEOUT):
        """Wait for the next prompt after a line was typed (with send() or
        sendline()); return what the command printed: the text between the
        shell's echo of the typed line (the first line, edits and all) and
        the prompt, with \\r removed.

        The echo ends at the first newline (the shell's answer to Enter);
        the prompt is looked for only after it, since a shell that redraws
        the line (history, editing) may print the prompt again first."""
        self.expect('\n', timeout)
        return self.wait_prompt(timeout)

    def cmd(self, line, timeout=CMD_TIMEOUT):
        """Type a command line at the prompt (which must already have been
        seen, e.g. by wait_boot or the previous cmd) and return wait_reply()."""
        self.sendline(line)
        return self.wait_reply(timeout)

    def cmd_at(self, line, prompt, timeout=CMD_TIMEOUT):
        """cmd(line), but wait for `prompt` after it instead of self.prompt
        (e.g. a nested shell's, or the outer one's on the way back); leaves
        self.prompt as it was."""
        old = self.prompt
        self.prompt = prompt
        try:
            return self.cmd(line, timeout)
        finally:
            self.prompt = old

    def wait_exit(self, timeout=EXIT_TIMEOUT):
        """Wait for QEMU to exit; return its exit status (all output is then
        in `output`). Raises TestFailure if it is still running."""
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.fail(f'QEMU still running {timeout}s after it should have exited')
        self._reader.join(timeout=5)
        self.returncode = rc
        return rc

    def expect_exit(self, status, timeout=EXIT_TIMEOUT):
        """wait_exit() and check the status."""
        rc = self.wait_exit(timeout)
        if rc != status:
            self.fail(f'QEMU exited with status {rc}, expected {status}')
        return rc


# ---- assertions with useful messages -----------------------------------------

def _show(text):
    return text if len(text) <= TAIL_CHARS else '...' + text[-TAIL_CHARS:]


def check_contains(text, needle, what='output'):
    """Fail unless `needle` (str) occurs in text."""
    if needle not in text:
        raise TestFailure(f'{what} lacks {needle!r}:\n{_show(text)}')


def check_not_contains(text, needle, what='output'):
    if needle in text:
        raise TestFailure(f'{what} unexpectedly contains {needle!r}:\n{_show(text)}')


def check_match(text, regex, what='output', flags=0):
    """Fail unless the regex matches somewhere in text; return the match."""
    m = re.search(regex, text, flags)
    if not m:
        raise TestFailure(f'{what} does not match {regex!r}:\n{_show(text)}')
    return m
