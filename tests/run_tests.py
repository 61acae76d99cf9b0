#!/usr/bin/env python3
"""Run every Strata test; the last line printed is "N passed, N failed",
counting tests (a host test binary counts as one, whatever its checks).

    python3 tests/run_tests.py [FILTER...]     (or TESTS="f1 f2" in the environment)
    python3 tests/run_tests.py --list [FILTER...]
    python3 tests/run_tests.py --help

    make test TESTS="test_boot host/test_fmt"  (make test passes TESTS and JOBS on)
    JOBS=1 python3 tests/run_tests.py          (one QEMU at a time)

A test runs if its name contains any FILTER (no filter: all). Names:
  host/test_X                 build/host/test_X, built from tests/host/test_X.c;
                              counts as one test (it prints "N passed, N
                              failed" for its checks last; any failed check
                              fails the test)
  test_X.test_Y               function test_Y in tests/integration/test_X.py,
                              given a freshly booted Machine (see harness.py);
                              counts as one

Integration tests run in parallel (JOBS=n, default: the number of CPUs). The
serial log of a failing boot stays in build/test-logs/<name>.log; the logs of
passing tests are deleted, and so are, before a run, the logs of the tests
it runs (every test's log when it runs them all), so that a test's log there
is from the last run. TEST_ISO=path boots another ISO (make test DEBUG=1 does).
Exit status: 1 if anything failed or nothing ran, 2 for an unknown option.
"""

import concurrent.futures
import importlib.util
import inspect
import os
import re
import subprocess
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True     # keep __pycache__ out of the source tree

import harness  # noqa: E402

HOST_SRC_DIR = os.path.join(HERE, 'host')
HOST_BIN_DIR = os.path.join(ROOT, 'build', 'host')
INTEGRATION_DIR = os.path.join(HERE, 'integration')
HOST_TIMEOUT = 300
SUMMARY_RE = re.compile(r'^(\d+) passed, (\d+) failed\s*$', re.M)
MAX_SHOWN_LINES = 150

_print_lock = threading.Lock()


def say(text):
    with _print_lock:
        print(text, flush=True)


def rel(path):
    return os.path.relpath(path, ROOT)


def indent(text):
    lines = text.rstrip('\n').split('\n')
    if len(lines) > MAX_SHOWN_LINES:
        lines = [f'... ({len(lines) - MAX_SHOWN_LINES} lines omitted)'] + lines[-MAX_SHOWN_LINES:]
    return '\n'.join('    ' + line for line in lines)


class Result:
    def __init__(self, name, passed, failed, secs, reason='', details=''):
        self.name, self.passed, self.failed = name, passed, failed
        self.secs, self.reason, self.details = secs, reason, details

    def report(self, extra=''):
        if self.failed == 0:
            say(f'PASS {self.name} ({self.secs:.1f}s{extra})')
        else:
            text = f'FAIL {self.name}: {self.reason}'
            if self.details:
                text += '\n' + indent(self.details)
            say(text)


# ---- host tests ------------------------------------------------------------

def host_tests():
    """(name, path) of every host test binary, and of every source without one."""
    names = set()
    if os.path.isdir(HOST_SRC_DIR):
        names |= {f[:-2] for f in os.listdir(HOST_SRC_DIR)
                  if f.startswith('test_') and f.endswith('.c')}
    if os.path.isdir(HOST_BIN_DIR):
        names |= {f for f in os.listdir(HOST_BIN_DIR)
                  if os.path.isfile(os.path.join(HOST_BIN_DIR, f))
                  and os.access(os.path.join(HOST_BIN_DIR, f), os.X_OK)}
    return [('host/' + n, os.path.join(HOST_BIN_DIR, n)) for n in sorted(names)]


def run_host(name, path):
    t0 = time.monotonic()
    if not os.access(path, os.X_OK):
        return Result(name, 0, 1, 0, f'{rel(path)} not built (run make host-tests)')
    try:
        r = subprocess.run([path], cwd=ROOT, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=HOST_TIMEOUT)
        out, rc = r.stdout.decode(errors='replace'), r.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b'').decode(errors='replace')
        return Result(name, 0, 1, time.monotonic() - t0,
                      f'timed out after {HOST_TIMEOUT}s', out)
    secs = time.monotonic() - t0
    found = SUMMARY_RE.findall(out)
    if not found:
        return Result(name, 0, 1, secs,
                      f'exit status {rc}, no "N passed, N failed" line', out)
    checks, failed = int(found[-1][0]), int(found[-1][1])
    if failed:
        return Result(name, 0, 1, secs, f'{failed} of {checks + failed} checks failed', out)
    if rc != 0:
        return Result(name, 0, 1, secs, f'exit status {rc}', out)
    r = Result(name, 1, 0, secs)
    r.checks = checks
    return r


# ---- integration tests ---------------------------------------------------------

