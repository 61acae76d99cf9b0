"""The tools around the kernel keep the README's promises (issue 13):
tools/setup, ./run and its options, tools/qemu-args, tools/gdb, make's
DEBUG/CMDLINE/GRUB_MENU, and run_tests.py itself. Most need no boot; the
./run and GDB tests boot through the real scripts."""

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

from harness import ROOT, boot, noboot, check_contains, check_match, check_not_contains

SETUP_TOOLS = ['gcc', 'ld', 'make', 'nasm', 'python3', 'grub-mkrescue', 'xorriso',
               'mformat', 'qemu-system-x86_64', 'gdb', 'bash', 'id', 'apt-get', 'sed']
RUN_TIMEOUT = 300           # ./run may rebuild the ISO, then boots under TCG


def run(args, env=None, timeout=120, input=None):
    """Run a command in the tree; (exit status, stdout + stderr)."""
    e = dict(os.environ)
    e.update(env or {})
    r = subprocess.run(args, cwd=ROOT, env=e, input=input, capture_output=True, text=True,
                       timeout=timeout)
    return r.returncode, r.stdout + r.stderr


def fake_path(without):
    """A directory of links to the tools tools/setup looks for, but for
    `without`; for PATH."""
    d = tempfile.mkdtemp(prefix='strata-path-')
    for t in SETUP_TOOLS:
        where = shutil.which(t)
        if t != without and where:
            os.symlink(where, os.path.join(d, t))
    return d


def free_port():
    with socket.socket() as s:
        s.bind(('localhost', 0))
        return s.getsockname()[1]


# ---- tools/setup ----------------------------------------------------------------

@noboot
def test_setup_wants_gdb():
    d = fake_path(without='gdb')
    try:
        rc, out = run(['tools/setup', '--dry-run'], env={'PATH': d})
    finally:
        shutil.rmtree(d)
    assert rc == 1, f'tools/setup --dry-run without gdb: status {rc}\n{out}'
    check_match(out, r'needs these Debian packages:.*\bgdb\b', 'tools/setup without gdb')
    check_not_contains(out, 'qemu-system-gui', 'tools/setup without --gui')


@noboot
def test_setup_gui_package_only_with_gui():
    empty = tempfile.mkdtemp(prefix='strata-qemu-modules-')
    try:
        rc, out = run(['tools/setup', '--dry-run'], env={'QEMU_MODULE_DIR': empty})
        check_not_contains(out, 'qemu-system-gui', 'tools/setup (no --gui)')
        rc, out = run(['tools/setup', '--gui', '--dry-run'], env={'QEMU_MODULE_DIR': empty})
        assert rc == 1, f'tools/setup --gui without the GTK module: status {rc}\n{out}'
        check_match(out, r'needs these Debian packages:.*\bqemu-system-gui\b', 'tools/setup --gui')
        # With everything there it says nothing (make test ran it already).
        open(os.path.join(empty, 'ui-gtk.so'), 'w').close()
        rc, out = run(['tools/setup', '--gui', '--dry-run'], env={'QEMU_MODULE_DIR': empty})
        assert rc == 0 and out == '', f'tools/setup with everything there: status {rc}\n{out!r}'
    finally:
        shutil.rmtree(empty)


# ---- ./run and tools/qemu-args -----------------------------------------------------

@noboot
def test_run_help():
    rc, out = run(['./run', '--help'])
    assert rc == 0, f'./run --help: status {rc}\n{out}'
    check_contains(out, './run --cmdline', './run --help')
    check_contains(out, 'Ctrl-A Ctrl-A', './run --help')
    check_not_contains(out, 'set -e', './run --help (a line of the script)')
    check_not_contains(out, '#', './run --help')
    rc, out = run(['./run', '--bogus'])
    assert rc == 2, f'./run --bogus: status {rc}\n{out}'


