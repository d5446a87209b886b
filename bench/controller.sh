#!/bin/bash
# Controllers: time from start to a finished pingall (and what it
# dropped) on tree,depth=2,fanout=8 over the OVS userspace datapath,
# cnemu's built-in controller beside Mininet with ovs-testcontroller.
# Run by bench/run.sh (make bench).
set -uo pipefail
cd "$(dirname "$0")/.."
CNEMU=${CNEMU:-./cnemu}
TOPO=tree,depth=2,fanout=8

# Prints "seconds dropped" of one start+pingall+stop.
run() {
	local t0 t1 out
	t0=$(date +%s.%N)
	out=$("$@" 2>&1)
	t1=$(date +%s.%N)
	printf '%.2f %s\n' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
		"$(grep -oE 'Results: [0-9]+% dropped' <<<"$out" | tail -1 |
		   grep -oE '[0-9]+%')"
}

for ((w = 0; w < 120; w++)); do
	flock -n /run/cnemu/lock true 2>/dev/null && break
	sleep 1
done
printf '\n*** Start + pingall + stop on %s, OVS userspace datapath\n' "$TOPO"
printf '%-34s %8s %8s\n' "" seconds dropped
read -r s d < <(run "$CNEMU" --topo "$TOPO" --switch ovs --test pingall)
printf '%-34s %8s %8s\n' "cnemu, builtin (topo)" "$s" "$d"
read -r s d < <(run "$CNEMU" --topo "$TOPO" --switch ovs \
	--controller builtin,mode=learning --test pingall)
printf '%-34s %8s %8s\n' "cnemu, builtin (learning)" "$s" "$d"
if command -v mn >/dev/null; then
	read -r s d < <(run mn --topo "$TOPO" --switch ovs,datapath=user \
		--controller ovsc --test pingall)
	printf '%-34s %8s %8s\n' "mn, ovs-testcontroller" "$s" "$d"
fi
