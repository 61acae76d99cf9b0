/*
 * attack: a hostile program against SIGINT delivery at the end of a system
 * call (the fast path's diverted exit through syscall_fast_iret), signal
 * frames that cannot be written, single-stepping, and fork's copy-on-write
 * of read-only regions. Every mode prints "attack: MODE: ok ..." when the
 * kernel did what it must, "attack: MODE: FAILED ..." (exit 1) when not;
 * the modes that must be killed print "attack: MODE: ready" and wait for
 * the Ctrl-C that kills them.
 *
 *   attack regs read N   N times: a console read (fast path) that Ctrl-C
 *                        interrupts; every register the ABI preserves,
 *                        the arguments, rcx (= the return address) and r11
 *                        (= the flags, without the divert mark VM) must come
 *                        back, and the handler's context must show the
 *                        call's exit (-EINTR in rax, the same registers)
 *   attack regs spin N   the same checks around getpid and yield in a loop
 *                        until N SIGINTs were caught (the test floods)
 *   attack hsys N        a handler that makes system calls (they must not
 *                        be interrupted: a sleep in it returns 0) while
 *                        Ctrl-C keeps coming; N handler runs
 *   attack ign N         N rounds of: a handler, a batch of long reads
 *                        ending in signal(SIG_IGN), a sleep, under Ctrl-C:
 *                        a SIGINT that came during the batch is thrown
 *                        away and must not end the sleep (-EINTR)
 *   attack tf N          single-stepping (TF) through fast calls while
 *                        SIGINTs come: N SIGINTs in a getpid/yield loop, N
 *                        more ending console reads; every register intact
 *   attack fork N        fork 2 children (copy-on-write); the 3 processes
 *                        each catch N SIGINTs with registers checked
 *   attack rocow         after fork, read-only memory (ELF rodata and text,
 *                        map(PROT_READ) pages, present and lazy) stays
 *                        read-only in both processes: a store kills with
 *                        SIGSEGV, a read(2) into it fails with -EFAULT
 *   attack stack KIND sys|spin
 *                        a SIGINT handler, then rsp = KIND and a loop of
 *                        getpid (sys) or of nothing (spin); the Ctrl-C
 *                        cannot push its frame: killed by SIGSEGV. KIND:
 *                        kernel (0x108000), noncanon (0x0000800000000000),
 *                        zero, unmapped (USER_START + 1 MiB), ro (read-only
 *                        data), guard (64 bytes above the stack guard page),
 *                        above (USER_END + 4 KiB)
 *   attack upcall N      page faults taken by a JOS upcall that makes
 *                        system calls on the exception stack while SIGINTs
 *                        come (their frames go there); until N were caught,
 *                        one at least on the exception stack
 *   attack forkexec N    N rounds of fork, exec /bin/true in the child, wait,
 *                        under Ctrl-C (the child may die of a SIGINT once
 *                        exec has put SIG_DFL back; nothing else may fail)
 *   attack nest          the SIGINT handler forks; both processes stay in it
 *                        a while under Ctrl-C: no SIGINT may enter it
 *                        again before it returns, in the child either
 *   attack cowmap        after fork, mem_map(PTE_W) of a copy-on-write page
 *                        (in place or elsewhere), in the child then in the
 *                        parent: the other process's copy never changes
 *   attack oom           a handler for every signal, then touch 1 GiB: the
 *                        fault that finds no frame kills it (SIGSEGV, "out
 *                        of memory"), never enters the handler
 *   attack handler nx|unmapped|tramp
 *                        a SIGINT handler in data (no execute), in an
 *                        unmapped page, or a trampoline there; spins: the
 *                        Ctrl-C kills it with SIGSEGV (in its handler)
 *   attack stop          stops itself (set_env_status NOT_RUNNABLE) with no
 *                        handler: the Ctrl-C kills it with SIGINT
 *   attack stackfork     the parent ignores SIGINT and forks; the child
 *                        does `stack ro sys` in its copy-on-write address
 *                        space; the parent reports the child's death:
 *                        "attack: stackfork: ok (child killed by signal 11)"
 */
#include <ulib.h>
#include <uapi/vm.h>
#include <uapi/env.h>
#include <uapi/upcall.h>
#include <uapi/pte.h>

#define KADDR       0x100000ul
#define NONCANON    0x0000800000000000ul
#define RF_TF       0x100ul
#define RF_VM       0x20000ul
#define NPAT        9               /* rbx rbp r12 r13 r14 r15 r8 r9 r10 */

