#!/usr/bin/env python3
"""Write malformed ELF executables for the initrd's /bad directory.

    tools/gen-bad-elf.py OUTDIR

Every file derives from one tiny valid program (a single r-x PT_LOAD at
USER_LOAD_MIN whose code is exit(42); the bytes after it are int3), changed
in one way. The name says what the kernel must do with it:

    run-*      a valid (if unusual) program: it runs and exits with 42
    refuse-*   spawn must fail (the ELF checks in kernel/lib/elf.c)
    mut-*      header bytes flipped at random (fixed seeds): any outcome
               but a hang or a kernel panic

`fuzz -e /bad` (user/bin/fuzz.c) spawns each one; tests/integration/
test_fuzz.py checks the outcomes. The output is the same on every run.
"""

import os
import random
import struct
import sys

USER_START = 0xffff800000000000
LOAD = 0xffff800000400000           # USER_LOAD_MIN
MMAP_BASE = 0xffffa00000000000      # the loader's upper limit
PAGE = 0x1000

PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE = 1, 2, 3, 4
PF_X, PF_W, PF_R = 1, 2, 4
EH_SIZE, PH_SIZE = 64, 56

# mov edi, 42; xor eax, eax (SYS_EXIT = 0); syscall; ud2; then int3 padding
CODE = bytes.fromhex('bf2a000000' '31c0' '0f05' '0f0b') + b'\xcc' * 32


def ehdr(entry, phoff=EH_SIZE, phnum=1, **kw):
    f = dict(ident=b'\x7fELF' + bytes([2, 1, 1]) + bytes(9), type=2, machine=62,
             version=1, entry=entry, phoff=phoff, shoff=0, flags=0, ehsize=EH_SIZE,
             phentsize=PH_SIZE, phnum=phnum, shentsize=0, shnum=0, shstrndx=0)
    f.update(kw)
    return struct.pack('<16sHHIQQQIHHHHHH', f['ident'], f['type'], f['machine'], f['version'],
                       f['entry'], f['phoff'], f['shoff'], f['flags'], f['ehsize'],
                       f['phentsize'], f['phnum'], f['shentsize'], f['shnum'], f['shstrndx'])


def phdr(type=PT_LOAD, flags=PF_R | PF_X, offset=0, vaddr=LOAD, filesz=0, memsz=None, align=PAGE):
    return struct.pack('<IIQQQQQQ', type, flags, offset, vaddr, vaddr,
                       filesz, filesz if memsz is None else memsz, align)


def program(phdrs=None, entry=None, code_at=None, eh=None, tail=b''):
    """A file: ELF header, the program headers, the code, then `tail`.
    phdrs: a function of (file size, code offset) giving the headers; by
    default one r-x PT_LOAD of the whole file at LOAD."""
    make = phdrs or (lambda size, code: [phdr(filesz=size)])
    n = len(make(PAGE, 0))              # only the count matters here
    code = code_at if code_at is not None else EH_SIZE + n * PH_SIZE
    size = code + len(CODE) + len(tail)
    body = b''.join(make(size, code))
    e = ehdr(LOAD + code if entry is None else entry, phnum=n, **(eh or {}))
    data = e + body
    data += bytes(code - len(data)) + CODE + tail
    assert len(data) == size
    return data


def valid():
    return program()


def with_bytes(data, offset, new):
    return data[:offset] + new + data[offset + len(new):]


