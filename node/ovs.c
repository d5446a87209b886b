/* Open vSwitch bridges through the OVSDB IDL of libopenvswitch.
 *
 * Every change is one OVSDB transaction built by an ovsw_op 'build'
 * function from the IDL's current replica, committed, and rebuilt when
 * ovsdb-server answers "try again" (replica out of date, reconnect).  New
 * Interface rows are then watched until ovs-vswitchd gives them an ofport.
 *
 * Not thread-safe: one thread uses a db at a time (libopenvswitch's poll
 * loop is per thread, its fatal-signal module is initialized once here).
 *
 * OVS's headers need <config.h> before anything else, so it comes first
 * here instead of our own header.  base/util.h is not included: OVS's util.h
 * has the same xmalloc family (renamed to ovs_x* in the archive by deps.sh,
 * mapped by cnemu-rename.h), its own ARRAY_SIZE and a different
 * str_to_long. */
#include <config.h>

#include "node/ovs.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "daemon.h"
#include "dirs.h"
#include "fatal-signal.h"
#include "jsonrpc.h"
#include "netlink-socket.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "socket-util.h"
#include "sset.h"
#include "timeval.h"
#include "unixctl.h"
#include "openvswitch/vconn.h"
#include "vswitch-idl.h"

#include "base/err.h"
#include "base/log.h"

EMU_LOG_MODULE(ovs);

#define OVSW_DEFAULT_REMOTE "unix:/var/run/openvswitch/db.sock"
#define OVSW_TAG_KEY "cnemu-run"
/* external_ids key of the Open_vSwitch row: the names (bridges and ports,
 * space-separated) of a removal committed without waiting for
 * ovs-vswitchd, while it may still be applying it. */
#define OVSW_REMOVING_KEY "cnemu-removing"
#define OVSW_REMOVE_WAIT_MS 60000	/* for a pending removal */
#define OVSW_WAIT_MS 10000	/* per commit; per port without progress */
#define OVSW_OFPORT_MAX 65279	/* OFPP_MAX */
#define OVSW_HINT "(start it with 'make deps')"

struct ovs_switch_db {
	struct ovsdb_idl *idl;
	char *remote;		/* for messages */
	char *rundir;		/* its OVS's run directory (pid files) */
	bool daemon_down;	/* ovs-vswitchd was found not running */
	long long daemon_checked_ms;	/* when; 0: never */
};

/* An Interface row a transaction inserts; its ofport is waited for. */
struct ovsw_wait {
	struct uuid uuid;		/* temporary, then the database's */
	const char *bridge, *port;	/* borrowed from the caller */
	bool done;			/* has its ofport */
};

struct ovsw_waits {
	struct ovsw_wait *items;
	size_t n, cap;
};

/* One transaction: 'build' fills 'txn' from the IDL's replica, again after
 * a "try again"; 0 or a negative errno. */
struct ovsw_op {
	const char *what;	/* "add 3 bridges", after "cannot " */
	int (*build)(struct ovs_switch_db *db, struct ovsdb_idl_txn *txn,
		     void *aux, struct emu_err *err);
	void *aux;
	struct ovsw_waits *waits;	/* new Interfaces to wait for; NULL */
	bool no_wait;	/* return once committed: ovs-vswitchd applies it
			   later */
};

/* Silences vlog (it would write to stderr and syslog) and initializes
 * OVS's fatal-signal module, which poll_block() would otherwise do on first
 * use by catching SIGINT, SIGTERM, ... and deferring them to the next
 * poll_block(); the previous handlers are put back. */
static void ovsw_init(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGALRM, SIGSEGV };
	struct sigaction old[ARRAY_SIZE(sigs)];
	static bool done;

	if (done)
		return;
	done = true;
	vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], NULL, &old[i]);
	fatal_signal_init();
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &old[i], NULL);
}

/* libopenvswitch writes to its socket with send(..., 0): keep a vanished
 * ovsdb-server from killing us with SIGPIPE while we talk to it. */
