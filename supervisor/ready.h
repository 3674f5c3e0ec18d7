/* Is the program a START would exec ready to run? */
#ifndef AUTOWRAP_READY_H
#define AUTOWRAP_READY_H

/* 0 when cmd (looked up in PATH as execvp does, when it has no '/') names a
 * regular file that is not executable or is empty, and no executable one
 * comes later in PATH: a linker or cp is still writing it. 1 otherwise
 * (including "not found": exec reports that). */
int aw_prog_ready(const char *cmd);

#endif
