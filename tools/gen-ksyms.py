#!/usr/bin/env python3
"""Turn `nm -n` output into an assembly file with the kernel symbol table.

The table (section .ksyms) is sorted by address and holds only code symbols;
kernel/core/ksyms.c searches it to print backtraces as function+offset.
Given /dev/null it emits an empty table of the same shape (first link pass).
"""
import sys

def main():
    syms = []
    with open(sys.argv[1]) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 3:
                continue
            addr, kind, name = parts
            if kind not in "tTwW" or name.startswith(".L"):
                continue
            syms.append((int(addr, 16), name))
    syms.sort()
    out = ['    .section .ksyms, "a"', "    .balign 8",
           "    .globl ksyms_count", "ksyms_count:", f"    .quad {len(syms)}",
           "    .globl ksyms_table", "ksyms_table:"]
    offset = 0
    for addr, name in syms:
        out.append(f"    .quad {addr:#x}, {offset}")
        offset += len(name) + 1
    out += ["    .globl ksyms_names", "ksyms_names:"]
    for _, name in syms:
        out.append(f'    .asciz "{name}"')
    out.append('    .section .note.GNU-stack, "", @progbits')
    print("\n".join(out))

if __name__ == "__main__":
    main()