static void ovsw_block_sigpipe(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

static void ovsw_restore_sigpipe(const sigset_t *old)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	if (!sigismember(old, SIGPIPE))
		while (sigtimedwait(&set, NULL, &zero) > 0)
			;
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

static const char *ovsw_strerror(int error)
{
	return error == EOF ? "connection closed" : strerror(error);
}

/* Runs the poll loop once: waits for the IDL or until 'deadline_ms'. */
static void ovsw_block(struct ovs_switch_db *db, long long deadline_ms)
{
	ovsdb_idl_wait(db->idl);
	poll_timer_wait_until(deadline_ms);
	poll_block();
}

/* Replicates only what cnemu reads or changes in existing rows; columns
 * written only into new rows (datapath_type, other_config, protocols, ...)
 * need no replica. */
static void ovsw_monitor(struct ovsdb_idl *idl)
{
	static const struct ovsdb_idl_column *const cols[] = {
		&ovsrec_open_vswitch_col_bridges,
		&ovsrec_open_vswitch_col_next_cfg,
		&ovsrec_open_vswitch_col_cur_cfg,
		&ovsrec_open_vswitch_col_external_ids,
		&ovsrec_bridge_col_name,
		&ovsrec_bridge_col_ports,
		&ovsrec_bridge_col_external_ids,
		&ovsrec_bridge_col_controller,
		&ovsrec_bridge_col_fail_mode,
		&ovsrec_port_col_name,
		&ovsrec_port_col_interfaces,
		&ovsrec_port_col_qos,
		&ovsrec_qos_col_type,
		&ovsrec_qos_col_external_ids,
		&ovsrec_interface_col_name,
		&ovsrec_interface_col_ofport,
		&ovsrec_interface_col_error,
		&ovsrec_controller_col_target,
	};

	for (size_t i = 0; i < ARRAY_SIZE(cols); i++)
		ovsdb_idl_add_column(idl, cols[i]);
}

static int ovsw_wait_synced(struct ovs_switch_db *db, int timeout_ms,
			    struct emu_err *err)
{
	long long deadline = time_msec() + (timeout_ms > 0 ? timeout_ms : 0);
	int error;

	for (;;) {
		ovsdb_idl_run(db->idl);
		if (ovsdb_idl_has_ever_connected(db->idl)) {
			if (!ovsrec_open_vswitch_first(db->idl))
				return emu_err_set(
					err, -ENOENT,
					"ovsdb-server at %s has no "
					"Open_vSwitch row " OVSW_HINT,
					db->remote);
			return 0;
		}
		error = ovsdb_idl_get_last_error(db->idl);
		if (error)
			return emu_err_set(
				err, error > 0 ? -error : -ECONNRESET,
				"cannot reach ovsdb-server at %s: %s "
				OVSW_HINT, db->remote, ovsw_strerror(error));
		if (time_msec() >= deadline)
			return emu_err_set(err, -ETIMEDOUT,
					   "ovsdb-server at %s did not answer "
					   "within %d ms " OVSW_HINT,
					   db->remote, timeout_ms);
		ovsw_block(db, deadline);
	}
}

/* The run directory of the OVS whose ovsdb-server listens at 'remote':
 * the directory of "unix:<dir>/db.sock", as OVS lays it out; else OVS's
 * own. */
static char *ovsw_rundir_of(const char *remote)
{
	static const char sock[] = "/db.sock";
	size_t n = strlen(remote);

	if (!strncmp(remote, "unix:", 5) && n > 5 + sizeof(sock) - 1 &&
	    !strcmp(remote + n - (sizeof(sock) - 1), sock))
		return xmemdup0(remote + 5, n - 5 - (sizeof(sock) - 1));
	return xstrdup(ovs_rundir());
}

struct ovs_switch_db *ovs_switch_connect(const char *remote, int timeout_ms,
					 struct emu_err *err)
{
	struct ovs_switch_db *db;
	sigset_t mask;
	int ret;

	ovsw_init();
	db = xzalloc(sizeof(*db));
	db->remote = xstrdup(remote ? remote : OVSW_DEFAULT_REMOTE);
	db->rundir = ovsw_rundir_of(db->remote);
	log_dbg("connecting to %s", db->remote);
	ovsw_block_sigpipe(&mask);
	db->idl = ovsdb_idl_create(db->remote, &ovsrec_idl_class, false, true);
	ovsw_monitor(db->idl);
	ret = ovsw_wait_synced(db, timeout_ms, err);
	ovsw_restore_sigpipe(&mask);
	if (ret < 0) {
		ovs_switch_disconnect(db);
		return NULL;
	}
	return db;
}

void ovs_switch_disconnect(struct ovs_switch_db *db)
{
	sigset_t mask;

	if (!db)
		return;
	ovsw_block_sigpipe(&mask);
	ovsdb_idl_destroy(db->idl);
	ovsw_restore_sigpipe(&mask);
	free(db->remote);
	free(db->rundir);
	free(db);
}

const char *ovs_switch_rundir(void)
{
	return ovs_rundir();
}

bool ovs_switch_kernel_datapath(void)
{
	int family = 0;		/* in: 0 asks the kernel (nonzero: cached) */

	ovsw_init();
	return nl_lookup_genl_family("ovs_datapath", &family) == 0;
}

bool ovs_switch_check_daemon(struct ovs_switch_db *db)
{
	long long now = time_msec();
	char *pidfile;
	pid_t pid;

	if (db->daemon_checked_ms && now - db->daemon_checked_ms < 500)
		return !db->daemon_down;
	db->daemon_checked_ms = now;
	pidfile = xasprintf("%s/ovs-vswitchd.pid", db->rundir);
	pid = read_pidfile(pidfile);
	if (pid <= 0 && !db->daemon_down)
		log_warn("ovs-vswitchd is not running (%s: %s): OVS switches "
			 "forward no new traffic until it is started again; "
			 "their bridges and ports then come back",
			 pidfile, ovs_strerror(pid ? -pid : ESRCH));
	else if (pid > 0 && db->daemon_down)
		log_info("*** ovs-vswitchd is back (pid %ld): it makes the OVS "
			 "bridges and ports again",
			 (long)pid);
	db->daemon_down = pid <= 0;
	free(pidfile);
	return !db->daemon_down;
}

/* Adds to 'inodes' (of '*n', growing '*cap') the socket inode of every
 * AF_PACKET socket of /proc/<pid>/net/packet bound to one of 'ifindexes'. */
static void ovsw_packet_inodes(pid_t pid, const int *ifindexes, size_t n_if,
			       unsigned long **inodes, size_t *n, size_t *cap)
{
	char *path = xasprintf("/proc/%ld/net/packet", (long)pid), line[256];
	FILE *f = fopen(path, "r");

	free(path);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long inode;
		int iface;

		if (sscanf(line, "%*s %*s %*s %*s %d %*s %*s %*s %lu", &iface,
			   &inode) != 2)
			continue;
		for (size_t i = 0; i < n_if; i++) {
			if (ifindexes[i] != iface)
				continue;
			if (*n == *cap)
				*inodes = x2nrealloc(*inodes, cap,
						     sizeof(**inodes));
			(*inodes)[(*n)++] = inode;
			break;
		}
	}
	fclose(f);
}

/* Sets SO_RCVBUFFORCE to 'bytes' on each socket of the process 'pid'
 * (pidfd 'pidfd') whose inode is in 'inodes'; returns how many. */
static int ovsw_grow_fds(pid_t pid, int pidfd, const unsigned long *inodes,
			 size_t n, int bytes)
{
	char *path = xasprintf("/proc/%ld/fd", (long)pid);
	DIR *dir = opendir(path);
	struct dirent *de;
	int done = 0;

	if (!dir) {
		free(path);
		return -errno;
	}
	while ((de = readdir(dir))) {
		char target[64];
		unsigned long inode;
		ssize_t len;
		int fd;

		len = readlinkat(dirfd(dir), de->d_name, target,
				 sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (sscanf(target, "socket:[%lu]", &inode) != 1)
			continue;
		for (size_t i = 0; i < n; i++) {
			if (inodes[i] != inode)
				continue;
			fd = (int)syscall(SYS_pidfd_getfd, pidfd,
					  atoi(de->d_name), 0);
			if (fd >= 0 &&
			    !setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes,
					sizeof(bytes)))
				done++;
			if (fd >= 0)
				close(fd);
			break;
		}
	}
	closedir(dir);
	free(path);
	return done;
}

int ovs_switch_grow_rx_buffers(struct ovs_switch_db *db,
			       const int *ifindexes, size_t n, int bytes,
			       struct emu_err *err)
{
	char *pidfile = xasprintf("%s/ovs-vswitchd.pid", db->rundir);
	pid_t pid = read_pidfile(pidfile);
	unsigned long *inodes = NULL;
	size_t n_inodes = 0, cap = 0;
	int pidfd, ret;

	free(pidfile);
	if (pid > 0)
		ovsw_packet_inodes(pid, ifindexes, n, &inodes, &n_inodes, &cap);
	if (pid <= 0 || !n_inodes) {
		free(inodes);
		return 0;
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		ret = -errno;
		free(inodes);
		return emu_err_set(err, ret, "cannot open ovs-vswitchd (pid "
				   "%ld): %s", (long)pid, strerror(-ret));
	}
	ret = ovsw_grow_fds(pid, pidfd, inodes, n_inodes, bytes);
	close(pidfd);
	free(inodes);
	if (ret < 0)
		return emu_err_set(err, ret, "cannot read the sockets of "
				   "ovs-vswitchd (pid %ld): %s", (long)pid,
				   strerror(-ret));
	if (!ret)
		return emu_err_set(err, -EPERM, "cannot reach the sockets of "
				   "ovs-vswitchd (pid %ld): %s", (long)pid,
				   strerror(EPERM));
	return ret;
}

