/* Files that readers in other processes look at while they change.  No
 * allocation helpers here: OVS-built code (ctl/) includes it too. */
#ifndef BASE_FILE_H
#define BASE_FILE_H

/* Replaces the file 'path' with 'text': written to "<path>.tmp", then
 * renamed over it, so that a reader sees the old or the new one, never a
 * part.  0 or a negative errno (nothing is left of the temporary file). */
int file_replace(const char *path, const char *text);

#endif
