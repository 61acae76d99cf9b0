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
