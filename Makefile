# Strata build. `make` builds the kernel, the initrd and the ISOs;
# `make test` runs every test; `make bench` prints the benchmark figures;
# `make fuzz` runs the long fuzzing campaign; `make bench-linux` prints the
# benchmark figures beside Linux's; `make gdb` attaches GDB to a kernel
# started with `./run --gdb`.
#
# Variables (on the command line, e.g. `make DEBUG=1`):
#   DEBUG=1       a debugging build in build/debug/: -Og -g3 (values are
#                 not optimized out in GDB); the default is -O2 -g in build/
#   CMDLINE=...   the kernel command line of strata.iso (e.g. 'loglevel=3');
#                 the ISO is rebuilt whenever it (or GRUB_MENU) changes
#   GRUB_MENU=1   strata.iso shows GRUB's menu on the serial console (10 s)
#   GDBARGS=...   extra GDB arguments for `make gdb`, applied before the
#                 kernel runs (e.g. GDBARGS='-ex "break trap_dispatch"')
#
# Layout of build/ (build/debug/ for DEBUG=1):
#   kernel.elf          the kernel (Multiboot2, x86-64, symbols included)
#   initrd.tar          the ustar initrd (GRUB module "initrd")
#   strata.iso          boots to the root shell
#   strata-test.iso     same, with "panic=exit" on the kernel command line
#   boot-settings       CMDLINE and GRUB_MENU of strata.iso (a stamp)
#   host/               host unit tests (ASan/UBSan), always in build/
#   test-logs/          serial logs of failing boots

DEBUG    ?= 0
ifeq ($(DEBUG),1)
BUILD    := build/debug
KOPT     := -Og -g3
else
BUILD    := build
KOPT     := -O2 -g
endif
HOST_BUILD := build
CMDLINE   ?=
GRUB_MENU ?= 0
GDBARGS   ?=
export CMDLINE GRUB_MENU DEBUG
ARCH     := x86_64
CC       := gcc
LD       := ld
NASM     := nasm
PYTHON   := python3

# Every tool the build needs, with the Debian package that provides it.
REQUIRED_TOOLS := gcc:gcc ld:binutils nasm:nasm grub-mkrescue:grub-common \
                  xorriso:xorriso mformat:mtools python3:python3 \
                  qemu-system-x86_64:qemu-system-x86
# grub-mkrescue also needs the BIOS GRUB modules.
GRUB_PC_DIR := /usr/lib/grub/i386-pc

KERNEL_DIRS := arch kernel aspace mm
KERNEL_C    := $(shell find $(KERNEL_DIRS) -name '*.c' 2>/dev/null | sort)
KERNEL_ASM  := $(shell find $(KERNEL_DIRS) -name '*.asm' 2>/dev/null | sort)
# nasm -MD lists no %include'd file: every .asm depends on every .inc.
KERNEL_INC  := $(shell find $(KERNEL_DIRS) -name '*.inc' 2>/dev/null | sort)
KERNEL_OBJ  := $(patsubst %.c,$(BUILD)/obj/%.o,$(KERNEL_C)) \
               $(patsubst %.asm,$(BUILD)/obj/%.asm.o,$(KERNEL_ASM))

KCFLAGS := -std=gnu11 $(KOPT) -Wall -Wextra -Werror -Wno-unused-parameter \
           -ffreestanding -fno-builtin -fno-stack-protector -fno-pic -fno-pie \
           -mno-red-zone -mgeneral-regs-only -mcmodel=small \
           -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
           -fno-strict-aliasing -Iinclude -MMD -MP
KLDFLAGS := -nostdlib -no-pie -z noexecstack -z max-page-size=0x1000 \
            --no-warn-rwx-segments -T arch/$(ARCH)/linker.ld

.PHONY: all clean test bench bench-linux fuzz host-tests check-tools check-layers run gdb setup FORCE
all: $(BUILD)/strata.iso $(BUILD)/strata-test.iso

check-tools:
	@missing=""; for t in $(REQUIRED_TOOLS); do \
	    command -v $${t%%:*} >/dev/null 2>&1 || missing="$$missing $${t##*:}"; done; \
	[ -d $(GRUB_PC_DIR) ] || missing="$$missing grub-pc-bin"; \
	if [ -n "$$missing" ]; then \
	    echo "error: missing build tools. Install them with:"; \
	    echo "    sudo apt-get install -y$$missing"; exit 1; fi

