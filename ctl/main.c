/* cnemu-controller: the command line of the built-in OpenFlow controller.
 *
 *   cnemu-controller [--mode learning|topo] [--listen TARGET]...
 *                    [--topo-file PATH] [--pidfile PATH]
 *                    [--status-file PATH] [--idle-timeout S] [--log SPEC]
 *
 * Listens on ptcp:6653:127.0.0.1 unless told otherwise, speaks OpenFlow
 * 1.0 and 1.3, runs until SIGTERM or SIGINT (exit 0), rereads the
 * topology file on SIGHUP.  cnemu starts it (node/controller.c); it runs
 * alone as well. */
#include "ctl/ofc.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "openflow/openflow.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vconn.h"
#include "openvswitch/vlog.h"
#include "socket-util.h"
#include "util.h"

#include "base/log.h"

EMU_LOG_MODULE(ctl);

#define OFC_DEFAULT_LISTEN "ptcp:6653:127.0.0.1"

static const char ofc_usage[] =
	"usage: cnemu-controller [options]\n"
	"  --mode M          learning (L2 learning, flows expire) or topo\n"
	"                    (shortest paths and a spanning tree from\n"
	"                    --topo-file); default: topo with a topology\n"
	"                    file, else learning\n"
	"  --listen TARGET   where switches connect (default "
	OFC_DEFAULT_LISTEN ");\n"
	"                    again for more; with a punix: target, only\n"
	"                    its connections speak for the topology's\n"
	"                    switches\n"
	"  --topo-file PATH  the topology: lines 'switch <dpid> [name]',\n"
	"                    'link <dpid1> <port1> <dpid2> <port2>',\n"
	"                    'host <mac> <dpid> <port>'; reread on SIGHUP\n"
	"  --pidfile PATH    write the process id there\n"
	"  --status-file PATH  keep there the dpids of the switches whose\n"
	"                    flows are in place (barrier answered)\n"
	"  --idle-timeout S  learning flows expire after S idle seconds "
	"(60)\n"
	"  --log SPEC        log levels: dbg, or ctl:dbg\n"
	"  -h, --help        this text\n";

#define OFC_MAX_LISTEN 4

struct ofc_opts {
	const char *mode;
	const char *listens[OFC_MAX_LISTEN];
	size_t n_listens;
	const char *status_file;
	const char *topo_file;
	const char *pidfile;
	const char *log;
	int idle_timeout;
};

/* Signals reach the poll loop through a pipe. */
static int ofc_sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t ofc_stop_signal, ofc_reload;

static void ofc_on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (sig == SIGHUP)
		ofc_reload = 1;
	else
		ofc_stop_signal = sig;
	if (write(ofc_sig_pipe[1], &c, 1) < 0)
		(void)0;	/* full: a wakeup is pending anyway */
	errno = saved;
}

/* Before libopenvswitch's fatal-signal module: it leaves handlers that are
 * not SIG_DFL alone. */
static int ofc_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = ofc_on_signal };
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };

	if (pipe2(ofc_sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void ofc_drain_signals(void)
{
	char buf[64];

	while (read(ofc_sig_pipe[0], buf, sizeof(buf)) > 0)
		;
}

static int ofc_parse(struct ofc_opts *o, int argc, char **argv)
{
	enum { OPT_MODE = 256, OPT_LISTEN, OPT_TOPO, OPT_PID, OPT_IDLE,
	       OPT_LOG, OPT_STATUS };
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "topo-file", required_argument, NULL, OPT_TOPO },
		{ "pidfile", required_argument, NULL, OPT_PID },
		{ "status-file", required_argument, NULL, OPT_STATUS },
		{ "idle-timeout", required_argument, NULL, OPT_IDLE },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long v;
	int c;

	memset(o, 0, sizeof(*o));
	o->idle_timeout = 60;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_MODE: o->mode = optarg; break;
		case OPT_LISTEN:
			if (o->n_listens == OFC_MAX_LISTEN) {
				fprintf(stderr, "cnemu-controller: at most %d "
						"--listen\n",
					OFC_MAX_LISTEN);
				return 2;
			}
			o->listens[o->n_listens++] = optarg;
			break;
		case OPT_STATUS: o->status_file = optarg; break;
		case OPT_TOPO: o->topo_file = optarg; break;
		case OPT_PID: o->pidfile = optarg; break;
		case OPT_LOG: o->log = optarg; break;
		case OPT_IDLE:
			v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 65535) {
				fprintf(stderr, "cnemu-controller: invalid "
						"--idle-timeout '%s' (1 to "
						"65535 seconds)\n",
					optarg);
				return 2;
			}
			o->idle_timeout = (int)v;
			break;
		case 'h':
			fputs(ofc_usage, stdout);
			return 1;
		case ':':
			fprintf(stderr, "cnemu-controller: option '%s' needs "
					"an argument\n",
				argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, "cnemu-controller: unknown option "
					"'%s' (see --help)\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "cnemu-controller: unexpected argument '%s'\n",
			argv[optind]);
		return 2;
	}
	if (!o->n_listens)
		o->listens[o->n_listens++] = OFC_DEFAULT_LISTEN;
	if (!o->mode)
		o->mode = o->topo_file ? "topo" : "learning";
	if (strcmp(o->mode, "learning") && strcmp(o->mode, "topo")) {
		fprintf(stderr, "cnemu-controller: unknown mode '%s' (known: "
				"learning, topo)\n",
			o->mode);
		return 2;
	}
	if (o->log && log_configure(o->log)) {
		fprintf(stderr, "cnemu-controller: invalid --log '%s' (try "
				"dbg or ctl:dbg)\n",
			o->log);
		return 2;
	}
	return 0;
}

