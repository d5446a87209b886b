#include "link/engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/netns.h"
#include "base/util.h"
#include "link/nl.h"
#include "link/pump.h"
#include "link/tc.h"

EMU_LOG_MODULE(engine);

int link_engine_init(struct link_engine *e, const char *name,
		     const char *tag, struct emu_err *err)
{
	memset(e, 0, sizeof(*e));
	e->pump_nsfd = -1;
	if (!name || !strcmp(name, "auto"))
		e->want = LINK_ENGINE_AUTO;
	else if (!strcmp(name, "netem"))
		e->want = LINK_ENGINE_NETEM;
	else if (!strcmp(name, "pump"))
		e->want = LINK_ENGINE_PUMP;
	else
		return emu_err_set(err, -EINVAL,
				   "unknown link engine '%s' (known: auto, "
				   "netem, pump)",
				   name);
	snprintf(e->tag, sizeof(e->tag), "%s", tag);
	return 0;
}

int link_engine_decide(struct link_engine *e, struct emu_err *err)
{
	bool has;

	if (e->decided)
		return 0;
	has = e->want != LINK_ENGINE_PUMP && shaping_kernel_has_netem();
	if (e->want == LINK_ENGINE_NETEM && !has)
		return emu_err_set(err, -ENOENT,
				   "--link-engine netem: the kernel has no "
				   "sch_netem (use auto or pump)");
	e->netem = has;
	e->decided = true;
	log_info("*** Link impairments by %s",
		 has ? "netem" : e->want == LINK_ENGINE_PUMP
					 ? "the pump (asked for)"
					 : "the pump (the kernel has no "
					   "sch_netem)");
	return 0;
}

int link_engine_pump(struct link_engine *e, struct emu_err *err)
{
	struct emu_err local;
	int fd;

	if (!e->pump) {
		err = emu_err_sink(err, &local);
		e->pump = pump_create(err);
		if (!e->pump)
			return emu_err_code(err, -ENOMEM);
	}
	if (e->pump_nsfd >= 0)
		return e->pump_nsfd;
	free(e->pump_ns);
	e->pump_ns = xasprintf("%s-pump", e->tag);
	fd = nlsock_netns_create(e->pump_ns, &e->pump_nl, err);
	if (fd < 0)
		return fd;
	e->pump_nsfd = fd;
	return fd;
}

void link_engine_stop(struct link_engine *e)
{
	pump_destroy(e->pump);
	e->pump = NULL;
}

void link_engine_release(struct link_engine *e)
{
	link_engine_stop(e);
	nlsock_close(e->pump_nl);
	e->pump_nl = NULL;
	if (e->pump_nsfd >= 0) {
		close(e->pump_nsfd);
		netns_delete(e->pump_ns);
		e->pump_nsfd = -1;
	}
	free(e->pump_ns);
	e->pump_ns = NULL;
}
