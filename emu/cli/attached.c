/* A lab's CLI that other CLIs attach to ('cnemu attach LAB', emu/attach.h):
 * while it runs, each client gets a CLI of its own on the same Net, with
 * this CLI's stop flag and 'lua' hook, and commands run one at a time
 * across all of them.  The option-driven CLI (emu/main.c) and a script's
 * net:CLI() (lua/lnet.c) both run this way. */
#include "emu/cli/internal.h"

#include <errno.h>
#include <stdlib.h>

#include "base/err.h"
#include "base/log.h"
#include "base/util.h"
#include "emu/attach.h"
#include "emu/labs.h"
#include "emu/net.h"

EMU_LOG_MODULE(cli_attached);

/* One client's line: its CLI is made at its first line; false once it
 * said exit. */
static bool attached_run(void *aux, const char *line, FILE *out,
			 void **session)
{
	struct cli *lab_cli = aux, *cli = *session;

	if (!cli) {
		cli = cli_create(lab_cli->net, NULL);
		if (!cli)
			return false;
		cli->attached = true;
		cli->stop = lab_cli->stop;
		cli->lua_fn = lab_cli->lua_fn;
		cli->lua_aux = lab_cli->lua_aux;
		*session = cli;
	}
	cli_set_output(cli, out, out);
	cli_execute(cli, line);
	return !cli_is_done(cli);
}

static void attached_end(void *aux, void *session)
{
	(void)aux;
	cli_destroy(session);
}

static void attached_lock(void *aux)
{
	attach_lock(aux);
}

static void attached_unlock(void *aux)
{
	attach_unlock(aux);
}

int cli_run_attachable(struct cli *cli, FILE *in, bool interactive)
{
	struct emu_err err = { 0 };
	const char *dir = net_run_dir(cli->net);
	struct attach *a = NULL;
	int ret;

	if (dir) {
		char *path = xasprintf("%s/" LABS_CLI_SOCKET, dir);

		a = attach_listen(path, attached_run, attached_end, cli, &err);
		free(path);
	} else if (!net_cluster(cli->net)) {	/* a cluster run has none */
		emu_err_set(&err, -ENETDOWN, "the network is not started");
	}
	if (!a && err.code)
		log_warn("%s: no CLI can attach to this lab", err.msg);
	cli_set_guard(cli, attached_lock, attached_unlock, a);
	ret = cli_run(cli, in, interactive);
	cli_set_guard(cli, NULL, NULL, NULL);
	attach_close(a);
	return ret;
}
