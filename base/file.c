#include "base/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int file_replace(const char *path, const char *text)
{
	size_t len = strlen(path) + 5;
	char *tmp = malloc(len);
	FILE *f;
	int ret = 0;

	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, len, "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f || fputs(text, f) < 0)
		ret = -errno;
	if (f && fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}

int file_read_long(const char *path, long *v)
{
	FILE *f = fopen(path, "re");
	int ret = 0;

	*v = 0;
	if (!f)
		return -errno;
	if (fscanf(f, "%ld", v) != 1) {
		*v = 0;
		ret = -EINVAL;
	}
	fclose(f);
	return ret;
}

int file_write_long(const char *path, long v)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	if (fprintf(f, "%ld\n", v) < 0) {
		int ret = -errno;

		fclose(f);
		return ret ? ret : -EIO;
	}
	return fclose(f) ? -errno : 0;
}
