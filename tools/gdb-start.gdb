# Run by tools/gdb after the user's arguments: from the reset vector (QEMU
# started with -S), run to kmain, where long mode is on. A hardware
# breakpoint: GRUB loads the kernel over any software one set earlier
# (under KVM, where they are int3 bytes in guest memory).
if $pc == 0xfff0
  thbreak kmain
  continue
end
