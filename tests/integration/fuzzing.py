"""Helpers for fuzzing the kernel from the host, shared by the integration
tests (tests/integration/test_fuzz.py) and the long campaign `make fuzz`
(tests/fuzz.py). Not a test module (no test_ prefix).

    from integration.fuzzing import (console_flood, console_resync, run_fuzz,
                                     bad_elf_cases, elf_outcomes)
"""

import importlib.util
import os
import re

from harness import ROOT, TestFailure

BURST = 64 * 1024                   # bytes written in one go
RESYNC_TRIES = 20
RESYNC_WAIT = 15                    # seconds for one resync marker to come back
FUZZ_TIMEOUT = 1800                 # one `fuzz` command (a long seed under TCG)

DONE_RE = re.compile(r'fuzz: done: seeds (\d+)\.\.(\d+), calls (\d+), batches (\d+), exits (\d+), '
                     r'kills (\d+), accepted (\d+), spawn failures (\d+)')
ELF_LINE_RE = re.compile(r'^fuzz: /bad/(\S+): (refused: .*|exit \d+|killed by signal \d+)\s*$', re.M)
ELF_SUMMARY_RE = re.compile(r'fuzz: elf: (\d+) files: (\d+) refused, (\d+) exited, (\d+) killed')


# ---- random bytes on the console ------------------------------------------------

def random_bytes(rng, n):
    """n random bytes, with a control character or an escape sequence
    start more often than chance would give."""
    out = bytearray(rng.randbytes(n))
    for _ in range(n // 64):
        out[rng.randrange(n)] = rng.choice(b'\x1b\x03\x15\x7f\x08\r\n\x01\x05')
    return bytes(out)


def escape_storm(rng, n):
    """About n bytes of escape sequences: well-formed, unterminated, with
    huge parameters, repeated ESCs, and arrow keys (history)."""
    parts = []
    size = 0
    while size < n:
        kind = rng.randrange(7)
        if kind == 0:
            s = b'\x1b[' + str(rng.randrange(10**12)).encode() + bytes([rng.randrange(0x40, 0x7f)])
        elif kind == 1:
            s = b'\x1b[' + b';'.join(str(rng.randrange(1000)).encode() for _ in range(rng.randrange(1, 40)))
        elif kind == 2:
            s = b'\x1b' * rng.randrange(1, 64)
        elif kind == 3:
            s = rng.choice([b'\x1b[A', b'\x1b[B', b'\x1b[C', b'\x1b[D', b'\x1bOH', b'\x1bOF',
                            b'\x1b[3~', b'\x1b[1~', b'\x1b[4~'])
        elif kind == 4:
            s = b'\x1b[?' + bytes(rng.randrange(0x20, 0x7f) for _ in range(rng.randrange(1, 32)))
        elif kind == 5:
            s = b'\x1bO' + bytes([rng.randrange(256)])
        else:
            s = bytes(rng.randrange(0x20, 0x7f) for _ in range(rng.randrange(1, 16)))
        parts.append(s)
        size += len(s)
    return b''.join(parts)


def console_flood(m, rng, nbytes, storm_bytes=4096):
    """Type nbytes of random bytes (in BURST-sized writes) and storm_bytes of
    escape sequences at whatever shell has the console."""
    sent = 0
    while sent < nbytes:
        n = min(BURST, nbytes - sent)
        m.send(random_bytes(rng, n))
        sent += n
    m.send(escape_storm(rng, storm_bytes))


def console_resync(m, user):
    """After a flood: get the shell to a clean prompt. Bytes typed while the
    kernel's input buffer is full are dropped (there is no flow control),
    so a marker command is sent until its answer comes back whole:
    `echo MARK` in the user shell, an unknown command in the root shell.
    Returns the number of tries it took."""
    for i in range(1, RESYNC_TRIES + 1):
        mark = f'zzresync{i}x'
        # A byte that ends any escape sequence, then abandon the line.
        m.send(b'~\x03\x15\r')
        if user:
            m.sendline(f'echo {mark}')
            answer = re.compile(r'(?m)^' + mark + r'\r?$')
        else:
            m.sendline(mark)
            answer = f"unknown command '{mark}'"
        try:
            m.expect(answer, timeout=RESYNC_WAIT)
        except TestFailure:
            if m.proc.poll() is not None:
                raise
            continue
        m.wait_prompt()
        return i
    m.fail(f'the {"user" if user else "root"} shell did not answer after {RESYNC_TRIES} tries')


# ---- the fuzz program ------------------------------------------------------------

def run_fuzz(m, args, timeout=FUZZ_TIMEOUT):
    """Run `fuzz ARGS` in the user shell; return (output, the numbers of its
    'fuzz: done:' line as a dict)."""
    out = m.cmd(f'fuzz {args}', timeout=timeout)
    d = DONE_RE.search(out)
    if not d:
        raise TestFailure(f'fuzz {args}: no "fuzz: done:" line:\n{out[-3000:]}')
    keys = ['first', 'last', 'calls', 'batches', 'exits', 'kills', 'accepted', 'spawn_failures']
    return out, dict(zip(keys, map(int, d.groups())))


def bad_elf_cases():
    """{name: bytes} of the malformed ELF files in /bad (tools/gen-bad-elf.py)."""
    path = os.path.join(ROOT, 'tools', 'gen-bad-elf.py')
    spec = importlib.util.spec_from_file_location('gen_bad_elf', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.cases()


def elf_outcomes(out):
    """{name: outcome} from the output of `fuzz -e /bad`, and the summary."""
    found = dict(ELF_LINE_RE.findall(out.replace('\r', '')))
    s = ELF_SUMMARY_RE.search(out)
    if not s:
        raise TestFailure(f'fuzz -e /bad: no summary line:\n{out[-3000:]}')
    return found, tuple(map(int, s.groups()))


def check_elf_outcomes(out):
    """Every generated file was tried and did what its name says: refuse-*
    refused, run-* exit 42, mut-* anything. Returns the summary."""
    found, summary = elf_outcomes(out)
    cases = bad_elf_cases()
    if set(found) != set(cases):
        raise TestFailure(f'fuzz -e /bad tried {sorted(found)}, expected {sorted(cases)}')
    wrong = [f'{n}: {o}' for n, o in found.items()
             if (n.startswith('refuse-') and not o.startswith('refused'))
             or (n.startswith('run-') and o != 'exit 42')]
    if wrong:
        raise TestFailure('malformed ELF files with the wrong outcome:\n' + '\n'.join(wrong))
    return summary