/* Commits 'txn', waiting until 'deadline_ms'; TXN_INCOMPLETE means no
 * answer in time (the transaction is then aborted). */
static enum ovsdb_idl_txn_status
ovsw_commit(struct ovs_switch_db *db, struct ovsdb_idl_txn *txn,
	    long long deadline_ms)
{
	enum ovsdb_idl_txn_status status;

	while ((status = ovsdb_idl_txn_commit(txn)) == TXN_INCOMPLETE) {
		if (time_msec() >= deadline_ms) {
			ovsdb_idl_txn_abort(txn);
			return TXN_INCOMPLETE;
		}
		ovsdb_idl_run(db->idl);
		ovsdb_idl_txn_wait(txn);
		ovsw_block(db, deadline_ms);
	}
	return status;
}

static int ovsw_txn_error(struct ovs_switch_db *db,
			  struct ovsdb_idl_txn *txn,
			  enum ovsdb_idl_txn_status status, const char *what,
			  struct emu_err *err)
{
	int error;

	switch (status) {
	case TXN_INCOMPLETE:
		return emu_err_set(err, -ETIMEDOUT,
				   "cannot %s: ovsdb-server at %s did not "
				   "answer within %d s",
				   what, db->remote, OVSW_WAIT_MS / 1000);
	case TXN_TRY_AGAIN:
		error = ovsdb_idl_get_last_error(db->idl);
		if (!ovsdb_idl_is_connected(db->idl) && error)
			return emu_err_set(err,
					   error > 0 ? -error : -ECONNRESET,
					   "cannot %s: lost ovsdb-server at "
					   "%s: %s " OVSW_HINT,
					   what, db->remote,
					   ovsw_strerror(error));
		return emu_err_set(err, -EAGAIN,
				   "cannot %s: the database kept changing "
				   "for %d s",
				   what, OVSW_WAIT_MS / 1000);
	default:
		return emu_err_set(err, -EIO, "cannot %s: %s", what,
				   ovsdb_idl_txn_get_error(txn));
	}
}

/* Waits until ovs-vswitchd has applied the configuration 'next_cfg' (its
 * cur_cfg catches up), as 'ovs-vsctl --wait' does: ports are then really
 * in the datapath, and removed ones really closed, so that a next run's
 * interface of the same name is not touched by the old one's removal. */
static int ovsw_wait_applied(struct ovs_switch_db *db, int64_t next_cfg,
			     long long deadline, const char *what,
			     struct emu_err *err)
{
	for (;;) {
		const struct ovsrec_open_vswitch *ovs;

		ovsdb_idl_run(db->idl);
		ovs = ovsrec_open_vswitch_first(db->idl);
		if (!ovs || ovs->cur_cfg >= next_cfg)
			return 0;
		if (time_msec() >= deadline)
			return emu_err_set(err, -ETIMEDOUT,
					   "cannot %s: ovs-vswitchd did not "
					   "apply it within %d s; is it "
					   "running?",
					   what, OVSW_WAIT_MS / 1000);
		ovsw_block(db, deadline);
	}
}

static int ovsw_transact(struct ovs_switch_db *db, const struct ovsw_op *op,
			 struct emu_err *err)
{
	long long deadline = time_msec() + OVSW_WAIT_MS;
	const struct ovsrec_open_vswitch *ovs;
	enum ovsdb_idl_txn_status status;
	struct ovsdb_idl_txn *txn;
	unsigned int seqno;
	int ret;

	for (;;) {
		ovsdb_idl_run(db->idl);
		seqno = ovsdb_idl_get_seqno(db->idl);
		txn = ovsdb_idl_txn_create(db->idl);
		ovsdb_idl_txn_add_comment(txn, "cnemu: %s", op->what);
		if (op->waits)
			op->waits->n = 0;
		ret = op->build(db, txn, op->aux, err);
		if (ret < 0) {
			ovsdb_idl_txn_destroy(txn);
			return ret;
		}
		ovs = ovsrec_open_vswitch_first(db->idl);
		if (ovs)
			ovsdb_idl_txn_increment(txn, &ovs->header_,
						&ovsrec_open_vswitch_col_next_cfg,
						false);
		log_dbg("transaction: %s", op->what);
		status = ovsw_commit(db, txn, deadline);
		if (status == TXN_SUCCESS || status == TXN_UNCHANGED) {
			int64_t next_cfg = status == TXN_SUCCESS && ovs
				? ovsdb_idl_txn_get_increment_new_value(txn)
				: 0;

			for (size_t i = 0; op->waits && i < op->waits->n; i++) {
				struct ovsw_wait *w = &op->waits->items[i];
				const struct uuid *uuid;

				uuid = ovsdb_idl_txn_get_insert_uuid(txn,
								     &w->uuid);
				if (uuid)
					w->uuid = *uuid;
			}
			ovsdb_idl_txn_destroy(txn);
			if (op->no_wait)
				return 0;
			return ovsw_wait_applied(db, next_cfg, deadline,
						 op->what, err);
		}
		if (status != TXN_TRY_AGAIN || time_msec() >= deadline) {
			ret = ovsw_txn_error(db, txn, status, op->what, err);
			ovsdb_idl_txn_destroy(txn);
			return ret;
		}
		ovsdb_idl_txn_destroy(txn);
		log_dbg("transaction: %s: try again", op->what);
		/* The replica was stale or the connection is being remade:
		 * wait for news before building the transaction again. */
		for (;;) {
			ovsdb_idl_run(db->idl);
			if (ovsdb_idl_get_seqno(db->idl) != seqno ||
			    time_msec() >= deadline)
				break;
			ovsw_block(db, deadline);
		}
	}
}

/* Receives, until 'deadline', the reply to the request 'xid' on 'vconn';
 * 0 or a positive errno (ETIMEDOUT). */
static int ovsw_recv_reply(struct vconn *vconn, ovs_be32 xid,
			   long long deadline)
{
	for (;;) {
		struct ofpbuf *reply;
		int error = vconn_recv(vconn, &reply);

		if (!error) {
			bool ours =
				((const struct ofp_header *)reply->data)->xid ==
				xid;

			ofpbuf_delete(reply);
			if (ours)
				return 0;
			continue;
		}
		if (error != EAGAIN)
			return error;
		if (time_msec() >= deadline)
			return ETIMEDOUT;
		vconn_run(vconn);
		vconn_run_wait(vconn);
		vconn_recv_wait(vconn);
		poll_timer_wait_until(deadline);
		poll_block();
	}
}

