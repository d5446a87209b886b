#include "node/kinds.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/util.h"

static const struct node_kind node_kind_rows[] = {
	/* a named network namespace */
	{ "host", NODE_HOST, { NULL }, { "Host", "CPULimitedHost" },
	  NODE_KIND_DEFAULT },
	/* a Docker container */
	{ "docker", NODE_HOST, { NULL }, { "Docker" }, NODE_KIND_CONTAINER },
	/* Mininet's NAT, in the machine's namespace */
	{ "nat", NODE_HOST, { NULL }, { "NAT" }, 0 },
	/* Open vSwitch under the run's controllers.  OVSKernelSwitch and
	 * UserSwitch run as OVS on the datapath the machine has (the probe
	 * at start says which). */
	{ "ovs", NODE_SWITCH, { "ovsk", "user" },
	  { "OVSSwitch", "OVSKernelSwitch", "UserSwitch" },
	  NODE_KIND_OVS | NODE_KIND_CONTROLLED | NODE_KIND_DEFAULT },
	/* Open vSwitch without controller (fail_mode standalone) */
	{ "ovsbr", NODE_SWITCH, { NULL }, { "OVSBridge" }, NODE_KIND_OVS },
	/* a Linux bridge in the run's switch namespace */
	{ "lxbr", NODE_SWITCH, { NULL }, { "LinuxBridge" }, 0 },
	/* cnemu-controller, modes topo and learning */
	{ "builtin", NODE_CONTROLLER, { "default" },
	  { "Controller", "DefaultController" }, NODE_KIND_DEFAULT },
	/* Debian's ovs-testcontroller */
	{ "ovsc", NODE_CONTROLLER, { "ref" }, { "OVSController" }, 0 },
	/* a controller that runs elsewhere (Ryu, ONOS) */
	{ "remote", NODE_CONTROLLER, { NULL }, { "RemoteController" }, 0 },
	/* no controller */
	{ "none", NODE_CONTROLLER, { NULL }, { NULL }, NODE_KIND_ABSENT },
};

const struct node_kind *node_kinds(size_t *n)
{
	*n = ARRAY_SIZE(node_kind_rows);
	return node_kind_rows;
}

/* True when 'word' is one of the NULL-ended 'words'. */
static int node_kind_among(const char *const *words, size_t max,
			   const char *word)
{
	for (size_t i = 0; i < max && words[i]; i++)
		if (!strcmp(words[i], word))
			return 1;
	return 0;
}

const struct node_kind *node_kind_find(enum node_role role, const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(node_kind_rows); i++) {
		const struct node_kind *k = &node_kind_rows[i];

		if (k->role == role &&
		    (!strcmp(k->name, name) ||
		     node_kind_among(k->aliases, ARRAY_SIZE(k->aliases),
				     name)))
			return k;
	}
	return NULL;
}

const struct node_kind *node_kind_find_class(enum node_role role,
					     const char *class)
{
	for (size_t i = 0; class && i < ARRAY_SIZE(node_kind_rows); i++) {
		const struct node_kind *k = &node_kind_rows[i];

		if (k->role == role &&
		    node_kind_among(k->classes, ARRAY_SIZE(k->classes), class))
			return k;
	}
	return NULL;
}

const struct node_kind *node_kind_default(enum node_role role)
{
	for (size_t i = 0; i < ARRAY_SIZE(node_kind_rows); i++)
		if (node_kind_rows[i].role == role &&
		    node_kind_rows[i].caps & NODE_KIND_DEFAULT)
			return &node_kind_rows[i];
	return NULL;
}

/* Appends ", word" (or "word" first) to 'buf' of 'size', filled to
 * '*len'; stops at its end. */
static void node_kind_append(char *buf, size_t size, size_t *len,
			     const char *word)
{
	if (*len < size)
		*len += (size_t)snprintf(buf + *len, size - *len, "%s%s",
					 *len ? ", " : "", word);
}

const char *node_kind_names(enum node_role role, char *buf, size_t size)
{
	size_t len = 0;

	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(node_kind_rows); i++)
		if (node_kind_rows[i].role == role)
			node_kind_append(buf, size, &len,
					 node_kind_rows[i].name);
	return buf;
}

const char *node_kind_classes(const struct node_kind *kind, char *buf,
			      size_t size)
{
	size_t len = 0;

	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(kind->classes) && kind->classes[i];
	     i++)
		node_kind_append(buf, size, &len, kind->classes[i]);
	return buf;
}

int node_kind_lookup(enum node_role role, const char *name,
		     const struct node_kind **kind, struct emu_err *err)
{
	char known[128];

	*kind = node_kind_find(role, name);
	if (*kind)
		return 0;
	return emu_err_set(err, -EINVAL, "unknown %s '%s' (known: %s)",
			   node_role_name(role), name,
			   node_kind_names(role, known, sizeof(known)));
}

const char *node_kind_class(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(node_kind_rows); i++)
		if (!strcmp(node_kind_rows[i].name, name))
			return node_kind_rows[i].classes[0]
				       ? node_kind_rows[i].classes[0]
				       : name;
	return name;
}

const char *node_role_name(enum node_role role)
{
	switch (role) {
	case NODE_HOST:
		return "host";
	case NODE_SWITCH:
		return "switch";
	case NODE_CONTROLLER:
		return "controller";
	}
	return "node";
}