def spy_qemu():
    """A PATH directory whose qemu-system-x86_64 only records that it ran;
    (directory, record file)."""
    d = tempfile.mkdtemp(prefix='strata-spy-')
    record = os.path.join(d, 'ran')
    with open(os.path.join(d, 'qemu-system-x86_64'), 'w') as f:
        f.write(f'#!/bin/sh\ntouch {record}\n')
    os.chmod(os.path.join(d, 'qemu-system-x86_64'), 0o755)
    return d, record


def check_run_refuses(env, message):
    """./run with env must fail with status 2 and `message` on one line,
    without starting QEMU."""
    d, record = spy_qemu()
    try:
        rc, out = run(['./run'], env=dict(env, PATH=d + ':' + os.environ['PATH']))
        what = ' '.join(f'{k}={v}' for k, v in env.items()) + ' ./run'
        assert rc == 2, f'{what}: status {rc}\n{out}'
        assert len(out.strip().split('\n')) == 1, f'{what}: more than one line:\n{out}'
        check_contains(out, message, what)
        assert not os.path.exists(record), f'{what} started QEMU:\n{out}'
    finally:
        shutil.rmtree(d)


@noboot
def test_run_refuses_bad_accel():
    check_run_refuses({'ACCEL': 'foo'}, "ACCEL must be tcg or kvm, not 'foo'")


@noboot
def test_run_refuses_unusable_kvm():
    if os.path.exists('/sys/module/kvm_intel') or os.path.exists('/sys/module/kvm_amd'):
        return                          # a KVM that runs guests: nothing to refuse
    check_run_refuses({'ACCEL': 'kvm'}, 'needs the kvm_intel or kvm_amd module')


@noboot
def test_run_refuses_bad_cmdline():
    rc, out = run(['./run', '--cmdline', "a'b;c"])
    assert rc == 2, f"./run --cmdline \"a'b;c\": status {rc}\n{out}"
    check_contains(out, 'only letters, digits, spaces', './run --cmdline')


