#include "cluster/manager.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include <jansson.h>

#include "base/err.h"
#include "base/log.h"
#include "base/proc.h"
#include "base/util.h"
#include "cluster/chan.h"
#include "cluster/part.h"
#include "cluster/plan.h"
#include "cluster/swarm.h"
#include "emu/net.h"
#include "link/shaping.h"
#include "link/veth.h"
#include "node/node.h"
#include "topo/index.h"

EMU_LOG_MODULE(manager);

/* A link cut between two machines of the running run. */
struct manager_cut {
	const struct link *link;	/* of the manager's Net */
	size_t m1, m2;			/* the machines of its ends 1, 2 */
	uint32_t vni;
};

/* A run over the Swarm: what the start made, for the calls after it. */
struct manager {
	struct net *net;		/* borrowed */
	struct swarm_machine *sm;	/* the Swarm's nodes */
	size_t n_sm;
	struct plan_machine *m;		/* the ready ones, by hostname */
	size_t n_m;
	const char **addrs;		/* [machine]: its underlay address */
	struct placement pl;
	struct topo_index nodes;	/* name -> its machine + 1 */
	struct manager_cut *cuts;	/* once it runs; nodes and links are
					   added and removed */
	size_t n_cuts, cap_cuts;
	uint32_t next_vni;		/* of the next cut link */
	struct chan **chans;		/* [machine]: to its agent */
	bool *lost;			/* [machine]: its agent or engine is
					   gone */
	int lost_nodes;			/* of the machines lost since the
					   last check */
	bool running;			/* started: a loss is reported */
	bool *built;			/* [machine]: its part was asked */
	unsigned char key[CHAN_KEY_LEN];
	int key_fd;			/* a memory file holding 'key' */
	char key_path[64];		/* "/proc/<pid>/fd/<key_fd>" */
	char self[PATH_MAX];		/* this program, for relays */
	char secret_name[64], service_name[64];
	char *secret_id, *service_id;
	int port;			/* the agents' channel port */
	double *rtt_ms;			/* [m1 * n_m + m2]: the underlay's
					   round trip; < 0: not measured */
};

static int manager_by_hostname(const void *a, const void *b)
{
	const struct plan_machine *x = a, *y = b;

	return strcmp(x->name, y->name);
}

size_t manager_plan_machines(const struct swarm_machine *sm, size_t n,
			     struct plan_machine *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (!sm[i].ready)
			continue;
		out[k++] = (struct plan_machine){
			.name = sm[i].hostname,
			.labels = (const char *const *)sm[i].labels,
			.n_labels = sm[i].n_labels,
			.cores = sm[i].cores,
			.mem_bytes = sm[i].mem_bytes,
		};
	}
	qsort(out, k, sizeof(*out), manager_by_hostname);
	return k;
}

int manager_print_plan(const struct net *net, FILE *f, struct emu_err *err)
{
	struct swarm_machine *sm = NULL;
	struct plan_machine *m;
	struct placement pl;
	size_t n = 0, k;
	int ret;

	ret = swarm_list_machines(&sm, &n, err);
	if (ret)
		return ret;
	m = xcalloc(n + 1, sizeof(*m));
	k = manager_plan_machines(sm, n, m);
	ret = plan_place(net, m, k, &pl, err);
	if (!ret)
		plan_print(f, net, m, k, &pl);
	placement_release(&pl);
	free(m);
	swarm_machines_free(sm, n);
	return ret;
}

/* Removes the agents' service of 'r' (each agent removes its machine's
 * part as it stops) and the run's key. */
static int manager_remove_run(const struct swarm_run *r, FILE *f,
			      struct emu_err *err)
{
	char secret[96];
	int ret;

	fprintf(f, "*** Removing cluster run %s (service %s; each agent "
		   "removes its machine's part)\n",
		r->tag, r->service_name);
	ret = swarm_remove_service(r->service_id, NULL, err);
	if (ret)
		return ret;
	snprintf(secret, sizeof(secret), "cnemu-%s-key", r->tag);
	ret = swarm_remove_secret(secret, err);
	if (ret == -ENOENT) {	/* the agent of the Swarm's manager did */
		emu_err_clear(err);
		ret = 0;
	}
	return ret;
}

/* Runs 'cnemu -c' once on every ready machine, as a one-shot global
 * service of the agents' image given what an agent is given: what runs
 * left on a machine that was lost (its engine killed, its agent gone) is
 * removed by its tags as on one machine; what a live run holds stays. */
static int manager_clean_machines(FILE *f, struct emu_err *err)
{
	const char *args[] = { "-c", NULL };
	char name[64];
	struct swarm_agent_spec spec = { .name = name, .image = MANAGER_IMAGE,
					 .args = args };
	struct swarm_machine *sm = NULL;
	size_t n = 0, ready = 0;
	char *svc = NULL;
	int ret = swarm_list_machines(&sm, &n, err);

	if (ret)
		return ret;
	for (size_t i = 0; i < n; i++)
		ready += sm[i].ready;
	swarm_machines_free(sm, n);
	snprintf(name, sizeof(name), "cnemu-clean-%d", (int)getpid());
	fprintf(f, "*** Removing what dead runs left on the %zu machines "
		   "(service %s)\n",
		ready, name);
	ret = swarm_deploy_agents(&spec, &svc, err);
	if (!ret)
		ret = swarm_wait_done(svc, ready, MANAGER_DEPLOY_MS, err);
	if (svc) {
		struct emu_err rm = { 0 };

		if (swarm_remove_service(svc, NULL, &rm))
			log_warn("%s", rm.msg);
	}
	free(svc);
	return ret;
}

