/*
 * Local APIC timer. The APIC timer's rate is not architecturally known, so
 * it is measured: run it (and the TSC) for 1 ms timed by PIT channel 2,
 * whose input clock is a fixed 1.193182 MHz (1,193 PIT ticks: the rates
 * come out within about 0.1%, plenty for a 100 Hz tick and for the
 * millisecond figures of `threads`; a longer wait only costs boot time,
 * 1 M instructions per millisecond under -icount).
 */
#include <arch/lapic.h>
#include <arch/cpu.h>
#include <arch/trap.h>
#include <sched.h>
#include <log.h>

#define LAPIC_BASE          0xFEE00000ull
#define LAPIC_EOI           0x0B0
#define LAPIC_SPURIOUS      0x0F0
#define LAPIC_LVT_TIMER     0x320
#define LAPIC_TIMER_INIT    0x380
#define LAPIC_TIMER_CUR     0x390
#define LAPIC_TIMER_DIV     0x3E0
#define LVT_MASKED          (1u << 16)
#define LVT_PERIODIC        (1u << 17)
#define APIC_BASE_ENABLE    (1ull << 11)

#define PIT_HZ              1193182u
#define CALIBRATE_MS        1

static volatile uint32_t *lapic;
static uint64_t timer_hz;
uint64_t tsc_hz;
static void (*tick_fn)(void);

static inline uint32_t lapic_read(uint32_t reg) { return lapic[reg / 4]; }
static inline void lapic_write(uint32_t reg, uint32_t v) { lapic[reg / 4] = v; }

void lapic_eoi(void)
{
    lapic_write(LAPIC_EOI, 0);
}

uint64_t lapic_timer_hz(void)
{
    return timer_hz;
}

/* Busy-wait CALIBRATE_MS on PIT channel 2 (gate via port 0x61). */
static void pit_wait_calibration(void)
{
    uint16_t count = PIT_HZ * CALIBRATE_MS / 1000;
    uint8_t p61 = (inb(0x61) & ~0x02) | 0x01;      /* speaker off, gate on */
    outb(0x61, p61 & ~0x01);
    outb(0x43, 0xB0);                               /* ch 2, lo/hi, mode 0 */
    outb(0x42, count & 0xFF);
    outb(0x42, count >> 8);
    outb(0x61, p61);                                /* rising gate: start */
    while (!(inb(0x61) & 0x20))
        cpu_relax();
}

static void lapic_timer_irq(struct trap_frame *tf)
{
    lapic_eoi();
    if (tick_fn)
        tick_fn();
}

static void lapic_spurious_irq(struct trap_frame *tf)
{
    /* No EOI for spurious interrupts. */
}

void lapic_timer_init(unsigned hz, void (*tick)(void))
{
    wrmsr(MSR_APIC_BASE, (rdmsr(MSR_APIC_BASE) & ~0xFFFull) | APIC_BASE_ENABLE);
    lapic = (volatile uint32_t *)(rdmsr(MSR_APIC_BASE) & ~0xFFFull);
    lapic_write(LAPIC_SPURIOUS, 0x100 | VEC_APIC_SPURIOUS);
    trap_register(VEC_APIC_SPURIOUS, lapic_spurious_irq);
    trap_register(VEC_APIC_TIMER, lapic_timer_irq);

    lapic_write(LAPIC_TIMER_DIV, 0x3);              /* divide by 16 */
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
    lapic_write(LAPIC_TIMER_INIT, 0xFFFFFFFF);
    uint64_t tsc0 = rdtsc();
    pit_wait_calibration();
    uint32_t elapsed = 0xFFFFFFFF - lapic_read(LAPIC_TIMER_CUR);
    uint64_t tsc1 = rdtsc();
    lapic_write(LAPIC_TIMER_INIT, 0);

    timer_hz = (uint64_t)elapsed * (1000 / CALIBRATE_MS);
    tsc_hz = (tsc1 - tsc0) * (1000 / CALIBRATE_MS);
    tick_fn = tick;
    uint32_t initial = (uint32_t)(timer_hz / hz);
    lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | VEC_APIC_TIMER);
    lapic_write(LAPIC_TIMER_INIT, initial ? initial : 1);
}
