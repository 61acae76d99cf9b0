# User programs: every user/bin/*.c becomes /bin/<name> in the initrd.
# (Filled in by the process layer; empty until user/lib exists.)
USER_BINS :=
