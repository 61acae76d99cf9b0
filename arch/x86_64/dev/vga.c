/*
 * VGA text mode (80x25 at 0xB8000): output only, scrolling, hardware cursor.
 * Understands the few ANSI sequences the shell's line editor emits
 * (ESC [ n C, ESC [ n D, ESC [ K) so the screen matches a serial terminal.
 */
#include <console.h>
#include <string.h>
#include <arch/cpu.h>

#define VGA_COLS    80
#define VGA_ROWS    25
#define VGA_ATTR    0x07        /* light grey on black */

static volatile uint16_t *const vga = (volatile uint16_t *)0xB8000;
static int row, col;

/* ANSI escape parser state: 0 = normal, 1 = saw ESC, 2 = in ESC [ ... */
static int esc_state, esc_arg;

static void vga_cursor_update(void)
{
    uint16_t pos = (uint16_t)(row * VGA_COLS + col);
    outb(0x3D4, 0x0F);
    outb(0x3D5, pos & 0xFF);
    outb(0x3D4, 0x0E);
    outb(0x3D5, pos >> 8);
}

static void vga_scroll(void)
{
    for (int i = 0; i < (VGA_ROWS - 1) * VGA_COLS; i++)
        vga[i] = vga[i + VGA_COLS];
    for (int i = 0; i < VGA_COLS; i++)
        vga[(VGA_ROWS - 1) * VGA_COLS + i] = (VGA_ATTR << 8) | ' ';
    row = VGA_ROWS - 1;
}

static void vga_putc(char c);

static void vga_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        vga_putc(s[i]);
}

static struct console_dev vga_console = { .name = "vga", .write = vga_write };

void vga_init(void)
{
    for (int i = 0; i < VGA_ROWS * VGA_COLS; i++)
        vga[i] = (VGA_ATTR << 8) | ' ';
    row = col = 0;
    vga_cursor_update();
    console_register(&vga_console);
}

/* Consume c as part of an escape sequence; returns false if c is ordinary. */
static bool vga_escape(char c)
{
    if (esc_state == 0) {
        if (c != 0x1b)
            return false;
        esc_state = 1;
        return true;
    }
    if (esc_state == 1) {
        esc_state = c == '[' ? 2 : 0;
        esc_arg = 0;
        return true;
    }
    if (c >= '0' && c <= '9') {
        esc_arg = esc_arg * 10 + (c - '0');
        return true;
    }
    int n = esc_arg ? esc_arg : 1;
    if (c == 'C')
        col = MIN(col + n, VGA_COLS - 1);
    else if (c == 'D')
        col = MAX(col - n, 0);
    else if (c == 'K')
        for (int i = col; i < VGA_COLS; i++)
            vga[row * VGA_COLS + i] = (VGA_ATTR << 8) | ' ';
    esc_state = 0;
    vga_cursor_update();
    return true;
}

static void vga_putc(char c)
{
    if (vga_escape(c))
        return;
    switch (c) {
    case '\n':
        col = 0;
        row++;
        break;
    case '\r':
        col = 0;
        break;
    case '\b':
        if (col > 0)
            col--;
        break;
    case '\t':
        col = (col + 8) & ~7;
        break;
    default:
        if ((unsigned char)c < 0x20)
            return;     /* other control bytes (e.g. ESC sequences) are not drawn */
        vga[row * VGA_COLS + col] = (VGA_ATTR << 8) | (uint8_t)c;
        col++;
    }
    if (col >= VGA_COLS) {
        col = 0;
        row++;
    }
    if (row >= VGA_ROWS)
        vga_scroll();
    vga_cursor_update();
}
