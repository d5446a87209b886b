# cnemu — one Makefile for the emulator, its controller, tests and benchmarks.
#
#   make run     set up the machine, build, start the default topology
#   make test    set up the machine, build, run unit and integration tests
#   make bench   set up the machine, build, print figures beside Mininet's
#   make deps    only the set-up (Debian packages, libopenvswitch, services)
#   make cluster-demo  the Containernet example over a simulated Swarm

# A bare 'make' builds the programs.
.DEFAULT_GOAL := all

CC      ?= cc
BUILD   ?= build
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror
CPPFLAGS_ALL := -std=gnu11 -I. -D_GNU_SOURCE $(shell pkg-config --cflags \
	libnl-route-3.0 lua5.4 libcurl jansson libgvc 2>/dev/null)
LIBS    := $(shell pkg-config --libs libnl-route-3.0 libmnl lua5.4 libcurl \
	jansson libgvc libcrypto 2>/dev/null) -lreadline -lpthread -lm

# libopenvswitch, built once from Debian's openvswitch-source by 'make deps'.
include mk/ovs.mk

LIB_SRCS  := $(filter-out emu/main.c,$(wildcard base/*.c emu/*.c emu/cli/*.c \
	topo/*.c node/*.c \
	link/*.c lua/*.c cluster/*.c))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CTL_SRCS  := $(wildcard ctl/*.c)
CTL_OBJS  := $(CTL_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:%.c=$(BUILD)/%)
INTEG_SRCS := $(wildcard tests/integration/test_*.c)
INTEG_BINS := $(INTEG_SRCS:%.c=$(BUILD)/%)
TEST_LIB_SRCS := $(wildcard tests/lib/*.c)
TEST_LIB_OBJS := $(TEST_LIB_SRCS:%.c=$(BUILD)/%.o)

# Files that include libopenvswitch's headers get its flags.
OVS_USERS := $(wildcard node/ovs*.c) $(CTL_SRCS)
$(OVS_USERS:%.c=$(BUILD)/%.o): CPPFLAGS_ALL += $(OVS_CFLAGS)

# Containers wait in a tiny static entry point, built into node/docker.o.
$(BUILD)/node/init/cnemu-init: node/init/cnemu-init.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -D_GNU_SOURCE -Os -static $(WARN) -o $@ $<
	strip $@
$(BUILD)/node/docker.o: $(BUILD)/node/init/cnemu-init
$(BUILD)/node/docker.o: CPPFLAGS_ALL += \
	-DCNEMU_INIT_BIN='"$(BUILD)/node/init/cnemu-init"'

# Objects of tests/lib are kept between test builds.
.SECONDARY: $(TEST_LIB_OBJS)

PROGRAMS := cnemu $(if $(CTL_SRCS),cnemu-controller)

.PHONY: all deps run test unit integration bench asan fuzz clean images \
	agent-image cluster-demo
all: $(PROGRAMS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c $< -o $@

$(BUILD)/libcnemu.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

cnemu: $(BUILD)/emu/main.o $(BUILD)/libcnemu.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(OVS_LIBS) $(LIBS)

cnemu-controller: $(CTL_OBJS) $(BUILD)/libcnemu.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(OVS_LIBS) $(LIBS)

$(BUILD)/tests/%: tests/%.c $(TEST_LIB_OBJS) $(BUILD)/libcnemu.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -o $@ $^ \
		$(OVS_LIBS) $(LIBS) -lcmocka

# node/, link/, topo/ and base/ stand without the Net (emu/) and its face
# (lua/): test_node links only their objects, so that a call from a node
# kind up into the Net fails the build.
LOWER_OBJS := $(filter $(BUILD)/base/% $(BUILD)/topo/% $(BUILD)/node/% \
	$(BUILD)/link/%,$(LIB_OBJS))
$(BUILD)/tests/unit/test_node: tests/unit/test_node.c $(TEST_LIB_OBJS) \
		$(LOWER_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -o $@ $^ \
		$(OVS_LIBS) $(LIBS) -lcmocka

deps:
	@bash scripts/deps.sh

run: deps
	$(MAKE) all
	./cnemu $(ARGS)

unit: $(UNIT_BINS)
	@bash scripts/run-tests.sh unit $(UNIT_BINS)

integration: all $(INTEG_BINS)
	@bash scripts/run-tests.sh integration $(INTEG_BINS)

test: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) asan
	$(MAKE) integration

asan:
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/unit/lsan.supp \
	$(MAKE) BUILD=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined \
		-fno-omit-frame-pointer" LDFLAGS="-fsanitize=address,undefined" unit

bench: deps
	$(MAKE) all
	@bash bench/run.sh

# The image that runs cnemu's agent on each machine of a Swarm (loaded by
# 'docker save | docker load'; see README), and a demonstration on the
# simulated three-machine Swarm of tests/cluster/.
agent-image: all
	@bash scripts/agent-image.sh

cluster-demo: deps
	$(MAKE) all
	@bash scripts/cluster-demo.sh

# ---- make fuzz: libFuzzer targets over the parsers (not part of 'make test')
#
# Each tests/fuzz/fuzz_<name>.c is linked with only the library objects it
# needs (FUZZ_OBJS_<name>), all built by clang into build-fuzz/ with the
# fuzzer's coverage and AddressSanitizer + UBSan; scripts/run-fuzz.sh then
# runs each for FUZZ_SECONDS from its seeds in tests/fuzz/corpus/<name>/
# and prints executions and findings (crash inputs in build-fuzz/crashes/).
FUZZ_CC      ?= clang
FUZZ_BUILD   := build-fuzz
FUZZ_SECONDS ?= 30
FUZZ_SAN     := address,undefined
FUZZ_CFLAGS  := -O1 -g -fno-omit-frame-pointer -fsanitize=$(FUZZ_SAN) \
	-fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link
FUZZ_TARGETS := opts topo plan shaping cli docker_json graph
FUZZ_OBJS_opts        := base/err base/util base/log base/run base/file base/proc \
	emu/opts link/shaping node/kinds
FUZZ_OBJS_topo        := base/err base/util topo/plan topo/index topo/topo
FUZZ_OBJS_plan        := base/err base/util topo/plan
FUZZ_OBJS_shaping     := base/err base/util link/shaping
FUZZ_OBJS_cli         := base/err base/util emu/cli/parse emu/traffic_print
FUZZ_OBJS_docker_json := base/err base/util node/docker_json
FUZZ_OBJS_graph       := base/err base/util topo/plan topo/graph
FUZZ_LIBS_docker_json := -ljansson
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS_ALL) $(FUZZ_CFLAGS) $(WARN) -MMD -MP -c $< -o $@

define FUZZ_TARGET
$(FUZZ_BUILD)/fuzz_$(1): tests/fuzz/fuzz_$(1).c \
		$(FUZZ_OBJS_$(1):%=$(FUZZ_BUILD)/obj/%.o)
	$$(FUZZ_CC) $$(CPPFLAGS_ALL) $$(FUZZ_CFLAGS) $$(WARN) -MMD -MP \
		-fsanitize=fuzzer -o $$@ $$(filter %.c %.o,$$^) \
		$$(FUZZ_LIBS_$(1)) -lm
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_TARGET,$(t))))

fuzz: $(FUZZ_BINS)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/run-fuzz.sh $(FUZZ_BUILD) \
		$(FUZZ_TARGETS)

-include $(wildcard $(FUZZ_BUILD)/*.d $(FUZZ_BUILD)/obj/*/*.d \
	$(FUZZ_BUILD)/obj/*/*/*.d)

clean:
	rm -rf build build-asan cnemu cnemu-controller

-include $(LIB_OBJS:.o=.d) $(CTL_OBJS:.o=.d) $(BUILD)/emu/main.d
