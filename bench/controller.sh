#!/bin/bash
# Controllers: time from start to a finished pingall (and what it
# dropped) on tree,depth=2,fanout=8 over the OVS userspace datapath,
# cnemu's built-in controller beside Mininet with ovs-testcontroller; and
# the time from start() returning to the first answered ping on linear,3
# (a lost first ARP costs a 1 s retry).  Run by bench/run.sh (make bench).
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

# The first answered ping after start() returned, in ms, REPEAT runs.
REPEAT=${REPEAT:-3}
FIRST_TOPO=linear,3
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
first_ping_cnemu() {
	"$CNEMU" --switch ovs "$@" bench/first_ping.lua "$FIRST_TOPO" 2>/dev/null |
		grep -oE 'first ping after start: [0-9]+' | grep -oE '[0-9]+$'
}
first_ping_mn() {
	/usr/bin/python3 - "$FIRST_TOPO" 2>/dev/null <<'PY'
import sys
from functools import partial
from mininet.log import setLogLevel
from mininet.net import Mininet
from mininet.node import OVSController, OVSSwitch
from mininet.topo import LinearTopo

setLogLevel('error')
net = Mininet(topo=LinearTopo(int(sys.argv[1].split(',')[1])),
              switch=partial(OVSSwitch, datapath='user'),
              controller=OVSController)
net.start()
h1, dst = net.hosts[0], net.hosts[-1]
out = h1.cmd('s=$(date +%s%N); until ping -c1 -W1 ' + dst.IP() +
             ' >/dev/null; do :; done; echo $((($(date +%s%N) - s) / 1000000))')
print(out.split()[-1])
net.stop()
PY
}
printf '\n*** From start() returning to the first answered ping, %s, OVS '\
'userspace datapath (ms, median of %d)\n' "$FIRST_TOPO" "$REPEAT"
for ctl in builtin builtin,mode=learning ovsc; do
	all=()
	for ((i = 0; i < REPEAT; i++)); do
		all+=("$(first_ping_cnemu --controller "$ctl")")
	done
	printf '%-34s %8s\n' "cnemu, $ctl" \
		"$(printf '%s\n' "${all[@]}" | median)"
done
if /usr/bin/python3 -c 'import mininet' 2>/dev/null; then
	all=()
	for ((i = 0; i < REPEAT; i++)); do
		all+=("$(first_ping_mn)")
	done
	printf '%-34s %8s\n' "mn, ovs-testcontroller" \
		"$(printf '%s\n' "${all[@]}" | median)"
fi
