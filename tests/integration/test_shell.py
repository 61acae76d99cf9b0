"""The root shell on the serial console: commands, errors, line editing,
history, and the initrd files it shows."""

import re

from harness import (TestFailure, check_contains, check_match,
                     check_not_contains)

REQUIRED_COMMANDS = ['help', 'poweroff', 'reboot', 'mem', 'ls', 'cat']

LEFT, UP = '\x1b[D', '\x1b[A'
BACKSPACE = '\x7f'


def check_help(out):
    """out is the output of `help`: one line per command, each starting with
    the command's name (after optional indentation)."""
    for name in REQUIRED_COMMANDS:
        lines = [l for l in out.split('\n') if re.match(r'\s*' + name + r'\b', l)]
        if len(lines) != 1:
            raise TestFailure(f'help output has {len(lines)} lines for {name!r}, '
                              f'expected 1:\n{out}')
    check_not_contains(out, 'unknown command', 'help output')


def test_help(m):
    check_help(m.cmd('help'))


def test_empty_line(m):
    assert m.cmd('').strip() == ''
    check_help(m.cmd('help'))


def test_unknown_command(m):
    out = m.cmd('frobnicate')
    check_contains(out, "unknown command 'frobnicate' (try 'help')")


def test_line_too_long(m):
    mark = m.mark()
    m.sendline('x' * 300)
    m.wait_prompt()
    check_contains(m.output_since(mark), 'line too long')
    check_help(m.cmd('help'))           # the shell still works


def test_control_chars_ignored(m):
    # Ctrl-A, Ctrl-B and an unknown escape sequence (ESC [ Z) in the middle.
    m.send('\x01\x02he\x1b[Zlp\r')
    check_help(m.wait_reply())


def test_line_editing(m):
    # "hxlp", cursor left twice (to between x and l), backspace deletes the
    # x, type e: the line is "help".
    m.send('hxlp' + LEFT + LEFT + BACKSPACE + 'e' + '\r')
    check_help(m.wait_reply())


def test_history(m):
    check_contains(m.cmd('mem'), 'frames:', 'mem output')
    m.send(UP + '\r')                   # recall the last line and run it
    out = m.wait_reply()
    check_contains(out, 'frames:', 'output of the recalled command')
    check_not_contains(out, 'unknown command', 'output of the recalled command')


def test_ls_root(m):
    check_match(m.cmd('ls /'), r'\betc\b', 'ls /')


def test_ls_etc(m):
    check_match(m.cmd('ls /etc'), r'\bmotd\b', 'ls /etc')


def test_cat_motd(m):
    check_contains(m.cmd('cat /etc/motd'), 'Welcome to Strata', 'cat /etc/motd')


def test_cat_missing_file(m):
    check_match(m.cmd('cat /nonexistent'), r'(?i)no such file', 'cat /nonexistent')


def test_cat_without_argument(m):
    check_contains(m.cmd('cat'), 'usage: cat [-f] path...', 'cat (no argument)')
    check_contains(m.cmd('cat -f'), 'usage: cat [-f] path...', 'cat -f (no path)')


def test_cat_binary_file(m):
    """A binary file's bytes are not sent to the terminal unless forced."""
    size = int(check_match(m.cmd('ls /bin/hello'), r'(\d+)\s+/bin/hello', 'ls /bin/hello').group(1))
    out = m.cmd('cat /bin/hello /etc/motd')
    check_contains(out, f'cat: /bin/hello: binary file ({size} bytes); cat -f to print it anyway',
                   'cat /bin/hello')
    check_not_contains(out, 'ELF', 'cat /bin/hello')
    check_contains(out, 'Welcome to Strata', 'cat /bin/hello /etc/motd (the text file)')
    check_contains(m.cmd('cat -f /bin/hello'), 'ELF', 'cat -f /bin/hello')
    check_contains(m.cmd('cat -f /etc/motd'), 'Welcome to Strata', 'cat -f /etc/motd')


