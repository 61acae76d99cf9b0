/* The root shell: the first shell, run by the boot thread. */
#include <shell.h>
#include <log.h>
#include <fs.h>
#include <panic.h>
#include <aspace.h>

static void motd_print(void)
{
    struct file *f;
    char buf[256];
    long n;
    if (fs_open("/etc/motd", &f) < 0)
        return;
    while ((n = fs_read(f, buf, sizeof(buf) - 1)) > 0) {
        buf[n] = '\0';
        kprintf("%s", buf);
    }
    fs_close(f);
}

void root_shell_main(void)
{
    motd_print();
    shell_loop("root-shell> ", 0);
    panic("%s: the root shell returned", __func__);
}

int shell_aspace_create(const char *name, struct aspace **out)
{
    *out = NULL;
    return 0;
}
