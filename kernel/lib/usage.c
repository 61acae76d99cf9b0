/* Reading usage lines (see include/usage.h). */
#include <usage.h>
#include <stdbool.h>
#include <stddef.h>

/* Add two argument counts, either of which may be unbounded. */
static int usage_count_add(int a, int b)
{
    return a == USAGE_UNBOUNDED || b == USAGE_UNBOUNDED ? USAGE_UNBOUNDED : a + b;
}

/* The larger of two argument counts, unbounded being the largest. */
static int usage_count_max(int a, int b)
{
    return a == USAGE_UNBOUNDED || b == USAGE_UNBOUNDED ? USAGE_UNBOUNDED : a > b ? a : b;
}

/* The most words the alternatives from *p to the closing ']' (not
 * consumed) or the end allow; leaves *p there. */
static int usage_alternatives(const char **p)
{
    int best = 0, cur = 0;
    bool in_word = false;
    for (; **p && **p != ']'; (*p)++) {
        char c = **p;
        if (c == ' ') {
            in_word = false;
        } else if (c == '|') {
            best = usage_count_max(best, cur);
            cur = 0;
            in_word = false;
        } else if (c == '[') {
            (*p)++;
            cur = usage_count_add(cur, usage_alternatives(p));
            in_word = false;
            if (!**p)
                break;
        } else if (c == '.' && (*p)[1] == '.' && (*p)[2] == '.') {
            cur = USAGE_UNBOUNDED;
            (*p) += 2;
        } else if (!in_word) {
            in_word = true;
            cur = usage_count_add(cur, 1);
        }
    }
    return usage_count_max(best, cur);
}

int usage_max_args(const char *usage)
{
    while (*usage == ' ')
        usage++;
    while (*usage && *usage != ' ')     /* the command's name */
        usage++;
    return usage_alternatives(&usage);
}