def help_commands(m):
    """[(name, usage)] of every command `help` lists."""
    out = m.cmd('help')
    rows = []
    for line in out.split('\n')[1:]:
        if not line.startswith('  '):
            continue
        name = line.split()[0]
        if name != 'exit':
            rows.append((name, check_match(m.cmd('help ' + name), r'usage: (.*)', 'help ' + name).group(1)))
    return rows


def test_extra_arguments_refused(m):
    """Every command refuses more arguments than its usage line allows, with
    that usage line, before doing anything (`poweroff now` must not power
    off, `crash ud x` must not crash)."""
    rows = help_commands(m)
    if len(rows) < 15:
        raise TestFailure(f'help lists only {len(rows)} commands: {rows}')
    for name, usage in rows:
        if '...' in usage:
            continue                    # any number of arguments
        line = name + ' x' * 15
        check_contains(m.cmd(line), 'usage: ' + usage, line)
    for line, usage in [('crash ud x', 'crash ud|pf|null|gp|de|panic'), ('poweroff now', 'poweroff'),
                        ('mem -v', 'mem'), ('threads all', 'threads'), ('asis x', 'asis'),
                        ('ls / /etc', 'ls [path]'), ('ases detail 1 0x1000 x', 'ases [detail [PID|NAME [ADDRESS]]]'),
                        ('threadtest sleep 5 5', 'threadtest [all|many [N]|preempt|sleep [MS]]'),
                        ('exit now', 'exit')]:
        check_contains(m.cmd(line), 'usage: ' + usage, line)
    check_contains(m.cmd('help'), 'poweroff', 'help after the refused commands')


def figure(text, word, what):
    """The number next to `word` in text: "word 123", "word: 123", "word=123",
    or "123 word", "123 KiB word"; fail if there is none."""
    m = (re.search(r'(?i)\b' + word + r'\s*[:=]?\s*(\d+)', text) or
         re.search(r'(?i)(\d+)\s*(?:[A-Za-z]+\s+)?' + word + r'\b', text))
    if not m:
        raise TestFailure(f'{what} has no {word!r} figure:\n{text}')
    return int(m.group(1))


def test_mem(m):
    out = m.cmd('mem')
    f = out.find('frames:')
    h = out.find('heap:')
    if f < 0 or h < 0:
        raise TestFailure(f"mem output lacks 'frames:' or 'heap:':\n{out}")
    frames = out[f:h] if f < h else out[f:]
    heap = out[h:f] if h < f else out[h:]
    total = figure(frames, 'total', 'frames')
    free = figure(frames, 'free', 'frames')
    used = figure(frames, 'used', 'frames')
    if not (0 < total and free <= total and used <= total):
        raise TestFailure(f'implausible frame figures total={total} free={free} '
                          f'used={used}:\n{out}')
    check_match(heap, r'\d', 'heap figures')


def test_bad_arguments(m):
    """Every command given arguments it cannot use says so, the shell keeps
    answering, and no frame or heap byte is lost on the way."""
    before = m.cmd('mem')
    cases = [
        ('crash', 'usage: crash ud|pf|null|gp|de|panic'),
        ('crash bogus', 'usage: crash ud|pf|null|gp|de|panic'),
        ('help nosuch', "help: no command 'nosuch'"),
        ('bench bogus', 'usage: bench'),
        ('ls /nonexistent', 'ls: /nonexistent: no such file or directory'),
        ('cat /etc', 'cat: /etc: is a directory'),
        ('urun /bin/echo ' + ' '.join(str(i) for i in range(16)), 'shell: too many arguments (max 16)'),
        ('shell a b', 'usage: shell [name]'),
        ('urun /etc', 'urun: /etc:'),
        ('urun nosuch', 'urun: /bin/nosuch: no such file or directory'),
        ('echo "unterminated', 'shell: unterminated quote'),
    ]
    for line, expected in cases:
        check_contains(m.cmd(line), expected, line)
    after = m.cmd('mem')
    check_match(after, r'frames: total \d+', 'mem after the bad commands')
    fig = lambda out: re.search(r'free (\d+) .*\n.*heap: in use (\d+) bytes', out).groups()
    if fig(before) != fig(after):
        raise TestFailure(f'bad commands changed the free frames or heap:\n{before}\n---\n{after}')