int manager_clean(FILE *f, struct emu_err *err)
{
	struct swarm_run *r;
	struct proc_id id;
	char host[256] = "";
	size_t n;
	int ret, first = 0;

	ret = swarm_list_runs(&r, &n, err);
	if (ret)
		return ret;
	gethostname(host, sizeof(host) - 1);
	for (size_t i = 0; i < n; i++) {
		if (!*r[i].manager_host || strcmp(r[i].manager_host, host))
			fprintf(f, "*** Keeping cluster run %s: its manager "
				   "ran on '%s' (run cnemu -c --cluster swarm "
				   "there)\n",
				r[i].tag, r[i].manager_host);
		else if (proc_id_parse(r[i].manager_proc, &id) == 0 &&
			 proc_id_alive(&id))
			fprintf(f, "*** Keeping cluster run %s: its manager "
				   "runs\n",
				r[i].tag);
		else if ((ret = manager_remove_run(&r[i], f, err)) && !first)
			first = ret;
	}
	swarm_runs_free(r, n);
	if (first)
		return first;
	return manager_clean_machines(f, err);
}

/* The machine of the node 'name'; SIZE_MAX: none (not placed yet). */
static size_t manager_machine_of(const struct manager *mg, const char *name)
{
	uintptr_t m = (uintptr_t)topo_index_find(&mg->nodes, name);

	return m ? m - 1 : SIZE_MAX;
}

/* Machine 'i' is lost ('why': its agent's word, or what broke the
 * channel): says so in one line, once, with what went with it and what
 * the run does now (net_opts.cluster_loss); the next check returns its
 * nodes. */
static void manager_lose(struct manager *mg, size_t i, const char *why)
{
	size_t nodes = 0, cuts = 0, left = 0, n_nodes;
	struct node **all = net_nodes(mg->net, &n_nodes);

	if (mg->lost[i])
		return;
	mg->lost[i] = true;
	if (!mg->running)	/* the start fails and says why */
		return;
	for (size_t u = 0; u < n_nodes; u++)
		nodes += manager_machine_of(mg, node_name(all[u])) == i;
	for (size_t c = 0; c < mg->n_cuts; c++)
		cuts += mg->cuts[c].m1 == i || mg->cuts[c].m2 == i;
	for (size_t k = 0; k < mg->n_m; k++)
		left += !mg->lost[k];
	mg->lost_nodes += (int)nodes;
	log_warn("machine '%s' is lost (%s): %zu node%s and %zu cut link%s "
		 "gone; %s the other %zu machine%s",
		 mg->m[i].name, why, nodes, nodes == 1 ? "" : "s", cuts,
		 cuts == 1 ? "" : "s",
		 net_options(mg->net)->cluster_loss == NET_LOSS_STOP
			 ? "stopping the run (--cluster-loss stop) on"
			 : "the run goes on over",
		 left, left == 1 ? "" : "s");
}

/* The agent's word in a frame it sent unasked: "lost" when its machine
 * is lost (its Docker engine gone), with why; NULL for anything else. */
static const char *manager_loss_of(const json_t *frame)
{
	const char *op = json_string_value(json_object_get(frame, "op"));
	const char *why = json_string_value(json_object_get(frame, "error"));

	if (!op || strcmp(op, "lost"))
		return NULL;
	return why ? why : "its agent says so";
}

/* Sends 'req' (taken) to machine 'i' and reads its answer; 0 when it says
 * ok, else a negative errno with the agent's sentence prefixed by the
 * machine's name.  A machine that is lost, or found lost, answers
 * -EHOSTDOWN. */
static int manager_ask(struct manager *mg, size_t i, json_t *req,
		       int timeout_ms, json_t **answer, struct emu_err *err)
{
	json_t *a = NULL;
	int ret = mg->lost[i] ? -EHOSTDOWN : chan_send(mg->chans[i], req, err);
	const char *why;

	json_decref(req);
	if (!ret)
		ret = chan_recv(mg->chans[i], &a, timeout_ms, err);
	if (!ret && (why = manager_loss_of(a)))
		manager_lose(mg, i, why);
	else if (ret == -ECONNRESET || ret == -EHOSTDOWN)
		manager_lose(mg, i, err->msg);
	if (mg->lost[i]) {
		json_decref(a);
		emu_err_clear(err);
		return emu_err_set(err, -EHOSTDOWN, "machine '%s' is lost",
				   mg->m[i].name);
	}
	if (!ret && !json_is_true(json_object_get(a, "ok"))) {
		const char *why = json_string_value(json_object_get(a,
								    "error"));

		ret = emu_err_set(err, -EIO, "%s", why ? why : "failed");
	}
	if (ret) {
		emu_err_prefix(err, "machine '%s': ", mg->m[i].name);
		json_decref(a);
		return ret;
	}
	if (answer)
		*answer = a;
	else
		json_decref(a);
	return 0;
}

/* The key in a memory file of this process, which its relays read
 * through /proc and which goes away with it. */
