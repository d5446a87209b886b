# Where 'make deps' (scripts/deps.sh) builds libopenvswitch; placeholder
# until that script writes the real flags.
OVS_DIR    ?= /var/lib/cnemu/ovs
OVS_CFLAGS := -I$(OVS_DIR)/include -I$(OVS_DIR)/lib -I$(OVS_DIR)
OVS_LIBS   := $(wildcard $(OVS_DIR)/lib/.libs/libopenvswitch.a)