static const char *const pat_names[] = {
    "none", "rbx", "rbp", "r12", "r13", "r14", "r15", "r8", "r9", "r10",
    "rdi", "rsi", "rdx", "rcx (not the return address)", "r11 (divert mark VM set)",
};

/* The patterns the round loads into the registers the call must keep. */
#define PAT(k)      (0x5a5a5a5a00000000ul + (k) * 0x01010101ul)

/* long attack_round(long nr, long a0, long a1, long a2): system call nr
 * with the three arguments and PAT(1..9) in rbx rbp r12-r15 r8-r10; 0 if
 * every register the ABI keeps came back (and rcx is the return address,
 * r11 has no VM), else the index into pat_names. The call's rax goes to
 * attack_rax. */
long attack_round(long nr, long a0, long a1, long a2);
extern const char attack_after[];
long attack_rax;

__asm__(
    ".intel_syntax noprefix\n"
    ".text\n"
    ".globl attack_round\n"
    "attack_round:\n"
    "    push rbx\n push rbp\n push r12\n push r13\n push r14\n push r15\n"
    "    push rdi\n push rsi\n push rdx\n push rcx\n"          /* nr a0 a1 a2 at [rsp+24..0] */
    "    mov rax, rdi\n"
    "    mov rdi, rsi\n"
    "    mov rsi, rdx\n"
    "    mov rdx, rcx\n"
    "    movabs rbx, 0x5a5a5a5a01010101\n"
    "    movabs rbp, 0x5a5a5a5a02020202\n"
    "    movabs r12, 0x5a5a5a5a03030303\n"
    "    movabs r13, 0x5a5a5a5a04040404\n"
    "    movabs r14, 0x5a5a5a5a05050505\n"
    "    movabs r15, 0x5a5a5a5a06060606\n"
    "    movabs r8,  0x5a5a5a5a07070707\n"
    "    movabs r9,  0x5a5a5a5a08080808\n"
    "    movabs r10, 0x5a5a5a5a09090909\n"
    "    syscall\n"
    ".globl attack_after\n"
    "attack_after:\n"
    "    mov [rip + attack_rax], rax\n"
    "    mov eax, 14\n"
    "    bt r11, 17\n"
    "    jc 9f\n"
    "    mov eax, 13\n"
    "    lea r11, [rip + attack_after]\n"
    "    cmp rcx, r11\n"
    "    jne 9f\n"
    "    mov eax, 12\n cmp rdx, [rsp]\n jne 9f\n"
    "    mov eax, 11\n cmp rsi, [rsp + 8]\n jne 9f\n"
    "    mov eax, 10\n cmp rdi, [rsp + 16]\n jne 9f\n"
    "    mov eax, 1\n movabs rcx, 0x5a5a5a5a01010101\n cmp rbx, rcx\n jne 9f\n"
    "    mov eax, 2\n movabs rcx, 0x5a5a5a5a02020202\n cmp rbp, rcx\n jne 9f\n"
    "    mov eax, 3\n movabs rcx, 0x5a5a5a5a03030303\n cmp r12, rcx\n jne 9f\n"
    "    mov eax, 4\n movabs rcx, 0x5a5a5a5a04040404\n cmp r13, rcx\n jne 9f\n"
    "    mov eax, 5\n movabs rcx, 0x5a5a5a5a05050505\n cmp r14, rcx\n jne 9f\n"
    "    mov eax, 6\n movabs rcx, 0x5a5a5a5a06060606\n cmp r15, rcx\n jne 9f\n"
    "    mov eax, 7\n movabs rcx, 0x5a5a5a5a07070707\n cmp r8, rcx\n jne 9f\n"
    "    mov eax, 8\n movabs rcx, 0x5a5a5a5a08080808\n cmp r9, rcx\n jne 9f\n"
    "    mov eax, 9\n movabs rcx, 0x5a5a5a5a09090909\n cmp r10, rcx\n jne 9f\n"
    "    xor eax, eax\n"
    "9:  add rsp, 32\n"
    "    pop r15\n pop r14\n pop r13\n pop r12\n pop rbp\n pop rbx\n"
    "    ret\n"
    /* void attack_badstack(uint64_t rsp, long sys): never returns. */
    ".globl attack_badstack\n"
    "attack_badstack:\n"
    "    mov rsp, rdi\n"
    "    test rsi, rsi\n"
    "    jz 2f\n"
    "1:  mov eax, 3\n"                  /* SYS_GETPID */
    "    syscall\n"
    "    jmp 1b\n"
    "2:  pause\n"
    "    jmp 2b\n"
    ".att_syntax prefix\n");
__attribute__((noreturn)) void attack_badstack(uint64_t rsp, long sys);

