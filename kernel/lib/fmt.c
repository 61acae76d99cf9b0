/*
 * printf-style formatting. Pure code: no device, no allocation, host-tested
 * (tests/host/test_fmt.c) against the C library's snprintf.
 */
#include <fmt.h>
#include <errstr.h>
#include <stdint.h>
#include <stdbool.h>

enum {
    F_LEFT  = 1 << 0,   /* '-' */
    F_ZERO  = 1 << 1,   /* '0' */
    F_PLUS  = 1 << 2,   /* '+' */
    F_SPACE = 1 << 3,   /* ' ' */
    F_ALT   = 1 << 4,   /* '#' */
};

struct spec {
    unsigned flags;
    int width;
    int prec;           /* -1: none */
};

static int emit_repeat(fmt_out_fn out, void *ctx, char c, int n)
{
    for (int i = 0; i < n; i++)
        out(c, ctx);
    return n > 0 ? n : 0;
}

/* Emit prefix + digits with the padding rules of C's printf. */
static int emit_number(fmt_out_fn out, void *ctx, const struct spec *s,
                       const char *prefix, const char *digits, int ndigits)
{
    int plen = 0;
    while (prefix[plen])
        plen++;
    int zeros = s->prec > ndigits ? s->prec - ndigits : 0;
    int body = plen + zeros + ndigits;
    int pad = s->width > body ? s->width - body : 0;
    int n = 0;
    bool zero_pad = (s->flags & F_ZERO) && !(s->flags & F_LEFT) && s->prec < 0;

    if (zero_pad) {
        zeros += pad;
        pad = 0;
    }
    if (!(s->flags & F_LEFT))
        n += emit_repeat(out, ctx, ' ', pad);
    for (int i = 0; i < plen; i++, n++)
        out(prefix[i], ctx);
    n += emit_repeat(out, ctx, '0', zeros);
    for (int i = 0; i < ndigits; i++, n++)
        out(digits[i], ctx);
    if (s->flags & F_LEFT)
        n += emit_repeat(out, ctx, ' ', pad);
    return n;
}

static int format_unsigned(fmt_out_fn out, void *ctx, const struct spec *s,
                           uint64_t v, unsigned base, bool upper, const char *sign)
{
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;
    char prefix[4] = { 0 };
    int p = 0;

    for (uint64_t x = v; x; x /= base)
        tmp[n++] = set[x % base];
    if (v == 0 && s->prec != 0)
        tmp[n++] = '0';
    /* Digits were produced least significant first. */
    for (int i = 0; i < n / 2; i++) {
        char t = tmp[i];
        tmp[i] = tmp[n - 1 - i];
        tmp[n - 1 - i] = t;
    }
    while (*sign)
        prefix[p++] = *sign++;
    if (s->flags & F_ALT) {
        if (base == 16 && v) {
            prefix[p++] = '0';
            prefix[p++] = upper ? 'X' : 'x';
        } else if (base == 8 && (n == 0 || tmp[0] != '0') && s->prec <= n) {
            /* '#' with octal: force a leading 0 digit (as if by precision,
             * but without disabling the '0' flag's padding). */
            for (int i = n; i > 0; i--)
                tmp[i] = tmp[i - 1];
            tmp[0] = '0';
            n++;
        }
    }
    return emit_number(out, ctx, s, prefix, tmp, n);
}

static int format_string(fmt_out_fn out, void *ctx, const struct spec *s, const char *str)
{
    if (!str)
        str = "(null)";
    int len = 0;
    while (str[len] && (s->prec < 0 || len < s->prec))
        len++;
    int pad = s->width > len ? s->width - len : 0;
    int n = 0;
    if (!(s->flags & F_LEFT))
        n += emit_repeat(out, ctx, ' ', pad);
    for (int i = 0; i < len; i++, n++)
        out(str[i], ctx);
    if (s->flags & F_LEFT)
        n += emit_repeat(out, ctx, ' ', pad);
    return n;
}

enum length { L_INT, L_CHAR, L_SHORT, L_LONG, L_LLONG, L_SIZE, L_PTRDIFF, L_MAX };

static uint64_t fetch_unsigned(va_list *ap, enum length len)
{
    switch (len) {
    case L_CHAR:  return (unsigned char)va_arg(*ap, unsigned int);
    case L_SHORT: return (unsigned short)va_arg(*ap, unsigned int);
    case L_LONG:  return va_arg(*ap, unsigned long);
    case L_LLONG: return va_arg(*ap, unsigned long long);
    case L_SIZE:  return va_arg(*ap, size_t);
    case L_PTRDIFF: return (uint64_t)va_arg(*ap, ptrdiff_t);
    case L_MAX:   return va_arg(*ap, uintmax_t);
    default:      return va_arg(*ap, unsigned int);
    }
}

static int64_t fetch_signed(va_list *ap, enum length len)
{
    switch (len) {
    case L_CHAR:  return (signed char)va_arg(*ap, int);
    case L_SHORT: return (short)va_arg(*ap, int);
    case L_LONG:  return va_arg(*ap, long);
    case L_LLONG: return va_arg(*ap, long long);
    case L_SIZE:  return (int64_t)va_arg(*ap, size_t);
    case L_PTRDIFF: return va_arg(*ap, ptrdiff_t);
    case L_MAX:   return va_arg(*ap, intmax_t);
    default:      return va_arg(*ap, int);
    }
}

