/*
 * ustar parser: see include/tar.h for the accepted format.
 *
 * Invariants:
 *  - it->pos is always a multiple of TAR_BLOCK_SIZE or equal to it->size,
 *    and never exceeds it->size;
 *  - every read of a header is preceded by a check that the whole 512-byte
 *    block lies inside the buffer, and every field is read through its fixed
 *    width (strnlen, bounded loops), so unterminated fields cannot overrun;
 *  - an entry's data range [pos + 512, pos + 512 + size) is checked against
 *    the buffer before the entry is handed out.
 * No allocation, no globals, no kernel services: host tests link this file
 * as is.
 */
#include <tar.h>
#include <string.h>
#include <uapi/errno.h>

/* Byte offsets and widths of the ustar header fields. */
#define TAR_OFF_NAME      0
#define TAR_LEN_NAME      100
#define TAR_OFF_MODE      100
#define TAR_LEN_MODE      8
#define TAR_OFF_SIZE      124
#define TAR_LEN_SIZE      12
#define TAR_OFF_MTIME     136
#define TAR_LEN_MTIME     12
#define TAR_OFF_CHKSUM    148
#define TAR_LEN_CHKSUM    8
#define TAR_OFF_TYPEFLAG  156
#define TAR_OFF_MAGIC     257
#define TAR_OFF_PREFIX    345
#define TAR_LEN_PREFIX    155

/* Record a corruption at offset off; returns -EIO for tail calls. */
static int tar_iter_fail(struct tar_iter *it, size_t off, const char *reason)
{
    it->error.offset = off;
    it->error.reason = reason;
    it->status = -EIO;
    return -EIO;
}

/* True if the block at p (TAR_BLOCK_SIZE bytes, in bounds) is all zeros. */
static bool tar_block_is_zero(const uint8_t *p)
{
    for (size_t i = 0; i < TAR_BLOCK_SIZE; i++)
        if (p[i])
            return false;
    return true;
}

/*
 * Parse the octal number in field[0..len): optional leading spaces, one or
 * more octal digits, then only NULs/spaces up to the end of the field (a
 * field filled with digits needs no terminator). Returns 0 with *out set,
 * or -EIO for anything else (empty field, stray characters, GNU base-256,
 * a value that does not fit 64 bits) with *out untouched.
 */
static int tar_octal_parse(const uint8_t *field, size_t len, uint64_t *out)
{
    size_t i = 0;
    uint64_t v = 0;

    while (i < len && field[i] == ' ')
        i++;
    size_t first_digit = i;
    for (; i < len && field[i] >= '0' && field[i] <= '7'; i++) {
        if (v > (UINT64_MAX >> 3))
            return -EIO;
        v = (v << 3) | (uint64_t)(field[i] - '0');
    }
    if (i == first_digit)
        return -EIO;
    for (; i < len; i++)
        if (field[i] != '\0' && field[i] != ' ')
            return -EIO;
    *out = v;
    return 0;
}

/*
 * Check the header checksum of block h. Both the unsigned sum (POSIX) and
 * the signed sum (old Sun/BSD tars) are accepted. Returns 0, or -EIO with
 * *reason set.
 */
static int tar_header_checksum_check(const uint8_t *h, const char **reason)
{
    uint64_t stored;
    if (tar_octal_parse(h + TAR_OFF_CHKSUM, TAR_LEN_CHKSUM, &stored) < 0) {
        *reason = "checksum field is not an octal number";
        return -EIO;
    }
    uint64_t usum = 0;
    int64_t ssum = 0;
    for (size_t i = 0; i < TAR_BLOCK_SIZE; i++) {
        /* The checksum field itself counts as eight spaces. */
        bool in_field = i >= TAR_OFF_CHKSUM && i < TAR_OFF_CHKSUM + TAR_LEN_CHKSUM;
        uint8_t b = in_field ? ' ' : h[i];
        usum += b;
        ssum += (int8_t)b;
    }
    if (stored == usum || (ssum >= 0 && stored == (uint64_t)ssum))
        return 0;
    *reason = "bad header checksum";
    return -EIO;
}

