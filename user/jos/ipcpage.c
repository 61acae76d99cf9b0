// Page transfer through IPC (JOS lab 4's later interface): two copies,
// started with `/jos/ipcpage & /jos/ipcpage &`, find each other in envs[].
// The one with the lower id sends a page of its bss, filled with a pattern;
// the other receives it at a free address, checks it, writes into it and
// answers. The sender then sees the write: the frame is shared, not copied.
// When the receiver has exited, the sender's page is still intact.
#include <jos.h>

#define DSTVA ((void *) JOS_VA(0xa0000000))

static uint8_t page[PGSIZE] __attribute__((aligned(PGSIZE)));
static const uint8_t rodata_page[PGSIZE] __attribute__((aligned(PGSIZE))) = { 1 };

static envid_t
find_partner(void)
{
	for (;;) {
		for (int i = 0; i < NENV; i++)
			if (envs[i].env_status != ENV_FREE && envs[i].env_id != env->env_id &&
			    envs[i].env_parent_id == env->env_parent_id &&
			    strcmp((const char *) envs[i].env_name, (const char *) env->env_name) == 0)
				return envs[i].env_id;
		sys_yield();
	}
}

static void
sender(envid_t to)
{
	int r;

	for (int i = 0; i < PGSIZE; i++)
		page[i] = (uint8_t) (i * 7 + 3);
	// A write grant on a page we cannot write ourselves is refused.
	r = sys_ipc_can_send(to, 0, (void *) rodata_page, PTE_P | PTE_U | PTE_W);
	if (r != -E_INVAL)
		panic("write grant on a read-only page: %e", r);
	// So are bad perms and addresses.
	if ((r = sys_ipc_send(to, 0, page + 1, PTE_P | PTE_U)) != -E_INVAL)
		panic("unaligned srcva: %e", r);
	if ((r = sys_ipc_send(to, 0, page, PTE_P)) != -E_INVAL)
		panic("perm without PTE_U: %e", r);
	if ((r = sys_ipc_send(to, 0, page, PTE_P | PTE_U | 0x100)) != -E_INVAL)
		panic("perm with a bit beyond PTE_SYSCALL: %e", r);
	if ((r = sys_ipc_send(to, 0, (void *) 0x100000, PTE_P | PTE_U)) != -E_INVAL)
		panic("kernel srcva: %e", r);
	if ((r = sys_ipc_send(to, 0, (void *) JOS_VA(0xb0000000), PTE_P | PTE_U)) != -E_INVAL)
		panic("unmapped srcva: %e", r);
	printf("%x sending a page to %x\n", sys_getenvid(), to);
	ipc_send(to, 42, page, PTE_P | PTE_U | PTE_W);
	envid_t who;
	uint64_t v = ipc_recv(&who, 0, 0);
	if (v != 43 || page[0] != 0xee)
		panic("the receiver's write did not reach the shared page (%lu, %02x)", v, page[0]);
	printf("%x sees the receiver's write: the frame is shared\n", sys_getenvid());
	while (envs[ENVX(who)].env_id == who && envs[ENVX(who)].env_status != ENV_FREE)
		sys_yield();
	for (int i = 1; i < PGSIZE; i++)
		if (page[i] != (uint8_t) (i * 7 + 3))
			panic("byte %d changed after the receiver died", i);
	printf("%x: page intact after the receiver exited\n", sys_getenvid());
}

static void
receiver(void)
{
	envid_t who;
	int perm;
	uint64_t v = ipc_recv(&who, DSTVA, &perm);
	const uint8_t *p = DSTVA;

	if (v != 42 || perm != (PTE_P | PTE_U | PTE_W))
		panic("received %lu perm %x", v, perm);
	for (int i = 0; i < PGSIZE; i++)
		if (p[i] != (uint8_t) (i * 7 + 3))
			panic("byte %d of the received page is %02x", i, p[i]);
	printf("%x received a page from %x: contents check out\n", sys_getenvid(), who);
	*(uint8_t *) DSTVA = 0xee;
	ipc_send(who, 43, 0, 0);
}

void
umain(int argc, char **argv)
{
	envid_t partner = find_partner();

	if (env->env_id < partner)
		sender(partner);
	else
		receiver();
}