$(BUILD)/obj/%.o: %.c | check-tools
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/obj/%.asm.o: %.asm $(KERNEL_INC) | check-tools
	@mkdir -p $(dir $@)
	$(NASM) -f elf64 -g -F dwarf -MD $(@:.o=.d) -MP $< -o $@

# Two-pass link: the first pass has an empty symbol table; its symbols are
# written into .ksyms (the last section) and the second pass links them in.
# Nothing else moves, which the cmp below checks.
$(BUILD)/kernel.elf: $(KERNEL_OBJ) arch/$(ARCH)/linker.ld tools/gen-ksyms.py
	@mkdir -p $(BUILD)
	$(PYTHON) tools/gen-ksyms.py /dev/null > $(BUILD)/ksyms0.S
	$(CC) -c $(BUILD)/ksyms0.S -o $(BUILD)/ksyms0.o
	$(LD) $(KLDFLAGS) $(KERNEL_OBJ) $(BUILD)/ksyms0.o -o $(BUILD)/kernel0.elf
	nm -n --defined-only $(BUILD)/kernel0.elf > $(BUILD)/kernel0.nm
	$(PYTHON) tools/gen-ksyms.py $(BUILD)/kernel0.nm > $(BUILD)/ksyms.S
	$(CC) -c $(BUILD)/ksyms.S -o $(BUILD)/ksyms.o
	$(LD) $(KLDFLAGS) $(KERNEL_OBJ) $(BUILD)/ksyms.o -o $@.tmp
	@nm -n --defined-only $@.tmp | grep -vE ' (_kernel_end|ksyms_.*)$$' > $(BUILD)/kernel.nm
	@grep -vE ' (_kernel_end|ksyms_.*)$$' $(BUILD)/kernel0.nm | cmp -s - $(BUILD)/kernel.nm || \
	    { echo "error: symbols moved between link passes"; exit 1; }
	@tools/check-segments $@.tmp
	mv $@.tmp $@

# ---- user programs and initrd -------------------------------------------
include user/user.mk

# /bad holds malformed ELF files (tools/gen-bad-elf.py) for `fuzz -e /bad`.
INITRD_FILES := $(shell find initrd -type f 2>/dev/null | sort)
$(BUILD)/initrd.tar: $(INITRD_FILES) $(USER_BINS) $(JOS_BINS) tools/gen-bad-elf.py | check-tools
	@rm -rf $(BUILD)/initrd-root && mkdir -p $(BUILD)/initrd-root/bin $(BUILD)/initrd-root/jos \
	    $(BUILD)/initrd-root/tmp
	cp -r initrd/. $(BUILD)/initrd-root/
	$(PYTHON) tools/gen-bad-elf.py $(BUILD)/initrd-root/bad
	$(if $(USER_BINS),cp $(USER_BINS) $(BUILD)/initrd-root/bin/)
	$(if $(JOS_BINS),cp $(JOS_BINS) $(BUILD)/initrd-root/jos/)
	@for b in $(USER_BINS); do n=$$(basename $$b); case $$n in init) mv $(BUILD)/initrd-root/bin/init $(BUILD)/initrd-root/init;; sh) cp $(BUILD)/initrd-root/bin/sh $(BUILD)/initrd-root/sh;; esac; done
	tar --format=ustar --owner=0 --group=0 --numeric-owner --sort=name \
	    --mtime=@0 -cf $@ -C $(BUILD)/initrd-root .

# ---- ISOs -----------------------------------------------------------------
# make_iso(name, command line, timeout, terminals)
define make_iso
	@rm -rf $(BUILD)/iso-$(1) && mkdir -p $(BUILD)/iso-$(1)/boot/grub
	cp $(BUILD)/kernel.elf $(BUILD)/initrd.tar $(BUILD)/iso-$(1)/boot/
	sed -e 's|@CMDLINE@|$(2)|' -e 's|@TIMEOUT@|$(3)|' -e 's|@TERMINAL@|$(4)|' \
	    tools/grub.cfg.in > $(BUILD)/iso-$(1)/boot/grub/grub.cfg
	@grub-mkrescue -o $@ $(BUILD)/iso-$(1) > $(BUILD)/grub-mkrescue-$(1).log 2>&1 || \
	    { cat $(BUILD)/grub-mkrescue-$(1).log; echo "error: grub-mkrescue failed (output above)"; exit 1; }
