#!/usr/bin/env python3
"""The long fuzzing campaign (`make fuzz`; not part of `make test`).

    python3 tests/fuzz.py [--seed N] [--seeds N] [--calls N] [--batch N] [--jobs N]
                          [--console-bytes N]

On one QEMU (a fresh one after any panic):
  1. user/bin/fuzz, one seed at a time: --calls system calls per seed
     (default 125,000 x 8 seeds = 1,000,000), in batches run by children,
     --jobs of them at once;
  2. --console-bytes random bytes (default 260 KiB) in 64 KiB bursts plus an
     escape storm into the root shell, then into the user shell;
  3. every malformed ELF file in /bad (`fuzz -e /bad`);
  4. heap and frame exhaustion (`fuzz -x`);
and the free-frame count from the root shell's `mem` before and after.

Prints calls, seeds, batches, kills, accepted calls, panics and frames, and
exits 1 if anything went wrong: a panic (its serial log is kept in
build/fuzz-logs/ and the seed is printed, to reproduce it with
`fuzz -s SEED -n CALLS` or batch by batch with `fuzz -c SEED BATCH CALLS`),
an accepted call, a lost frame, or a shell that stopped answering. (With
--jobs above 1 a panic may need the interleaving to reproduce: try the
same seed with the same --jobs.)
"""

import argparse
import os
import random
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

import harness  # noqa: E402
from harness import ROOT_PROMPT, TestFailure  # noqa: E402
from integration.common import enter_user, free_frames  # noqa: E402
from integration.fuzzing import (check_elf_outcomes, console_flood, console_resync,  # noqa: E402
                                 run_fuzz)

LOG_DIR = os.path.join(harness.ROOT, 'build', 'fuzz-logs')


class Campaign:
    def __init__(self):
        self.m = None
        self.boots = 0
        self.panics = []            # (what, log path)
        self.problems = []
        self.tally = dict(calls=0, batches=0, exits=0, kills=0, accepted=0, spawn_failures=0)
        self.frames = []            # (before, after) per boot

    # -- the machine

    def boot(self):
        self.boots += 1
        self.m = harness.Machine(f'fuzz-boot{self.boots}', log_dir=LOG_DIR)
        self.m.wait_boot()
        self.frames.append([free_frames(self.m)[0], None])
        enter_user(self.m)

    def close(self, keep_log):
        if self.m:
            self.m.close()
            if not keep_log and os.path.exists(self.m.log_path):
                os.remove(self.m.log_path)
            self.m = None

    def step(self, what, fn):
        """Run fn() (which drives the user shell); a panic or a dead shell is
        recorded and the next step gets a fresh machine."""
        if self.m is None:
            self.boot()
        t0 = time.monotonic()
        try:
            fn()
            print(f'  {what}: done in {time.monotonic() - t0:.0f}s', flush=True)
            return True
        except TestFailure as e:
            dead = self.m.proc.poll() is not None
            out = self.m.output.replace('\r', '')
            log = os.path.relpath(self.m.log_path, harness.ROOT)
            self.close(keep_log=True)
            if dead and 'PANIC' in out:
                self.panics.append((what, log))
                i = out.rfind('PANIC')
                print(f'  {what}: KERNEL PANIC (serial log {log}):\n' + out[max(0, i - 3000):i + 800],
                      flush=True)
            else:
                self.problems.append(f'{what}: {str(e).splitlines()[0]} (serial log {log})')
                print(f'  {what}: FAILED: {str(e)[:3000]}', flush=True)
            return False

    def finish(self):
        """Leave the user shell and take the free-frame count."""
        if self.m is None:
            self.boot()
        m = self.m
        m.prompt = ROOT_PROMPT
        m.cmd('exit', timeout=120)
        self.frames[-1][1] = free_frames(m)[0]
        self.close(keep_log=bool(self.panics or self.problems))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seed', type=int, default=1, help='first seed (default 1)')
    ap.add_argument('--seeds', type=int, default=8, help='number of seeds (default 8)')
    ap.add_argument('--calls', type=int, default=125000, help='calls per seed (default 125000)')
    ap.add_argument('--batch', type=int, default=1000, help='calls per batch (default 1000)')
    ap.add_argument('--jobs', type=int, default=3,
                    help='batches running at once (default 3: the kernel sees them interleave)')
    ap.add_argument('--console-bytes', type=int, default=260 * 1024,
                    help='random bytes into each shell (default 266240)')
    args = ap.parse_args(argv)
    os.makedirs(LOG_DIR, exist_ok=True)

    c = Campaign()
    t0 = time.monotonic()
    print(f'fuzz: seeds {args.seed}..{args.seed + args.seeds - 1}, {args.calls} calls each', flush=True)
    for seed in range(args.seed, args.seed + args.seeds):
        def one_seed(seed=seed):
            out, d = run_fuzz(c.m, f'-s {seed} -n {args.calls} -b {args.batch} -j {args.jobs}')
            for k in c.tally:
                c.tally[k] += d[k]
            for line in re.findall(r'fuzz: ACCEPTED .*', out):
                c.problems.append(line)
            print(f'  seed {seed}: {d["batches"]} batches, {d["calls"]} calls, {d["exits"]} exits, '
                  f'{d["kills"]} kills, {d["accepted"]} accepted', flush=True)
        c.step(f'seed {seed}', one_seed)

    rng = random.Random(args.seed)

    def console():
        m = c.m
        m.prompt = ROOT_PROMPT
        m.cmd('exit', timeout=120)                  # to the root shell
        console_flood(m, rng, args.console_bytes)
        console_resync(m, user=False)
        enter_user(m)
        console_flood(m, rng, args.console_bytes)
        console_resync(m, user=True)
        m.cmd('hello')
    c.step(f'console: {args.console_bytes} random bytes and an escape storm into each shell', console)

    elf = {}

    def elves():
        elf['summary'] = check_elf_outcomes(c.m.cmd('fuzz -e /bad', timeout=600))
    c.step('malformed ELF files', elves)

    def exhaustion():
        out = c.m.cmd('fuzz -x', timeout=1800)
        if 'fuzz: exhaustion: ok' not in out:
            raise TestFailure('fuzz -x did not end with "fuzz: exhaustion: ok":\n' + out[-2000:])
    c.step('heap and frame exhaustion', exhaustion)
    c.step('free frames', c.finish)

    t = c.tally
    print()
    print(f'fuzz: seeds {args.seed}..{args.seed + args.seeds - 1}; calls {t["calls"]}; '
          f'batches {t["batches"]} ({t["exits"]} exited, {t["kills"]} killed); '
          f'accepted {t["accepted"]}; spawn failures {t["spawn_failures"]}')
    if 'summary' in elf:
        files, refused, exited, killed = elf['summary']
        print(f'fuzz: elf: {files} files: {refused} refused, {exited} exited, {killed} killed')
    print(f'fuzz: panics {len(c.panics)}' + ''.join(f'\n  {w}: serial log {p}' for w, p in c.panics))
    frames = '; '.join(f'boot {i + 1}: {b} free before, {a if a is not None else "?"} after'
                       for i, (b, a) in enumerate(c.frames))
    print(f'fuzz: frames: {frames}')
    lost = [(b, a) for b, a in c.frames if a is not None and a != b]
    for p in c.problems:
        print(f'fuzz: problem: {p}')
    print(f'fuzz: {time.monotonic() - t0:.0f}s, {c.boots} boot(s)')
    bad = c.panics or c.problems or lost or t['accepted'] or t['spawn_failures']
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
