#!/bin/bash
# One machine against the simulated three-machine Swarm (tests/cluster/,
# the same 2 cores: the figure is the cost of distribution, not a
# speed-up): start, pingall and stop of tree,depth=2,fanout=8 (64 hosts,
# Linux bridges, and Open vSwitch under the builtin controller, each
# machine's own) and of CONTAINERS containers, 20 a
# leaf switch (bench/docker_hosts.lua), and the test bed's own set-up and
# teardown.  Run as root by bench/run.sh; CLUSTER_BENCH=0 skips it.
set -uo pipefail
cd "$(dirname "$0")/.."
CNEMU=${CNEMU:-./cnemu}
FANOUT=${FANOUT:-8}
CONTAINERS=${CONTAINERS:-60}
IMAGE=cnemu/busybox:latest
AGENT_IMAGE=cnemu/agent:latest
ARGS="--switch lxbr --controller none"

[ "${CLUSTER_BENCH:-1}" = 0 ] && exit 0
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# The figures line ("n start pingall stop loss") of a run's output.
figures() { grep -E '^[0-9]+ [0-9.]+ [0-9.]+ [0-9.]+ [0-9.]+$' | tail -1; }
row() { # what where "n start pingall stop loss"
	read -r n st pa sp loss <<<"${3:-- - - - -}"
	printf '%-24s %-10s %6s %9s %10s %8s %7s\n' "$1" "$2" "$n" "$st" \
		"$pa" "$sp" "$loss"
}

scripts/agent-image.sh >/dev/null || { echo "cluster bench: no agent image"; exit 1; }
t=$(now)
tests/cluster/up.sh "$AGENT_IMAGE" "$IMAGE" >/dev/null 2>&1 ||
	{ tests/cluster/down.sh >/dev/null 2>&1; echo "cluster bench: the bed did not come up"; exit 1; }
bed_up=$(since "$t")
trap 'tests/cluster/down.sh >/dev/null 2>&1' EXIT

printf '\n*** One machine against 3 simulated machines (one Swarm on these 2 cores)\n'
printf '%-24s %-10s %6s %9s %10s %8s %7s\n' what where nodes "start s" \
	"pingall s" "stop s" "loss %"
one=$($CNEMU $ARGS bench/docker_hosts.lua $((FANOUT * FANOUT)) none "$FANOUT" 2>&1 | figures)
row "tree,depth=2,fanout=$FANOUT" "1 machine" "$one"
three=$(tests/cluster/enter.sh m1 sh -c "cd '$PWD' && $CNEMU --cluster swarm $ARGS bench/docker_hosts.lua $((FANOUT * FANOUT)) none $FANOUT" 2>&1 | figures)
row "tree,depth=2,fanout=$FANOUT" "3 machines" "$three"
one=$($CNEMU bench/docker_hosts.lua $((FANOUT * FANOUT)) none "$FANOUT" 2>&1 | figures)
row "tree,fanout=$FANOUT, OVS" "1 machine" "$one"
three=$(tests/cluster/enter.sh m1 sh -c "cd '$PWD' && $CNEMU --cluster swarm bench/docker_hosts.lua $((FANOUT * FANOUT)) none $FANOUT" 2>&1 | figures)
row "tree,fanout=$FANOUT, OVS" "3 machines" "$three"
one=$($CNEMU $ARGS bench/docker_hosts.lua "$CONTAINERS" "$IMAGE" 20 2>&1 | figures)
row "$CONTAINERS containers, tree" "1 machine" "$one"
three=$(tests/cluster/enter.sh m1 sh -c "cd '$PWD' && $CNEMU --cluster swarm $ARGS bench/docker_hosts.lua $CONTAINERS $IMAGE 20" 2>&1 | figures)
row "$CONTAINERS containers, tree" "3 machines" "$three"
t=$(now)
tests/cluster/down.sh >/dev/null 2>&1
trap - EXIT
printf 'test bed: up with both images loaded %s s, down %s s\n' "$bed_up" "$(since "$t")"