static int parse_int(const char **p)
{
    int v = 0;
    while (**p >= '0' && **p <= '9') {
        if (v < 100000)
            v = v * 10 + (**p - '0');
        (*p)++;
    }
    return v;
}

int fmt_vformat(fmt_out_fn out, void *ctx, const char *fmt, va_list ap_in)
{
    va_list ap;
    int n = 0;

    va_copy(ap, ap_in);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            out(*p, ctx);
            n++;
            continue;
        }
        p++;
        struct spec s = { .flags = 0, .width = 0, .prec = -1 };
        for (;; p++) {
            if (*p == '-') s.flags |= F_LEFT;
            else if (*p == '0') s.flags |= F_ZERO;
            else if (*p == '+') s.flags |= F_PLUS;
            else if (*p == ' ') s.flags |= F_SPACE;
            else if (*p == '#') s.flags |= F_ALT;
            else break;
        }
        if (*p == '*') {
            s.width = va_arg(ap, int);
            if (s.width < 0) {
                s.flags |= F_LEFT;
                s.width = -s.width;
            }
            p++;
        } else {
            s.width = parse_int(&p);
        }
        if (*p == '.') {
            p++;
            if (*p == '*') {
                s.prec = va_arg(ap, int);
                if (s.prec < 0)
                    s.prec = -1;
                p++;
            } else {
                s.prec = parse_int(&p);
            }
        }
        enum length len = L_INT;
        if (*p == 'h') {
            len = L_SHORT;
            if (*++p == 'h') { len = L_CHAR; p++; }
        } else if (*p == 'l') {
            len = L_LONG;
            if (*++p == 'l') { len = L_LLONG; p++; }
        } else if (*p == 'z') { len = L_SIZE; p++; }
        else if (*p == 't') { len = L_PTRDIFF; p++; }
        else if (*p == 'j') { len = L_MAX; p++; }

        switch (*p) {
        case 'd':
        case 'i': {
            int64_t v = fetch_signed(&ap, len);
            const char *sign = v < 0 ? "-" : (s.flags & F_PLUS) ? "+" : (s.flags & F_SPACE) ? " " : "";
            uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            n += format_unsigned(out, ctx, &s, mag, 10, false, sign);
            break;
        }
        case 'u': n += format_unsigned(out, ctx, &s, fetch_unsigned(&ap, len), 10, false, ""); break;
        case 'x': n += format_unsigned(out, ctx, &s, fetch_unsigned(&ap, len), 16, false, ""); break;
        case 'X': n += format_unsigned(out, ctx, &s, fetch_unsigned(&ap, len), 16, true, ""); break;
        case 'o': n += format_unsigned(out, ctx, &s, fetch_unsigned(&ap, len), 8, false, ""); break;
        case 'p': {
            struct spec ps = { .flags = 0, .width = 0, .prec = 16 };
            n += format_unsigned(out, ctx, &ps, (uintptr_t)va_arg(ap, void *), 16, false, "0x");
            break;
        }
        case 's': n += format_string(out, ctx, &s, va_arg(ap, const char *)); break;
        case 'e': {
            /* JOS's error conversion: an int error code (negative or not)
             * as its description. Not C's %e: there are no floats here,
             * and the format checker rejects it, so only code compiled
             * without __printf checking (the JOS personality) uses it. */
            n += format_string(out, ctx, &s, errstr(va_arg(ap, int)));
            break;
        }
        case 'c': {
            char c[2] = { (char)va_arg(ap, int), 0 };
            struct spec cs = s;
            cs.prec = 1;
            if (c[0] == 0) {    /* a NUL character still counts as one */
                int pad = s.width > 1 ? s.width - 1 : 0;
                if (!(s.flags & F_LEFT)) n += emit_repeat(out, ctx, ' ', pad);
                out(0, ctx);
                n++;
                if (s.flags & F_LEFT) n += emit_repeat(out, ctx, ' ', pad);
            } else {
                n += format_string(out, ctx, &cs, c);
            }
            break;
        }
        case '%': out('%', ctx); n++; break;
        case '\0': p--; break;  /* lone '%' at the end: ignore */
        default:                /* unknown conversion: print it verbatim */
            out('%', ctx);
            out(*p, ctx);
            n += 2;
            break;
        }
    }
    va_end(ap);
    return n;
}

struct buf_ctx {
    char *buf;
    size_t size;
    size_t pos;
};

static void buf_out(char c, void *ctx)
{
    struct buf_ctx *b = ctx;
    if (b->pos + 1 < b->size)
        b->buf[b->pos] = c;
    b->pos++;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct buf_ctx b = { buf, size, 0 };
    int n = fmt_vformat(buf_out, &b, fmt, ap);
    if (size > 0)
        buf[b.pos < size ? b.pos : size - 1] = '\0';
    return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
