/* The link engine of a run: how impairments (delay, jitter, loss, ...)
 * are made.  'netem' where the kernel has sch_netem, else the pump: a
 * userspace delay line in the run's namespace "<tag>-pump", between two
 * veth pairs where a plain link has one (link/veth.h).  Rate is always the
 * kernel's HTB or TBF on the link's own ends.
 *
 * Owned by the Net by value: link_engine_init() checks the name and makes
 * nothing; link_engine_decide() probes the kernel once, when a link first
 * needs impairments; link_engine_pump() makes the pump and its namespace on
 * first use; link_engine_release() removes them (and can be called again;
 * the engine stays usable). */
#ifndef LINK_ENGINE_H
#define LINK_ENGINE_H

#include <stdbool.h>

struct emu_err;
struct nlsock;
struct pump;

enum link_engine_kind { LINK_ENGINE_AUTO, LINK_ENGINE_NETEM,
			LINK_ENGINE_PUMP };

struct link_engine {
	enum link_engine_kind want;	/* what the user asked for */
	bool decided;
	bool netem;			/* decided: netem, else the pump */
	char tag[24];			/* the run's tag, for names */
	struct pump *pump;		/* made on first use */
	int pump_nsfd;			/* "<tag>-pump"; -1 until made */
	char *pump_ns;
	struct nlsock *pump_nl;
	unsigned int next_id;		/* names pump-side ends "p<id>a/b" */
};

/* Checks 'name' ("auto", "netem", "pump"; NULL: auto). */
int link_engine_init(struct link_engine *e, const char *name,
		     const char *tag, struct emu_err *err);
/* Decides netem or pump (probing the kernel once); logs which, once.
 * -ENOENT when netem was asked for and the kernel has none. */
int link_engine_decide(struct link_engine *e, struct emu_err *err);
/* Makes the pump and its namespace if needed; returns the namespace fd. */
int link_engine_pump(struct link_engine *e, struct emu_err *err);
/* Stops the pump and drops its links, before their interfaces go away
 * (a deleted interface would be an error to a running pump); the pump's
 * namespace stays until link_engine_release().  Can be called again. */
void link_engine_stop(struct link_engine *e);
void link_engine_release(struct link_engine *e);

#endif