/*
 * Identify the header's magic. Returns 1 for POSIX ustar (prefix field
 * valid), 0 for old GNU tar (no prefix field), -EIO for anything else.
 */
static int tar_header_magic_kind(const uint8_t *h)
{
    const uint8_t *m = h + TAR_OFF_MAGIC;
    if (memcmp(m, "ustar\0" "00", 8) == 0)
        return 1;
    if (memcmp(m, "ustar  \0", 8) == 0)
        return 0;
    /* Some writers put "ustar\0" with a blank or missing version. */
    if (memcmp(m, "ustar\0", 6) == 0)
        return 1;
    return -EIO;
}

/*
 * Join prefix and name of header h into out (TAR_NAME_MAX bytes), using
 * only the bytes inside the two fields. Never fails: the field widths
 * bound the result to TAR_NAME_MAX - 1 characters.
 */
static void tar_header_name_join(const uint8_t *h, bool has_prefix, char *out)
{
    size_t n = 0;
    if (has_prefix) {
        size_t plen = strnlen((const char *)h + TAR_OFF_PREFIX, TAR_LEN_PREFIX);
        if (plen) {
            memcpy(out, h + TAR_OFF_PREFIX, plen);
            n = plen;
            out[n++] = '/';
        }
    }
    size_t nlen = strnlen((const char *)h + TAR_OFF_NAME, TAR_LEN_NAME);
    memcpy(out + n, h + TAR_OFF_NAME, nlen);
    out[n + nlen] = '\0';
}

/*
 * Normalize path name in place: drop empty and "." components (so leading
 * "./" and "/", doubled and trailing slashes disappear) and join the rest
 * with single slashes; "." and "/" become "" (the root). *trailing_slash
 * says whether the raw name ended in '/'. Returns 0, or -EIO with *reason
 * set if a component is "..", which could escape the archive's root.
 */
static int tar_name_normalize(char *name, bool *trailing_slash, const char **reason)
{
    size_t len = strlen(name);
    *trailing_slash = len > 0 && name[len - 1] == '/';

    size_t r = 0, w = 0;
    while (r < len) {
        while (r < len && name[r] == '/')
            r++;
        size_t start = r;
        while (r < len && name[r] != '/')
            r++;
        size_t clen = r - start;
        if (clen == 0 || (clen == 1 && name[start] == '.'))
            continue;
        if (clen == 2 && name[start] == '.' && name[start + 1] == '.') {
            *reason = "entry name has a '..' component";
            return -EIO;
        }
        if (w)
            name[w++] = '/';
        memmove(name + w, name + start, clen);  /* w <= start: safe */
        w += clen;
    }
    name[w] = '\0';
    return 0;
}

/* Map a ustar typeflag to the entry type. */
static enum tar_type tar_typeflag_classify(char flag)
{
    switch (flag) {
    case '0': case '\0': case '7': return TAR_TYPE_FILE;
    case '5':                      return TAR_TYPE_DIR;
    default:                       return TAR_TYPE_OTHER;
    }
}

/*
 * Decode the header block at h (in bounds) into *out: magic, checksum,
 * numeric fields, name and type. Does not look at the data. Returns 0, or
 * -EIO with *reason set.
 */