/* The page-fault upcall's half (attack upcall): attack_touch(p) stores to
 * p; the kernel enters attack_upcall on the exception stack, which calls
 * attack_upcall_c(utf) and then resumes attack_touch's caller (the store
 * is not retried: attack_upcall_c has mapped the page). */
__asm__(
    ".intel_syntax noprefix\n"
    ".text\n"
    ".globl attack_touch\n"
    "attack_touch:\n"
    "    push rbx\n push rbp\n push r12\n push r13\n push r14\n push r15\n"
    "    mov [rip + attack_resume_rsp], rsp\n"
    "    mov byte ptr [rdi], 1\n"
    "attack_resume:\n"
    "    pop r15\n pop r14\n pop r13\n pop r12\n pop rbp\n pop rbx\n"
    "    ret\n"
    ".globl attack_upcall\n"
    "attack_upcall:\n"
    "    mov rdi, rsp\n"
    "    call attack_upcall_c\n"
    "    mov rsp, [rip + attack_resume_rsp]\n"
    "    jmp attack_resume\n"
    ".att_syntax prefix\n");
void attack_touch(volatile char *p);
void attack_upcall(void);
uint64_t attack_resume_rsp;

_Static_assert(SYS_GETPID == 3, "update attack_badstack");

static const char *mode = "?";
static volatile long caught, steps, at_exit, bad_ctx;
static volatile long cur_nr = -1, cur_a0, cur_a1, cur_a2;  /* the round in progress */
static volatile long hsys_sleep = 1;    /* hsys: what the handler's sleep returned */
static int mypid;

static __attribute__((aligned(4096))) const char ro_page[3 * 4096] = { 'r', 'o' };

static unsigned long read_rflags(void)
{
    unsigned long f;
    __asm__ volatile("pushfq; popq %0" : "=r"(f));
    return f;
}

static void write_rflags(unsigned long f)
{
    __asm__ volatile("pushq %0; popfq" :: "r"(f) : "cc", "memory");
}

static __printf(1, 2) __attribute__((noreturn)) void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("attack: %s: FAILED: ", mode);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    exit(1);
}

/* The result the round's call must have left in rax. */
static long expected_rax(long nr)
{
    if (nr == SYS_GETPID)
        return mypid;
    if (nr == SYS_READ)
        return -EINTR;
    return 0;
}

/* A signal that came at the end of a round's call: the context is the
 * call's exit, exactly (the frame syscall_fast_iret built). */
static volatile long on_xstack, upcalls;

static void check_ctx(const struct sigcontext *c)
{
    if (c->rsp >= USER_XSTACK && c->rsp < USER_XSTACK_TOP)
        on_xstack++;
    if ((uintptr_t)c->rip != (uintptr_t)attack_after || cur_nr < 0)
        return;
    at_exit++;
    const unsigned long want[NPAT] = {
        PAT(1), PAT(2), PAT(3), PAT(4), PAT(5), PAT(6), PAT(7), PAT(8), PAT(9)
    };
    const unsigned long got[NPAT] = {
        c->rbx, c->rbp, c->r12, c->r13, c->r14, c->r15, c->r8, c->r9, c->r10
    };
    for (int k = 0; k < NPAT; k++)
        if (got[k] != want[k])
            bad_ctx = k + 1;
    if (c->rdi != (unsigned long)cur_a0) bad_ctx = 10;
    if (c->rsi != (unsigned long)cur_a1) bad_ctx = 11;
    if (c->rdx != (unsigned long)cur_a2) bad_ctx = 12;
    if (c->rcx != c->rip) bad_ctx = 13;
    if ((c->r11 | c->rflags) & RF_VM) bad_ctx = 14;
    if ((long)c->rax != expected_rax(cur_nr) && !(cur_nr == SYS_YIELD && (long)c->rax == -EINTR))
        bad_ctx = 15;
}

static void handler(int sig, uint64_t fault_addr, struct sigcontext *ctx)
{
    if (sig == SIGTRAP) {
        steps++;
        return;
    }
    if (sig != SIGINT) {
        printf("attack: %s: FAILED: signal %d at rip %#lx address %#lx\n", mode, sig,
               ctx->rip, (unsigned long)fault_addr);
        exit(1);
    }
    if (read_rflags() & RF_TF)
        bad_ctx = 16;
    check_ctx(ctx);
    caught++;
    /* Fast calls from the handler: a SIGINT that comes now is due but must
     * wait for sigreturn (each of these exits goes through the check). Not
     * against mypid: a fork child's first return to user mode may bring
     * it here before it has set mypid. */
    long me = getpid();
    for (int i = 0; i < 20; i++)
        if (getpid() != me)
            bad_ctx = 17;
    yield();
}

