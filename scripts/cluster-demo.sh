#!/bin/bash
# make cluster-demo: the Containernet example over the simulated
# three-machine Swarm of tests/cluster/.
#
#   1. the agent's image (scripts/agent-image.sh) from the built cnemu
#   2. the bed up (tests/cluster/up.sh), the agent's image and the
#      example's image loaded into every machine
#   3. on m1, the Swarm manager: cnemu --cluster swarm on
#      examples/containernet_example.lua, placement shown, then 'nodes'
#      (each node's machine) and 'pingall' in its CLI
#   4. the bed down (tests/cluster/down.sh), also when a step failed
# Prints each step's time.  Root only; run from the top of the tree.

set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."

SCRIPT=examples/containernet_example.lua
IMAGE=cnemu/busybox:latest
AGENT_IMAGE=cnemu/agent:latest

say() { printf '*** cluster-demo: %s\n' "$*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f s", b - a }'; }

[[ $(id -u) -eq 0 ]] || { echo "cluster-demo: must run as root" >&2; exit 1; }

t=$(now)
scripts/agent-image.sh
say "agent image ready ($(since "$t"))"

trap 't=$(now); tests/cluster/down.sh && say "bed down ($(since "$t"))"' EXIT
t=$(now)
tests/cluster/up.sh "$AGENT_IMAGE" "$IMAGE"
say "bed up: 3 machines in a Swarm ($(since "$t"))"

say "placement"
tests/cluster/enter.sh m1 sh -c \
	"cd '$PWD' && ./cnemu --cluster swarm --plan $SCRIPT"
t=$(now)
printf 'nodes\npingall\n' | tests/cluster/enter.sh m1 sh -c \
	"cd '$PWD' && exec ./cnemu --cluster swarm $SCRIPT"
say "run over the cluster ($(since "$t"))"
