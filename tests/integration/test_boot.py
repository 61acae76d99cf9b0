"""Boot, power off, reboot and crash the kernel (each test boots its own QEMU
from build/strata-test.iso, whose command line has panic=exit)."""

from harness import (EXIT_POWEROFF, EXIT_REBOOT, TestFailure, boot, check_contains,
                     check_match)
from integration.common import panic_report

EXIT_NO_KERNEL = 37     # tools/grub.cfg.in: GRUB found no room for the kernel


def test_banner(m):
    out = m.boot_output                 # everything before the first prompt
    check_contains(out, 'Strata', 'boot banner')
    check_match(out, r'(?i)memory:', 'boot banner')
    check_contains(out, 'GRUB', 'boot banner (boot loader name)')
    check_contains(out, 'panic=exit', 'boot banner (command line)')
    check_contains(out, 'initrd', 'boot banner (modules)')


def test_poweroff(m):
    m.sendline('poweroff')
    m.expect_exit(EXIT_POWEROFF)


def test_reboot(m):
    m.sendline('reboot')
    m.expect_exit(EXIT_REBOOT)          # -no-reboot turns the reset into an exit


REGISTERS = ['RAX', 'RBX', 'RCX', 'RDX', 'RSI', 'RDI', 'RBP', 'RSP',
             'R8', 'R9', 'R10', 'R11', 'R12', 'R13', 'R14', 'R15', 'RIP', 'CR2']


def check_registers(out):
    for reg in REGISTERS:
        check_match(out, r'(?i)\b' + reg + r'\b', f'exception report (register {reg})')


def check_backtrace(out):
    i = out.find('backtrace:')
    if i < 0:
        raise TestFailure("exception report lacks 'backtrace:':\n" + out)
    frames = out[i:]
    check_match(frames, r'[A-Za-z_]\w*\+0x[0-9a-fA-F]+', 'backtrace (function+0x.. frame)')
    check_match(frames, r'\bcmd_crash\+0x[0-9a-fA-F]+', 'backtrace (cmd_crash frame)')


def test_crash_invalid_opcode(m):
    out = panic_report(m, 'crash ud')
    check_match(out, r'(?i)invalid opcode', 'exception report')
    check_match(out, r'(?i)vector 6\b', 'exception report')
    check_registers(out)
    check_backtrace(out)


def test_crash_page_fault(m):
    out = panic_report(m, 'crash pf')
    check_match(out, r'(?i)page fault', 'exception report')
    check_match(out, r'(?i)\bCR2\b', 'exception report')
    check_registers(out)
    check_backtrace(out)


def test_crash_kernel_stack_overflow(m):
    """A kernel thread that recurses without end runs into the unmapped
    guard page below its stack: the double fault (on its own IST stack)
    reports the overflow and the panic names the thread."""
    out = panic_report(m, 'crash stack')
    check_match(out, r"kernel stack overflow: thread \d+ 'stack-overflow' ran off the bottom of "
                r"its stack \[0x4000[0-9a-f]+-0x4000[0-9a-f]+\) into the guard page at 0x4000[0-9a-f]+",
                'stack overflow report')
    check_match(out, r'(?i)double fault \(vector 8', 'exception report')
    check_match(out, r'RIP 0x[0-9a-f]+ <stack_eater\+0x[0-9a-f]+>', 'exception report (rip)')
    check_match(out, r"PANIC: aspace_double_fault: kernel stack overflow in thread \d+ 'stack-overflow'",
                'panic line')
    check_registers(out)


# Every `crash` variant faults for real (issue 13: gcc -O2 once turned
# `crash de` into a cmov that printed 0) and the report names the exception.

def test_crash_divide_error(m):
    out = panic_report(m, 'crash de')
    check_match(out, r'\*\*\* divide error \(vector 0\b', 'exception report')
    check_contains(out, 'PANIC: unhandled divide error', 'exception report')
    check_registers(out)
    check_backtrace(out)


def test_crash_general_protection(m):
    out = panic_report(m, 'crash gp')
    check_match(out, r'\*\*\* general protection fault \(vector 13\b', 'exception report')
    check_contains(out, 'PANIC: aspace_trap: unresolved general protection fault in kernel mode',
                   'exception report')
    check_registers(out)
    check_backtrace(out)


def test_crash_panic(m):
    out = panic_report(m, 'crash panic')
    check_contains(out, 'PANIC: cmd_crash: requested from the shell', 'panic report')
    check_match(out, r'backtrace:\n\s+\[0\] 0x[0-9a-f]+ panic\+', 'panic backtrace')
    check_match(out, r'\bcmd_crash\+0x[0-9a-fA-F]+', 'panic backtrace (cmd_crash frame)')


def test_crash_page_fault_names_address(m):
    out = panic_report(m, 'crash pf')
    check_match(out, r'\*\*\* page fault \(vector 14\b', 'exception report')
    check_contains(out, 'CR2 0x0000700000000000', 'exception report (the faulting address)')


def test_banner_cpus(m):
    check_contains(m.boot_output, 'cpus: 1 found (ACPI MADT), 1 used', 'boot banner')


@boot(extra_args=['-smp', '2'])
def test_banner_says_smp_is_not_used(m):
    check_contains(m.boot_output,
                   'cpus: 2 found (ACPI MADT), 1 used: no SMP yet, the others stay halted',
                   'boot banner')


@boot(extra_args=['-m', '8M'])
def test_too_little_memory_for_the_initrd(m):
    """GRUB cannot load the 6 MiB initrd into 8 MiB: it says so on serial,
    and the kernel names the cause instead of 'no initrd module'."""
    check_contains(m.boot_output, 'GRUB: cannot load the initrd: not enough memory', 'GRUB output')
    check_match(m.boot_output, r'initrd: not loaded: out of memory \(the boot loader found no '
                r'room for it in \d+ MiB; give QEMU more, e\.g\. -m 64\)', 'boot output')
    check_contains(m.cmd('ls /'), '', 'ls')      # the shell works without files


@boot(extra_args=['-m', '4M'], wait_prompt=False)
def test_too_little_memory_for_the_kernel(m):
    m.expect('GRUB: cannot load the kernel: not enough memory', timeout=60)
    m.expect_exit(EXIT_NO_KERNEL)