static void check_round(long nr, long a0, long a1, long a2)
{
    cur_a0 = a0; cur_a1 = a1; cur_a2 = a2;
    cur_nr = nr;
    long r = attack_round(nr, a0, a1, a2);
    cur_nr = -1;
    if (r)
        fail("%s changed by the call %ld", pat_names[r], nr);
    long want = expected_rax(nr);
    if (attack_rax != want && !(attack_rax == -EINTR && nr == SYS_YIELD))
        fail("call %ld returned %ld", nr, attack_rax);
    if (bad_ctx)
        fail("the handler's context: %s (bad_ctx %ld)",
             bad_ctx < 15 ? pat_names[bad_ctx] : bad_ctx == 15 ? "rax" :
             bad_ctx == 16 ? "TF set in the handler" : "getpid in the handler", bad_ctx);
}

static void must_handle(void)
{
    int r = signal(handler);
    if (r < 0)
        fail("signal: %s", errstr(r));
}

static void m_regs_read(long n)
{
    static char buf[8];
    printf("attack: regs read: waiting for %ld\n", n);
    while (caught < n)
        check_round(SYS_READ, FD_STDIN, (long)buf, 1);
    printf("attack: regs read: ok (%ld caught, %ld at the call's exit)\n", caught, at_exit);
}

static void spin_rounds(long n)
{
    for (long i = 0; caught < n; i++)
        check_round(i & 1 ? SYS_YIELD : SYS_GETPID, 0x1234 + i, -i, i << 20);
}

static void m_regs_spin(long n)
{
    printf("attack: regs spin: waiting for %ld\n", n);
    spin_rounds(n);
    printf("attack: regs spin: ok (%ld caught, %ld at a call's exit)\n", caught, at_exit);
}

/* hsys's handler: slow, with calls that a SIGINT must not interrupt. */
static void hsys_handler(int sig, uint64_t fault_addr, struct sigcontext *ctx)
{
    caught++;
    long me = getpid();
    for (int i = 0; i < 200; i++)
        if (getpid() != me)
            bad_ctx = 17;
    int r = sleep_ms(200);
    if (r != 0)
        hsys_sleep = r;
}

static void m_hsys(long n)
{
    int r = signal(hsys_handler);
    if (r < 0)
        fail("signal: %s", errstr(r));
    printf("attack: hsys: waiting for %ld\n", n);
    spin_rounds(n);
    if (hsys_sleep != 1)
        fail("a sleep in the handler returned %ld", hsys_sleep);
    printf("attack: hsys: ok (%ld caught)\n", caught);
}

/* ign: a batch (a long stay in the kernel, for a Ctrl-C to land in: it
 * reads /bin/unixtest again and again) that ends by ignoring SIGINT, then
 * a sleep. With SIGINT ignored, a SIGINT that came during the batch is
 * thrown away: it must not cut the sleep short. N rounds; the handler is
 * set again at the start of each. */
static void m_ign(long n)
{
    static struct sysreq reqs[SYSCALL_BATCH_MAX];
    static char buf[128 * 1024];
    int fd = open("/bin/unixtest", O_RDONLY);
    if (fd < 0)
        fail("open /bin/unixtest: %s", errstr(fd));
    for (int i = 0; i + 1 < SYSCALL_BATCH_MAX; i += 2) {
        reqs[i] = (struct sysreq){ .nr = SYS_SEEK, .args = { fd, 0, SEEK_SET } };
        reqs[i + 1] = (struct sysreq){ .nr = SYS_READ, .args = { fd, (uintptr_t)buf, sizeof(buf) } };
    }
    reqs[SYSCALL_BATCH_MAX - 1] = (struct sysreq){ .nr = SYS_SIGNAL, .args = { SIG_IGN } };
    must_handle();
    printf("attack: ign: waiting (%ld rounds)\n", n);
    for (long round = 0; round < n; round++) {
        int r = signal(handler);
        if (r < 0)
            fail("signal: %s", errstr(r));
        long done = syscall(SYS_BATCH, (long)reqs, (long)SYSCALL_BATCH_MAX);
        if (done != SYSCALL_BATCH_MAX)
            fail("batch ran %ld calls", done);
        r = sleep_ms(20);
        if (r != 0)
            fail("a sleep with SIGINT ignored returned %s (round %ld, %ld caught)",
                 errstr(r), round, caught);
    }
    printf("attack: ign: ok (%ld caught in %ld rounds)\n", caught, n);
}

