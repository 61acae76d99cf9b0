/*
 * PS/2 keyboard (scan code set 1, US layout), IRQ 1. Keys become the bytes
 * a serial terminal would send: arrows as ESC [ A..D, Backspace as DEL.
 */
#include <console.h>
#include <arch/cpu.h>
#include <arch/irq.h>

#define KBD_DATA    0x60
#define KBD_STATUS  0x64

static const char keymap[128] = {
    0, 27, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=', 0x7f,
    '\t', 'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']', '\r',
    0, 'a', 's', 'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`',
    0, '\\', 'z', 'x', 'c', 'v', 'b', 'n', 'm', ',', '.', '/', 0,
    '*', 0, ' ',
};

static const char keymap_shift[128] = {
    0, 27, '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+', 0x7f,
    '\t', 'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\r',
    0, 'A', 'S', 'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~',
    0, '|', 'Z', 'X', 'C', 'V', 'B', 'N', 'M', '<', '>', '?', 0,
    '*', 0, ' ',
};

static bool shift, ctrl, extended;

static void kbd_push_escape(char final)
{
    console_input_push(0x1b);
    console_input_push('[');
    console_input_push(final);
}

static void kbd_irq(struct trap_frame *tf)
{
    uint8_t sc = inb(KBD_DATA);

    if (sc == 0xE0) {
        extended = true;
        return;
    }
    bool release = sc & 0x80;
    sc &= 0x7F;
    if (extended) {
        extended = false;
        if (release)
            return;
        switch (sc) {
        case 0x48: kbd_push_escape('A'); break;    /* up */
        case 0x50: kbd_push_escape('B'); break;    /* down */
        case 0x4D: kbd_push_escape('C'); break;    /* right */
        case 0x4B: kbd_push_escape('D'); break;    /* left */
        case 0x1C: console_input_push('\r'); break; /* keypad enter */
        case 0x1D: ctrl = !release; break;
        }
        return;
    }
    if (sc == 0x2A || sc == 0x36) {
        shift = !release;
        return;
    }
    if (sc == 0x1D) {
        ctrl = !release;
        return;
    }
    if (release)
        return;
    char c = shift ? keymap_shift[sc] : keymap[sc];
    if (!c)
        return;
    if (ctrl && c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 1);
    console_input_push(c);
}

void kbd_init(void)
{
    while (inb(KBD_STATUS) & 1)     /* drain anything pending */
        inb(KBD_DATA);
    irq_register(IRQ_KBD, kbd_irq);
    irq_unmask(IRQ_KBD);
}
