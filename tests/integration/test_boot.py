"""Boot, power off, reboot and crash the kernel (each test boots its own QEMU
from build/strata-test.iso, whose command line has panic=exit)."""

from harness import EXIT_POWEROFF, EXIT_REBOOT, TestFailure, check_contains, check_match
from integration.common import panic_report


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