/* Single-stepping (TF) through getpid and yield until n SIGINTs, then
 * through console reads that a Ctrl-C ends until n more: those come at
 * the read's exit, where the diverted exit meets TF. */
static void m_tf(long n)
{
    static char buf[8];
    printf("attack: tf: waiting for %ld\n", 2 * n);
    write_rflags(read_rflags() | RF_TF);
    spin_rounds(n);
    while (caught < 2 * n)
        check_round(SYS_READ, FD_STDIN, (long)buf, 1);
    write_rflags(read_rflags() & ~RF_TF);
    if (!steps)
        fail("no single-step trap (%ld caught)", caught);
    printf("attack: tf: ok (%ld caught, %ld at a call's exit, %ld steps)\n", caught, at_exit, steps);
}

static void m_fork(long n)
{
    int kids[2];
    for (int i = 0; i < 2; i++) {
        kids[i] = fork();
        if (kids[i] < 0)
            fail("fork: %s", errstr(kids[i]));
        if (kids[i] == 0) {
            mypid = getpid();
            spin_rounds(n);
            exit(0);
        }
    }
    printf("attack: fork: waiting for %ld\n", n);
    spin_rounds(n);
    for (int i = 0; i < 2; i++) {
        int st = 0, r;
        while ((r = wait(kids[i], &st)) == -EINTR)
            ;
        if (r != kids[i] || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            fail("child %d: status %#x", kids[i], st);
    }
    printf("attack: fork: ok (%ld caught here, the children too)\n", caught);
}

/* Store one byte at p: must kill (SIGSEGV). */
static __attribute__((noreturn)) void store_dies(volatile char *p)
{
    *p = 'w';
    exit(5);
}

/* A process that forks and then stores to p, as the parent (`parent`) or
 * in its child: the one that stores must die of SIGSEGV. Returns 0 if so. */
static int rocow_case(volatile char *p, bool parent)
{
    int t = fork();
    if (t < 0)
        fail("fork: %s", errstr(t));
    if (t == 0) {
        int k = fork();
        if (k < 0)
            exit(6);
        if (parent && k == 0)
            exit(0);                        /* the child: nothing */
        if (!parent && k == 0)
            store_dies(p);
        if (parent)
            store_dies(p);
        int st = 0;
        if (wait(k, &st) != k)
            exit(6);
        exit(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV ? 11 : 7);
    }
    int st = 0;
    if (wait(t, &st) != t)
        fail("wait");
    if (parent)
        return WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV ? 0 : st;
    return WIFEXITED(st) && WEXITSTATUS(st) == 11 ? 0 : st;
}

/* rocow: fork shares read-only regions copy-on-write; that must not make
 * them writable, in either process: read-only data of the ELF, a
 * read-only map() page that exists and one that is still lazy, the text;
 * a read(2) into them is -EFAULT. */
static void m_rocow(void)
{
    int fds[2];
    if (pipe(fds) < 0)
        fail("pipe");
    char *anon = map(NULL, 2 * 4096, PROT_READ);
    if (IS_ERR(anon))
        fail("map: %s", errstr(PTR_ERR(anon)));
    if (((volatile char *)anon)[0] != 0)        /* the first page exists, the second is lazy */
        fail("a new page is not zero");
    struct { const char *name; volatile char *p; } targets[] = {
        { "rodata", (volatile char *)ro_page },
        { "anon", (volatile char *)anon },
        { "lazy anon", (volatile char *)anon + 4096 },
        { "text", (volatile char *)(uintptr_t)m_rocow },
    };
    int cases = 0;
    for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
        for (int parent = 0; parent < 2; parent++, cases++) {
            int st = rocow_case(targets[i].p, parent);
            if (st)
                fail("%s: a store after fork (in the %s) did not die of SIGSEGV: status %#x",
                     targets[i].name, parent ? "parent" : "child", st);
        }
        if (write(fds[1], "x", 1) != 1)
            fail("write to the pipe");
        char before = targets[i].p[0];
        long r = read(fds[0], (void *)targets[i].p, 1);
        if (r != -EFAULT || targets[i].p[0] != before)
            fail("%s: read(2) into it after fork returned %ld", targets[i].name, r);
    }
    printf("attack: rocow: ok (%d stores after fork killed)\n", cases);
}