static int manager_make_key(struct manager *mg, struct emu_err *err)
{
	if (getrandom(mg->key, sizeof(mg->key), 0) != sizeof(mg->key))
		return emu_err_set(err, -errno, "cannot draw the run's key: %s",
				   strerror(errno));
	mg->key_fd = memfd_create("cnemu-key", MFD_CLOEXEC);
	if (mg->key_fd < 0 ||
	    write(mg->key_fd, mg->key, sizeof(mg->key)) != sizeof(mg->key))
		return emu_err_set(err, -errno, "cannot keep the run's key: %s",
				   strerror(errno));
	snprintf(mg->key_path, sizeof(mg->key_path), "/proc/%d/fd/%d",
		 (int)getpid(), mg->key_fd);
	return 0;
}

/* The machines of the Swarm, the placement and every machine's address. */
static int manager_place(struct manager *mg, struct emu_err *err)
{
	int ret = swarm_list_machines(&mg->sm, &mg->n_sm, err);
	struct node **nodes;
	size_t n;

	if (ret)
		return ret;
	mg->m = xcalloc(mg->n_sm + 1, sizeof(*mg->m));
	mg->n_m = manager_plan_machines(mg->sm, mg->n_sm, mg->m);
	ret = plan_place(mg->net, mg->m, mg->n_m, &mg->pl, err);
	if (ret)
		return ret;
	mg->addrs = xcalloc(mg->n_m + 1, sizeof(*mg->addrs));
	for (size_t i = 0; i < mg->n_m; i++)
		for (size_t j = 0; j < mg->n_sm; j++)
			if (mg->sm[j].hostname == mg->m[i].name)
				mg->addrs[i] = mg->sm[j].addr;
	nodes = net_nodes(mg->net, &n);
	for (size_t u = 0; u < n; u++)
		topo_index_add(&mg->nodes, node_name(nodes[u]),
			       (void *)(uintptr_t)(mg->pl.machine[u] + 1));
	mg->chans = xcalloc(mg->n_m + 1, sizeof(*mg->chans));
	mg->lost = xcalloc(mg->n_m + 1, sizeof(*mg->lost));
	mg->built = xcalloc(mg->n_m + 1, sizeof(*mg->built));
	return 0;
}

/* The agents' port of this run: the first from CHAN_PORT on that no
 * other run's agents listen on (their services' label; a run without
 * one: CHAN_PORT), so that runs side by side share the machines.
 * XXX two managers starting at the same moment may pick the same port:
 * the second's agents then fail, and its start says so. */
static int manager_pick_port(struct manager *mg, struct emu_err *err)
{
	struct swarm_run *r;
	size_t n;
	int ret = swarm_list_runs(&r, &n, err);

	if (ret)
		return ret;
	for (int p = CHAN_PORT; p < CHAN_PORT + MANAGER_PORTS && !mg->port;
	     p++) {
		bool taken = false;

		for (size_t i = 0; i < n && !taken; i++)
			taken = (r[i].port ? r[i].port : CHAN_PORT) == p;
		if (!taken)
			mg->port = p;
	}
	swarm_runs_free(r, n);
	if (!mg->port)
		return emu_err_set(err, -EADDRINUSE,
				   "the agents' ports %d-%d are all taken by "
				   "other cluster runs (cnemu -c --cluster "
				   "swarm removes dead ones)",
				   CHAN_PORT, CHAN_PORT + MANAGER_PORTS - 1);
	/* The VNIs of its cut links: a range of its own, by its port (two
	 * tunnels of one VNI between two machines cannot be). */
	for (size_t c = 0; c < mg->pl.n_cuts; c++)
		mg->pl.cuts[c].vni += (uint32_t)(mg->port - CHAN_PORT) *
				      MANAGER_RUN_VNIS;
	return 0;
}

/* The secret and the agents' service, running on every machine. */
static int manager_deploy(struct manager *mg, struct emu_err *err)
{
	const char *tag = net_run_tag(mg->net);
	char secret_file[96], host[256] = "", proc[PATH_MAX + 64] = "";
	char listen[32];
	struct proc_id id;
	const char *args[] = { "--agent", "--listen", listen,
			       "--key-file", secret_file, NULL };
	struct swarm_agent_spec spec = {
		.name = mg->service_name, .image = MANAGER_IMAGE, .args = args,
		.secret_name = mg->secret_name, .run_label = tag,
		.manager_host = host, .manager_proc = proc,
	};
	int ret = manager_pick_port(mg, err);

	if (ret)
		return ret;
	spec.port = mg->port;
	snprintf(listen, sizeof(listen), "0.0.0.0:%d", mg->port);

	snprintf(mg->secret_name, sizeof(mg->secret_name), "cnemu-%s-key",
		 tag);
	snprintf(mg->service_name, sizeof(mg->service_name),
		 "cnemu-%s-agent", tag);
	snprintf(secret_file, sizeof(secret_file), "/run/secrets/%s",
		 mg->secret_name);
	gethostname(host, sizeof(host) - 1);
	if (proc_id_of(getpid(), &id) == 0)
		proc_id_format(&id, proc, sizeof(proc));
	ret = swarm_create_secret(mg->secret_name, mg->key, sizeof(mg->key),
				  &mg->secret_id, err);
	if (ret)
		return ret;
	spec.secret_id = mg->secret_id;
	log_info("*** Deploying the agents on %zu machines", mg->n_m);
	ret = swarm_deploy_agents(&spec, &mg->service_id, err);
	if (!ret)
		ret = swarm_wait_agents(mg->service_id, mg->n_m,
					MANAGER_DEPLOY_MS, err);
	return ret;
}

