/* Files that readers in other processes look at while they change, and
 * the one-number files of /proc/sys and notes.  No allocation helpers
 * here: OVS-built code (ctl/) includes it too. */
#ifndef BASE_FILE_H
#define BASE_FILE_H

/* Replaces the file 'path' with 'text': written to "<path>.tmp", then
 * renamed over it, so that a reader sees the old or the new one, never a
 * part.  0 or a negative errno (nothing is left of the temporary file). */
int file_replace(const char *path, const char *text);

/* The integer the file 'path' starts with (a sysctl, a saved value) in
 * '*v'.  0, or a negative errno: the file's, -EINVAL when it holds no
 * number ('*v' is then 0). */
int file_read_long(const char *path, long *v);
/* Writes 'v' and a newline to 'path' (a sysctl, a note): 0 or a negative
 * errno. */
int file_write_long(const char *path, long v);

#endif
