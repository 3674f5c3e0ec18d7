/* Which file systems inotify cannot be trusted on: it reports only changes
 * made through this kernel, so writes from other machines (network file
 * systems) or from a FUSE daemon's backing store are never seen. Pure: the
 * caller passes statfs()'s f_type. */
#ifndef AUTOWRAP_FSMAGIC_H
#define AUTOWRAP_FSMAGIC_H

/* The file system's name ("nfs", "fuse", ...) when directories on it must be
 * polled; NULL when inotify sees every change. */
const char *aw_fs_needs_poll(unsigned long f_type);

#endif