/* Sends a barrier to the bridge 'bridge' on its management socket
 * 'target' and waits until 'deadline' for the reply; 0 or a positive
 * errno. */
static int ovsw_barrier(const char *target, long long deadline)
{
	struct vconn *vconn = NULL;
	int error;

	error = vconn_open_block(target, OFPUTIL_DEFAULT_VERSIONS,
				 DSCP_DEFAULT, deadline - time_msec(), &vconn);
	if (!error) {
		struct ofpbuf *req = ofputil_encode_barrier_request(
			vconn_get_version(vconn));
		ovs_be32 xid = ((const struct ofp_header *)req->data)->xid;

		error = vconn_send_block(vconn, req);
		if (!error)
			error = ovsw_recv_reply(vconn, xid, deadline);
	}
	vconn_close(vconn);
	return error;
}

/* The unixctl socket of the ovs-vswitchd of 'db': a run's own OVS has
 * ovs-vswitchd.ctl (node/vswitch.c), OVS's service
 * ovs-vswitchd.<pid>.ctl. */
static char *ovsw_ctl_path(const struct ovs_switch_db *db)
{
	char *path = xasprintf("%s/ovs-vswitchd.ctl", db->rundir);

	if (access(path, F_OK)) {
		char *pidfile = xasprintf("%s/ovs-vswitchd.pid", db->rundir);
		pid_t pid = read_pidfile(pidfile);

		free(pidfile);
		if (pid > 0) {
			free(path);
			path = xasprintf("%s/ovs-vswitchd.%ld.ctl", db->rundir,
					 (long)pid);
		}
	}
	return path;
}

/* Runs the command 'cmd' (no arguments) of the ovs-vswitchd at the
 * unixctl socket 'path' and waits until 'deadline' for its answer; 0 or a
 * positive errno (EPROTO: it answered with an error). */
static int ovsw_unixctl(const char *path, const char *cmd, long long deadline)
{
	struct jsonrpc_msg *req, *reply;
	struct jsonrpc *rpc = NULL;
	struct json *id;
	int error;

	error = unixctl_client_create(path, &rpc);
	if (error)
		return error;
	req = jsonrpc_create_request(cmd, json_array_create_empty(), &id);
	error = jsonrpc_send(rpc, req);
	while (!error) {
		error = jsonrpc_recv(rpc, &reply);
		if (!error) {
			bool ours = reply->id && json_equal(reply->id, id);

			if (ours && reply->type == JSONRPC_ERROR)
				error = EPROTO;
			jsonrpc_msg_destroy(reply);
			if (ours)
				break;
			continue;
		}
		if (error != EAGAIN)
			break;
		error = 0;
		if (time_msec() >= deadline) {
			error = ETIMEDOUT;
			break;
		}
		jsonrpc_run(rpc);
		jsonrpc_wait(rpc);
		jsonrpc_recv_wait(rpc);
		poll_timer_wait_until(deadline);
		poll_block();
	}
	json_destroy(id);
	jsonrpc_close(rpc);
	return error;
}

/* Waits until ovs-vswitchd forwards through the port it has just added to
 * 'bridge' (its ofport and cur_cfg are in the database).  Two things lag
 * behind them:
 * - ovs-vswitchd writes both at the end of the main-loop round that adds
 *   the port, while its flow translation (ofproto-dpif's xlate) learns of
 *   the port only at the start of the next round;
 * - the datapath's cached flows were translated again while a port of the
 *   same name was away (a switch's port is made again when the pump is
 *   spliced in: link/veth.c), into drops where they output to it, and are
 *   translated back only by the revalidator threads, a moment later.
 * A frame to a host behind the port was dropped meanwhile: the first ping
 * after the pump was spliced in was lost 5 times in 6.  So: one barrier on
 * the bridge's management socket (unix:<run dir>/<bridge>.mgmt) answered,
 * as ovs-vswitchd serves OpenFlow in a round after translation is brought
 * up to date; then 'revalidator/purge' drops every cached flow of that
 * ovs-vswitchd (all its bridges': the next frames of each flow are
 * translated again, none lost).  About a millisecond.  Failing only risks
 * the first frames: said once as a warning. */
static void ovsw_wait_forwarding(struct ovs_switch_db *db, const char *bridge)
{
	static bool warned;
	long long deadline = time_msec() + OVSW_WAIT_MS;
	char *target = xasprintf("unix:%s/%s.mgmt", db->rundir, bridge);
	char *ctl = ovsw_ctl_path(db);
	const char *where = target;
	int error;

	error = ovsw_barrier(target, deadline);
	if (!error) {
		where = ctl;
		error = ovsw_unixctl(ctl, "revalidator/purge", deadline);
	}
	if (error && !warned) {
		warned = true;
		log_warn("cannot tell whether '%s' forwards through its new "
			 "ports (%s: %s): their first frames may be lost",
			 bridge, where, ovsw_strerror(error));
	}
	free(ctl);
	free(target);
}

/* Waits until every Interface of 'waits' has an ofport: fails on the first
 * one ovs-vswitchd reports an error for, or after OVSW_WAIT_MS without
 * progress. */
static int ovsw_wait_ofports(struct ovs_switch_db *db,
			     struct ovsw_waits *waits, struct emu_err *err)
{
	long long deadline = time_msec() + OVSW_WAIT_MS;
	size_t left = waits->n;

	for (;;) {
		bool progress = false;

		ovsdb_idl_run(db->idl);
		for (size_t i = 0; i < waits->n; i++) {
			struct ovsw_wait *w = &waits->items[i];
			const struct ovsrec_interface *iface;

			if (w->done)
				continue;
			iface = ovsrec_interface_get_for_uuid(db->idl,
							      &w->uuid);
			if (!iface)
				continue;
			if (iface->n_ofport && iface->ofport[0] > 0) {
				w->done = true;
				progress = true;
				left--;
			} else if (iface->error && iface->error[0]) {
				return emu_err_set(err, -ENODEV,
						   "cannot add port '%s' to "
						   "'%s': %s",
						   w->port, w->bridge,
						   iface->error);
			}
		}
		if (!left)
			return 0;
		if (progress)
			deadline = time_msec() + OVSW_WAIT_MS;
		if (time_msec() >= deadline) {
			for (size_t i = 0; i < waits->n; i++) {
				struct ovsw_wait *w = &waits->items[i];

				if (w->done)
					continue;
				return emu_err_set(err, -ETIMEDOUT,
						   "port '%s' on '%s' got no "
						   "OpenFlow port within %d s; "
						   "is ovs-vswitchd running?",
						   w->port, w->bridge,
						   OVSW_WAIT_MS / 1000);
			}
		}
		ovsw_block(db, deadline);
	}
}

