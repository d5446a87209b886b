#include "node/docker_files.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "base/util.h"

static const struct {
	const char *suffix;
	const char *target;
} docker_files[DOCKER_FILE_N] = {
	[DOCKER_FILE_HOSTS] = { "hosts", "/etc/hosts" },
	[DOCKER_FILE_RESOLV] = { "resolv.conf", "/etc/resolv.conf" },
};

const char *docker_file_target(enum docker_file which)
{
	return docker_files[which].target;
}

char *docker_file_path(const char *dir, const char *container,
		       enum docker_file which)
{
	return xasprintf("%s/%s.%s", dir, container,
			 docker_files[which].suffix);
}

char *docker_file_bind(const char *dir, const char *container,
		       enum docker_file which)
{
	char *path = docker_file_path(dir, container, which);
	char *bind = xasprintf("%s:%s", path, docker_files[which].target);

	free(path);
	return bind;
}

const char *docker_file_hosts_text(void)
{
	return "127.0.0.1\tlocalhost\n"
	       "::1\tlocalhost ip6-localhost ip6-loopback\n"
	       "fe00::0\tip6-localnet\n"
	       "ff00::0\tip6-mcastprefix\n"
	       "ff02::1\tip6-allnodes\n"
	       "ff02::2\tip6-allrouters\n";
}

char *docker_file_resolv_text(const char *const *dns, size_t n_dns)
{
	size_t len = 1;
	char *text, *p;

	for (size_t i = 0; i < n_dns; i++)
		len += strlen("nameserver \n") + strlen(dns[i]);
	text = p = xmalloc(len);
	*p = '\0';
	for (size_t i = 0; i < n_dns; i++)
		p += sprintf(p, "nameserver %s\n", dns[i]);
	return text;
}

int docker_files_write(const char *dir, const char *container,
		       const char *const *dns, size_t n_dns,
		       struct emu_err *err)
{
	char *texts[DOCKER_FILE_N] = {
		[DOCKER_FILE_HOSTS] = xstrdup(docker_file_hosts_text()),
		[DOCKER_FILE_RESOLV] = docker_file_resolv_text(dns, n_dns),
	};
	int ret = 0;

	if (mkdir(dir, 0755) && errno != EEXIST)
		ret = emu_err_set(err, -errno, "cannot make '%s': %s", dir,
				  strerror(errno));
	for (int i = 0; i < DOCKER_FILE_N; i++) {
		char *path = docker_file_path(dir, container, i);

		if (!ret && (ret = file_replace(path, texts[i])))
			emu_err_set(err, ret, "cannot write '%s': %s", path,
				    strerror(-ret));
		free(path);
		free(texts[i]);
	}
	return ret;
}

void docker_files_remove(const char *dir, const char *container)
{
	for (int i = 0; i < DOCKER_FILE_N; i++) {
		char *path = docker_file_path(dir, container, i);

		unlink(path);
		free(path);
	}
}

bool docker_files_remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return errno == ENOENT;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	return !rmdir(dir);
}
