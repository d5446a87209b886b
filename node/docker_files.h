/* The network files of a container whose network namespace is cnemu's
 * alone (network_mode "none", the default): its /etc/hosts and
 * /etc/resolv.conf, written into the run's directory and bound into the
 * container.  Such a container is created with the engine's networking
 * off (NetworkDisabled), which spares the engine a network sandbox and the
 * prestart hook it otherwise runs for every container: the start of 300
 * containers costs about half the CPU.  The files say what the engine's
 * own would for network "none". */
#ifndef NODE_DOCKER_FILES_H
#define NODE_DOCKER_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* The directory of the files in a run's directory. */
#define DOCKER_FILES_DIR "docker"

enum docker_file {
	DOCKER_FILE_HOSTS,
	DOCKER_FILE_RESOLV,
	DOCKER_FILE_N
};

/* Where the file 'which' appears inside a container: "/etc/hosts". */
const char *docker_file_target(enum docker_file which);
/* The file 'which' of container 'container' in 'dir' (caller frees). */
char *docker_file_path(const char *dir, const char *container,
		       enum docker_file which);
/* The bind of that file onto its target, "<path>:/etc/hosts" (caller
 * frees). */
char *docker_file_bind(const char *dir, const char *container,
		       enum docker_file which);
/* The text of /etc/resolv.conf naming the servers 'dns' (caller frees). */
char *docker_file_resolv_text(const char *const *dns, size_t n_dns);
/* The text of /etc/hosts: localhost and the IPv6 names, as the engine
 * writes them; cnemu adds the host's own line once it has its address. */
const char *docker_file_hosts_text(void);

/* Writes both files of 'container' into 'dir' (made when missing). */
int docker_files_write(const char *dir, const char *container,
		       const char *const *dns, size_t n_dns,
		       struct emu_err *err);
/* Removes both files of 'container' from 'dir'; missing ones are fine. */
void docker_files_remove(const char *dir, const char *container);
/* Removes 'dir' and every file in it (a dead run's, for cnemu -c);
 * returns whether it is gone. */
bool docker_files_remove_dir(const char *dir);

#endif