static void ovsw_waits_add(struct ovsw_waits *waits,
			   const struct ovsrec_interface *row,
			   const char *bridge, const char *port)
{
	struct ovsw_wait *w;

	if (waits->n == waits->cap)
		waits->items = x2nrealloc(waits->items, &waits->cap,
					  sizeof(*waits->items));
	w = &waits->items[waits->n++];
	memset(w, 0, sizeof(*w));
	/* The row itself is freed when the transaction is sent. */
	w->uuid = row->header_.uuid;
	w->bridge = bridge;
	w->port = port;
}

static int ovsw_check_name(const char *kind, const char *name,
			   struct emu_err *err)
{
	if (!name || !name[0] || strlen(name) >= IFNAMSIZ)
		return emu_err_set(err, -EINVAL, "invalid %s name '%s'", kind,
				   name ? name : "(null)");
	return 0;
}

static int ovsw_check_port(const char *bridge,
			   const struct ovs_switch_port *port,
			   struct emu_err *err)
{
	int ret = ovsw_check_name("port", port->name, err);

	if (ret < 0)
		return ret;
	if (port->ofport < 0 || port->ofport > OVSW_OFPORT_MAX)
		return emu_err_set(err, -EINVAL,
				   "cannot add port '%s' to '%s': OpenFlow "
				   "port %d is out of range 1..%d",
				   port->name, bridge, port->ofport,
				   OVSW_OFPORT_MAX);
	return 0;
}

static const struct ovsrec_bridge *ovsw_find_bridge(struct ovs_switch_db *db,
						    const char *name)
{
	const struct ovsrec_bridge *br;

	OVSREC_BRIDGE_FOR_EACH (br, db->idl)
		if (!strcmp(br->name, name))
			return br;
	return NULL;
}

static const struct ovsrec_port *ovsw_find_port(
	const struct ovsrec_bridge *br, const char *name)
{
	for (size_t i = 0; i < br->n_ports; i++)
		if (!strcmp(br->ports[i]->name, name))
			return br->ports[i];
	return NULL;
}

/* Fills 'owners' with every bridge and port name in use, each mapped to
 * the name of its bridge. */
static void ovsw_names_in_use(struct ovs_switch_db *db, struct shash *owners)
{
	const struct ovsrec_bridge *br;

	shash_init(owners);
	OVSREC_BRIDGE_FOR_EACH (br, db->idl) {
		shash_add_once(owners, br->name, br->name);
		for (size_t i = 0; i < br->n_ports; i++)
			shash_add_once(owners, br->ports[i]->name, br->name);
	}
}

/* Inserts an Interface and its Port named 'name' on the bridge 'bridge'
 * tagged 'run_tag'; returns the Port.  A port of an existing interface (no
 * 'type') gets QoS "linux-noop": without it ovs-vswitchd deletes the
 * interface's root qdisc when it opens the port, and with it the link's
 * shaping.  QoS rows are roots of the database, tagged like the bridge and
 * deleted with their port (ovsw_delete_port). */
static struct ovsrec_port *
ovsw_insert_port(struct ovsdb_idl_txn *txn, const char *bridge,
		 const char *run_tag, const char *name, const char *type,
		 int ofport, struct ovsw_waits *waits)
{
	struct ovsrec_interface *iface = ovsrec_interface_insert(txn);
	struct ovsrec_port *port = ovsrec_port_insert(txn);
	int64_t request = ofport;

	ovsrec_interface_set_name(iface, name);
	if (type)
		ovsrec_interface_set_type(iface, type);
	if (ofport > 0)
		ovsrec_interface_set_ofport_request(iface, &request, 1);
	ovsrec_port_set_name(port, name);
	ovsrec_port_set_interfaces(port, &iface, 1);
	if (!type) {
		struct ovsrec_qos *qos = ovsrec_qos_insert(txn);

		ovsrec_qos_set_type(qos, "linux-noop");
		if (run_tag) {
			struct smap ids = SMAP_INITIALIZER(&ids);

			smap_add(&ids, OVSW_TAG_KEY, run_tag);
			ovsrec_qos_set_external_ids(qos, &ids);
			smap_destroy(&ids);
		}
		ovsrec_port_set_qos(port, qos);
	}
	ovsw_waits_add(waits, iface, bridge, name);
	return port;
}

/* Replaces the Controller rows of 'br' with one per target of 'targets'
 * (NULL-ended; NULL: none). */
static void ovsw_set_controllers(struct ovsdb_idl_txn *txn,
				 const struct ovsrec_bridge *br,
				 const char *const *targets, bool is_new)
{
	struct ovsrec_controller **ctrls;
	size_t n = 0;

	if (!is_new)
		for (size_t i = 0; i < br->n_controller; i++)
			ovsrec_controller_delete(br->controller[i]);
	while (targets && targets[n])
		n++;
	ctrls = xcalloc(n ? n : 1, sizeof(*ctrls));
	for (size_t i = 0; i < n; i++) {
		ctrls[i] = ovsrec_controller_insert(txn);
		ovsrec_controller_set_target(ctrls[i], targets[i]);
	}
	ovsrec_bridge_set_controller(br, ctrls, n);
	free(ctrls);
}

/* Sets Bridge:protocols from "OpenFlow10,OpenFlow13". */
static int ovsw_set_protocols(const struct ovsrec_bridge *br,
			      const char *protocols, struct emu_err *err)
{
	char *copy = xstrdup(protocols), *save = NULL;
	const char **names;
	size_t n = 0;

	names = xcalloc(strlen(protocols) / 2 + 1, sizeof(*names));
	for (char *p = strtok_r(copy, ",", &save); p;
	     p = strtok_r(NULL, ",", &save))
		names[n++] = p;
	if (!n) {
		free(names);
		free(copy);
		return emu_err_set(err, -EINVAL,
				   "bridge '%s': empty protocol list '%s'",
				   br->name, protocols);
	}
	ovsrec_bridge_set_protocols(br, names, n);
	free(names);
	free(copy);
	return 0;
}

static int ovsw_insert_bridge(struct ovsdb_idl_txn *txn,
			      const struct ovsrec_open_vswitch *ovs,
			      const struct ovs_switch_spec *spec,
			      const char *run_tag, struct ovsw_waits *waits,
			      struct emu_err *err)
{
	struct ovsrec_bridge *br = ovsrec_bridge_insert(txn);
	struct smap other = SMAP_INITIALIZER(&other);
	struct smap ids = SMAP_INITIALIZER(&ids);
	struct ovsrec_port **ports;
	int ret;