endef

# strata.iso's CMDLINE and GRUB_MENU, rewritten only when they change, so
# that the ISO is rebuilt exactly then. The command line goes through sed
# and GRUB's parser: only plain characters are allowed.
$(BUILD)/boot-settings: FORCE
	@mkdir -p $(BUILD)
	@case "$$CMDLINE" in *[!A-Za-z0-9\ =,._:/+-]*) \
	    echo "error: CMDLINE='$$CMDLINE': only letters, digits, spaces and = , . _ : / + - are allowed"; \
	    exit 1;; esac
	@case "$$GRUB_MENU" in 0|1) ;; *) echo "error: GRUB_MENU must be 0 or 1"; exit 1;; esac
	@printf 'CMDLINE=%s\nGRUB_MENU=%s\n' "$$CMDLINE" "$$GRUB_MENU" > $@.new
	@if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

$(BUILD)/strata.iso: $(BUILD)/kernel.elf $(BUILD)/initrd.tar tools/grub.cfg.in $(BUILD)/boot-settings
	$(call make_iso,run,$(CMDLINE),$(if $(filter 1,$(GRUB_MENU)),10,0),$(if $(filter 1,$(GRUB_MENU)),serial console,console))

$(BUILD)/strata-test.iso: $(BUILD)/kernel.elf $(BUILD)/initrd.tar tools/grub.cfg.in
	$(call make_iso,test,panic=exit,0,console)

# ---- host unit tests --------------------------------------------------------
# Each tests/host/test_X.c names the kernel sources it needs on a line
#   /* host-test-sources: kernel/lib/fmt.c mm/frame.c */
HOST_TESTS := $(patsubst tests/host/%.c,$(HOST_BUILD)/host/%,$(wildcard tests/host/test_*.c))
HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Wno-unused-parameter \
               -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer -DHOST_TEST -Iinclude -Itests/host

$(HOST_BUILD)/host/%: tests/host/%.c $(wildcard tests/host/*.h) $(KERNEL_C)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $< $$(sed -n 's|.*host-test-sources:\(.*\)\*/.*|\1|p' $<)

host-tests: $(HOST_TESTS)

# ---- running ----------------------------------------------------------------
# `make test` and `make bench` set themselves up like ./run does.
setup:
	@tools/setup

# No kernel object may use a symbol from a layer above its own (tools/layers.conf).
check-layers: all
	tools/check-layers $(BUILD)

test: setup
	$(MAKE) all host-tests
	tools/check-layers $(BUILD)
	tools/gen-syscall-doc --check
	tools/gen-bench-tables --check
	tools/gen-figures --check
	TEST_ISO=$(BUILD)/strata-test.iso $(PYTHON) tests/run_tests.py

# Both save their figures in docs/bench/ and rewrite the tables of STATUS
# and docs/benchmarks.md from them (tools/gen-bench-tables); a DEBUG=1
# build's figures are printed only.
BENCH_SAVE = $(if $(filter 1,$(DEBUG)),,--json docs/bench/$(1).json)
BENCH_TABLES = $(if $(filter 1,$(DEBUG)),true,tools/gen-bench-tables)

bench: setup
	$(MAKE) all
	$(PYTHON) tests/bench.py $(call BENCH_SAVE,strata)
	$(BENCH_TABLES)

# The long fuzzing campaign (a million system calls, console bytes, bad ELF
# files, exhaustion); not part of `make test`. Options: FUZZ_ARGS="--seeds 4".
fuzz: setup
	$(MAKE) all
	$(PYTHON) tests/fuzz.py $(FUZZ_ARGS)

# Strata beside Debian's stock Linux kernel, same loops, same QEMU flags
# (docs/benchmarks.md). Fetches the kernel package once into build/; not
# part of `make test`.
bench-linux: setup
	$(MAKE) all
	$(PYTHON) tools/bench-linux $(call BENCH_SAVE,linux)
	$(BENCH_TABLES)

# ./run reads DEBUG, CMDLINE and GRUB_MENU from the environment (exported above).
run:
	./run

# No build here: GDB must read the very kernel that `./run --gdb` booted
# (tools/gdb finds it), even if the tree changed since.
gdb:
	tools/gdb $(GDBARGS)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