static uint64_t stack_addr(const char *kind)
{
    if (!strcmp(kind, "kernel"))   return KADDR + 0x8000;
    if (!strcmp(kind, "noncanon")) return NONCANON;
    if (!strcmp(kind, "zero"))     return 0;
    if (!strcmp(kind, "unmapped")) return USER_START + 0x100000;
    if (!strcmp(kind, "ro"))       return (uint64_t)(uintptr_t)&ro_page[2 * 4096];
    if (!strcmp(kind, "guard"))    return USER_STACK_BOTTOM + 64;
    if (!strcmp(kind, "above"))    return USER_END + 0x1000;
    return 1;
}

static void m_stack(const char *kind, const char *how)
{
    uint64_t sp = stack_addr(kind);
    if (sp == 1 || (strcmp(how, "sys") && strcmp(how, "spin")))
        fail("unknown stack case %s %s", kind, how);
    must_handle();
    printf("attack: stack %s %s: ready (rsp %#lx)\n", kind, how, (unsigned long)sp);
    attack_badstack(sp, !strcmp(how, "sys"));
}

static void m_stackfork(void)
{
    int r = signal_ignore();
    if (r < 0)
        fail("signal_ignore: %s", errstr(r));
    int kid = fork();
    if (kid < 0)
        fail("fork: %s", errstr(kid));
    if (kid == 0) {
        mode = "stackfork child";
        m_stack("ro", "sys");
    }
    int st = 0;
    while ((r = wait(kid, &st)) == -EINTR)
        ;
    if (r != kid || !WIFSIGNALED(st) || WTERMSIG(st) != SIGSEGV)
        fail("child status %#x (wait %d)", st, r);
    printf("attack: stackfork: ok (child killed by signal %d)\n", WTERMSIG(st));
}

#define TOUCH_PAGE  (USER_SCRATCH + 0x1000)

__attribute__((used)) void attack_upcall_c(struct UTrapframe *utf)
{
    if (utf->utf_fault_va != TOUCH_PAGE)
        fail("upcall for %#lx", (unsigned long)utf->utf_fault_va);
    long r = syscall(SYS_MEM_ALLOC, 0L, (long)TOUCH_PAGE, (long)(PTE_P | PTE_U | PTE_W));
    if (r < 0)
        fail("mem_alloc in the upcall: %ld", r);
    upcalls++;
    /* Fast calls on the exception stack, for a SIGINT to come now. */
    for (int i = 0; i < 200; i++)
        check_round(SYS_GETPID, i, 2 * i, 3 * i);
}

/* upcall: page faults taken by the JOS upcall on the exception stack,
 * which makes system calls there while SIGINTs come: their frames go on
 * the exception stack, their handler runs there and returns into the
 * upcall. */
static void m_upcall(long n)
{
    must_handle();
    long r = syscall(SYS_MEM_ALLOC, 0L, (long)USER_XSTACK, (long)(PTE_P | PTE_U | PTE_W));
    if (r >= 0)
        r = syscall(SYS_SET_PGFAULT_HANDLER, 0L, (long)attack_upcall, (long)USER_XSTACK_TOP);
    if (r < 0)
        fail("the exception stack or the upcall: %ld", r);
    printf("attack: upcall: waiting for %ld\n", n);
    while (caught < n || !on_xstack) {
        attack_touch((volatile char *)TOUCH_PAGE);
        r = syscall(SYS_MEM_UNMAP, 0L, (long)TOUCH_PAGE);
        if (r < 0)
            fail("mem_unmap: %ld", r);
    }
    printf("attack: upcall: ok (%ld caught, %ld on the exception stack, %ld upcalls)\n",
           caught, on_xstack, upcalls);
}

/* forkexec: fork, the child execs /bin/true (or exits, or is killed by a
 * SIGINT once exec has put SIG_DFL back), the parent waits; N rounds under
 * Ctrl-C, so that SIGINTs land in env_alloc, in the copy, in exec and in
 * the waits. */
static void m_forkexec(long n)
{
    must_handle();
    printf("attack: forkexec: waiting (%ld rounds)\n", n);
    long killed = 0;
    for (long round = 0; round < n; round++) {
        int kid = fork();
        if (kid == -EINTR)
            continue;
        if (kid < 0)
            fail("fork: %s (round %ld)", errstr(kid), round);
        if (kid == 0) {
            char *argv[] = { "true", NULL };
            int r = exec("/bin/true", argv);
            printf("attack: forkexec: FAILED: exec: %s\n", errstr(r));
            exit(1);
        }
        int st = 0, r;
        while ((r = wait(kid, &st)) == -EINTR)
            ;
        if (r != kid)
            fail("wait: %s", errstr(r));
        if (WIFSIGNALED(st) && WTERMSIG(st) == SIGINT)
            killed++;
        else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            fail("child status %#x (round %ld)", st, round);
    }
    printf("attack: forkexec: ok (%ld rounds, %ld caught, %ld children killed by SIGINT)\n",
           n, caught, killed);
}