/* The manager's hello: it names the run's service and secret, which the
 * agent of a Swarm manager removes when this manager is gone for good,
 * and the run's tag, which names the agents' labs. */
static json_t *manager_hello(const struct manager *mg)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "op", "hello", "service",
			 mg->service_name, "secret", mg->secret_name, "run",
			 net_run_tag(mg->net));
}

/* Connects to every agent (they listen shortly after their task runs)
 * and says hello. */
static int manager_connect(struct manager *mg, struct emu_err *err)
{
	unsigned long long until = now_us() + MANAGER_CONNECT_MS * 1000ull;

	for (size_t i = 0; i < mg->n_m; i++) {
		int ret;

		for (;;) {
			emu_err_clear(err);
			ret = chan_connect(mg->addrs[i], mg->port, mg->key,
					   sizeof(mg->key), &mg->chans[i],
					   err);
			if (!ret || ret == -EACCES || now_us() > until)
				break;
			usleep(200 * 1000);
		}
		if (!ret)
			ret = manager_ask(mg, i, manager_hello(mg),
					  CHAN_HANDSHAKE_MS, NULL, err);
		else
			emu_err_prefix(err, "machine '%s': ", mg->m[i].name);
		if (ret)
			return ret;
		/* From now on a frozen agent is heard of (manager_check()) */
		ret = chan_start_beat(mg->chans[i], CHAN_BEAT_MS,
				      CHAN_SILENT_MS, err);
		if (ret)
			return ret;
	}
	return 0;
}

/* The underlay's round trip between the machines of every cut, asked of
 * the agent of the cut's first machine (for 'links'). */
static void manager_measure_rtt(struct manager *mg)
{
	size_t n = mg->n_m;

	mg->rtt_ms = xcalloc(n * n + 1, sizeof(*mg->rtt_ms));
	for (size_t k = 0; k < n * n; k++)
		mg->rtt_ms[k] = -1;
	for (size_t c = 0; c < mg->pl.n_cuts; c++) {
		size_t a = mg->pl.cuts[c].m1, b = mg->pl.cuts[c].m2;
		struct emu_err err = { 0 };
		json_t *ans = NULL;

		if (mg->rtt_ms[a * n + b] >= 0)
			continue;
		if (manager_ask(mg, a, json_pack("{s:s, s:s}", "op", "rtt",
						 "addr", mg->addrs[b]),
				MANAGER_CONNECT_MS, &ans, &err)) {
			log_warn("no underlay round trip %s <-> %s: %s",
				 mg->m[a].name, mg->m[b].name, err.msg);
			continue;
		}
		mg->rtt_ms[a * n + b] = mg->rtt_ms[b * n + a] =
			json_number_value(json_object_get(ans, "rtt_ms"));
		json_decref(ans);
		log_info("*** Underlay round trip %s <-> %s: %.3f ms",
			 mg->m[a].name, mg->m[b].name, mg->rtt_ms[a * n + b]);
	}
}

/* The Net's options for the parts ("net" of cluster/part.h), so that
 * every machine builds its part as this Net would be built here. */
static json_t *manager_part_opts(const struct net *net)
{
	const struct net_opts *o = net_options(net);
	const struct {
		const char *key, *value;
	} strs[] = {
		{ "switch", o->switch_kind }, { "switch_args", o->switch_args },
		{ "controller", o->controller }, { "ipbase", o->ipbase },
		{ "link_engine", o->link_engine }, { "host", o->host },
	};
	json_t *j = json_pack("{s:b, s:b}", "mac", o->auto_mac, "arp",
			      o->auto_arp);

	for (size_t i = 0; i < ARRAY_SIZE(strs); i++)
		if (strs[i].value)
			json_object_set_new(j, strs[i].key,
					    json_string(strs[i].value));
	return j;
}

/* Sends every machine its part, then waits until all run. */
static int manager_build(struct manager *mg, struct emu_err *err)
{
	int ret = 0;

	log_info("*** Building the parts on %zu machines", mg->n_m);
	for (size_t i = 0; i < mg->n_m && !ret; i++) {
		json_t *part = part_of(mg->net, &mg->pl, i, mg->addrs, err);

		if (!part)
			return -EINVAL;
		json_object_set_new(part, "net", manager_part_opts(mg->net));
		ret = chan_send(mg->chans[i],
				json_pack("{s:s, s:o}", "op", "build", "part",
					  part),
				err);
		mg->built[i] = !ret;
	}
	for (size_t i = 0; i < mg->n_m && !ret; i++) {
		json_t *a = NULL;

		ret = chan_recv(mg->chans[i], &a, MANAGER_BUILD_MS, err);
		if (!ret && !json_is_true(json_object_get(a, "ok"))) {
			const char *why = json_string_value(
				json_object_get(a, "error"));

			ret = emu_err_set(err, -EIO, "%s", why ? why : "failed");
		}
		json_decref(a);
		if (ret)
			emu_err_prefix(err, "machine '%s': ", mg->m[i].name);
	}
	return ret;
}