static int tar_header_decode(const uint8_t *h, struct tar_entry *out,
                             const char **reason)
{
    int kind = tar_header_magic_kind(h);
    if (kind < 0) {
        *reason = "bad magic (not a ustar header)";
        return -EIO;
    }
    if (tar_header_checksum_check(h, reason) < 0)
        return -EIO;

    uint64_t size, mode, mtime;
    if (tar_octal_parse(h + TAR_OFF_SIZE, TAR_LEN_SIZE, &size) < 0) {
        *reason = "size field is not an octal number";
        return -EIO;
    }
    if (tar_octal_parse(h + TAR_OFF_MODE, TAR_LEN_MODE, &mode) < 0) {
        *reason = "mode field is not an octal number";
        return -EIO;
    }
    if (tar_octal_parse(h + TAR_OFF_MTIME, TAR_LEN_MTIME, &mtime) < 0) {
        *reason = "mtime field is not an octal number";
        return -EIO;
    }
    if (h[TAR_OFF_NAME] == '\0') {
        *reason = "entry has an empty name";
        return -EIO;
    }

    bool trailing_slash;
    tar_header_name_join(h, kind == 1, out->name);
    if (tar_name_normalize(out->name, &trailing_slash, reason) < 0)
        return -EIO;

    out->typeflag = (char)h[TAR_OFF_TYPEFLAG];
    out->type = tar_typeflag_classify(out->typeflag);
    /* Pre-POSIX archives mark directories only by the trailing slash. */
    if (out->type == TAR_TYPE_FILE && out->typeflag != '7' && trailing_slash)
        out->type = TAR_TYPE_DIR;
    if (out->name[0] == '\0' && out->type != TAR_TYPE_DIR) {
        *reason = "only a directory may name the root";
        return -EIO;
    }
    if (out->type == TAR_TYPE_DIR && size != 0) {
        *reason = "directory entry with nonzero size";
        return -EIO;
    }
    out->size = (size_t)size;   /* checked against the buffer by the caller */
    if ((uint64_t)out->size != size) {
        *reason = "size field too large";
        return -EIO;
    }
    out->mode = (uint32_t)mode; /* at most 7 octal digits: fits */
    out->mtime = mtime;
    return 0;
}

/* Reset it to the start of the archive; never fails (see tar.h). */
void tar_iter_init(struct tar_iter *it, const void *base, size_t size)
{
    it->base = base;
    it->size = size;
    it->pos = 0;
    it->status = 0;
    it->error.offset = 0;
    it->error.reason = NULL;
}

/*
 * Handle a zero block at it->pos: the archive ends if it is followed by
 * another zero block or by less than a block of buffer. Returns 0 (ended),
 * or -EIO for a lone zero block followed by more headers.
 */
static int tar_iter_end_check(struct tar_iter *it)
{
    size_t next = it->pos + TAR_BLOCK_SIZE;
    if (it->size - next >= TAR_BLOCK_SIZE &&
        !tar_block_is_zero(it->base + next))
        return tar_iter_fail(it, it->pos, "lone zero block before more headers");
    it->status = 1;
    return 0;
}

/* Next entry: 1 with *out filled, 0 at the end, -EIO/-EINVAL with
 * it->error set; the end and errors are sticky (see tar.h). */
int tar_iter_next(struct tar_iter *it, struct tar_entry *out)
{
    if (it->status)
        return it->status < 0 ? it->status : 0;
    if (!it->base && it->size) {
        it->error.offset = 0;
        it->error.reason = "NULL archive buffer";
        return it->status = -EINVAL;
    }
    if (it->pos == it->size) {          /* clean end between entries */
        it->status = 1;
        return 0;
    }
    size_t avail = it->size - it->pos;
    if (avail < TAR_BLOCK_SIZE)
        return tar_iter_fail(it, it->pos, "truncated header");

    const uint8_t *h = it->base + it->pos;
    if (tar_block_is_zero(h))
        return tar_iter_end_check(it);

    const char *reason;
    if (tar_header_decode(h, out, &reason) < 0)
        return tar_iter_fail(it, it->pos, reason);

    size_t data_avail = avail - TAR_BLOCK_SIZE;
    if (out->size > data_avail)
        return tar_iter_fail(it, it->pos, "entry data extends past the end of the archive");
    out->data = h + TAR_BLOCK_SIZE;
    out->offset = it->pos;

    /* Skip the data and its padding; padding cut off by the end of the
     * buffer is tolerated (the next call then sees a clean end). */
    size_t pad = (TAR_BLOCK_SIZE - out->size % TAR_BLOCK_SIZE) % TAR_BLOCK_SIZE;
    size_t step = out->size + MIN(pad, data_avail - out->size);
    it->pos += TAR_BLOCK_SIZE + step;
    return 1;
}

/* Walk the whole archive: 0 if valid, else the iterator's error with *err
 * (if not NULL) filled in. */
int tar_validate(const void *base, size_t size, struct tar_error *err)
{
    struct tar_iter it;
    struct tar_entry e;
    int r;

    tar_iter_init(&it, base, size);
    while ((r = tar_iter_next(&it, &e)) > 0)
        ;
    if (r < 0 && err)
        *err = it.error;
    return r;
}
