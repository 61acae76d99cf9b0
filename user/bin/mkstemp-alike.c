/* mkstemp-alike: create /tmp/jos-Fl9E8n exclusively and write to it (the
 * 6.828 shell lecture). A second run fails: the file exists. */
#include <ulib.h>

int main(int argc, char *argv[])
{
    int fd = open("/tmp/jos-Fl9E8n", O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        dprintf(2, "mkstemp-alike: /tmp/jos-Fl9E8n: %s\n", errstr(fd));
        return 1;
    }
    const char msg[] = "6.828 is amazing.\n";
    write(fd, msg, sizeof(msg) - 1);
    close(fd);
    return 0;
}