def boot_with_run(args, expect):
    """./run ARGS until the root shell's prompt, then `poweroff`; its output
    (exit status 0 required). expect: strings that must be in it."""
    p = subprocess.Popen(['./run'] + args, cwd=ROOT, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out = b''
        deadline = time.monotonic() + RUN_TIMEOUT
        while b'root-shell> ' not in out and time.monotonic() < deadline:
            chunk = os.read(p.stdout.fileno(), 4096)
            if not chunk:
                break
            out += chunk
        if b'root-shell> ' in out:
            p.stdin.write(b'poweroff\r')
            p.stdin.flush()
        rest, _ = p.communicate(timeout=60)
        out = (out + rest).decode(errors='replace').replace('\r', '')
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 0, f'./run {" ".join(args)}: status {p.returncode}\n{out[-3000:]}'
    for e in expect + ['Powering off.']:
        check_contains(out, e, './run ' + ' '.join(args))
    return out


def grub_cfg():
    with open(os.path.join(ROOT, 'build', 'iso-run', 'boot', 'grub', 'grub.cfg')) as f:
        return f.read()


@noboot
def test_run_cmdline_and_menu():
    """./run --cmdline reaches the kernel, ./run --menu shows GRUB's menu on
    the serial console (then boots its first entry after 10 s), and the ISO
    is rebuilt exactly when they change. One test: each step rebuilds
    build/strata.iso."""
    iso = os.path.join(ROOT, 'build', 'strata.iso')
    try:
        out = boot_with_run(['--cmdline', 'loglevel=3 panic=exit'],
                            ["command line: 'loglevel=3 panic=exit'"])
        check_match(out, r'\[0x[0-9a-f]+-0x[0-9a-f]+\) type 1', 'loglevel=3: the memory map')
        check_contains(grub_cfg(), 'kernel.elf loglevel=3 panic=exit', 'grub.cfg')
        before = os.stat(iso).st_mtime_ns
        rc, out = run(['make', '-s', 'build/strata.iso', 'CMDLINE=loglevel=3 panic=exit'])
        assert rc == 0 and os.stat(iso).st_mtime_ns == before, \
            f'make with the same CMDLINE rebuilt the ISO (status {rc}):\n{out}'
        boot_with_run(['--menu'], ['Strata, debug messages (loglevel=3)', "command line: ''"])
    finally:
        run(['make', '-s', 'build/strata.iso', 'CMDLINE=', 'GRUB_MENU=0'])
    check_not_contains(grub_cfg(), 'loglevel=3 panic=exit', 'grub.cfg after make without CMDLINE')


# ---- make ------------------------------------------------------------------------

@noboot
def test_make_debug_build():
    """make DEBUG=1 compiles with -Og -g3 into build/debug/ (checked with
    make -n: the real build is a minute of compiling)."""
    rc, out = run(['make', '-n', 'DEBUG=1', 'build/debug/obj/kernel/lib/string.o',
                   '-W', 'kernel/lib/string.c'])
    assert rc == 0, f'make -n DEBUG=1: status {rc}\n{out}'
    check_match(out, r'gcc .*-Og -g3 .*-c kernel/lib/string\.c -o build/debug/obj/kernel/lib/string\.o',
                'make -n DEBUG=1')
    rc, out = run(['make', '-n', 'build/obj/kernel/lib/string.o', '-W', 'kernel/lib/string.c'])
    check_match(out, r'gcc .*-O2 -g .*-o build/obj/kernel/lib/string\.o', 'make -n')


@noboot
def test_make_refuses_bad_cmdline():
    rc, out = run(['make', '-s', 'build/boot-settings', "CMDLINE=a'b"])
    assert rc != 0, f"make CMDLINE=a'b: status {rc}\n{out}"
    check_contains(out, 'only letters, digits, spaces', "make CMDLINE=a'b")


# ---- GDB ---------------------------------------------------------------------------

@noboot
def test_gdb_fails_fast_without_qemu():
    port = free_port()
    t0 = time.monotonic()
    rc, out = run(['tools/gdb'], env={'GDBPORT': str(port)}, timeout=30)
    secs = time.monotonic() - t0
    assert rc == 1, f'tools/gdb with nothing listening: status {rc}\n{out}'
    assert secs < 3, f'tools/gdb took {secs:.1f}s to give up'
    check_contains(out, f'nothing listens on localhost:{port}', 'tools/gdb')


GDB_PORT = free_port()


@boot(extra_args=['-gdb', f'tcp:localhost:{GDB_PORT}'])
def test_gdb_backtrace(m):
    """GDB stops in the page-fault path of `crash pf` (a breakpoint given
    on tools/gdb's command line) without symbol-table warnings, and its
    backtrace goes through the trap frame to cmd_crash and ends at
    long_mode_entry."""
    g = subprocess.Popen(['tools/gdb', '-batch', '-ex', 'break aspace_trap', '-ex', 'continue',
                          '-ex', 'bt', '-ex', 'detach'],
                         cwd=ROOT, env=dict(os.environ, GDBPORT=str(GDB_PORT),
                                            GDB_KERNEL='build/kernel.elf'),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    try:
        out = ''
        while 'Breakpoint 1 at' not in out:
            line = g.stdout.readline()
            if not line:
                break
            out += line
        time.sleep(2)               # GDB continues the machine
        m.sendline('crash pf')
        rest, _ = g.communicate(timeout=120)
        out += rest
    finally:
        if g.poll() is None:
            g.kill()
    check_not_contains(out, 'not in symtab', 'GDB output')
    bt = out[out.find('#0'):]
    check_match(bt, r'#0\s+aspace_trap', 'bt')
    check_match(bt, r'<signal handler called>\n#\d+\s+0x[0-9a-f]+ in cmd_crash', 'bt (the trap frame)')
    frames = re.findall(r'^#\d+ .*$', bt, re.M)
    assert 'long_mode_entry' in frames[-1], f'bt does not end at long_mode_entry:\n{out}'


# ---- run_tests.py --------------------------------------------------------------------

@noboot
def test_run_tests_help():
    rc, out = run(['python3', 'tests/run_tests.py', '--help'])
    assert rc == 0, f'run_tests.py --help: status {rc}\n{out}'
    for needle in ['TESTS=', 'JOBS=', '--list', 'N passed, N failed']:
        check_contains(out, needle, 'run_tests.py --help')
    check_not_contains(out, 'no tests ran', 'run_tests.py --help')
    rc, out = run(['python3', 'tests/run_tests.py', '--bogus'])
    assert rc == 2, f'run_tests.py --bogus: status {rc}\n{out}'


@noboot
def test_run_tests_counts_tests_and_clears_stale_logs():
    """The closing line counts a host test binary as one test (not its
    checks), and a run first removes the logs of the tests it runs."""
    log_dir = os.path.join(ROOT, 'build', 'test-logs')
    os.makedirs(log_dir, exist_ok=True)
    stale = os.path.join(log_dir, 'test_tools.test_run_help.log')
    with open(stale, 'w') as f:
        f.write('an old failure\n')
    rc, out = run(['python3', 'tests/run_tests.py', 'host/test_usage', 'test_tools.test_run_help'],
                  timeout=300)
    assert rc == 0, f'run_tests.py: status {rc}\n{out}'
    check_match(out, r'PASS host/test_usage \(.*, \d+ checks\)', 'run_tests.py output')
    lines = out.strip().split('\n')
    assert lines[-1] == '2 passed, 0 failed', f'closing line: {lines[-1]!r}\n{out}'
    assert not os.path.exists(stale), 'a stale log survived the run'


# ---- tools/gen-bench-tables ------------------------------------------------------

def bench_tables_copy():
    """A scratch tree with the generator, its inputs and its targets."""
    d = tempfile.mkdtemp(prefix='strata-bench-tables-')
    for rel in ['tools/gen-bench-tables', 'tools/benchrows.py', 'STATUS', 'docs/benchmarks.md',
                'docs/bench/strata.json', 'docs/bench/linux.json']:
        os.makedirs(os.path.join(d, os.path.dirname(rel)), exist_ok=True)
        shutil.copy2(os.path.join(ROOT, rel), os.path.join(d, rel))
    return d


@noboot
def test_bench_tables_cannot_drift():
    """STATUS's and docs/benchmarks.md's figure tables are what the saved
    make bench results say: a figure edited by hand fails the check (and
    a run puts it back), a figure the results lack or an unknown block is
    an error, not a silent gap."""
    d = bench_tables_copy()
    try:
        gen = os.path.join(d, 'tools', 'gen-bench-tables')
        rc, out = run([gen, '--check'])
        assert rc == 0, f'a fresh copy is out of date:\n{out}'
        status = os.path.join(d, 'STATUS')
        with open(status) as f:
            text = f.read()
        m = re.search(r'^  null syscall via syscall \(user\) +([\d,]+)', text, re.M)
        assert m, 'no null syscall row in the generated STATUS table'
        with open(status, 'w') as f:
            f.write(text[:m.start(1)] + '1' + text[m.end(1):])
        rc, out = run([gen, '--check'])
        assert rc == 1, f'a hand-edited figure passed the check:\n{out}'
        check_contains(out, 'out of date: STATUS', 'gen-bench-tables --check')
        rc, out = run([gen])
        assert rc == 0, out
        with open(status) as f:
            assert f.read() == text, 'a run did not restore the table'

        results = os.path.join(d, 'docs', 'bench', 'strata.json')
        with open(results) as f:
            saved = json.load(f)
        for boot in saved:
            del boot['figures']['sysbench_pipe_roundtrip']
        with open(results, 'w') as f:
            json.dump(saved, f)
        rc, out = run([gen, '--check'])
        assert rc == 1, out
        check_contains(out, 'no figure sysbench_pipe_roundtrip', 'gen-bench-tables')

        shutil.copy2(os.path.join(ROOT, 'docs', 'bench', 'strata.json'), results)
        with open(status, 'a') as f:
            f.write('<!-- gen-bench-tables: bogus -->\n<!-- end gen-bench-tables -->\n')
        rc, out = run([gen])
        assert rc == 1, out
        check_contains(out, "unknown block 'bogus'", 'gen-bench-tables')
    finally:
        shutil.rmtree(d)