	ovsrec_bridge_set_name(br, spec->name);
	if (spec->userspace)
		ovsrec_bridge_set_datapath_type(br, "netdev");
	if (spec->fail_mode)
		ovsrec_bridge_set_fail_mode(br, spec->fail_mode);
	if (spec->protocols) {
		ret = ovsw_set_protocols(br, spec->protocols, err);
		if (ret < 0)
			return ret;
	}
	ovsrec_bridge_set_stp_enable(br, spec->stp);
	if (spec->dpid) {
		smap_add_format(&other, "datapath-id", "%016" PRIx64,
				spec->dpid);
		ovsrec_bridge_set_other_config(br, &other);
		smap_destroy(&other);
	}
	smap_add(&ids, OVSW_TAG_KEY, run_tag);
	ovsrec_bridge_set_external_ids(br, &ids);
	smap_destroy(&ids);
	ovsw_set_controllers(txn, br, spec->controllers, true);

	/* Like ovs-vsctl add-br: the bridge's own internal port first. */
	ports = xcalloc(spec->n_ports + 1, sizeof(*ports));
	ports[0] = ovsw_insert_port(txn, spec->name, run_tag, spec->name,
				    "internal", 0, waits);
	for (size_t i = 0; i < spec->n_ports; i++)
		ports[i + 1] = ovsw_insert_port(txn, spec->name, run_tag,
						spec->ports[i].name, NULL,
						spec->ports[i].ofport, waits);
	ovsrec_bridge_set_ports(br, ports, spec->n_ports + 1);
	free(ports);
	ovsrec_open_vswitch_update_bridges_addvalue(ovs, br);
	return 0;
}

struct ovsw_add_bridges {
	const struct ovs_switch_spec *specs;
	size_t n;
	const char *run_tag;
	struct ovsw_waits *waits;
};

/* Whether ovs-vswitchd has not yet applied all that is committed. */
static bool ovsw_behind(const struct ovsrec_open_vswitch *ovs)
{
	return ovs && ovs->cur_cfg < ovs->next_cfg;
}

/* The names of a removal that ovs-vswitchd may still be applying; NULL
 * when none is. */
static const char *ovsw_pending_removal(const struct ovsrec_open_vswitch *ovs)
{
	return ovsw_behind(ovs) ? smap_get(&ovs->external_ids,
					   OVSW_REMOVING_KEY)
				: NULL;
}

/* Drops the note of a removal that ovs-vswitchd has applied. */
static void ovsw_drop_applied_removal(const struct ovsrec_open_vswitch *ovs)
{
	if (ovs && !ovsw_behind(ovs) &&
	    smap_get(&ovs->external_ids, OVSW_REMOVING_KEY))
		ovsrec_open_vswitch_update_external_ids_delkey(
			ovs, OVSW_REMOVING_KEY);
}

/* Notes the names of 'br' and of its ports in 'names'. */
static void ovsw_note_bridge(struct ds *names, const struct ovsrec_bridge *br)
{
	ds_put_format(names, "%s%s", names->length ? " " : "", br->name);
	for (size_t i = 0; i < br->n_ports; i++)
		if (strcmp(br->ports[i]->name, br->name))
			ds_put_format(names, " %s", br->ports[i]->name);
}

static int ovsw_build_add_bridges(struct ovs_switch_db *db,
				  struct ovsdb_idl_txn *txn, void *aux_,
				  struct emu_err *err)
{
	const struct ovsrec_open_vswitch *ovs;
	struct ovsw_add_bridges *aux = aux_;
	struct shash owners;
	const char *owner;
	int ret = 0;

	ovs = ovsrec_open_vswitch_first(db->idl);
	if (!ovs)
		return emu_err_set(err, -ENOENT,
				   "ovsdb-server at %s has no Open_vSwitch row",
				   db->remote);
	ovsw_drop_applied_removal(ovs);
	ovsw_names_in_use(db, &owners);
	for (size_t i = 0; i < aux->n && !ret; i++) {
		const struct ovs_switch_spec *spec = &aux->specs[i];

		owner = shash_find_data(&owners, spec->name);
		if (owner && !strcmp(owner, spec->name)) {
			ret = emu_err_set(err, -EEXIST,
					  "cannot add bridge '%s': it already "
					  "exists",
					  spec->name);
			break;
		}
		if (owner) {
			ret = emu_err_set(err, -EEXIST,
					  "cannot add bridge '%s': it is a "
					  "port of bridge '%s'",
					  spec->name, owner);
			break;
		}
		shash_add(&owners, spec->name, spec->name);
		for (size_t j = 0; j < spec->n_ports && !ret; j++) {
			const char *name = spec->ports[j].name;

			owner = shash_find_data(&owners, name);
			if (owner)
				ret = emu_err_set(err, -EEXIST,
						  "cannot add port '%s' to "
						  "'%s': it is already on "
						  "bridge '%s'",
						  name, spec->name, owner);
			else
				shash_add(&owners, name, spec->name);
		}
		if (!ret)
			ret = ovsw_insert_bridge(txn, ovs, spec, aux->run_tag,
						 aux->waits, err);
	}
	shash_destroy(&owners);
	return ret;
}

/* Deletes 'port' (no longer referenced by its bridge) with its
 * interfaces and QoS.  A port with QoS has its reference cleared instead of
 * being deleted: the IDL sends no deletion of a Port (not a root row; the
 * server collects it once unreferenced, but only after checking that the
 * deleted QoS row has no references left). */
static void ovsw_delete_port(const struct ovsrec_port *port)
{
	const struct ovsrec_qos *qos = port->qos;

	for (size_t j = 0; j < port->n_interfaces; j++)
		ovsrec_interface_delete(port->interfaces[j]);
	if (!qos) {
		ovsrec_port_delete(port);
		return;
	}
	ovsrec_port_set_qos(port, NULL);
	ovsrec_qos_delete(qos);
}

/* Deletes 'br' with its ports, interfaces and controllers. */
static void ovsw_delete_bridge(const struct ovsrec_open_vswitch *ovs,
			       const struct ovsrec_bridge *br)
{
	for (size_t i = 0; i < br->n_ports; i++)
		ovsw_delete_port(br->ports[i]);
	for (size_t i = 0; i < br->n_controller; i++)
		ovsrec_controller_delete(br->controller[i]);
	ovsrec_open_vswitch_update_bridges_delvalue(ovs, br);
	ovsrec_bridge_delete(br);
}

/* Which bridges a deletion takes: with 'names', those named (and, with
 * 'run_tag' too, only when tagged so: a rollback); else tagged bridges, those
 * tagged 'run_tag' or, without it, those whose tag 'is_dead' says is dead. */
