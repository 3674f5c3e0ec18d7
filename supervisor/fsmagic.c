/* statfs magic numbers of file systems where inotify misses remote writes.
 * Values from linux/magic.h and the file systems' sources, written out so
 * the list does not depend on which kernel headers the build machine has. */
#include "fsmagic.h"

#include <stddef.h>

static const struct {
    unsigned long magic;
    const char *name;
} remote[] = {
    {0x6969UL, "nfs"},
    {0x517BUL, "smb"},
    {0xFF534D42UL, "cifs"},
    {0xFE534D42UL, "smb2"},
    {0x01021997UL, "9p"},
    {0x65735546UL, "fuse"},
    {0x786F4256UL, "vboxsf"},
    {0x73757245UL, "coda"},
    {0x5346414FUL, "afs"},
    {0x6B414653UL, "afs"},
    {0x00C36400UL, "ceph"},
    {0x0BD00BD0UL, "lustre"},
    {0x01161970UL, "gfs2"},
};

const char *aw_fs_needs_poll(unsigned long f_type)
{
    /* f_type is a signed long on some ABIs: compare the low 32 bits */
    unsigned long t = f_type & 0xFFFFFFFFUL;
    for (size_t i = 0; i < sizeof remote / sizeof remote[0]; i++)
        if (remote[i].magic == t)
            return remote[i].name;
    return NULL;
}
