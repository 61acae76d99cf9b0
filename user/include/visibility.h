/*
 * Force-included into every user-library and program source (user.mk):
 * everything is hidden, i.e. known to be inside this one static program.
 * With -fpie, GCC otherwise takes the address of an extern function
 * through the GOT (it might live in a shared library), and binutils 2.40
 * cannot relax that GOT load for an address outside the low 2 GiB
 * ("failed to convert GOTPCREL relocation"). Hidden symbols are reached
 * with plain RIP-relative LEAs.
 */
#pragma GCC visibility push(hidden)