struct ovsw_del {
	const char *run_tag;
	bool (*is_dead)(const char *tag, void *aux);
	void *is_dead_aux;
	const char *const *names;
	size_t n_names;
	int n_deleted;
	bool record;	/* note the names under OVSW_REMOVING_KEY */
};

static bool ovsw_del_matches(const struct ovsw_del *del,
			     const struct ovsrec_bridge *br)
{
	const char *tag = smap_get(&br->external_ids, OVSW_TAG_KEY);

	if (del->names) {
		if (del->run_tag && (!tag || strcmp(tag, del->run_tag)))
			return false;
		for (size_t i = 0; i < del->n_names; i++)
			if (!strcmp(del->names[i], br->name))
				return true;
		return false;
	}
	if (!tag)
		return false;
	if (del->run_tag)
		return !strcmp(tag, del->run_tag);
	return del->is_dead(tag, del->is_dead_aux);
}

static int ovsw_build_del(struct ovs_switch_db *db, struct ovsdb_idl_txn *txn,
			  void *aux, struct emu_err *err)
{
	const struct ovsrec_open_vswitch *ovs;
	const struct ovsrec_bridge *br;
	struct ovsw_del *del = aux;
	struct ds names = DS_EMPTY_INITIALIZER;

	(void)txn;
	(void)err;
	del->n_deleted = 0;
	ovs = ovsrec_open_vswitch_first(db->idl);
	if (!ovs)
		return 0;
	if (del->record) {	/* what is still pending stays noted */
		const char *pending = ovsw_pending_removal(ovs);

		ds_put_cstr(&names, pending ? pending : "");
	}
	OVSREC_BRIDGE_FOR_EACH_SAFE (br, db->idl) {
		if (!ovsw_del_matches(del, br))
			continue;
		log_dbg("deleting bridge '%s'", br->name);
		if (del->record)
			ovsw_note_bridge(&names, br);
		ovsw_delete_bridge(ovs, br);
		del->n_deleted++;
	}
	if (del->record && del->n_deleted)
		ovsrec_open_vswitch_update_external_ids_setkey(
			ovs, OVSW_REMOVING_KEY, ds_cstr(&names));
	else if (!del->names && !del->run_tag)	/* cleanup: waits for all */
		ovsw_drop_applied_removal(ovs);
	ds_destroy(&names);
	return 0;
}

/* Takes back the bridges a failed ovs_switch_add_bridges() made. */
static void ovsw_undo_add_bridges(struct ovs_switch_db *db,
				  const struct ovs_switch_spec *specs,
				  size_t n, const char *run_tag)
{
	const char **names = xcalloc(n, sizeof(*names));
	struct ovsw_del del = { run_tag, NULL, NULL, names, n, 0, false };
	struct ovsw_op undo = { "remove the new bridges", ovsw_build_del, &del,
				NULL, false };

	for (size_t i = 0; i < n; i++)
		names[i] = specs[i].name;
	ovsw_transact(db, &undo, NULL);
	free(names);
}

int ovs_switch_add_bridges(struct ovs_switch_db *db,
			   const struct ovs_switch_spec *specs, size_t n,
			   const char *run_tag, struct emu_err *err)
{
	struct ovsw_waits waits = { NULL, 0, 0 };
	struct ovsw_add_bridges add = { specs, n, run_tag, &waits };
	struct ovsw_op op = { NULL, ovsw_build_add_bridges, &add, &waits,
			      false };
	bool kernel_checked = false;
	sigset_t mask;
	char what[64];
	int ret = 0;

	if (!run_tag || !run_tag[0])
		return emu_err_set(err, -EINVAL, "bridges need a run tag");
	for (size_t i = 0; i < n && !ret; i++) {
		ret = ovsw_check_name("bridge", specs[i].name, err);
		for (size_t j = 0; j < specs[i].n_ports && !ret; j++)
			ret = ovsw_check_port(specs[i].name, &specs[i].ports[j],
					      err);
		if (!ret && !specs[i].userspace && !kernel_checked) {
			kernel_checked = true;
			if (!ovs_switch_kernel_datapath())
				ret = emu_err_set(err, -EOPNOTSUPP,
						  "bridge '%s' needs the "
						  "openvswitch kernel module, "
						  "which is not loaded; use "
						  "the userspace datapath",
						  specs[i].name);
		}
	}
	if (ret < 0 || !n)
		return ret;

	snprintf(what, sizeof(what), "add %zu bridge%s", n, n == 1 ? "" : "s");
	op.what = what;
	ovsw_block_sigpipe(&mask);
	ret = ovsw_transact(db, &op, err);
	if (!ret) {
		ret = ovsw_wait_ofports(db, &waits, err);
		if (ret < 0)
			ovsw_undo_add_bridges(db, specs, n, run_tag);
	}
	ovsw_restore_sigpipe(&mask);
	free(waits.items);
	return ret;
}

struct ovsw_port_op {
	const char *bridge;
	const struct ovs_switch_port *port;	/* add */
	const char *name;			/* delete */
	struct ovsw_waits *waits;
};

static int ovsw_build_add_port(struct ovs_switch_db *db,
			       struct ovsdb_idl_txn *txn, void *aux,
			       struct emu_err *err)
{
	struct ovsw_port_op *pop = aux;
	const struct ovsrec_bridge *br = ovsw_find_bridge(db, pop->bridge);
	struct ovsrec_port *port;
	struct shash owners;
	const char *owner;

	if (!br)
		return emu_err_set(err, -ENOENT,
				   "cannot add port '%s' to '%s': no such "
				   "bridge",
				   pop->port->name, pop->bridge);
	ovsw_names_in_use(db, &owners);
	owner = shash_find_data(&owners, pop->port->name);
	if (owner) {
		emu_err_set(err, -EEXIST,
			    "cannot add port '%s' to '%s': it is already on "
			    "bridge '%s'",
			    pop->port->name, pop->bridge, owner);
		shash_destroy(&owners);
		return -EEXIST;
	}
	shash_destroy(&owners);
	port = ovsw_insert_port(txn, br->name,
				smap_get(&br->external_ids, OVSW_TAG_KEY),
				pop->port->name, NULL, pop->port->ofport,
				pop->waits);
	ovsrec_bridge_update_ports_addvalue(br, port);
	return 0;
}

static int ovsw_build_del_port(struct ovs_switch_db *db,
			       struct ovsdb_idl_txn *txn, void *aux,
			       struct emu_err *err)
{
	struct ovsw_port_op *pop = aux;
	const struct ovsrec_bridge *br = ovsw_find_bridge(db, pop->bridge);
	const struct ovsrec_port *port;

