# cnemu — one Makefile for the emulator, its controller, tests and benchmarks.
#
#   make run     set up the machine, build, start the default topology
#   make test    set up the machine, build, run unit and integration tests
#   make bench   set up the machine, build, print figures beside Mininet's
#   make deps    only the set-up (Debian packages, libopenvswitch, services)

CC      ?= cc
BUILD   ?= build
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror
CPPFLAGS_ALL := -std=gnu11 -I. -D_GNU_SOURCE $(shell pkg-config --cflags \
	libnl-route-3.0 lua5.4 libcurl jansson libgvc 2>/dev/null)
LIBS    := $(shell pkg-config --libs libnl-route-3.0 libmnl lua5.4 libcurl \
	jansson libgvc 2>/dev/null) -lreadline -lpthread -lm

# libopenvswitch, built once from Debian's openvswitch-source by 'make deps'.
include mk/ovs.mk

LIB_SRCS  := $(filter-out emu/main.c,$(wildcard emu/*.c topo/*.c node/*.c \
	link/*.c lua/*.c))
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

PROGRAMS := cnemu $(if $(CTL_SRCS),cnemu-controller)

.PHONY: all deps run test unit integration bench asan fuzz clean images
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
	$(MAKE) integration

asan:
	$(MAKE) BUILD=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined \
		-fno-omit-frame-pointer" LDFLAGS="-fsanitize=address,undefined" unit

bench: deps
	$(MAKE) all
	@bash bench/run.sh

clean:
	rm -rf build build-asan cnemu cnemu-controller

-include $(LIB_OBJS:.o=.d) $(CTL_OBJS:.o=.d) $(BUILD)/emu/main.d
