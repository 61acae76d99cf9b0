/* Host tests of the line editor (kernel/lib/lineedit.c), used by the root
 * shell, the console's cooked mode and the user shell's readline.
 *
 * The editor's output is played on a model terminal (one row: printable
 * bytes, CSI n D, CSI C, CSI K, "\n"), and after every byte the row must
 * show the edited line with the cursor where the editor says it is: what
 * the user sees is what Enter will run. */
/* host-test-sources: kernel/lib/lineedit.c */
#include "check.h"
#include <lineedit.h>
#include <string.h>

#define COLS 1024

/* The model terminal: the row being edited, and the lines it finished. */
struct term {
    char row[COLS + 1];
    size_t col;
    int newlines;
    bool bad;               /* a sequence the editor should never send */
    char esc[16];           /* an escape sequence being received */
    size_t esc_len;
};

static void term_clear(struct term *t)
{
    memset(t->row, ' ', COLS);
    t->row[COLS] = '\0';
    t->col = 0;
}

static void term_escape(struct term *t)
{
    size_t n = 0, i = 2;
    for (; i < t->esc_len - 1; i++)
        n = n * 10 + (size_t)(t->esc[i] - '0');
    char final = t->esc[t->esc_len - 1];
    if (final == 'D' && t->esc_len > 3 && n <= t->col)
        t->col -= n;
    else if (final == 'C' && t->esc_len == 3 && t->col < COLS)
        t->col++;
    else if (final == 'K' && t->esc_len == 3)
        memset(t->row + t->col, ' ', COLS - t->col);
    else
        t->bad = true;
}

static void term_out(void *ctx, const char *s, size_t n)
{
    struct term *t = ctx;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (t->esc_len) {
            if (t->esc_len >= sizeof(t->esc)) {
                t->bad = true;
                t->esc_len = 0;
                continue;
            }
            t->esc[t->esc_len++] = c;
            if (t->esc_len == 2 && c != '[')
                t->bad = true;
            if (t->esc_len > 2 && !(c >= '0' && c <= '9')) {
                term_escape(t);
                t->esc_len = 0;
            }
        } else if (c == 0x1b) {
            t->esc[0] = c;
            t->esc_len = 1;
        } else if (c == '\n') {
            t->newlines++;
            term_clear(t);
        } else if (c >= 0x20 && c < 0x7f && t->col < COLS) {
            t->row[t->col++] = c;
        } else {
            t->bad = true;
        }
    }
}

/* s with its blanks at the end cut (a static copy). */
static const char *rstrip(const char *s, size_t n)
{
    static char line[2][COLS + 1];
    static int which;
    char *l = line[which ^= 1];
    memcpy(l, s, n);
    while (n && l[n - 1] == ' ')
        n--;
    l[n] = '\0';
    return l;
}

/* The row, blanks at the end cut. */
static const char *term_line(struct term *t)
{
    return rstrip(t->row, COLS);
}

struct fixture {
    struct term t;
    struct lineedit ed;
    struct lineedit_history h;
};

static void fixture_init(struct fixture *f, bool history)
{
    memset(f, 0, sizeof(*f));
    term_clear(&f->t);
    lineedit_init(&f->ed, history ? &f->h : NULL, term_out, &f->t);
}

/* Feed every byte of s; the status after the last one. */
static enum lineedit_status feed(struct fixture *f, const char *s)
{
    enum lineedit_status st = LINEEDIT_MORE;
    for (; *s; s++)
        st = lineedit_feed(&f->ed, *s);
    return st;
}

/* Type s and Enter; the line it gave (empty if not DONE). */
static const char *enter(struct fixture *f, const char *s)
{
    static char line[LINEEDIT_LINE_MAX];
    enum lineedit_status st = feed(f, s);
    if (st == LINEEDIT_MORE)
        st = lineedit_feed(&f->ed, '\r');
    CHECK_EQ_INT(st, LINEEDIT_DONE);
    memcpy(line, f->ed.buf, sizeof(line));
    if (f->ed.hist)
        lineedit_history_add(f->ed.hist, line);
    lineedit_start(&f->ed);
    return line;
}

#define LEFT    "\x1b[D"
#define RIGHT   "\x1b[C"
#define UP      "\x1b[A"
#define DOWN    "\x1b[B"

TEST(typing_and_enter)
{
    struct fixture f;
    fixture_init(&f, false);
    CHECK_EQ_INT(feed(&f, "echo hi"), LINEEDIT_MORE);
    CHECK_EQ_STR(term_line(&f.t), "echo hi");
    CHECK_EQ_INT(f.ed.cursor, 7);
    CHECK_EQ_STR(enter(&f, ""), "echo hi");
    CHECK_EQ_INT(f.t.newlines, 1);
    /* CR, LF and CRLF each end one line; the LF of a CRLF is skipped. */
    CHECK_EQ_INT(feed(&f, "a\r"), LINEEDIT_DONE);
    lineedit_start(&f.ed);
    CHECK_EQ_INT(lineedit_feed(&f.ed, '\n'), LINEEDIT_MORE);
    CHECK_EQ_INT(feed(&f, "b\n"), LINEEDIT_DONE);
    CHECK_EQ_STR(f.ed.buf, "b");
    lineedit_start(&f.ed);
    CHECK_EQ_INT(lineedit_feed(&f.ed, '\n'), LINEEDIT_DONE);   /* a second LF is a line */
    CHECK(!f.t.bad);
}

