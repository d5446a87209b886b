# libopenvswitch, built once per machine by scripts/deps.sh ('make deps')
# from Debian's openvswitch-source into /var/lib/cnemu/ovs-<version>, with
# the symlink /var/lib/cnemu/ovs.  The tree is a configured OVS build:
# config.h at its top, include/ and lib/ with the generated headers
# (odp-netlink.h, vswitch-idl.h), lib/.libs/libopenvswitch.a.
#
# OVS headers need '#include <config.h>' first.  cnemu-rename.h maps the
# OVS symbols deps.sh renamed (json_string, xmalloc, str_to_long, ...: they
# clash with jansson and base/util.h) to their ovs_ names, so a file built
# with OVS_CFLAGS must not include base/util.h or <jansson.h>.  Without the
# build, OVS users do not compile; 'make deps' makes it.
OVS_DIR    ?= /var/lib/cnemu/ovs
OVS_CFLAGS := -I$(OVS_DIR) -I$(OVS_DIR)/include -I$(OVS_DIR)/lib \
	-include $(OVS_DIR)/cnemu-rename.h

# The archives and the system libraries libtool recorded (e.g. -lcap-ng
# -latomic -lm), as deps.sh wrote them.  Recursive on purpose: expanded when
# a link recipe runs, so 'make run' links against the library its own
# 'deps' step has just built.
OVS_LIBS    = $(shell cat $(OVS_DIR)/cnemu-ldflags 2>/dev/null)