/* The Swarm node ids of the lost machines, NULL-ended (caller frees the
 * array; the ids are borrowed). */
static const char **manager_lost_ids(const struct manager *mg)
{
	const char **ids = xcalloc(mg->n_m + 1, sizeof(*ids));
	size_t k = 0;

	for (size_t i = 0; i < mg->n_m; i++)
		for (size_t j = 0; j < mg->n_sm && mg->lost[i]; j++)
			if (mg->sm[j].hostname == mg->m[i].name)
				ids[k++] = mg->sm[j].id;
	return ids;
}

/* Removes every part that was asked for on the machines not lost, the
 * service and the secret. */
static void manager_release(struct manager *mg)
{
	struct emu_err err = { 0 };
	const char **lost_ids = mg->lost ? manager_lost_ids(mg) : NULL;

	for (size_t i = 0; i < mg->n_m; i++) {
		if (mg->chans[i] && mg->built[i] && !mg->lost[i] &&
		    manager_ask(mg, i, json_pack("{s:s}", "op", "stop"),
				MANAGER_BUILD_MS, NULL, &err))
			log_warn("%s", err.msg);
		emu_err_clear(&err);
		chan_close(mg->chans[i]);
	}
	if (mg->service_id &&
	    swarm_remove_service(mg->service_id, lost_ids, &err))
		log_warn("%s", err.msg);
	free(lost_ids);
	emu_err_clear(&err);
	if (mg->secret_id && swarm_remove_secret(mg->secret_id, &err))
		log_warn("%s", err.msg);
	if (mg->key_fd >= 0)
		close(mg->key_fd);
	free(mg->service_id);
	free(mg->secret_id);
	free(mg->chans);
	free(mg->lost);
	free(mg->built);
	free(mg->rtt_ms);
	free(mg->addrs);
	free(mg->cuts);
	topo_index_release(&mg->nodes);
	placement_release(&mg->pl);
	free(mg->m);
	swarm_machines_free(mg->sm, mg->n_sm);
	free(mg);
}

/* Adds the cut link 'link' between machines 'm1' and 'm2'. */
static void manager_add_cut(struct manager *mg, const struct link *link,
			    size_t m1, size_t m2, uint32_t vni)
{
	xgrow((void **)&mg->cuts, &mg->cap_cuts, mg->n_cuts + 1,
	      sizeof(*mg->cuts));
	mg->cuts[mg->n_cuts++] = (struct manager_cut){
		.link = link, .m1 = m1, .m2 = m2, .vni = vni,
	};
	if (vni >= mg->next_vni)
		mg->next_vni = vni + 1;
}

/* The placement's cut links, kept by link: nodes and links come and go
 * once the run goes (the placement counts by index). */
static void manager_keep_cuts(struct manager *mg)
{
	size_t n;
	struct link **links = net_links(mg->net, &n);

	mg->next_vni = PLAN_VNI_BASE +
		       (uint32_t)(mg->port - CHAN_PORT) * MANAGER_RUN_VNIS;
	for (size_t c = 0; c < mg->pl.n_cuts; c++)
		manager_add_cut(mg, links[mg->pl.cuts[c].link],
				mg->pl.cuts[c].m1, mg->pl.cuts[c].m2,
				mg->pl.cuts[c].vni);
}

static int manager_start(struct net *net, void **state, struct emu_err *err)
{
	struct manager *mg = xcalloc(1, sizeof(*mg));
	ssize_t len = readlink("/proc/self/exe", mg->self,
			       sizeof(mg->self) - 1);
	int ret;

	mg->net = net;
	mg->key_fd = -1;
	topo_index_init(&mg->nodes);
	if (len <= 0) {
		free(mg);
		return emu_err_set(err, -errno, "cannot find this program: %s",
				   strerror(errno));
	}
	ret = manager_place(mg, err);
	if (!ret)
		ret = part_fix_macs(net, err);
	if (!ret)
		ret = manager_make_key(mg, err);
	if (!ret)
		ret = manager_deploy(mg, err);
	if (!ret)
		ret = manager_connect(mg, err);
	if (!ret) {
		manager_measure_rtt(mg);
		ret = manager_build(mg, err);
	}
	if (ret) {
		manager_release(mg);
		return ret;
	}
	manager_keep_cuts(mg);
	log_info("*** Running over %zu machines, %zu links cut", mg->n_m,
		 mg->n_cuts);
	mg->running = true;
	*state = mg;
	return 0;
}

static void manager_stop(struct net *net, void *state)
{
	(void)net;
	log_info("*** Stopping the parts and the agents");
	manager_release(state);
}


static const char *manager_machine(void *state, const struct node *node)
{
	struct manager *mg = state;
	size_t i = manager_machine_of(mg, node_name(node));

	return i == SIZE_MAX ? NULL : mg->m[i].name;
}

static char **manager_relay_argv(void *state, const struct node *node,
				 char *const argv[],
				 const struct node_exec_opts *opts,
				 struct emu_err *err)
{
	struct manager *mg = state;
	size_t i = manager_machine_of(mg, node_name(node)), n = 0, size;
	char addr[128], **r, *p;
	const char *head[8];
	size_t k = 0;