TEST(editing_in_the_middle)
{
    struct fixture f;
    fixture_init(&f, false);
    /* The root shell's test: "hxlp", left twice, backspace, "e". */
    CHECK_EQ_STR(enter(&f, "hxlp" LEFT LEFT "\x7f" "e"), "help");
    /* Insert in the middle, then Delete (ESC [ 3 ~) and Ctrl-D under the cursor. */
    CHECK_EQ_STR(enter(&f, "ecoX" LEFT LEFT "h" "\x1b[3~"), "echX");
    CHECK_EQ_STR(enter(&f, "abc" "\x01" "\x04"), "bc");
    /* Home/End in all their spellings. */
    const char *homes[] = { "\x1b[H", "\x1bOH", "\x1b[1~", "\x1b[7~", "\x01" };
    const char *ends[] = { "\x1b[F", "\x1bOF", "\x1b[4~", "\x1b[8~", "\x05" };
    for (int i = 0; i < 5; i++) {
        feed(&f, "mid");
        feed(&f, homes[i]);
        CHECK_EQ_INT(f.ed.cursor, 0);
        feed(&f, "<");
        feed(&f, ends[i]);
        CHECK_EQ_INT(f.ed.cursor, 4);
        CHECK_EQ_STR(term_line(&f.t), "<mid");
        CHECK_EQ_STR(enter(&f, ">"), "<mid>");
    }
    /* Moving past either end does nothing. */
    CHECK_EQ_STR(enter(&f, "ab" RIGHT RIGHT LEFT LEFT LEFT LEFT "\x7f" "x"), "xab");
    CHECK(!f.t.bad);
}

TEST(kill_keys)
{
    struct fixture f;
    fixture_init(&f, false);
    /* Ctrl-U deletes before the cursor, Ctrl-K from it. */
    CHECK_EQ_STR(enter(&f, "one two" LEFT LEFT LEFT "\x15"), "two");
    CHECK_EQ_STR(enter(&f, "one two" LEFT LEFT LEFT LEFT "\x0b"), "one");
    CHECK_EQ_STR(enter(&f, "junk\x15" "ls"), "ls");
    CHECK_EQ_STR(term_line(&f.t), "");
    CHECK(!f.t.bad);
}

TEST(ctrl_c_and_ctrl_d)
{
    struct fixture f;
    fixture_init(&f, false);
    CHECK_EQ_INT(feed(&f, "abandon\x03"), LINEEDIT_CANCEL);
    CHECK_EQ_INT(f.ed.len, 0);
    CHECK_EQ_INT(f.t.newlines, 1);
    CHECK_EQ_INT(lineedit_feed(&f.ed, 0x04), LINEEDIT_EOF);    /* empty line */
    CHECK_EQ_INT(feed(&f, "x" LEFT "\x04"), LINEEDIT_MORE);     /* deletes the x */
    CHECK_EQ_INT(f.ed.len, 0);
    CHECK_EQ_INT(lineedit_feed(&f.ed, 0x04), LINEEDIT_EOF);
    /* Ctrl-C and Enter end an escape sequence and count as themselves. */
    CHECK_EQ_INT(feed(&f, "ab\x1b[12\x03"), LINEEDIT_CANCEL);
    CHECK_EQ_INT(feed(&f, "cd\x1b\r"), LINEEDIT_DONE);
    CHECK_EQ_STR(f.ed.buf, "cd");
    CHECK(!f.t.bad);
}

TEST(unknown_input_ignored)
{
    struct fixture f;
    fixture_init(&f, false);
    /* The root shell's test: Ctrl-A, Ctrl-B, ESC [ Z in the middle. */
    CHECK_EQ_STR(enter(&f, "\x01\x02he\x1b[Zlp"), "help");
    CHECK_EQ_STR(enter(&f, "a\x1b[99999999999999999999~b\x1bxc\x1b[?25;1hd\x07\t\x80\xff" "e"), "abcde");
    CHECK_EQ_STR(enter(&f, "f\x1b\x1b[Dg"), "gf");     /* ESC ESC [ D: the second sequence counts */
    CHECK_EQ_STR(enter(&f, "h\x1b[3;5~" "i" LEFT "\x1b[3~"), "h");
    CHECK(!f.t.bad);
}