/* nest: the SIGINT handler forks; the child, still in the handler (it
 * shares the frame it will sigreturn through), makes calls while SIGINTs
 * keep coming: none may enter the handler again before it returns, in
 * the child as in the parent. */
static volatile int depth, nested, nest_kid = -1, nest_is_child;

static void nest_handler(int sig, uint64_t fault_addr, struct sigcontext *ctx)
{
    if (++depth > 1)
        nested++;
    caught++;
    if (nest_kid < 0 && !nest_is_child) {
        int k = fork();
        if (k == 0)
            nest_is_child = 1;
        nest_kid = k;
    }
    for (int i = 0; i < 10; i++)            /* 1 s of calls, under Ctrl-C */
        sleep_ms(100);
    if (nest_is_child)
        exit(nested ? 1 : 0);
    depth--;
}

static void m_nest(void)
{
    int r = signal(nest_handler);
    if (r < 0)
        fail("signal: %s", errstr(r));
    printf("attack: nest: waiting\n");
    while (nest_kid < 0)
        getpid();
    if (nest_kid == 0 || nest_kid < -1)
        fail("fork in the handler: %d", nest_kid);
    int st = 0;
    while ((r = wait(nest_kid, &st)) == -EINTR)
        ;
    if (r != nest_kid)
        fail("wait: %s", errstr(r));
    if (nested)
        fail("the handler was entered again before it returned, in the parent");
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail("the fork child's handler was entered again before it returned (status %#x)", st);
    printf("attack: nest: ok (%ld caught here)\n", caught);
}

/* cowmap: after fork, a page shared copy-on-write is read-only in both
 * processes; JOS's mem_map must not hand either one a writable mapping
 * of the shared frame (at the same or another address): the other
 * process's copy must never change. */
static __aligned(4096) char cow_data[4096] = "parent";

static long remap_writable(uint64_t to)
{
    return syscall(SYS_MEM_MAP, 0L, (long)(uintptr_t)cow_data, 0L, (long)to,
                   (long)(PTE_P | PTE_U | PTE_W));
}

/* Try both remappings; a write through one that was allowed. The number
 * of remappings allowed. */
static int remap_and_write(void)
{
    int allowed = 0;
    uint64_t targets[] = { (uintptr_t)cow_data, USER_SCRATCH + 0x2000 };
    for (int i = 0; i < 2; i++) {
        if (remap_writable(targets[i]) == 0) {
            allowed++;
            strcpy((char *)(uintptr_t)targets[i], "scribbled");
        }
    }
    return allowed;
}