	(void)opts;
	if (i == SIZE_MAX) {
		emu_err_set(err, -ENOENT, "'%s' runs on no machine",
			    node_name(node));
		return NULL;
	}
	if (mg->lost[i]) {
		emu_err_set(err, -EHOSTDOWN, "'%s': machine '%s' is lost",
			    node_name(node), mg->m[i].name);
		return NULL;
	}
	snprintf(addr, sizeof(addr), strchr(mg->addrs[i], ':') ? "[%s]:%d"
							       : "%s:%d",
		 mg->addrs[i], mg->port);
	head[k++] = mg->self;
	head[k++] = "--agent-exec";
	head[k++] = addr;
	head[k++] = "--key-file";
	head[k++] = mg->key_path;
	head[k++] = node_name(node);
	head[k++] = "--";
	while (argv[n])
		n++;
	size = (k + n + 1) * sizeof(*r);
	for (size_t j = 0; j < k; j++)
		size += strlen(head[j]) + 1;
	for (size_t j = 0; j < n; j++)
		size += strlen(argv[j]) + 1;
	r = xmalloc(size);
	p = (char *)(r + k + n + 1);
	for (size_t j = 0; j < k + n; j++) {
		const char *s = j < k ? head[j] : argv[j - k];

		r[j] = strcpy(p, s);
		p += strlen(s) + 1;
	}
	r[k + n] = NULL;
	return r;
}

/* The shaping 's' in the keys and texts of 'set link'. */
static json_t *manager_shaping_json(const struct shaping *s)
{
	json_t *o = json_object();
	char buf[64];

	for (size_t i = 0; shaping_key(i); i++)
		if (shaping_get(s, i, buf, sizeof(buf)) > 0)
			json_object_set_new(o, shaping_key(i),
					    json_string(buf));
	return o;
}

/* The request 'op' about 'link' for the machine of its end 'end' (0, 1):
 * naming both nodes, or that end's node and the cut's VNI. */
static json_t *manager_link_req(const struct link *link, int end,
				const char *op, const struct manager_cut *cut)
{
	const struct node *a = link_intf1(link)->node;
	const struct node *b = link_intf2(link)->node;

	if (!cut)
		return json_pack("{s:s, s:s, s:s}", "op", op, "node1",
				 node_name(a), "node2", node_name(b));
	return json_pack("{s:s, s:s, s:I}", "op", op, "node1",
			 node_name(end ? b : a), "vni", (json_int_t)cut->vni);
}

/* The cut of 'link', NULL when both ends are on one machine. */
static const struct manager_cut *manager_cut(const struct manager *mg,
					     const struct link *link)
{
	for (size_t c = 0; c < mg->n_cuts; c++)
		if (mg->cuts[c].link == link)
			return &mg->cuts[c];
	return NULL;
}

/* Sends 'op' about 'link' to the machine(s) of its ends, with the fields
 * of 'per_end' for each end (taken). */
static int manager_link_op(struct manager *mg, const struct link *link,
			   const char *op, json_t *per_end[2],
			   struct emu_err *err)
{
	const struct manager_cut *cut = manager_cut(mg, link);
	int ret = 0;

	for (int end = 0; end < (cut ? 2 : 1) && !ret; end++) {
		const struct node *node = end ? link_intf2(link)->node
					      : link_intf1(link)->node;
		size_t i = manager_machine_of(mg, node_name(node));
		json_t *req = manager_link_req(link, end, op, cut);

		json_object_update(req, per_end[end]);
		ret = manager_ask(mg, i, req, MANAGER_CONNECT_MS, NULL, err);
	}
	json_decref(per_end[0]);
	json_decref(per_end[1]);
	return ret;
}

static int manager_set_link_shaping(void *state, struct link *link,
				    struct emu_err *err)
{
	struct manager *mg = state;
	json_t *s1 = manager_shaping_json(link_shaping(link, 0));
	json_t *s2 = manager_shaping_json(link_shaping(link, 1));
	json_t *per_end[2];

	if (manager_cut(mg, link)) {	/* each end's egress, on its side */
		per_end[0] = json_pack("{s:o}", "shaping1", s1);
		per_end[1] = json_pack("{s:o}", "shaping1", s2);
	} else {
		per_end[0] = json_pack("{s:o, s:o}", "shaping1", s1,
				       "shaping2", s2);
		per_end[1] = json_object();
	}
	return manager_link_op(mg, link, "set_link", per_end, err);
}

/* Gives the controllers of every machine that runs a part the run's
 * topology as it is now (a link set down or up, a machine lost): they
 * all take the same paths and tree, as one controller would. */
static int manager_tell_topology(struct manager *mg, struct emu_err *err)
{
	int ret = 0;

	for (size_t i = 0; i < mg->n_m && !ret; i++) {
		char *text;

		if (!mg->built[i] || mg->lost[i] ||
		    !(text = part_topology(mg->net, &mg->pl, i, mg->lost)))
			continue;
		ret = manager_ask(mg, i,
				  json_pack("{s:s, s:s}", "op", "topology",
					    "topology", text),
				  MANAGER_CONNECT_MS, NULL, err);
		free(text);
	}
	return ret;
}

/* The Net has marked the link's ends 'up' already (net_topology()). */
static int manager_set_link_up(void *state, struct link *link, bool up,
			       struct emu_err *err)
{
	json_t *per_end[2] = { json_pack("{s:b}", "up", up),
			       json_pack("{s:b}", "up", up) };
	int ret = manager_link_op(state, link, "link_up", per_end, err);

