// Test register restore on user-level page fault return (JOS lab 4, part B).
//
// The program sets every register to a distinctive value, records them,
// and writes to UTEMP, which is not mapped. The handler checks that the
// UTrapframe holds exactly the recorded registers, maps UTEMP and returns;
// after the faulting instruction the registers are recorded again and must
// equal the first record: every register and the flags came back.
#include <jos.h>

struct regs {
	struct PushRegs regs;
	uint64_t rip;
	uint64_t rflags;
	uint64_t rsp;
};

// Global (not static): the assembly below names before and after.
struct regs before, during, after;

#define CHECK(name, field)                                                  \
	do {                                                                \
		printf("%-6s %016lx %016lx", name, (unsigned long) a->field,  \
		       (unsigned long) b->field);                             \
		if (a->field == b->field)                                   \
			printf("  OK\n");                                   \
		else {                                                      \
			printf("  MISMATCH\n");                             \
			mismatch = 1;                                       \
		}                                                           \
	} while (0)

static void
check_regs(struct regs *a, const char *an, struct regs *b, const char *bn, const char *testname)
{
	int mismatch = 0;

	printf("%-6s %-16s %-16s\n", "", an, bn);
	CHECK("rax", regs.reg_rax);
	CHECK("rbx", regs.reg_rbx);
	CHECK("rcx", regs.reg_rcx);
	CHECK("rdx", regs.reg_rdx);
	CHECK("rsi", regs.reg_rsi);
	CHECK("rdi", regs.reg_rdi);
	CHECK("rbp", regs.reg_rbp);
	CHECK("r8", regs.reg_r8);
	CHECK("r9", regs.reg_r9);
	CHECK("r10", regs.reg_r10);
	CHECK("r11", regs.reg_r11);
	CHECK("r12", regs.reg_r12);
	CHECK("r13", regs.reg_r13);
	CHECK("r14", regs.reg_r14);
	CHECK("r15", regs.reg_r15);
	CHECK("rip", rip);
	CHECK("rflags", rflags);
	CHECK("rsp", rsp);
	if (!mismatch)
		printf("Registers %s OK\n", testname);
	else
		printf("Registers %s MISMATCH\n", testname);
}

static void
pgfault(struct UTrapframe *utf)
{
	int r;

	if (utf->utf_fault_va != (uint64_t) UTEMP)
		panic("pgfault expected at UTEMP, got 0x%lx (rip %lx)",
		      (unsigned long) utf->utf_fault_va, (unsigned long) utf->utf_rip);

	// Check the trap frame
	during.regs = utf->utf_regs;
	during.rip = utf->utf_rip;
	during.rflags = utf->utf_rflags;
	during.rsp = utf->utf_rsp;
	check_regs(&before, "before", &during, "during", "in UTrapframe");

	// Map UTEMP so that write succeeds
	if ((r = sys_mem_alloc(0, UTEMP, PTE_U | PTE_P | PTE_W)) < 0)
		panic("sys_mem_alloc: %e", r);
}

// Store every register into *where (rsp and rflags too; rip is the
// caller's: the address of the instruction after the block).
#define SAVE_REGS(where)                                                    \
	"mov %%rax, " where "+0x70(%%rip)\n\t"                               \
	"mov %%rbx, " where "+0x68(%%rip)\n\t"                               \
	"mov %%rcx, " where "+0x60(%%rip)\n\t"                               \
	"mov %%rdx, " where "+0x58(%%rip)\n\t"                               \
	"mov %%rbp, " where "+0x50(%%rip)\n\t"                               \
	"mov %%rdi, " where "+0x48(%%rip)\n\t"                               \
	"mov %%rsi, " where "+0x40(%%rip)\n\t"                               \
	"mov %%r8, " where "+0x38(%%rip)\n\t"                                \
	"mov %%r9, " where "+0x30(%%rip)\n\t"                                \
	"mov %%r10, " where "+0x28(%%rip)\n\t"                               \
	"mov %%r11, " where "+0x20(%%rip)\n\t"                               \
	"mov %%r12, " where "+0x18(%%rip)\n\t"                               \
	"mov %%r13, " where "+0x10(%%rip)\n\t"                               \
	"mov %%r14, " where "+0x08(%%rip)\n\t"                               \
	"mov %%r15, " where "+0x00(%%rip)\n\t"                               \
	"mov %%rsp, " where "+0x88(%%rip)\n\t"                               \
	"pushfq\n\t"                                                        \
	"popq " where "+0x80(%%rip)\n\t"

void
umain(int argc, char **argv)
{
	set_pgfault_handler(pgfault);

	__asm__ volatile(
		// Distinctive values in every register we may change (the
		// callee-saved ones keep the compiler's values: they are
		// checked all the same).
		"movabs $0x1111111111111111, %%rax\n\t"
		"movabs $0x2222222222222222, %%rcx\n\t"
		"movabs $0x3333333333333333, %%rdx\n\t"
		"movabs %[utemp], %%rsi\n\t"
		"movabs $0x5555555555555555, %%rdi\n\t"
		"movabs $0x8888888888888888, %%r8\n\t"
		"movabs $0x9999999999999999, %%r9\n\t"
		"movabs $0xaaaaaaaaaaaaaaaa, %%r10\n\t"
		"movabs $0xbbbbbbbbbbbbbbbb, %%r11\n\t"
		// Flags: carry, parity, sign and overflow set, zero clear.
		"pushq $0x8c5\n\t"
		"popfq\n\t"
		SAVE_REGS("before")
		// rip of the faulting instruction, without touching a register
		// or the flags: a RIP-relative store of the label's address.
		"lea 1f(%%rip), %%rax\n\t"
		"mov %%rax, before+0x78(%%rip)\n\t"
		"mov before+0x70(%%rip), %%rax\n\t"
		"1: movl $42, (%%rsi)\n\t"
		SAVE_REGS("after")
		:
		: [utemp] "i"(UTEMP)
		: "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "cc", "memory");

	printf("Registers after page-fault: %s\n", *(int *) UTEMP == 42 ? "write went through" : "write lost");
	after.rip = before.rip;         // after's rip is not recorded
	check_regs(&before, "before", &after, "after", "after page-fault");
}