static void m_cowmap(void)
{
    int fds[2];
    if (pipe(fds) < 0)
        fail("pipe");
    if (((volatile char *)cow_data)[0] != 'p')  /* present before fork: shared after */
        fail("cow_data");
    /* The child remaps; the parent's copy must stay. */
    int kid = fork();
    if (kid < 0)
        fail("fork: %s", errstr(kid));
    if (kid == 0)
        exit(remap_and_write());
    int st = 0;
    if (wait(kid, &st) != kid || !WIFEXITED(st))
        fail("child status %#x", st);
    int child_allowed = WEXITSTATUS(st);
    if (strcmp(cow_data, "parent"))
        fail("the child wrote the parent's copy-on-write page: \"%s\"", cow_data);
    /* The parent remaps; the child's copy must stay. */
    kid = fork();
    if (kid < 0)
        fail("fork: %s", errstr(kid));
    if (kid == 0) {
        char c;
        if (read(fds[0], &c, 1) != 1)
            exit(3);
        exit(strcmp(cow_data, "parent") ? 1 : 0);
    }
    int parent_allowed = remap_and_write();
    if (write(fds[1], "x", 1) != 1)
        fail("write to the pipe");
    if (wait(kid, &st) != kid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail("the parent wrote the child's copy-on-write page (child status %#x)", st);
    printf("attack: cowmap: ok (writable remappings allowed: %d in the child, %d in the parent; "
           "no copy changed)\n", child_allowed, parent_allowed);
}

/* oom: with a handler for every signal (which says FAILED), touch a
 * mapping larger than the machine's memory: the fault that finds no frame
 * kills (no handler is offered a frame for a page nobody can provide). */
static void oom_handler(int sig, uint64_t fault_addr, struct sigcontext *ctx)
{
    printf("attack: oom: FAILED: handler offered signal %d at %#lx (rip %#lx)\n", sig,
           (unsigned long)fault_addr, ctx->rip);
    exit(1);
}

static void m_oom(void)
{
    const size_t len = 1ul << 30;
    int r = signal(oom_handler);
    if (r < 0)
        fail("signal: %s", errstr(r));
    char *p = map(NULL, len, PROT_READ | PROT_WRITE);
    if (IS_ERR(p))
        fail("map 1 GiB: %s", errstr(PTR_ERR(p)));
    printf("attack: oom: touching 1 GiB\n");
    for (size_t off = 0; off < len; off += 4096)
        p[off] = 1;
    fail("touched 1 GiB on a smaller machine%s", "");
}

/* A SIGINT handler (or its trampoline) the process cannot run: the
 * Ctrl-C lands on a fault in the handler, which kills. */
static uint64_t nx_code[64] __aligned(4096);

static void m_handler(const char *kind)
{
    uint64_t h = (uintptr_t)handler, tramp = (uintptr_t)__sigtramp;
    if (!strcmp(kind, "nx")) {
        h = (uintptr_t)nx_code;
        nx_code[0] = 0xc3c3c3c3c3c3c3c3ul;     /* ret, were it executable */
    } else if (!strcmp(kind, "unmapped") || !strcmp(kind, "tramp")) {
        void *page = map(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC);
        if (IS_ERR(page))
            fail("map: %s", errstr(PTR_ERR(page)));
        int r = unmap(page, 4096);
        if (r < 0)
            fail("unmap: %s", errstr(r));
        if (!strcmp(kind, "unmapped"))
            h = (uintptr_t)page;
        else
            tramp = (uintptr_t)page;
    } else {
        fail("unknown handler case %s", kind);
    }
    long r = syscall(SYS_SIGNAL, (long)h, (long)tramp);
    if (r < 0)
        fail("signal: %s", errstr((int)r));
    printf("attack: handler %s: ready\n", kind);
    for (;;)
        getpid();
}

/* Stop itself (JOS's NOT_RUNNABLE) with SIGINT's default action: Ctrl-C
 * must still end it. */
static void m_stop(void)
{
    printf("attack: stop: ready\n");
    long r = syscall(SYS_SET_ENV_STATUS, 0L, (long)ENV_NOT_RUNNABLE);
    fail("resumed after stopping itself (%ld)", r);
}

static long count_arg(int argc, char **argv, int i)
{
    long n;
    if (argc <= i || parse_long(argv[i], &n) < 0 || n < 1) {
        dprintf(2, "usage: attack regs read|spin N | hsys N | ign N | tf N | fork N | rocow | "
                   "stack KIND sys|spin | stackfork | handler nx|unmapped|tramp | stop | upcall N | oom | forkexec N | cowmap | nest\n");
        exit(2);
    }
    return n;
}

int main(int argc, char **argv)
{
    mypid = getpid();
    if (argc < 2)
        count_arg(0, argv, 1);
    mode = argv[1];
    if (!strcmp(mode, "regs") && argc == 4) {
        must_handle();
        if (!strcmp(argv[2], "read"))
            m_regs_read(count_arg(argc, argv, 3));
        else
            m_regs_spin(count_arg(argc, argv, 3));
    } else if (!strcmp(mode, "hsys")) {
        m_hsys(count_arg(argc, argv, 2));
    } else if (!strcmp(mode, "ign")) {
        m_ign(count_arg(argc, argv, 2));
    } else if (!strcmp(mode, "tf")) {
        must_handle();
        m_tf(count_arg(argc, argv, 2));
    } else if (!strcmp(mode, "fork")) {
        must_handle();
        m_fork(count_arg(argc, argv, 2));
    } else if (!strcmp(mode, "rocow")) {
        m_rocow();
    } else if (!strcmp(mode, "stack") && argc == 4) {
        m_stack(argv[2], argv[3]);
    } else if (!strcmp(mode, "handler") && argc == 3) {
        m_handler(argv[2]);
    } else if (!strcmp(mode, "forkexec")) {
        m_forkexec(count_arg(argc, argv, 2));
    } else if (!strcmp(mode, "nest")) {
        m_nest();
    } else if (!strcmp(mode, "cowmap")) {
        m_cowmap();
    } else if (!strcmp(mode, "oom")) {
        m_oom();
    } else if (!strcmp(mode, "upcall")) {
        m_upcall(count_arg(argc, argv, 2));
    } else if (!strcmp(mode, "stop")) {
        m_stop();
    } else if (!strcmp(mode, "stackfork")) {
        m_stackfork();
    } else {
        count_arg(0, argv, 1);
    }
    return 0;
}