def load_integration():
    """([(name, function)], [Result for modules that failed to import])."""
    tests, broken = [], []
    if not os.path.isdir(INTEGRATION_DIR):
        return tests, broken
    for fname in sorted(os.listdir(INTEGRATION_DIR)):
        if not (fname.startswith('test_') and fname.endswith('.py')):
            continue
        modname = fname[:-3]
        path = os.path.join(INTEGRATION_DIR, fname)
        try:
            spec = importlib.util.spec_from_file_location(modname, path)
            mod = importlib.util.module_from_spec(spec)
            sys.modules[modname] = mod
            spec.loader.exec_module(mod)
        except Exception:
            broken.append(Result(modname, 0, 1, 0, f'cannot import {rel(path)}',
                                 traceback.format_exc()))
            continue
        for name, obj in vars(mod).items():
            if (name.startswith('test_') and inspect.isfunction(obj)
                    and obj.__module__ == modname):
                tests.append((f'{modname}.{name}', obj))
    return tests, broken


def boot_options(fn):
    if hasattr(fn, 'boot_options'):
        return fn.boot_options
    if not inspect.signature(fn).parameters:
        return None             # takes no machine
    return {}


def run_integration(name, fn):
    t0 = time.monotonic()
    opts = boot_options(fn)
    machine = None
    reason = details = ''
    try:
        if opts is None:
            fn()
        else:
            machine = harness.Machine(
                name,
                iso=opts.get('iso') or harness.DEFAULT_ISO,
                extra_args=opts.get('extra_args') or (),
                timeout=opts.get('timeout') or harness.BOOT_TIMEOUT,
                prompt=opts.get('prompt') or harness.ROOT_PROMPT,
                env=opts.get('env'))
            with machine:
                if opts.get('wait_prompt', True):
                    machine.wait_boot()
                fn(machine)
    except harness.TestFailure as e:
        reason, _, details = str(e).partition('\n')
    except AssertionError as e:
        frame = traceback.extract_tb(e.__traceback__)[-1]
        where = f'{os.path.basename(frame.filename)}:{frame.lineno}'
        reason = f'assertion failed at {where}: {e or frame.line}'
        if machine is not None:
            details = '--- last output ---\n' + machine.tail().replace('\r', '')
    except Exception:
        tb = traceback.format_exc()
        reason = tb.strip().split('\n')[-1]
        details = tb
    secs = time.monotonic() - t0
    log = machine.log_path if machine is not None else None
    if not reason:
        if log and os.path.exists(log):
            os.remove(log)
        return Result(name, 1, 0, secs)
    if log:
        reason = reason.rstrip(':') + f' (log: {rel(log)})'
    return Result(name, 0, 1, secs, reason, details)


# ---- main ----------------------------------------------------------------------

def main(argv):
    if '-h' in argv or '--help' in argv:
        print(__doc__.strip())
        return 0
    bad = [a for a in argv if a.startswith('-') and a != '--list']
    if bad:
        print(f'run_tests.py: unknown option {bad[0]} (try --help)', file=sys.stderr)
        return 2
    listing = '--list' in argv
    filters = [a for a in argv if a != '--list']
    filters += os.environ.get('TESTS', '').replace(',', ' ').split()

    def selected(name):
        return not filters or any(f in name for f in filters)

    integ, broken = load_integration()
    jobs = [(name, run_host, (name, path)) for name, path in host_tests() if selected(name)]
    jobs += [(name, run_integration, (name, fn)) for name, fn in integ if selected(name)]
    broken = [b for b in broken if selected(b.name)] if filters else broken

    if listing:
        for name, _, _ in jobs:
            print(name)
        return 0

    # A log left by an earlier run would look like this run's failure. A
    # full run also clears the logs of tests that no longer exist (but not
    # make bench's bench-*.log).
    stale = [name + '.log' for name, _, _ in jobs]
    if not filters and os.path.isdir(harness.LOG_DIR):
        stale = [f for f in os.listdir(harness.LOG_DIR)
                 if f.startswith('test_') and f.endswith('.log')]
    for f in stale:
        path = os.path.join(harness.LOG_DIR, f)
        if os.path.exists(path):
            os.remove(path)

    passed = failed = 0
    failures = []
    for b in broken:
        b.report()
        failed += b.failed
        failures.append(b.name)

    workers = int(os.environ.get('JOBS') or os.cpu_count() or 1)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        futures = [pool.submit(func, *args) for _, func, args in jobs]
        for fut in concurrent.futures.as_completed(futures):
            r = fut.result()
            extra = f', {r.checks} checks' if hasattr(r, 'checks') else ''
            r.report(extra)
            passed += r.passed
            failed += r.failed
            if r.failed:
                failures.append(r.name)
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        harness.kill_all()
        print('interrupted', flush=True)
        return 130
    pool.shutdown()

    if failures:
        print('failed: ' + ' '.join(sorted(failures)))
    if passed + failed == 0:
        print('no tests ran' + (f' (filter: {" ".join(filters)})' if filters else ''))
    print(f'{passed} passed, {failed} failed', flush=True)
    return 1 if failed or passed + failed == 0 else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