def cases():
    v = valid()
    c = {}

    # ---- valid programs -------------------------------------------------
    c['run-valid'] = v
    c['run-bss'] = program(lambda size, code: [
        phdr(filesz=size),
        phdr(flags=PF_R | PF_W, offset=0, vaddr=LOAD + PAGE, filesz=0, memsz=2 * PAGE)])
    c['run-note-segment'] = program(lambda size, code: [
        phdr(filesz=size), phdr(type=PT_NOTE, flags=PF_R, offset=0, vaddr=0, filesz=8)])
    c['run-empty-load'] = program(lambda size, code: [
        phdr(filesz=size), phdr(offset=0, vaddr=0, filesz=0, memsz=0)])
    c['run-rodata-segment'] = program(lambda size, code: [
        phdr(filesz=size), phdr(flags=PF_R, offset=0, vaddr=LOAD + 4 * PAGE, filesz=size)])

    # ---- the file header ---------------------------------------------------
    c['refuse-empty'] = b''
    c['refuse-short'] = v[:40]
    c['refuse-magic'] = with_bytes(v, 0, b'\x7fELG')
    c['refuse-class32'] = with_bytes(v, 4, b'\x01')
    c['refuse-big-endian'] = with_bytes(v, 5, b'\x02')
    c['refuse-ident-version'] = with_bytes(v, 6, b'\x02')
    c['refuse-version'] = program(eh=dict(version=0))
    c['refuse-type-dyn'] = program(eh=dict(type=3))
    c['refuse-type-rel'] = program(eh=dict(type=1))
    c['refuse-machine-386'] = program(eh=dict(machine=3))
    c['refuse-ehsize'] = program(eh=dict(ehsize=32))
    c['refuse-phentsize'] = program(eh=dict(phentsize=32))
    c['refuse-phnum-zero'] = with_bytes(v, 56, struct.pack('<H', 0))
    c['refuse-phnum-17'] = with_bytes(v, 56, struct.pack('<H', 17))
    c['refuse-phnum-65535'] = with_bytes(v, 56, struct.pack('<H', 65535))
    c['refuse-phoff-past-end'] = with_bytes(v, 32, struct.pack('<Q', len(v) + PAGE))
    c['refuse-phoff-wrap'] = with_bytes(v, 32, struct.pack('<Q', 2**64 - 16))
    c['refuse-phdrs-truncated'] = with_bytes(v, 56, struct.pack('<H', 2))[:EH_SIZE + PH_SIZE + 8]

    # ---- program headers ---------------------------------------------------
    def one(**kw):
        return program(lambda size, code: [phdr(**dict(dict(filesz=size), **kw))])
    c['refuse-interp'] = program(lambda size, code: [
        phdr(filesz=size), phdr(type=PT_INTERP, flags=PF_R, offset=0, vaddr=0, filesz=8)])
    c['refuse-dynamic'] = program(lambda size, code: [
        phdr(filesz=size), phdr(type=PT_DYNAMIC, flags=PF_R, offset=0, vaddr=0, filesz=8)])
    c['refuse-filesz-over-memsz'] = program(lambda size, code: [phdr(filesz=size, memsz=size - 1)])
    c['refuse-offset-past-end'] = one(offset=PAGE, vaddr=LOAD + PAGE, filesz=16)
    c['refuse-offset-wrap'] = one(offset=2**64 - PAGE, vaddr=LOAD, filesz=2 * PAGE)
    c['refuse-filesz-huge'] = program(lambda size, code: [phdr(filesz=2**63, memsz=2**63)])
    c['refuse-vaddr-kernel'] = program(lambda size, code: [phdr(vaddr=0x400000, filesz=size)],
                                       entry=0x400000 + 0x78)
    c['refuse-vaddr-noncanonical'] = program(
        lambda size, code: [phdr(vaddr=0x0000800000400000, filesz=size)],
        entry=0x0000800000400000 + 0x78)
    c['refuse-vaddr-below-load'] = program(lambda size, code: [phdr(vaddr=USER_START, filesz=size)],
                                           entry=USER_START + 0x78)
    c['refuse-vaddr-mmap-area'] = program(lambda size, code: [phdr(vaddr=MMAP_BASE, filesz=size)],
                                          entry=MMAP_BASE + 0x78)
    c['refuse-memsz-huge'] = program(lambda size, code: [phdr(filesz=size, memsz=1 << 46)])
    c['refuse-memsz-wrap'] = program(lambda size, code: [phdr(filesz=size, memsz=2**64 - PAGE)])
    c['refuse-incongruent'] = program(lambda size, code: [phdr(vaddr=LOAD + 0x10, filesz=size)],
                                      entry=LOAD + 0x10 + 0x78)
    c['refuse-writable-exec'] = one(flags=PF_R | PF_W | PF_X)
    c['refuse-overlap'] = program(lambda size, code: [
        phdr(filesz=size), phdr(flags=PF_R, offset=0x40, vaddr=LOAD + 0x40, filesz=16)])
    c['refuse-no-load'] = program(lambda size, code: [
        phdr(type=PT_NOTE, flags=PF_R, offset=0, vaddr=0, filesz=8)])
    c['refuse-entry-outside'] = program(entry=LOAD + PAGE * 8)
    c['refuse-entry-kernel'] = program(entry=0x100000)
    c['refuse-entry-not-exec'] = program(lambda size, code: [
        phdr(filesz=size), phdr(flags=PF_R, offset=0, vaddr=LOAD + 4 * PAGE, filesz=size)],
        entry=LOAD + 4 * PAGE + 0x78 + PH_SIZE)

    # ---- random header damage (fixed seeds) ------------------------------------
    header_len = EH_SIZE + PH_SIZE
    for i in range(16):
        rng = random.Random(1000 + i)
        data = bytearray(v)
        for _ in range(1 + rng.randrange(4)):
            data[rng.randrange(header_len)] = rng.randrange(256)
        c[f'mut-{i:02d}'] = bytes(data)
    return c


def main(argv):
    if len(argv) != 2:
        sys.exit('usage: gen-bad-elf.py OUTDIR')
    out = argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in cases().items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main(sys.argv)