TEST(too_long)
{
    struct fixture f;
    fixture_init(&f, false);
    for (int i = 0; i < 300; i++)
        lineedit_feed(&f.ed, 'x');
    CHECK_EQ_INT(f.ed.len, LINEEDIT_LINE_MAX - 1);
    CHECK_EQ_INT(lineedit_feed(&f.ed, '\r'), LINEEDIT_TOO_LONG);
    lineedit_start(&f.ed);
    /* Emptied in between: not too long any more. */
    for (int i = 0; i < 300; i++)
        lineedit_feed(&f.ed, 'y');
    feed(&f, "\x15" "ok");
    CHECK_EQ_INT(lineedit_feed(&f.ed, '\r'), LINEEDIT_DONE);
    CHECK_EQ_STR(f.ed.buf, "ok");
    CHECK(!f.t.bad);
}

TEST(history)
{
    struct fixture f;
    fixture_init(&f, true);
    CHECK_EQ_STR(enter(&f, "first"), "first");
    CHECK_EQ_STR(enter(&f, "second"), "second");
    CHECK_EQ_STR(enter(&f, "second"), "second");       /* not added twice */
    CHECK_EQ_STR(enter(&f, ""), "");                   /* not added */
    CHECK_EQ_INT(f.h.count, 2);
    CHECK_EQ_STR(enter(&f, UP), "second");
    CHECK_EQ_STR(enter(&f, UP UP), "first");
    CHECK_EQ_STR(enter(&f, UP UP UP UP UP), "first");  /* stops at the oldest */
    CHECK_EQ_INT(f.h.count, 3);                        /* first second first */
    /* The line being edited comes back below the newest. */
    feed(&f, "draft" UP UP);
    CHECK_EQ_STR(term_line(&f.t), "second");
    feed(&f, DOWN);
    CHECK_EQ_STR(term_line(&f.t), "first");
    CHECK_EQ_STR(enter(&f, DOWN DOWN), "draft");
    /* A recalled line can be edited. */
    CHECK_EQ_STR(enter(&f, UP "\x01" "x"), "xdraft");
    /* Only the last LINEEDIT_HISTORY lines are kept. */
    char line[8];
    for (int i = 0; i < 40; i++) {
        line[0] = 'l';
        line[1] = (char)('0' + i / 10);
        line[2] = (char)('0' + i % 10);
        line[3] = '\0';
        enter(&f, line);
    }
    feed(&f, UP);
    CHECK_EQ_STR(f.ed.buf, "l39");
    for (int i = 0; i < 30; i++)
        feed(&f, UP);
    CHECK_EQ_STR(f.ed.buf, "l24");
    CHECK_EQ_STR(term_line(&f.t), "l24");
    CHECK(!f.t.bad);
}

/* Random keys, with the model terminal checked after every byte. */
TEST(random_keys_keep_screen_and_line_equal)
{
    static const char *keys[] = {
        "a", "b", " ", "z", "~", LEFT, RIGHT, UP, DOWN, "\x1b[H", "\x1b[F", "\x1bOH", "\x1bOF",
        "\x1b[1~", "\x1b[4~", "\x1b[3~", "\x7f", "\b", "\x01", "\x05", "\x15", "\x0b", "\x04",
        "\x1b", "\x1b[", "\x1b[5", ";", "\x07", "\x80", "\r", "\n", "\x03",
    };
    struct fixture f;
    fixture_init(&f, true);
    unsigned long long seed = 12345;
    int lines = 0, mismatches = 0;
    for (int i = 0; i < 200000; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        const char *k = keys[(seed >> 33) % (sizeof(keys) / sizeof(keys[0]))];
        if ((seed >> 20) % 7 == 0 && f.ed.len > 200)
            k = "\x15";     /* keep lines shorter than the model's row */
        enum lineedit_status st = feed(&f, k);
        if (st == LINEEDIT_DONE || st == LINEEDIT_TOO_LONG) {
            lineedit_history_add(&f.h, f.ed.buf);
            lineedit_start(&f.ed);
            lines++;
        } else if (st == LINEEDIT_CANCEL || st == LINEEDIT_EOF) {
            lineedit_start(&f.ed);
        }
        if (f.ed.esc != LINEEDIT_ESC_NONE)
            continue;   /* the screen changes when the sequence ends */
        const char *want = rstrip(f.ed.buf, f.ed.len);
        if (strcmp(term_line(&f.t), want) != 0 || f.t.col != f.ed.cursor ||
            f.ed.cursor > f.ed.len || f.ed.len >= LINEEDIT_LINE_MAX ||
            strlen(f.ed.buf) != f.ed.len) {
            if (mismatches++ < 5)
                CHECK_EQ_STR(term_line(&f.t), want);
        }
    }
    CHECK_EQ_INT(mismatches, 0);
    CHECK(lines > 1000);
    CHECK(!f.t.bad);
}

int main(void)
{
    return check_run_all();
}