	return ret ? ret : manager_tell_topology(state, err);
}

static bool manager_link_cut(void *state, const struct link *link,
			     struct net_cut *out)
{
	struct manager *mg = state;
	const struct manager_cut *cut = manager_cut(mg, link);

	if (!cut)
		return false;
	out->machine1 = mg->m[cut->m1].name;
	out->machine2 = mg->m[cut->m2].name;
	out->vni = cut->vni;
	out->underlay_rtt_ms = mg->rtt_ms ? mg->rtt_ms[cut->m1 * mg->n_m +
						       cut->m2]
					  : -1;
	return true;
}

/* A machine whose agent says it is lost, closed the channel or has been
 * silent (frozen, its network gone): lost, with its nodes.  What came
 * meanwhile is read: beats, and anything else unasked, are no loss. */
static int manager_check(void *state)
{
	struct manager *mg = state;
	int gone;

	for (size_t i = 0; i < mg->n_m; i++) {
		struct emu_err err = { 0 };
		const char *why;
		int ret = 0;

		while (!ret && !mg->lost[i]) {
			json_t *m = NULL;

			ret = chan_recv(mg->chans[i], &m, 0, &err);
			if (!ret && (why = manager_loss_of(m)))
				manager_lose(mg, i, why);
			json_decref(m);
		}
		if (ret && ret != -ETIMEDOUT && !mg->lost[i])
			manager_lose(mg, i, err.msg[0] ? err.msg
						       : "its agent is gone");
	}
	gone = mg->lost_nodes;
	mg->lost_nodes = 0;
	if (gone && net_options(mg->net)->cluster_loss != NET_LOSS_STOP) {
		struct emu_err err = { 0 };

		/* The others route around the lost switches. */
		if (manager_tell_topology(mg, &err))
			log_warn("%s", err.msg);
	}
	return gone;
}

static bool manager_node_lost(void *state, const struct node *node)
{
	struct manager *mg = state;
	size_t i = manager_machine_of(mg, node_name(node));

	return i != SIZE_MAX && mg->lost[i];
}

/* Machine 'i', for a change of the running run, unless it is lost. */
static int manager_check_machine(const struct manager *mg, size_t i,
				 const char *what, struct emu_err *err)
{
	if (i == SIZE_MAX)
		return emu_err_set(err, -ENOENT, "'%s' runs on no machine",
				   what);
	if (mg->lost[i])
		return emu_err_set(err, -EHOSTDOWN, "'%s': machine '%s' is "
				   "lost", what, mg->m[i].name);
	return 0;
}

/* The machine for 'node', added to the running run: its pin, else the
 * machine of a node it is linked to, else the one with the fewest
 * nodes; never a lost one. */
static int manager_place_new(const struct manager *mg, const struct node *node,
			     size_t *out, struct emu_err *err)
{
	const char *pin = node_placement(node);
	size_t n, least = SIZE_MAX;
	size_t *count = xcalloc(mg->n_m + 1, sizeof(*count));
	struct link **links = net_links(mg->net, &n);
	struct node **nodes;

	*out = SIZE_MAX;
	for (size_t i = 0; pin && i < mg->n_m && *out == SIZE_MAX; i++)
		if (!mg->lost[i] && plan_pin_matches(pin, &mg->m[i]))
			*out = i;
	for (size_t l = 0; !pin && l < n && *out == SIZE_MAX; l++) {
		const struct node *a = link_intf1(links[l])->node;
		const struct node *b = link_intf2(links[l])->node;
		size_t m = a == node ? manager_machine_of(mg, node_name(b))
		       : b == node ? manager_machine_of(mg, node_name(a))
				   : SIZE_MAX;

		if (m != SIZE_MAX && !mg->lost[m])
			*out = m;
	}
	nodes = net_nodes(mg->net, &n);
	for (size_t u = 0; u < n; u++) {
		size_t m = manager_machine_of(mg, node_name(nodes[u]));

		if (m != SIZE_MAX)
			count[m]++;
	}
	for (size_t i = 0; !pin && *out == SIZE_MAX && i < mg->n_m; i++)
		if (!mg->lost[i] && (least == SIZE_MAX ||
				     count[i] < count[least]))
			least = i;
	free(count);
	if (*out == SIZE_MAX)
		*out = least;
	if (*out != SIZE_MAX)
		return 0;
	if (pin)
		return emu_err_set(err, -EINVAL, "'%s': placement '%s' names "
				   "no machine of the run that is not lost",
				   node_name(node), pin);
	return emu_err_set(err, -EHOSTDOWN, "'%s': every machine of the run "
			   "is lost", node_name(node));
}

/* Refuses a change of the running run's nodes or links under
 * controllers: each machine's controllers hold the whole topology of the
 * start (part_topology()), which a new node or link is not in yet. */
static int manager_check_no_controller(const struct manager *mg,
				       const char *what, struct emu_err *err)
{
	size_t n;
	struct node **nodes = net_nodes(mg->net, &n);

	for (size_t u = 0; u < n; u++)
		if (node_role(nodes[u]) == NODE_CONTROLLER)
			return emu_err_set(err, -EOPNOTSUPP,
					   "cannot add %s to a running cluster "
					   "run under a controller ('%s') yet",
					   what, node_name(nodes[u]));
	return 0;
}

