# User programs: every user/bin/*.c becomes /bin/<name> in the initrd
# (the top Makefile also puts init at /init and sh at /sh).
#
# Programs are static, non-PIE ELF64 executables linked at USER_LOAD_MIN
# (0xffff800000400000, user/user.ld) with three page-aligned PT_LOAD
# segments: text (R X), rodata (R), data+bss (RW).
#
# Code model: the load address is in the high half, outside the +-2 GiB
# that -mcmodel=small/-mcmodel=kernel allow for absolute (sign-extended
# 32-bit) addresses. We compile with -fpie, which makes every code and data
# reference RIP-relative (any address works as long as one program spans
# less than 2 GiB), and link with -no-pie, which gives a fixed-address
# ET_EXEC with no dynamic relocations (ld relaxes the GOT loads into LEAs).
# -mcmodel=large would also work but turns every call into movabs+call *%rax.
#
# The library (build/user/libstrata.a) is user/lib/*.c plus the pure
# kernel files compiled again with the user flags: kernel/lib/fmt.c (printf
# formatting), string.c, errstr.c, argv.c, signame.c (signal names),
# trace_format.c (strace's lines) and lineedit.c (readline's editor).
#
#   make build/user/bin/hello     one program
#   make user                     all of them (USER_BINS)

USER_OUT     := $(BUILD)/user
USER_CFLAGS  := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
                -ffreestanding -fno-builtin -nostdlib -fpie \
                -fno-stack-protector -mgeneral-regs-only \
                -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
                -fno-strict-aliasing -fcf-protection=none \
                -include user/include/visibility.h -Iuser/include -Iinclude -MMD -MP
USER_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 \
                -z noexecstack --build-id=none --orphan-handling=error \
                -T user/user.ld

USER_LIB_SRC := $(sort $(wildcard user/lib/*.c)) kernel/lib/fmt.c kernel/lib/string.c kernel/lib/errstr.c kernel/lib/argv.c kernel/lib/trace_format.c \
                kernel/lib/signame.c kernel/lib/lineedit.c
USER_LIB_OBJ := $(patsubst %.c,$(USER_OUT)/obj/%.o,$(filter-out user/lib/crt0.c,$(USER_LIB_SRC)))
USER_CRT0    := $(USER_OUT)/obj/user/lib/crt0.o
USER_LIB     := $(USER_OUT)/libstrata.a
USER_SRC     := $(sort $(wildcard user/bin/*.c))
USER_BINS    := $(patsubst user/bin/%.c,$(USER_OUT)/bin/%,$(USER_SRC))

# The JOS personality: every user/jos/NAME.c is a JOS program built against
# <jos.h> and user/libjos (plus the same pure kernel files) into /jos/NAME.
JOS_LIB_SRC  := $(sort $(wildcard user/libjos/*.c)) kernel/lib/fmt.c kernel/lib/string.c kernel/lib/errstr.c
JOS_LIB_OBJ  := $(patsubst %.c,$(USER_OUT)/obj/%.o,$(filter-out user/libjos/entry.c,$(JOS_LIB_SRC)))
JOS_CRT0     := $(USER_OUT)/obj/user/libjos/entry.o
JOS_LIB      := $(USER_OUT)/libjos.a
JOS_SRC      := $(sort $(wildcard user/jos/*.c))
JOS_BINS     := $(patsubst user/jos/%.c,$(USER_OUT)/jos/%,$(JOS_SRC))

.PHONY: user
user: $(USER_BINS) $(JOS_BINS)

$(USER_OUT)/obj/%.o: %.c user/user.mk | check-tools
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -c $< -o $@

$(USER_LIB): $(USER_LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(USER_OUT)/bin/%: $(USER_OUT)/obj/user/bin/%.o $(USER_CRT0) $(USER_LIB) user/user.ld
	@mkdir -p $(dir $@)
	$(LD) $(USER_LDFLAGS) $(USER_CRT0) $< $(USER_LIB) -o $@.tmp
	@tools/check-segments $@.tmp
	@mv $@.tmp $@

$(JOS_LIB): $(JOS_LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(USER_OUT)/jos/%: $(USER_OUT)/obj/user/jos/%.o $(JOS_CRT0) $(JOS_LIB) user/user.ld
	@mkdir -p $(dir $@)
	$(LD) $(USER_LDFLAGS) $(JOS_CRT0) $< $(JOS_LIB) -o $@.tmp
	@tools/check-segments $@.tmp
	@mv $@.tmp $@

# Keep the objects (they are intermediate files of a pattern chain).
.SECONDARY: $(USER_CRT0) $(JOS_CRT0) $(patsubst user/bin/%.c,$(USER_OUT)/obj/user/bin/%.o,$(USER_SRC)) \
            $(patsubst user/jos/%.c,$(USER_OUT)/obj/user/jos/%.o,$(JOS_SRC))

-include $(shell find $(USER_OUT)/obj -name '*.d' 2>/dev/null)