	(void)txn;
	if (!br)
		return emu_err_set(err, -ENOENT,
				   "cannot remove port '%s' from '%s': no "
				   "such bridge",
				   pop->name, pop->bridge);
	port = ovsw_find_port(br, pop->name);
	if (!port)
		return emu_err_set(err, -ENOENT,
				   "cannot remove port '%s' from '%s': no "
				   "such port",
				   pop->name, pop->bridge);
	ovsrec_bridge_update_ports_delvalue(br, port);
	ovsw_delete_port(port);
	return 0;
}

int ovs_switch_add_port(struct ovs_switch_db *db, const char *bridge,
			const struct ovs_switch_port *port,
			struct emu_err *err)
{
	struct ovsw_waits waits = { NULL, 0, 0 };
	struct ovsw_port_op pop = { bridge, port, NULL, &waits };
	struct ovsw_op op = { "add a port", ovsw_build_add_port, &pop,
			      &waits, false };
	sigset_t mask;
	int ret;

	ret = ovsw_check_name("bridge", bridge, err);
	if (!ret)
		ret = ovsw_check_port(bridge, port, err);
	if (ret < 0)
		return ret;
	ovsw_block_sigpipe(&mask);
	ret = ovsw_transact(db, &op, err);
	if (!ret) {
		ret = ovsw_wait_ofports(db, &waits, err);
		if (!ret)
			ovsw_wait_forwarding(db, bridge);
		if (ret < 0) {
			struct ovsw_port_op del = { bridge, NULL, port->name,
						    NULL };
			struct ovsw_op undo = { "remove the new port",
						ovsw_build_del_port, &del,
						NULL, false };

			ovsw_transact(db, &undo, NULL);
		}
	}
	ovsw_restore_sigpipe(&mask);
	free(waits.items);
	return ret;
}

int ovs_switch_del_port(struct ovs_switch_db *db, const char *bridge,
			const char *port, struct emu_err *err)
{
	struct ovsw_port_op pop = { bridge, NULL, port, NULL };
	struct ovsw_op op = { "remove a port", ovsw_build_del_port, &pop,
			      NULL, false };
	sigset_t mask;
	int ret;

	ret = ovsw_check_name("bridge", bridge, err);
	if (!ret)
		ret = ovsw_check_name("port", port, err);
	if (ret < 0)
		return ret;
	ovsw_block_sigpipe(&mask);
	ret = ovsw_transact(db, &op, err);
	ovsw_restore_sigpipe(&mask);
	return ret;
}

int ovs_switch_del_run_bridges(struct ovs_switch_db *db, const char *run_tag,
			       const char *const *names, size_t n,
			       struct emu_err *err)
{
	struct ovsw_del del = { run_tag, NULL, NULL, names, n, 0, true };
	struct ovsw_op op = { "remove bridges", ovsw_build_del, &del, NULL,
			      true };
	sigset_t mask;
	int ret;

	if (!n)
		return 0;
	ovsw_block_sigpipe(&mask);
	ret = ovsw_transact(db, &op, err);
	ovsw_restore_sigpipe(&mask);
	return ret < 0 ? ret : del.n_deleted;
}

int ovs_switch_wait_removed(struct ovs_switch_db *db,
			    const char *const *names, size_t n,
			    struct emu_err *err)
{
	long long deadline = time_msec() + OVSW_REMOVE_WAIT_MS;
	const struct ovsrec_open_vswitch *ovs;
	struct sset pending;
	const char *noted;
	bool needed = false;
	int ret;

	ovsdb_idl_run(db->idl);
	ovs = ovsrec_open_vswitch_first(db->idl);
	noted = ovsw_pending_removal(ovs);
	if (!noted)
		return 0;
	sset_from_delimited_string(&pending, noted, " ");
	for (size_t i = 0; i < n && !needed; i++)
		needed = sset_contains(&pending, names[i]);
	sset_destroy(&pending);
	if (!needed)
		return 0;
	log_dbg("waiting for ovs-vswitchd to apply an earlier removal");
	ret = ovsw_wait_applied(db, ovs->next_cfg, deadline, "", NULL);
	if (ret == -ETIMEDOUT)
		return emu_err_set(err, ret,
				   "ovs-vswitchd has not removed the bridges of "
				   "an earlier run within %d s; is it running?",
				   OVSW_REMOVE_WAIT_MS / 1000);
	return ret;
}

int ovs_switch_del_bridges(struct ovs_switch_db *db, const char *const *names,
			   size_t n, struct emu_err *err)
{
	return ovs_switch_del_run_bridges(db, NULL, names, n, err);
}

int ovs_switch_del_tagged(struct ovs_switch_db *db, const char *run_tag,
			  bool (*is_dead)(const char *tag, void *aux),
			  void *aux, struct emu_err *err)
{
	struct ovsw_del del = { run_tag, is_dead, aux, NULL, 0, 0, false };
	struct ovsw_op op = { "remove tagged bridges", ovsw_build_del, &del,
			      NULL, false };
	sigset_t mask;
	int ret;

	if (!run_tag && !is_dead)
		return emu_err_set(err, -EINVAL,
				   "removing tagged bridges needs a tag or a "
				   "test for dead tags");
	ovsw_block_sigpipe(&mask);
	ret = ovsw_transact(db, &op, err);
	ovsw_restore_sigpipe(&mask);
	return ret < 0 ? ret : del.n_deleted;
}

struct ovsw_set_ctl {
	const char *bridge;
	const char *const *controllers;
	const char *fail_mode;
};

static int ovsw_build_set_ctl(struct ovs_switch_db *db,
			      struct ovsdb_idl_txn *txn, void *aux,
			      struct emu_err *err)
{
	struct ovsw_set_ctl *set = aux;
	const struct ovsrec_bridge *br = ovsw_find_bridge(db, set->bridge);

	if (!br)
		return emu_err_set(err, -ENOENT,
				   "cannot set controllers of '%s': no such "
				   "bridge",
				   set->bridge);
	ovsw_set_controllers(txn, br, set->controllers, false);
	ovsrec_bridge_set_fail_mode(br, set->fail_mode);
	return 0;
}

int ovs_switch_set_controllers(struct ovs_switch_db *db, const char *bridge,
			       const char *const *controllers,
			       const char *fail_mode, struct emu_err *err)
{
	struct ovsw_set_ctl set = { bridge, controllers, fail_mode };
	struct ovsw_op op = { "set controllers", ovsw_build_set_ctl, &set,
			      NULL, false };
	sigset_t mask;
	int ret;

	ret = ovsw_check_name("bridge", bridge, err);
	if (ret < 0)
		return ret;
	ovsw_block_sigpipe(&mask);
	ret = ovsw_transact(db, &op, err);
	ovsw_restore_sigpipe(&mask);
	return ret;
}