static int manager_add_node(void *state, struct node *node,
			    struct emu_err *err)
{
	struct manager *mg = state;
	size_t i;
	int ret = manager_check_no_controller(mg, node_name(node), err);

	if (!ret)
		ret = manager_place_new(mg, node, &i, err);

	if (!ret)
		ret = manager_ask(mg, i,
				  json_pack("{s:s, s:o}", "op", "add_node",
					    "node",
					    part_node_json(mg->net, node)),
				  MANAGER_BUILD_MS, NULL, err);
	if (ret)
		return ret;
	topo_index_add(&mg->nodes, node_name(node), (void *)(uintptr_t)(i + 1));
	log_info("*** '%s' runs on %s", node_name(node), mg->m[i].name);
	return 0;
}

/* Asks machine 'i' to remove the tunnel end of the cut 'vni'. */
static int manager_remove_cut_end(struct manager *mg, size_t i, uint32_t vni,
				  struct emu_err *err)
{
	return manager_ask(mg, i,
			   json_pack("{s:s, s:I}", "op", "remove_cut", "vni",
				     (json_int_t)vni),
			   MANAGER_CONNECT_MS, NULL, err);
}

static int manager_add_link(void *state, struct link *link,
			    struct emu_err *err)
{
	struct manager *mg = state;
	const char *n1 = node_name(link_intf1(link)->node);
	const char *n2 = node_name(link_intf2(link)->node);
	size_t a = manager_machine_of(mg, n1), b = manager_machine_of(mg, n2);
	uint32_t vni = mg->next_vni;
	int ret = manager_check_no_controller(mg, "a link", err);

	if (!ret)
		ret = manager_check_machine(mg, a, n1, err);
	if (!ret)
		ret = manager_check_machine(mg, b, n2, err);
	if (!ret && a == b)
		return manager_ask(mg, a,
				   json_pack("{s:s, s:o}", "op", "add_link",
					     "link", part_link_json(link)),
				   MANAGER_BUILD_MS, NULL, err);
	if (!ret)
		ret = manager_ask(mg, a,
				  json_pack("{s:s, s:o}", "op", "add_cut",
					    "cut",
					    part_cut_json(link, 0, vni,
							  mg->addrs[a],
							  mg->addrs[b])),
				  MANAGER_BUILD_MS, NULL, err);
	if (ret)
		return ret;
	ret = manager_ask(mg, b,
			  json_pack("{s:s, s:o}", "op", "add_cut", "cut",
				    part_cut_json(link, 1, vni, mg->addrs[b],
						  mg->addrs[a])),
			  MANAGER_BUILD_MS, NULL, err);
	if (ret) {
		struct emu_err undo = { 0 };

		if (manager_remove_cut_end(mg, a, vni, &undo))
			log_warn("%s", undo.msg);
		return ret;
	}
	manager_add_cut(mg, link, a, b, vni);
	log_info("*** Link %s-%s cut %s<->%s, vni %u", n1, n2, mg->m[a].name,
		 mg->m[b].name, vni);
	return 0;
}

static int manager_remove_link(void *state, struct link *link,
			       struct emu_err *err)
{
	struct manager *mg = state;
	const struct manager_cut *cut = manager_cut(mg, link);
	size_t m[2], i = manager_machine_of(mg,
					    node_name(link_intf1(link)->node));
	int ret = 0;

	if (!cut)
		return mg->lost[i] ? 0
				   : manager_ask(mg, i,
						 json_pack("{s:s, s:o}", "op",
							   "remove_link",
							   "link",
							   part_link_json(link)),
						 MANAGER_CONNECT_MS, NULL,
						 err);
	/* Each end on its machine; a lost machine's end went with it. */
	m[0] = cut->m1;
	m[1] = cut->m2;
	for (int e = 0; e < 2 && !ret; e++)
		if (!mg->lost[m[e]])
			ret = manager_remove_cut_end(mg, m[e], cut->vni, err);
	if (!ret)
		mg->cuts[cut - mg->cuts] = mg->cuts[--mg->n_cuts];
	return ret;
}

static int manager_remove_node(void *state, struct node *node,
			       struct emu_err *err)
{
	struct manager *mg = state;
	size_t i = manager_machine_of(mg, node_name(node));
	int ret = 0;

	if (i != SIZE_MAX && !mg->lost[i])
		ret = manager_ask(mg, i,
				  json_pack("{s:s, s:s}", "op", "remove_node",
					    "node", node_name(node)),
				  MANAGER_BUILD_MS, NULL, err);
	if (!ret)
		topo_index_remove(&mg->nodes, node_name(node));
	return ret;
}

const struct net_cluster_ops manager_ops = {
	.start = manager_start,
	.stop = manager_stop,
	.relay_argv = manager_relay_argv,
	.set_link_shaping = manager_set_link_shaping,
	.set_link_up = manager_set_link_up,
	.machine = manager_machine,
	.check = manager_check,
	.node_lost = manager_node_lost,
	.link_cut = manager_link_cut,
	.add_node = manager_add_node,
	.add_link = manager_add_link,
	.remove_link = manager_remove_link,
	.remove_node = manager_remove_node,
};