static int ofc_write_pidfile(const char *path)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	int ret = 0;

	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0)
		ret = -errno;
	if (f && fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
	if (ret) {
		fprintf(stderr, "cnemu-controller: cannot write '%s': %s\n",
			path, strerror(-ret));
		unlink(tmp);
	}
	free(tmp);
	return ret;
}

/* Removes the pid file if it still names this process. */
static void ofc_remove_pidfile(const char *path)
{
	FILE *f = fopen(path, "r");
	int pid = 0;

	if (!f)
		return;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	if (pid == (int)getpid())
		unlink(path);
}

/* The work done, for benchmarks ('--log ctl:dbg'). */
static void ofc_log_counters(const struct ofc *ofc)
{
	struct rusage ru;
	double cpu = 0;

	if (!getrusage(RUSAGE_SELF, &ru))
		cpu = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
		      (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	log_dbg("cnemu-controller: stopping on %s: %llu packet-ins, %llu "
		"flow mods, %llu packet-outs, %.3f s CPU",
		strsignal(ofc_stop_signal), ofc->n_packet_in, ofc->n_flow_mod,
		ofc->n_packet_out, cpu);
}

/* Opens the listeners of 'o'.  With no punix: among them there is nothing
 * to tell switches apart by: every connection is trusted. */
static int ofc_listen(struct ofc *ofc, const struct ofc_opts *o)
{
	bool any_unix = false;

	for (size_t i = 0; i < o->n_listens; i++)
		any_unix |= !strncmp(o->listens[i], "punix:", 6);
	ofc->listeners = xcalloc(o->n_listens, sizeof(*ofc->listeners));
	for (size_t i = 0; i < o->n_listens; i++) {
		struct ofc_listener *l = &ofc->listeners[ofc->n_listeners];
		int ret = pvconn_open(o->listens[i], ofc->versions,
				      DSCP_DEFAULT, &l->pvconn);

		if (ret) {
			fprintf(stderr, "cnemu-controller: cannot listen on "
					"'%s': %s\n",
				o->listens[i], ovs_strerror(ret));
			return -ret;
		}
		l->trusted = !any_unix || !strncmp(o->listens[i], "punix:", 6);
		ofc->n_listeners++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ofc_opts o;
	struct ofc ofc;
	int ret;

	ret = ofc_parse(&o, argc, argv);
	if (ret)
		return ret == 1 ? 0 : ret;
	set_program_name(argv[0]);
	/* libopenvswitch's own messages: errors only, on stderr (a switch
	 * that goes away at the end of a run is no news). */
	vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
	vlog_set_levels(NULL, VLF_CONSOLE, VLL_ERR);
	if (ofc_catch_signals()) {
		fprintf(stderr, "cnemu-controller: cannot make a pipe: %s\n",
			strerror(errno));
		return 1;
	}
	memset(&ofc, 0, sizeof(ofc));
	ofc.mode = !strcmp(o.mode, "topo") ? &ofc_route_mode
					   : &ofc_learning_mode;
	ofc.topo_file = o.topo_file;
	ofc.idle_timeout = o.idle_timeout;
	ofc.versions = (1u << OFP10_VERSION) | (1u << OFP13_VERSION);
	if (ofc.mode->init && ofc.mode->init(&ofc)) {
		ret = 1;
		goto out;
	}
	if (ofc_listen(&ofc, &o)) {
		ret = 1;
		goto out;
	}
	ofc.status_file = o.status_file;
	if (o.pidfile && ofc_write_pidfile(o.pidfile)) {
		ret = 1;
		goto out;
	}
	log_dbg("cnemu-controller: %s mode, %zu listeners", ofc.mode->name,
		ofc.n_listeners);
	while (!ofc_stop_signal) {
		if (ofc_reload) {
			ofc_reload = 0;
			if (ofc.mode->reload)
				ofc.mode->reload(&ofc);
		}
		ofc_run(&ofc);
		if (ofc.mode->run)
			ofc.mode->run(&ofc);
		ofc_sync(&ofc);
		ofc_wait(&ofc);
		if (ofc.mode->wait)
			ofc.mode->wait(&ofc);
		poll_fd_wait(ofc_sig_pipe[0], POLLIN);
		poll_block();
		ofc_drain_signals();
	}
	ofc_log_counters(&ofc);
	ret = 0;
out:
	ofc_close_switches(&ofc);
	for (size_t i = 0; i < ofc.n_listeners; i++)
		pvconn_close(ofc.listeners[i].pvconn);
	free(ofc.listeners);
	free(ofc.status);
	if (ofc.mode->destroy)
		ofc.mode->destroy(&ofc);
	if (o.pidfile)
		ofc_remove_pidfile(o.pidfile);
	return ret;
}
